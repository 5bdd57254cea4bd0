package main

import (
	"testing"
	"time"

	"github.com/waymark/waymark/seed"
)

// An edit checks the links it changes, not links it left alone: once the
// service a record points to is retired, or a deputy leaves post, the record
// can still be edited (the stale link shows up in gap analysis instead).
func TestUnchangedLinksDoNotBlockEdits(t *testing.T) {
	s := newAPIServer(t)
	admin := caller{Role: "admin", Name: "Admin"}

	// U-COPE's out-of-hours service is the Mersey Care crisis line.
	s.query(admin, `mutation($id: ID!) { retireService(id: $id, expectedVersion: 1, reason: "Merged into NHS 111") { version } }`,
		map[string]any{"id": id("Service", "services", "mersey-care-crisis-line")}, &struct{}{})
	var svc struct{ UpdateService struct{ Version int } }
	s.query(admin, `mutation($id: ID!) { updateService(id: $id, expectedVersion: 1, input: {capacityStatus: WAITING_LIST}) { version } }`,
		map[string]any{"id": id("Service", "services", "ucope")}, &svc)
	if svc.UpdateService.Version != 2 {
		t.Errorf("U-COPE version %d, want 2", svc.UpdateService.Version)
	}
	// Linking a retired service afresh is refused.
	s.query(admin, `mutation($id: ID!) { retireService(id: $id, expectedVersion: 1, reason: "Closed") { version } }`,
		map[string]any{"id": id("Service", "services", "brownlow-gp")}, &struct{}{})
	r := s.do(admin, `mutation($id: ID!, $ooh: ID) { updateService(id: $id, expectedVersion: 2, input: {outOfHoursServiceId: $ooh}) { version } }`,
		map[string]any{"id": id("Service", "services", "ucope"), "ooh": id("Service", "services", "brownlow-gp")})
	if r.code(t) != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "input.outOfHoursServiceId" {
		t.Errorf("linking a retired service: %s", r.Raw)
	}

	// LJMU's urgent-care contact keeps working after its deputy leaves post.
	yesterday := time.Now().In(time.UTC).AddDate(0, 0, -1).Format(time.DateOnly)
	s.query(admin, `mutation($id: ID!, $to: Date!) { endContactPoint(id: $id, expectedVersion: 1, validTo: $to) { version } }`,
		map[string]any{"id": id("ContactPoint", "contact_points", "ljmu-wellbeing-duty"), "to": yesterday}, &struct{}{})
	var cp struct{ UpdateContactPoint struct{ Version int } }
	s.query(admin, `mutation($id: ID!) { updateContactPoint(id: $id, expectedVersion: 1, input: {hours: "Mon–Fri 08:30–17:00"}) { version } }`,
		map[string]any{"id": id("ContactPoint", "contact_points", "ljmu-urgent-care")}, &cp)
	if cp.UpdateContactPoint.Version != 2 {
		t.Errorf("contact version %d, want 2", cp.UpdateContactPoint.Version)
	}
}

// A successor takes over at the same institution: handing LJMU's urgent-care
// role to someone at Mersey Care is refused, and nothing changes.
func TestSuccessorMustBeAtTheSameInstitution(t *testing.T) {
	s := newAPIServer(t)
	admin := caller{Role: "admin"}
	r := s.do(admin, `mutation($id: ID!, $succ: ID!, $to: Date!) { endContactPoint(id: $id, expectedVersion: 1, validTo: $to, successorId: $succ) { version } }`,
		map[string]any{"id": id("ContactPoint", "contact_points", "ljmu-urgent-care"),
			"succ": id("ContactPoint", "contact_points", "mersey-care-student-liaison"),
			"to":   time.Now().Format(time.DateOnly)})
	if r.code(t) != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "successorId" {
		t.Errorf("successor at another institution: %s", r.Raw)
	}
	if n := s.count(`SELECT version FROM contact_points WHERE id = $1`, seed.ID("contact_points", "ljmu-urgent-care")); n != 1 {
		t.Errorf("version changed to %d", n)
	}
}

// A partnership with live governance forums cannot be retired (its forums
// would be left pointing at nothing); a stale version is still CONFLICT first.
func TestRetirePartnershipWithForums(t *testing.T) {
	s := newAPIServer(t)
	admin := caller{Role: "admin"}
	const retire = `mutation($id: ID!, $v: Int!) { retirePartnership(id: $id, expectedVersion: $v, reason: "Wound up") { version } }`
	liverpool := id("Partnership", "partnerships", "liverpool")
	if r := s.do(admin, retire, map[string]any{"id": liverpool, "v": 7}); r.code(t) != "CONFLICT" {
		t.Errorf("stale version: %s", r.Raw)
	}
	r := s.do(admin, retire, map[string]any{"id": liverpool, "v": 1})
	if r.code(t) != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "id" {
		t.Errorf("retiring with live forums: %s", r.Raw)
	}
	if n := s.count(`SELECT count(*) FROM partnerships WHERE retired_at IS NOT NULL`); n != 0 {
		t.Errorf("%d partnerships retired", n)
	}
}
