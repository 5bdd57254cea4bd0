package store

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// The database is the last line, not the first: Go validation checks every
// rule below before a statement runs. When one is still broken (two edits
// at the same moment, or a rule Go does not know yet), dbError turns the
// violation into an *InputError naming the field in GraphQL terms with a
// sentence a person understands, and never repeats a constraint, table or
// column name. TestEveryConstraintIsMapped fails when a migration adds a
// constraint without an entry here.

// constraintRule is what breaking one constraint means to the caller.
type constraintRule struct {
	field   string // input path, e.g. "input.ukprn"; "" when no one field is at fault
	message string // completes "<field>: …"
}

// Messages shared by many constraints.
const (
	msgTooLong     = "is too long"
	msgNotAllowed  = "is not one of the values allowed here" // replaced by the list of allowedValues
	msgRequired    = "is required and must not be blank"
	msgRetry       = "someone else changed this at the same moment: reload it and try again"
	msgPhone       = "is not a phone number: digits, spaces and + only"
	msgEmail       = "is not an e-mail address like name@example.ac.uk"
	msgWebsite     = "is not a web address starting https://"
	msgNoRecord    = "is not a record in the directory"
	msgInternalRow = "could not be saved: a record it depends on changed at the same moment; reload and try again"
)

// constraints maps every constraint and unique index of the schema (see
// migrations/*.sql) to its rule.
var constraints = map[string]constraintRule{
	// institutions
	"institutions_pkey":                      {"", msgRetry},
	"institutions_ukprn_key":                 {"input.ukprn", "is already the UKPRN of another institution in the directory (a retired one keeps its UKPRN)"},
	"institutions_ods_code_key":              {"input.odsCode", "is already the ODS code of another institution in the directory (a retired one keeps its code)"},
	"institutions_charity_number_key":        {"input.charityNumber", "is already the charity number of another institution in the directory (a retired one keeps its number)"},
	"institutions_name_check":                {"input.name", msgRequired + ", at most 200 characters"},
	"institutions_short_name_check":          {"input.shortName", "must not be blank and at most 60 characters"},
	"institutions_description_check":         {"input.description", msgTooLong + " (at most 4000 characters)"},
	"institutions_website_check":             {"input.website", msgWebsite},
	"institutions_ukprn_check":               {"input.ukprn", "is not a UKPRN: 8 digits starting with 1"},
	"institutions_ods_code_check":            {"input.odsCode", "is not an ODS code: 3 to 6 letters and digits"},
	"institutions_charity_number_check":      {"input.charityNumber", "is not a charity number (6 or 7 digits, SC or NIC and 6 digits)"},
	"institutions_kind_check":                {"input.kind", msgNotAllowed},
	"institutions_region_check":              {"input.region", msgNotAllowed},
	"institutions_student_population_check":  {"input.studentPopulation", "must be between 0 and 2000000"},
	"institutions_international_share_check": {"input.internationalShare", "must be between 0 and 1 (a share, not a percentage)"},
	"institutions_version_check":             {"", msgRetry},
	"institutions_education_fields":          {"input.studentPopulation", "student numbers and distance teaching are for education providers only"},
	"institutions_ukprn_kind":                {"input.ukprn", "is for education providers only"},
	"institutions_ods_kind":                  {"input.odsCode", "is for NHS bodies and local authorities only"},

	// sites
	"sites_pkey":                  {"", msgRetry},
	"sites_id_institution_id_key": {"", msgRetry},
	"sites_institution_id_fkey":   {"input.institutionId", msgNoRecord},
	"sites_name_check":            {"input.name", msgRequired + ", at most 200 characters"},
	"sites_address_check":         {"input.address", msgTooLong + " (at most 500 characters)"},
	"sites_postcode_check":        {"input.postcode", "is not a UK postcode like L3 5UX"},
	"sites_latitude_check":        {"input.latitude", "must be between -90 and 90"},
	"sites_longitude_check":       {"input.longitude", "must be between -180 and 180"},
	"sites_version_check":         {"", msgRetry},

	// partnerships and their members
	"partnerships_pkey":                       {"", msgRetry},
	"partnerships_name_key":                   {"input.name", "is already the name of another partnership (a retired one keeps its name)"},
	"partnerships_name_check":                 {"input.name", msgRequired + ", at most 200 characters"},
	"partnerships_description_check":          {"input.description", msgTooLong + " (at most 4000 characters)"},
	"partnerships_region_check":               {"input.region", msgNotAllowed},
	"partnerships_version_check":              {"", msgRetry},
	"partnership_members_pkey":                {"institutionId", "is already a member of this partnership"},
	"partnership_members_partnership_id_fkey": {"partnershipId", msgNoRecord},
	"partnership_members_institution_id_fkey": {"institutionId", msgNoRecord},
	"partnership_members_role_check":          {"role", msgRequired + ", at most 200 characters"},
	"partnership_members_version_check":       {"", msgRetry},

	// governance forums
	"governance_forums_pkey":                      {"", msgRetry},
	"governance_forums_partnership_id_name_key":   {"input.name", "is already the name of another forum of this partnership"},
	"governance_forums_partnership_id_fkey":       {"input.partnershipId", msgNoRecord},
	"governance_forums_name_check":                {"input.name", msgRequired + ", at most 200 characters"},
	"governance_forums_purpose_check":             {"input.purpose", msgTooLong + " (at most 2000 characters)"},
	"governance_forums_how_to_bring_a_case_check": {"input.howToBringACase", msgTooLong + " (at most 2000 characters)"},
	"governance_forums_cadence_check":             {"input.cadence", msgNotAllowed},
	"governance_forums_version_check":             {"", msgRetry},

	// services
	"services_pkey":                                             {"", msgRetry},
	"services_institution_id_fkey":                              {"input.institutionId", msgNoRecord},
	"services_site_same_institution":                            {"input.siteId", "must be a site of the institution that provides the service"},
	"services_out_of_hours_service_id_fkey":                     {"input.outOfHoursServiceId", msgNoRecord},
	"services_out_of_hours_not_self":                            {"input.outOfHoursServiceId", "must be another service, not this one"},
	"services_name_check":                                       {"input.name", msgRequired + ", at most 200 characters"},
	"services_description_check":                                {"input.description", msgRequired + ", at most 4000 characters"},
	"services_how_to_access_check":                              {"input.howToAccess", msgTooLong + " (at most 2000 characters)"},
	"services_eligibility_check":                                {"input.eligibility", msgTooLong + " (at most 2000 characters)"},
	"services_area_check":                                       {"input.area", msgTooLong + " (at most 200 characters)"},
	"services_out_of_hours_check":                               {"input.outOfHours", msgTooLong + " (at most 1000 characters)"},
	"services_what_to_expect_check":                             {"input.whatToExpect", msgTooLong + " (at most 2000 characters)"},
	"services_website_check":                                    {"input.website", msgWebsite},
	"services_phone_check":                                      {"input.phone", msgPhone},
	"services_text_number_check":                                {"input.textNumber", msgPhone},
	"services_email_check":                                      {"input.email", msgEmail},
	"services_category_check":                                   {"input.category", msgNotAllowed},
	"services_needs_check":                                      {"input.needs", msgNotAllowed},
	"services_access_routes_check":                              {"input.accessRoutes", "needs at least one way in, each one of the values allowed here"},
	"services_delivery_modes_check":                             {"input.deliveryModes", msgNotAllowed},
	"services_capacity_status_check":                            {"input.capacityStatus", msgNotAllowed},
	"services_visibility_check":                                 {"input.visibility", msgNotAllowed},
	"services_care_level_check":                                 {"input.careLevel", "must be between 1 and 5"},
	"services_min_age_check":                                    {"input.minAge", "must be between 0 and 120"},
	"services_max_age_check":                                    {"input.maxAge", "must be between 0 and 120"},
	"services_age_range":                                        {"input.maxAge", "must not be below minAge"},
	"services_typical_sessions_check":                           {"input.typicalSessions", "must be between 1 and 100"},
	"services_expected_wait_days_check":                         {"input.expectedWaitDays", "must be between 0 and 730"},
	"services_version_check":                                    {"", msgRetry},
	"service_partners_pkey":                                     {"input.partnerIds", "names the same institution twice"},
	"service_partners_service_id_fkey":                          {"", msgInternalRow},
	"service_partners_institution_id_fkey":                      {"input.partnerIds", "includes an ID that is not an institution in the directory"},
	"service_eligible_institutions_pkey":                        {"input.eligibleInstitutionIds", "names the same institution twice"},
	"service_eligible_institutions_service_id_fkey":             {"", msgInternalRow},
	"service_eligible_institutions_institution_id_fkey":         {"input.eligibleInstitutionIds", "includes an ID that is not an institution in the directory"},
	"service_opening_hours_pkey":                                {"input.openingHours", "has two periods opening at the same time on the same day"},
	"service_opening_hours_service_id_fkey":                     {"", msgInternalRow},
	"service_opening_hours_check":                               {"input.openingHours", "has a period that closes before it opens"},
	"service_opening_hours_day_of_week_check":                   {"input.openingHours", "has a day that is not a day of the week"},
	"service_opening_hours_service_id_day_of_week_tsrange_excl": {"input.openingHours", "has periods that overlap on the same day"},

	// contact points
	"contact_points_pkey":                            {"", msgRetry},
	"contact_points_id_institution_id_key":           {"", msgRetry},
	"contact_points_institution_id_fkey":             {"input.institutionId", msgNoRecord},
	"contact_points_service_id_fkey":                 {"input.serviceId", msgNoRecord},
	"contact_points_successor_id_fkey":               {"successorId", msgNoRecord},
	"contact_points_deputy_same_institution":         {"input.deputyId", "must be a contact point at the same institution"},
	"contact_points_successor_same_institution":      {"successorId", "must be a contact point at the same institution"},
	"contact_points_deputy_not_self":                 {"input.deputyId", "must be someone else: a contact cannot deputise for themselves"},
	"contact_points_successor_not_self":              {"successorId", "must be someone else: a contact cannot succeed themselves"},
	"contact_points_successor_needs_end":             {"successorId", "needs an end date (validTo) for the contact it succeeds"},
	"contact_points_validity":                        {"input.validFrom", "must not be after validTo"},
	"contact_points_reachable":                       {"input.email", "give an e-mail address or a phone number (or both), so that someone can be reached"},
	"contact_points_name_check":                      {"input.name", msgRequired + ", at most 200 characters"},
	"contact_points_job_title_check":                 {"input.jobTitle", msgTooLong + " (at most 200 characters)"},
	"contact_points_email_check":                     {"input.email", msgEmail},
	"contact_points_out_of_hours_email_check":        {"input.outOfHoursEmail", msgEmail},
	"contact_points_phone_check":                     {"input.phone", msgPhone},
	"contact_points_out_of_hours_phone_check":        {"input.outOfHoursPhone", msgPhone},
	"contact_points_hours_check":                     {"input.hours", msgTooLong + " (at most 500 characters)"},
	"contact_points_out_of_hours_instructions_check": {"input.outOfHoursInstructions", msgTooLong + " (at most 1000 characters)"},
	"contact_points_notes_check":                     {"input.notes", msgTooLong + " (at most 2000 characters)"},
	"contact_points_kind_check":                      {"input.kind", msgNotAllowed},
	"contact_points_purpose_check":                   {"input.purpose", msgNotAllowed},
	"contact_points_visibility_check":                {"input.visibility", msgNotAllowed},
	"contact_points_version_check":                   {"", msgRetry},

	// areas of care and thresholds
	"responsibility_areas_pkey":                            {"", msgRetry},
	"responsibility_areas_name_key":                        {"input.name", "is already the name of another area of care"},
	"responsibility_areas_name_check":                      {"input.name", msgRequired + ", at most 300 characters"},
	"responsibility_areas_description_check":               {"input.description", msgTooLong + " (at most 2000 characters)"},
	"responsibility_areas_reference_placement_check":       {"input.referencePlacement", msgNotAllowed},
	"responsibility_areas_reference_source_check":          {"input.referenceSource", msgTooLong + " (at most 500 characters)"},
	"responsibility_areas_version_check":                   {"", msgRetry},
	"thresholds_pkey":                                      {"", msgRetry},
	"thresholds_partnership_id_area_id_key":                {"areaId", "already has a threshold in this partnership: edit that one"},
	"thresholds_partnership_id_fkey":                       {"partnershipId", msgNoRecord},
	"thresholds_area_id_fkey":                              {"areaId", msgNoRecord},
	"thresholds_version_check":                             {"", msgRetry},
	"threshold_versions_pkey":                              {"", msgRetry},
	"threshold_versions_threshold_id_fkey":                 {"", msgInternalRow},
	"threshold_versions_threshold_id_number_key":           {"", msgRetry},
	"threshold_versions_one_agreed":                        {"", msgRetry},
	"threshold_versions_one_pending":                       {"", "already has a version pending: edit or withdraw that one first"},
	"threshold_versions_check":                             {"", msgRetry},
	"threshold_versions_check1":                            {"", msgRetry},
	"threshold_versions_check2":                            {"", msgRetry},
	"threshold_versions_number_check":                      {"", msgRetry},
	"threshold_versions_status_check":                      {"", msgRetry},
	"threshold_versions_responsible_party_check":           {"input.responsibleParty", msgNotAllowed},
	"threshold_versions_collaboration_check":               {"input.collaboration", msgTooLong + " (at most 4000 characters)"},
	"threshold_versions_escalation_check":                  {"input.escalation", msgTooLong + " (at most 4000 characters)"},
	"threshold_versions_step_down_check":                   {"input.stepDown", msgTooLong + " (at most 4000 characters)"},
	"threshold_versions_withdrawn_reason_check":            {"reason", msgTooLong + " (at most 2000 characters)"},
	"threshold_version_services_pkey":                      {"input.nhsServiceIds", "names the same service twice (or on both sides)"},
	"threshold_version_services_threshold_version_id_fkey": {"", msgInternalRow},
	"threshold_version_services_service_id_fkey":           {"input.nhsServiceIds", "includes an ID that is not a service in the directory"},
	"threshold_version_services_side_check":                {"", msgInternalRow},
	"threshold_signoffs_pkey":                              {"", msgRetry},
	"threshold_signoffs_threshold_version_id_fkey":         {"", msgInternalRow},
	"threshold_signoffs_institution_id_fkey":               {"", msgInternalRow},
	"threshold_signoffs_one_per_side":                      {"", "this side has already signed off this version"},
	"threshold_signoffs_side_check":                        {"", msgInternalRow},

	// sharing agreements and pathways
	"sharing_agreements_pkey":                       {"", msgRetry},
	"sharing_agreements_partnership_id_fkey":        {"input.partnershipId", msgNoRecord},
	"sharing_agreements_name_check":                 {"input.name", msgRequired + ", at most 300 characters"},
	"sharing_agreements_lawful_basis_check":         {"input.lawfulBasis", msgNotAllowed},
	"sharing_agreements_lawful_basis_detail_check":  {"input.lawfulBasisDetail", msgTooLong + " (at most 2000 characters)"},
	"sharing_agreements_scope_of_data_check":        {"input.scopeOfData", msgTooLong + " (at most 4000 characters)"},
	"sharing_agreements_status_check":               {"input.status", "must be one of DRAFT, ACTIVE, EXPIRED, WITHDRAWN"},
	"sharing_agreements_check":                      {"input.reviewOn", "must not be before signedOn"},
	"sharing_agreements_check1":                     {"input.lawfulBasisDetail", "is required when the lawful basis is OTHER"},
	"sharing_agreements_version_check":              {"", msgRetry},
	"sharing_agreement_parties_pkey":                {"input.partyIds", "names the same institution twice"},
	"sharing_agreement_parties_agreement_id_fkey":   {"", msgInternalRow},
	"sharing_agreement_parties_institution_id_fkey": {"input.partyIds", "includes an ID that is not an institution in the directory"},
	"pathways_pkey":                                 {"", msgRetry},
	"pathways_partnership_id_name_key":              {"input.name", "is already the name of another pathway of this partnership"},
	"pathways_partnership_id_fkey":                  {"input.partnershipId", msgNoRecord},
	"pathways_name_check":                           {"input.name", msgRequired + ", at most 300 characters"},
	"pathways_description_check":                    {"input.description", msgTooLong + " (at most 4000 characters)"},
	"pathways_version_check":                        {"", msgRetry},
	"pathway_steps_pkey":                            {"", msgRetry},
	"pathway_steps_pathway_id_fkey":                 {"input.pathwayId", msgNoRecord},
	"pathway_steps_from_service_id_fkey":            {"input.fromServiceId", msgNoRecord},
	"pathway_steps_to_service_id_fkey":              {"input.toServiceId", msgNoRecord},
	"pathway_steps_agreement_id_fkey":               {"input.agreementId", msgNoRecord},
	"pathway_steps_check":                           {"input.toServiceId", "must be another service than fromServiceId"},
	"pathway_steps_check1":                          {"input.maxUrgency", "must not be below minUrgency"},
	"pathway_steps_situation_check":                 {"input.situation", msgNotAllowed},
	"pathway_steps_consents_check":                  {"input.consents", "needs at least one value, each one of the values allowed here"},
	"pathway_steps_min_urgency_check":               {"input.minUrgency", msgNotAllowed},
	"pathway_steps_max_urgency_check":               {"input.maxUrgency", msgNotAllowed},
	"pathway_steps_what_to_send_check":              {"input.whatToSend", msgNotAllowed},
	"pathway_steps_channel_check":                   {"input.channel", msgNotAllowed},
	"pathway_steps_receiving_purpose_check":         {"input.receivingPurpose", msgNotAllowed},
	"pathway_steps_eligibility_check":               {"input.eligibility", msgTooLong + " (at most 1000 characters)"},
	"pathway_steps_protocol_notes_check":            {"input.protocolNotes", msgTooLong + " (at most 2000 characters)"},
	"pathway_steps_student_expectation_check":       {"input.studentExpectation", msgTooLong + " (at most 2000 characters)"},
	"pathway_steps_first_contact_days_check":        {"input.firstContactWithinDays", "must be between 0 and 365"},
	"pathway_steps_sessions_check":                  {"input.sessions", "must be between 1 and 100"},
	"pathway_steps_time_limit_hours_check":          {"input.timeLimitHours", "must be between 0 and 8760"},
	"pathway_steps_version_check":                   {"", msgRetry},

	// the audit log (written with every edit, from the caller's token)
	"audit_log_pkey":                {"", msgRetry},
	"audit_log_actor_subject_check": {"", "could not be recorded: the sign-in token's subject must be 1 to 500 characters"},
	"audit_log_actor_name_check":    {"", "could not be recorded: the name in the sign-in token must be at most 500 characters"},
	"audit_log_actor_role_check":    {"", "could not be recorded: the sign-in token's role is not one Waymark knows"},
	"audit_log_reason_check":        {"reason", msgTooLong + " (at most 2000 characters)"},
	"audit_log_action_check":        {"", msgInternalRow},
	"audit_log_entity_type_check":   {"", msgInternalRow},
	"audit_log_version_check":       {"", msgRetry},
}

