package main

import (
	"context"
	"testing"

	"github.com/waymark/waymark/seed"
)

// A partnership's first draft for an area creates the threshold at version 1
// with an audit entry that has no "before"; a retired partnership's
// thresholds leave the directory with it.
func TestNewThresholdStartsAtVersionOne(t *testing.T) {
	s := newAPIServer(t)
	lead := caller{Role: "lead", Name: "Bristol Lead", Partnerships: []string{"bristol"}}
	var got struct {
		DraftThreshold struct {
			ID      string
			Version int
			Pending struct {
				Number int
				Status string
			}
		}
	}
	s.query(lead, `mutation($p: ID!, $a: ID!) { draftThreshold(partnershipId: $p, areaId: $a,
		input: {responsibleParty: SHARED, collaboration: "Talk at the Practice Liaison Forum"}) { id version pending { number status } } }`,
		map[string]any{"p": id("Partnership", "partnerships", "bristol"), "a": id("ResponsibilityArea", "responsibility_areas", "crisis-and-post-crisis-care")}, &got)
	d := got.DraftThreshold
	if d.Version != 1 || d.Pending.Number != 1 || d.Pending.Status != "DRAFT" {
		t.Fatalf("new threshold: %+v, want version 1 with draft 1", d)
	}
	if n := s.count(`SELECT count(*) FROM audit_log WHERE entity_type = 'Threshold' AND action = 'DRAFT' AND before IS NULL AND version = 1`); n != 1 {
		t.Errorf("%d first-draft audit entries without before at version 1, want 1", n)
	}
	// The next step takes expectedVersion 1.
	var proposed struct{ ProposeThreshold struct{ Version int } }
	s.query(lead, `mutation($id: ID!) { proposeThreshold(id: $id, expectedVersion: 1) { version } }`, map[string]any{"id": d.ID}, &proposed)
	if proposed.ProposeThreshold.Version != 2 {
		t.Errorf("after proposing: version %d, want 2", proposed.ProposeThreshold.Version)
	}

	if _, err := s.Pool.Exec(context.Background(), `UPDATE partnerships SET retired_at = now() WHERE id = $1`,
		seed.ID("partnerships", "bristol")); err != nil {
		t.Fatal(err)
	}
	r := s.do(lead, `mutation($id: ID!) { withdrawThreshold(id: $id, expectedVersion: 2, reason: "Partnership wound up") { version } }`, map[string]any{"id": d.ID})
	if got := r.code(t); got != "NOT_FOUND" {
		t.Errorf("step on a retired partnership's threshold: %s, want NOT_FOUND", r.Raw)
	}
}
