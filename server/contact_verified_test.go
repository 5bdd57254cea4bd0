package main

import (
	"encoding/json"
	"testing"
	"time"
)

// TestEditingAContactVerifiesIt: a contact point a lead has just created, or
// has just updated, is verified (lastVerifiedAt now, not stale), and the
// verification is part of the audited change, not a separate entry.
func TestEditingAContactVerifiesIt(t *testing.T) {
	s := newAPIServer(t)
	const fields = `id version lastVerifiedAt stale`
	type contact struct {
		ID             string
		Version        int
		LastVerifiedAt *time.Time
		Stale          bool
	}
	recent := func(what string, c contact) {
		t.Helper()
		if c.LastVerifiedAt == nil || time.Since(*c.LastVerifiedAt) > time.Minute || c.Stale {
			t.Errorf("%s: lastVerifiedAt %v, stale %v; want verified just now", what, c.LastVerifiedAt, c.Stale)
		}
	}

	var created struct{ CreateContactPoint contact }
	s.query(uolLead, `mutation($input: CreateContactPointInput!, $reason: String) {
		createContactPoint(input: $input, reason: $reason) { `+fields+` } }`, newContact(institutionID("uol")), &created)
	recent("a contact just created", created.CreateContactPoint)

	// The seed's MHAS manager was last verified 400 days ago: stale.
	var before struct{ Node contact }
	s.query(uolLead, `query($id: ID!) { node(id: $id) { ... on ContactPoint { `+fields+` } } }`,
		map[string]any{"id": contactID("uol-mhas-manager")}, &before)
	if !before.Node.Stale {
		t.Fatalf("the seeded MHAS manager is not stale: %+v", before.Node)
	}
	var updated struct{ UpdateContactPoint contact }
	s.query(uolLead, `mutation($id: ID!, $v: Int!) { updateContactPoint(id: $id, expectedVersion: $v,
		input: {hours: "Mon–Fri 09:00–17:00"}, reason: "New hours") { `+fields+` } }`,
		map[string]any{"id": contactID("uol-mhas-manager"), "v": before.Node.Version}, &updated)
	u := updated.UpdateContactPoint
	recent("a contact just updated", u)
	if u.Version != before.Node.Version+1 {
		t.Errorf("version %d after one update of version %d", u.Version, before.Node.Version)
	}

	// Audited as part of the change: one CREATE and one UPDATE, whose
	// records after the change hold the verification.
	for _, c := range []struct {
		id, action string
		at         *time.Time
	}{
		{created.CreateContactPoint.ID, "CREATE", created.CreateContactPoint.LastVerifiedAt},
		{contactID("uol-mhas-manager"), "UPDATE", u.LastVerifiedAt},
	} {
		var got struct {
			AuditLog struct {
				Edges []struct {
					Node struct {
						Action string
						Before json.RawMessage
						After  struct {
							LastVerifiedAt *time.Time `json:"last_verified_at"`
						}
					}
				}
			}
		}
		s.query(admin, `query($id: ID!) { auditLog(entityId: $id, first: 10) { edges { node { action before after } } } }`,
			map[string]any{"id": c.id}, &got)
		edges := got.AuditLog.Edges
		if len(edges) != 1 || edges[0].Node.Action != c.action {
			t.Errorf("audit of %s: %+v, want one %s", c.action, edges, c.action)
			continue
		}
		if a := edges[0].Node.After.LastVerifiedAt; a == nil || c.at == nil || !a.Equal(*c.at) {
			t.Errorf("audit of %s: after.last_verified_at %v, want %v", c.action, a, c.at)
		}
	}
}
