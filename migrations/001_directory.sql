-- The directory: institutions, their sites, partnerships, services and
-- nominated contact points. Every editable row carries version, created_at
-- and updated_at; the rules a row must obey live here as constraints, not
-- only in Go.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- touch_row keeps updated_at true on every UPDATE. The version is bumped by
-- the store inside the same statement that checks the expected version, so
-- it is not done here.
CREATE FUNCTION touch_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;

-- haversine_km is the great-circle distance between two points in
-- kilometres. Good to a few metres at city scale, which is all "near me" needs.
CREATE FUNCTION haversine_km(lat1 double precision, lon1 double precision,
                             lat2 double precision, lon2 double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT 2 * 6371.0088 * asin(sqrt(
        power(sin(radians(lat2 - lat1) / 2), 2) +
        cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2)))
$$;

CREATE TABLE institutions (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name                text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    short_name          text CHECK (length(btrim(short_name)) BETWEEN 1 AND 60),
    kind                text NOT NULL CHECK (kind IN (
                            'HIGHER_EDUCATION_PROVIDER', 'FURTHER_EDUCATION_COLLEGE',
                            'NHS_TRUST', 'INTEGRATED_CARE_BOARD', 'PRIMARY_CARE_NETWORK',
                            'GP_PRACTICE', 'NHS_NATIONAL_SERVICE', 'LOCAL_AUTHORITY', 'CHARITY',
                            'STUDENTS_UNION', 'ACADEMIC_HEALTH_SCIENCE_NETWORK')),
    description         text CHECK (length(description) <= 4000),
    website             text CHECK (website ~ '^https?://[^\s]+$' AND length(website) <= 500),
    -- UK Register of Learning Providers number: 8 digits starting with 1.
    ukprn               text UNIQUE CHECK (ukprn ~ '^1[0-9]{7}$'),
    -- NHS Organisation Data Service code: 3 to 6 upper-case letters and digits.
    ods_code            text UNIQUE CHECK (ods_code ~ '^[A-Z0-9]{3,6}$'),
    -- Charity number: England and Wales (6-7 digits), Scotland (SC), Northern Ireland (NIC).
    charity_number      text UNIQUE CHECK (charity_number ~ '^([0-9]{6,7}|SC[0-9]{6}|NIC[0-9]{6})$'),
    region              text CHECK (region IN (
                            'NORTH_EAST_AND_YORKSHIRE', 'NORTH_WEST', 'MIDLANDS',
                            'EAST_OF_ENGLAND', 'LONDON', 'SOUTH_EAST', 'SOUTH_WEST')),
    student_population  integer CHECK (student_population BETWEEN 0 AND 2000000),
    international_share numeric(4, 3) CHECK (international_share BETWEEN 0 AND 1),
    distance_teaching   boolean,
    retired_at          timestamptz,
    retired_reason      text,
    version             integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    -- Only education providers have students.
    CONSTRAINT institutions_education_fields CHECK (
        kind IN ('HIGHER_EDUCATION_PROVIDER', 'FURTHER_EDUCATION_COLLEGE')
        OR (student_population IS NULL AND international_share IS NULL AND distance_teaching IS NULL)),
    -- UKPRNs belong to education providers and ODS codes to NHS bodies.
    CONSTRAINT institutions_ukprn_kind CHECK (
        ukprn IS NULL OR kind IN ('HIGHER_EDUCATION_PROVIDER', 'FURTHER_EDUCATION_COLLEGE')),
    CONSTRAINT institutions_ods_kind CHECK (
        ods_code IS NULL OR kind IN ('NHS_TRUST', 'INTEGRATED_CARE_BOARD', 'PRIMARY_CARE_NETWORK',
                                     'GP_PRACTICE', 'NHS_NATIONAL_SERVICE', 'LOCAL_AUTHORITY'))
);
CREATE TRIGGER institutions_touch BEFORE UPDATE ON institutions FOR EACH ROW EXECUTE FUNCTION touch_row();
CREATE INDEX institutions_name_idx ON institutions (lower(name), id);
CREATE INDEX institutions_name_trgm ON institutions USING gin (name gin_trgm_ops);

