package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waymark/waymark/seed"
	"github.com/waymark/waymark/store"
)

// DOMAIN.md scenarios 1, 2 and 3 (issue 5, referral pathways and handover)
// through the whole HTTP server: an A&E liaison nurse hands a consenting
// LJMU student over to the university (with a nominated contact who has
// left post, a stale one and none at all); the same student refuses; and a
// University of Liverpool student looks for help at night.

// Global IDs of seeded records, for the pathway tests.
func pwService(key string) string     { return id("Service", "services", key) }
func pwInst(key string) string        { return id("Institution", "institutions", key) }
func pwPartnership(key string) string { return id("Partnership", "partnerships", key) }
func pwContact(key string) string     { return id("ContactPoint", "contact_points", key) }
func pwPathway(key string) string     { return id("Pathway", "pathways", key) }
func pwStep(key string) string        { return id("PathwayStep", "pathway_steps", key) }
func pwAgreement(key string) string   { return id("SharingAgreement", "sharing_agreements", key) }

// pwDay is the UK calendar date days from today, as a GraphQL Date.
func pwDay(days int) string { return time.Now().In(store.UK).AddDate(0, 0, days).Format(time.DateOnly) }

// Who asks.
var (
	// The A&E mental health liaison nurse at Mersey Care.
	aeNurse = caller{Role: "professional", Name: "Nia Nurse", Subject: "pw-ae-nurse",
		Partnerships: []string{"liverpool"}, Institutions: []string{"mersey-care"}}
	pwAdmin         = caller{Role: "admin", Name: "Ari Admin", Subject: "pw-admin"}
	pwLiverpoolLead = caller{Role: "lead", Name: "Liv Lead", Subject: "pw-lead-liverpool", Partnerships: []string{"liverpool"}}
	pwBristolLead   = caller{Role: "lead", Name: "Bri Lead", Subject: "pw-lead-bristol", Partnerships: []string{"bristol"}}
)

type warningView struct{ Code, Message string }

type agreementView struct {
	ID, Name, LawfulBasis, Status string
	LawfulBasisDetail             *string
	PermitsSharingWithoutConsent  bool
	Parties                       []struct{ ID string }
	Version                       int
}

type protocolView struct {
	WhatToSend       []string
	Channel          *string
	TimeLimitHours   *int
	ReceivingPurpose *string
	Agreement        *agreementView
	Notes            *string
}

type expectationView struct {
	FirstContactWithinDays *int
	Sessions               *int
	Description            *string
}

type stepView struct {
	ID                    string
	From, To              struct{ ID, Name string }
	Pathway               struct{ ID string }
	Situation             string
	RequiresStudentStatus bool
	Consents              []string
	MinUrgency            string
	MaxUrgency            string
	Protocol              protocolView
	StudentCanExpect      expectationView
	DeadEnd               bool
	Version               int
}

type signpostView struct {
	Section          string
	OpenNow          bool
	HowToAccess      *string
	WhatToExpect     *string
	ExpectedWaitDays *int
	Service          struct {
		ID, Name, Visibility, CapacityStatus string
		Open24x7                             bool
		Phone, TextNumber                    *string
		DeliveryModes                        []string
		Site                                 *struct{ ID string }
		Institution                          struct {
			ID     string
			Region *string
		}
		ContactPoints []struct{ Name, Kind, Visibility string }
	}
	Via *struct {
		ID       string
		From, To struct{ ID, Name string }
	}
}

type handoverView struct {
	Consent          string
	ShareWithConsent bool
	Fallback         bool
	Step             *struct{ ID string }
	ReceivingService *struct{ ID, Name string }
	Protocol         *protocolView
	ContactPoints    []struct {
		Role         string
		Succeeded    bool
		ContactPoint struct{ ID, Name, Kind, Email string }
	}
	Agreement        *agreementView
	StudentCanExpect *expectationView
	Signposting      []signpostView
	Warnings         []warningView
}

const agreementFields = `id name lawfulBasis lawfulBasisDetail permitsSharingWithoutConsent status parties { id } version`

const protocolFields = `whatToSend channel timeLimitHours receivingPurpose notes agreement { ` + agreementFields + ` }`

const stepFields = `id from { id name } to { id name } pathway { id } situation requiresStudentStatus consents
	minUrgency maxUrgency protocol { ` + protocolFields + ` }
	studentCanExpect { firstContactWithinDays sessions description } deadEnd version`

const signpostFields = `section openNow howToAccess whatToExpect expectedWaitDays
	service { id name visibility capacityStatus open24x7 phone textNumber deliveryModes site { id }
		institution { id region } contactPoints { name kind visibility } }
	via { id from { id name } to { id name } }`

