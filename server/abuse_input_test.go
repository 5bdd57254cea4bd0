package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Abuse tests of strict input (issue 9, items 4 and 7): enum values that are
// not exactly a schema value, control characters where they cannot belong,
// and database constraints that Go validation did not foresee. Each is
// refused with BAD_USER_INPUT naming the field, before any resolver runs,
// changes nothing, and leaks nothing of the server's insides.

// consentHandoverQuery asks for a hand-over plan with the consent in a variable.
const consentHandoverQuery = `query($from: ID!, $to: ID!, $c: Consent!) {
	handover(fromServiceId: $from, toInstitutionId: $to, situation: PRESENTS_AT_URGENT_CARE, consent: $c) { consent shareWithConsent } }`

// leakWords are what an error body must never hold: SQL, database and Go
// internals.
var leakWords = []string{"SQLSTATE", "sqlstate", "pgx", "pgconn", "postgres", "constraint", "violates", "_key", "_check",
	"_fkey", "_pkey", "relation", "SELECT", "INSERT", "UPDATE ", "goroutine", "panic", ".go:", "runtime.", "invalid byte sequence"}

// refusedInput fails t unless r is one request error: HTTP 200 (the client
// asked for application/json), no data, extensions.code BAD_USER_INPUT,
// extensions.field field, a message holding each of says, and no leak.
func refusedInput(t *testing.T, r gqlResponse, field string, says ...string) {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Errorf("status %d, want 200: %s", r.Status, r.Raw)
	}
	if code := r.code(t); code != "BAD_USER_INPUT" {
		t.Errorf("code %q, want BAD_USER_INPUT: %s", code, r.Raw)
	}
	if got, _ := r.Errors[0].Extensions["field"].(string); got != field {
		t.Errorf("extensions.field %q, want %q: %s", got, field, r.Raw)
	}
	if d := string(r.Data); d != "" && d != "null" {
		t.Errorf("data %s, want none: nothing may run", d)
	}
	for _, s := range says {
		if !strings.Contains(r.Errors[0].Message, s) {
			t.Errorf("message %q does not say %q", r.Errors[0].Message, s)
		}
	}
	noLeak(t, r)
}

// noLeak fails t if the body holds SQL, constraint names, stack traces or
// raw control characters.
func noLeak(t *testing.T, r gqlResponse) {
	t.Helper()
	for _, w := range leakWords {
		if strings.Contains(r.Raw, w) {
			t.Errorf("response leaks %q: %s", w, r.Raw)
		}
	}
	if strings.Contains(r.Raw, `\u0000`) || strings.ContainsRune(r.Raw, 0) {
		t.Errorf("response echoes a NUL: %s", r.Raw)
	}
}

func TestAbuseEnumVariableConsentLowercase(t *testing.T) {
	s := newAPIServer(t)
	vars := map[string]any{"from": pwService("rluh-ae-liaison"), "to": institutionID("uol"), "c": "given"}
	r := s.do(aeNurse, consentHandoverQuery, vars)
	refusedInput(t, r, "consent", `"given"`, "GIVEN")
	if strings.Contains(r.Raw, `"consent":"given"`) {
		t.Errorf("the lower-case value is echoed as an output: %s", r.Raw)
	}

	// The exact value is answered, and echoed exactly.
	vars["c"] = "GIVEN"
	var got struct {
		Handover struct {
			Consent          string
			ShareWithConsent bool
		}
	}
	s.query(aeNurse, consentHandoverQuery, vars, &got)
	if got.Handover.Consent != "GIVEN" {
		t.Errorf("consent %q, want GIVEN", got.Handover.Consent)
	}
}

func TestAbuseEnumVariableNeedLowercase(t *testing.T) {
	s := newAPIServer(t)
	q := `query($need: Need!) { signpost(need: $need, urgency: URGENT) { section } }`
	refusedInput(t, s.do(anonymous, q, map[string]any{"need": "self_harm"}), "need", `"self_harm"`, "SELF_HARM")
	refusedInput(t, s.do(anonymous, q, map[string]any{"need": "Self_Harm"}), "need", `"Self_Harm"`)
	var ok struct{ Signpost []struct{ Section string } }
	s.query(anonymous, q, map[string]any{"need": "SELF_HARM"}, &ok)
	if len(ok.Signpost) == 0 {
		t.Error("signpost for SELF_HARM is empty")
	}
}

func TestAbuseEnumVariableUrgencyLowercase(t *testing.T) {
	s := newAPIServer(t)
	refusedInput(t, s.do(anonymous, `query($u: Urgency!) { signpost(need: SELF_HARM, urgency: $u) { section } }`,
		map[string]any{"u": "urgent"}), "urgency", `"urgent"`, "URGENT")
	// An optional enum argument, on another query.
	refusedInput(t, s.do(aeNurse, `query($a: ID!, $u: Urgency) { nextSteps(fromServiceId: $a, urgency: $u) { id } }`,
		map[string]any{"a": pwService("rluh-ae-liaison"), "u": "Emergency"}), "urgency", `"Emergency"`)
}