CREATE TABLE sites (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    institution_id uuid NOT NULL REFERENCES institutions (id),
    name           text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    address        text CHECK (length(address) <= 500),
    postcode       text CHECK (postcode ~ '^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$'),
    latitude       double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude      double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    retired_at     timestamptz,
    version        integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, institution_id)
);
CREATE TRIGGER sites_touch BEFORE UPDATE ON sites FOR EACH ROW EXECUTE FUNCTION touch_row();
CREATE INDEX sites_institution_idx ON sites (institution_id);

CREATE TABLE partnerships (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name            text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    description     text CHECK (length(description) <= 4000),
    region          text CHECK (region IN (
                        'NORTH_EAST_AND_YORKSHIRE', 'NORTH_WEST', 'MIDLANDS',
                        'EAST_OF_ENGLAND', 'LONDON', 'SOUTH_EAST', 'SOUTH_WEST')),
    shared_outcomes text[] NOT NULL DEFAULT '{}',
    retired_at      timestamptz,
    retired_reason  text,
    version         integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER partnerships_touch BEFORE UPDATE ON partnerships FOR EACH ROW EXECUTE FUNCTION touch_row();

CREATE TABLE partnership_members (
    partnership_id uuid NOT NULL REFERENCES partnerships (id),
    institution_id uuid NOT NULL REFERENCES institutions (id),
    -- What the member does in the partnership, in plain words ("NHS mental health trust").
    role           text NOT NULL CHECK (length(btrim(role)) BETWEEN 1 AND 200),
    joined_on      date,
    version        integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (partnership_id, institution_id)
);
CREATE TRIGGER partnership_members_touch BEFORE UPDATE ON partnership_members FOR EACH ROW EXECUTE FUNCTION touch_row();
CREATE INDEX partnership_members_institution_idx ON partnership_members (institution_id);

CREATE TABLE governance_forums (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partnership_id      uuid NOT NULL REFERENCES partnerships (id),
    name                text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    purpose             text CHECK (length(purpose) <= 2000),
    cadence             text NOT NULL CHECK (cadence IN (
                            'WEEKLY', 'FORTNIGHTLY', 'MONTHLY', 'BI_MONTHLY', 'QUARTERLY',
                            'TWICE_YEARLY', 'ANNUALLY', 'AS_NEEDED')),
    how_to_bring_a_case text CHECK (length(how_to_bring_a_case) <= 2000),
    retired_at          timestamptz,
    version             integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (partnership_id, name)
);
CREATE TRIGGER governance_forums_touch BEFORE UPDATE ON governance_forums FOR EACH ROW EXECUTE FUNCTION touch_row();

CREATE TABLE services (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    institution_id        uuid NOT NULL REFERENCES institutions (id),
    site_id               uuid,
    name                  text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    description           text NOT NULL CHECK (length(btrim(description)) BETWEEN 1 AND 4000),
    category              text NOT NULL CHECK (category IN (
                              'ADVICE', 'COUNSELLING', 'PSYCHOLOGICAL_THERAPY', 'LIAISON', 'DROP_IN',
                              'CRISIS', 'HELPLINE', 'GP', 'COMMUNITY_MENTAL_HEALTH_TEAM', 'INPATIENT',
                              'PEER_SUPPORT', 'DISABILITY_SUPPORT', 'APP', 'URGENT_CARE',
                              'RESIDENTIAL_SUPPORT', 'CRISIS_TEAM', 'MULTIDISCIPLINARY_TEAM')),
    needs                 text[] NOT NULL DEFAULT '{}' CHECK (needs <@ ARRAY[
                              'SELF_HARM', 'SUICIDAL_THOUGHTS', 'LOW_MOOD', 'ANXIETY', 'EATING_DISORDER',
                              'PSYCHOSIS', 'LONELINESS', 'FINANCIAL_STRESS', 'RELATIONSHIPS',
                              'NEURODIVERGENCE', 'TRANSITION_FROM_CAMHS', 'INTERNATIONAL_STUDENT_ADVICE',
                              'REGISTERING_WITH_GP', 'SUBSTANCE_USE', 'BEREAVEMENT', 'TRAUMA',
                              'SEXUAL_VIOLENCE', 'STUDY_STRESS']::text[]),
    -- Stepped-care level after NICE: 1 self-help and wellbeing ... 5 crisis and inpatient.
    care_level            smallint NOT NULL CHECK (care_level BETWEEN 1 AND 5),
    access_routes         text[] NOT NULL CHECK (cardinality(access_routes) >= 1 AND access_routes <@ ARRAY[
                              'SELF_REFERRAL', 'UNIVERSITY_REFERRAL', 'GP_REFERRAL', 'NHS_REFERRAL',
                              'URGENT_CARE', 'WALK_IN']::text[]),
    how_to_access         text CHECK (length(how_to_access) <= 2000),
    eligibility           text CHECK (length(eligibility) <= 2000),
    min_age               smallint CHECK (min_age BETWEEN 0 AND 120),
    max_age               smallint CHECK (max_age BETWEEN 0 AND 120),
    area                  text CHECK (length(area) <= 200),
    open_24_7             boolean NOT NULL DEFAULT false,
    out_of_hours          text CHECK (length(out_of_hours) <= 1000),
    out_of_hours_service_id uuid REFERENCES services (id),
    delivery_modes        text[] NOT NULL DEFAULT '{}' CHECK (delivery_modes <@ ARRAY[
                              'ON_CAMPUS', 'IN_PERSON', 'ONLINE', 'PHONE', 'TEXT']::text[]),
    what_to_expect        text CHECK (length(what_to_expect) <= 2000),
    typical_sessions      smallint CHECK (typical_sessions BETWEEN 1 AND 100),
    expected_wait_days    integer CHECK (expected_wait_days BETWEEN 0 AND 730),
    -- Who may see the service: a professional forum such as an MDT is not
    -- for the student signposting app.
    visibility            text NOT NULL DEFAULT 'PUBLIC' CHECK (visibility IN ('PUBLIC', 'PROFESSIONAL', 'PARTNERSHIP')),
    capacity_status       text NOT NULL DEFAULT 'OPEN' CHECK (capacity_status IN (
                              'OPEN', 'WAITING_LIST', 'CLOSED_TO_REFERRALS')),
    website               text CHECK (website ~ '^https?://[^\s]+$' AND length(website) <= 500),
    phone                 text CHECK (phone ~ '^[0-9 +]{3,20}$'),
    text_number           text CHECK (text_number ~ '^[0-9 +]{3,20}$'),
    email                 text CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND length(email) <= 254),
    last_reviewed_on      date,
    retired_at            timestamptz,
    retired_reason        text,
    version               integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    -- The name folded to lower-case letters and digits, so "ucope" finds "U-COPE".
    name_key              text GENERATED ALWAYS AS (regexp_replace(lower(name), '[^a-z0-9]', '', 'g')) STORED,
    search                tsvector GENERATED ALWAYS AS (
                              setweight(to_tsvector('english', name), 'A') ||
                              setweight(to_tsvector('english', description), 'B') ||
                              setweight(to_tsvector('english', coalesce(what_to_expect, '')), 'C')) STORED,
    CONSTRAINT services_site_same_institution FOREIGN KEY (site_id, institution_id)
        REFERENCES sites (id, institution_id),
    CONSTRAINT services_age_range CHECK (min_age IS NULL OR max_age IS NULL OR min_age <= max_age),
    CONSTRAINT services_out_of_hours_not_self CHECK (out_of_hours_service_id <> id)
);
CREATE TRIGGER services_touch BEFORE UPDATE ON services FOR EACH ROW EXECUTE FUNCTION touch_row();
CREATE INDEX services_institution_idx ON services (institution_id);
CREATE INDEX services_name_idx ON services (lower(name), id);
CREATE INDEX services_search_idx ON services USING gin (search);
CREATE INDEX services_name_trgm ON services USING gin (name gin_trgm_ops);
CREATE INDEX services_name_key_trgm ON services USING gin (name_key gin_trgm_ops);
CREATE INDEX services_needs_idx ON services USING gin (needs);

