package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/waymark/waymark/graph"
)

// Tests of the audit log: every mutation writes one entry in its own
// transaction, the table is append-only, and auditLog shows a record's
// history to those who may edit it.

type auditEntry struct {
	At           time.Time
	ActorSubject string
	ActorName    *string
	ActorRole    string
	Action       string
	EntityType   string
	EntityID     string
	Version      int
	Before       json.RawMessage
	After        json.RawMessage
	Reason       *string
}

type auditPage struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
	Edges []struct {
		Cursor string
		Node   auditEntry
	}
}

const auditQuery = `query($id: ID!, $first: Int, $after: String) { auditLog(entityId: $id, first: $first, after: $after) {
	totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
	edges { cursor node { at actorSubject actorName actorRole action entityType entityId version before after reason } } } }`

func (s *apiServer) auditLog(c caller, gid string, first int, after *string) gqlResponse {
	s.t.Helper()
	vars := map[string]any{"id": gid, "first": first}
	if after != nil {
		vars["after"] = *after
	}
	return s.do(c, auditQuery, vars)
}

// history is the whole audit history of a record as c sees it, oldest first.
func (s *apiServer) history(c caller, gid string) []auditEntry {
	s.t.Helper()
	var out []auditEntry
	var after *string
	for range 100 {
		var got struct{ AuditLog auditPage }
		s.auditLog(c, gid, 100, after).decode(s.t, &got)
		for _, e := range got.AuditLog.Edges {
			out = append(out, e.Node)
		}
		if !got.AuditLog.PageInfo.HasNextPage {
			return out
		}
		after = got.AuditLog.PageInfo.EndCursor
	}
	s.t.Fatal("history does not end")
	return nil
}

// jsonField reads one top-level field of a JSON object.
func jsonField(t *testing.T, raw []byte, field string) any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return m[field]
}

