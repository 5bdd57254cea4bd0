package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark/waymark/graph"
	"github.com/waymark/waymark/seed"
	"github.com/waymark/waymark/store"
)

// Tests of the Mutation type through the whole HTTP server: who may change
// what, versions, validation, retiring, succession and memberships. The
// audit log has its own file, audit_test.go.

// --- Helpers shared by mutations_test.go, audit_test.go and concurrency_test.go ---

// on returns s for use in the subtest t (s.do and friends fail t).
func (s *apiServer) on(t *testing.T) *apiServer {
	c := *s
	c.t = t
	return &c
}

// tables maps each editable table to the GraphQL type of its rows.
var tables = map[string]string{
	"institutions": "Institution", "partnerships": "Partnership", "sites": "Site",
	"services": "Service", "contact_points": "ContactPoint", "governance_forums": "GovernanceForum",
	"responsibility_areas": "ResponsibilityArea", "thresholds": "Threshold",
	"sharing_agreements": "SharingAgreement", "pathways": "Pathway", "pathway_steps": "PathwayStep",
}

// rowOf finds the table and UUID of a record from its global ID.
func rowOf(t *testing.T, gid string) (string, uuid.UUID) {
	t.Helper()
	for table, typ := range tables {
		if u, err := graph.ParseID(typ, gid); err == nil {
			return table, u
		}
	}
	t.Fatalf("%q is not the ID of an editable record", gid)
	return "", uuid.Nil
}

// Global IDs of seeded records.
func institutionID(key string) string { return id("Institution", "institutions", key) }
func partnershipID(key string) string { return id("Partnership", "partnerships", key) }
func siteID(key string) string        { return id("Site", "sites", key) }
func serviceID(key string) string     { return id("Service", "services", key) }
func contactID(key string) string     { return id("ContactPoint", "contact_points", key) }
func forumID(key string) string       { return id("GovernanceForum", "governance_forums", key) }
func agreementID(key string) string   { return id("SharingAgreement", "sharing_agreements", key) }
func pathwayID(key string) string     { return id("Pathway", "pathways", key) }

// stepID is the global ID of a seeded pathway step; keys are "<pathway key>/<name>".
func stepID(key string) string { return id("PathwayStep", "pathway_steps", key) }

// version is the stored version of the record with global ID gid, retired or not.
func (s *apiServer) version(gid string) int {
	s.t.Helper()
	table, u := rowOf(s.t, gid)
	return s.count(`SELECT version FROM `+table+` WHERE id = $1`, u)
}

// audits is the number of rows in the audit log.
func (s *apiServer) audits() int {
	s.t.Helper()
	return s.count(`SELECT count(*) FROM audit_log`)
}

// stateTables are every table a mutation can write.
var stateTables = []string{"institutions", "sites", "partnerships", "partnership_members", "governance_forums",
	"services", "service_partners", "service_eligible_institutions", "service_opening_hours", "contact_points",
	"responsibility_areas", "thresholds", "threshold_versions", "threshold_version_services", "threshold_signoffs",
	"sharing_agreements", "sharing_agreement_parties", "pathways", "pathway_steps", "audit_log"}

// dbState is a digest of every row of every table a mutation can write.
type dbState map[string]string

func (s *apiServer) state() dbState {
	s.t.Helper()
	st := dbState{}
	for _, table := range stateTables {
		var digest string
		err := s.Pool.QueryRow(context.Background(), `SELECT count(*) || ' rows ' ||
			coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM `+table+` t`).Scan(&digest)
		if err != nil {
			s.t.Fatal(err)
		}
		st[table] = digest
	}
	return st
}

// unchanged fails the test if any table differs from before.
func (s *apiServer) unchanged(before dbState) {
	s.t.Helper()
	after := s.state()
	for _, table := range stateTables {
		if before[table] != after[table] {
			s.t.Errorf("%s changed: %s -> %s", table, before[table], after[table])
		}
	}
}

// mutationArgs are the arguments of every mutation, as schema.graphqls declares them.
var mutationArgs = map[string]string{
	"createInstitution":        "input: CreateInstitutionInput!, reason: String",
	"updateInstitution":        "id: ID!, expectedVersion: Int!, input: UpdateInstitutionInput!, reason: String",
	"retireInstitution":        "id: ID!, expectedVersion: Int!, reason: String!",
	"createPartnership":        "input: CreatePartnershipInput!, reason: String",
	"updatePartnership":        "id: ID!, expectedVersion: Int!, input: UpdatePartnershipInput!, reason: String",
	"retirePartnership":        "id: ID!, expectedVersion: Int!, reason: String!",
	"addPartnershipMember":     "partnershipId: ID!, expectedVersion: Int!, institutionId: ID!, role: String!, reason: String",
	"removePartnershipMember":  "partnershipId: ID!, expectedVersion: Int!, institutionId: ID!, reason: String!",
	"createSite":               "input: CreateSiteInput!, reason: String",
	"updateSite":               "id: ID!, expectedVersion: Int!, input: UpdateSiteInput!, reason: String",
	"retireSite":               "id: ID!, expectedVersion: Int!, reason: String!",
	"createService":            "input: CreateServiceInput!, reason: String",
	"updateService":            "id: ID!, expectedVersion: Int!, input: UpdateServiceInput!, reason: String",
	"retireService":            "id: ID!, expectedVersion: Int!, reason: String!",
	"createContactPoint":       "input: CreateContactPointInput!, reason: String",
	"updateContactPoint":       "id: ID!, expectedVersion: Int!, input: UpdateContactPointInput!, reason: String",
	"retireContactPoint":       "id: ID!, expectedVersion: Int!, reason: String!",
	"endContactPoint":          "id: ID!, expectedVersion: Int!, validTo: Date!, successorId: ID, reason: String",
	"verifyContactPoint":       "id: ID!, expectedVersion: Int!, reason: String",
	"createGovernanceForum":    "input: CreateGovernanceForumInput!, reason: String",
	"updateGovernanceForum":    "id: ID!, expectedVersion: Int!, input: UpdateGovernanceForumInput!, reason: String",
	"retireGovernanceForum":    "id: ID!, expectedVersion: Int!, reason: String!",
	"createResponsibilityArea": "input: CreateResponsibilityAreaInput!, reason: String",
	"draftThreshold":           "partnershipId: ID!, areaId: ID!, input: ThresholdInput!, reason: String",
	"updateThreshold":          "id: ID!, expectedVersion: Int!, input: UpdateThresholdInput!, reason: String",
	"proposeThreshold":         "id: ID!, expectedVersion: Int!, reason: String",
	"signOffThreshold":         "id: ID!, expectedVersion: Int!, reason: String",
	"withdrawThreshold":        "id: ID!, expectedVersion: Int!, reason: String!",
	"createSharingAgreement":   "input: CreateSharingAgreementInput!, reason: String",
	"updateSharingAgreement":   "id: ID!, expectedVersion: Int!, input: UpdateSharingAgreementInput!, reason: String",
	"retireSharingAgreement":   "id: ID!, expectedVersion: Int!, reason: String!",
	"createPathway":            "input: CreatePathwayInput!, reason: String",
	"updatePathway":            "id: ID!, expectedVersion: Int!, input: UpdatePathwayInput!, reason: String",
	"retirePathway":            "id: ID!, expectedVersion: Int!, reason: String!",
	"createPathwayStep":        "input: CreatePathwayStepInput!, reason: String",
	"updatePathwayStep":        "id: ID!, expectedVersion: Int!, input: UpdatePathwayStepInput!, reason: String",
	"retirePathwayStep":        "id: ID!, expectedVersion: Int!, reason: String!",
}

// mutationDoc is a document calling the mutation name with every argument
// taken from a variable of the same name; variables left out of a request
// leave nullable arguments out.
func mutationDoc(name, selection string) string {
	sig, ok := mutationArgs[name]
	if !ok {
		panic("unknown mutation " + name)
	}
	var decls, args []string
	for _, a := range strings.Split(sig, ", ") {
		n, typ, _ := strings.Cut(a, ": ")
		decls = append(decls, "$"+n+": "+typ)
		args = append(args, n+": $"+n)
	}
	return fmt.Sprintf("mutation(%s) { %s(%s) { %s } }", strings.Join(decls, ", "), name, strings.Join(args, ", "), selection)
}

// edited is what every mutation returns about its record.
type edited struct {
	ID        string
	Version   int
	RetiredAt *string
}

func (s *apiServer) mutate(c caller, name string, vars map[string]any) gqlResponse {
	s.t.Helper()
	return s.do(c, mutationDoc(name, editedFields(name)), vars)
}

// editedFields is the selection of edited for the mutation's result:
// thresholds and areas are never retired, so they have no retiredAt; nor do
// sharing agreements, pathways and their steps show it.
func editedFields(mutation string) string {
	if strings.HasSuffix(mutation, "Threshold") || mutation == "createResponsibilityArea" ||
		strings.HasSuffix(mutation, "SharingAgreement") || strings.Contains(mutation, "Pathway") {
		return "id version"
	}
	return "id version retiredAt"
}

// mustMutate runs a mutation that must succeed.
func (s *apiServer) mustMutate(c caller, name string, vars map[string]any) edited {
	s.t.Helper()
	var data map[string]edited
	s.mutate(c, name, vars).decode(s.t, &data)
	return data[name]
}

// wantError checks r failed with exactly one error of code and, when field is
// given, extensions.field; a failed mutation answers no data.
func wantError(t *testing.T, r gqlResponse, code, field string) {
	t.Helper()
	if got := r.code(t); got != code {
		t.Fatalf("want %s, got %s: %s", code, got, r.Raw)
	}
	if field != "" && r.Errors[0].Extensions["field"] != field {
		t.Errorf("want extensions.field %q, got %v: %s", field, r.Errors[0].Extensions["field"], r.Raw)
	}
	if r.Errors[0].Message == "" {
		t.Errorf("error without a message: %s", r.Raw)
	}
	if d := strings.ReplaceAll(string(r.Data), " ", ""); d != "" && d != "null" && !strings.HasSuffix(d, ":null}") {
		t.Errorf("a failed request answered data: %s", r.Raw)
	}
}

// ukDate is the UK calendar date days from today, as a GraphQL Date.
func ukDate(days int) string {
	return time.Now().In(store.UK).AddDate(0, 0, days).Format(time.DateOnly)
}