const handoverQuery = `query($from: ID!, $to: ID!, $situation: Situation!, $consent: Consent!) {
	handover(fromServiceId: $from, toInstitutionId: $to, situation: $situation, consent: $consent) {
		consent shareWithConsent fallback step { id } receivingService { id name }
		protocol { ` + protocolFields + ` }
		contactPoints { role succeeded contactPoint { id name kind email } }
		agreement { ` + agreementFields + ` }
		studentCanExpect { firstContactWithinDays sessions description }
		signposting { ` + signpostFields + ` }
		warnings { code message }
	} }`

func (s *apiServer) handover(c caller, from, to, situation, consent string) (handoverView, gqlResponse) {
	s.t.Helper()
	r := s.do(c, handoverQuery, map[string]any{"from": from, "to": to, "situation": situation, "consent": consent})
	var got struct{ Handover handoverView }
	if len(r.Errors) == 0 {
		r.decode(s.t, &got)
	}
	return got.Handover, r
}

func (s *apiServer) mustHandover(c caller, from, to, situation, consent string) handoverView {
	s.t.Helper()
	h, r := s.handover(c, from, to, situation, consent)
	if len(r.Errors) > 0 {
		s.t.Fatalf("handover: %s", r.Raw)
	}
	return h
}

const nextStepsQuery = `query($from: ID!, $situation: Situation, $urgency: Urgency, $consent: Consent) {
	nextSteps(fromServiceId: $from, situation: $situation, urgency: $urgency, consent: $consent) { ` + stepFields + ` } }`

func (s *apiServer) nextSteps(c caller, from string, filters map[string]any) []stepView {
	s.t.Helper()
	vars := map[string]any{"from": from}
	for k, v := range filters {
		vars[k] = v
	}
	var got struct{ NextSteps []stepView }
	s.query(c, nextStepsQuery, vars, &got)
	return got.NextSteps
}

const signpostQuery = `query($i: ID, $need: Need!, $urgency: Urgency!) {
	signpost(institutionId: $i, need: $need, urgency: $urgency) { ` + signpostFields + ` } }`

func (s *apiServer) signpost(c caller, institution *string, need, urgency string) ([]signpostView, gqlResponse) {
	s.t.Helper()
	vars := map[string]any{"need": need, "urgency": urgency}
	if institution != nil {
		vars["i"] = *institution
	}
	r := s.do(c, signpostQuery, vars)
	var got struct{ Signpost []signpostView }
	if len(r.Errors) == 0 {
		r.decode(s.t, &got)
	}
	return got.Signpost, r
}

func warningCodes(ws []warningView) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Code
	}
	return out
}

func warningOf(ws []warningView, code string) (warningView, bool) {
	i := slices.IndexFunc(ws, func(w warningView) bool { return w.Code == code })
	if i < 0 {
		return warningView{}, false
	}
	return ws[i], true
}

func stepIDs(steps []stepView) []string {
	out := make([]string, len(steps))
	for i, st := range steps {
		out[i] = st.ID
	}
	return out
}

// contactVersion is a seeded contact point's current version.
func (s *apiServer) contactVersion(key string) int {
	s.t.Helper()
	return s.count(`SELECT version FROM contact_points WHERE id = $1`, seed.ID("contact_points", key))
}