// allowedValues are the values each enum-like CHECK allows, exactly as the
// migration lists them (TestEnumChecksListAllowedValues compares them with
// the database): a violation names the field and these values.
var allowedValues = map[string][]string{
	"contact_points_kind_check":                      {"TEAM", "PERSON"},
	"contact_points_purpose_check":                   {"URGENT_CARE_NOTIFICATION", "DISCHARGE_NOTIFICATION", "MDT_REFERRAL", "SAFEGUARDING", "STUDENT_LIAISON", "DISABILITY_SUPPORT", "FITNESS_TO_STUDY", "INTERNATIONAL_STUDENT_ADVICE", "PARTNERSHIP_LEAD", "GENERAL_ENQUIRIES"},
	"contact_points_visibility_check":                {"PUBLIC", "PROFESSIONAL", "PARTNERSHIP"},
	"governance_forums_cadence_check":                {"WEEKLY", "FORTNIGHTLY", "MONTHLY", "BI_MONTHLY", "QUARTERLY", "TWICE_YEARLY", "ANNUALLY", "AS_NEEDED"},
	"institutions_kind_check":                        {"HIGHER_EDUCATION_PROVIDER", "FURTHER_EDUCATION_COLLEGE", "NHS_TRUST", "INTEGRATED_CARE_BOARD", "PRIMARY_CARE_NETWORK", "GP_PRACTICE", "NHS_NATIONAL_SERVICE", "LOCAL_AUTHORITY", "CHARITY", "STUDENTS_UNION", "ACADEMIC_HEALTH_SCIENCE_NETWORK"},
	"institutions_region_check":                      {"NORTH_EAST_AND_YORKSHIRE", "NORTH_WEST", "MIDLANDS", "EAST_OF_ENGLAND", "LONDON", "SOUTH_EAST", "SOUTH_WEST"},
	"partnerships_region_check":                      {"NORTH_EAST_AND_YORKSHIRE", "NORTH_WEST", "MIDLANDS", "EAST_OF_ENGLAND", "LONDON", "SOUTH_EAST", "SOUTH_WEST"},
	"pathway_steps_channel_check":                    {"SECURE_EMAIL", "PHONE", "SHARED_RECORD", "REFERRAL_FORM", "IN_PERSON", "STUDENT_SELF_REFERS"},
	"pathway_steps_consents_check":                   {"GIVEN", "REFUSED", "NOT_ASKED", "LACKS_CAPACITY"},
	"pathway_steps_max_urgency_check":                {"ROUTINE", "SOON", "URGENT", "EMERGENCY"},
	"pathway_steps_min_urgency_check":                {"ROUTINE", "SOON", "URGENT", "EMERGENCY"},
	"pathway_steps_receiving_purpose_check":          {"URGENT_CARE_NOTIFICATION", "DISCHARGE_NOTIFICATION", "MDT_REFERRAL", "SAFEGUARDING", "STUDENT_LIAISON", "DISABILITY_SUPPORT", "FITNESS_TO_STUDY", "INTERNATIONAL_STUDENT_ADVICE", "PARTNERSHIP_LEAD", "GENERAL_ENQUIRIES"},
	"pathway_steps_situation_check":                  {"PRESENTS_AT_URGENT_CARE", "DISCHARGED_FROM_INPATIENT_CARE", "CRISIS_TEAM_CONTACT", "ON_NHS_WAITING_LIST", "TRANSITION_FROM_CAMHS", "RETURNING_HOME_OUT_OF_TERM", "RETURNING_TO_STUDY", "CONCERN_RAISED_AT_UNIVERSITY"},
	"pathway_steps_what_to_send_check":               {"RISK_MANAGEMENT_PLAN", "DISCHARGE_SUMMARY", "SAFETY_PLAN", "REASONABLE_ADJUSTMENTS", "REFERRAL_LETTER", "CONTACT_DETAILS", "ASSESSMENT", "CARE_PLAN"},
	"responsibility_areas_reference_placement_check": {"NHS", "UNCLEAR", "HEP", "STUDENT"},
	"services_access_routes_check":                   {"SELF_REFERRAL", "UNIVERSITY_REFERRAL", "GP_REFERRAL", "NHS_REFERRAL", "URGENT_CARE", "WALK_IN"},
	"services_capacity_status_check":                 {"OPEN", "WAITING_LIST", "CLOSED_TO_REFERRALS"},
	"services_category_check":                        {"ADVICE", "COUNSELLING", "PSYCHOLOGICAL_THERAPY", "LIAISON", "DROP_IN", "CRISIS", "HELPLINE", "GP", "COMMUNITY_MENTAL_HEALTH_TEAM", "INPATIENT", "PEER_SUPPORT", "DISABILITY_SUPPORT", "APP", "URGENT_CARE", "RESIDENTIAL_SUPPORT", "CRISIS_TEAM", "MULTIDISCIPLINARY_TEAM"},
	"services_delivery_modes_check":                  {"ON_CAMPUS", "IN_PERSON", "ONLINE", "PHONE", "TEXT"},
	"services_needs_check":                           {"SELF_HARM", "SUICIDAL_THOUGHTS", "LOW_MOOD", "ANXIETY", "EATING_DISORDER", "PSYCHOSIS", "LONELINESS", "FINANCIAL_STRESS", "RELATIONSHIPS", "NEURODIVERGENCE", "TRANSITION_FROM_CAMHS", "INTERNATIONAL_STUDENT_ADVICE", "REGISTERING_WITH_GP", "SUBSTANCE_USE", "BEREAVEMENT", "TRAUMA", "SEXUAL_VIOLENCE", "STUDY_STRESS"},
	"services_visibility_check":                      {"PUBLIC", "PROFESSIONAL", "PARTNERSHIP"},
	"sharing_agreements_lawful_basis_check":          {"EXPLICIT_CONSENT", "VITAL_INTERESTS", "SAFEGUARDING_OF_INDIVIDUALS_AT_RISK", "OTHER"},
	"sharing_agreements_status_check":                {"DRAFT", "ACTIVE", "EXPIRED", "WITHDRAWN"},
	"threshold_versions_responsible_party_check":     {"NHS", "HEP", "SHARED", "STUDENT", "UNCLEAR"},
}

