package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/waymark/waymark/seed"
)

// Issue 10, item 4: a consenting student always gets a contact. With consent
// given and no recorded pathway, handover falls back to the receiving
// institution's current contact for the purpose that fits the situation,
// marked as a fallback, with NO_PATHWAY kept; an anonymous caller who may
// not see the contact is told to sign in, not that nobody is nominated.

func contactRoles(h handoverView) []string {
	var out []string
	for _, c := range h.ContactPoints {
		out = append(out, c.Role+" "+c.ContactPoint.ID)
	}
	return out
}

func TestHandoverFallsBackToTheNominatedContact(t *testing.T) {
	s := newAPIServer(t)
	for _, c := range []struct {
		name, from, to, situation string
		who                       caller
		contacts                  []string
		purposeWords              string
	}{
		{"London crisis line to UCL", pwService("candi-crisis-line"), pwInst("ucl"), "CRISIS_TEAM_CONTACT", aeNurse,
			[]string{"PRIMARY " + pwContact("ucl-urgent-care")}, "urgent care notifications"},
		{"London crisis line to UCL, urgent care", pwService("candi-crisis-line"), pwInst("ucl"), "PRESENTS_AT_URGENT_CARE", aeNurse,
			[]string{"PRIMARY " + pwContact("ucl-urgent-care")}, "urgent care notifications"},
		// The deputy is for the Bristol partnership only: a professional
		// outside it sees the primary; the Bristol lead sees both.
		{"999 and A&E to UWE", pwService("emergency-999"), pwInst("uwe"), "PRESENTS_AT_URGENT_CARE", aeNurse,
			[]string{"PRIMARY " + pwContact("uwe-urgent-care")}, "urgent care notifications"},
		{"999 and A&E to UWE, as the Bristol lead", pwService("emergency-999"), pwInst("uwe"), "PRESENTS_AT_URGENT_CARE", pwBristolLead,
			[]string{"PRIMARY " + pwContact("uwe-urgent-care"), "DEPUTY " + pwContact("uwe-partnership-lead")}, "urgent care notifications"},
		// Discharge: the discharge contact, else the urgent care one. The
		// University of Manchester has no discharge contact.
		{"GMMH to the University of Manchester on discharge", pwService("gm-hems"), pwInst("manchester"), "DISCHARGED_FROM_INPATIENT_CARE", aeNurse,
			[]string{"PRIMARY " + pwContact("manchester-urgent-care")}, "urgent care notifications"},
		{"A&E to LJMU on discharge", pwService("rluh-ae-liaison"), pwInst("ljmu"), "DISCHARGED_FROM_INPATIENT_CARE", aeNurse,
			[]string{"PRIMARY " + pwContact("ljmu-wellbeing-duty")}, "discharge notifications"},
		// Crisis contact from A&E to LJMU has no step either: LJMU's
		// nominated contact has left post, so the successor answers.
		{"A&E to LJMU on crisis contact", pwService("rluh-ae-liaison"), pwInst("ljmu"), "CRISIS_TEAM_CONTACT", aeNurse,
			[]string{"PRIMARY " + pwContact("ljmu-urgent-care"), "DEPUTY " + pwContact("ljmu-wellbeing-duty")}, "urgent care notifications"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := s.mustHandover(c.who, c.from, c.to, c.situation, "GIVEN")
			if h.Step != nil || h.ShareWithConsent || h.Protocol != nil || h.StudentCanExpect != nil || len(h.Signposting) != 0 {
				t.Errorf("a fallback is not a pathway: %+v", h)
			}
			if !h.Fallback {
				t.Error("fallback is false")
			}
			if got := contactRoles(h); !slices.Equal(got, c.contacts) {
				t.Errorf("contacts %v, want %v", got, c.contacts)
			}
			if got := warningCodes(h.Warnings); !slices.Equal(got, []string{"NO_PATHWAY", "FALLBACK_CONTACT"}) {
				t.Errorf("warnings %v, want NO_PATHWAY, FALLBACK_CONTACT", got)
			}
			if w, _ := warningOf(h.Warnings, "FALLBACK_CONTACT"); !strings.Contains(w.Message, c.purposeWords) ||
				!strings.Contains(w.Message, "No recorded pathway") {
				t.Errorf("FALLBACK_CONTACT message %q does not name %s", w.Message, c.purposeWords)
			}
		})
	}

	// With consent refused there is no fallback: nothing identifying.
	for _, consent := range []string{"REFUSED", "NOT_ASKED", "LACKS_CAPACITY"} {
		h := s.mustHandover(aeNurse, pwService("candi-crisis-line"), pwInst("ucl"), "CRISIS_TEAM_CONTACT", consent)
		if h.Fallback || len(h.ContactPoints) != 0 || slices.Contains(warningCodes(h.Warnings), "FALLBACK_CONTACT") {
			t.Errorf("%s: %+v", consent, h)
		}
	}

	// No one in post for any fitting purpose: no fallback, and the plan
	// says so, naming the first purpose that fits.
	if _, err := s.Pool.Exec(t.Context(), `UPDATE contact_points SET retired_at = now() WHERE id = $1`,
		seed.ID("contact_points", "manchester-urgent-care")); err != nil {
		t.Fatal(err)
	}
	h := s.mustHandover(aeNurse, pwService("gm-hems"), pwInst("manchester"), "DISCHARGED_FROM_INPATIENT_CARE", "GIVEN")
	if h.Fallback || len(h.ContactPoints) != 0 || !slices.Equal(warningCodes(h.Warnings), []string{"NO_PATHWAY", "NO_CURRENT_CONTACT"}) {
		t.Errorf("no one in post: %+v", h)
	}
	if w, _ := warningOf(h.Warnings, "NO_CURRENT_CONTACT"); !strings.Contains(w.Message, "discharge notifications") {
		t.Errorf("NO_CURRENT_CONTACT message %q", w.Message)
	}
}