// Every one of the mutations writes exactly one audit entry, in the same
// transaction, saying who (subject, name, role), when, what (the record's
// type and ID, its version, and the record before and after) and why.
func TestEveryMutationIsAudited(t *testing.T) {
	s := newAPIServer(t)
	ada := caller{Role: "admin", Name: "Ada Admin", Subject: "admin-ada"}
	if n := s.audits(); n != 0 {
		t.Fatalf("the seeded database has %d audit entries", n)
	}
	seen := map[string]bool{}
	// stepAs runs the mutation as c, which must write one entry of action.
	stepAs := func(c caller, wantAction, mutation string, vars map[string]any) edited {
		t.Helper()
		seen[mutation] = true
		n := s.audits()
		start := time.Now()
		got := s.mustMutate(c, mutation, vars)
		if m := s.audits(); m != n+1 {
			t.Fatalf("%s wrote %d audit entries", mutation, m-n)
		}
		var (
			subject, role, action, entityType string
			name, reason                      *string
			entityID                          uuid.UUID
			version                           int
			before, after                     []byte
			at                                time.Time
		)
		if err := s.Pool.QueryRow(context.Background(), `SELECT actor_subject, actor_name, actor_role, action,
				entity_type, entity_id, version, before, after, reason, at FROM audit_log ORDER BY id DESC LIMIT 1`).
			Scan(&subject, &name, &role, &action, &entityType, &entityID, &version, &before, &after, &reason, &at); err != nil {
			t.Fatal(err)
		}
		table, u := rowOf(t, got.ID)
		if subject != c.Subject || name == nil || *name != c.Name || role != c.Role {
			t.Errorf("%s: actor %q %v %q", mutation, subject, name, role)
		}
		if action != wantAction || entityType != tables[table] || entityID != u || version != got.Version {
			t.Errorf("%s: audited %s %s %s version %d; want %s %s %s version %d", mutation,
				action, entityType, entityID, version, wantAction, tables[table], u, got.Version)
		}
		if at.Before(start.Add(-time.Second)) || at.After(time.Now().Add(time.Second)) {
			t.Errorf("%s: audited at %s", mutation, at)
		}
		wantReason, _ := vars["reason"].(string)
		if wantReason = strings.TrimSpace(wantReason); wantReason == "" && reason != nil || wantReason != "" && (reason == nil || *reason != wantReason) {
			t.Errorf("%s: reason %v, want %q", mutation, reason, wantReason)
		}
		// after is the record as it now is; before is its previous version.
		var matches bool
		if err := s.Pool.QueryRow(context.Background(), `SELECT (to_jsonb(t) - 'search' - 'name_key') <@ $2::jsonb
			FROM `+table+` t WHERE id = $1`, u, after).Scan(&matches); err != nil {
			t.Fatal(err)
		}
		if !matches {
			t.Errorf("%s: after is not the record as stored: %s", mutation, after)
		}
		if v := jsonField(t, after, "version"); v != float64(got.Version) {
			t.Errorf("%s: after.version %v", mutation, v)
		}
		// A first draft creates its threshold: at version 1, with no before.
		if action == "CREATE" || mutation == "draftThreshold" && got.Version == 1 {
			if before != nil {
				t.Errorf("%s: before %s", mutation, before)
			}
		} else if v := jsonField(t, before, "version"); v != float64(got.Version-1) {
			t.Errorf("%s: before.version %v, want %d", mutation, v, got.Version-1)
		}
		return got
	}
	step := func(mutation string, vars map[string]any) edited {
		t.Helper()
		return stepAs(ada, actionOf(mutation), mutation, vars)
	}

	inst := step("createInstitution", newInstitution()).ID
	step("updateInstitution", map[string]any{"id": inst, "expectedVersion": 1,
		"input": map[string]any{"description": "Further education college in Liverpool"}, "reason": "  Added a description  "})
	part := step("createPartnership", newPartnership()).ID
	step("updatePartnership", map[string]any{"id": part, "expectedVersion": 1, "input": map[string]any{"description": "Wirral"}})
	step("addPartnershipMember", map[string]any{"partnershipId": part, "expectedVersion": 2, "institutionId": inst,
		"role": "College", "reason": "Joined"})
	step("removePartnershipMember", map[string]any{"partnershipId": part, "expectedVersion": 3, "institutionId": inst, "reason": "Left"})
	site := step("createSite", newSite(inst)).ID
	step("updateSite", map[string]any{"id": site, "expectedVersion": 1, "input": map[string]any{"name": "Main campus"}, "reason": "Renamed"})
	svcVars := newService(inst)
	svcVars["input"].(map[string]any)["siteId"] = site
	svc := step("createService", svcVars).ID
	step("updateService", map[string]any{"id": svc, "expectedVersion": 1, "input": map[string]any{"expectedWaitDays": 7}, "reason": "Waits measured"})
	cpVars := newContact(inst)
	cpVars["input"].(map[string]any)["serviceId"] = svc
	cp := step("createContactPoint", cpVars).ID
	step("updateContactPoint", map[string]any{"id": cp, "expectedVersion": 1, "input": map[string]any{"hours": "Mon–Fri"}, "reason": "Hours"})
	step("verifyContactPoint", map[string]any{"id": cp, "expectedVersion": 2})
	cp2 := step("createContactPoint", newContact(inst)).ID
	step("endContactPoint", map[string]any{"id": cp, "expectedVersion": 3, "validTo": ukDate(0), "successorId": cp2, "reason": "Left post"})
	step("retireContactPoint", map[string]any{"id": cp2, "expectedVersion": 1, "reason": "Team disbanded"})
	step("retireContactPoint", map[string]any{"id": cp, "expectedVersion": 4, "reason": "Left post"})
	forum := step("createGovernanceForum", newForum(part)).ID
	step("updateGovernanceForum", map[string]any{"id": forum, "expectedVersion": 1, "input": map[string]any{"cadence": "QUARTERLY"}})
	step("retireGovernanceForum", map[string]any{"id": forum, "expectedVersion": 2, "reason": "Not needed"})
	// A sharing agreement and a pathway of the new partnership, with a step
	// from the new service resting on the agreement: the agreement can be
	// retired once the step is.
	agreement := step("createSharingAgreement", newAgreement(part, inst, institutionID("uol"))).ID
	step("updateSharingAgreement", map[string]any{"id": agreement, "expectedVersion": 1,
		"input": map[string]any{"partyIds": []string{inst, institutionID("uol"), institutionID("mersey-care")}}, "reason": "Mersey Care joined"})
	pathway := step("createPathway", newPathway(part)).ID
	step("updatePathway", map[string]any{"id": pathway, "expectedVersion": 1, "input": map[string]any{"description": nil}})
	handOver := step("createPathwayStep", newStep(pathway, svc, serviceID("ucope"), agreement)).ID
	step("updatePathwayStep", map[string]any{"id": handOver, "expectedVersion": 1, "input": map[string]any{"timeLimitHours": 24}, "reason": "Sooner"})
	step("retirePathwayStep", map[string]any{"id": handOver, "expectedVersion": 2, "reason": "Route closed"})
	step("retireSharingAgreement", map[string]any{"id": agreement, "expectedVersion": 2, "reason": "Superseded"})
	step("retirePathway", map[string]any{"id": pathway, "expectedVersion": 2, "reason": "Merged"})
	// The catalogue of areas, and a threshold through its lifecycle: signed
	// by a lead on each side (administrators do not sign), the second
	// signature agreeing it; a change of the agreed text starts a new draft.
	area := step("createResponsibilityArea", newArea()).ID
	th := step("draftThreshold", newThreshold(partnershipID("liverpool"), area))
	step("updateThreshold", map[string]any{"id": th.ID, "expectedVersion": th.Version, "input": map[string]any{"responsibleParty": "SHARED"}, "reason": "Both sides"})
	step("proposeThreshold", map[string]any{"id": th.ID, "expectedVersion": th.Version + 1})
	stepAs(uolSigner, "SIGN_OFF", "signOffThreshold", map[string]any{"id": th.ID, "expectedVersion": th.Version + 2, "reason": "For the university"})
	stepAs(merseySigner, "AGREE", "signOffThreshold", map[string]any{"id": th.ID, "expectedVersion": th.Version + 3})
	stepAs(ada, "DRAFT", "updateThreshold", map[string]any{"id": th.ID, "expectedVersion": th.Version + 4, "input": map[string]any{"collaboration": "Revised"}})
	step("withdrawThreshold", map[string]any{"id": th.ID, "expectedVersion": th.Version + 5, "reason": "Draft abandoned"})
	step("withdrawThreshold", map[string]any{"id": th.ID, "expectedVersion": th.Version + 6, "reason": "No longer agreed"})
	step("retireService", map[string]any{"id": svc, "expectedVersion": 2, "reason": "Closed"})
	step("retireSite", map[string]any{"id": site, "expectedVersion": 2, "reason": "Sold"})
	step("retirePartnership", map[string]any{"id": part, "expectedVersion": 4, "reason": "Merged"})
	step("retireInstitution", map[string]any{"id": inst, "expectedVersion": 2, "reason": "Closed"})
	for m := range mutationArgs {
		if !seen[m] {
			t.Errorf("%s not exercised", m)
		}
	}

	// The same through auditLog, for the service.
	h := s.history(admin, svc)
	if len(h) != 3 {
		t.Fatalf("service history: %+v", h)
	}
	for i, want := range []struct {
		action  string
		version int
		reason  string
	}{{"CREATE", 1, "New service"}, {"UPDATE", 2, "Waits measured"}, {"RETIRE", 3, "Closed"}} {
		e := h[i]
		if e.Action != want.action || e.Version != want.version || e.Reason == nil || *e.Reason != want.reason ||
			e.ActorSubject != "admin-ada" || e.ActorName == nil || *e.ActorName != "Ada Admin" || e.ActorRole != "ADMIN" ||
			e.EntityType != "Service" || e.EntityID != svc {
			t.Errorf("entry %d: %+v", i, e)
		}
	}
	if string(h[0].Before) != "null" {
		t.Errorf("CREATE before %s", h[0].Before)
	}
	if jsonField(t, h[1].Before, "expected_wait_days") != nil || jsonField(t, h[1].After, "expected_wait_days") != float64(7) {
		t.Errorf("UPDATE before %s after %s", h[1].Before, h[1].After)
	}
	if jsonField(t, h[2].Before, "retired_at") != nil || jsonField(t, h[2].After, "retired_at") == nil {
		t.Errorf("RETIRE before/after retired_at")
	}
}