// listValued are the enum-like CHECKs on arrays: each value must be allowed.
var listValued = map[string]bool{
	"services_needs_check": true, "services_access_routes_check": true, "services_delivery_modes_check": true,
	"pathway_steps_consents_check": true, "pathway_steps_what_to_send_check": true,
}

func init() {
	for name, values := range allowedValues {
		r := constraints[name]
		list := strings.Join(values, ", ")
		switch {
		case name == "services_access_routes_check":
			r.message = "needs at least one way in, each one of " + list
		case name == "pathway_steps_consents_check":
			r.message = "needs at least one value, each one of " + list
		case listValued[name]:
			r.message = "must list only values among " + list
		default:
			r.message = "must be one of " + list
		}
		constraints[name] = r
	}
}

// SQLSTATEs of data the database refused (classes 22 and 23).
const (
	sqlstateUniqueViolation     = "23505"
	sqlstateCheckViolation      = "23514"
	sqlstateForeignKeyViolation = "23503"
	sqlstateNotNullViolation    = "23502"
	sqlstateExclusionViolation  = "23P01"
	sqlstateStringTooLong       = "22001"
	sqlstateNumericOutOfRange   = "22003"
	sqlstateBadDatetimeFormat   = "22007"
	sqlstateDatetimeOverflow    = "22008"
	sqlstateBadEncoding         = "22021"
	sqlstateInvalidText         = "22P02"
	sqlstateNullCharacter       = "22P05" // untranslatable_character, e.g. \u0000 in jsonb
)