// An anonymous caller may see none of the urgent care contacts: told to sign
// in, not that nobody is nominated, on a pathway or a fallback, and given no
// contact's details.
func TestHandoverTellsAnAnonymousCallerToSignIn(t *testing.T) {
	s := newAPIServer(t)
	for _, c := range []struct {
		name, from, to, situation string
		codes                     []string
		fallbackContact           string
	}{
		{"pathway: A&E to LJMU", pwService("rluh-ae-liaison"), pwInst("ljmu"), "PRESENTS_AT_URGENT_CARE",
			[]string{"SIGN_IN_TO_SEE_CONTACTS"}, "ljmu-urgent-care"},
		{"fallback: 999 and A&E to UWE", pwService("emergency-999"), pwInst("uwe"), "PRESENTS_AT_URGENT_CARE",
			[]string{"NO_PATHWAY", "SIGN_IN_TO_SEE_CONTACTS"}, "uwe-urgent-care"},
		{"fallback: London crisis line to UCL", pwService("candi-crisis-line"), pwInst("ucl"), "CRISIS_TEAM_CONTACT",
			[]string{"NO_PATHWAY", "SIGN_IN_TO_SEE_CONTACTS"}, "ucl-urgent-care"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, r := s.handover(anonymous, c.from, c.to, c.situation, "GIVEN")
			if len(r.Errors) > 0 {
				t.Fatal(r.Raw)
			}
			if len(h.ContactPoints) != 0 || h.Fallback {
				t.Errorf("anonymous: contacts %v, fallback %v", contactRoles(h), h.Fallback)
			}
			if got := warningCodes(h.Warnings); !slices.Equal(got, c.codes) {
				t.Errorf("warnings %v, want %v", got, c.codes)
			}
			w, _ := warningOf(h.Warnings, "SIGN_IN_TO_SEE_CONTACTS")
			if !strings.Contains(w.Message, "sign in") || strings.Contains(w.Message, "No one") {
				t.Errorf("SIGN_IN_TO_SEE_CONTACTS message %q", w.Message)
			}
			var name, email, phone string
			if err := s.Pool.QueryRow(t.Context(), `SELECT name, email, phone FROM contact_points WHERE id = $1`,
				seed.ID("contact_points", c.fallbackContact)).Scan(&name, &email, &phone); err != nil {
				t.Fatal(err)
			}
			for _, x := range []string{name, email, phone} {
				if strings.Contains(r.Raw, x) {
					t.Errorf("the anonymous plan contains %q", x)
				}
			}
			// Signed in, the same request names the contact.
			if p := s.mustHandover(aeNurse, c.from, c.to, c.situation, "GIVEN"); len(p.ContactPoints) == 0 ||
				p.ContactPoints[0].ContactPoint.ID != pwContact(c.fallbackContact) {
				t.Errorf("signed in: contacts %v", contactRoles(p))
			}
		})
	}
}

