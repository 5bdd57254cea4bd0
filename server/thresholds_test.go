package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark/waymark/graph"
	"github.com/waymark/waymark/seed"
)

// Tests of thresholds of responsibility (issue 4) through the whole HTTP
// server: the lifecycle DRAFT → PROPOSED → AGREED (→ SUPERSEDED or
// WITHDRAWN), who may take each step and sign for which side, versions and
// conflicts, the as-of history, whoHandles and the catalogue of areas.

// Global IDs of seeded areas and thresholds.
func areaID(key string) string      { return id("ResponsibilityArea", "responsibility_areas", key) }
func thresholdID(key string) string { return id("Threshold", "thresholds", key) }

// Leads who sign thresholds: their token names the Liverpool partnership
// (threshold edits are scoped by partnership) and the member institution
// they sign for (which decides their side).
var (
	uolSigner      = caller{Role: "lead", Name: "Helen UoL", Subject: "lead-uol-signer", Partnerships: []string{"liverpool"}, Institutions: []string{"uol"}}
	ljmuSigner     = caller{Role: "lead", Name: "Joan LJMU", Subject: "lead-ljmu-signer", Partnerships: []string{"liverpool"}, Institutions: []string{"ljmu"}}
	merseySigner   = caller{Role: "lead", Name: "Tomasz Mersey", Subject: "lead-mersey-signer", Partnerships: []string{"liverpool"}, Institutions: []string{"mersey-care"}}
	brownlowSigner = caller{Role: "lead", Name: "Bo Brownlow", Subject: "lead-brownlow-signer", Partnerships: []string{"liverpool"}, Institutions: []string{"brownlow-health"}}
	// Leads who cannot sign Liverpool thresholds, though they may edit them
	// (except the Bristol one).
	guildLead      = caller{Role: "lead", Name: "Gil Guild", Subject: "lead-guild", Partnerships: []string{"liverpool"}, Institutions: []string{"liverpool-guild"}}
	ahsnLead       = caller{Role: "lead", Name: "Ina Innovation", Subject: "lead-ahsn", Partnerships: []string{"liverpool"}, Institutions: []string{"innovation-agency"}}
	nonMemberLead  = caller{Role: "lead", Name: "Una UWE", Subject: "lead-uwe-in-liverpool", Partnerships: []string{"liverpool"}, Institutions: []string{"uwe"}}
	bothSidesLead  = caller{Role: "lead", Name: "Bea Both", Subject: "lead-both-sides", Partnerships: []string{"liverpool"}, Institutions: []string{"uol", "mersey-care"}}
	bristolSigner  = caller{Role: "lead", Name: "Uri UWE", Subject: "lead-uwe", Partnerships: []string{"bristol"}, Institutions: []string{"uwe"}}
	signerRefusals = []struct {
		name string
		who  caller
	}{
		{"administrator", admin},
		{"lead naming no institution", liverpoolLead},
		{"lead of the students' union (neither side)", guildLead},
		{"lead of the AHSN (neither side)", ahsnLead},
		{"lead naming a university that is not a member", nonMemberLead},
		{"lead naming institutions on both sides", bothSidesLead},
	}
)

type serviceOnThreshold struct {
	ID, Name, Visibility string
	ContactPoints        []struct{ ID, Name, Visibility string }
}

type signOffView struct {
	Side        string
	Institution struct{ ID string }
	SignerName  *string
	SignedAt    time.Time
	Voided      bool
}

type thresholdVersionView struct {
	Number                              int
	Status                              string
	ResponsibleParty                    string
	Collaboration, Escalation, StepDown *string
	NhsServices, HepServices            []serviceOnThreshold
	SignOffs                            []signOffView
	CreatedAt                           time.Time
	ProposedAt, AgreedAt                *time.Time
	SupersededAt, WithdrawnAt           *time.Time
	WithdrawnReason                     *string
}

type thresholdView struct {
	ID          string
	Version     int
	Partnership struct{ ID string }
	Area        struct{ ID, Name string }
	InForce     *thresholdVersionView
	Pending     *thresholdVersionView
	History     []thresholdVersionView
	UpdatedAt   time.Time
}

const versionFields = `number status responsibleParty collaboration escalation stepDown
	nhsServices { id name visibility contactPoints { id name visibility } }
	hepServices { id name visibility contactPoints { id name visibility } }
	signOffs { side institution { id } signerName signedAt voided }
	createdAt proposedAt agreedAt supersededAt withdrawnAt withdrawnReason`

const thresholdFields = `id version partnership { id } area { id name }
	inForce { ` + versionFields + ` } pending { ` + versionFields + ` } history { ` + versionFields + ` } updatedAt`

// threshold reads one threshold by node(id) as c.
func (s *apiServer) threshold(c caller, gid string) thresholdView {
	s.t.Helper()
	var got struct{ Node thresholdView }
	s.query(c, `query($id: ID!) { node(id: $id) { ... on Threshold { `+thresholdFields+` } } }`, map[string]any{"id": gid}, &got)
	return got.Node
}

// thresholds is thresholds(partnershipId, asOf) as c.
func (s *apiServer) thresholds(c caller, partnership string, asOf *time.Time) []thresholdView {
	s.t.Helper()
	vars := map[string]any{"p": partnershipID(partnership)}
	if asOf != nil {
		vars["at"] = asOf.Format(time.RFC3339Nano)
	}
	var got struct{ Thresholds []thresholdView }
	s.query(c, `query($p: ID!, $at: DateTime) { thresholds(partnershipId: $p, asOf: $at) { `+thresholdFields+` } }`, vars, &got)
	return got.Thresholds
}

// thresholdIn finds the threshold with global ID gid among ts.
func thresholdIn(t *testing.T, ts []thresholdView, gid string) thresholdView {
	t.Helper()
	for _, th := range ts {
		if th.ID == gid {
			return th
		}
	}
	t.Fatalf("threshold %s not listed", gid)
	return thresholdView{}
}

// step runs a threshold mutation as c, answering the whole threshold.
func (s *apiServer) step(c caller, mutation string, vars map[string]any) (thresholdView, gqlResponse) {
	s.t.Helper()
	r := s.do(c, mutationDoc(mutation, thresholdFields), vars)
	var data map[string]thresholdView
	if len(r.Errors) == 0 {
		r.decode(s.t, &data)
	}
	return data[mutation], r
}

// mustStep runs a threshold mutation that must succeed.
func (s *apiServer) mustStep(c caller, mutation string, vars map[string]any) thresholdView {
	s.t.Helper()
	th, r := s.step(c, mutation, vars)
	if len(r.Errors) > 0 {
		s.t.Fatalf("%s as %s %v %v: %s", mutation, c.Role, c.Partnerships, c.Institutions, r.Raw)
	}
	return th
}

// stepOn is vars for a step on the threshold gid at its current version.
func (s *apiServer) stepOn(gid string, more map[string]any) map[string]any {
	s.t.Helper()
	vars := map[string]any{"id": gid, "expectedVersion": s.version(gid)}
	maps.Copy(vars, more)
	return vars
}

// refuseStep runs a threshold mutation as c, which must fail with code (and
// extensions.field, when given) and change nothing: the threshold keeps its
// version and no audit entry is written.
func (s *apiServer) refuseStep(c caller, mutation string, vars map[string]any, code, field string) gqlResponse {
	s.t.Helper()
	target, _ := vars["id"].(string)
	version := 0
	if target != "" {
		if _, err := graph.ParseID("Threshold", target); err == nil && s.exists(target) {
			version = s.version(target)
		}
	}
	audits, before := s.audits(), s.state()
	_, r := s.step(c, mutation, vars)
	wantError(s.t, r, code, field)
	if version != 0 && s.version(target) != version {
		s.t.Errorf("%s: threshold version moved from %d to %d", mutation, version, s.version(target))
	}
	if n := s.audits(); n != audits {
		s.t.Errorf("%s: %d audit entries written", mutation, n-audits)
	}
	s.unchanged(before)
	return r
}

// exists reports whether the record with global ID gid has a row.
func (s *apiServer) exists(gid string) bool {
	s.t.Helper()
	table, u := rowOf(s.t, gid)
	return s.count(`SELECT count(*) FROM `+table+` WHERE id = $1`, u) == 1
}

func names(svcs []serviceOnThreshold) []string {
	var out []string
	for _, s := range svcs {
		out = append(out, s.ID)
	}
	return out
}