// auditLog lists a record's changes oldest first, page by page.
func TestAuditLogPages(t *testing.T) {
	s := newAPIServer(t)
	dana := caller{Role: "lead", Name: "Dana Lead", Subject: "dana", Partnerships: []string{"liverpool"}}
	ucope := serviceID("ucope")
	for i, wait := range []int{10, 11, 12, 13, 14} {
		vars := map[string]any{"input": map[string]any{"expectedWaitDays": wait}}
		if i != 2 {
			vars["reason"] = "Weekly update " + string(rune('1'+i))
		}
		s.allow(dana, op{"updateService", ucope, vars})
	}
	// Another record's change is not in U-COPE's history.
	s.allow(dana, op{"updateService", serviceID("mhas"), map[string]any{"input": map[string]any{"expectedWaitDays": 1}}})

	var pages []auditPage
	var after *string
	for {
		var got struct{ AuditLog auditPage }
		s.auditLog(dana, ucope, 2, after).decode(t, &got)
		pages = append(pages, got.AuditLog)
		if !got.AuditLog.PageInfo.HasNextPage {
			break
		}
		after = got.AuditLog.PageInfo.EndCursor
		if len(pages) > 5 {
			t.Fatal("too many pages")
		}
	}
	if len(pages) != 3 {
		t.Fatalf("%d pages", len(pages))
	}
	var all []auditEntry
	for i, p := range pages {
		if p.TotalCount != 5 {
			t.Errorf("page %d: totalCount %d", i, p.TotalCount)
		}
		if p.PageInfo.HasPreviousPage != (i > 0) {
			t.Errorf("page %d: hasPreviousPage %v", i, p.PageInfo.HasPreviousPage)
		}
		if want := []int{2, 2, 1}[i]; len(p.Edges) != want {
			t.Errorf("page %d: %d entries", i, len(p.Edges))
		}
		if n := len(p.Edges); n > 0 && (*p.PageInfo.StartCursor != p.Edges[0].Cursor || *p.PageInfo.EndCursor != p.Edges[n-1].Cursor) {
			t.Errorf("page %d: cursors", i)
		}
		for _, e := range p.Edges {
			all = append(all, e.Node)
		}
	}
	prevWait := float64(14) // as seeded
	for i, e := range all {
		if e.Version != i+2 || e.Action != "UPDATE" || e.ActorSubject != "dana" || e.ActorRole != "LEAD" ||
			e.ActorName == nil || *e.ActorName != "Dana Lead" || e.EntityID != ucope || e.EntityType != "Service" {
			t.Errorf("entry %d: %+v", i, e)
		}
		if i > 0 && e.At.Before(all[i-1].At) {
			t.Errorf("entry %d is older than entry %d", i, i-1)
		}
		if (i == 2) != (e.Reason == nil) {
			t.Errorf("entry %d: reason %v", i, e.Reason)
		}
		if b, a := jsonField(t, e.Before, "expected_wait_days"), jsonField(t, e.After, "expected_wait_days"); b != prevWait || a != float64(10+i) {
			t.Errorf("entry %d: expected_wait_days %v -> %v", i, b, a)
		}
		prevWait = float64(10 + i)
	}

	// A cursor belongs to its record's history and to the audit log.
	var mhas struct{ AuditLog auditPage }
	s.auditLog(dana, serviceID("mhas"), 1, nil).decode(t, &mhas)
	wantError(t, s.auditLog(dana, ucope, 2, mhas.AuditLog.PageInfo.EndCursor), "BAD_USER_INPUT", "after")
	var services struct {
		Services struct{ PageInfo struct{ EndCursor *string } }
	}
	s.query(dana, `{ services(first: 1) { pageInfo { endCursor } } }`, nil, &services)
	wantError(t, s.auditLog(dana, ucope, 2, services.Services.PageInfo.EndCursor), "BAD_USER_INPUT", "after")
	wantError(t, s.auditLog(dana, ucope, 101, nil), "BAD_USER_INPUT", "first")
}