-- Institutions other than the provider that run a service jointly with it.
CREATE TABLE service_partners (
    service_id     uuid NOT NULL REFERENCES services (id),
    institution_id uuid NOT NULL REFERENCES institutions (id),
    PRIMARY KEY (service_id, institution_id)
);
CREATE INDEX service_partners_institution_idx ON service_partners (institution_id);

-- Whose students (or, for a GP practice, whose registered patients) may use
-- a service. No rows means open to anyone the eligibility text allows.
CREATE TABLE service_eligible_institutions (
    service_id     uuid NOT NULL REFERENCES services (id),
    institution_id uuid NOT NULL REFERENCES institutions (id),
    PRIMARY KEY (service_id, institution_id)
);

-- Weekly opening hours in UK local time; ISO day of week (1 Monday .. 7 Sunday).
-- A service open past midnight has two rows.
CREATE TABLE service_opening_hours (
    service_id  uuid NOT NULL REFERENCES services (id),
    day_of_week smallint NOT NULL CHECK (day_of_week BETWEEN 1 AND 7),
    opens       time NOT NULL,
    closes      time NOT NULL,
    CHECK (opens < closes),
    PRIMARY KEY (service_id, day_of_week, opens),
    EXCLUDE USING gist (service_id WITH =, day_of_week WITH =, tsrange('2000-01-01'::date + opens, '2000-01-01'::date + closes) WITH &&)
);