// scenario4Input is the new text of "crisis and post-crisis care".
func scenario4Input() map[string]any {
	return map[string]any{
		"responsibleParty": "SHARED",
		"collaboration": "During a crisis the NHS leads: Mersey Care's crisis line and crisis team, or A&E liaison. " +
			"With the student's consent the Student Liaison Service tells the university within one working day, " +
			"and a university mental health adviser offers a follow-up within two working days. " +
			"Post-crisis care is reviewed at the weekly MDT until both agree it can step down.",
		"escalation":    "A university adviser who sees risk rising after a crisis calls the Student Liaison Service the same day, or 999 if risk is imminent.",
		"stepDown":      "When the MDT agrees the crisis has passed, the Student Liaison Service hands over to the university adviser with a written safety plan.",
		"nhsServiceIds": []string{serviceID("mersey-care-crisis-line"), serviceID("student-liaison"), serviceID("liverpool-mdt")},
		"hepServiceIds": []string{serviceID("mhas"), serviceID("ljmu-wellbeing")},
	}
}

// auditActions is the values of the schema's AuditAction enum.
func (s *apiServer) auditActions() []string {
	s.t.Helper()
	var got struct {
		Type struct{ EnumValues []struct{ Name string } } `json:"__type"`
	}
	s.query(anonymous, `{ __type(name: "AuditAction") { enumValues { name } } }`, nil, &got)
	var out []string
	for _, v := range got.Type.EnumValues {
		out = append(out, v.Name)
	}
	return out
}

// --- Scenario 4 ---

// A partnership lead changes "crisis and post-crisis care" from UNCLEAR to
// SHARED, describing how the university and the trust collaborate. The
// NHS-side lead signs it off; it becomes AGREED. Another lead, editing an
// old version at the same moment, is told of the conflict; nothing is
// silently overwritten. Both versions remain in the history.
func TestScenario4CrisisCareBecomesShared(t *testing.T) {
	s := newAPIServer(t)
	crisis := thresholdID("liverpool-crisis")
	seeded := s.threshold(uolSigner, crisis)
	if seeded.Version != 4 || seeded.InForce == nil || seeded.InForce.Number != 1 || seeded.InForce.Status != "AGREED" ||
		seeded.InForce.ResponsibleParty != "UNCLEAR" || seeded.Pending != nil || len(seeded.History) != 1 ||
		seeded.Area.ID != areaID("crisis-and-post-crisis-care") || seeded.Partnership.ID != partnershipID("liverpool") {
		t.Fatalf("seeded crisis threshold: %s", asJSON(seeded))
	}
	// What the other lead read, to edit later.
	staleVersion := seeded.Version

	// 1. The UoL lead changes the agreed text: a new DRAFT, v2, beside v1,
	// which stays in force.
	in := scenario4Input()
	th := s.mustStep(uolSigner, "updateThreshold", map[string]any{"id": crisis, "expectedVersion": 4, "input": in,
		"reason": "Agreed in principle at the quarterly steering group"})
	if th.Version != 5 || th.InForce == nil || th.InForce.Number != 1 || th.InForce.ResponsibleParty != "UNCLEAR" ||
		th.Pending == nil || th.Pending.Number != 2 || th.Pending.Status != "DRAFT" || th.Pending.ResponsibleParty != "SHARED" ||
		th.Pending.Collaboration == nil || *th.Pending.Collaboration != in["collaboration"] || len(th.History) != 2 {
		t.Fatalf("after the change: %s", asJSON(th))
	}
	if got, want := names(th.Pending.NhsServices), in["nhsServiceIds"].([]string); !sameSet(got, want) {
		t.Errorf("v2 NHS services %v, want %v", got, want)
	}
	if got, want := names(th.Pending.HepServices), in["hepServiceIds"].([]string); !sameSet(got, want) {
		t.Errorf("v2 HEP services %v, want %v", got, want)
	}
	// thresholds() shows v1 UNCLEAR in force and v2 pending, to everyone.
	for _, c := range []caller{anonymous, professional, uolSigner} {
		listed := thresholdIn(t, s.thresholds(c, "liverpool", nil), crisis)
		if listed.InForce == nil || listed.InForce.Number != 1 || listed.InForce.ResponsibleParty != "UNCLEAR" ||
			listed.Pending == nil || listed.Pending.Number != 2 || listed.Pending.Status != "DRAFT" || listed.Version != 5 {
			t.Errorf("thresholds() as %q after the draft: %s", c.Role, asJSON(listed))
		}
	}

	// 2. Proposed, 3. signed for the education side.
	th = s.mustStep(uolSigner, "proposeThreshold", map[string]any{"id": crisis, "expectedVersion": 5})
	if th.Version != 6 || th.Pending == nil || th.Pending.Status != "PROPOSED" || th.Pending.ProposedAt == nil || len(th.Pending.SignOffs) != 0 {
		t.Fatalf("after proposing: %s", asJSON(th.Pending))
	}
	th = s.mustStep(uolSigner, "signOffThreshold", map[string]any{"id": crisis, "expectedVersion": 6, "reason": "Signed for the University of Liverpool"})
	if th.Version != 7 || th.Pending == nil || th.Pending.Status != "PROPOSED" || len(th.Pending.SignOffs) != 1 ||
		th.InForce == nil || th.InForce.Number != 1 {
		t.Fatalf("after the education side signed: %s", asJSON(th))
	}
	if so := th.Pending.SignOffs[0]; so.Side != "HEP" || so.Institution.ID != institutionID("uol") || so.Voided ||
		so.SignerName == nil || *so.SignerName != "Helen UoL" {
		t.Errorf("HEP sign-off: %+v", so)
	}
	time.Sleep(20 * time.Millisecond)
	beforeAgreement := time.Now()
	time.Sleep(20 * time.Millisecond)

	// 4. The NHS-side lead signs: AGREED; v1 SUPERSEDED.
	th = s.mustStep(merseySigner, "signOffThreshold", map[string]any{"id": crisis, "expectedVersion": 7, "reason": "Signed for Mersey Care"})
	afterAgreement := time.Now()
	if th.Version != 8 || th.Pending != nil || th.InForce == nil || th.InForce.Number != 2 || th.InForce.Status != "AGREED" ||
		th.InForce.ResponsibleParty != "SHARED" || th.InForce.AgreedAt == nil || len(th.History) != 2 {
		t.Fatalf("after the NHS side signed: %s", asJSON(th))
	}
	v1, v2 := th.History[0], th.History[1]
	if v1.Number != 1 || v1.Status != "SUPERSEDED" || v1.SupersededAt == nil || v1.AgreedAt == nil || v1.ResponsibleParty != "UNCLEAR" {
		t.Errorf("v1 after agreement: %s", asJSON(v1))
	}
	if v2.Number != 2 || v2.Status != "AGREED" || !v2.AgreedAt.Equal(*v1.SupersededAt) {
		t.Errorf("v2 agreed at %v, v1 superseded at %v", v2.AgreedAt, v1.SupersededAt)
	}
	if v2.AgreedAt.Before(beforeAgreement) || v2.AgreedAt.After(afterAgreement) {
		t.Errorf("agreed at %s, not between %s and %s", v2.AgreedAt, beforeAgreement, afterAgreement)
	}
	var sides []string
	for _, so := range v2.SignOffs {
		if so.Voided {
			t.Errorf("a sign-off of the agreed version is voided: %+v", so)
		}
		sides = append(sides, so.Side+" "+so.Institution.ID)
	}
	if !sameSet(sides, []string{"HEP " + institutionID("uol"), "NHS " + institutionID("mersey-care")}) {
		t.Errorf("sign-offs of v2: %v", sides)
	}

	// 5. Another lead, editing the version they read before all this, is
	// told of the conflict; nothing changes.
	r := s.refuseStep(ljmuSigner, "updateThreshold", map[string]any{"id": crisis, "expectedVersion": staleVersion,
		"input": map[string]any{"responsibleParty": "HEP", "collaboration": "The university leads post-crisis care."}}, "CONFLICT", "")
	if cv := r.Errors[0].Extensions["currentVersion"]; cv != float64(8) {
		t.Errorf("currentVersion %v: %s", cv, r.Raw)
	}
	if now := s.threshold(uolSigner, crisis); now.Version != 8 || now.InForce == nil || now.InForce.ResponsibleParty != "SHARED" || now.Pending != nil {
		t.Errorf("after the stale edit: %s", asJSON(now))
	}

	// 6. As of a moment before the agreement, v1 (UNCLEAR) was in force;
	// after it, v2 (SHARED). Both versions are in the history either way.
	for _, tc := range []struct {
		name  string
		asOf  time.Time
		want  int // version number in force, 0 for none
		party string
	}{
		{"just before the agreement", beforeAgreement, 1, "UNCLEAR"},
		{"just after the agreement", afterAgreement, 2, "SHARED"},
		{"100 days ago", time.Now().AddDate(0, 0, -100), 1, "UNCLEAR"},
		{"before v1 was agreed (180 days ago)", time.Now().AddDate(0, 0, -181), 0, ""},
	} {
		for _, c := range []caller{anonymous, liverpoolLead} {
			asOf := tc.asOf
			got := thresholdIn(t, s.thresholds(c, "liverpool", &asOf), crisis)
			switch {
			case tc.want == 0 && got.InForce != nil:
				t.Errorf("%s: in force %s", tc.name, asJSON(got.InForce))
			case tc.want != 0 && (got.InForce == nil || got.InForce.Number != tc.want || got.InForce.ResponsibleParty != tc.party):
				t.Errorf("%s: in force %s, want v%d %s", tc.name, asJSON(got.InForce), tc.want, tc.party)
			}
			if len(got.History) != 2 || got.History[0].Status != "SUPERSEDED" || got.History[1].Status != "AGREED" || got.Pending != nil {
				t.Errorf("%s: history %s pending %s", tc.name, asJSON(got.History), asJSON(got.Pending))
			}
		}
	}

	// 7. One audit entry per step, with who took it.
	h := s.history(liverpoolLead, crisis)
	want := []struct{ action, actor string }{
		{"DRAFT", "lead-uol-signer"}, {"PROPOSE", "lead-uol-signer"}, {"SIGN_OFF", "lead-uol-signer"}, {"AGREE", "lead-mersey-signer"},
	}
	if len(h) != len(want) {
		t.Fatalf("audit log: %s", asJSON(h))
	}
	actions := s.auditActions()
	for i, w := range want {
		e := h[i]
		if e.Action != w.action || e.ActorSubject != w.actor || e.ActorRole != "LEAD" || e.ActorName == nil ||
			e.EntityType != "Threshold" || e.EntityID != crisis || e.Version != 5+i {
			t.Errorf("audit entry %d: %+v, want %s by %s at version %d", i, e, w.action, w.actor, 5+i)
		}
		if !slices.Contains(actions, e.Action) {
			t.Errorf("audit entry %d: action %s is not a value of the schema's AuditAction enum %v", i, e.Action, actions)
		}
		if v := jsonField(t, e.Before, "version"); v != float64(4+i) {
			t.Errorf("audit entry %d: before.version %v", i, v)
		}
	}
	if h[0].Reason == nil || *h[0].Reason != "Agreed in principle at the quarterly steering group" ||
		h[3].Reason == nil || *h[3].Reason != "Signed for Mersey Care" {
		t.Errorf("reasons: %v %v", h[0].Reason, h[3].Reason)
	}
	if vs, _ := jsonField(t, h[3].After, "versions").([]any); len(vs) != 2 {
		t.Errorf("the AGREE entry's after does not hold both versions: %s", h[3].After)
	}
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// postAs posts a GraphQL request with an Authorization header, for use off
// the test's goroutine (it reports errors instead of failing the test).
func postAs(s *apiServer, auth, query string, vars map[string]any) (gqlResponse, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return gqlResponse{}, err
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return gqlResponse{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", auth)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return gqlResponse{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return gqlResponse{}, err
	}
	r := gqlResponse{Status: res.StatusCode, Raw: string(raw)}
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, fmt.Errorf("%d: %s", res.StatusCode, raw)
	}
	return r, nil
}