// auditLog is for leads within the record's scope and administrators.
func TestAuditLogAccess(t *testing.T) {
	s := newAPIServer(t)
	s.allow(liverpoolLead, op{"updateService", serviceID("ucope"), map[string]any{"input": map[string]any{"expectedWaitDays": 20}, "reason": "Busy"}})
	s.allow(liverpoolLead, op{"updateGovernanceForum", forumID("liverpool-weekly-mdt"), map[string]any{"input": map[string]any{"cadence": "FORTNIGHTLY"}}})
	s.allow(ljmuLead, op{"updateContactPoint", contactID("ljmu-urgent-care"), map[string]any{"input": map[string]any{"notes": "Back in May"}}})
	for _, tc := range []struct {
		record string
		caller caller
		code   string // "" when allowed
	}{
		{serviceID("ucope"), anonymous, "UNAUTHENTICATED"},
		{serviceID("ucope"), professional, "FORBIDDEN"},
		{serviceID("ucope"), bristolLead, "FORBIDDEN"},
		{serviceID("ucope"), ljmuLead, "FORBIDDEN"},
		{serviceID("ucope"), liverpoolLead, ""},
		{serviceID("ucope"), merseyCareLead, ""},
		{serviceID("ucope"), admin, ""},
		{forumID("liverpool-weekly-mdt"), anonymous, "UNAUTHENTICATED"},
		{forumID("liverpool-weekly-mdt"), professional, "FORBIDDEN"},
		{forumID("liverpool-weekly-mdt"), ljmuLead, "FORBIDDEN"},
		{forumID("liverpool-weekly-mdt"), bristolLead, "FORBIDDEN"},
		{forumID("liverpool-weekly-mdt"), liverpoolLead, ""},
		{forumID("liverpool-weekly-mdt"), admin, ""},
		{contactID("ljmu-urgent-care"), professional, "FORBIDDEN"},
		{contactID("ljmu-urgent-care"), uolLead, "FORBIDDEN"},
		{contactID("ljmu-urgent-care"), ljmuLead, ""},
		{contactID("ljmu-urgent-care"), liverpoolLead, ""},
		// An unknown record: NOT_FOUND, but only to those who may read histories.
		{graph.GlobalID("Service", uuid.New()), professional, "FORBIDDEN"},
		{graph.GlobalID("Service", uuid.New()), anonymous, "UNAUTHENTICATED"},
		{graph.GlobalID("Service", uuid.New()), admin, "NOT_FOUND"},
	} {
		r := s.auditLog(tc.caller, tc.record, 10, nil)
		if tc.code != "" {
			if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != tc.code {
				t.Errorf("auditLog(%s) as %s %v %v: want %s, got %s", tc.record, tc.caller.Role, tc.caller.Partnerships, tc.caller.Institutions, tc.code, r.Raw)
			}
			continue
		}
		var got struct{ AuditLog auditPage }
		r.decode(t, &got)
		if got.AuditLog.TotalCount != 1 || len(got.AuditLog.Edges) != 1 || got.AuditLog.Edges[0].Node.EntityID != tc.record {
			t.Errorf("auditLog(%s) as %s: %s", tc.record, tc.caller.Role, r.Raw)
		}
	}
}