func TestAbuseEnumInlineLowercase(t *testing.T) {
	s := newAPIServer(t)
	// Written inline, gqlparser's validation already compares exactly:
	// the document does not validate, and the error names the argument.
	r := s.do(aeNurse, `query($from: ID!, $to: ID!) {
		handover(fromServiceId: $from, toInstitutionId: $to, situation: PRESENTS_AT_URGENT_CARE, consent: given) { consent } }`,
		map[string]any{"from": pwService("rluh-ae-liaison"), "to": institutionID("uol")})
	refusedInput(t, r, "consent", "given")
	// Inside an input object.
	r = s.do(anonymous, `{ services(filter: {needs: [SELF_HARM, low_mood]}) { totalCount } }`, nil)
	refusedInput(t, r, "filter.needs", "low_mood")
}

func TestAbuseEnumInListVariable(t *testing.T) {
	s := newAPIServer(t)
	q := `query($f: ServiceFilter) { services(filter: $f) { totalCount } }`
	refusedInput(t, s.do(anonymous, q, map[string]any{"f": map[string]any{"needs": []string{"SELF_HARM", "low_mood"}}}),
		"filter.needs", `"low_mood"`)
	// A single value where a list is expected is coerced to a list, and checked.
	refusedInput(t, s.do(anonymous, q, map[string]any{"f": map[string]any{"needs": "anxiety"}}), "filter.needs", `"anxiety"`)
	// A list of enums in a list variable of its own.
	refusedInput(t, s.do(anonymous, `query($n: [Need!]) { services(filter: {needs: $n}) { totalCount } }`,
		map[string]any{"n": []string{"Anxiety"}}), "filter.needs", `"Anxiety"`)
}

func TestAbuseEnumInsideInputObject(t *testing.T) {
	s := newAPIServer(t)
	before, audits := s.state(), s.audits()
	_, r := s.updateService(liverpoolLead, "ucope", map[string]any{"capacityStatus": "waiting_list"})
	refusedInput(t, r, "input.capacityStatus", `"waiting_list"`, "WAITING_LIST")
	// Nested deeper: an opening period's day.
	_, r = s.updateService(liverpoolLead, "ucope", map[string]any{"openingHours": []map[string]any{
		{"day": "monday", "opens": "09:00", "closes": "17:00"}}})
	refusedInput(t, r, "input.openingHours.day", `"monday"`, "MONDAY")
	s.unchanged(before)
	if n := s.audits(); n != audits {
		t.Errorf("audit log grew from %d to %d", audits, n)
	}
}

func TestAbuseNULInFilterText(t *testing.T) {
	s := newAPIServer(t)
	// Inline: a GraphQL string literal with the \u0000 escape.
	refusedInput(t, s.do(anonymous, `{ services(filter: {text: "abc\u0000def"}) { totalCount } }`, nil),
		"filter.text", "NUL")
	// In a variable, and in the institutions filter too.
	refusedInput(t, s.do(anonymous, `query($t: String) { institutions(filter: {text: $t}) { totalCount } }`,
		map[string]any{"t": "liver\x00pool"}), "filter.text", "NUL")
	// Other control characters in a one-line field.
	refusedInput(t, s.do(anonymous, `query($t: String) { services(filter: {text: $t}) { totalCount } }`,
		map[string]any{"t": "\x1b[31mred"}), "filter.text", "control characters")
}

func TestAbuseNULInMutationName(t *testing.T) {
	s := newAPIServer(t)
	before, audits := s.state(), s.audits()
	_, r := s.updateService(liverpoolLead, "ucope", map[string]any{"name": "U-\x00COPE"})
	refusedInput(t, r, "input.name", "NUL")
	inst := newInstitution()
	inst["input"].(map[string]any)["name"] = "Liverpool\x00City College"
	refusedInput(t, s.do(admin, `mutation($input: CreateInstitutionInput!, $reason: String) {
		createInstitution(input: $input, reason: $reason) { id } }`, inst), "input.name", "NUL")
	// A line break in a name, and NUL in a prose field and in a reason.
	_, r = s.updateService(liverpoolLead, "ucope", map[string]any{"name": "U-COPE\nInjected line"})
	refusedInput(t, r, "input.name", "one line")
	_, r = s.updateService(liverpoolLead, "ucope", map[string]any{"description": "Therapy\x00"})
	refusedInput(t, r, "input.description", "NUL")
	refusedInput(t, s.do(liverpoolLead, `mutation($id: ID!) { updateService(id: $id, expectedVersion: 1,
		input: {expectedWaitDays: 3}, reason: "bell\u0007") { version } }`, map[string]any{"id": serviceID("ucope")}),
		"reason", "control characters")
	s.unchanged(before)
	if n := s.audits(); n != audits {
		t.Errorf("audit log grew from %d to %d", audits, n)
	}
}