// Two steps based on the same version, sent at the same moment: exactly one
// goes through, the other is a CONFLICT, and the threshold moves on once.
func TestThresholdStepsRace(t *testing.T) {
	s := newAPIServer(t)
	nhs, hep := "Bearer "+s.token(merseySigner), "Bearer "+s.token(uolSigner)
	gp := "Bearer " + s.token(brownlowSigner)
	signDoc := mutationDoc("signOffThreshold", "version pending { number } inForce { number status }")
	updateDoc := mutationDoc("updateThreshold", "version pending { number } inForce { number status }")
	areas := []string{"diagnosis", "psychoeducation", "specific-therapies", "medical-monitoring", "staff-training", "supportive-community"}
	outcomes := map[string]int{}
	for i, area := range areas {
		// A fresh proposal, signed for the education side.
		th := s.mustStep(liverpoolLead, "draftThreshold", map[string]any{"partnershipId": partnershipID("liverpool"),
			"areaId": areaID(area), "input": map[string]any{"responsibleParty": "NHS", "collaboration": "First text"}})
		th = s.mustStep(liverpoolLead, "proposeThreshold", map[string]any{"id": th.ID, "expectedVersion": th.Version})
		th = s.mustStep(uolSigner, "signOffThreshold", map[string]any{"id": th.ID, "expectedVersion": th.Version})
		v, audits := th.Version, s.audits()

		// Race: the NHS sign-off against a change of the text (even
		// rounds), or two NHS sign-offs (odd rounds).
		type result struct {
			who string
			r   gqlResponse
			err error
		}
		reqs := []struct {
			who, auth, doc string
			vars           map[string]any
		}{
			{"sign", nhs, signDoc, map[string]any{"id": th.ID, "expectedVersion": v}},
			{"update", hep, updateDoc, map[string]any{"id": th.ID, "expectedVersion": v, "input": map[string]any{"collaboration": "Second text"}}},
		}
		if i%2 == 1 {
			reqs[1] = struct {
				who, auth, doc string
				vars           map[string]any
			}{"sign-gp", gp, signDoc, map[string]any{"id": th.ID, "expectedVersion": v}}
		}
		start := make(chan struct{})
		results := make([]result, len(reqs))
		var wg sync.WaitGroup
		for j, req := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r, err := postAs(s, req.auth, req.doc, req.vars)
				results[j] = result{req.who, r, err}
			}()
		}
		close(start)
		wg.Wait()
		var won []string
		conflicts := 0
		for _, res := range results {
			switch {
			case res.err != nil:
				t.Fatalf("round %d %s: %v", i, res.who, res.err)
			case len(res.r.Errors) == 0:
				won = append(won, res.who)
			case res.r.code(t) == "CONFLICT":
				conflicts++
				if cv := res.r.Errors[0].Extensions["currentVersion"]; cv != float64(v+1) {
					t.Errorf("round %d %s: currentVersion %v, want %d", i, res.who, cv, v+1)
				}
			default:
				t.Errorf("round %d %s: %s", i, res.who, res.r.Raw)
			}
		}
		if len(won) != 1 || conflicts != 1 {
			t.Fatalf("round %d: %v succeeded, %d conflicts; want exactly one of each", i, won, conflicts)
		}
		outcomes[won[0]]++
		after := s.threshold(liverpoolLead, th.ID)
		if after.Version != v+1 || s.audits() != audits+1 {
			t.Errorf("round %d: version %d (want %d), %d audit entries written", i, after.Version, v+1, s.audits()-audits)
		}
		switch won[0] {
		case "sign", "sign-gp":
			if after.InForce == nil || after.InForce.Status != "AGREED" || after.Pending != nil {
				t.Errorf("round %d: signed, but %s", i, asJSON(after))
			}
		case "update":
			// The change won: the education side's signature is void and
			// nothing is agreed.
			if after.InForce != nil || after.Pending == nil || after.Pending.Collaboration == nil || *after.Pending.Collaboration != "Second text" ||
				len(after.Pending.SignOffs) != 1 || !after.Pending.SignOffs[0].Voided {
				t.Errorf("round %d: updated, but %s", i, asJSON(after))
			}
		}
	}
	t.Logf("winners: %v", outcomes)
}

// --- Refusals ---

// Every step needs sign-in, a lead's or an administrator's role, and the
// partnership in the lead's token. Nothing changes when refused.
func TestThresholdStepsNeedALeadOfThePartnership(t *testing.T) {
	s := newAPIServer(t)
	holding, longTerm := thresholdID("liverpool-holding"), thresholdID("liverpool-long-term-conditions")
	steps := []struct {
		mutation string
		vars     func() map[string]any
	}{
		{"draftThreshold", func() map[string]any {
			return map[string]any{"partnershipId": partnershipID("liverpool"), "areaId": areaID("diagnosis"),
				"input": map[string]any{"responsibleParty": "NHS"}}
		}},
		{"updateThreshold", func() map[string]any {
			return s.stepOn(longTerm, map[string]any{"input": map[string]any{"responsibleParty": "SHARED"}})
		}},
		{"proposeThreshold", func() map[string]any { return s.stepOn(longTerm, nil) }},
		{"signOffThreshold", func() map[string]any { return s.stepOn(holding, nil) }},
		{"withdrawThreshold", func() map[string]any { return s.stepOn(holding, map[string]any{"reason": "Not needed"}) }},
	}
	for _, st := range steps {
		t.Run(st.mutation, func(t *testing.T) {
			s := s.on(t)
			s.refuseStep(anonymous, st.mutation, st.vars(), "UNAUTHENTICATED", "")
			s.refuseStep(professional, st.mutation, st.vars(), "FORBIDDEN", "")
			// A lead of another partnership, naming a university of theirs.
			s.refuseStep(bristolSigner, st.mutation, st.vars(), "FORBIDDEN", "")
			s.refuseStep(bristolLead, st.mutation, st.vars(), "FORBIDDEN", "")
			// Leads of Liverpool members whose token does not name the
			// partnership: thresholds are the partnership's.
			for _, c := range []caller{uolLead, merseyCareLead, ljmuLead} {
				s.refuseStep(c, st.mutation, st.vars(), "FORBIDDEN", "")
			}
		})
	}
	// An unknown threshold is NOT_FOUND to leads.
	for _, m := range []string{"updateThreshold", "proposeThreshold", "signOffThreshold", "withdrawThreshold"} {
		vars := map[string]any{"id": graph.GlobalID("Threshold", uuid.New()), "expectedVersion": 1, "reason": "Test",
			"input": map[string]any{"responsibleParty": "NHS"}}
		if m != "updateThreshold" {
			delete(vars, "input")
		}
		s.refuseStep(merseySigner, m, vars, "NOT_FOUND", "")
	}
}