// actionOf is the audit action a mutation records. (updateThreshold of a
// threshold with no version pending records DRAFT, as it starts a new
// version; the second signOffThreshold of a version records AGREE.)
func actionOf(mutation string) string {
	for prefix, action := range map[string]string{"create": "CREATE", "update": "UPDATE", "retire": "RETIRE",
		"end": "END", "verify": "VERIFY", "add": "ADD_MEMBER", "remove": "REMOVE_MEMBER",
		"draft": "DRAFT", "propose": "PROPOSE", "signOff": "SIGN_OFF", "withdraw": "WITHDRAW"} {
		if strings.HasPrefix(mutation, prefix) {
			return action
		}
	}
	panic("no action for " + mutation)
}

// op is one mutation of one record.
type op struct {
	mutation string
	// target is the global ID of the record changed; "" for create. Its
	// current version is sent as expectedVersion unless vars give one.
	target string
	vars   map[string]any
}

func (o op) String() string {
	if o.target == "" {
		return o.mutation
	}
	return o.mutation + "(" + o.target + ")"
}

func (s *apiServer) run(c caller, o op) gqlResponse {
	s.t.Helper()
	vars := maps.Clone(o.vars)
	if vars == nil {
		vars = map[string]any{}
	}
	if o.target != "" {
		key := "id"
		if strings.HasSuffix(o.mutation, "PartnershipMember") {
			key = "partnershipId"
		}
		vars[key] = o.target
		if _, ok := vars["expectedVersion"]; !ok {
			vars["expectedVersion"] = s.version(o.target)
		}
	}
	return s.mutate(c, o.mutation, vars)
}

// allow runs o as c, which must succeed: the record is created at version 1
// or moves on one version, and exactly one audit entry names c and o.
func (s *apiServer) allow(c caller, o op) edited {
	s.t.Helper()
	before, audits := 0, s.audits()
	if o.target != "" {
		before = s.version(o.target)
	}
	r := s.run(c, o)
	if len(r.Errors) > 0 {
		s.t.Errorf("%s as %s %v %v: want success, got %s", o, c.Role, c.Partnerships, c.Institutions, r.Raw)
		return edited{}
	}
	var data map[string]edited
	r.decode(s.t, &data)
	got := data[o.mutation]
	if got.Version != before+1 {
		s.t.Errorf("%s: version %d, want %d", o, got.Version, before+1)
	}
	if o.target != "" && got.ID != o.target {
		s.t.Errorf("%s answered %s", o, got.ID)
	}
	if n := s.audits(); n != audits+1 {
		s.t.Errorf("%s: %d audit entries written, want 1", o, n-audits)
	}
	_, u := rowOf(s.t, got.ID)
	var subject, action string
	var version int
	if err := s.Pool.QueryRow(context.Background(), `SELECT actor_subject, action, version FROM audit_log
		WHERE entity_id = $1 ORDER BY id DESC LIMIT 1`, u).Scan(&subject, &action, &version); err != nil {
		s.t.Fatalf("%s: no audit entry: %v", o, err)
	}
	if want := "test-" + c.Role; c.Subject == "" && subject != want || c.Subject != "" && subject != c.Subject {
		s.t.Errorf("%s: audit actor %q", o, subject)
	}
	if action != actionOf(o.mutation) || version != got.Version {
		s.t.Errorf("%s: audit action %s version %d, want %s %d", o, action, version, actionOf(o.mutation), got.Version)
	}
	return got
}

// refuse runs o as c, which must fail with code and change nothing.
func (s *apiServer) refuse(c caller, o op, code string) {
	s.t.Helper()
	before := s.state()
	r := s.run(c, o)
	if len(r.Errors) != 1 {
		s.t.Errorf("%s as %s %v %v: want %s, got %s", o, c.Role, c.Partnerships, c.Institutions, code, r.Raw)
		return
	}
	if got := r.code(s.t); got != code {
		s.t.Errorf("%s as %s %v %v: want %s, got %s", o, c.Role, c.Partnerships, c.Institutions, code, r.Raw)
	}
	s.unchanged(before)
}

// Callers.
var (
	admin            = caller{Role: "admin", Name: "Ada Admin"}
	professional     = caller{Role: "professional", Name: "Pat Professional", Partnerships: []string{"liverpool"}, Institutions: []string{"ljmu"}}
	liverpoolLead    = caller{Role: "lead", Name: "Lee Liverpool", Subject: "lead-liverpool", Partnerships: []string{"liverpool"}}
	bristolLead      = caller{Role: "lead", Name: "Bea Bristol", Subject: "lead-bristol", Partnerships: []string{"bristol"}}
	ljmuLead         = caller{Role: "lead", Name: "Jo LJMU", Subject: "lead-ljmu", Institutions: []string{"ljmu"}}
	uolLead          = caller{Role: "lead", Name: "Uma UoL", Subject: "lead-uol", Institutions: []string{"uol"}}
	merseyCareLead   = caller{Role: "lead", Name: "Mo Mersey", Subject: "lead-mersey-care", Institutions: []string{"mersey-care"}}
	leadOfEverything = caller{Role: "lead", Name: "Leo Lead", Subject: "lead-all", Partnerships: []string{"liverpool", "bristol"}, Institutions: []string{"ljmu", "uol"}}
)

// asJSON shows v, with what its pointers point at.
func asJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Valid inputs for creating records at an institution or partnership (global IDs).
func newSite(institution string) map[string]any {
	return map[string]any{"input": map[string]any{"institutionId": institution,
		"name": "Byrom Street campus", "address": "Byrom Street, Liverpool", "postcode": "l3 3af",
		"latitude": 53.4127, "longitude": -2.9823}, "reason": "New campus opened"}
}

func newService(institution string) map[string]any {
	return map[string]any{"input": map[string]any{"institutionId": institution,
		"name": "Peer support group", "description": "Weekly peer support group run by trained student volunteers.",
		"category": "PEER_SUPPORT", "careLevel": 1, "accessRoutes": []string{"SELF_REFERRAL"},
		"openingHours": []map[string]any{{"day": "WEDNESDAY", "opens": "18:00", "closes": "20:00"}},
		"email":        "peers@example.ac.uk", "phone": "0151 231 2000", "website": "https://example.ac.uk/peers"},
		"reason": "New service"}
}

func newContact(institution string) map[string]any {
	return map[string]any{"input": map[string]any{"institutionId": institution,
		"purpose": "DISABILITY_SUPPORT", "kind": "TEAM", "name": "Disability advice team",
		"visibility": "PROFESSIONAL", "email": "disability@example.ac.uk", "phone": "0151 231 3000"},
		"reason": "Nominated"}
}

func newForum(partnership string) map[string]any {
	return map[string]any{"input": map[string]any{"partnershipId": partnership,
		"name": "Further education working group", "cadence": "MONTHLY",
		"howToBringACase": "Raise items through a partnership lead."}, "reason": "Agreed at steering group"}
}

func newInstitution() map[string]any {
	return map[string]any{"input": map[string]any{"name": "Liverpool City College", "kind": "FURTHER_EDUCATION_COLLEGE",
		"ukprn": "10003946", "region": "NORTH_WEST", "website": "https://www.lcc.example", "studentPopulation": 9000},
		"reason": "Joining the directory"}
}

func newPartnership() map[string]any {
	return map[string]any{"input": map[string]any{"name": "Wirral Student Mental Health Partnership",
		"region": "NORTH_WEST", "sharedOutcomes": []string{"One pathway"}}, "reason": "New partnership"}
}

func newArea() map[string]any {
	return map[string]any{"input": map[string]any{"name": "Support while at home out of term",
		"description": "Keeping in touch with a student while they stay at their family home.", "sortOrder": 175},
		"reason": "Raised at the steering group"}
}

// newThreshold drafts a threshold for an area the partnership has none for.
func newThreshold(partnership, area string) map[string]any {
	return map[string]any{"partnershipId": partnership, "areaId": area, "input": map[string]any{
		"responsibleParty": "NHS", "collaboration": "Diagnosis stays with the NHS; advisers signpost to the GP.",
		"nhsServiceIds": []string{serviceID("brownlow-gp")}, "hepServiceIds": []string{serviceID("mhas")}},
		"reason": "First draft"}
}

// newAgreement records a sharing agreement between the parties (global IDs
// of institutions): of the partnership, or of none when partnership is "".
func newAgreement(partnership string, parties ...string) map[string]any {
	in := map[string]any{"name": "Out-of-term information sharing agreement", "partyIds": parties,
		"lawfulBasis": "EXPLICIT_CONSENT", "permitsSharingWithoutConsent": false,
		"scopeOfData": "Contact details, a risk summary and the safety plan.", "signedOn": ukDate(-7), "reviewOn": ukDate(358)}
	if partnership != "" {
		in["partnershipId"] = partnership
	}
	return map[string]any{"input": in, "reason": "Signed at the steering group"}
}

func newPathway(partnership string) map[string]any {
	return map[string]any{"input": map[string]any{"partnershipId": partnership, "name": "Support while at home out of term",
		"description": "Keeping in touch with students who go home between terms."}, "reason": "Agreed at the pathway review"}
}

// newStep adds a hand-over from one service to another to a pathway, under
// the agreement (none when "").
func newStep(pathway, from, to, agreement string) map[string]any {
	in := map[string]any{"pathwayId": pathway, "fromServiceId": from, "toServiceId": to,
		"situation": "RETURNING_HOME_OUT_OF_TERM", "consents": []string{"GIVEN"}, "maxUrgency": "SOON",
		"whatToSend": []string{"SAFETY_PLAN", "CONTACT_DETAILS"}, "channel": "SECURE_EMAIL", "timeLimitHours": 72,
		"receivingPurpose": "STUDENT_LIAISON", "firstContactWithinDays": 5,
		"studentExpectation": "With your agreement, the service near home is told you are back for the holidays."}
	if agreement != "" {
		in["agreementId"] = agreement
	}
	return map[string]any{"input": in, "reason": "New hand-over"}
}

// --- Who may change what ---