func TestAbuseProseKeepsLineBreaks(t *testing.T) {
	s := newAPIServer(t)
	got, r := s.updateService(liverpoolLead, "ucope", map[string]any{
		"howToAccess": "Ask your GP.\r\n\r\nOr refer yourself:\n\t1. online\n\t2. by phone"})
	if len(r.Errors) > 0 {
		t.Fatalf("tabs and line breaks in prose are refused: %s", r.Raw)
	}
	if got.Version != 2 {
		t.Errorf("version %d, want 2", got.Version)
	}
}

func TestAbuseNULInID(t *testing.T) {
	s := newAPIServer(t)
	refusedInput(t, s.do(anonymous, `{ service(id: "U2VydmljZTo\u0000") { name } }`, nil), "id", "NUL")
	refusedInput(t, s.do(anonymous, `query($id: ID!) { node(id: $id) { id } }`,
		map[string]any{"id": serviceID("ucope") + "\x00"}), "id", "NUL")
	// An ID in a list, inside an input object.
	before := s.state()
	_, r := s.updateService(liverpoolLead, "ucope", map[string]any{"partnerIds": []string{institutionID("uol"), "\x00"}})
	refusedInput(t, r, "input.partnerIds", "NUL")
	// A cursor.
	refusedInput(t, s.do(anonymous, `query($a: String) { services(after: $a) { totalCount } }`,
		map[string]any{"a": "YzEAbmFtZQB4AGZm\x00"}), "after", "NUL")
	s.unchanged(before)
}

func TestAbuseUniqueConstraint(t *testing.T) {
	s := newAPIServer(t)
	before, audits := s.state(), s.audits()
	inst := newInstitution()
	inst["input"].(map[string]any)["ukprn"] = "10006842" // the University of Liverpool's
	r := s.do(admin, `mutation($input: CreateInstitutionInput!, $reason: String) {
		createInstitution(input: $input, reason: $reason) { id } }`, inst)
	if r.Status != http.StatusOK || r.code(t) != "BAD_USER_INPUT" {
		t.Fatalf("want BAD_USER_INPUT: %s", r.Raw)
	}
	if f, _ := r.Errors[0].Extensions["field"].(string); f != "input.ukprn" {
		t.Errorf("field %q, want input.ukprn", f)
	}
	if !strings.Contains(r.Errors[0].Message, "already the UKPRN of another institution") {
		t.Errorf("message %q is not a plain sentence about the UKPRN", r.Errors[0].Message)
	}
	noLeak(t, r)
	// Also through an update: give LJMU the University of Liverpool's UKPRN.
	r = s.do(admin, `mutation($id: ID!, $v: Int!) { updateInstitution(id: $id, expectedVersion: $v, input: {ukprn: "10006842"}) { id } }`,
		map[string]any{"id": institutionID("ljmu"), "v": s.version(institutionID("ljmu"))})
	if r.code(t) != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "input.ukprn" {
		t.Errorf("update to a taken UKPRN: %s", r.Raw)
	}
	noLeak(t, r)
	s.unchanged(before)
	if n := s.audits(); n != audits {
		t.Errorf("audit log grew from %d to %d", audits, n)
	}
}

// TestAbuseStrictInputStatusForGraphQLResponse: a client that asks for
// application/graphql-response+json gets 400 for refused input, as for any
// variable that does not fit its type.
func TestAbuseStrictInputStatusForGraphQLResponse(t *testing.T) {
	s := newAPIServer(t)
	body, _ := json.Marshal(map[string]any{"query": `query($need: Need!) { signpost(need: $need, urgency: URGENT) { section } }`,
		"variables": map[string]any{"need": "self_harm"}})
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d, want 400: %s", res.StatusCode, raw)
	}
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	r.Raw = string(raw)
	if r.code(t) != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "need" {
		t.Errorf("want BAD_USER_INPUT on need: %s", raw)
	}
}

// TestAbuseEnumVariableUnknown: a value that is no spelling of any of the
// enum's values is refused by gqlgen's own variable coercion, before strict
// input runs; it is still BAD_USER_INPUT with the argument's input path as
// the field, and a control character in it is not echoed raw.
func TestAbuseEnumVariableUnknown(t *testing.T) {
	s := newAPIServer(t)
	vars := map[string]any{"from": pwService("rluh-ae-liaison"), "to": institutionID("uol"), "c": "MAYBE"}
	r := s.do(aeNurse, consentHandoverQuery, vars)
	refusedInput(t, r, "consent", "MAYBE")
	vars["c"] = "GIVEN\x00"
	refusedInput(t, s.do(aeNurse, consentHandoverQuery, vars), "consent")
	// Inside an input object, the field is the input path.
	refusedInput(t, s.do(anonymous, `query($f: ServiceFilter) { services(filter: $f) { totalCount } }`,
		map[string]any{"f": map[string]any{"needs": []string{"SLEEP"}}}), "filter.needs", "SLEEP")
}