// audit_log refuses UPDATE, DELETE and TRUNCATE, even from the table's owner.
func TestAuditLogIsAppendOnly(t *testing.T) {
	s := newAPIServer(t)
	s.allow(liverpoolLead, op{"updateService", serviceID("ucope"), map[string]any{"input": map[string]any{"expectedWaitDays": 20}, "reason": "Busy"}})
	before := s.state()
	ctx := context.Background()
	for _, sql := range []string{
		`UPDATE audit_log SET reason = 'nothing to see here'`,
		`UPDATE audit_log SET actor_subject = 'someone-else' WHERE action = 'UPDATE'`,
		`DELETE FROM audit_log`,
		`DELETE FROM audit_log WHERE entity_type = 'Service'`,
		`TRUNCATE audit_log`,
	} {
		_, err := s.Pool.Exec(ctx, sql)
		var pg *pgconn.PgError
		if !errors.As(err, &pg) || !strings.Contains(pg.Message, "append-only") {
			t.Errorf("%s: %v", sql, err)
		}
	}
	s.unchanged(before)
	if n := s.count(`SELECT count(*) FROM audit_log WHERE reason = 'Busy' AND actor_subject = 'lead-liverpool'`); n != 1 {
		t.Errorf("audit entry: %d", n)
	}
}