// everyMutation is one call of each of the 37 mutations on seeded records
// (in Liverpool, and LJMU where it is about one institution). The services
// and contact points are PUBLIC: anyone may see them, so refusals are about
// who may change them (a record the caller may not see is NOT_FOUND to
// mutations, as to queries). Each threshold step is on a seeded Liverpool
// threshold in the state it needs (a draft to change and propose, a
// proposal the education side has signed, an agreed version). The sharing
// agreement is created for the Liverpool partnership, so that its leads
// may record it (one of no partnership is for administrators:
// TestLeadsCannotManageInstitutionsPartnershipsOrMembers). A few calls
// succeed only after other changes, which the generic tests never reach
// (they refuse the caller or the version first): retiring Liverpool needs
// its forums retired (TestRetireEveryKindOfRecord), signing off needs a
// lead of a side (thresholds_test.go), and retiring the safeguarding
// agreement needs the steps resting on it retired (TestLeadScope): every
// seeded agreement has some.
func everyMutation() []op {
	return []op{
		{"createInstitution", "", newInstitution()},
		{"updateInstitution", institutionID("ljmu"), map[string]any{"input": map[string]any{"shortName": "LJM"}}},
		{"retireInstitution", institutionID("innovation-agency"), map[string]any{"reason": "Left the directory"}},
		{"createPartnership", "", newPartnership()},
		{"updatePartnership", partnershipID("liverpool"), map[string]any{"input": map[string]any{"description": "Changed"}}},
		{"retirePartnership", partnershipID("liverpool"), map[string]any{"reason": "Wound up"}},
		{"addPartnershipMember", partnershipID("liverpool"), map[string]any{"institutionId": institutionID("uwe"), "role": "Associate"}},
		{"removePartnershipMember", partnershipID("liverpool"), map[string]any{"institutionId": institutionID("brownlow-health"), "reason": "Left"}},
		{"createSite", "", newSite(institutionID("ljmu"))},
		{"updateSite", siteID("ljmu-student-life"), map[string]any{"input": map[string]any{"address": "Copperas Hill, Liverpool L3 5AH"}}},
		{"retireSite", siteID("bristol-su-richmond"), map[string]any{"reason": "Sold"}},
		{"createService", "", newService(institutionID("ljmu"))},
		{"updateService", serviceID("ljmu-wellbeing"), map[string]any{"input": map[string]any{"capacityStatus": "WAITING_LIST"}}},
		{"retireService", serviceID("ljmu-wellbeing"), map[string]any{"reason": "Closed"}},
		{"createContactPoint", "", newContact(institutionID("ljmu"))},
		{"updateContactPoint", contactID("ljmu-wellbeing-enquiries"), map[string]any{"input": map[string]any{"hours": "Mon–Thu 09:00–17:00"}}},
		{"retireContactPoint", contactID("uol-international"), map[string]any{"reason": "Role removed"}},
		{"endContactPoint", contactID("ljmu-wellbeing-enquiries"), map[string]any{"validTo": ukDate(0)}},
		{"verifyContactPoint", contactID("ljmu-wellbeing-enquiries"), nil},
		{"createGovernanceForum", "", newForum(partnershipID("liverpool"))},
		{"updateGovernanceForum", forumID("liverpool-weekly-mdt"), map[string]any{"input": map[string]any{"cadence": "FORTNIGHTLY"}}},
		{"retireGovernanceForum", forumID("liverpool-steering-group"), map[string]any{"reason": "Merged"}},
		{"createResponsibilityArea", "", newArea()},
		{"draftThreshold", "", newThreshold(partnershipID("liverpool"), areaID("diagnosis"))},
		{"updateThreshold", thresholdID("liverpool-long-term-conditions"), map[string]any{"input": map[string]any{"responsibleParty": "SHARED"}}},
		{"proposeThreshold", thresholdID("liverpool-long-term-conditions"), nil},
		{"signOffThreshold", thresholdID("liverpool-holding"), nil},
		{"withdrawThreshold", thresholdID("liverpool-crisis"), map[string]any{"reason": "Under review"}},
		{"createSharingAgreement", "", newAgreement(partnershipID("liverpool"), institutionID("uol"), institutionID("mersey-care"))},
		{"updateSharingAgreement", agreementID("liverpool-consent-isa"), map[string]any{"input": map[string]any{"reviewOn": ukDate(60)}}},
		{"retireSharingAgreement", agreementID("liverpool-safeguarding-isa"), map[string]any{"reason": "Superseded"}},
		{"createPathway", "", newPathway(partnershipID("liverpool"))},
		{"updatePathway", pathwayID("liverpool-after"), map[string]any{"input": map[string]any{"description": "Changed"}}},
		{"retirePathway", pathwayID("liverpool-before"), map[string]any{"reason": "No longer needed for comparison"}},
		{"createPathwayStep", "", newStep(pathwayID("liverpool-after"), serviceID("mhas"), serviceID("ucope"), agreementID("liverpool-consent-isa"))},
		{"updatePathwayStep", stepID("liverpool-after/ae-to-uol"), map[string]any{"input": map[string]any{"timeLimitHours": 12}}},
		{"retirePathwayStep", stepID("liverpool-before/mhas-to-gp"), map[string]any{"reason": "Route closed"}},
	}
}

// The helpers above call every mutation of schema.graphqls, with its arguments.
func TestHelpersKnowEveryMutation(t *testing.T) {
	schema, err := os.ReadFile("../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := strings.Cut(string(schema), "\ntype Mutation {\n")
	body, _, _ = strings.Cut(body, "\n}\n")
	field := regexp.MustCompile(`(?m)^  (\w+)\((.*)\): \w+!$`)
	inSchema := map[string]string{}
	for _, m := range field.FindAllStringSubmatch(body, -1) {
		inSchema[m[1]] = m[2]
	}
	if len(inSchema) != 37 || !maps.Equal(inSchema, mutationArgs) {
		t.Errorf("mutationArgs differ from the schema's %d mutations:\n%v\n%v", len(inSchema), inSchema, mutationArgs)
	}
	var listed []string
	for _, o := range everyMutation() {
		listed = append(listed, o.mutation)
	}
	for name := range inSchema {
		if !slices.Contains(listed, name) {
			t.Errorf("everyMutation lacks %s", name)
		}
	}
}

// Anonymous callers are UNAUTHENTICATED and professionals FORBIDDEN for
// every mutation, whatever their token names; nothing changes.
func TestMutationsNeedALeadOrAdmin(t *testing.T) {
	s := newAPIServer(t)
	for _, o := range everyMutation() {
		t.Run(o.mutation, func(t *testing.T) {
			s := s.on(t)
			s.refuse(anonymous, o, "UNAUTHENTICATED")
			s.refuse(professional, o, "FORBIDDEN")
		})
	}
}

// adminOnly reports whether only administrators may make the call:
// institutions, partnerships, memberships, the catalogue of areas, and
// sharing agreements of no partnership.
func adminOnly(o op) bool {
	if o.mutation == "createSharingAgreement" {
		in, _ := o.vars["input"].(map[string]any)
		return in["partnershipId"] == nil
	}
	return strings.Contains(o.mutation, "Institution") || strings.Contains(o.mutation, "Partnership") ||
		o.mutation == "createResponsibilityArea"
}

// adminOnlyCalls is everyMutation with a sharing agreement of no partnership.
func adminOnlyCalls() []op {
	return append(everyMutation(), op{"createSharingAgreement", "", newAgreement("", institutionID("uol"), institutionID("mersey-care"))})
}

// Institutions, partnerships, memberships, the catalogue of areas and
// sharing agreements of no partnership are for administrators: a lead is
// FORBIDDEN even for their own partnership and institution.
func TestLeadsCannotManageInstitutionsPartnershipsOrMembers(t *testing.T) {
	s := newAPIServer(t)
	n := 0
	for _, o := range adminOnlyCalls() {
		if !adminOnly(o) {
			continue
		}
		n++
		s.refuse(leadOfEverything, o, "FORBIDDEN")
		s.refuse(ljmuLead, o, "FORBIDDEN")
		s.refuse(liverpoolLead, o, "FORBIDDEN")
		s.refuse(caller{Role: "lead", Subject: "lead-uol-liverpool", Partnerships: []string{"liverpool"}, Institutions: []string{"uol"}}, o, "FORBIDDEN")
	}
	if n != 10 {
		t.Fatalf("%d admin-only mutations", n)
	}
	// An administrator may do every one of them.
	for _, o := range adminOnlyCalls() {
		if adminOnly(o) {
			if o.mutation == "retirePartnership" {
				continue // would make the membership changes NOT_FOUND; retired in TestRetire
			}
			s.allow(admin, o)
		}
	}
}

// scopeGroups are edits of seeded records, grouped by whose they are.
// Within a group, edits that retire come last.
func scopeGroups() map[string][]op {
	return map[string][]op{
		"ljmu": {
			{"createSite", "", newSite(institutionID("ljmu"))},
			{"updateSite", siteID("ljmu-student-life"), map[string]any{"input": map[string]any{"name": "Student Life Building"}}},
			{"createService", "", newService(institutionID("ljmu"))},
			{"updateService", serviceID("ljmu-wellbeing"), map[string]any{"input": map[string]any{"capacityStatus": "WAITING_LIST", "expectedWaitDays": 10}}},
			{"createContactPoint", "", newContact(institutionID("ljmu"))},
			{"updateContactPoint", contactID("ljmu-wellbeing-enquiries"), map[string]any{"input": map[string]any{"hours": "Mon–Fri 09:00–16:00"}}},
			{"verifyContactPoint", contactID("ljmu-wellbeing-duty"), nil},
			{"endContactPoint", contactID("ljmu-urgent-care"), map[string]any{"validTo": ukDate(30)}},
			{"retireContactPoint", contactID("ljmu-wellbeing-duty"), map[string]any{"reason": "Team merged"}},
			{"retireService", serviceID("ljmu-wellbeing"), map[string]any{"reason": "Replaced"}},
		},
		"uol": {
			{"createSite", "", newSite(institutionID("uol"))},
			{"updateSite", siteID("uol-student-services"), map[string]any{"input": map[string]any{"address": "Brownlow Hill"}}},
			{"updateService", serviceID("mhas"), map[string]any{"input": map[string]any{"expectedWaitDays": 3}}},
			{"createContactPoint", "", newContact(institutionID("uol"))},
			{"updateContactPoint", contactID("uol-mhas-enquiries"), map[string]any{"input": map[string]any{"notes": "Replies within a day"}}},
		},
		"mersey-care": {
			{"updateService", serviceID("ucope"), map[string]any{"input": map[string]any{"capacityStatus": "WAITING_LIST"}}},
			{"createService", "", newService(institutionID("mersey-care"))},
		},
		"brownlow-health": {
			{"createSite", "", newSite(institutionID("brownlow-health"))},
		},
		"liverpool forums": {
			{"createGovernanceForum", "", newForum(partnershipID("liverpool"))},
			{"updateGovernanceForum", forumID("liverpool-weekly-mdt"), map[string]any{"input": map[string]any{"howToBringACase": "By Monday noon"}}},
			{"retireGovernanceForum", forumID("liverpool-steering-group"), map[string]any{"reason": "Merged with the review meeting"}},
		},
		// Thresholds are the partnership's: only a lead whose token names it
		// changes them (not leads of its member institutions). Drafting (whose
		// result, on a new threshold, is not at version 1) and signing off
		// (which needs a side, not only a scope) have their own tests in
		// thresholds_test.go: TestThresholdStepsNeedALeadOfThePartnership and
		// TestThresholdSignOffNeedsASide.
		"liverpool thresholds": {
			{"updateThreshold", thresholdID("liverpool-long-term-conditions"), map[string]any{"input": map[string]any{"stepDown": "At the steering group"}}},
			{"proposeThreshold", thresholdID("liverpool-long-term-conditions"), nil},
			{"withdrawThreshold", thresholdID("liverpool-holding"), map[string]any{"reason": "Replaced"}},
		},
		// Sharing agreements, pathways and their steps are the
		// partnership's, like its forums and thresholds: leads of member
		// institutions, even of a party to the agreement or of a service a
		// step joins, do not change them. The safeguarding agreement can be
		// retired once the refused-consent steps resting on it are.
		"liverpool pathways": {
			{"createSharingAgreement", "", newAgreement(partnershipID("liverpool"), institutionID("uol"), institutionID("mersey-care"))},
			{"updateSharingAgreement", agreementID("liverpool-consent-isa"), map[string]any{"input": map[string]any{"reviewOn": ukDate(90)}}},
			{"createPathway", "", newPathway(partnershipID("liverpool"))},
			{"updatePathway", pathwayID("liverpool-after"), map[string]any{"input": map[string]any{"description": "Reviewed"}}},
			{"createPathwayStep", "", newStep(pathwayID("liverpool-after"), serviceID("mhas"), serviceID("ucope"), agreementID("liverpool-consent-isa"))},
			{"updatePathwayStep", stepID("liverpool-after/ae-to-uol"), map[string]any{"input": map[string]any{"timeLimitHours": 12}}},
			{"retirePathwayStep", stepID("liverpool-after/ae-refused-uol"), map[string]any{"reason": "Replaced"}},
			{"retirePathwayStep", stepID("liverpool-after/ae-refused-ljmu"), map[string]any{"reason": "Replaced"}},
			{"retireSharingAgreement", agreementID("liverpool-safeguarding-isa"), map[string]any{"reason": "Superseded"}},
			{"retirePathway", pathwayID("liverpool-before"), map[string]any{"reason": "No longer needed for comparison"}},
		},
		"bristol": {
			{"updateService", serviceID("bristol-wellbeing"), map[string]any{"input": map[string]any{"expectedWaitDays": 9}}},
			{"createSite", "", newSite(institutionID("bristol"))},
			{"updateContactPoint", contactID("bristol-urgent-care"), map[string]any{"input": map[string]any{"jobTitle": "Wellbeing Adviser"}}},
			{"updateGovernanceForum", forumID("bristol-practice-liaison-forum"), map[string]any{"input": map[string]any{"cadence": "MONTHLY"}}},
			{"updatePathway", pathwayID("bristol-cross-referral"), map[string]any{"input": map[string]any{"name": "Cross-referral in Bristol"}}},
			{"updatePathwayStep", stepID("bristol-cross-referral/uwe-to-awp"), map[string]any{"input": map[string]any{"maxUrgency": "EMERGENCY"}}},
			{"createPathwayStep", "", newStep(pathwayID("bristol-cross-referral"), serviceID("bristol-wellbeing"), serviceID("awp-response-line"), "")},
		},
	}
}

// A lead edits services, sites, contact points and forums within the
// institutions and partnerships their token names (a partnership covers all
// its members' records, its forums, thresholds, sharing agreements and
// pathways); anything else is FORBIDDEN and changes nothing.
// Administrators edit anywhere.
func TestLeadScope(t *testing.T) {
	all := []string{"ljmu", "uol", "mersey-care", "brownlow-health", "liverpool forums", "liverpool thresholds", "liverpool pathways", "bristol"}
	for _, tc := range []struct {
		name    string
		caller  caller
		allowed []string
	}{
		{"lead of LJMU", ljmuLead, []string{"ljmu"}},
		{"lead of UoL", uolLead, []string{"uol"}},
		{"lead of Mersey Care", merseyCareLead, []string{"mersey-care"}},
		{"lead of the Liverpool partnership", liverpoolLead, []string{"ljmu", "uol", "mersey-care", "brownlow-health", "liverpool forums", "liverpool thresholds", "liverpool pathways"}},
		{"lead of the Bristol partnership", bristolLead, []string{"bristol"}},
		{"administrator", admin, all},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newAPIServer(t)
			groups := scopeGroups()
			for _, g := range all {
				if !slices.Contains(tc.allowed, g) {
					for _, o := range groups[g] {
						s.refuse(tc.caller, o, "FORBIDDEN")
					}
				}
			}
			for _, g := range tc.allowed {
				for _, o := range groups[g] {
					s.allow(tc.caller, o)
				}
			}
		})
	}
}