// Only a lead can sign, and only for the one side of a member institution
// their token names: an NHS body (trust, ICB, PCN, GP practice) or an
// education provider.
func TestThresholdSignOffNeedsASide(t *testing.T) {
	s := newAPIServer(t)
	holding := thresholdID("liverpool-holding")
	for _, tc := range signerRefusals {
		t.Run(tc.name, func(t *testing.T) {
			s.on(t).refuseStep(tc.who, "signOffThreshold", s.stepOn(holding, nil), "FORBIDDEN", "")
		})
	}
	if th := s.threshold(liverpoolLead, holding); th.Pending == nil || th.Pending.Status != "PROPOSED" || th.InForce != nil {
		t.Fatalf("after the refusals: %s", asJSON(th))
	}
	// The education side has signed (seed); signing it again is a
	// CONFLICT, by the same university or by another.
	for _, c := range []caller{uolSigner, ljmuSigner} {
		r := s.refuseStep(c, "signOffThreshold", s.stepOn(holding, nil), "CONFLICT", "")
		if cv := r.Errors[0].Extensions["currentVersion"]; cv != float64(3) {
			t.Errorf("currentVersion %v", cv)
		}
	}
	// A GP practice signs for the NHS side: agreed.
	th := s.mustStep(brownlowSigner, "signOffThreshold", s.stepOn(holding, nil))
	if th.InForce == nil || th.InForce.Status != "AGREED" || th.InForce.ResponsibleParty != "SHARED" || th.Pending != nil {
		t.Fatalf("after the GP practice signed: %s", asJSON(th))
	}
	so := th.InForce.SignOffs
	if len(so) != 2 || so[1].Side != "NHS" || so[1].Institution.ID != institutionID("brownlow-health") {
		t.Errorf("sign-offs: %s", asJSON(so))
	}
	// There is nothing left to sign.
	s.refuseStep(merseySigner, "signOffThreshold", s.stepOn(holding, nil), "BAD_USER_INPUT", "id")
}

// A DRAFT cannot be signed; one side alone cannot agree; each side signs
// once; proposing needs a draft; drafting needs no version pending.
func TestThresholdLifecycleRefusals(t *testing.T) {
	s := newAPIServer(t)
	longTerm, crisis, holding := thresholdID("liverpool-long-term-conditions"), thresholdID("liverpool-crisis"), thresholdID("liverpool-holding")

	// Signing a draft that has not been proposed.
	for _, c := range []caller{uolSigner, merseySigner} {
		s.refuseStep(c, "signOffThreshold", s.stepOn(longTerm, nil), "BAD_USER_INPUT", "id")
	}
	// Proposing when nothing is a draft: an agreed threshold, a proposed one.
	s.refuseStep(uolSigner, "proposeThreshold", s.stepOn(crisis, nil), "BAD_USER_INPUT", "id")
	s.refuseStep(uolSigner, "proposeThreshold", s.stepOn(holding, nil), "BAD_USER_INPUT", "id")
	// Drafting when a version is already pending (draft or proposed).
	for _, area := range []string{"long-term-conditions-and-relapse", "holding-the-student"} {
		r := s.refuseStep(liverpoolLead, "draftThreshold", map[string]any{"partnershipId": partnershipID("liverpool"),
			"areaId": areaID(area), "input": map[string]any{"responsibleParty": "HEP"}}, "CONFLICT", "")
		if r.Errors[0].Extensions["currentVersion"] == nil {
			t.Errorf("CONFLICT without currentVersion: %s", r.Raw)
		}
	}

	// The education side alone cannot agree.
	th := s.mustStep(liverpoolLead, "proposeThreshold", s.stepOn(longTerm, nil))
	th = s.mustStep(ljmuSigner, "signOffThreshold", s.stepOn(longTerm, nil))
	if th.Pending == nil || th.Pending.Status != "PROPOSED" || len(th.Pending.SignOffs) != 1 || th.InForce != nil {
		t.Fatalf("after the education side signed: %s", asJSON(th))
	}
	s.refuseStep(uolSigner, "signOffThreshold", s.stepOn(longTerm, nil), "CONFLICT", "")
	s.refuseStep(ljmuSigner, "signOffThreshold", s.stepOn(longTerm, nil), "CONFLICT", "")
	if th := s.threshold(liverpoolLead, longTerm); th.Pending == nil || th.Pending.Status != "PROPOSED" || th.InForce != nil {
		t.Errorf("after the education side tried again: %s", asJSON(th))
	}
	// And the NHS side alone neither: a new proposal signed by the NHS only.
	th = s.mustStep(liverpoolLead, "draftThreshold", map[string]any{"partnershipId": partnershipID("liverpool"),
		"areaId": areaID("diagnosis"), "input": map[string]any{"responsibleParty": "NHS"}})
	if th.Pending == nil || th.Pending.Number != 1 || th.Pending.Status != "DRAFT" || th.InForce != nil || len(th.History) != 1 {
		t.Fatalf("new draft: %s", asJSON(th))
	}
	s.mustStep(liverpoolLead, "proposeThreshold", s.stepOn(th.ID, nil))
	s.mustStep(merseySigner, "signOffThreshold", s.stepOn(th.ID, nil))
	s.refuseStep(brownlowSigner, "signOffThreshold", s.stepOn(th.ID, nil), "CONFLICT", "")
	if th := s.threshold(liverpoolLead, th.ID); th.Pending == nil || th.Pending.Status != "PROPOSED" || th.InForce != nil {
		t.Errorf("after the NHS side alone: %s", asJSON(th))
	}

	// draftThreshold beside an agreed version: v2 DRAFT, v1 stays in force.
	med := thresholdID("liverpool-medication")
	th = s.mustStep(liverpoolLead, "draftThreshold", map[string]any{"partnershipId": partnershipID("liverpool"),
		"areaId": areaID("medication-and-prescribing"), "input": map[string]any{"responsibleParty": "SHARED", "collaboration": "Shared from now"}})
	if th.ID != med || th.InForce == nil || th.InForce.Number != 1 || th.Pending == nil || th.Pending.Number != 2 ||
		th.Pending.ResponsibleParty != "SHARED" || len(th.Pending.NhsServices) != 0 {
		t.Errorf("draft beside the agreed version: %s", asJSON(th))
	}
}

// A change of the text after a sign-off voids it (it was for the old text):
// both sides must then sign the new text.
func TestThresholdChangeVoidsSignOffs(t *testing.T) {
	s := newAPIServer(t)
	holding := thresholdID("liverpool-holding")
	seeded := s.threshold(liverpoolLead, holding)
	if seeded.Pending == nil || len(seeded.Pending.SignOffs) != 1 || seeded.Pending.SignOffs[0].Voided || seeded.Version != 3 {
		t.Fatalf("seeded holding threshold: %s", asJSON(seeded))
	}
	th := s.mustStep(merseySigner, "updateThreshold", s.stepOn(holding, map[string]any{"input": map[string]any{
		"escalation": "If risk rises, the adviser calls the Student Liaison Service within the hour."}}))
	if th.Version != 4 || th.Pending == nil || th.Pending.Number != 1 || th.Pending.Status != "PROPOSED" || len(th.Pending.SignOffs) != 1 ||
		!th.Pending.SignOffs[0].Voided || th.Pending.Collaboration == nil || *th.Pending.Collaboration != *seeded.Pending.Collaboration {
		t.Fatalf("after the change: %s", asJSON(th))
	}
	// Fields left out stay as they were, services included.
	if !sameSet(names(th.Pending.HepServices), names(seeded.Pending.HepServices)) || len(th.Pending.HepServices) != 2 {
		t.Errorf("HEP services changed: %v", names(th.Pending.HepServices))
	}
	// The NHS side signs: not agreed, as the education side's signature is void.
	th = s.mustStep(merseySigner, "signOffThreshold", s.stepOn(holding, nil))
	if th.Pending == nil || th.Pending.Status != "PROPOSED" || th.InForce != nil || len(th.Pending.SignOffs) != 2 {
		t.Fatalf("after the NHS side signed: %s", asJSON(th))
	}
	// The education side signs again: agreed, with the voided signature kept.
	th = s.mustStep(uolSigner, "signOffThreshold", s.stepOn(holding, nil))
	if th.InForce == nil || th.InForce.Status != "AGREED" || th.Pending != nil {
		t.Fatalf("after both signed the new text: %s", asJSON(th))
	}
	var voided, valid []string
	for _, so := range th.InForce.SignOffs {
		if so.Voided {
			voided = append(voided, so.Side)
		} else {
			valid = append(valid, so.Side)
		}
	}
	if !sameSet(voided, []string{"HEP"}) || !sameSet(valid, []string{"HEP", "NHS"}) {
		t.Errorf("sign-offs: voided %v, valid %v", voided, valid)
	}
	if e := th.InForce.Escalation; e == nil || !strings.Contains(*e, "within the hour") {
		t.Errorf("agreed escalation %v", e)
	}
}

