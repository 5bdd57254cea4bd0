-- Referral pathways and handover: information sharing agreements between
-- institutions, and pathways drawn as steps (hand-overs) between services.
-- Touchpoints such as A&E, GP practices, halls and crisis teams are services
-- too, so every step joins two services.

CREATE TABLE sharing_agreements (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partnership_id      uuid REFERENCES partnerships (id),
    name                text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 300),
    -- The lawful basis for sharing: explicit consent; vital interests; DPA 2018
    -- Schedule 1 Part 2 paragraph 18 (safeguarding of individuals at risk); other.
    lawful_basis        text NOT NULL CHECK (lawful_basis IN (
                            'EXPLICIT_CONSENT', 'VITAL_INTERESTS', 'SAFEGUARDING_OF_INDIVIDUALS_AT_RISK', 'OTHER')),
    lawful_basis_detail text CHECK (length(lawful_basis_detail) <= 2000),
    -- Whether it allows sharing without the student's consent in the
    -- circumstances it sets out (the clinician still decides).
    permits_sharing_without_consent boolean NOT NULL DEFAULT false,
    scope_of_data       text CHECK (length(scope_of_data) <= 4000),
    signed_on           date,
    review_on           date,
    status              text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('DRAFT', 'ACTIVE', 'EXPIRED', 'WITHDRAWN')),
    retired_at          timestamptz,
    retired_reason      text,
    version             integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (review_on IS NULL OR signed_on IS NULL OR review_on >= signed_on),
    CHECK (lawful_basis <> 'OTHER' OR lawful_basis_detail IS NOT NULL)
);
CREATE TRIGGER sharing_agreements_touch BEFORE UPDATE ON sharing_agreements FOR EACH ROW EXECUTE FUNCTION touch_row();

CREATE TABLE sharing_agreement_parties (
    agreement_id   uuid NOT NULL REFERENCES sharing_agreements (id),
    institution_id uuid NOT NULL REFERENCES institutions (id),
    PRIMARY KEY (agreement_id, institution_id)
);
CREATE INDEX sharing_agreement_parties_institution_idx ON sharing_agreement_parties (institution_id);

CREATE TABLE pathways (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partnership_id uuid NOT NULL REFERENCES partnerships (id),
    name           text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 300),
    description    text CHECK (length(description) <= 4000),
    retired_at     timestamptz,
    retired_reason text,
    version        integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (partnership_id, name)
);
CREATE TRIGGER pathways_touch BEFORE UPDATE ON pathways FOR EACH ROW EXECUTE FUNCTION touch_row();

CREATE TABLE pathway_steps (
    id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    pathway_id               uuid NOT NULL REFERENCES pathways (id),
    from_service_id          uuid NOT NULL REFERENCES services (id),
    to_service_id            uuid NOT NULL REFERENCES services (id),
    situation                text NOT NULL CHECK (situation IN (
                                 'PRESENTS_AT_URGENT_CARE', 'DISCHARGED_FROM_INPATIENT_CARE', 'CRISIS_TEAM_CONTACT',
                                 'ON_NHS_WAITING_LIST', 'TRANSITION_FROM_CAMHS', 'RETURNING_HOME_OUT_OF_TERM',
                                 'RETURNING_TO_STUDY', 'CONCERN_RAISED_AT_UNIVERSITY')),
    -- Conditions.
    requires_student_status  boolean NOT NULL DEFAULT false,
    consents                 text[] NOT NULL DEFAULT '{GIVEN}' CHECK (cardinality(consents) >= 1 AND consents <@ ARRAY[
                                 'GIVEN', 'REFUSED', 'NOT_ASKED', 'LACKS_CAPACITY']::text[]),
    min_urgency              text NOT NULL DEFAULT 'ROUTINE' CHECK (min_urgency IN ('ROUTINE', 'SOON', 'URGENT', 'EMERGENCY')),
    max_urgency              text NOT NULL DEFAULT 'EMERGENCY' CHECK (max_urgency IN ('ROUTINE', 'SOON', 'URGENT', 'EMERGENCY')),
    eligibility              text CHECK (length(eligibility) <= 1000),
    -- Protocol. A step with no receiving purpose informs no one: it is how
    -- the "before" picture is kept, and it is flagged as a dead end.
    what_to_send             text[] NOT NULL DEFAULT '{}' CHECK (what_to_send <@ ARRAY[
                                 'RISK_MANAGEMENT_PLAN', 'DISCHARGE_SUMMARY', 'SAFETY_PLAN', 'REASONABLE_ADJUSTMENTS',
                                 'REFERRAL_LETTER', 'CONTACT_DETAILS', 'ASSESSMENT', 'CARE_PLAN']::text[]),
    channel                  text CHECK (channel IN ('SECURE_EMAIL', 'PHONE', 'SHARED_RECORD', 'REFERRAL_FORM',
                                 'IN_PERSON', 'STUDENT_SELF_REFERS')),
    time_limit_hours         integer CHECK (time_limit_hours BETWEEN 0 AND 8760),
    receiving_purpose        text CHECK (receiving_purpose IN (
                                 'URGENT_CARE_NOTIFICATION', 'DISCHARGE_NOTIFICATION', 'MDT_REFERRAL', 'SAFEGUARDING',
                                 'STUDENT_LIAISON', 'DISABILITY_SUPPORT', 'FITNESS_TO_STUDY',
                                 'INTERNATIONAL_STUDENT_ADVICE', 'PARTNERSHIP_LEAD', 'GENERAL_ENQUIRIES')),
    agreement_id             uuid REFERENCES sharing_agreements (id),
    protocol_notes           text CHECK (length(protocol_notes) <= 2000),
    -- What the student can expect.
    first_contact_days       integer CHECK (first_contact_days BETWEEN 0 AND 365),
    sessions                 integer CHECK (sessions BETWEEN 1 AND 100),
    student_expectation      text CHECK (length(student_expectation) <= 2000),
    sort_order               integer NOT NULL DEFAULT 0,
    retired_at               timestamptz,
    retired_reason           text,
    version                  integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    CHECK (from_service_id <> to_service_id),
    CHECK (array_position(ARRAY['ROUTINE', 'SOON', 'URGENT', 'EMERGENCY'], min_urgency)
        <= array_position(ARRAY['ROUTINE', 'SOON', 'URGENT', 'EMERGENCY'], max_urgency))
);
CREATE TRIGGER pathway_steps_touch BEFORE UPDATE ON pathway_steps FOR EACH ROW EXECUTE FUNCTION touch_row();
CREATE INDEX pathway_steps_from_idx ON pathway_steps (from_service_id) WHERE retired_at IS NULL;
CREATE INDEX pathway_steps_pathway_idx ON pathway_steps (pathway_id);

ALTER TABLE audit_log DROP CONSTRAINT audit_log_entity_type_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_entity_type_check CHECK (entity_type IN (
    'Institution', 'Partnership', 'Site', 'Service', 'ContactPoint', 'GovernanceForum',
    'ResponsibilityArea', 'Threshold', 'SharingAgreement', 'Pathway', 'PathwayStep'));