// A Bristol lead cannot change a Liverpool service, even knowing its version.
func TestBristolLeadCannotEditLiverpoolService(t *testing.T) {
	s := newAPIServer(t)
	before := s.state()
	r := s.mutate(bristolLead, "updateService", map[string]any{"id": serviceID("ucope"), "expectedVersion": 1,
		"input": map[string]any{"capacityStatus": "CLOSED_TO_REFERRALS"}, "reason": "Closing"})
	wantError(t, r, "FORBIDDEN", "")
	s.unchanged(before)
	var got struct {
		Service struct{ CapacityStatus string }
	}
	s.query(anonymous, `query($id: ID!) { service(id: $id) { capacityStatus } }`, map[string]any{"id": serviceID("ucope")}, &got)
	if got.Service.CapacityStatus != "OPEN" {
		t.Errorf("U-COPE is %s", got.Service.CapacityStatus)
	}
}

// --- Versions ---

// A lead's edit with the version they read succeeds and is visible to
// everyone; an edit based on an older version is a CONFLICT naming the
// current version, and changes nothing.
func TestStaleVersionIsConflict(t *testing.T) {
	s := newAPIServer(t)
	var got struct{ UpdateService struct{ Version int } }
	s.query(liverpoolLead, `mutation($id: ID!) { updateService(id: $id, expectedVersion: 1,
		input: {capacityStatus: WAITING_LIST, expectedWaitDays: 21}, reason: "Term started") { version } }`,
		map[string]any{"id": serviceID("ucope")}, &got)
	if got.UpdateService.Version != 2 {
		t.Fatalf("version %d", got.UpdateService.Version)
	}
	var read struct {
		Service struct {
			CapacityStatus   string
			ExpectedWaitDays int
			Version          int
		}
	}
	s.query(anonymous, `query($id: ID!) { service(id: $id) { capacityStatus expectedWaitDays version } }`,
		map[string]any{"id": serviceID("ucope")}, &read)
	if read.Service.CapacityStatus != "WAITING_LIST" || read.Service.ExpectedWaitDays != 21 || read.Service.Version != 2 {
		t.Errorf("after the edit a student sees %+v", read.Service)
	}

	// Someone else (also at version 1) now edits: CONFLICT, currentVersion 2.
	before := s.state()
	r := s.mutate(admin, "updateService", map[string]any{"id": serviceID("ucope"), "expectedVersion": 1,
		"input": map[string]any{"capacityStatus": "OPEN"}})
	wantError(t, r, "CONFLICT", "")
	if cv := r.Errors[0].Extensions["currentVersion"]; cv != float64(2) {
		t.Errorf("currentVersion %v: %s", cv, r.Raw)
	}
	s.unchanged(before)
}

// Every mutation that changes a record takes expectedVersion: after someone
// else's change, each one based on the old version is a CONFLICT with
// extensions.currentVersion, and changes nothing. (draftThreshold takes no
// version: drafting beside a pending version is a CONFLICT, tested in
// TestThresholdLifecycleRefusals; every threshold step is checked with
// stale versions either side of the current one in
// TestThresholdStepsCheckTheVersion.)
func TestEveryEditChecksTheVersion(t *testing.T) {
	s := newAPIServer(t)
	// Someone else changes each record at version 1 first, taking it to 2
	// (seeded thresholds that have been through several steps are past it).
	bumps := map[string]op{
		"Institution":      {"updateInstitution", "", map[string]any{"input": map[string]any{"description": "Checked"}}},
		"Partnership":      {"updatePartnership", "", map[string]any{"input": map[string]any{"description": "Checked"}}},
		"Site":             {"updateSite", "", map[string]any{"input": map[string]any{"address": "Checked"}}},
		"Service":          {"updateService", "", map[string]any{"input": map[string]any{"howToAccess": "Checked"}}},
		"ContactPoint":     {"verifyContactPoint", "", nil},
		"GovernanceForum":  {"updateGovernanceForum", "", map[string]any{"input": map[string]any{"purpose": "Checked"}}},
		"Threshold":        {"updateThreshold", "", map[string]any{"input": map[string]any{"escalation": "Checked"}}},
		"SharingAgreement": {"updateSharingAgreement", "", map[string]any{"input": map[string]any{"scopeOfData": "Checked"}}},
		"Pathway":          {"updatePathway", "", map[string]any{"input": map[string]any{"description": "Checked"}}},
		"PathwayStep":      {"updatePathwayStep", "", map[string]any{"input": map[string]any{"protocolNotes": "Checked"}}},
	}
	bumped := map[string]bool{}
	n := 0
	for _, o := range everyMutation() {
		if o.target == "" {
			continue
		}
		n++
		t.Run(o.String(), func(t *testing.T) {
			s := s.on(t)
			table, _ := rowOf(t, o.target)
			if !bumped[o.target] && s.version(o.target) == 1 {
				b := bumps[tables[table]]
				b.target = o.target
				s.allow(admin, b)
				bumped[o.target] = true
			}
			stale := o
			stale.vars = maps.Clone(o.vars)
			if stale.vars == nil {
				stale.vars = map[string]any{}
			}
			stale.vars["expectedVersion"] = 1
			current := s.version(o.target)
			before := s.state()
			r := s.run(admin, stale)
			wantError(t, r, "CONFLICT", "")
			if cv := r.Errors[0].Extensions["currentVersion"]; cv != float64(current) {
				t.Errorf("currentVersion %v, want %d: %s", cv, current, r.Raw)
			}
			s.unchanged(before)
		})
	}
	if n != 26 {
		t.Errorf("%d edits of existing records", n)
	}
}

// --- Partial updates ---

type serviceView struct {
	Version          int
	Name             string
	Description      string
	CapacityStatus   string
	ExpectedWaitDays *int
	Email            *string
	Phone            *string
	Website          *string
	TypicalSessions  *int
	OpeningHours     []struct{ Day, Opens, Closes string }
}

const serviceViewFields = `version name description capacityStatus expectedWaitDays email phone website typicalSessions openingHours { day opens closes }`

func (s *apiServer) service(key string) serviceView {
	s.t.Helper()
	var got struct{ Service serviceView }
	s.query(admin, `query($id: ID!) { service(id: $id) { `+serviceViewFields+` } }`, map[string]any{"id": serviceID(key)}, &got)
	return got.Service
}