// Withdrawal needs a reason, is recorded (status, time, reason) and keeps
// the version in the history. Withdrawing the agreed version leaves nothing
// in force from then on, though it stays in force as of earlier moments.
func TestThresholdWithdrawal(t *testing.T) {
	s := newAPIServer(t)
	holding, med := thresholdID("liverpool-holding"), thresholdID("liverpool-medication")
	for _, vars := range []map[string]any{{"reason": ""}, {"reason": " \n "}, {"reason": nil}, {}} {
		field := "reason"
		if _, given := vars["reason"]; !given || vars["reason"] == nil {
			field = "" // refused by GraphQL: reason is String!
		}
		s.refuseStep(liverpoolLead, "withdrawThreshold", s.stepOn(holding, vars), "BAD_USER_INPUT", field)
	}

	// The pending version.
	th := s.mustStep(liverpoolLead, "withdrawThreshold", s.stepOn(holding, map[string]any{"reason": "Superseded by the new waiting-list protocol"}))
	if th.Pending != nil || th.InForce != nil || len(th.History) != 1 {
		t.Fatalf("after withdrawing the proposal: %s", asJSON(th))
	}
	if v := th.History[0]; v.Status != "WITHDRAWN" || v.WithdrawnAt == nil || v.WithdrawnReason == nil ||
		*v.WithdrawnReason != "Superseded by the new waiting-list protocol" || v.Collaboration == nil || len(v.SignOffs) != 1 {
		t.Errorf("withdrawn version: %s", asJSON(v))
	}
	if h := s.history(liverpoolLead, holding); len(h) != 1 || h[0].Action != "WITHDRAW" || h[0].Reason == nil {
		t.Errorf("audit: %s", asJSON(h))
	}
	// Nothing left to withdraw.
	s.refuseStep(liverpoolLead, "withdrawThreshold", s.stepOn(holding, map[string]any{"reason": "Again"}), "BAD_USER_INPUT", "id")
	// A new draft can start after a withdrawal, from the withdrawn text.
	th = s.mustStep(liverpoolLead, "updateThreshold", s.stepOn(holding, map[string]any{"input": map[string]any{"responsibleParty": "HEP"}}))
	if th.Pending == nil || th.Pending.Number != 2 || th.Pending.Status != "DRAFT" || th.Pending.ResponsibleParty != "HEP" ||
		th.Pending.Collaboration == nil || len(th.History) != 2 || th.History[0].Status != "WITHDRAWN" {
		t.Errorf("draft after the withdrawal: %s", asJSON(th))
	}

	// The agreed version: nothing in force afterwards.
	beforeWithdrawal := time.Now()
	time.Sleep(20 * time.Millisecond)
	th = s.mustStep(liverpoolLead, "withdrawThreshold", s.stepOn(med, map[string]any{"reason": "Prescribing arrangements under review"}))
	if th.InForce != nil || th.Pending != nil || len(th.History) != 1 || th.History[0].Status != "WITHDRAWN" || th.History[0].AgreedAt == nil {
		t.Fatalf("after withdrawing the agreed version: %s", asJSON(th))
	}
	if got := thresholdIn(t, s.thresholds(anonymous, "liverpool", nil), med); got.InForce != nil || len(got.History) != 1 {
		t.Errorf("thresholds() now: %s", asJSON(got))
	}
	if got := thresholdIn(t, s.thresholds(anonymous, "liverpool", &beforeWithdrawal), med); got.InForce == nil || got.InForce.ResponsibleParty != "NHS" {
		t.Errorf("thresholds() as of before the withdrawal: %s", asJSON(got))
	}
	for _, inst := range []string{"uol", "brownlow-health"} {
		got := s.whoHandles(professional, institutionID(inst), areaID("medication-and-prescribing"))
		if len(got) != 1 || got[0].Agreed != nil || got[0].ResponsibleParty != nil || got[0].Threshold == nil ||
			!strings.Contains(got[0].Statement, "Nothing is agreed yet") {
			t.Errorf("whoHandles(%s, medication) after the withdrawal: %s", inst, asJSON(got))
		}
	}
}

// Every step checks expectedVersion: based on an older version it is a
// CONFLICT with extensions.currentVersion and changes nothing; with the
// current version the same step goes through.
func TestThresholdStepsCheckTheVersion(t *testing.T) {
	s := newAPIServer(t)
	longTerm := thresholdID("liverpool-long-term-conditions")
	// Someone else changes the draft first (version 1 to 2).
	s.mustStep(liverpoolLead, "updateThreshold", map[string]any{"id": longTerm, "expectedVersion": 1, "input": map[string]any{"responsibleParty": "HEP"}})
	for _, tc := range []struct {
		who      caller
		mutation string
		target   string
		vars     map[string]any
	}{
		{uolSigner, "updateThreshold", "liverpool-crisis", map[string]any{"input": map[string]any{"responsibleParty": "SHARED"}}},
		{liverpoolLead, "proposeThreshold", "liverpool-long-term-conditions", nil},
		{merseySigner, "signOffThreshold", "liverpool-holding", nil},
		{liverpoolLead, "withdrawThreshold", "liverpool-medication", map[string]any{"reason": "Under review"}},
		{liverpoolLead, "updateThreshold", "liverpool-holding", map[string]any{"input": map[string]any{"stepDown": "When treatment starts."}}},
	} {
		t.Run(tc.mutation+"/"+tc.target, func(t *testing.T) {
			s := s.on(t)
			gid := thresholdID(tc.target)
			current := s.version(gid)
			for _, stale := range []int{current - 1, 1, current + 1} {
				if stale == current {
					continue
				}
				vars := maps.Clone(tc.vars)
				if vars == nil {
					vars = map[string]any{}
				}
				vars["id"], vars["expectedVersion"] = gid, stale
				r := s.refuseStep(tc.who, tc.mutation, vars, "CONFLICT", "")
				if cv := r.Errors[0].Extensions["currentVersion"]; cv != float64(current) {
					t.Errorf("expectedVersion %d: currentVersion %v, want %d", stale, cv, current)
				}
			}
			th := s.mustStep(tc.who, tc.mutation, s.stepOn(gid, tc.vars))
			if th.Version != current+1 {
				t.Errorf("version %d after the step, want %d", th.Version, current+1)
			}
		})
	}
}