// dbError turns a violation of the database's rules that Go validation did
// not foresee into an *InputError; anything else is returned as it is (an
// internal fault, or a timeout for Classify).
func dbError(err error) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return err
	}
	switch pg.Code {
	case sqlstateUniqueViolation, sqlstateCheckViolation, sqlstateForeignKeyViolation, sqlstateExclusionViolation:
		if r, ok := constraints[pg.ConstraintName]; ok {
			return &InputError{Field: r.field, Message: r.message}
		}
		if pg.Code == sqlstateUniqueViolation {
			return BadInput("input", "is already used by another record")
		}
		return BadInput("input", "breaks a rule of the directory: check the values and try again")
	case sqlstateNotNullViolation:
		return BadInput("input."+camelCase(pg.ColumnName), "is required")
	case sqlstateStringTooLong:
		return BadInput("input", "has a value that is too long")
	case sqlstateNumericOutOfRange:
		return BadInput("input", "has a number that is out of range")
	case sqlstateBadDatetimeFormat, sqlstateDatetimeOverflow:
		return BadInput("input", "has a date or time that is not valid")
	case sqlstateBadEncoding, sqlstateNullCharacter:
		return BadInput("input", "has a character that cannot be stored, such as NUL")
	case sqlstateInvalidText:
		return BadInput("input", "has a value in the wrong form")
	}
	return err
}

// camelCase turns a column name into the input field's name: "how_to_access"
// is "howToAccess".
func camelCase(column string) string {
	parts := strings.Split(column, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}