func (s *apiServer) updateService(c caller, key string, input map[string]any) (serviceView, gqlResponse) {
	s.t.Helper()
	r := s.do(c, `mutation($id: ID!, $v: Int!, $input: UpdateServiceInput!) {
		updateService(id: $id, expectedVersion: $v, input: $input) { `+serviceViewFields+` } }`,
		map[string]any{"id": serviceID(key), "v": s.version(serviceID(key)), "input": input})
	var got struct{ UpdateService serviceView }
	if len(r.Errors) == 0 {
		r.decode(s.t, &got)
	}
	return got.UpdateService, r
}

// A field left out of an update is left as it is; a field given as null is
// cleared; a required field cannot be cleared.
func TestPartialUpdates(t *testing.T) {
	s := newAPIServer(t)
	seeded := s.service("ucope")
	if seeded.ExpectedWaitDays == nil || seeded.Email == nil || seeded.Phone == nil || len(seeded.OpeningHours) != 5 {
		t.Fatalf("seeded U-COPE: %+v", seeded)
	}

	// Only the capacity status is sent: nothing else moves.
	got, r := s.updateService(liverpoolLead, "ucope", map[string]any{"capacityStatus": "WAITING_LIST"})
	if len(r.Errors) > 0 {
		t.Fatal(r.Raw)
	}
	want := seeded
	want.Version, want.CapacityStatus = 2, "WAITING_LIST"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after setting capacityStatus:\n got %s\nwant %s", asJSON(got), asJSON(want))
	}
	if back := s.service("ucope"); !reflect.DeepEqual(back, want) {
		t.Errorf("read back: %s", asJSON(back))
	}

	// expectedWaitDays and email are cleared with null; phone, left out, stays.
	got, r = s.updateService(liverpoolLead, "ucope", map[string]any{"expectedWaitDays": nil, "email": nil})
	if len(r.Errors) > 0 {
		t.Fatal(r.Raw)
	}
	if got.ExpectedWaitDays != nil || got.Email != nil || got.Phone == nil || *got.Phone != *seeded.Phone ||
		got.CapacityStatus != "WAITING_LIST" || got.Version != 3 || len(got.OpeningHours) != 5 {
		t.Errorf("after clearing expectedWaitDays and email: %s", asJSON(got))
	}

	// Opening hours: a new list replaces them all; null clears them.
	got, r = s.updateService(liverpoolLead, "ucope", map[string]any{"openingHours": []map[string]any{
		{"day": "TUESDAY", "opens": "10:00", "closes": "12:30"}, {"day": "TUESDAY", "opens": "13:30", "closes": "24:00"}}})
	if len(r.Errors) > 0 {
		t.Fatal(r.Raw)
	}
	if fmt.Sprint(got.OpeningHours) != "[{TUESDAY 10:00 12:30} {TUESDAY 13:30 24:00}]" {
		t.Errorf("replaced opening hours: %v", got.OpeningHours)
	}
	got, r = s.updateService(liverpoolLead, "ucope", map[string]any{"openingHours": nil})
	if len(r.Errors) > 0 {
		t.Fatal(r.Raw)
	}
	if len(got.OpeningHours) != 0 || got.Version != 5 || got.TypicalSessions == nil {
		t.Errorf("cleared opening hours: %s", asJSON(got))
	}

	// Required fields cannot be cleared.
	for _, field := range []string{"name", "description", "category", "careLevel", "capacityStatus", "visibility", "open24x7"} {
		before := s.state()
		_, r := s.updateService(liverpoolLead, "ucope", map[string]any{field: nil})
		wantError(t, r, "BAD_USER_INPUT", "input."+field)
		s.unchanged(before)
	}

	// The same for an institution (administrators) and a contact point.
	var inst struct {
		UpdateInstitution struct {
			ShortName, Description, Website *string
			Version                         int
		}
	}
	s.query(admin, `mutation { updateInstitution(id: "`+institutionID("ljmu")+`", expectedVersion: 1, input: {shortName: null}) {
		shortName description website version } }`, nil, &inst)
	if u := inst.UpdateInstitution; u.ShortName != nil || u.Description == nil || u.Website == nil || u.Version != 2 {
		t.Errorf("institution after clearing shortName: %+v", u)
	}
	var cp struct {
		UpdateContactPoint struct {
			JobTitle, Email, Phone, Notes *string
			Version                       int
		}
	}
	s.query(liverpoolLead, `mutation { updateContactPoint(id: "`+contactID("ljmu-urgent-care")+`", expectedVersion: 1,
		input: {jobTitle: null, notes: "Part-time"}) { jobTitle email phone notes version } }`, nil, &cp)
	if u := cp.UpdateContactPoint; u.JobTitle != nil || u.Email == nil || u.Phone == nil || u.Notes == nil || *u.Notes != "Part-time" || u.Version != 2 {
		t.Errorf("contact after clearing jobTitle: %+v", u)
	}
}

// --- Validation ---

func repeat(n int) string { return strings.Repeat("x", n) }