// Scenario 1: an A&E liaison nurse at Mersey Care sees an LJMU student after
// self-harm; the student says they are a student and consents. Waymark says
// who at the university is told, through which service, by what channel and
// how quickly, under which agreement, and what happens next. The nominated
// person has left post, so their successor answers, then the deputy; when
// none is current, or the details are stale, or no agreement is recorded,
// the plan says so.
func TestScenario1AandEToUniversity(t *testing.T) {
	s := newAPIServer(t)
	ae, ljmu := pwService("rluh-ae-liaison"), pwInst("ljmu")

	h := s.mustHandover(aeNurse, ae, ljmu, "PRESENTS_AT_URGENT_CARE", "GIVEN")
	if h.Consent != "GIVEN" || !h.ShareWithConsent {
		t.Fatalf("consent %s, share %v", h.Consent, h.ShareWithConsent)
	}
	if h.Step == nil || h.Step.ID != pwStep("liverpool-after/ae-to-ljmu") {
		t.Errorf("step %+v, want liverpool-after/ae-to-ljmu", h.Step)
	}
	// Through which service.
	if h.ReceivingService == nil || h.ReceivingService.ID != pwService("ljmu-wellbeing") {
		t.Errorf("receiving service %+v, want LJMU Student Advice and Wellbeing", h.ReceivingService)
	}
	// What to send, by which channel, within what time, to which purpose.
	p := h.Protocol
	if p == nil {
		t.Fatal("no protocol with consent given")
	}
	if !slices.Equal(p.WhatToSend, []string{"RISK_MANAGEMENT_PLAN", "SAFETY_PLAN", "CONTACT_DETAILS"}) ||
		p.Channel == nil || *p.Channel != "SECURE_EMAIL" || p.TimeLimitHours == nil || *p.TimeLimitHours != 24 ||
		p.ReceivingPurpose == nil || *p.ReceivingPurpose != "URGENT_CARE_NOTIFICATION" {
		t.Errorf("protocol: %+v", p)
	}
	if p.Notes == nil || !strings.Contains(*p.Notes, "successor or deputy") {
		t.Errorf("protocol notes: %v", p.Notes)
	}
	// Under which agreement and lawful basis.
	for what, a := range map[string]*agreementView{"plan": h.Agreement, "protocol": p.Agreement} {
		if a == nil || a.ID != pwAgreement("liverpool-consent-isa") || a.LawfulBasis != "EXPLICIT_CONSENT" || a.Status != "ACTIVE" {
			t.Errorf("%s agreement: %+v, want the Liverpool consent agreement (EXPLICIT_CONSENT)", what, a)
		}
	}
	// Who: the nominated person (Gareth Lindqvist) left post ten days ago;
	// his successor answers as PRIMARY, then the successor's deputy.
	var who []string
	for _, c := range h.ContactPoints {
		who = append(who, c.Role+" "+c.ContactPoint.ID)
	}
	want := []string{"PRIMARY " + pwContact("ljmu-urgent-care"), "DEPUTY " + pwContact("ljmu-wellbeing-duty")}
	if !slices.Equal(who, want) {
		t.Fatalf("contact points %v, want %v", who, want)
	}
	if !h.ContactPoints[0].Succeeded || h.ContactPoints[0].ContactPoint.Name != "Priya Ramanathan-Hale" {
		t.Errorf("primary: %+v, want the successor with succeeded true", h.ContactPoints[0])
	}
	if strings.Contains(h.ContactPoints[0].ContactPoint.Email+h.ContactPoints[1].ContactPoint.Email, "lindqvist") {
		t.Error("the contact who left post is still offered")
	}
	// The same answer as the directory gives for the purpose.
	var cps struct {
		ContactPoints []struct {
			Role         string
			ContactPoint struct{ ID string }
		}
	}
	s.query(aeNurse, `query($i: ID!) { contactPoints(institutionId: $i, purpose: URGENT_CARE_NOTIFICATION) { role contactPoint { id } } }`,
		map[string]any{"i": ljmu}, &cps)
	if len(cps.ContactPoints) != 2 || cps.ContactPoints[0].ContactPoint.ID != pwContact("ljmu-urgent-care") {
		t.Errorf("contactPoints disagrees with handover: %+v", cps.ContactPoints)
	}
	// What the student can expect.
	if e := h.StudentCanExpect; e == nil || e.FirstContactWithinDays == nil || *e.FirstContactWithinDays != 2 ||
		e.Description == nil || !strings.Contains(*e.Description, "LJMU Student Advice and Wellbeing is told") {
		t.Errorf("studentCanExpect: %+v", h.StudentCanExpect)
	}
	if len(h.Warnings) != 0 || len(h.Signposting) != 0 {
		t.Errorf("a clean hand-over has warnings %v and signposting %d", warningCodes(h.Warnings), len(h.Signposting))
	}

	// What happens next: A&E also shares with the Student Liaison Service,
	// which follows up by phone, refers on, and can bring the student to
	// the MDT, which can refer to U-COPE.
	fromAE := s.nextSteps(aeNurse, ae, map[string]any{"situation": "PRESENTS_AT_URGENT_CARE", "consent": "GIVEN"})
	if !slices.Contains(stepIDs(fromAE), pwStep("liverpool-after/ae-to-liaison")) {
		t.Errorf("A&E's next steps %v do not include the share with the Student Liaison Service", stepIDs(fromAE))
	}
	liaison := s.nextSteps(aeNurse, pwService("student-liaison"), map[string]any{"situation": "PRESENTS_AT_URGENT_CARE", "consent": "GIVEN"})
	gotNext := stepIDs(liaison)
	for _, k := range []string{"liverpool-after/liaison-to-ljmu", "liverpool-after/liaison-to-mdt"} {
		if !slices.Contains(gotNext, pwStep(k)) {
			t.Errorf("the Student Liaison Service's next steps lack %s: %v", k, gotNext)
		}
	}
	for _, st := range liaison {
		switch st.ID {
		case pwStep("liverpool-after/liaison-to-ljmu"):
			if e := st.StudentCanExpect.Description; e == nil || !strings.Contains(*e, "follow-up call") {
				t.Errorf("liaison to LJMU: %v", e)
			}
		case pwStep("liverpool-after/liaison-to-mdt"):
			if st.To.ID != pwService("liverpool-mdt") || st.Protocol.ReceivingPurpose == nil || *st.Protocol.ReceivingPurpose != "MDT_REFERRAL" {
				t.Errorf("liaison to MDT: %+v", st)
			}
		}
	}
	mdt := s.nextSteps(aeNurse, pwService("liverpool-mdt"), map[string]any{"situation": "PRESENTS_AT_URGENT_CARE"})
	i := slices.IndexFunc(mdt, func(st stepView) bool { return st.To.ID == pwService("ucope") })
	if i < 0 {
		t.Fatalf("the MDT does not lead to U-COPE: %v", stepIDs(mdt))
	}
	if e := mdt[i].StudentCanExpect; e.Sessions == nil || *e.Sessions != 6 {
		t.Errorf("U-COPE: %+v, want six sessions", e)
	}
	// The whole way, as routes: A&E → Liaison → MDT → U-COPE.
	var rs struct {
		Routes []struct {
			Steps         []struct{ ID string }
			ExpectedHours int
		}
	}
	s.query(aeNurse, `query($a: ID!, $b: ID!) { routes(fromServiceId: $a, toServiceId: $b) { steps { id } expectedHours } }`,
		map[string]any{"a": ae, "b": pwService("ucope")}, &rs)
	viaMDT := false
	for _, r := range rs.Routes {
		ids := []string{}
		for _, st := range r.Steps {
			ids = append(ids, st.ID)
		}
		if slices.Equal(ids, []string{pwStep("liverpool-after/ae-to-liaison"), pwStep("liverpool-after/liaison-to-mdt"), pwStep("liverpool-after/mdt-to-ucope")}) {
			viaMDT = true
		}
	}
	if !viaMDT {
		t.Errorf("no route A&E → Student Liaison → MDT → U-COPE among %+v", rs.Routes)
	}

	// Stale details: the successor's details were last confirmed long ago.
	if _, err := s.Pool.Exec(t.Context(), `UPDATE contact_points SET last_verified_at = now() - interval '400 days' WHERE id = $1`,
		seed.ID("contact_points", "ljmu-urgent-care")); err != nil {
		t.Fatal(err)
	}
	h = s.mustHandover(aeNurse, ae, ljmu, "PRESENTS_AT_URGENT_CARE", "GIVEN")
	w, ok := warningOf(h.Warnings, "CONTACT_NOT_VERIFIED")
	if !ok || !strings.Contains(w.Message, "Priya Ramanathan-Hale") {
		t.Errorf("stale contact: warnings %+v", h.Warnings)
	}
	if len(h.ContactPoints) != 2 || !h.ShareWithConsent {
		t.Errorf("a stale contact is still offered (with a warning): %+v", h.ContactPoints)
	}

	// No one current: the successor leaves post yesterday with no successor,
	// and so does the deputy team.
	for _, key := range []string{"ljmu-urgent-care", "ljmu-wellbeing-duty"} {
		r := s.do(pwAdmin, `mutation($id: ID!, $v: Int!, $to: Date!) { endContactPoint(id: $id, expectedVersion: $v, validTo: $to, reason: "Left post") { id validTo current } }`,
			map[string]any{"id": pwContact(key), "v": s.contactVersion(key), "to": pwDay(-1)})
		var ended struct{ EndContactPoint struct{ Current bool } }
		r.decode(t, &ended)
		if ended.EndContactPoint.Current {
			t.Fatalf("%s is still current after ending yesterday", key)
		}
	}
	h = s.mustHandover(aeNurse, ae, ljmu, "PRESENTS_AT_URGENT_CARE", "GIVEN")
	if len(h.ContactPoints) != 0 {
		t.Errorf("contact points after everyone left: %+v", h.ContactPoints)
	}
	w, ok = warningOf(h.Warnings, "NO_CURRENT_CONTACT")
	if !ok || !strings.Contains(w.Message, "No one") || !strings.Contains(w.Message, "Liverpool John Moores University") ||
		!strings.Contains(w.Message, "urgent care notifications") {
		t.Errorf("no current contact: warnings %+v", h.Warnings)
	}
	// The rest of the plan still stands: the protocol, the agreement.
	if !h.ShareWithConsent || h.Protocol == nil || h.Agreement == nil || h.ReceivingService == nil {
		t.Errorf("plan without a contact: %+v", h)
	}

	// No agreement: Bristol's crisis line hands back to UWE with consent,
	// but no information sharing agreement is recorded for the step.
	h = s.mustHandover(aeNurse, pwService("awp-response-line"), pwInst("uwe"), "CRISIS_TEAM_CONTACT", "GIVEN")
	if h.Step == nil || h.Step.ID != pwStep("bristol-cross-referral/awp-to-uwe") || !h.ShareWithConsent {
		t.Fatalf("Bristol hand-over: %+v", h)
	}
	if h.Agreement != nil || h.Protocol == nil || h.Protocol.Agreement != nil {
		t.Errorf("Bristol hand-over names an agreement: %+v", h.Agreement)
	}
	if _, ok := warningOf(h.Warnings, "NO_AGREEMENT"); !ok {
		t.Errorf("no agreement: warnings %v", warningCodes(h.Warnings))
	}

	// No pathway from A&E on discharge: the student consented, so LJMU's
	// current discharge contact, else its urgent care one, would be given
	// as a fallback (handover_fallback_test.go); both have left post.
	h = s.mustHandover(aeNurse, ae, ljmu, "DISCHARGED_FROM_INPATIENT_CARE", "GIVEN")
	if h.Step != nil || h.ShareWithConsent || h.Protocol != nil || h.Fallback || len(h.ContactPoints) != 0 ||
		!slices.Equal(warningCodes(h.Warnings), []string{"NO_PATHWAY", "NO_CURRENT_CONTACT"}) {
		t.Errorf("no pathway from A&E on discharge: %+v", h)
	}
}