// With consent refused and an agreement that permits sharing without
// consent, the plan shares nothing but says who to contact, and how, if the
// clinician decides to share: the consented step's purpose and channel, or
// the fallback purpose for the situation.
func TestHandoverIfYouDecideToShare(t *testing.T) {
	s := newAPIServer(t)
	const q = `query($from: ID!, $to: ID!, $situation: Situation!, $consent: Consent!) {
		handover(fromServiceId: $from, toInstitutionId: $to, situation: $situation, consent: $consent) {
			shareWithConsent contactPoints { role } agreement { id }
			ifYouDecideToShare { receivingPurpose channel fallback contactPoints { role contactPoint { id } } warnings { code message } }
		} }`
	type route struct {
		ReceivingPurpose string
		Channel          *string
		Fallback         bool
		ContactPoints    []struct {
			Role         string
			ContactPoint struct{ ID string }
		}
		Warnings []warningView
	}
	ask := func(who caller, from, to, situation, consent string) (bool, int, *struct{ ID string }, *route) {
		t.Helper()
		var got struct {
			Handover struct {
				ShareWithConsent   bool
				ContactPoints      []struct{ Role string }
				Agreement          *struct{ ID string }
				IfYouDecideToShare *route
			}
		}
		s.query(who, q, map[string]any{"from": from, "to": to, "situation": situation, "consent": consent}, &got)
		h := got.Handover
		return h.ShareWithConsent, len(h.ContactPoints), h.Agreement, h.IfYouDecideToShare
	}
	roles := func(r *route) []string {
		var out []string
		for _, c := range r.ContactPoints {
			out = append(out, c.Role+" "+c.ContactPoint.ID)
		}
		return out
	}
	ae, ljmu := pwService("rluh-ae-liaison"), pwInst("ljmu")

	// Scenario 2: the consented step's purpose and channel, LJMU's
	// successor and deputy; nothing shared.
	for _, consent := range []string{"REFUSED", "NOT_ASKED", "LACKS_CAPACITY"} {
		share, n, a, r := ask(aeNurse, ae, ljmu, "PRESENTS_AT_URGENT_CARE", consent)
		if share || n != 0 || a == nil || a.ID != pwAgreement("liverpool-safeguarding-isa") {
			t.Errorf("%s: share %v, %d contacts, agreement %+v", consent, share, n, a)
		}
		if r == nil {
			t.Fatalf("%s: no ifYouDecideToShare", consent)
		}
		if r.ReceivingPurpose != "URGENT_CARE_NOTIFICATION" || r.Channel == nil || *r.Channel != "SECURE_EMAIL" || r.Fallback ||
			!slices.Equal(roles(r), []string{"PRIMARY " + pwContact("ljmu-urgent-care"), "DEPUTY " + pwContact("ljmu-wellbeing-duty")}) ||
			len(r.Warnings) != 0 {
			t.Errorf("%s: %+v", consent, r)
		}
	}
	// No step on discharge: LJMU's discharge contact, as a fallback, no channel.
	if _, _, _, r := ask(aeNurse, ae, ljmu, "DISCHARGED_FROM_INPATIENT_CARE", "REFUSED"); r == nil || !r.Fallback || r.Channel != nil ||
		r.ReceivingPurpose != "DISCHARGE_NOTIFICATION" || !slices.Equal(roles(r), []string{"PRIMARY " + pwContact("ljmu-wellbeing-duty")}) {
		t.Errorf("discharge, refused: %+v", r)
	}
	// Anonymously: no one named, told to sign in.
	if _, _, _, r := ask(anonymous, ae, ljmu, "PRESENTS_AT_URGENT_CARE", "REFUSED"); r == nil || len(r.ContactPoints) != 0 ||
		!slices.Equal(warningCodes(r.Warnings), []string{"SIGN_IN_TO_SEE_CONTACTS"}) {
		t.Errorf("anonymous, refused: %+v", r)
	}
	// No agreement permits sharing without consent in Bristol; and with
	// consent given there is nothing to decide.
	if _, _, a, r := ask(aeNurse, pwService("awp-response-line"), pwInst("uwe"), "CRISIS_TEAM_CONTACT", "REFUSED"); a != nil || r != nil {
		t.Errorf("Bristol, refused: agreement %+v, route %+v", a, r)
	}
	if _, _, _, r := ask(aeNurse, ae, ljmu, "PRESENTS_AT_URGENT_CARE", "GIVEN"); r != nil {
		t.Errorf("consent given: %+v", r)
	}
}