// Invalid input is BAD_USER_INPUT naming the field, and changes nothing:
// the record keeps its version and no audit entry is written.
func TestValidation(t *testing.T) {
	s := newAPIServer(t)
	update := func(mutation, target string, input map[string]any) op {
		return op{mutation, target, map[string]any{"input": input}}
	}
	withInput := func(vars map[string]any, set map[string]any) map[string]any {
		in := maps.Clone(vars["input"].(map[string]any))
		maps.Copy(in, set)
		return map[string]any{"input": in}
	}
	hours := func(h ...[3]string) []map[string]any {
		var out []map[string]any
		for _, x := range h {
			out = append(out, map[string]any{"day": x[0], "opens": x[1], "closes": x[2]})
		}
		return out
	}
	inst, ucope, site, contact := institutionID("ljmu"), serviceID("ucope"), siteID("ljmu-student-life"), contactID("ljmu-urgent-care")
	for _, tc := range []struct {
		name  string
		op    op
		field string
	}{
		// Institutions (administrators).
		{"UKPRN not starting with 1", update("updateInstitution", inst, map[string]any{"ukprn": "20003957"}), "input.ukprn"},
		{"UKPRN of 7 digits", update("updateInstitution", inst, map[string]any{"ukprn": "1000395"}), "input.ukprn"},
		{"UKPRN with a letter", update("updateInstitution", inst, map[string]any{"ukprn": "1000395X"}), "input.ukprn"},
		{"UKPRN of an NHS trust", update("updateInstitution", institutionID("mersey-care"), map[string]any{"ukprn": "10099999"}), "input.ukprn"},
		{"UKPRN already used", op{"createInstitution", "", withInput(newInstitution(), map[string]any{"ukprn": "10003957"})}, "input.ukprn"},
		{"ODS code too long", update("updateInstitution", institutionID("mersey-care"), map[string]any{"odsCode": "RW4ABCD"}), "input.odsCode"},
		{"ODS code with punctuation", update("updateInstitution", institutionID("mersey-care"), map[string]any{"odsCode": "RW-4"}), "input.odsCode"},
		{"ODS code of a university", update("updateInstitution", inst, map[string]any{"odsCode": "RW5"}), "input.odsCode"},
		{"charity number too short", update("updateInstitution", institutionID("liverpool-guild"), map[string]any{"charityNumber": "12345"}), "input.charityNumber"},
		{"Scottish charity number too short", update("updateInstitution", institutionID("liverpool-guild"), map[string]any{"charityNumber": "SC12345"}), "input.charityNumber"},
		{"institution website without scheme", update("updateInstitution", inst, map[string]any{"website": "www.ljmu.ac.uk"}), "input.website"},
		{"institution name blank", update("updateInstitution", inst, map[string]any{"name": "   "}), "input.name"},
		{"institution name too long", op{"createInstitution", "", withInput(newInstitution(), map[string]any{"name": repeat(201)})}, "input.name"},
		{"short name too long", update("updateInstitution", inst, map[string]any{"shortName": repeat(61)}), "input.shortName"},
		{"international share as a percentage", update("updateInstitution", inst, map[string]any{"internationalShare": 25}), "input.internationalShare"},
		{"partnership name too long", update("updatePartnership", partnershipID("liverpool"), map[string]any{"name": repeat(201)}), "input.name"},
		{"member role blank", op{"addPartnershipMember", partnershipID("liverpool"), map[string]any{"institutionId": institutionID("uwe"), "role": " "}}, "role"},
		// Services.
		{"service e-mail without @", update("updateService", ucope, map[string]any{"email": "ucope at merseycare"}), "input.email"},
		{"service e-mail without a dot in the domain", update("updateService", ucope, map[string]any{"email": "ucope@merseycare"}), "input.email"},
		{"service phone too short", update("updateService", ucope, map[string]any{"phone": "12345"}), "input.phone"},
		{"service phone in the US", update("updateService", ucope, map[string]any{"phone": "+1 212 555 0100"}), "input.phone"},
		{"service text number", update("updateService", ucope, map[string]any{"textNumber": "not a number"}), "input.textNumber"},
		{"service website javascript", update("updateService", ucope, map[string]any{"website": "javascript:alert(1)"}), "input.website"},
		{"service website ftp", update("updateService", ucope, map[string]any{"website": "ftp://merseycare.nhs.uk"}), "input.website"},
		{"service name too long", update("updateService", ucope, map[string]any{"name": repeat(201)}), "input.name"},
		{"service description too long", update("updateService", ucope, map[string]any{"description": repeat(4001)}), "input.description"},
		{"service description blank", op{"createService", "", withInput(newService(institutionID("ljmu")), map[string]any{"description": " "})}, "input.description"},
		{"care level 6", update("updateService", ucope, map[string]any{"careLevel": 6}), "input.careLevel"},
		{"care level 0 on create", op{"createService", "", withInput(newService(institutionID("ljmu")), map[string]any{"careLevel": 0})}, "input.careLevel"},
		{"no access routes", update("updateService", ucope, map[string]any{"accessRoutes": []string{}}), "input.accessRoutes"},
		{"min age above max age", update("updateService", ucope, map[string]any{"minAge": 30, "maxAge": 20}), "input.maxAge"},
		{"wait over two years", update("updateService", ucope, map[string]any{"expectedWaitDays": 731}), "input.expectedWaitDays"},
		{"provider among its own partners", update("updateService", ucope, map[string]any{"partnerIds": []string{institutionID("mersey-care")}}), "input.partnerIds"},
		{"site of another institution", update("updateService", ucope, map[string]any{"siteId": siteID("ljmu-student-life")}), "input.siteId"},
		{"own out-of-hours service", update("updateService", ucope, map[string]any{"outOfHoursServiceId": ucope}), "input.outOfHoursServiceId"},
		// Opening hours.
		{"overlapping hours", update("updateService", ucope, map[string]any{"openingHours": hours(
			[3]string{"MONDAY", "09:00", "12:00"}, [3]string{"MONDAY", "11:00", "13:00"})}), "input.openingHours.1"},
		{"closes before it opens", update("updateService", ucope, map[string]any{"openingHours": hours(
			[3]string{"MONDAY", "09:00", "17:00"}, [3]string{"TUESDAY", "17:00", "09:00"})}), "input.openingHours.1.closes"},
		{"closes when it opens", update("updateService", ucope, map[string]any{"openingHours": hours(
			[3]string{"MONDAY", "09:00", "09:00"})}), "input.openingHours.0.closes"},
		{"opening time not HH:MM", update("updateService", ucope, map[string]any{"openingHours": hours(
			[3]string{"MONDAY", "9am", "17:00"})}), "input.openingHours.0.opens"},
		{"opening time without leading zero", update("updateService", ucope, map[string]any{"openingHours": hours(
			[3]string{"MONDAY", "9:00", "17:00"})}), "input.openingHours.0.opens"},
		{"closing time 25:00", update("updateService", ucope, map[string]any{"openingHours": hours(
			[3]string{"MONDAY", "09:00", "25:00"})}), "input.openingHours.0.closes"},
		{"closing time 12:60", update("updateService", ucope, map[string]any{"openingHours": hours(
			[3]string{"MONDAY", "09:00", "12:60"})}), "input.openingHours.0.closes"},
		{"opening at 24:00", update("updateService", ucope, map[string]any{"openingHours": hours(
			[3]string{"MONDAY", "24:00", "24:00"})}), "input.openingHours.0.opens"},
		{"hours on a 24/7 service", update("updateService", serviceID("rluh-ae-liaison"), map[string]any{"openingHours": hours(
			[3]string{"MONDAY", "09:00", "17:00"})}), "input.openingHours"},
		{"24/7 on a service with hours", update("updateService", ucope, map[string]any{"open24x7": true}), "input.openingHours"},
		{"24/7 and hours on create", op{"createService", "", withInput(newService(institutionID("ljmu")), map[string]any{"open24x7": true})}, "input.openingHours"},
		// Sites.
		{"latitude 91", update("updateSite", site, map[string]any{"latitude": 91}), "input.latitude"},
		{"longitude -181", update("updateSite", site, map[string]any{"longitude": -181}), "input.longitude"},
		{"latitude -90.5 on create", op{"createSite", "", withInput(newSite(institutionID("ljmu")), map[string]any{"latitude": -90.5})}, "input.latitude"},
		{"postcode", update("updateSite", site, map[string]any{"postcode": "NOT A CODE"}), "input.postcode"},
		{"site address too long", update("updateSite", site, map[string]any{"address": repeat(501)}), "input.address"},
		{"retiring a site still in use", op{"retireSite", site, map[string]any{"reason": "Moving"}}, "id"},
		// Contact points.
		{"contact e-mail", update("updateContactPoint", contact, map[string]any{"email": "p.ramanathan-hale"}), "input.email"},
		{"contact out-of-hours e-mail", update("updateContactPoint", contact, map[string]any{"outOfHoursEmail": "duty@@ljmu.ac.uk"}), "input.outOfHoursEmail"},
		{"contact phone short number", update("updateContactPoint", contact, map[string]any{"phone": "111"}), "input.phone"},
		{"contact out-of-hours phone", update("updateContactPoint", contact, map[string]any{"outOfHoursPhone": "0151"}), "input.outOfHoursPhone"},
		{"contact unreachable", update("updateContactPoint", contact, map[string]any{"email": nil, "phone": nil}), "input.email"},
		{"contact notes too long", update("updateContactPoint", contact, map[string]any{"notes": repeat(2001)}), "input.notes"},
		{"contact name too long on create", op{"createContactPoint", "", withInput(newContact(institutionID("ljmu")), map[string]any{"name": repeat(201)})}, "input.name"},
		{"deputy at another institution", update("updateContactPoint", contact, map[string]any{"deputyId": contactID("uol-mhas-enquiries")}), "input.deputyId"},
		{"deputy at another institution on create", op{"createContactPoint", "", withInput(newContact(institutionID("ljmu")), map[string]any{"deputyId": contactID("uol-mhas-enquiries")})}, "input.deputyId"},
		{"deputy is the contact itself", update("updateContactPoint", contact, map[string]any{"deputyId": contact}), "input.deputyId"},
		{"deputy who has left post", update("updateContactPoint", contact, map[string]any{"deputyId": contactID("ljmu-urgent-care-previous")}), "input.deputyId"},
		{"service of another institution", update("updateContactPoint", contact, map[string]any{"serviceId": serviceID("mhas")}), "input.serviceId"},
		{"successor who has left post", op{"endContactPoint", contact, map[string]any{"validTo": ukDate(-1), "successorId": contactID("ljmu-urgent-care-previous")}}, "successorId"},
		{"successor is the contact itself", op{"endContactPoint", contact, map[string]any{"validTo": ukDate(-1), "successorId": contact}}, "successorId"},
		{"leaving before starting", op{"endContactPoint", contact, map[string]any{"validTo": ukDate(-30)}}, "validTo"},
		// Forums.
		{"forum name too long", update("updateGovernanceForum", forumID("liverpool-weekly-mdt"), map[string]any{"name": repeat(201)}), "input.name"},
		{"forum name taken in the partnership", op{"createGovernanceForum", "", withInput(newForum(partnershipID("liverpool")), map[string]any{"name": "Weekly student mental health MDT"})}, "input.name"},
		{"forum how-to too long", update("updateGovernanceForum", forumID("liverpool-weekly-mdt"), map[string]any{"howToBringACase": repeat(2001)}), "input.howToBringACase"},
		// Reasons.
		{"reason too long", op{"updateService", ucope, map[string]any{"input": map[string]any{"phone": "0151 231 2000"}, "reason": repeat(2001)}}, "reason"},
		{"retire with a blank reason", op{"retireService", ucope, map[string]any{"reason": "  "}}, "reason"},
		{"remove a member with an empty reason", op{"removePartnershipMember", partnershipID("liverpool"), map[string]any{"institutionId": institutionID("uol"), "reason": ""}}, "reason"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := s.on(t)
			c := liverpoolLead
			if strings.Contains(tc.op.mutation, "Institution") || strings.Contains(tc.op.mutation, "Partnership") {
				c = admin
			}
			version, audits, before := 0, s.audits(), s.state()
			if tc.op.target != "" {
				version = s.version(tc.op.target)
			}
			r := s.run(c, tc.op)
			wantError(t, r, "BAD_USER_INPUT", tc.field)
			if tc.op.target != "" && s.version(tc.op.target) != version {
				t.Errorf("version moved from %d to %d", version, s.version(tc.op.target))
			}
			if s.audits() != audits {
				t.Errorf("audit entries written")
			}
			s.unchanged(before)
		})
	}
}

// Valid input is normalised: a postcode in capitals with its space, phone
// numbers in national format, trimmed text.
func TestInputIsNormalised(t *testing.T) {
	s := newAPIServer(t)
	var got struct {
		CreateSite struct{ Name, Postcode string }
	}
	s.query(ljmuLead, `mutation($input: CreateSiteInput!) { createSite(input: $input) { name postcode } }`,
		map[string]any{"input": map[string]any{"institutionId": institutionID("ljmu"), "name": "  Byrom Street  ",
			"postcode": "l33af", "latitude": 53.4127, "longitude": -2.9823}}, &got)
	if got.CreateSite.Name != "Byrom Street" || got.CreateSite.Postcode != "L3 3AF" {
		t.Errorf("%+v", got.CreateSite)
	}
	svc, r := s.updateService(liverpoolLead, "ucope", map[string]any{"phone": "+44 151 231 2000", "email": " ucope@merseycare.nhs.uk "})
	if len(r.Errors) > 0 {
		t.Fatal(r.Raw)
	}
	if *svc.Phone != "0151 231 2000" || *svc.Email != "ucope@merseycare.nhs.uk" {
		t.Errorf("phone %q email %q", *svc.Phone, *svc.Email)
	}
	// National short numbers are for services.
	svc, r = s.updateService(liverpoolLead, "ucope", map[string]any{"phone": "111"})
	if len(r.Errors) > 0 || *svc.Phone != "111" {
		t.Errorf("short number: %+v %s", svc.Phone, r.Raw)
	}
}

// --- Retiring ---

func (s *apiServer) serviceNames(c caller, filter map[string]any) []string {
	s.t.Helper()
	var got struct {
		Services struct {
			TotalCount int
			Edges      []struct{ Node struct{ ID, Name string } }
		}
	}
	s.query(c, `query($f: ServiceFilter) { services(filter: $f, first: 100) { totalCount edges { node { id name } } } }`,
		map[string]any{"f": filter}, &got)
	var ids []string
	for _, e := range got.Services.Edges {
		ids = append(ids, e.Node.ID)
	}
	if got.Services.TotalCount != len(ids) {
		s.t.Errorf("totalCount %d for %d services", got.Services.TotalCount, len(ids))
	}
	return ids
}

