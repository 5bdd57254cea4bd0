package main

import (
	"testing"

	"github.com/waymark/waymark/seed"
)

// Retiring a pathway retires its steps with it (they can no longer be edited
// or planned through); a partnership cannot be retired while its pathways
// are live.
func TestRetiringPathwaysAndPartnerships(t *testing.T) {
	s := newAPIServer(t)
	admin := caller{Role: "admin", Name: "Admin"}
	lead := caller{Role: "lead", Name: "Bristol Lead", Partnerships: []string{"bristol"}}
	bristol := id("Partnership", "partnerships", "bristol")
	r := s.do(admin, `mutation($id: ID!) { retirePartnership(id: $id, expectedVersion: 1, reason: "Wound up") { version } }`, map[string]any{"id": bristol})
	if r.code(t) != "BAD_USER_INPUT" {
		t.Fatalf("retiring a partnership with live pathways: %s", r.Raw)
	}
	pathway := id("Pathway", "pathways", "bristol-cross-referral")
	s.query(lead, `mutation($id: ID!) { retirePathway(id: $id, expectedVersion: 1, reason: "Replaced") { version } }`, map[string]any{"id": pathway}, &struct{}{})
	if n := s.count(`SELECT count(*) FROM pathway_steps st JOIN pathways p ON p.id = st.pathway_id
		WHERE p.name IS NOT NULL AND p.retired_at IS NOT NULL AND st.retired_at IS NULL`); n != 0 {
		t.Errorf("%d steps of retired pathways are still live", n)
	}
	step := id("PathwayStep", "pathway_steps", "bristol-cross-referral/uwe-to-awp")
	if n := s.count(`SELECT count(*) FROM pathway_steps WHERE id = $1`, seed.ID("pathway_steps", "bristol-cross-referral/uwe-to-awp")); n != 1 {
		t.Fatalf("seeded step missing")
	}
	r = s.do(lead, `mutation($id: ID!) { updatePathwayStep(id: $id, expectedVersion: 1, input: {timeLimitHours: 4}) { version } }`, map[string]any{"id": step})
	if r.code(t) != "NOT_FOUND" {
		t.Errorf("editing a step of a retired pathway: %s", r.Raw)
	}
	var next struct{ NextSteps []struct{ ID string } }
	s.query(lead, `query($s: ID!) { nextSteps(fromServiceId: $s) { id } }`, map[string]any{"s": id("Service", "services", "uwe-wellbeing")}, &next)
	if len(next.NextSteps) != 0 {
		t.Errorf("a retired pathway's steps still lead on: %v", next.NextSteps)
	}
}
