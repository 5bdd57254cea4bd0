-- Editing: memberships can end without being deleted, and every change is
-- written to an append-only audit log in the same transaction.

ALTER TABLE partnership_members
    ADD COLUMN retired_at timestamptz,
    ADD COLUMN retired_reason text;

CREATE TABLE audit_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    -- Who: the token's subject, display name and role at the time.
    actor_subject  text NOT NULL CHECK (length(actor_subject) BETWEEN 1 AND 500),
    actor_name     text CHECK (length(actor_name) <= 500),
    actor_role     text NOT NULL CHECK (actor_role IN ('professional', 'lead', 'admin')),
    action         text NOT NULL CHECK (action IN (
                       'CREATE', 'UPDATE', 'RETIRE', 'END', 'VERIFY', 'ADD_MEMBER', 'REMOVE_MEMBER')),
    entity_type    text NOT NULL CHECK (entity_type IN (
                       'Institution', 'Partnership', 'Site', 'Service', 'ContactPoint', 'GovernanceForum')),
    entity_id      uuid NOT NULL,
    -- Scope of the entity at the time, so leads can read their own history.
    institution_id uuid,
    partnership_id uuid,
    -- The entity's version after the change.
    version        integer NOT NULL CHECK (version >= 1),
    before         jsonb,
    after          jsonb NOT NULL,
    reason         text CHECK (length(reason) <= 2000)
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_id, id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

ALTER TABLE sites ADD COLUMN retired_reason text;
ALTER TABLE governance_forums ADD COLUMN retired_reason text;

-- A successor takes over the role at the same institution (as a deputy works
-- at the same one), so that "who answers for X" only ever names X's people.
ALTER TABLE contact_points ADD CONSTRAINT contact_points_successor_same_institution
    FOREIGN KEY (successor_id, institution_id) REFERENCES contact_points (id, institution_id);