// Scenario 2: the same student does not consent. The plan shares nothing
// identifying, gives the signposting to hand the student, and names the
// agreement and lawful basis under which sharing without consent may be
// considered, leaving the decision to the clinician; where no agreement
// permits it, it says so.
func TestScenario2ConsentRefused(t *testing.T) {
	s := newAPIServer(t)
	ae, ljmu := pwService("rluh-ae-liaison"), pwInst("ljmu")

	h, r := s.handover(aeNurse, ae, ljmu, "PRESENTS_AT_URGENT_CARE", "REFUSED")
	if len(r.Errors) > 0 {
		t.Fatal(r.Raw)
	}
	if h.Consent != "REFUSED" || h.ShareWithConsent || h.Protocol != nil || len(h.ContactPoints) != 0 {
		t.Fatalf("refused: share %v, protocol %+v, contacts %+v", h.ShareWithConsent, h.Protocol, h.ContactPoints)
	}
	// Nothing identifying: no contact's name, e-mail or phone appears
	// anywhere in the plan, signposting included, though the nurse may see
	// them elsewhere.
	rows, err := s.Pool.Query(t.Context(), `SELECT name, coalesce(email, ''), coalesce(phone, '') FROM contact_points
		WHERE institution_id = $1 AND visibility <> 'PUBLIC'`, seed.ID("institutions", "ljmu"))
	if err != nil {
		t.Fatal(err)
	}
	var hidden []string
	for rows.Next() {
		var n, e, p string
		if err := rows.Scan(&n, &e, &p); err != nil {
			t.Fatal(err)
		}
		hidden = append(hidden, n, e, p)
	}
	rows.Close()
	for _, x := range hidden {
		if x != "" && strings.Contains(r.Raw, x) {
			t.Errorf("the refused plan contains %q", x)
		}
	}
	// The signposting to give the student: what to do right now first.
	if len(h.Signposting) == 0 || h.Signposting[0].Section != "ACT_NOW" {
		t.Fatalf("signposting: %+v", h.Signposting)
	}
	var sections, names []string
	for _, o := range h.Signposting {
		sections = append(sections, o.Section)
		names = append(names, o.Service.Name)
		if o.Service.Visibility != "PUBLIC" {
			t.Errorf("signposting offers %s (%s)", o.Service.Name, o.Service.Visibility)
		}
	}
	if !slices.IsSortedFunc(sections, func(a, b string) int { return sectionRank(a) - sectionRank(b) }) {
		t.Errorf("signposting sections out of order: %v", sections)
	}
	for _, want := range []string{"Samaritans helpline", "Mersey Care 24/7 mental health crisis line and crisis team", "LJMU Student Advice and Wellbeing"} {
		if !slices.Contains(names, want) {
			t.Errorf("signposting lacks %q: %v", want, names)
		}
	}
	// The agreement under which sharing without consent may be considered.
	a := h.Agreement
	if a == nil || a.ID != pwAgreement("liverpool-safeguarding-isa") || a.LawfulBasis != "SAFEGUARDING_OF_INDIVIDUALS_AT_RISK" ||
		!a.PermitsSharingWithoutConsent {
		t.Fatalf("agreement: %+v, want the Liverpool safeguarding agreement", a)
	}
	if !slices.Contains(warningCodes(h.Warnings), "CONSENT_REFUSED") {
		t.Errorf("warnings %v lack CONSENT_REFUSED", warningCodes(h.Warnings))
	}
	w, ok := warningOf(h.Warnings, "SHARING_WITHOUT_CONSENT_MAY_BE_CONSIDERED")
	if !ok {
		t.Fatalf("warnings %v lack SHARING_WITHOUT_CONSENT_MAY_BE_CONSIDERED", warningCodes(h.Warnings))
	}
	// It never decides: the decision is the clinician's.
	if !strings.Contains(w.Message, "may be considered") || !strings.Contains(w.Message, "decision is yours") ||
		!strings.Contains(w.Message, "Schedule 1 Part 2 paragraph 18") {
		t.Errorf("message: %q", w.Message)
	}
	// What the student can expect is the refused step's, not the consented one's.
	if e := h.StudentCanExpect; e == nil || e.Description == nil || !strings.HasPrefix(*e.Description, "Nobody at your university will be told") {
		t.Errorf("studentCanExpect: %+v", h.StudentCanExpect)
	}
	// An anonymous caller sees the same plan (nothing is hidden from them
	// because nothing is shared).
	anon := s.mustHandover(anonymous, ae, ljmu, "PRESENTS_AT_URGENT_CARE", "REFUSED")
	if anon.Agreement == nil || anon.Agreement.ID != a.ID || len(anon.Signposting) != len(h.Signposting) {
		t.Errorf("anonymous refused plan differs: %+v", anon)
	}

	// No agreement permits sharing without consent between AWP and UWE in
	// Bristol: the plan says so and names none.
	b := s.mustHandover(aeNurse, pwService("awp-response-line"), pwInst("uwe"), "CRISIS_TEAM_CONTACT", "REFUSED")
	if b.ShareWithConsent || b.Protocol != nil || len(b.ContactPoints) != 0 || b.Agreement != nil {
		t.Errorf("Bristol refused: %+v", b)
	}
	if b.StudentCanExpect != nil {
		t.Errorf("Bristol refused: the consented step's expectation is offered: %+v", b.StudentCanExpect)
	}
	codes := warningCodes(b.Warnings)
	if !slices.Contains(codes, "CONSENT_REFUSED") || !slices.Contains(codes, "NO_AGREEMENT") ||
		slices.Contains(codes, "SHARING_WITHOUT_CONSENT_MAY_BE_CONSIDERED") {
		t.Errorf("Bristol refused: warnings %v", codes)
	}
	if w, _ := warningOf(b.Warnings, "NO_AGREEMENT"); !strings.Contains(w.Message, "without consent") {
		t.Errorf("Bristol NO_AGREEMENT message: %q", w.Message)
	}
	if len(b.Signposting) == 0 || b.Signposting[0].Section != "ACT_NOW" {
		t.Errorf("Bristol refused: signposting %+v", b.Signposting)
	}

	// The other consents are not sharing either.
	for consent, code := range map[string]string{"NOT_ASKED": "CONSENT_NOT_ASKED", "LACKS_CAPACITY": "LACKS_CAPACITY"} {
		h := s.mustHandover(aeNurse, ae, ljmu, "PRESENTS_AT_URGENT_CARE", consent)
		if h.ShareWithConsent || h.Protocol != nil || len(h.ContactPoints) != 0 || !slices.Contains(warningCodes(h.Warnings), code) {
			t.Errorf("%s: %+v", consent, h)
		}
	}
}