// If the audit entry cannot be written, the edit is rolled back and the
// caller gets INTERNAL, with no database detail in the message.
func TestEditRollsBackWhenAuditFails(t *testing.T) {
	s := newAPIServer(t)
	ctx := context.Background()
	if _, err := s.Pool.Exec(ctx, `CREATE FUNCTION test_audit_broken() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'audit storage unavailable (test)'; END $$;
		CREATE TRIGGER test_audit_broken BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION test_audit_broken();`); err != nil {
		t.Fatal(err)
	}
	ucope := serviceID("ucope")
	for _, o := range []op{
		{"updateService", ucope, map[string]any{"input": map[string]any{"capacityStatus": "CLOSED_TO_REFERRALS", "openingHours": nil}, "reason": "Closing"}},
		{"retireService", ucope, map[string]any{"reason": "Closing"}},
		{"createSite", "", newSite(institutionID("mersey-care"))},
		{"addPartnershipMember", partnershipID("liverpool"), map[string]any{"institutionId": institutionID("uwe"), "role": "Associate"}},
		{"endContactPoint", contactID("ljmu-urgent-care"), map[string]any{"validTo": ukDate(-1)}},
	} {
		before := s.state()
		r := s.run(admin, o)
		wantError(t, r, "INTERNAL", "")
		msg := strings.ToLower(r.Errors[0].Message)
		for _, leak := range []string{"audit", "sql", "insert", "trigger", "raise", "exception", "unavailable", "pgx", "relation"} {
			if strings.Contains(msg, leak) {
				t.Errorf("%s: message shows %q: %s", o, leak, r.Errors[0].Message)
			}
		}
		if len(r.Errors[0].Extensions) != 1 {
			t.Errorf("%s: extensions %v", o, r.Errors[0].Extensions)
		}
		s.unchanged(before)
	}
	svc := s.service("ucope")
	if svc.Version != 1 || svc.CapacityStatus != "OPEN" || len(svc.OpeningHours) != 5 {
		t.Errorf("U-COPE after the failed edits: %s", asJSON(svc))
	}
	if got := s.contactPoints(professional, "ljmu", "URGENT_CARE_NOTIFICATION"); len(got) == 0 || got[0].ContactPoint.ID != contactID("ljmu-urgent-care") {
		t.Errorf("urgent care contact after the failed end: %+v", got)
	}

	// With the audit log working again, the same edit goes through.
	if _, err := s.Pool.Exec(ctx, `DROP TRIGGER test_audit_broken ON audit_log`); err != nil {
		t.Fatal(err)
	}
	s.allow(admin, op{"updateService", ucope, map[string]any{"input": map[string]any{"capacityStatus": "CLOSED_TO_REFERRALS"}, "reason": "Closing"}})
}

// The audit entry is written in the edit's own transaction: when the edit
// fails after its audit entry was written (here, at commit), neither is kept.
func TestAuditEntryRollsBackWithItsEdit(t *testing.T) {
	s := newAPIServer(t)
	if _, err := s.Pool.Exec(context.Background(), `CREATE FUNCTION test_reject_at_commit() RETURNS trigger
		LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'rejected at commit (test)'; END $$;
		CREATE CONSTRAINT TRIGGER test_reject_at_commit AFTER UPDATE ON services
		DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_reject_at_commit();`); err != nil {
		t.Fatal(err)
	}
	before := s.state()
	r := s.run(liverpoolLead, op{"updateService", serviceID("ucope"), map[string]any{
		"input": map[string]any{"expectedWaitDays": 3}, "reason": "Shorter waits"}})
	wantError(t, r, "INTERNAL", "")
	if strings.Contains(strings.ToLower(r.Errors[0].Message), "commit") {
		t.Errorf("message shows database detail: %s", r.Errors[0].Message)
	}
	s.unchanged(before)
	if svc := s.service("ucope"); svc.Version != 1 || svc.ExpectedWaitDays == nil || *svc.ExpectedWaitDays != 14 {
		t.Errorf("U-COPE after the failed edit: %s", asJSON(svc))
	}
}