// A retired service leaves the directory by every path but keeps its row and
// its history; retiring needs a reason; a retired record cannot be changed.
func TestRetireService(t *testing.T) {
	s := newAPIServer(t)
	mhas := serviceID("mhas")
	byInstitution := map[string]any{"institutionId": institutionID("uol")}
	byText := map[string]any{"text": "Mental Health Advisory Service"}
	for _, c := range []caller{anonymous, admin} {
		if !slices.Contains(s.serviceNames(c, byInstitution), mhas) || !slices.Contains(s.serviceNames(c, byText), mhas) {
			t.Fatalf("MHAS not listed before retiring")
		}
	}

	// Without a reason it is refused.
	for _, vars := range []map[string]any{{"reason": ""}, {"reason": " \n "}} {
		before := s.state()
		wantError(t, s.run(liverpoolLead, op{"retireService", mhas, vars}), "BAD_USER_INPUT", "reason")
		s.unchanged(before)
	}
	before := s.state()
	wantError(t, s.run(liverpoolLead, op{"retireService", mhas, nil}), "BAD_USER_INPUT", "")
	s.unchanged(before)

	s.allow(liverpoolLead, op{"updateService", mhas, map[string]any{"input": map[string]any{"expectedWaitDays": 10}, "reason": "Busy term"}})
	got := s.allow(liverpoolLead, op{"retireService", mhas, map[string]any{"reason": "Merged into Student Wellbeing"}})
	if got.RetiredAt == nil || got.Version != 3 {
		t.Errorf("retireService answered %+v", got)
	}

	// Gone from the directory, for everyone.
	for _, c := range []caller{anonymous, professional, liverpoolLead, admin} {
		r := s.do(c, `query($id: ID!) { service(id: $id) { id } }`, map[string]any{"id": mhas})
		wantError(t, r, "NOT_FOUND", "")
		r = s.do(c, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": mhas})
		wantError(t, r, "NOT_FOUND", "")
		if slices.Contains(s.serviceNames(c, byInstitution), mhas) || slices.Contains(s.serviceNames(c, byText), mhas) ||
			slices.Contains(s.serviceNames(c, nil), mhas) {
			t.Errorf("retired MHAS still listed for %s", c.Role)
		}
		var inst struct {
			Institution struct{ Services []struct{ ID string } }
		}
		s.query(c, `query($id: ID!) { institution(id: $id) { services { id } } }`, map[string]any{"id": institutionID("uol")}, &inst)
		for _, svc := range inst.Institution.Services {
			if svc.ID == mhas {
				t.Errorf("retired MHAS among UoL's services for %s", c.Role)
			}
		}
	}

	// Never deleted.
	if n := s.count(`SELECT count(*) FROM services WHERE id = $1 AND retired_at IS NOT NULL AND retired_reason = 'Merged into Student Wellbeing'`,
		seed.ID("services", "mhas")); n != 1 {
		t.Errorf("retired row: %d", n)
	}

	// Its history stays readable.
	entries := s.history(liverpoolLead, mhas)
	if len(entries) != 2 || entries[0].Action != "UPDATE" || entries[1].Action != "RETIRE" ||
		entries[1].Reason == nil || *entries[1].Reason != "Merged into Student Wellbeing" || entries[1].Version != 3 {
		t.Errorf("history of the retired service: %+v", entries)
	}

	// Retiring again, or editing, is NOT_FOUND, with any version.
	for _, o := range []op{
		{"retireService", mhas, map[string]any{"reason": "Again"}},
		{"retireService", mhas, map[string]any{"reason": "Again", "expectedVersion": 2}},
		{"updateService", mhas, map[string]any{"input": map[string]any{"expectedWaitDays": 1}}},
	} {
		s.refuse(liverpoolLead, o, "NOT_FOUND")
	}
}

// Every kind of record can be retired: it then answers NOT_FOUND by ID and
// leaves the lists it was in, while its row and history remain.
func TestRetireEveryKindOfRecord(t *testing.T) {
	s := newAPIServer(t)
	site := s.mustMutate(liverpoolLead, "createSite", newSite(institutionID("ljmu"))).ID
	for _, tc := range []struct {
		mutation, target string
		listed           func(s *apiServer) []string // IDs in the list it should leave
	}{
		{"retireContactPoint", contactID("ljmu-wellbeing-enquiries"), func(s *apiServer) []string {
			var got struct {
				Institution struct{ ContactPoints []struct{ ID string } }
			}
			s.query(admin, `query($id: ID!) { institution(id: $id) { contactPoints { id } } }`, map[string]any{"id": institutionID("ljmu")}, &got)
			var ids []string
			for _, c := range got.Institution.ContactPoints {
				ids = append(ids, c.ID)
			}
			return ids
		}},
		{"retireSite", site, func(s *apiServer) []string {
			var got struct {
				Institution struct{ Sites []struct{ ID string } }
			}
			s.query(admin, `query($id: ID!) { institution(id: $id) { sites { id } } }`, map[string]any{"id": institutionID("ljmu")}, &got)
			var ids []string
			for _, c := range got.Institution.Sites {
				ids = append(ids, c.ID)
			}
			return ids
		}},
		{"retireGovernanceForum", forumID("liverpool-pathway-review"), func(s *apiServer) []string {
			var got struct {
				Partnership struct{ Forums []struct{ ID string } }
			}
			s.query(admin, `query($id: ID!) { partnership(id: $id) { forums { id } } }`, map[string]any{"id": partnershipID("liverpool")}, &got)
			var ids []string
			for _, c := range got.Partnership.Forums {
				ids = append(ids, c.ID)
			}
			return ids
		}},
		{"retireInstitution", institutionID("innovation-agency"), func(s *apiServer) []string {
			var got struct {
				Institutions struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
			s.query(admin, `{ institutions(first: 100) { edges { node { id } } } }`, nil, &got)
			var ids []string
			for _, e := range got.Institutions.Edges {
				ids = append(ids, e.Node.ID)
			}
			return ids
		}},
		{"retirePartnership", partnershipID("bristol"), func(s *apiServer) []string {
			var got struct {
				Partnerships struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
			s.query(admin, `{ partnerships(first: 100) { edges { node { id } } } }`, nil, &got)
			var ids []string
			for _, e := range got.Partnerships.Edges {
				ids = append(ids, e.Node.ID)
			}
			return ids
		}},
	} {
		t.Run(tc.mutation, func(t *testing.T) {
			s := s.on(t)
			if !slices.Contains(tc.listed(s), tc.target) {
				t.Fatalf("not listed before retiring")
			}
			if tc.mutation == "retirePartnership" {
				// A partnership's forums, pathways and agreements go first
				// (retiring it while they are live is refused).
				_, u := rowOf(t, tc.target)
				for _, table := range []string{"governance_forums", "pathways", "sharing_agreements"} {
					if _, err := s.Pool.Exec(context.Background(), `UPDATE `+table+` SET retired_at = now() WHERE partnership_id = $1`, u); err != nil {
						t.Fatal(err)
					}
				}
			}
			got := s.allow(admin, op{tc.mutation, tc.target, map[string]any{"reason": "No longer runs"}})
			if got.RetiredAt == nil {
				t.Errorf("retiredAt not set: %+v", got)
			}
			wantError(t, s.do(admin, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": tc.target}), "NOT_FOUND", "")
			if slices.Contains(tc.listed(s), tc.target) {
				t.Errorf("still listed after retiring")
			}
			table, u := rowOf(t, tc.target)
			if n := s.count(`SELECT count(*) FROM `+table+` WHERE id = $1 AND retired_at IS NOT NULL`, u); n != 1 {
				t.Errorf("row gone")
			}
			if h := s.history(admin, tc.target); len(h) == 0 || h[len(h)-1].Action != "RETIRE" {
				t.Errorf("history %+v", h)
			}
			s.refuse(admin, op{tc.mutation, tc.target, map[string]any{"reason": "Again"}}, "NOT_FOUND")
		})
	}
}

// An institution cannot be retired while it still has services, sites or
// contact points in the directory: they would be left listed with no
// institution, and every list showing a service's provider would fail.
// Once they are retired, the institution can be, and the lists stay whole.
func TestRetireInstitutionAfterItsRecords(t *testing.T) {
	s := newAPIServer(t)
	brownlow := institutionID("brownlow-health")
	listing := func() []string {
		t.Helper()
		var got struct {
			Services struct {
				Edges []struct {
					Node struct {
						ID          string
						Institution struct{ ID string }
					}
				}
			}
		}
		s.query(anonymous, `{ services(first: 100) { edges { node { id institution { id } } } } }`, nil, &got)
		var providers []string
		for _, e := range got.Services.Edges {
			providers = append(providers, e.Node.Institution.ID)
		}
		return providers
	}
	if !slices.Contains(listing(), brownlow) {
		t.Fatal("Brownlow Health provides no listed service")
	}

	before := s.state()
	wantError(t, s.run(admin, op{"retireInstitution", brownlow, map[string]any{"reason": "Practice closed"}}), "BAD_USER_INPUT", "id")
	s.unchanged(before)

	for _, table := range []string{"contact_points", "services", "sites"} {
		rows, err := s.Pool.Query(context.Background(), `SELECT id FROM `+table+` WHERE institution_id = $1 AND retired_at IS NULL`,
			seed.ID("institutions", "brownlow-health"))
		if err != nil {
			t.Fatal(err)
		}
		var ids []uuid.UUID
		for rows.Next() {
			var u uuid.UUID
			if err := rows.Scan(&u); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, u)
		}
		if rows.Err() != nil || len(ids) == 0 {
			t.Fatalf("%s of Brownlow Health: %v %v", table, ids, rows.Err())
		}
		for _, u := range ids {
			s.allow(admin, op{"retire" + tables[table], graph.GlobalID(tables[table], u), map[string]any{"reason": "Practice closed"}})
		}
	}
	s.allow(admin, op{"retireInstitution", brownlow, map[string]any{"reason": "Practice closed"}})
	if providers := listing(); slices.Contains(providers, brownlow) || len(providers) == 0 {
		t.Errorf("services listed after retiring Brownlow Health: %v", providers)
	}
	wantError(t, s.do(anonymous, `query($id: ID!) { institution(id: $id) { id } }`, map[string]any{"id": brownlow}), "NOT_FOUND", "")
	_, ms := s.members("liverpool")
	if _, ok := memberRole(ms, "brownlow-health"); ok {
		t.Errorf("retired institution still among the members")
	}
	if h := s.history(admin, brownlow); len(h) != 1 || h[0].Action != "RETIRE" {
		t.Errorf("history %+v", h)
	}
}

// --- Contact points: leaving post and verifying ---

type currentContact struct {
	Role         string
	Succeeded    bool
	ContactPoint struct{ ID, Name string }
}

func (s *apiServer) contactPoints(c caller, institution, purpose string) []currentContact {
	s.t.Helper()
	var got struct{ ContactPoints []currentContact }
	s.query(c, `query($i: ID!, $p: ContactPurpose!) { contactPoints(institutionId: $i, purpose: $p) {
		role succeeded contactPoint { id name } } }`, map[string]any{"i": institutionID(institution), "p": purpose}, &got)
	return got.ContactPoints
}

// When LJMU's urgent-care contact leaves post with a successor named, the
// successor answers for the purpose from the day after their last day.
func TestEndContactPointHandsOverToSuccessor(t *testing.T) {
	s := newAPIServer(t)
	priya := contactID("ljmu-urgent-care")
	before := s.contactPoints(professional, "ljmu", "URGENT_CARE_NOTIFICATION")
	if len(before) == 0 || before[0].ContactPoint.ID != priya || before[0].Role != "PRIMARY" {
		t.Fatalf("before: %+v", before)
	}

	successor := s.mustMutate(ljmuLead, "createContactPoint", map[string]any{"input": map[string]any{
		"institutionId": institutionID("ljmu"), "serviceId": serviceID("ljmu-wellbeing"),
		"purpose": "URGENT_CARE_NOTIFICATION", "kind": "PERSON", "name": "Tomasz Okonkwo-Reid",
		"jobTitle": "Mental Health Adviser (urgent care link)", "visibility": "PROFESSIONAL",
		"email": "t.okonkwo-reid@ljmu.ac.example", "phone": "01632 960145",
		"deputyId": contactID("ljmu-wellbeing-duty"), "validFrom": ukDate(-3)}})
	if successor.Version != 1 {
		t.Fatalf("created at version %d", successor.Version)
	}

	// The successor must be someone else, and in post the day after.
	s.refuse(ljmuLead, op{"endContactPoint", priya, map[string]any{"validTo": ukDate(-1), "successorId": priya}}, "BAD_USER_INPUT")
	future := s.mustMutate(ljmuLead, "createContactPoint", map[string]any{"input": map[string]any{
		"institutionId": institutionID("ljmu"), "purpose": "GENERAL_ENQUIRIES", "kind": "PERSON", "name": "Starts next month",
		"visibility": "PROFESSIONAL", "email": "new.starter@ljmu.ac.example", "validFrom": ukDate(30)}})
	st := s.state()
	r := s.run(ljmuLead, op{"endContactPoint", priya, map[string]any{"validTo": ukDate(-1), "successorId": future.ID}})
	wantError(t, r, "BAD_USER_INPUT", "successorId")
	s.unchanged(st)

	var ended struct {
		EndContactPoint struct {
			Version   int
			ValidTo   string
			Current   bool
			Successor struct{ ID string }
		}
	}
	s.query(ljmuLead, `mutation($id: ID!, $s: ID) { endContactPoint(id: $id, expectedVersion: 1, validTo: "`+ukDate(-1)+`",
		successorId: $s, reason: "Moved to another university") { version validTo current successor { id } } }`,
		map[string]any{"id": priya, "s": successor.ID}, &ended)
	if e := ended.EndContactPoint; e.Version != 2 || e.ValidTo != ukDate(-1) || e.Current || e.Successor.ID != successor.ID {
		t.Errorf("endContactPoint answered %+v", e)
	}

	after := s.contactPoints(professional, "ljmu", "URGENT_CARE_NOTIFICATION")
	if len(after) == 0 || after[0].ContactPoint.ID != successor.ID || after[0].Role != "PRIMARY" || !after[0].Succeeded {
		t.Fatalf("after: %+v", after)
	}
	for _, c := range after {
		if c.ContactPoint.ID == priya {
			t.Errorf("the contact who left still answers: %+v", after)
		}
	}
	if len(after) != 2 || after[1].ContactPoint.ID != contactID("ljmu-wellbeing-duty") || after[1].Role != "DEPUTY" {
		t.Errorf("the successor's deputy should answer as DEPUTY: %+v", after)
	}
	// Students see neither: both are PROFESSIONAL.
	if got := s.contactPoints(anonymous, "ljmu", "URGENT_CARE_NOTIFICATION"); len(got) != 0 {
		t.Errorf("anonymous sees %+v", got)
	}
	if h := s.history(ljmuLead, priya); len(h) != 1 || h[0].Action != "END" || h[0].Reason == nil {
		t.Errorf("history %+v", h)
	}
}

// A contact who leaves today still answers today; the successor from tomorrow.
func TestEndContactPointTakesEffectTheDayAfter(t *testing.T) {
	s := newAPIServer(t)
	priya := contactID("ljmu-urgent-care")
	successor := s.mustMutate(ljmuLead, "createContactPoint", map[string]any{"input": map[string]any{
		"institutionId": institutionID("ljmu"), "purpose": "URGENT_CARE_NOTIFICATION", "kind": "PERSON",
		"name": "Starts tomorrow", "visibility": "PROFESSIONAL", "email": "starts.tomorrow@ljmu.ac.example",
		"validFrom": ukDate(1)}})
	s.allow(ljmuLead, op{"endContactPoint", priya, map[string]any{"validTo": ukDate(0), "successorId": successor.ID}})
	got := s.contactPoints(professional, "ljmu", "URGENT_CARE_NOTIFICATION")
	if len(got) == 0 || got[0].ContactPoint.ID != priya {
		t.Errorf("today the leaver still answers: %+v", got)
	}
	for _, c := range got {
		if c.ContactPoint.ID == successor.ID {
			t.Errorf("successor answers before starting: %+v", got)
		}
	}
}

// Verifying records who confirmed the details and clears `stale`.
func TestVerifyContactPoint(t *testing.T) {
	s := newAPIServer(t)
	lead := contactID("ljmu-partnership-lead")
	q := `query($id: ID!) { node(id: $id) { ... on ContactPoint { stale lastVerifiedAt version } } }`
	var got struct {
		Node struct {
			Stale          bool
			LastVerifiedAt *string
			Version        int
		}
	}
	s.query(liverpoolLead, q, map[string]any{"id": lead}, &got)
	if !got.Node.Stale || got.Node.LastVerifiedAt != nil {
		t.Fatalf("seeded as never verified: %+v", got.Node)
	}
	s.allow(liverpoolLead, op{"verifyContactPoint", lead, map[string]any{"reason": "Phoned to check"}})
	s.query(liverpoolLead, q, map[string]any{"id": lead}, &got)
	if got.Node.Stale || got.Node.LastVerifiedAt == nil || got.Node.Version != 2 {
		t.Errorf("after verifying: %+v", got.Node)
	}
	if at, err := time.Parse(time.RFC3339, *got.Node.LastVerifiedAt); err != nil || time.Since(at) > time.Minute {
		t.Errorf("lastVerifiedAt %s", *got.Node.LastVerifiedAt)
	}
}

// --- Memberships ---

type member struct {
	Role        string
	Institution struct{ ID string }
}

func (s *apiServer) members(partnership string) (int, []member) {
	s.t.Helper()
	var got struct {
		Partnership struct {
			Version int
			Members []member
		}
	}
	s.query(admin, `query($id: ID!) { partnership(id: $id) { version members { role institution { id } } } }`,
		map[string]any{"id": partnershipID(partnership)}, &got)
	return got.Partnership.Version, got.Partnership.Members
}

func memberRole(ms []member, institution string) (string, bool) {
	for _, m := range ms {
		if m.Institution.ID == institutionID(institution) {
			return m.Role, true
		}
	}
	return "", false
}

// Adding and removing members bumps the partnership's version; removed
// members leave partnership.members (and the partnership lead's scope) but
// their membership row stays.
func TestPartnershipMembership(t *testing.T) {
	s := newAPIServer(t)
	liverpool := partnershipID("liverpool")
	v, ms := s.members("liverpool")
	if v != 1 || len(ms) != 6 {
		t.Fatalf("seeded: version %d, %d members", v, len(ms))
	}

	got := s.allow(admin, op{"addPartnershipMember", liverpool, map[string]any{"institutionId": institutionID("uwe"),
		"role": "Associate member", "reason": "Shares a pathway"}})
	if got.Version != 2 {
		t.Errorf("version after adding: %d", got.Version)
	}
	if _, ms = s.members("liverpool"); len(ms) != 7 {
		t.Errorf("%d members after adding", len(ms))
	}
	if role, ok := memberRole(ms, "uwe"); !ok || role != "Associate member" {
		t.Errorf("UWE's membership: %q %v", role, ok)
	}

	// Adding again changes the role.
	s.allow(admin, op{"addPartnershipMember", liverpool, map[string]any{"institutionId": institutionID("uwe"), "role": "Full member"}})
	if _, ms = s.members("liverpool"); len(ms) != 7 {
		t.Errorf("%d members after changing a role", len(ms))
	} else if role, _ := memberRole(ms, "uwe"); role != "Full member" {
		t.Errorf("role %q", role)
	}

	// Before removal, the Liverpool lead may edit Brownlow Health's records.
	brownlowSite := op{"updateSite", siteID("brownlow-pembroke-place"), map[string]any{"input": map[string]any{"name": "Pembroke Place surgery"}}}
	s.allow(liverpoolLead, brownlowSite)

	got = s.allow(admin, op{"removePartnershipMember", liverpool, map[string]any{"institutionId": institutionID("brownlow-health"),
		"reason": "Practice left the partnership"}})
	if got.Version != 4 {
		t.Errorf("version after removing: %d", got.Version)
	}
	v, ms = s.members("liverpool")
	if _, ok := memberRole(ms, "brownlow-health"); ok || len(ms) != 6 || v != 4 {
		t.Errorf("after removing Brownlow: version %d members %+v", v, ms)
	}
	if n := s.count(`SELECT count(*) FROM partnership_members WHERE partnership_id = $1 AND institution_id = $2
		AND retired_at IS NOT NULL AND retired_reason = 'Practice left the partnership'`,
		seed.ID("partnerships", "liverpool"), seed.ID("institutions", "brownlow-health")); n != 1 {
		t.Errorf("removed membership row: %d", n)
	}
	// ... and the Liverpool lead's scope no longer covers Brownlow Health.
	s.refuse(liverpoolLead, brownlowSite, "FORBIDDEN")

	// A stale version is a CONFLICT and changes nothing.
	for _, o := range []op{
		{"addPartnershipMember", liverpool, map[string]any{"expectedVersion": 3, "institutionId": institutionID("bristol"), "role": "Partner"}},
		{"removePartnershipMember", liverpool, map[string]any{"expectedVersion": 1, "institutionId": institutionID("uol"), "reason": "Left"}},
	} {
		before := s.state()
		r := s.run(admin, o)
		wantError(t, r, "CONFLICT", "")
		if r.Errors[0].Extensions["currentVersion"] != float64(4) {
			t.Errorf("currentVersion: %s", r.Raw)
		}
		s.unchanged(before)
	}

	// Removing an institution that is not a member is refused.
	s.refuse(admin, op{"removePartnershipMember", liverpool, map[string]any{"institutionId": institutionID("brownlow-health"), "reason": "Again"}}, "BAD_USER_INPUT")

	// Each change is in the partnership's history with the members before and after.
	h := s.history(admin, liverpool)
	var actions []string
	for _, e := range h {
		actions = append(actions, e.Action)
	}
	if fmt.Sprint(actions) != "[ADD_MEMBER ADD_MEMBER REMOVE_MEMBER]" {
		t.Fatalf("history %v", actions)
	}
	if !strings.Contains(string(h[0].After), seed.ID("institutions", "uwe").String()) ||
		strings.Contains(string(h[0].Before), seed.ID("institutions", "uwe").String()) {
		t.Errorf("ADD_MEMBER before/after do not show UWE joining:\n%s\n%s", h[0].Before, h[0].After)
	}
	if !strings.Contains(string(h[2].Before), seed.ID("institutions", "brownlow-health").String()) ||
		strings.Contains(string(h[2].After), seed.ID("institutions", "brownlow-health").String()) {
		t.Errorf("REMOVE_MEMBER before/after do not show Brownlow leaving")
	}
}