// Invalid input is BAD_USER_INPUT naming the field (NOT_FOUND for a
// threshold that does not exist) and changes nothing.
func TestThresholdValidation(t *testing.T) {
	s := newAPIServer(t)
	liverpool, crisis := partnershipID("liverpool"), thresholdID("liverpool-crisis")
	draft := func(p, a string, in map[string]any) map[string]any {
		if in == nil {
			in = map[string]any{"responsibleParty": "NHS"}
		}
		return map[string]any{"partnershipId": p, "areaId": a, "input": in}
	}
	update := func(in map[string]any) map[string]any {
		return map[string]any{"id": crisis, "expectedVersion": 4, "input": in}
	}
	unknownService := graph.GlobalID("Service", uuid.New())
	for _, tc := range []struct {
		name     string
		who      caller
		mutation string
		vars     map[string]any
		code     string
		field    string
	}{
		{"unknown partnership", admin, "draftThreshold", draft(graph.GlobalID("Partnership", uuid.New()), areaID("diagnosis"), nil), "BAD_USER_INPUT", "partnershipId"},
		{"unknown partnership, as a lead (not in their token)", liverpoolLead, "draftThreshold", draft(graph.GlobalID("Partnership", uuid.New()), areaID("diagnosis"), nil), "FORBIDDEN", ""},
		{"unknown area", liverpoolLead, "draftThreshold", draft(liverpool, graph.GlobalID("ResponsibilityArea", uuid.New()), nil), "BAD_USER_INPUT", "areaId"},
		{"institution ID as partnership", admin, "draftThreshold", draft(institutionID("uol"), areaID("diagnosis"), nil), "BAD_USER_INPUT", "partnershipId"},
		{"threshold ID as area", liverpoolLead, "draftThreshold", draft(liverpool, crisis, nil), "BAD_USER_INPUT", "areaId"},
		{"not a Waymark ID", liverpoolLead, "draftThreshold", draft(liverpool, "crisis", nil), "BAD_USER_INPUT", "areaId"},
		{"area ID as threshold", liverpoolLead, "proposeThreshold", map[string]any{"id": areaID("crisis-and-post-crisis-care"), "expectedVersion": 1}, "BAD_USER_INPUT", "id"},
		{"partnership ID as threshold", merseySigner, "signOffThreshold", map[string]any{"id": liverpool, "expectedVersion": 1}, "BAD_USER_INPUT", "id"},
		{"unknown threshold", liverpoolLead, "withdrawThreshold", map[string]any{"id": graph.GlobalID("Threshold", uuid.New()), "expectedVersion": 1, "reason": "x"}, "NOT_FOUND", ""},
		{"collaboration over 4000 on draft", liverpoolLead, "draftThreshold", draft(liverpool, areaID("diagnosis"), map[string]any{"responsibleParty": "NHS", "collaboration": repeat(4001)}), "BAD_USER_INPUT", "input.collaboration"},
		{"collaboration over 4000 on update", liverpoolLead, "updateThreshold", update(map[string]any{"collaboration": repeat(4001)}), "BAD_USER_INPUT", "input.collaboration"},
		{"escalation over 4000", liverpoolLead, "updateThreshold", update(map[string]any{"escalation": repeat(4001)}), "BAD_USER_INPUT", "input.escalation"},
		{"step-down over 4000", liverpoolLead, "updateThreshold", update(map[string]any{"stepDown": repeat(4001)}), "BAD_USER_INPUT", "input.stepDown"},
		{"responsible party cleared", liverpoolLead, "updateThreshold", update(map[string]any{"responsibleParty": nil}), "BAD_USER_INPUT", "input.responsibleParty"},
		{"responsible party not a value", liverpoolLead, "updateThreshold", update(map[string]any{"responsibleParty": "NOBODY"}), "BAD_USER_INPUT", ""},
		{"unknown NHS service on draft", liverpoolLead, "draftThreshold", draft(liverpool, areaID("diagnosis"), map[string]any{"responsibleParty": "NHS", "nhsServiceIds": []string{unknownService}}), "BAD_USER_INPUT", "input.nhsServiceIds"},
		{"unknown HEP service on update", liverpoolLead, "updateThreshold", update(map[string]any{"hepServiceIds": []string{serviceID("mhas"), unknownService}}), "BAD_USER_INPUT", "input.hepServiceIds"},
		{"institution ID as service", liverpoolLead, "updateThreshold", update(map[string]any{"nhsServiceIds": []string{institutionID("mersey-care")}}), "BAD_USER_INPUT", "input.nhsServiceIds.0"},
		{"reason over 2000", liverpoolLead, "updateThreshold", map[string]any{"id": crisis, "expectedVersion": 4, "input": map[string]any{"responsibleParty": "SHARED"}, "reason": repeat(2001)}, "BAD_USER_INPUT", "reason"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.on(t).refuseStep(tc.who, tc.mutation, tc.vars, tc.code, tc.field)
		})
	}
	// The limits are inclusive: 4000 characters are accepted.
	th := s.mustStep(liverpoolLead, "updateThreshold", update(map[string]any{"collaboration": repeat(4000)}))
	if th.Pending == nil || len(*th.Pending.Collaboration) != 4000 {
		t.Errorf("4000 characters: %v", th.Pending)
	}
	// A service given twice counts once.
	th = s.mustStep(liverpoolLead, "updateThreshold", s.stepOn(crisis, map[string]any{"input": map[string]any{
		"hepServiceIds": []string{serviceID("mhas"), serviceID("ljmu-wellbeing"), serviceID("mhas")}}}))
	if got := names(th.Pending.HepServices); len(got) != 2 || !slices.Contains(got, serviceID("mhas")) || !slices.Contains(got, serviceID("ljmu-wellbeing")) {
		t.Errorf("HEP services %v", got)
	}
	// An update that changes nothing is refused (it would void sign-offs for nothing).
	s.refuseStep(liverpoolLead, "updateThreshold", s.stepOn(crisis, map[string]any{"input": map[string]any{
		"hepServiceIds": []string{serviceID("ljmu-wellbeing"), serviceID("mhas")}}}), "BAD_USER_INPUT", "input")
	// Services must be the partnership members' own, on their side.
	s.refuseStep(liverpoolLead, "updateThreshold", s.stepOn(crisis, map[string]any{"input": map[string]any{
		"hepServiceIds": []string{serviceID("ucope")}}}), "BAD_USER_INPUT", "input.hepServiceIds")
	s.refuseStep(liverpoolLead, "updateThreshold", s.stepOn(crisis, map[string]any{"input": map[string]any{
		"nhsServiceIds": []string{serviceID("awp-response-line")}}}), "BAD_USER_INPUT", "input.nhsServiceIds")
}

// --- Reading ---

// thresholds(partnershipId) needs a partnership; a partnership without
// thresholds has none.
func TestThresholdsQuery(t *testing.T) {
	s := newAPIServer(t)
	ts := s.thresholds(anonymous, "liverpool", nil)
	var keys []string
	for _, key := range []string{"liverpool-medication", "liverpool-risk-planning", "liverpool-crisis", "liverpool-holding",
		"liverpool-transition-out-of-care", "liverpool-assessment-of-need", "liverpool-long-term-conditions"} {
		keys = append(keys, thresholdID(key))
	}
	var got []string
	for _, th := range ts {
		got = append(got, th.ID)
	}
	if !sameSet(got, keys) {
		t.Fatalf("Liverpool thresholds %v, want %v", got, keys)
	}
	// In the catalogue's order.
	order := map[string]int{}
	for i, a := range seed.Areas {
		order[areaID(a.Key)] = i
	}
	for i := 1; i < len(ts); i++ {
		if order[ts[i-1].Area.ID] > order[ts[i].Area.ID] {
			t.Errorf("%q listed before %q", ts[i-1].Area.Name, ts[i].Area.Name)
		}
	}
	byID := map[string]thresholdView{}
	for _, th := range ts {
		byID[th.ID] = th
	}
	if h := byID[thresholdID("liverpool-holding")]; h.InForce != nil || h.Pending == nil || h.Pending.Status != "PROPOSED" || len(h.Pending.SignOffs) != 1 {
		t.Errorf("holding: %s", asJSON(h))
	}
	if lt := byID[thresholdID("liverpool-long-term-conditions")]; lt.InForce != nil || lt.Pending == nil || lt.Pending.Status != "DRAFT" {
		t.Errorf("long-term conditions: %s", asJSON(lt))
	}
	if ra := byID[thresholdID("liverpool-risk-planning")]; ra.InForce == nil || ra.InForce.ResponsibleParty != "SHARED" {
		t.Errorf("risk planning: %s", asJSON(ra))
	}
	if n := len(s.thresholds(anonymous, "bristol", nil)); n != 0 {
		t.Errorf("Bristol has %d thresholds", n)
	}
	for _, tc := range []struct{ id, code string }{
		{graph.GlobalID("Partnership", uuid.New()), "NOT_FOUND"},
		{institutionID("uol"), "BAD_USER_INPUT"},
		{"nonsense", "BAD_USER_INPUT"},
	} {
		r := s.do(anonymous, `query($p: ID!) { thresholds(partnershipId: $p) { id } }`, map[string]any{"p": tc.id})
		wantError(t, r, tc.code, "")
	}
	// asOf that is not an RFC 3339 instant is the caller's mistake, inline
	// or as a variable.
	r := s.do(anonymous, `query($p: ID!) { thresholds(partnershipId: $p, asOf: "1 March") { id } }`, map[string]any{"p": partnershipID("liverpool")})
	wantError(t, r, "BAD_USER_INPUT", "")
	for _, at := range []any{"2026-03-01", "yesterday", 1772323200} {
		r := s.do(anonymous, `query($p: ID!, $at: DateTime) { thresholds(partnershipId: $p, asOf: $at) { id } }`,
			map[string]any{"p": partnershipID("liverpool"), "at": at})
		wantError(t, r, "BAD_USER_INPUT", "")
	}
}