func sectionRank(s string) int {
	return slices.Index([]string{"ACT_NOW", "AT_YOUR_INSTITUTION", "FURTHER_SUPPORT", "NATIONAL"}, s)
}

// Scenario 3: a University of Liverpool student opens the signposting app at
// night with thoughts of self-harm. They see, in order: what to do right now
// (emergency and 24/7 options), the university's own services they can refer
// themselves to, then the services reachable from there and how long they
// take. No staff names; nothing for professionals only, whoever asks.
// (The server has no clock to set, so "at night" is not forced: the test
// checks what does not depend on the hour.)
func TestScenario3StudentAtNight(t *testing.T) {
	s := newAPIServer(t)
	uol := pwInst("uol")

	opts, r := s.signpost(anonymous, &uol, "SELF_HARM", "URGENT")
	if len(r.Errors) > 0 {
		t.Fatal(r.Raw)
	}
	bySection := map[string][]signpostView{}
	var sections []string
	for _, o := range opts {
		bySection[o.Section] = append(bySection[o.Section], o)
		sections = append(sections, o.Section)
	}
	if !slices.IsSortedFunc(sections, func(a, b string) int { return sectionRank(a) - sectionRank(b) }) {
		t.Fatalf("sections out of order: %v", sections)
	}
	if len(opts) == 0 || opts[0].Section != "ACT_NOW" {
		t.Fatalf("what to do right now does not come first: %v", sections)
	}

	// Right now: 999 and A&E, NHS 111 (option 2), Samaritans, Shout, and
	// the 24/7 crisis line the university's services send students to.
	actNow := map[string]signpostView{}
	for _, o := range bySection["ACT_NOW"] {
		actNow[o.Service.ID] = o
		if !o.OpenNow || !o.Service.Open24x7 {
			t.Errorf("ACT_NOW %s: open now %v, 24/7 %v", o.Service.Name, o.OpenNow, o.Service.Open24x7)
		}
	}
	for key, number := range map[string]string{"emergency-999": "999", "nhs-111-mental-health": "111", "samaritans": "116 123", "shout": "85258",
		"mersey-care-crisis-line": "01632 960170"} {
		o, ok := actNow[pwService(key)]
		if !ok {
			t.Errorf("ACT_NOW lacks %s", key)
			continue
		}
		got := ""
		if o.Service.Phone != nil {
			got = *o.Service.Phone
		}
		if o.Service.TextNumber != nil {
			got = *o.Service.TextNumber
		}
		if got != number || o.HowToAccess == nil || *o.HowToAccess == "" {
			t.Errorf("%s: number %q, how to access %v", key, got, o.HowToAccess)
		}
	}
	// National options first, then the local one.
	if i := slices.IndexFunc(bySection["ACT_NOW"], func(o signpostView) bool { return o.Service.ID == pwService("mersey-care-crisis-line") }); i != len(bySection["ACT_NOW"])-1 {
		t.Errorf("the local crisis line is at %d of ACT_NOW", i)
	}

	// At your university: the university's own services, self-referral.
	own := bySection["AT_YOUR_INSTITUTION"]
	var ownIDs []string
	for _, o := range own {
		ownIDs = append(ownIDs, o.Service.ID)
		if o.HowToAccess == nil || o.WhatToExpect == nil {
			t.Errorf("%s: how to access %v, what to expect %v", o.Service.Name, o.HowToAccess, o.WhatToExpect)
		}
	}
	if !slices.Contains(ownIDs, pwService("mhas")) || !slices.Contains(ownIDs, pwService("uol-residence-life")) {
		t.Errorf("AT_YOUR_INSTITUTION: %v", ownIDs)
	}
	for _, o := range own {
		if o.Service.ID == pwService("mhas") && (o.ExpectedWaitDays == nil || *o.ExpectedWaitDays != 5) {
			t.Errorf("MHAS expected wait %v", o.ExpectedWaitDays)
		}
	}

	// Further support: reachable from the university's services, with the
	// step that leads there; U-COPE from MHAS, about two weeks.
	further := bySection["FURTHER_SUPPORT"]
	if len(further) == 0 {
		t.Fatal("no further support")
	}
	for _, o := range further {
		if o.Via == nil || o.Via.To.ID != o.Service.ID {
			t.Errorf("%s: via %+v", o.Service.Name, o.Via)
		}
		// Only what a University of Liverpool student may use.
		if o.Service.ID == pwService("ljmu-wellbeing") {
			t.Errorf("LJMU's own service is offered to a University of Liverpool student")
		}
	}
	i := slices.IndexFunc(further, func(o signpostView) bool { return o.Service.ID == pwService("ucope") })
	if i < 0 || further[i].Via.From.ID != pwService("mhas") || further[i].ExpectedWaitDays == nil || *further[i].ExpectedWaitDays != 14 {
		t.Errorf("U-COPE: %+v", further)
	}

	// No staff names and nothing for professionals, even for a signed-in
	// professional who could see them elsewhere (the MDT, its contacts, the
	// named urgent-care contacts).
	var people []string
	rows, err := s.Pool.Query(t.Context(), `SELECT name FROM contact_points WHERE kind = 'PERSON'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		people = append(people, n)
	}
	rows.Close()
	if len(people) < 10 {
		t.Fatalf("only %d named people in the seed", len(people))
	}
	for _, who := range []caller{anonymous, aeNurse, pwAdmin} {
		got, r := s.signpost(who, &uol, "SELF_HARM", "URGENT")
		if len(r.Errors) > 0 {
			t.Fatal(r.Raw)
		}
		if len(got) != len(opts) {
			t.Errorf("%s sees %d options, a student %d", who.Role, len(got), len(opts))
		}
		for _, p := range people {
			if strings.Contains(r.Raw, p) {
				t.Errorf("signposting as %q names %s", who.Role, p)
			}
		}
		for _, o := range got {
			if o.Service.ID == pwService("liverpool-mdt") || o.Service.Visibility != "PUBLIC" {
				t.Errorf("signposting as %q offers %s (%s)", who.Role, o.Service.Name, o.Service.Visibility)
			}
			for _, c := range o.Service.ContactPoints {
				if c.Visibility != "PUBLIC" || c.Kind != "TEAM" {
					t.Errorf("signposting as %q shows contact %+v", who.Role, c)
				}
			}
		}
	}
	// The MDT is there for a professional by other paths.
	var mdt struct{ Service struct{ Name string } }
	s.query(aeNurse, `query($id: ID!) { service(id: $id) { name } }`, map[string]any{"id": pwService("liverpool-mdt")}, &mdt)
	if mdt.Service.Name == "" {
		t.Fatal("the professional cannot see the MDT at all")
	}

	// Services at capacity last within each section: Samaritans with a
	// waiting list, MHAS closed to referrals.
	for key, status := range map[string]string{"samaritans": "WAITING_LIST", "mhas": "CLOSED_TO_REFERRALS"} {
		if _, err := s.Pool.Exec(t.Context(), `UPDATE services SET capacity_status = $2 WHERE id = $1`, seed.ID("services", key), status); err != nil {
			t.Fatal(err)
		}
	}
	opts, _ = s.signpost(anonymous, &uol, "SELF_HARM", "URGENT")
	last := map[string]string{}
	seen := map[string]int{}
	for _, o := range opts {
		seen[o.Section]++
		rank := map[string]int{"OPEN": 0, "WAITING_LIST": 1, "CLOSED_TO_REFERRALS": 2}[o.Service.CapacityStatus]
		if prev, ok := last[o.Section]; ok && rank < map[string]int{"OPEN": 0, "WAITING_LIST": 1, "CLOSED_TO_REFERRALS": 2}[prev] {
			t.Errorf("%s: %s (%s) after a service at capacity", o.Section, o.Service.Name, o.Service.CapacityStatus)
		}
		last[o.Section] = o.Service.CapacityStatus
	}
	for _, want := range []struct{ section, key string }{{"ACT_NOW", "samaritans"}, {"AT_YOUR_INSTITUTION", "mhas"}} {
		var ids []string
		for _, o := range opts {
			if o.Section == want.section {
				ids = append(ids, o.Service.ID)
			}
		}
		if len(ids) < 2 || ids[len(ids)-1] != pwService(want.key) {
			t.Errorf("%s at capacity is not last in %s", want.key, want.section)
		}
	}

	// Without an institution: national and online options only, none that
	// only some institutions' students may use.
	national, r := s.signpost(anonymous, nil, "SELF_HARM", "URGENT")
	if len(r.Errors) > 0 {
		t.Fatal(r.Raw)
	}
	if len(national) == 0 || national[0].Section != "ACT_NOW" {
		t.Fatalf("national signposting: %+v", national)
	}
	for _, o := range national {
		if o.Section != "ACT_NOW" && o.Section != "NATIONAL" {
			t.Errorf("without an institution, %s is in %s", o.Service.Name, o.Section)
		}
		isNational := o.Service.Institution.Region == nil && o.Service.Site == nil
		if !isNational && !slices.Contains(o.Service.DeliveryModes, "ONLINE") {
			t.Errorf("without an institution, %s is neither national nor online", o.Service.Name)
		}
		if o.Service.ID == pwService("mhas") || o.Service.ID == pwService("ljmu-wellbeing") {
			t.Errorf("without an institution, %s (for one university's students) is offered", o.Service.Name)
		}
	}
	var nationalNames []string
	for _, o := range national {
		nationalNames = append(nationalNames, o.Service.Name)
	}
	for _, key := range []string{"emergency-999", "nhs-111-mental-health", "shout"} {
		if !slices.ContainsFunc(national, func(o signpostView) bool { return o.Service.ID == pwService(key) }) {
			t.Errorf("national signposting lacks %s: %v", key, nationalNames)
		}
	}

	// A routine need that does not call for it has no ACT_NOW section.
	calm, _ := s.signpost(anonymous, &uol, "STUDY_STRESS", "ROUTINE")
	for _, o := range calm {
		if o.Section == "ACT_NOW" {
			t.Errorf("routine study stress: ACT_NOW offers %s", o.Service.Name)
		}
	}
	if len(calm) == 0 || calm[0].Section != "AT_YOUR_INSTITUTION" {
		t.Errorf("routine study stress: %+v", calm)
	}
}
