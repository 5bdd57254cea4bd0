package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waymark/waymark/graph"
	"github.com/waymark/waymark/seed"
	"github.com/waymark/waymark/store/storetest"
)

// Tests of issue 5's queries and edits through the whole HTTP server:
// nextSteps and its filters, routes (ranked, simple, bounded, cycle-safe),
// pathwayMap and its dead ends, the refusals of every query, their cost in
// SQL statements, and editing agreements, pathways and steps.

// --- nextSteps ---

func TestNextStepsFilters(t *testing.T) {
	s := newAPIServer(t)
	ae := pwService("rluh-ae-liaison")
	keys := func(steps []stepView) []string {
		out := []string{}
		for _, st := range steps {
			out = append(out, st.ID)
		}
		slices.Sort(out)
		return out
	}
	want := func(ks ...string) []string {
		out := []string{}
		for _, k := range ks {
			out = append(out, pwStep(k))
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		name    string
		from    string
		filters map[string]any
		want    []string
	}{
		{"everything from A&E", ae, nil, want("liverpool-after/ae-to-liaison", "liverpool-after/ae-to-uol", "liverpool-after/ae-to-ljmu",
			"liverpool-after/ae-refused-uol", "liverpool-after/ae-refused-ljmu", "liverpool-before/ae-discharged-to-university")},
		{"with consent", ae, map[string]any{"consent": "GIVEN"}, want("liverpool-after/ae-to-liaison", "liverpool-after/ae-to-uol", "liverpool-after/ae-to-ljmu")},
		{"refused", ae, map[string]any{"consent": "REFUSED"}, want("liverpool-after/ae-refused-uol", "liverpool-after/ae-refused-ljmu")},
		{"not asked (the 'before' picture)", ae, map[string]any{"consent": "NOT_ASKED"}, want("liverpool-before/ae-discharged-to-university")},
		{"lacks capacity", ae, map[string]any{"consent": "LACKS_CAPACITY"}, want()},
		{"another situation", ae, map[string]any{"situation": "DISCHARGED_FROM_INPATIENT_CARE"}, want()},
		{"situation, urgency and consent", ae, map[string]any{"situation": "PRESENTS_AT_URGENT_CARE", "urgency": "EMERGENCY", "consent": "GIVEN"},
			want("liverpool-after/ae-to-liaison", "liverpool-after/ae-to-uol", "liverpool-after/ae-to-ljmu")},
		// MHAS's onward steps are for routine and soon only.
		{"MHAS routine", pwService("mhas"), map[string]any{"urgency": "ROUTINE", "consent": "GIVEN"},
			want("liverpool-after/mhas-to-ucope", "liverpool-after/mhas-to-mdt")},
		{"MHAS urgent", pwService("mhas"), map[string]any{"urgency": "URGENT", "consent": "GIVEN"}, want()},
		// UWE to the AWP crisis service: from SOON to URGENT.
		{"UWE routine", pwService("uwe-wellbeing"), map[string]any{"urgency": "ROUTINE"}, want()},
		{"UWE soon", pwService("uwe-wellbeing"), map[string]any{"urgency": "SOON"}, want("bristol-cross-referral/uwe-to-awp")},
		{"UWE urgent", pwService("uwe-wellbeing"), map[string]any{"urgency": "URGENT", "situation": "CONCERN_RAISED_AT_UNIVERSITY"}, want("bristol-cross-referral/uwe-to-awp")},
		{"UWE emergency", pwService("uwe-wellbeing"), map[string]any{"urgency": "EMERGENCY"}, want()},
	} {
		if got := keys(s.nextSteps(aeNurse, c.from, c.filters)); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	// Each step carries its conditions and protocol.
	for _, st := range s.nextSteps(aeNurse, ae, map[string]any{"consent": "GIVEN"}) {
		if st.From.ID != ae || st.Situation != "PRESENTS_AT_URGENT_CARE" || !st.RequiresStudentStatus ||
			!slices.Equal(st.Consents, []string{"GIVEN"}) || st.MinUrgency != "ROUTINE" || st.MaxUrgency != "EMERGENCY" ||
			st.Protocol.Agreement == nil || st.Pathway.ID != pwPathway("liverpool-after") || st.DeadEnd {
			t.Errorf("step %+v", st)
		}
	}
	// The MDT is for professionals: a student does not see the step to it,
	// nor may they ask from it.
	mhasAnon := keys(s.nextSteps(anonymous, pwService("mhas"), map[string]any{"consent": "GIVEN"}))
	if !slices.Equal(mhasAnon, want("liverpool-after/mhas-to-ucope")) {
		t.Errorf("MHAS as a student: %v", mhasAnon)
	}
	r := s.do(anonymous, nextStepsQuery, map[string]any{"from": pwService("liverpool-mdt")})
	if c := r.code(t); c != "NOT_FOUND" {
		t.Errorf("nextSteps from the MDT as a student: %s", c)
	}
}

// --- routes ---

type routeView struct {
	Steps []struct {
		ID                    string
		From, To              struct{ ID string }
		Situation             string
		Consents              []string
		RequiresStudentStatus bool
		MinUrgency            string
		MaxUrgency            string
		Eligibility           *string
		Protocol              struct{ TimeLimitHours *int }
		StudentCanExpect      struct{ FirstContactWithinDays *int }
	}
	ExpectedHours int
}

const routesQuery = `query($a: ID!, $b: ID!, $max: Int) { routes(fromServiceId: $a, toServiceId: $b, maxSteps: $max) {
	steps { id from { id } to { id } situation consents requiresStudentStatus minUrgency maxUrgency eligibility
		protocol { timeLimitHours } studentCanExpect { firstContactWithinDays } }
	expectedHours } }`

func (s *apiServer) routes(c caller, from, to string, maxSteps *int) []routeView {
	s.t.Helper()
	vars := map[string]any{"a": from, "b": to}
	if maxSteps != nil {
		vars["max"] = *maxSteps
	}
	var got struct{ Routes []routeView }
	s.query(c, routesQuery, vars, &got)
	return got.Routes
}

// checkRoutes checks that every route runs from one service to the other
// along joined steps, visits no service twice, has at most max steps, that
// its expected hours are the sum of its steps', and that the routes come
// quickest first.
func checkRoutes(t *testing.T, what string, routes []routeView, from, to string, max int) {
	t.Helper()
	for i, r := range routes {
		if len(r.Steps) == 0 || len(r.Steps) > max {
			t.Errorf("%s: route %d has %d steps (max %d)", what, i, len(r.Steps), max)
			continue
		}
		seen := map[string]bool{from: true}
		at, hours := from, 0
		for _, st := range r.Steps {
			if st.From.ID != at {
				t.Errorf("%s: route %d is not joined at %s", what, i, st.ID)
			}
			if seen[st.To.ID] {
				t.Errorf("%s: route %d visits %s twice", what, i, st.To.ID)
			}
			seen[st.To.ID] = true
			at = st.To.ID
			switch {
			case st.Protocol.TimeLimitHours != nil:
				hours += *st.Protocol.TimeLimitHours
			case st.StudentCanExpect.FirstContactWithinDays != nil:
				hours += 24 * *st.StudentCanExpect.FirstContactWithinDays
			default:
				hours += 24
			}
			if !slices.Contains(st.Consents, "GIVEN") || st.Situation == "" || st.MinUrgency == "" || st.MaxUrgency == "" {
				t.Errorf("%s: route %d step %s conditions: %+v", what, i, st.ID, st)
			}
		}
		if at != to {
			t.Errorf("%s: route %d ends at %s", what, i, at)
		}
		if hours != r.ExpectedHours {
			t.Errorf("%s: route %d expected hours %d, steps add up to %d", what, i, r.ExpectedHours, hours)
		}
		if i > 0 && routes[i-1].ExpectedHours > r.ExpectedHours {
			t.Errorf("%s: route %d (%dh) after a slower one (%dh)", what, i, r.ExpectedHours, routes[i-1].ExpectedHours)
		}
	}
}

func TestRoutes(t *testing.T) {
	s := newAPIServer(t)
	ae, mhas, ucope := pwService("rluh-ae-liaison"), pwService("mhas"), pwService("ucope")

	// The default is four steps.
	all := s.routes(aeNurse, ae, ucope, nil)
	checkRoutes(t, "A&E to U-COPE", all, ae, ucope, 4)
	if len(all) < 3 {
		t.Fatalf("only %d routes from A&E to U-COPE", len(all))
	}
	// Quickest: A&E tells MHAS (24h), MHAS refers to U-COPE (14 days).
	if first := all[0]; len(first.Steps) != 2 || first.Steps[0].ID != pwStep("liverpool-after/ae-to-uol") ||
		first.Steps[1].ID != pwStep("liverpool-after/mhas-to-ucope") || first.ExpectedHours != 24+14*24 {
		t.Errorf("quickest route: %+v", first)
	}
	// The MDT is a professional's route: a student never sees it.
	for _, r := range s.routes(anonymous, ae, ucope, nil) {
		for _, st := range r.Steps {
			if st.To.ID == pwService("liverpool-mdt") {
				t.Errorf("a student's route passes the MDT: %+v", r)
			}
		}
	}

	// maxSteps is honoured.
	one, two, three := 1, 2, 3
	if got := s.routes(aeNurse, ae, ucope, &one); len(got) != 0 {
		t.Errorf("A&E to U-COPE in one step: %+v", got)
	}
	oneStep := s.routes(aeNurse, ae, mhas, &one)
	checkRoutes(t, "A&E to MHAS in 1", oneStep, ae, mhas, 1)
	threeSteps := s.routes(aeNurse, ae, mhas, &three)
	checkRoutes(t, "A&E to MHAS in 3", threeSteps, ae, mhas, 3)
	if len(oneStep) != 1 || oneStep[0].Steps[0].ID != pwStep("liverpool-after/ae-to-uol") || len(threeSteps) <= len(oneStep) {
		t.Errorf("A&E to MHAS: %d routes in one step, %d in three", len(oneStep), len(threeSteps))
	}
	if got := s.routes(aeNurse, ae, ucope, &two); len(got) == 0 || len(got) >= len(all) {
		t.Errorf("A&E to U-COPE in two steps: %d routes (of %d in four)", len(got), len(all))
	}
	// Steps that inform no one, or that apply only without consent, are
	// not routes: the "before" dead end from A&E to MHAS is not offered.
	for _, r := range threeSteps {
		for _, st := range r.Steps {
			if strings.Contains(st.ID, "before") || st.ID == pwStep("liverpool-after/ae-refused-uol") {
				t.Errorf("route uses %s", st.ID)
			}
		}
	}

	// Out of range: BAD_USER_INPUT on maxSteps.
	for _, n := range []int{0, -1, 9} {
		r := s.do(aeNurse, routesQuery, map[string]any{"a": ae, "b": ucope, "max": n})
		if c := r.code(t); c != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "maxSteps" {
			t.Errorf("maxSteps %d: %s", n, r.Raw)
		}
	}
	eight := 8
	checkRoutes(t, "maxSteps 8", s.routes(aeNurse, ae, ucope, &eight), ae, ucope, 8)

	// Cycles: U-COPE hands back to A&E, and MHAS to the Liaison Service,
	// which hands to MHAS. Routes still end and stay simple.
	for _, c := range [][2]string{{"ucope", "rluh-ae-liaison"}, {"mhas", "student-liaison"}, {"brownlow-gp", "mhas"}} {
		s.createStep(pwLiverpoolLead, map[string]any{"fromServiceId": pwService(c[0]), "toServiceId": pwService(c[1]),
			"situation": "CONCERN_RAISED_AT_UNIVERSITY", "receivingPurpose": "GENERAL_ENQUIRIES", "timeLimitHours": 72})
	}
	for _, to := range []string{"brownlow-gp", "ucope", "ljmu-wellbeing"} {
		rs := s.routes(aeNurse, ae, pwService(to), &eight)
		checkRoutes(t, "with cycles to "+to, rs, ae, pwService(to), 8)
		if len(rs) == 0 {
			t.Errorf("with cycles: no route to %s", to)
		}
	}
	// A route back to where it started is not simple: none.
	if got := s.routes(aeNurse, ae, ae, &eight); len(got) != 0 {
		t.Errorf("routes from A&E to itself: %+v", got)
	}

	// At most 20: five more ways from A&E to MHAS and four more from MHAS
	// to U-COPE make 6 × 5 = 30 two-step routes.
	for i := range 5 {
		s.createStep(pwLiverpoolLead, map[string]any{"fromServiceId": ae, "toServiceId": mhas,
			"situation": "PRESENTS_AT_URGENT_CARE", "receivingPurpose": "GENERAL_ENQUIRIES", "timeLimitHours": 30 + i})
	}
	for i := range 4 {
		s.createStep(pwLiverpoolLead, map[string]any{"fromServiceId": mhas, "toServiceId": ucope,
			"situation": "CONCERN_RAISED_AT_UNIVERSITY", "receivingPurpose": "GENERAL_ENQUIRIES", "timeLimitHours": 100 + 10*i})
	}
	capped := s.routes(aeNurse, ae, ucope, &two)
	checkRoutes(t, "capped", capped, ae, ucope, 2)
	if len(capped) != 20 {
		t.Fatalf("%d routes, want the cap of 20", len(capped))
	}
	// The quickest of the thirty: 24h to MHAS then the 100h referral.
	if capped[0].ExpectedHours != 124 {
		t.Errorf("quickest capped route takes %dh, want 124", capped[0].ExpectedHours)
	}
	capped8 := s.routes(aeNurse, ae, ucope, &eight)
	checkRoutes(t, "capped, 8 steps", capped8, ae, ucope, 8)
	if len(capped8) != 20 {
		t.Errorf("%d routes in 8 steps, want 20", len(capped8))
	}
}

// createStep adds a step to the Liverpool "after" pathway, with consent.
func (s *apiServer) createStep(c caller, input map[string]any) stepView {
	s.t.Helper()
	in := map[string]any{"pathwayId": pwPathway("liverpool-after"), "agreementId": pwAgreement("liverpool-consent-isa")}
	for k, v := range input {
		in[k] = v
	}
	var got struct{ CreatePathwayStep stepView }
	s.query(c, `mutation($in: CreatePathwayStepInput!) { createPathwayStep(input: $in, reason: "Test") { `+stepFields+` } }`,
		map[string]any{"in": in}, &got)
	return got.CreatePathwayStep
}

// --- pathwayMap ---

type pathwayMapView struct {
	Nodes     []struct{ ID, Name string }
	Edges     []struct{ ID string }
	DeadEnds  []struct{ ID string }
	Flowchart string
}

const pathwayMapQuery = `query($p: ID!) { pathwayMap(partnershipId: $p) { nodes { id name } edges { id } deadEnds { id } flowchart } }`

func (s *apiServer) pathwayMap(c caller, partnership string) pathwayMapView {
	s.t.Helper()
	var got struct{ PathwayMap pathwayMapView }
	s.query(c, pathwayMapQuery, map[string]any{"p": partnership}, &got)
	return got.PathwayMap
}

func TestPathwayMap(t *testing.T) {
	s := newAPIServer(t)
	m := s.pathwayMap(aeNurse, pwPartnership("liverpool"))

	var edges, dead, nodes []string
	for _, e := range m.Edges {
		edges = append(edges, e.ID)
	}
	for _, e := range m.DeadEnds {
		dead = append(dead, e.ID)
	}
	for _, n := range m.Nodes {
		nodes = append(nodes, n.ID)
	}
	// Both Liverpool pathways, every step.
	wantSteps := s.count(`SELECT count(*) FROM pathway_steps st JOIN pathways p ON p.id = st.pathway_id
		WHERE p.partnership_id = $1 AND st.retired_at IS NULL AND p.retired_at IS NULL`, seed.ID("partnerships", "liverpool"))
	if len(edges) != wantSteps {
		t.Errorf("%d edges, want %d", len(edges), wantSteps)
	}
	for _, k := range []string{"liverpool-after/ae-to-ljmu", "liverpool-before/ae-discharged-to-university", "liverpool-after/mdt-to-ucope"} {
		if !slices.Contains(edges, pwStep(k)) {
			t.Errorf("edges lack %s", k)
		}
	}
	for _, k := range []string{"rluh-ae-liaison", "mhas", "ljmu-wellbeing", "student-liaison", "liverpool-mdt", "ucope", "brownlow-gp"} {
		if !slices.Contains(nodes, pwService(k)) {
			t.Errorf("nodes lack %s", k)
		}
	}
	// The "before" dead end (discharged 'to university', no one informed)
	// is a dead end; the refused-consent steps, which inform no one on
	// purpose, are not.
	for _, k := range []string{"liverpool-before/ae-discharged-to-university", "liverpool-before/not-suitable-referred-elsewhere"} {
		if !slices.Contains(dead, pwStep(k)) {
			t.Errorf("deadEnds lack %s: %v", k, dead)
		}
	}
	for _, k := range []string{"liverpool-after/ae-refused-ljmu", "liverpool-after/ae-to-ljmu"} {
		if slices.Contains(dead, pwStep(k)) {
			t.Errorf("deadEnds include %s", k)
		}
	}
	// The Mermaid text draws the dead end dashed, says "no one informed"
	// and marks its end with the deadEnd class.
	f := m.Flowchart
	if !strings.HasPrefix(f, "flowchart LR\n") {
		t.Errorf("flowchart: %q", f)
	}
	ids := map[string]string{}
	for i, n := range m.Nodes {
		ids[n.ID] = fmt.Sprintf("s%d", i+1)
		if !strings.Contains(f, fmt.Sprintf("%s[\"%s\"]", ids[n.ID], strings.ReplaceAll(n.Name, `"`, "#quot;"))) {
			t.Errorf("flowchart lacks node %s", n.Name)
		}
	}
	dashed := fmt.Sprintf("%s -. \"presents at urgent care (consent not asked): no one informed\" .-> %s", ids[pwService("rluh-ae-liaison")], ids[pwService("mhas")])
	if !strings.Contains(f, dashed) {
		t.Errorf("flowchart lacks the dashed dead end %q:\n%s", dashed, f)
	}
	solid := fmt.Sprintf("%s -- \"presents at urgent care\" --> %s", ids[pwService("rluh-ae-liaison")], ids[pwService("ljmu-wellbeing")])
	if !strings.Contains(f, solid) {
		t.Errorf("flowchart lacks the hand-over to LJMU %q", solid)
	}
	if !strings.Contains(f, "\n  linkStyle ") || strings.Contains(f, "class ") {
		t.Errorf("flowchart does not mark dead-end steps (and only steps):\n%s", f)
	}
	if n := strings.Count(f, "no one informed"); n != len(dead) {
		t.Errorf("%d dashed edges, %d dead ends", n, len(dead))
	}

	// A student sees the map without the professionals' MDT.
	anon := s.pathwayMap(anonymous, pwPartnership("liverpool"))
	for _, n := range anon.Nodes {
		if n.ID == pwService("liverpool-mdt") {
			t.Error("a student's map shows the MDT")
		}
	}
	if strings.Contains(anon.Flowchart, "MDT") {
		t.Errorf("a student's flowchart names the MDT")
	}

	// A new step with no receiving purpose is recorded and shows as a dead end.
	st := s.createStep(pwLiverpoolLead, map[string]any{"fromServiceId": pwService("brownlow-gp"), "toServiceId": pwService("guild-advice"),
		"situation": "CONCERN_RAISED_AT_UNIVERSITY", "agreementId": nil})
	if !st.DeadEnd || st.Protocol.ReceivingPurpose != nil {
		t.Fatalf("step without a receiving purpose: %+v", st)
	}
	m = s.pathwayMap(aeNurse, pwPartnership("liverpool"))
	if !slices.ContainsFunc(m.DeadEnds, func(e struct{ ID string }) bool { return e.ID == st.ID }) {
		t.Error("the new dead end is not in deadEnds")
	}
	if !strings.Contains(m.Flowchart, "concern raised at university: no one informed") {
		t.Errorf("the new dead end is not drawn:\n%s", m.Flowchart)
	}
	// A hand-over along it warns that no one is informed.
	h := s.mustHandover(aeNurse, pwService("brownlow-gp"), pwInst("liverpool-guild"), "CONCERN_RAISED_AT_UNIVERSITY", "GIVEN")
	if w, ok := warningOf(h.Warnings, "NO_ONE_INFORMED"); !ok || len(h.ContactPoints) != 0 || !strings.Contains(w.Message, "informs no one") {
		t.Errorf("handover along a dead end: %+v", h)
	}

	// Other partnerships have their own maps.
	gm := s.pathwayMap(anonymous, pwPartnership("greater-manchester"))
	if len(gm.Edges) != 5 || len(gm.DeadEnds) != 0 || strings.Contains(gm.Flowchart, "linkStyle") {
		t.Errorf("Greater Manchester map: %d edges, %d dead ends", len(gm.Edges), len(gm.DeadEnds))
	}
}

// --- Refusals ---

func TestPathwayQueriesRefuseBadIDs(t *testing.T) {
	s := newAPIServer(t)
	ae, ljmu := pwService("rluh-ae-liaison"), pwInst("ljmu")
	unknownService := graph.GlobalID("Service", uuid.New())
	unknownInst := graph.GlobalID("Institution", uuid.New())
	unknownPartnership := graph.GlobalID("Partnership", uuid.New())
	const (
		handover = `query($a: ID!, $b: ID!) { handover(fromServiceId: $a, toInstitutionId: $b, situation: PRESENTS_AT_URGENT_CARE, consent: GIVEN) { consent } }`
		next     = `query($a: ID!) { nextSteps(fromServiceId: $a) { id } }`
		routes   = `query($a: ID!, $b: ID!) { routes(fromServiceId: $a, toServiceId: $b) { expectedHours } }`
		signpost = `query($a: ID) { signpost(institutionId: $a, need: SELF_HARM, urgency: URGENT) { section } }`
		pwMap    = `query($a: ID!) { pathwayMap(partnershipId: $a) { flowchart } }`
	)
	for _, c := range []struct {
		name, query string
		vars        map[string]any
		code, field string
	}{
		{"handover: malformed from", handover, map[string]any{"a": "not-an-id", "b": ljmu}, "BAD_USER_INPUT", "fromServiceId"},
		{"handover: from is an institution", handover, map[string]any{"a": ljmu, "b": ljmu}, "BAD_USER_INPUT", "fromServiceId"},
		{"handover: to is a service", handover, map[string]any{"a": ae, "b": ae}, "BAD_USER_INPUT", "toInstitutionId"},
		{"handover: malformed to", handover, map[string]any{"a": ae, "b": "!!"}, "BAD_USER_INPUT", "toInstitutionId"},
		{"handover: unknown service", handover, map[string]any{"a": unknownService, "b": ljmu}, "NOT_FOUND", ""},
		{"handover: unknown institution", handover, map[string]any{"a": ae, "b": unknownInst}, "NOT_FOUND", ""},
		{"nextSteps: malformed", next, map[string]any{"a": "xyz"}, "BAD_USER_INPUT", "fromServiceId"},
		{"nextSteps: an institution", next, map[string]any{"a": ljmu}, "BAD_USER_INPUT", "fromServiceId"},
		{"nextSteps: unknown", next, map[string]any{"a": unknownService}, "NOT_FOUND", ""},
		{"routes: malformed from", routes, map[string]any{"a": "xyz", "b": ae}, "BAD_USER_INPUT", "fromServiceId"},
		{"routes: to is an institution", routes, map[string]any{"a": ae, "b": ljmu}, "BAD_USER_INPUT", "toServiceId"},
		{"routes: unknown from", routes, map[string]any{"a": unknownService, "b": ae}, "NOT_FOUND", ""},
		{"routes: unknown to", routes, map[string]any{"a": ae, "b": unknownService}, "NOT_FOUND", ""},
		{"signpost: malformed", signpost, map[string]any{"a": "xyz"}, "BAD_USER_INPUT", "institutionId"},
		{"signpost: a service", signpost, map[string]any{"a": ae}, "BAD_USER_INPUT", "institutionId"},
		{"signpost: unknown", signpost, map[string]any{"a": unknownInst}, "NOT_FOUND", ""},
		{"pathwayMap: malformed", pwMap, map[string]any{"a": "xyz"}, "BAD_USER_INPUT", "partnershipId"},
		{"pathwayMap: an institution", pwMap, map[string]any{"a": ljmu}, "BAD_USER_INPUT", "partnershipId"},
		{"pathwayMap: unknown", pwMap, map[string]any{"a": unknownPartnership}, "NOT_FOUND", ""},
	} {
		for _, who := range []caller{anonymous, aeNurse} {
			r := s.do(who, c.query, c.vars)
			if len(r.Errors) != 1 {
				t.Errorf("%s as %q: %s", c.name, who.Role, r.Raw)
				continue
			}
			if code := r.code(t); code != c.code {
				t.Errorf("%s as %q: %s, want %s", c.name, who.Role, code, c.code)
			}
			if f, _ := r.Errors[0].Extensions["field"].(string); c.field != "" && f != c.field {
				t.Errorf("%s as %q: field %q, want %q", c.name, who.Role, f, c.field)
			}
			if d := strings.ReplaceAll(string(r.Data), " ", ""); d != "null" && d != "" {
				t.Errorf("%s: data %s", c.name, d)
			}
		}
	}
	// Retired records are gone too.
	if _, err := s.Pool.Exec(t.Context(), `UPDATE services SET retired_at = now() WHERE id = $1`, seed.ID("services", "guild-advice")); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		query string
		vars  map[string]any
	}{
		{handover, map[string]any{"a": pwService("guild-advice"), "b": ljmu}},
		{next, map[string]any{"a": pwService("guild-advice")}},
		{routes, map[string]any{"a": ae, "b": pwService("guild-advice")}},
	} {
		if c := s.do(aeNurse, q.query, q.vars).code(t); c != "NOT_FOUND" {
			t.Errorf("retired service: %s", c)
		}
	}
	// A professionals-only service does not exist for a student.
	r := s.do(anonymous, handover, map[string]any{"a": pwService("liverpool-mdt"), "b": ljmu})
	if c := r.code(t); c != "NOT_FOUND" {
		t.Errorf("handover from the MDT as a student: %s", c)
	}
}

// --- Cost ---

// stmtCounter counts the SQL statements sent to the database.
type stmtCounter struct{ n atomic.Int64 }

func (c *stmtCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (c *stmtCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// newCountingServer is newAPIServer with a statement counter on its pool.
func newCountingServer(t *testing.T) (*apiServer, *stmtCounter) {
	return newCountingServerEnv(t, nil)
}

// newCountingServerEnv is newCountingServer configured by env.
func newCountingServerEnv(t *testing.T, env map[string]string) (*apiServer, *stmtCounter) {
	t.Helper()
	pcfg, err := pgxpool.ParseConfig(storetest.URL(t, storetest.WithData("seed-"+seed.Key(), seed.Load)))
	if err != nil {
		t.Fatal(err)
	}
	counter := &stmtCounter{}
	pcfg.ConnConfig.Tracer = counter
	pool := storetest.PoolFromConfig(t, pcfg)
	cfg := testConfig(t, env)
	srv := httptest.NewServer(testRouter(t, cfg, pool))
	t.Cleanup(srv.Close)
	return &apiServer{t: t, URL: srv.URL, Pool: pool, cfg: cfg}, counter
}

// growDirectory adds n services each at LJMU, the University of Liverpool
// and Mersey Care, with contacts for LJMU's urgent-care purpose, steps from
// A&E to each new LJMU service and from MHAS to each new Mersey Care one,
// and opening hours for all.
func growDirectory(t *testing.T, s *apiServer, n int) {
	t.Helper()
	ctx := t.Context()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := s.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%v\n%s", err, sql)
		}
	}
	for _, inst := range []string{"ljmu", "uol", "mersey-care"} {
		exec(`INSERT INTO services (institution_id, name, description, category, needs, care_level, access_routes,
				delivery_modes, how_to_access, what_to_expect, expected_wait_days, phone)
			SELECT $1, 'Extra ' || $2 || ' service ' || g, 'An extra service for the cost test.', 'ADVICE',
				'{SELF_HARM,LOW_MOOD}', 2, '{SELF_REFERRAL}', '{ONLINE,PHONE}', 'Self-refer online.', 'A call back.', g % 20, '01632 960999'
			FROM generate_series(1, $3::int) g`, seed.ID("institutions", inst), inst, n)
		if inst != "mersey-care" { // the NHS's are open to anyone
			exec(`INSERT INTO service_eligible_institutions (service_id, institution_id)
				SELECT id, $1 FROM services WHERE name LIKE 'Extra ' || $2 || ' service %'`, seed.ID("institutions", inst), inst)
		}
		exec(`INSERT INTO contact_points (institution_id, service_id, purpose, kind, name, visibility, email, valid_from, last_verified_at)
			SELECT $1, id, 'GENERAL_ENQUIRIES', 'TEAM', 'Extra enquiries ' || name, 'PUBLIC', 'extra@example.ac.uk', current_date - 30, now()
			FROM services WHERE name LIKE 'Extra ' || $2 || ' service %'`, seed.ID("institutions", inst), inst)
	}
	exec(`INSERT INTO contact_points (institution_id, service_id, purpose, kind, name, visibility, email, deputy_id, valid_from, last_verified_at)
		SELECT $1, id, 'URGENT_CARE_NOTIFICATION', 'PERSON', 'Extra Adviser ' || name, 'PROFESSIONAL', 'extra.adviser@ljmu.ac.example', $2,
			current_date - 30, now() - interval '500 days'
		FROM services WHERE name LIKE 'Extra ljmu service %'`, seed.ID("institutions", "ljmu"), seed.ID("contact_points", "ljmu-wellbeing-duty"))
	exec(`INSERT INTO service_opening_hours (service_id, day_of_week, opens, closes)
		SELECT s.id, d, '09:00', '17:00' FROM services s, generate_series(1, 5) d WHERE s.name LIKE 'Extra % service %'`)
	step := `INSERT INTO pathway_steps (pathway_id, from_service_id, to_service_id, situation, consents, receiving_purpose,
			agreement_id, what_to_send, channel, time_limit_hours, first_contact_days, student_expectation)
		SELECT $1, $2, id, $3, '{GIVEN}', $4, $5, '{CONTACT_DETAILS}', 'SECURE_EMAIL', 24, 2, 'Someone calls you.'
		FROM services WHERE name LIKE $6`
	pw, isa := seed.ID("pathways", "liverpool-after"), seed.ID("sharing_agreements", "liverpool-consent-isa")
	exec(step, pw, seed.ID("services", "rluh-ae-liaison"), "PRESENTS_AT_URGENT_CARE", "URGENT_CARE_NOTIFICATION", isa, "Extra ljmu service %")
	exec(step, pw, seed.ID("services", "mhas"), "CONCERN_RAISED_AT_UNIVERSITY", "GENERAL_ENQUIRIES", isa, "Extra mersey-care service %")
}

func TestHandoverNextStepsAndSignpostCostFixedStatements(t *testing.T) {
	s, counter := newCountingServer(t)
	ae, ljmu, uol := pwService("rluh-ae-liaison"), pwInst("ljmu"), pwInst("uol")
	type request struct {
		name  string
		who   caller
		query string
		vars  map[string]any
		// size is how many items the answer holds, to show it grew.
		size func(gqlResponse) int
	}
	count := func(path string) func(gqlResponse) int {
		return func(r gqlResponse) int { return strings.Count(r.Raw, path) }
	}
	requests := []request{
		{"handover (consent given)", aeNurse, handoverQuery, map[string]any{"from": ae, "to": ljmu, "situation": "PRESENTS_AT_URGENT_CARE", "consent": "GIVEN"},
			count(`"role"`)},
		{"handover (consent refused)", aeNurse, handoverQuery, map[string]any{"from": ae, "to": ljmu, "situation": "PRESENTS_AT_URGENT_CARE", "consent": "REFUSED"},
			count(`"section"`)},
		{"handover (fallback contact)", aeNurse, handoverQuery, map[string]any{"from": ae, "to": ljmu, "situation": "CRISIS_TEAM_CONTACT", "consent": "GIVEN"},
			count(`"role"`)},
		{"nextSteps", aeNurse, nextStepsQuery, map[string]any{"from": ae}, count(`"deadEnd"`)},
		{"signpost", anonymous, signpostQuery, map[string]any{"i": uol, "need": "SELF_HARM", "urgency": "URGENT"}, count(`"section"`)},
		{"signpost (signed in)", aeNurse, signpostQuery, map[string]any{"i": uol, "need": "SELF_HARM", "urgency": "URGENT"}, count(`"section"`)},
		{"signpost (national)", anonymous, signpostQuery, map[string]any{"need": "LOW_MOOD", "urgency": "ROUTINE"}, count(`"section"`)},
	}
	// Loaders gather keys for a few milliseconds, so under load a batch can
	// split in two: take the fewest and most statements of a few runs.
	measure := func(rq request) (lo, hi int64, size int) {
		lo = 1 << 30
		for range 4 {
			before := counter.n.Load()
			r := s.do(rq.who, rq.query, rq.vars)
			n := counter.n.Load() - before
			if len(r.Errors) > 0 {
				t.Fatalf("%s: %s", rq.name, r.Raw)
			}
			lo, hi, size = min(lo, n), max(hi, n), rq.size(r)
		}
		return lo, hi, size
	}
	type cost struct {
		lo, hi int64
		size   int
	}
	small := map[string]cost{}
	for _, rq := range requests {
		lo, hi, size := measure(rq)
		small[rq.name] = cost{lo, hi, size}
	}
	growDirectory(t, s, 50)
	for _, rq := range requests {
		lo, hi, size := measure(rq)
		was := small[rq.name]
		t.Logf("%s: %d–%d statements for %d items on the seed; %d–%d for %d items with 150 more services", rq.name,
			was.lo, was.hi, was.size, lo, hi, size)
		if rq.name != "handover (consent refused)" && size <= was.size {
			t.Errorf("%s: the answer did not grow (%d items, was %d)", rq.name, size, was.size)
		}
		if lo > was.hi {
			t.Errorf("%s: at least %d statements on a bigger directory, at most %d on the seed: it grows", rq.name, lo, was.hi)
		}
		if hi > 15 {
			t.Errorf("%s: %d statements, more than a small fixed number", rq.name, hi)
		}
	}
}

// --- Editing agreements, pathways and steps ---

type auditRow struct {
	Action, EntityType, ActorSubject string
	Version                          int
	Reason                           *string
}

func (s *apiServer) auditRows(c caller, gid string) []auditRow {
	s.t.Helper()
	var got struct {
		AuditLog struct{ Edges []struct{ Node auditRow } }
	}
	s.query(c, `query($id: ID!) { auditLog(entityId: $id, first: 100) { edges { node { action entityType actorSubject version reason } } } }`,
		map[string]any{"id": gid}, &got)
	out := []auditRow{}
	for _, e := range got.AuditLog.Edges {
		out = append(out, e.Node)
	}
	return out
}

func (s *apiServer) checkAudit(gid, entityType string, actions ...string) {
	s.t.Helper()
	rows := s.auditRows(pwLiverpoolLead, gid)
	var got []string
	for i, r := range rows {
		got = append(got, r.Action)
		if r.EntityType != entityType || r.Version != i+1 || r.ActorSubject != pwLiverpoolLead.Subject {
			s.t.Errorf("audit of %s: %+v", entityType, r)
		}
	}
	if !slices.Equal(got, actions) {
		s.t.Errorf("audit of %s: %v, want %v", entityType, got, actions)
	}
}

// wantRefused checks that r failed with code, and with field when given.
func wantRefused(t *testing.T, what string, r gqlResponse, code, field string) {
	t.Helper()
	if len(r.Errors) != 1 {
		t.Errorf("%s: %s", what, r.Raw)
		return
	}
	if c, _ := r.Errors[0].Extensions["code"].(string); code != "" && c != code {
		t.Errorf("%s: %s, want %s (%s)", what, c, code, r.Errors[0].Message)
	}
	if f, _ := r.Errors[0].Extensions["field"].(string); field != "" && f != field {
		t.Errorf("%s: field %q, want %q", what, f, field)
	}
}

const (
	createAgreementDoc = `mutation($in: CreateSharingAgreementInput!) { createSharingAgreement(input: $in, reason: "New ISA") { ` + agreementFields + ` } }`
	updateAgreementDoc = `mutation($id: ID!, $v: Int!, $in: UpdateSharingAgreementInput!) { updateSharingAgreement(id: $id, expectedVersion: $v, input: $in, reason: "Review") { ` + agreementFields + ` } }`
	retireAgreementDoc = `mutation($id: ID!, $v: Int!) { retireSharingAgreement(id: $id, expectedVersion: $v, reason: "Superseded") { ` + agreementFields + ` } }`
	createPathwayDoc   = `mutation($in: CreatePathwayInput!) { createPathway(input: $in, reason: "New pathway") { id name description version partnership { id } steps { id } } }`
	updatePathwayDoc   = `mutation($id: ID!, $v: Int!, $in: UpdatePathwayInput!) { updatePathway(id: $id, expectedVersion: $v, input: $in) { id name description version } }`
	retirePathwayDoc   = `mutation($id: ID!, $v: Int!) { retirePathway(id: $id, expectedVersion: $v, reason: "Replaced") { id version } }`
	createStepDoc      = `mutation($in: CreatePathwayStepInput!) { createPathwayStep(input: $in, reason: "New step") { ` + stepFields + ` } }`
	updateStepDoc      = `mutation($id: ID!, $v: Int!, $in: UpdatePathwayStepInput!) { updatePathwayStep(id: $id, expectedVersion: $v, input: $in, reason: "Faster") { ` + stepFields + ` } }`
	retireStepDoc      = `mutation($id: ID!, $v: Int!) { retirePathwayStep(id: $id, expectedVersion: $v, reason: "No longer used") { id version } }`
)

func newAgreementInput() map[string]any {
	return map[string]any{"partnershipId": pwPartnership("liverpool"), "name": "Liverpool vital interests agreement",
		"partyIds": []string{pwInst("uol"), pwInst("mersey-care")}, "lawfulBasis": "VITAL_INTERESTS",
		"permitsSharingWithoutConsent": true, "scopeOfData": "Name and risk summary.", "signedOn": pwDay(-10), "reviewOn": pwDay(355)}
}

func TestEditPathwaySharingAgreements(t *testing.T) {
	s := newAPIServer(t)

	// Who may not.
	for _, c := range []struct {
		who  caller
		code string
	}{{anonymous, "UNAUTHENTICATED"}, {aeNurse, "FORBIDDEN"}, {pwBristolLead, "FORBIDDEN"}} {
		wantRefused(t, "create as "+c.who.Name, s.do(c.who, createAgreementDoc, map[string]any{"in": newAgreementInput()}), c.code, "")
		wantRefused(t, "update as "+c.who.Name, s.do(c.who, updateAgreementDoc, map[string]any{"id": pwAgreement("liverpool-consent-isa"), "v": 1,
			"in": map[string]any{"name": "Taken over"}}), c.code, "")
		wantRefused(t, "retire as "+c.who.Name, s.do(c.who, retireAgreementDoc, map[string]any{"id": pwAgreement("liverpool-safeguarding-isa"), "v": 1}), c.code, "")
	}
	// Only administrators record agreements of no partnership.
	noPartnership := newAgreementInput()
	delete(noPartnership, "partnershipId")
	wantRefused(t, "agreement of no partnership", s.do(pwLiverpoolLead, createAgreementDoc, map[string]any{"in": noPartnership}), "FORBIDDEN", "")

	// A Liverpool lead may.
	var created struct{ CreateSharingAgreement agreementView }
	s.query(pwLiverpoolLead, createAgreementDoc, map[string]any{"in": newAgreementInput()}, &created)
	a := created.CreateSharingAgreement
	if a.Version != 1 || a.Status != "ACTIVE" || a.LawfulBasis != "VITAL_INTERESTS" || len(a.Parties) != 2 || !a.PermitsSharingWithoutConsent {
		t.Fatalf("created: %+v", a)
	}
	var updated struct{ UpdateSharingAgreement agreementView }
	s.query(pwLiverpoolLead, updateAgreementDoc, map[string]any{"id": a.ID, "v": 1, "in": map[string]any{
		"partyIds": []string{pwInst("uol"), pwInst("ljmu"), pwInst("mersey-care")}, "lawfulBasis": "OTHER",
		"lawfulBasisDetail": "Public task (UK GDPR Article 6(1)(e))."}}, &updated)
	u := updated.UpdateSharingAgreement
	if u.Version != 2 || len(u.Parties) != 3 || u.LawfulBasis != "OTHER" || u.LawfulBasisDetail == nil || u.Name != a.Name {
		t.Errorf("updated: %+v", u)
	}
	// A stale version is a conflict and changes nothing.
	r := s.do(pwLiverpoolLead, updateAgreementDoc, map[string]any{"id": a.ID, "v": 1, "in": map[string]any{"name": "Stale edit"}})
	wantRefused(t, "stale update", r, "CONFLICT", "")
	if len(r.Errors) == 1 && r.Errors[0].Extensions["currentVersion"] != float64(2) {
		t.Errorf("currentVersion: %v", r.Errors[0].Extensions["currentVersion"])
	}
	wantRefused(t, "stale retire", s.do(pwLiverpoolLead, retireAgreementDoc, map[string]any{"id": a.ID, "v": 1}), "CONFLICT", "")

	// Validation, each on its field.
	for _, c := range []struct {
		name   string
		change map[string]any
		field  string
	}{
		{"one party", map[string]any{"partyIds": []string{pwInst("uol")}}, "input.partyIds"},
		{"the same party twice", map[string]any{"partyIds": []string{pwInst("uol"), pwInst("uol")}}, "input.partyIds"},
		{"an unknown party", map[string]any{"partyIds": []string{pwInst("uol"), graph.GlobalID("Institution", uuid.New())}}, "input.partyIds"},
		{"a party that is a service", map[string]any{"partyIds": []string{pwInst("uol"), pwService("mhas")}}, "input.partyIds.1"},
		{"OTHER without detail", map[string]any{"lawfulBasis": "OTHER"}, "input.lawfulBasisDetail"},
		{"review before signed", map[string]any{"signedOn": pwDay(0), "reviewOn": pwDay(-1)}, "input.reviewOn"},
		{"unknown status", map[string]any{"status": "SIGNED"}, "input.status"},
		{"blank name", map[string]any{"name": "  "}, "input.name"},
	} {
		in := newAgreementInput()
		for k, v := range c.change {
			in[k] = v
		}
		wantRefused(t, "create: "+c.name, s.do(pwLiverpoolLead, createAgreementDoc, map[string]any{"in": in}), "BAD_USER_INPUT", c.field)
	}
	wantRefused(t, "update: one party", s.do(pwLiverpoolLead, updateAgreementDoc, map[string]any{"id": a.ID, "v": 2,
		"in": map[string]any{"partyIds": []string{pwInst("uol")}}}), "BAD_USER_INPUT", "input.partyIds")
	wantRefused(t, "update: OTHER detail cleared", s.do(pwLiverpoolLead, updateAgreementDoc, map[string]any{"id": a.ID, "v": 2,
		"in": map[string]any{"lawfulBasisDetail": nil}}), "BAD_USER_INPUT", "input.lawfulBasisDetail")

	// Retiring an agreement that steps rest on is refused.
	consent := pwAgreement("liverpool-consent-isa")
	r = s.do(pwLiverpoolLead, retireAgreementDoc, map[string]any{"id": consent, "v": 1})
	wantRefused(t, "retire the consent agreement", r, "BAD_USER_INPUT", "")
	if len(r.Errors) == 1 && !strings.Contains(r.Errors[0].Message, "pathway steps") {
		t.Errorf("message: %q", r.Errors[0].Message)
	}
	// Retiring the new one works, and it is gone.
	var retired struct{ RetireSharingAgreement agreementView }
	s.query(pwLiverpoolLead, retireAgreementDoc, map[string]any{"id": a.ID, "v": 2}, &retired)
	if retired.RetireSharingAgreement.Version != 3 {
		t.Errorf("retired: %+v", retired.RetireSharingAgreement)
	}
	wantRefused(t, "node of a retired agreement", s.do(pwLiverpoolLead, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": a.ID}), "NOT_FOUND", "")
	s.checkAudit(a.ID, "SharingAgreement", "CREATE", "UPDATE", "RETIRE")
	// The audit is scoped like the record.
	wantRefused(t, "audit as Bristol", s.do(pwBristolLead, `query($id: ID!) { auditLog(entityId: $id) { totalCount } }`, map[string]any{"id": a.ID}), "FORBIDDEN", "")
	// Nothing refused was written.
	if n := s.count(`SELECT count(*) FROM sharing_agreements WHERE partnership_id = $1`, seed.ID("partnerships", "liverpool")); n != 3 {
		t.Errorf("%d Liverpool agreements, want the two seeded and the new one", n)
	}
}

func TestEditPathwaysAndSteps(t *testing.T) {
	s := newAPIServer(t)
	liverpool := pwPartnership("liverpool")

	// Pathways: who may not.
	for _, c := range []struct {
		who  caller
		code string
	}{{anonymous, "UNAUTHENTICATED"}, {aeNurse, "FORBIDDEN"}, {pwBristolLead, "FORBIDDEN"}} {
		wantRefused(t, "create pathway as "+c.who.Name, s.do(c.who, createPathwayDoc, map[string]any{"in": map[string]any{
			"partnershipId": liverpool, "name": "Halls to GP"}}), c.code, "")
		wantRefused(t, "update pathway as "+c.who.Name, s.do(c.who, updatePathwayDoc, map[string]any{"id": pwPathway("liverpool-after"), "v": 1,
			"in": map[string]any{"name": "Renamed"}}), c.code, "")
		wantRefused(t, "retire pathway as "+c.who.Name, s.do(c.who, retirePathwayDoc, map[string]any{"id": pwPathway("liverpool-before"), "v": 1}), c.code, "")
	}
	// A Bristol lead may edit Bristol's.
	var bristol struct{ UpdatePathway struct{ Version int } }
	s.query(pwBristolLead, updatePathwayDoc, map[string]any{"id": pwPathway("bristol-cross-referral"), "v": 1,
		"in": map[string]any{"description": "Reviewed at the Practice Liaison Forum."}}, &bristol)
	if bristol.UpdatePathway.Version != 2 {
		t.Errorf("Bristol pathway version %d", bristol.UpdatePathway.Version)
	}

	// A Liverpool lead: create, update, conflicting update, validation.
	var created struct {
		CreatePathway struct {
			ID, Name    string
			Description *string
			Version     int
			Partnership struct{ ID string }
			Steps       []struct{ ID string }
		}
	}
	s.query(pwLiverpoolLead, createPathwayDoc, map[string]any{"in": map[string]any{"partnershipId": liverpool, "name": "Halls to GP",
		"description": "Residence Life help students register with a GP."}}, &created)
	p := created.CreatePathway
	if p.Version != 1 || p.Partnership.ID != liverpool || len(p.Steps) != 0 {
		t.Fatalf("created pathway: %+v", p)
	}
	r := s.do(pwLiverpoolLead, createPathwayDoc, map[string]any{"in": map[string]any{"partnershipId": liverpool, "name": "Halls to GP"}})
	wantRefused(t, "duplicate pathway name", r, "BAD_USER_INPUT", "")
	wantRefused(t, "blank pathway name", s.do(pwLiverpoolLead, createPathwayDoc, map[string]any{"in": map[string]any{
		"partnershipId": liverpool, "name": " "}}), "BAD_USER_INPUT", "input.name")
	wantRefused(t, "pathway of an unknown partnership", s.do(pwAdmin, createPathwayDoc, map[string]any{"in": map[string]any{
		"partnershipId": graph.GlobalID("Partnership", uuid.New()), "name": "Nowhere"}}), "BAD_USER_INPUT", "input.partnershipId")
	var upd struct{ UpdatePathway struct{ Name, Version any } }
	s.query(pwLiverpoolLead, updatePathwayDoc, map[string]any{"id": p.ID, "v": 1, "in": map[string]any{"name": "Halls to GP registration"}}, &upd)
	if upd.UpdatePathway.Version != float64(2) || upd.UpdatePathway.Name != "Halls to GP registration" {
		t.Errorf("updated pathway: %+v", upd.UpdatePathway)
	}
	wantRefused(t, "stale pathway update", s.do(pwLiverpoolLead, updatePathwayDoc, map[string]any{"id": p.ID, "v": 1,
		"in": map[string]any{"name": "Stale"}}), "CONFLICT", "")

	// Steps: who may not.
	stepInput := func(change map[string]any) map[string]any {
		in := map[string]any{"pathwayId": p.ID, "fromServiceId": pwService("uol-residence-life"), "toServiceId": pwService("brownlow-gp"),
			"situation": "CONCERN_RAISED_AT_UNIVERSITY", "consents": []string{"GIVEN"}, "minUrgency": "ROUTINE", "maxUrgency": "SOON",
			"whatToSend": []string{"CONTACT_DETAILS"}, "channel": "STUDENT_SELF_REFERS", "timeLimitHours": 72,
			"receivingPurpose": "GENERAL_ENQUIRIES", "agreementId": pwAgreement("liverpool-consent-isa"),
			"firstContactWithinDays": 7, "studentExpectation": "Residence Life help you register with Brownlow Health."}
		for k, v := range change {
			in[k] = v
		}
		return in
	}
	for _, c := range []struct {
		who  caller
		code string
	}{{anonymous, "UNAUTHENTICATED"}, {aeNurse, "FORBIDDEN"}, {pwBristolLead, "FORBIDDEN"}} {
		wantRefused(t, "create step as "+c.who.Name, s.do(c.who, createStepDoc, map[string]any{"in": stepInput(nil)}), c.code, "")
		wantRefused(t, "update step as "+c.who.Name, s.do(c.who, updateStepDoc, map[string]any{"id": pwStep("liverpool-after/ae-to-ljmu"), "v": 1,
			"in": map[string]any{"timeLimitHours": 1}}), c.code, "")
		wantRefused(t, "retire step as "+c.who.Name, s.do(c.who, retireStepDoc, map[string]any{"id": pwStep("liverpool-after/ae-to-ljmu"), "v": 1}), c.code, "")
	}
	// A Liverpool lead may not edit Bristol's steps.
	wantRefused(t, "Liverpool lead on a Bristol step", s.do(pwLiverpoolLead, updateStepDoc, map[string]any{"id": pwStep("bristol-cross-referral/awp-to-uwe"), "v": 1,
		"in": map[string]any{"timeLimitHours": 1}}), "FORBIDDEN", "")

	// Validation, each on its field.
	unknownService := graph.GlobalID("Service", uuid.New())
	for _, c := range []struct {
		name   string
		change map[string]any
		code   string
		field  string
	}{
		{"from and to the same service", map[string]any{"toServiceId": pwService("uol-residence-life")}, "BAD_USER_INPUT", "input.toServiceId"},
		{"minUrgency above maxUrgency", map[string]any{"minUrgency": "URGENT", "maxUrgency": "SOON"}, "BAD_USER_INPUT", "input.maxUrgency"},
		{"an unknown service", map[string]any{"toServiceId": unknownService}, "BAD_USER_INPUT", "input.fromServiceId"},
		{"a service that is an institution", map[string]any{"toServiceId": pwInst("uol")}, "BAD_USER_INPUT", "input.toServiceId"},
		{"an unknown agreement", map[string]any{"agreementId": graph.GlobalID("SharingAgreement", uuid.New())}, "BAD_USER_INPUT", "input.agreementId"},
		{"an agreement that is a pathway", map[string]any{"agreementId": p.ID}, "BAD_USER_INPUT", "input.agreementId"},
		{"no consents", map[string]any{"consents": []string{}}, "BAD_USER_INPUT", "input.consents"},
		{"negative time limit", map[string]any{"timeLimitHours": -1}, "BAD_USER_INPUT", "input.timeLimitHours"},
		{"an unknown pathway", map[string]any{"pathwayId": graph.GlobalID("Pathway", uuid.New())}, "BAD_USER_INPUT", "input.pathwayId"},
	} {
		wantRefused(t, "create step: "+c.name, s.do(pwLiverpoolLead, createStepDoc, map[string]any{"in": stepInput(c.change)}), c.code, c.field)
	}

	var made struct{ CreatePathwayStep stepView }
	s.query(pwLiverpoolLead, createStepDoc, map[string]any{"in": stepInput(nil)}, &made)
	st := made.CreatePathwayStep
	if st.Version != 1 || st.DeadEnd || st.Pathway.ID != p.ID || st.MaxUrgency != "SOON" || st.Protocol.Agreement == nil ||
		st.Protocol.TimeLimitHours == nil || *st.Protocol.TimeLimitHours != 72 {
		t.Fatalf("created step: %+v", st)
	}
	// It is live at once: the next step from halls.
	if !slices.Contains(stepIDs(s.nextSteps(aeNurse, pwService("uol-residence-life"), map[string]any{"urgency": "SOON"})), st.ID) {
		t.Error("the new step is not among the next steps from halls")
	}
	var updStep struct{ UpdatePathwayStep stepView }
	s.query(pwLiverpoolLead, updateStepDoc, map[string]any{"id": st.ID, "v": 1, "in": map[string]any{"timeLimitHours": 48, "receivingPurpose": nil,
		"agreementId": nil}}, &updStep)
	u := updStep.UpdatePathwayStep
	if u.Version != 2 || u.Protocol.TimeLimitHours == nil || *u.Protocol.TimeLimitHours != 48 || !u.DeadEnd || u.Protocol.Agreement != nil {
		t.Errorf("updated step: %+v", u)
	}
	wantRefused(t, "stale step update", s.do(pwLiverpoolLead, updateStepDoc, map[string]any{"id": st.ID, "v": 1,
		"in": map[string]any{"timeLimitHours": 1}}), "CONFLICT", "")
	wantRefused(t, "update step: from = to", s.do(pwLiverpoolLead, updateStepDoc, map[string]any{"id": st.ID, "v": 2,
		"in": map[string]any{"fromServiceId": pwService("brownlow-gp")}}), "BAD_USER_INPUT", "input.toServiceId")
	wantRefused(t, "update step: urgencies", s.do(pwLiverpoolLead, updateStepDoc, map[string]any{"id": st.ID, "v": 2,
		"in": map[string]any{"minUrgency": "EMERGENCY"}}), "BAD_USER_INPUT", "input.maxUrgency")
	wantRefused(t, "update step: unknown agreement", s.do(pwLiverpoolLead, updateStepDoc, map[string]any{"id": st.ID, "v": 2,
		"in": map[string]any{"agreementId": graph.GlobalID("SharingAgreement", uuid.New())}}), "BAD_USER_INPUT", "input.agreementId")
	// The dead end shows on the map.
	m := s.pathwayMap(aeNurse, liverpool)
	if !slices.ContainsFunc(m.DeadEnds, func(e struct{ ID string }) bool { return e.ID == st.ID }) {
		t.Error("the step that informs no one is not a dead end on the map")
	}

	var retiredStep struct{ RetirePathwayStep struct{ Version int } }
	s.query(pwLiverpoolLead, retireStepDoc, map[string]any{"id": st.ID, "v": 2}, &retiredStep)
	if retiredStep.RetirePathwayStep.Version != 3 {
		t.Errorf("retired step version %d", retiredStep.RetirePathwayStep.Version)
	}
	if slices.Contains(stepIDs(s.nextSteps(aeNurse, pwService("uol-residence-life"), nil)), st.ID) {
		t.Error("a retired step is still a next step")
	}
	s.checkAudit(st.ID, "PathwayStep", "CREATE", "UPDATE", "RETIRE")

	// Retiring the pathway takes its steps with it.
	s.createStep(pwLiverpoolLead, map[string]any{"pathwayId": p.ID, "fromServiceId": pwService("uol-residence-life"),
		"toServiceId": pwService("brownlow-gp"), "situation": "RETURNING_TO_STUDY", "receivingPurpose": "GENERAL_ENQUIRIES"})
	var retired struct{ RetirePathway struct{ Version int } }
	s.query(pwLiverpoolLead, retirePathwayDoc, map[string]any{"id": p.ID, "v": 2}, &retired)
	if retired.RetirePathway.Version != 3 {
		t.Errorf("retired pathway version %d", retired.RetirePathway.Version)
	}
	if got := s.nextSteps(aeNurse, pwService("uol-residence-life"), map[string]any{"situation": "RETURNING_TO_STUDY"}); len(got) != 0 {
		t.Errorf("steps of a retired pathway: %v", stepIDs(got))
	}
	s.checkAudit(p.ID, "Pathway", "CREATE", "UPDATE", "RETIRE")
}