// Staff names are personal data: who signed is hidden from students, though
// which institution signed, and when, is not. Services a caller may not see
// are absent from the versions, by thresholds() as by whoHandles.
func TestThresholdSignersAndServicesByRole(t *testing.T) {
	s := newAPIServer(t)
	risk := thresholdID("liverpool-risk-planning")
	for _, tc := range []struct {
		who       caller
		names     bool
		seeTheMDT bool
	}{
		{anonymous, false, false},
		{professional, true, true},
		{caller{Role: "professional", Partnerships: []string{"bristol"}}, true, true},
		{liverpoolLead, true, true},
		{admin, true, true},
	} {
		th := thresholdIn(t, s.thresholds(tc.who, "liverpool", nil), risk)
		if th.InForce == nil || len(th.InForce.SignOffs) != 2 {
			t.Fatalf("risk planning as %q: %s", tc.who.Role, asJSON(th))
		}
		for _, so := range th.InForce.SignOffs {
			if (so.SignerName != nil) != tc.names || so.Institution.ID == "" || so.SignedAt.IsZero() {
				t.Errorf("as %q %v: sign-off %+v", tc.who.Role, tc.who.Partnerships, so)
			}
		}
		if got := slices.Contains(names(th.InForce.NhsServices), serviceID("liverpool-mdt")); got != tc.seeTheMDT {
			t.Errorf("as %q: the MDT (PROFESSIONAL) listed: %v", tc.who.Role, got)
		}
		if !slices.Contains(names(th.InForce.NhsServices), serviceID("student-liaison")) {
			t.Errorf("as %q: Student Liaison Service (PUBLIC) not listed", tc.who.Role)
		}
		for _, svc := range append(th.InForce.NhsServices, th.InForce.HepServices...) {
			for _, cp := range svc.ContactPoints {
				if !tc.names && cp.Visibility != "PUBLIC" {
					t.Errorf("anonymous sees the %s contact point %q", cp.Visibility, cp.Name)
				}
			}
		}
	}
	// The signer's name, for those who may see it, is the one signed with.
	th := s.threshold(professional, thresholdID("liverpool-crisis"))
	var signers []string
	for _, so := range th.InForce.SignOffs {
		signers = append(signers, *so.SignerName)
	}
	if !sameSet(signers, []string{"Dr Helen Achterberg", "Tomasz Wierzbicki"}) {
		t.Errorf("signers %v", signers)
	}
}

