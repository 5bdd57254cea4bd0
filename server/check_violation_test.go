package main

import (
	"context"
	"strings"
	"testing"
)

// TestCheckViolationNamesFieldAndValues: when the database refuses a value
// that Go validation let through (a rule Go does not know yet: here the
// test database is made to refuse DISABILITY_SUPPORT), the caller is told
// the field and the allowed values, never the constraint.
func TestCheckViolationNamesFieldAndValues(t *testing.T) {
	s := newAPIServer(t)
	if _, err := s.Pool.Exec(context.Background(), `ALTER TABLE contact_points DROP CONSTRAINT contact_points_purpose_check,
		ADD CONSTRAINT contact_points_purpose_check CHECK (purpose <> 'DISABILITY_SUPPORT') NOT VALID`); err != nil {
		t.Fatal(err)
	}
	r := s.do(uolLead, `mutation($input: CreateContactPointInput!, $reason: String) {
		createContactPoint(input: $input, reason: $reason) { id } }`, newContact(institutionID("uol")))
	wantRefused(t, "a purpose the database refuses", r, "BAD_USER_INPUT", "input.purpose")
	if len(r.Errors) != 1 {
		return
	}
	msg := r.Errors[0].Message
	for _, want := range []string{"input.purpose", "must be one of", "URGENT_CARE_NOTIFICATION", "DISCHARGE_NOTIFICATION", "GENERAL_ENQUIRIES"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not contain %q", msg, want)
		}
	}
	for _, bad := range []string{"contact_points", "_check", "constraint", "violates"} {
		if strings.Contains(msg, bad) {
			t.Errorf("message %q names %q", msg, bad)
		}
	}
}
