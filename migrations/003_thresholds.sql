-- Thresholds of responsibility: for a partnership and an area of care, who
-- is responsible (NHS, HEP, SHARED, STUDENT or UNCLEAR) and how the parties
-- collaborate at the boundary. Each threshold is a versioned agreement:
-- DRAFT -> PROPOSED -> AGREED once a lead of an NHS-side member and a lead of
-- an education-side member have both signed the exact version. A later
-- agreed version SUPERSEDES the earlier one; withdrawal is recorded.

CREATE TABLE responsibility_areas (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name                text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 300),
    description         text CHECK (length(description) <= 2000),
    -- Where the North-East action learning set placed it (Nous report, Appendix A.2).
    reference_placement text CHECK (reference_placement IN ('NHS', 'UNCLEAR', 'HEP', 'STUDENT')),
    reference_source    text CHECK (length(reference_source) <= 500),
    sort_order          integer NOT NULL DEFAULT 1000,
    retired_at          timestamptz,
    retired_reason      text,
    version             integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER responsibility_areas_touch BEFORE UPDATE ON responsibility_areas FOR EACH ROW EXECUTE FUNCTION touch_row();

-- One threshold per partnership and area; its version counts every step
-- taken on any of its versions (the optimistic lock of the agreement).
CREATE TABLE thresholds (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partnership_id uuid NOT NULL REFERENCES partnerships (id),
    area_id        uuid NOT NULL REFERENCES responsibility_areas (id),
    version        integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (partnership_id, area_id)
);
CREATE TRIGGER thresholds_touch BEFORE UPDATE ON thresholds FOR EACH ROW EXECUTE FUNCTION touch_row();

CREATE TABLE threshold_versions (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    threshold_id      uuid NOT NULL REFERENCES thresholds (id),
    number            integer NOT NULL CHECK (number >= 1),
    status            text NOT NULL CHECK (status IN ('DRAFT', 'PROPOSED', 'AGREED', 'SUPERSEDED', 'WITHDRAWN')),
    responsible_party text NOT NULL CHECK (responsible_party IN ('NHS', 'HEP', 'SHARED', 'STUDENT', 'UNCLEAR')),
    collaboration     text CHECK (length(collaboration) <= 4000),
    escalation        text CHECK (length(escalation) <= 4000),
    step_down         text CHECK (length(step_down) <= 4000),
    -- The threshold's version when this version's text last changed; a
    -- sign-off is for exactly this text.
    text_version      integer NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    proposed_at       timestamptz,
    agreed_at         timestamptz,
    superseded_at     timestamptz,
    withdrawn_at      timestamptz,
    withdrawn_reason  text CHECK (length(withdrawn_reason) <= 2000),
    UNIQUE (threshold_id, number),
    CHECK (status <> 'AGREED' OR agreed_at IS NOT NULL),
    CHECK (status <> 'SUPERSEDED' OR (agreed_at IS NOT NULL AND superseded_at IS NOT NULL)),
    CHECK (status <> 'WITHDRAWN' OR withdrawn_at IS NOT NULL)
);
CREATE TRIGGER threshold_versions_touch BEFORE UPDATE ON threshold_versions FOR EACH ROW EXECUTE FUNCTION touch_row();
-- At most one version pending (DRAFT or PROPOSED) and one in force at a time.
CREATE UNIQUE INDEX threshold_versions_one_pending ON threshold_versions (threshold_id) WHERE status IN ('DRAFT', 'PROPOSED');
CREATE UNIQUE INDEX threshold_versions_one_agreed ON threshold_versions (threshold_id) WHERE status = 'AGREED';

-- The services that carry a threshold on each side.
CREATE TABLE threshold_version_services (
    threshold_version_id uuid NOT NULL REFERENCES threshold_versions (id),
    service_id           uuid NOT NULL REFERENCES services (id),
    side                 text NOT NULL CHECK (side IN ('NHS', 'HEP')),
    PRIMARY KEY (threshold_version_id, service_id)
);

-- Sign-offs: one current per side and version; a change to the text voids them.
CREATE TABLE threshold_signoffs (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    threshold_version_id uuid NOT NULL REFERENCES threshold_versions (id),
    side                 text NOT NULL CHECK (side IN ('NHS', 'HEP')),
    institution_id       uuid NOT NULL REFERENCES institutions (id),
    signer_subject       text NOT NULL,
    signer_name          text,
    text_version         integer NOT NULL,
    signed_at            timestamptz NOT NULL DEFAULT now(),
    voided_at            timestamptz
);
CREATE UNIQUE INDEX threshold_signoffs_one_per_side ON threshold_signoffs (threshold_version_id, side) WHERE voided_at IS NULL;

-- The audit log records threshold steps and area changes too.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN (
    'CREATE', 'UPDATE', 'RETIRE', 'END', 'VERIFY', 'ADD_MEMBER', 'REMOVE_MEMBER',
    'DRAFT', 'PROPOSE', 'SIGN_OFF', 'AGREE', 'WITHDRAW'));
ALTER TABLE audit_log DROP CONSTRAINT audit_log_entity_type_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_entity_type_check CHECK (entity_type IN (
    'Institution', 'Partnership', 'Site', 'Service', 'ContactPoint', 'GovernanceForum',
    'ResponsibilityArea', 'Threshold'));