CREATE TABLE contact_points (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    institution_id      uuid NOT NULL REFERENCES institutions (id),
    service_id          uuid REFERENCES services (id),
    purpose             text NOT NULL CHECK (purpose IN (
                            'URGENT_CARE_NOTIFICATION', 'DISCHARGE_NOTIFICATION', 'MDT_REFERRAL',
                            'SAFEGUARDING', 'STUDENT_LIAISON', 'DISABILITY_SUPPORT',
                            'FITNESS_TO_STUDY', 'INTERNATIONAL_STUDENT_ADVICE',
                            'PARTNERSHIP_LEAD', 'GENERAL_ENQUIRIES')),
    -- A TEAM is a role mailbox or duty line; a PERSON is a named member of staff.
    kind                text NOT NULL CHECK (kind IN ('TEAM', 'PERSON')),
    name                text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    job_title           text CHECK (length(job_title) <= 200),
    visibility          text NOT NULL CHECK (visibility IN ('PUBLIC', 'PROFESSIONAL', 'PARTNERSHIP')),
    email               text CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND length(email) <= 254),
    phone               text CHECK (phone ~ '^[0-9 +]{3,20}$'),
    hours               text CHECK (length(hours) <= 500),
    out_of_hours_phone  text CHECK (out_of_hours_phone ~ '^[0-9 +]{3,20}$'),
    out_of_hours_email  text CHECK (out_of_hours_email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    out_of_hours_instructions text CHECK (length(out_of_hours_instructions) <= 1000),
    notes               text CHECK (length(notes) <= 2000),
    deputy_id           uuid,
    valid_from          date NOT NULL DEFAULT current_date,
    valid_to            date,
    successor_id        uuid REFERENCES contact_points (id),
    last_verified_at    timestamptz,
    retired_at          timestamptz,
    retired_reason      text,
    version             integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, institution_id),
    -- Somebody must be reachable: at least one in-hours channel.
    CONSTRAINT contact_points_reachable CHECK (email IS NOT NULL OR phone IS NOT NULL),
    CONSTRAINT contact_points_validity CHECK (valid_to IS NULL OR valid_to >= valid_from),
    -- A deputy works at the same institution and is not the contact itself.
    CONSTRAINT contact_points_deputy_same_institution FOREIGN KEY (deputy_id, institution_id)
        REFERENCES contact_points (id, institution_id),
    CONSTRAINT contact_points_deputy_not_self CHECK (deputy_id <> id),
    CONSTRAINT contact_points_successor_not_self CHECK (successor_id <> id),
    -- Only someone leaving post (valid_to set) hands over to a successor.
    CONSTRAINT contact_points_successor_needs_end CHECK (successor_id IS NULL OR valid_to IS NOT NULL)
);
CREATE TRIGGER contact_points_touch BEFORE UPDATE ON contact_points FOR EACH ROW EXECUTE FUNCTION touch_row();
CREATE INDEX contact_points_institution_purpose_idx ON contact_points (institution_id, purpose);
CREATE INDEX contact_points_service_idx ON contact_points (service_id);
