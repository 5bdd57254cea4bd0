package main

import "testing"

func TestSmokeLeadEditsOwnService(t *testing.T) {
	s := newAPIServer(t)
	lead := caller{Role: "lead", Name: "Dana Lead", Partnerships: []string{"liverpool"}}
	var got struct {
		UpdateService struct {
			Version        int
			CapacityStatus string
		}
	}
	s.query(lead, `mutation($id: ID!) { updateService(id: $id, expectedVersion: 1, input: {capacityStatus: WAITING_LIST, expectedWaitDays: 21}, reason: "Term started") { version capacityStatus } }`,
		map[string]any{"id": id("Service", "services", "ucope")}, &got)
	if got.UpdateService.Version != 2 || got.UpdateService.CapacityStatus != "WAITING_LIST" {
		t.Fatalf("%+v", got)
	}
	if n := s.count(`SELECT count(*) FROM audit_log WHERE actor_name = 'Dana Lead' AND action = 'UPDATE'`); n != 1 {
		t.Fatalf("audit rows %d", n)
	}
	bristol := caller{Role: "lead", Partnerships: []string{"bristol"}}
	r := s.do(bristol, `mutation($id: ID!) { updateService(id: $id, expectedVersion: 2, input: {capacityStatus: OPEN}) { version } }`,
		map[string]any{"id": id("Service", "services", "ucope")})
	if c := r.code(t); c != "FORBIDDEN" {
		t.Fatalf("%s", r.Raw)
	}
	r = s.do(lead, `mutation($id: ID!) { updateService(id: $id, expectedVersion: 1, input: {capacityStatus: OPEN}) { version } }`,
		map[string]any{"id": id("Service", "services", "ucope")})
	if c := r.code(t); c != "CONFLICT" || r.Errors[0].Extensions["currentVersion"] != float64(2) {
		t.Fatalf("%s", r.Raw)
	}
}