// node(id) answers thresholds and areas by their IDs.
func TestNodeFindsThresholdsAndAreas(t *testing.T) {
	s := newAPIServer(t)
	for _, tc := range []struct{ id, typename string }{
		{thresholdID("liverpool-crisis"), "Threshold"},
		{thresholdID("liverpool-long-term-conditions"), "Threshold"},
		{areaID("crisis-and-post-crisis-care"), "ResponsibilityArea"},
		{areaID("international-medical-history"), "ResponsibilityArea"},
	} {
		var got struct {
			Node struct {
				Typename string `json:"__typename"`
				ID       string
				Name     *string
				Version  int
			}
		}
		s.query(anonymous, `query($id: ID!) { node(id: $id) { __typename id ... on ResponsibilityArea { name version }
			... on Threshold { version } } }`, map[string]any{"id": tc.id}, &got)
		if got.Node.Typename != tc.typename || got.Node.ID != tc.id || got.Node.Version < 1 ||
			(tc.typename == "ResponsibilityArea") != (got.Node.Name != nil) {
			t.Errorf("node(%s): %+v", tc.id, got.Node)
		}
	}
	th := s.threshold(anonymous, thresholdID("liverpool-crisis"))
	if th.Area.ID != areaID("crisis-and-post-crisis-care") || th.Area.Name != "Crisis and post-crisis care" ||
		th.Partnership.ID != partnershipID("liverpool") || th.InForce == nil || th.Version != 4 {
		t.Errorf("crisis threshold by node: %s", asJSON(th))
	}
	for _, gid := range []string{graph.GlobalID("Threshold", uuid.New()), graph.GlobalID("ResponsibilityArea", uuid.New())} {
		wantError(t, s.do(anonymous, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": gid}), "NOT_FOUND", "")
	}
}

// --- whoHandles ---

type whoHandlesView struct {
	Partnership      struct{ ID, Name string }
	Area             struct{ ID, Name string }
	Threshold        *struct{ ID string }
	Agreed           *thresholdVersionView
	ResponsibleParty *string
	Statement        string
}

func (s *apiServer) whoHandles(c caller, institution, area string) []whoHandlesView {
	s.t.Helper()
	var got struct{ WhoHandles []whoHandlesView }
	s.query(c, `query($i: ID!, $a: ID!) { whoHandles(institutionId: $i, areaId: $a) { partnership { id name } area { id name }
		threshold { id } agreed { `+versionFields+` } responsibleParty statement } }`,
		map[string]any{"i": institution, "a": area}, &got)
	return got.WhoHandles
}

// agreeCrisisCareShared runs scenario 4 quickly: crisis care becomes SHARED.
func (s *apiServer) agreeCrisisCareShared() {
	s.t.Helper()
	crisis := thresholdID("liverpool-crisis")
	s.mustStep(uolSigner, "updateThreshold", s.stepOn(crisis, map[string]any{"input": scenario4Input()}))
	s.mustStep(uolSigner, "proposeThreshold", s.stepOn(crisis, nil))
	s.mustStep(uolSigner, "signOffThreshold", s.stepOn(crisis, nil))
	s.mustStep(merseySigner, "signOffThreshold", s.stepOn(crisis, nil))
}

// Who handles crisis care for LJMU's students once it is agreed as SHARED:
// the Liverpool partnership's answer, with the services on each side and
// their contact points, as the caller may see them.
func TestWhoHandlesAfterScenario4(t *testing.T) {
	s := newAPIServer(t)
	ljmu, crisisArea := institutionID("ljmu"), areaID("crisis-and-post-crisis-care")
	before := s.whoHandles(professional, ljmu, crisisArea)
	if len(before) != 1 || before[0].ResponsibleParty == nil || *before[0].ResponsibleParty != "UNCLEAR" ||
		!strings.Contains(before[0].Statement, "still unclear") {
		t.Fatalf("before scenario 4: %s", asJSON(before))
	}
	s.agreeCrisisCareShared()

	for _, tc := range []struct {
		who    caller
		hidden bool // sees PUBLIC records only
	}{{anonymous, true}, {professional, false}, {liverpoolLead, false}} {
		got := s.whoHandles(tc.who, ljmu, crisisArea)
		if len(got) != 1 {
			t.Fatalf("as %q: %s", tc.who.Role, asJSON(got))
		}
		w := got[0]
		if w.Partnership.ID != partnershipID("liverpool") || w.Area.ID != crisisArea || w.Threshold == nil ||
			w.Threshold.ID != thresholdID("liverpool-crisis") || w.ResponsibleParty == nil || *w.ResponsibleParty != "SHARED" ||
			w.Agreed == nil || w.Agreed.Number != 2 || w.Agreed.Status != "AGREED" || w.Agreed.Collaboration == nil {
			t.Errorf("as %q: %s", tc.who.Role, asJSON(w))
			continue
		}
		if !strings.Contains(w.Statement, "share responsibility") || !strings.Contains(w.Statement, w.Partnership.Name) ||
			!strings.Contains(w.Statement, "Crisis and post-crisis care") {
			t.Errorf("as %q: statement %q", tc.who.Role, w.Statement)
		}
		nhs, hep := names(w.Agreed.NhsServices), names(w.Agreed.HepServices)
		wantNHS := []string{serviceID("mersey-care-crisis-line"), serviceID("student-liaison")}
		if !tc.hidden {
			wantNHS = append(wantNHS, serviceID("liverpool-mdt"))
		}
		if !sameSet(nhs, wantNHS) || !sameSet(hep, []string{serviceID("mhas"), serviceID("ljmu-wellbeing")}) {
			t.Errorf("as %q: NHS services %v, HEP services %v", tc.who.Role, nhs, hep)
		}
		contacts := map[string]string{}
		for _, svc := range append(w.Agreed.NhsServices, w.Agreed.HepServices...) {
			if tc.hidden && svc.Visibility != "PUBLIC" {
				t.Errorf("anonymous sees the %s service %q", svc.Visibility, svc.Name)
			}
			for _, cp := range svc.ContactPoints {
				contacts[cp.ID] = cp.Visibility
			}
		}
		// The universities' public enquiry points for everyone; the NHS
		// liaison team and the urgent-care contacts for professionals.
		for _, key := range []string{"uol-mhas-enquiries", "ljmu-wellbeing-enquiries"} {
			if _, ok := contacts[contactID(key)]; !ok {
				t.Errorf("as %q: contact point %s missing", tc.who.Role, key)
			}
		}
		for _, key := range []string{"mersey-care-student-liaison", "ljmu-urgent-care", "uol-urgent-care-notification"} {
			if _, ok := contacts[contactID(key)]; ok == tc.hidden {
				t.Errorf("as %q: contact point %s (PROFESSIONAL) listed: %v", tc.who.Role, key, ok)
			}
		}
		for id, vis := range contacts {
			if tc.hidden && vis != "PUBLIC" {
				t.Errorf("anonymous sees the %s contact point %s", vis, id)
			}
		}
		for _, so := range w.Agreed.SignOffs {
			if (so.SignerName == nil) != tc.hidden {
				t.Errorf("as %q: signerName %v", tc.who.Role, so.SignerName)
			}
		}
	}
	// UoL's students get the same answer.
	if got := s.whoHandles(anonymous, institutionID("uol"), crisisArea); len(got) != 1 || got[0].ResponsibleParty == nil || *got[0].ResponsibleParty != "SHARED" {
		t.Errorf("UoL: %s", asJSON(got))
	}
}

// Where nothing is agreed, whoHandles says so plainly, with no party.
func TestWhoHandlesWhenNothingIsAgreed(t *testing.T) {
	s := newAPIServer(t)
	for _, tc := range []struct {
		name, institution, area string
		partnership             string
		threshold               string // "" when the partnership has none for the area
	}{
		{"no threshold for the area", "ljmu", "diagnosis", "liverpool", ""},
		{"only a draft", "uol", "long-term-conditions-and-relapse", "liverpool", "liverpool-long-term-conditions"},
		{"proposed, not yet signed by the NHS", "mersey-care", "holding-the-student", "liverpool", "liverpool-holding"},
		{"a partnership without thresholds", "uwe", "crisis-and-post-crisis-care", "bristol", ""},
		{"a partnership without thresholds (another member)", "awp", "register-with-gp", "bristol", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, c := range []caller{anonymous, professional} {
				got := s.on(t).whoHandles(c, institutionID(tc.institution), areaID(tc.area))
				if len(got) != 1 {
					t.Fatalf("%s", asJSON(got))
				}
				w := got[0]
				if w.Partnership.ID != partnershipID(tc.partnership) || w.Area.ID != areaID(tc.area) || w.Agreed != nil || w.ResponsibleParty != nil {
					t.Errorf("as %q: %s", c.Role, asJSON(w))
				}
				if (tc.threshold == "") != (w.Threshold == nil) || tc.threshold != "" && w.Threshold.ID != thresholdID(tc.threshold) {
					t.Errorf("as %q: threshold %v", c.Role, w.Threshold)
				}
				if !strings.HasPrefix(w.Statement, "Nothing is agreed yet in "+w.Partnership.Name) || !strings.Contains(w.Statement, w.Area.Name) {
					t.Errorf("as %q: statement %q", c.Role, w.Statement)
				}
			}
		})
	}
	// An institution in no partnership has no answers.
	if got := s.whoHandles(anonymous, institutionID("samaritans"), areaID("crisis-and-post-crisis-care")); len(got) != 0 {
		t.Errorf("Samaritans: %s", asJSON(got))
	}
	// Unknown records are NOT_FOUND; IDs of other types BAD_USER_INPUT.
	q := `query($i: ID!, $a: ID!) { whoHandles(institutionId: $i, areaId: $a) { statement } }`
	for _, tc := range []struct{ i, a, code, field string }{
		{graph.GlobalID("Institution", uuid.New()), areaID("diagnosis"), "NOT_FOUND", ""},
		{institutionID("ljmu"), graph.GlobalID("ResponsibilityArea", uuid.New()), "NOT_FOUND", ""},
		{institutionID("ljmu"), thresholdID("liverpool-crisis"), "BAD_USER_INPUT", "areaId"},
		{partnershipID("liverpool"), areaID("diagnosis"), "BAD_USER_INPUT", "institutionId"},
	} {
		wantError(t, s.do(anonymous, q, map[string]any{"i": tc.i, "a": tc.a}), tc.code, tc.field)
	}
}

// --- The catalogue of areas ---

// responsibilityAreas lists the North-East table's 31 rows in table order,
// each with where the action learning set placed it.
func TestResponsibilityAreasCatalogue(t *testing.T) {
	s := newAPIServer(t)
	type area struct {
		ID, Name           string
		Description        *string
		ReferencePlacement *string
		ReferenceSource    *string
		Version            int
	}
	var got struct{ ResponsibilityAreas []area }
	s.query(anonymous, `{ responsibilityAreas { id name description referencePlacement referenceSource version } }`, nil, &got)
	if len(got.ResponsibilityAreas) != 31 || len(seed.Areas) != 31 {
		t.Fatalf("%d areas listed, %d seeded", len(got.ResponsibilityAreas), len(seed.Areas))
	}
	counts := map[string]int{}
	for i, a := range got.ResponsibilityAreas {
		want := seed.Areas[i]
		if a.ID != areaID(want.Key) || a.Name != want.Name || a.ReferencePlacement == nil || *a.ReferencePlacement != want.Placement ||
			a.ReferenceSource == nil || !strings.Contains(*a.ReferenceSource, "North-East") || a.Description == nil || a.Version != 1 {
			t.Errorf("area %d: %+v, want %+v", i, a, want)
			continue
		}
		counts[*a.ReferencePlacement]++
	}
	// The table's columns: 8 NHS, 9 unclear, 8 HEP, 6 student.
	if fmt.Sprint(counts) != "map[HEP:8 NHS:8 STUDENT:6 UNCLEAR:9]" {
		t.Errorf("placements %v", counts)
	}
	for _, name := range []string{"Crisis and post-crisis care", "Registering with a GP", "Reasonable adjustment plans",
		"Medication and prescribing", "Assessment of need", "Sharing responsibility for managing their own safety"} {
		if !slices.ContainsFunc(got.ResponsibilityAreas, func(a area) bool { return a.Name == name }) {
			t.Errorf("%q is not in the catalogue", name)
		}
	}
}

// Administrators add areas (audited, listed in their place); leads and
// others may not; names are unique.
func TestCreateResponsibilityArea(t *testing.T) {
	s := newAPIServer(t)
	newArea := map[string]any{"input": map[string]any{"name": "Support for students returning home out of term",
		"description": "Who keeps in touch with a student while they are at their family home.", "sortOrder": 175}, "reason": "Raised at the steering group"}
	for _, tc := range []struct {
		who  caller
		code string
	}{
		{anonymous, "UNAUTHENTICATED"}, {professional, "FORBIDDEN"}, {liverpoolLead, "FORBIDDEN"}, {uolSigner, "FORBIDDEN"}, {leadOfEverything, "FORBIDDEN"},
	} {
		s.refuse(tc.who, op{"createResponsibilityArea", "", newArea}, tc.code)
	}
	got := s.allow(admin, op{"createResponsibilityArea", "", newArea})
	if got.Version != 1 {
		t.Errorf("created at version %d", got.Version)
	}
	var list struct {
		ResponsibilityAreas []struct {
			ID, Name           string
			ReferencePlacement *string
		}
	}
	s.query(anonymous, `{ responsibilityAreas { id name referencePlacement } }`, nil, &list)
	if len(list.ResponsibilityAreas) != 32 {
		t.Fatalf("%d areas after adding one", len(list.ResponsibilityAreas))
	}
	// Sort order 175 puts it after the 17th row (sort order 170).
	if a := list.ResponsibilityAreas[17]; a.ID != got.ID || a.ReferencePlacement != nil {
		t.Errorf("row 18 is %+v, want the new area %s", a, got.ID)
	}
	h := s.history(admin, got.ID)
	if len(h) != 1 || h[0].Action != "CREATE" || h[0].EntityType != "ResponsibilityArea" || h[0].ActorRole != "ADMIN" ||
		h[0].Reason == nil || *h[0].Reason != "Raised at the steering group" {
		t.Errorf("audit: %s", asJSON(h))
	}
	// A lead may not read the catalogue's audit log.
	wantError(t, s.auditLog(liverpoolLead, got.ID, 10, nil), "FORBIDDEN", "")
	// A lead can draft a threshold for the new area.
	th := s.mustStep(liverpoolLead, "draftThreshold", map[string]any{"partnershipId": partnershipID("liverpool"), "areaId": got.ID,
		"input": map[string]any{"responsibleParty": "STUDENT"}})
	if th.Area.ID != got.ID || th.Pending == nil {
		t.Errorf("draft for the new area: %s", asJSON(th))
	}

	// Invalid areas change nothing.
	withInput := func(set map[string]any) map[string]any {
		in := maps.Clone(newArea["input"].(map[string]any))
		maps.Copy(in, set)
		return map[string]any{"input": in}
	}
	for _, tc := range []struct {
		name  string
		vars  map[string]any
		field string
	}{
		{"duplicate name", withInput(nil), "input.name"},
		{"a seeded name", withInput(map[string]any{"name": "Crisis and post-crisis care"}), "input.name"},
		{"blank name", withInput(map[string]any{"name": "  "}), "input.name"},
		{"name over 300", withInput(map[string]any{"name": repeat(301)}), "input.name"},
		{"description over 2000", withInput(map[string]any{"name": "Another", "description": repeat(2001)}), "input.description"},
		{"negative sort order", withInput(map[string]any{"name": "Another", "sortOrder": -1}), "input.sortOrder"},
		{"SHARED is not a placement of the table", withInput(map[string]any{"name": "Another", "referencePlacement": "SHARED"}), "input.referencePlacement"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := s.on(t)
			before, audits := s.state(), s.audits()
			r := s.mutate(admin, "createResponsibilityArea", tc.vars)
			wantError(t, r, "BAD_USER_INPUT", tc.field)
			if s.audits() != audits {
				t.Errorf("audited")
			}
			s.unchanged(before)
		})
	}
}
