package main

import "testing"

// A record the caller may not see is NOT_FOUND to mutations too, exactly as
// to queries: a lead scoped to LJMU alone (no partnership in the token)
// cannot read LJMU's PARTNERSHIP contact points, so cannot change them
// either; with the Liverpool partnership in the token they can.
func TestHiddenRecordsAreNotFoundToMutations(t *testing.T) {
	s := newAPIServer(t)
	contact := id("ContactPoint", "contact_points", "ljmu-partnership-lead")
	const verify = `mutation($id: ID!) { verifyContactPoint(id: $id, expectedVersion: 1) { version email } }`
	institutionLead := caller{Role: "lead", Institutions: []string{"ljmu"}}
	r := s.do(institutionLead, verify, map[string]any{"id": contact})
	if got := r.code(t); got != "NOT_FOUND" {
		t.Fatalf("institution-only lead: code %q, want NOT_FOUND: %s", got, r.Raw)
	}
	if n := s.count(`SELECT count(*) FROM audit_log`); n != 0 {
		t.Fatalf("a refused edit wrote %d audit rows", n)
	}
	partnershipLead := caller{Role: "lead", Partnerships: []string{"liverpool"}}
	var ok struct{ VerifyContactPoint struct{ Version int } }
	s.query(partnershipLead, verify, map[string]any{"id": contact}, &ok)
	if ok.VerifyContactPoint.Version != 2 {
		t.Errorf("partnership lead: version %d, want 2", ok.VerifyContactPoint.Version)
	}
}
