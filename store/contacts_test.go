package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waymark/waymark/store"
)

// answer is one line of CurrentContacts, reduced to what a user sees.
type answer struct {
	Name      string
	Role      string
	Succeeded bool
}

func (a answer) String() string {
	s := a.Name + " as " + a.Role
	if a.Succeeded {
		s += " (successor)"
	}
	return s
}

func answersOf(cs []store.CurrentContact) []answer {
	out := []answer{}
	for _, c := range cs {
		out = append(out, answer{c.ContactPoint.Name, c.Role, c.Succeeded})
	}
	return out
}

func primary(name string) answer   { return answer{name, store.RolePrimary, false} }
func successor(name string) answer { return answer{name, store.RolePrimary, true} }
func deputy(name string) answer    { return answer{name, store.RoleDeputy, false} }

// TestCurrentContacts checks who answers "who do I contact at this
// institution for this purpose today?". Today is 2025-06-10 (UK).
func TestCurrentContacts(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	const purpose = "DISCHARGE_NOTIFICATION"

	for _, tc := range []struct {
		name string
		// setup inserts contacts at inst and may return a viewer context.
		setup func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID)
		ctx   context.Context
		want  []answer
	}{
		{
			name: "primary before deputy",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				// The deputy's name sorts first, so only the role puts the primary first.
				d := insertContact(t, pool, contact{Institution: inst, Name: "Aaron Deputy"})
				insertContact(t, pool, contact{Institution: inst, Name: "Zara Primary", Deputy: &d})
			},
			want: []answer{primary("Zara Primary"), deputy("Aaron Deputy")},
		},
		{
			name: "deputy for another purpose still answers as deputy",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				d := insertContact(t, pool, contact{Institution: inst, Purpose: "URGENT_CARE_NOTIFICATION", Name: "Urgent care duty"})
				insertContact(t, pool, contact{Institution: inst, Name: "Discharge inbox", Deputy: &d})
			},
			want: []answer{primary("Discharge inbox"), deputy("Urgent care duty")},
		},
		{
			name: "only the purpose asked for",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				insertContact(t, pool, contact{Institution: inst, Name: "Discharge inbox"})
				insertContact(t, pool, contact{Institution: inst, Purpose: "SAFEGUARDING", Name: "Safeguarding lead"})
				other := insertInstitution(t, pool, "Another university", "HIGHER_EDUCATION_PROVIDER")
				insertContact(t, pool, contact{Institution: other, Name: "Elsewhere discharge inbox"})
			},
			want: []answer{primary("Discharge inbox")},
		},
		{
			name: "two nominated contacts, both in post",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				insertContact(t, pool, contact{Institution: inst, Name: "Inbox B"})
				insertContact(t, pool, contact{Institution: inst, Name: "Inbox A"})
			},
			want: []answer{primary("Inbox A"), primary("Inbox B")},
		},
		{
			name: "left post: successor answers",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				b := insertContact(t, pool, contact{Institution: inst, Name: "New lead", ValidFrom: "2025-06-01"})
				insertContact(t, pool, contact{Institution: inst, Name: "Old lead", ValidTo: "2025-05-31", Successor: &b})
			},
			want: []answer{successor("New lead")},
		},
		{
			name: "left post today: still answers",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				b := insertContact(t, pool, contact{Institution: inst, Name: "New lead", ValidFrom: "2025-06-11"})
				insertContact(t, pool, contact{Institution: inst, Name: "Old lead", ValidTo: "2025-06-10", Successor: &b})
			},
			want: []answer{primary("Old lead")},
		},
		{
			name: "two hand-overs followed",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				c := insertContact(t, pool, contact{Institution: inst, Name: "Third lead", ValidFrom: "2025-06-01"})
				b := insertContact(t, pool, contact{Institution: inst, Name: "Second lead", ValidFrom: "2024-01-01",
					ValidTo: "2025-05-31", Successor: &c})
				insertContact(t, pool, contact{Institution: inst, Name: "First lead", ValidTo: "2023-12-31", Successor: &b})
			},
			want: []answer{successor("Third lead")},
		},
		{
			name: "two who left handed over to the same successor: answers once",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				b := insertContact(t, pool, contact{Institution: inst, Name: "New lead", ValidFrom: "2025-06-01"})
				insertContact(t, pool, contact{Institution: inst, Name: "Old lead 1", ValidTo: "2025-05-31", Successor: &b})
				insertContact(t, pool, contact{Institution: inst, Name: "Old lead 2", ValidTo: "2025-05-31", Successor: &b})
			},
			want: []answer{successor("New lead")},
		},
		{
			name: "deputy who is also the successor: answers once, as primary",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				b := insertContact(t, pool, contact{Institution: inst, Name: "Deputy stepping up"})
				insertContact(t, pool, contact{Institution: inst, Name: "Old lead", ValidTo: "2025-05-31", Successor: &b, Deputy: &b})
			},
			want: []answer{successor("Deputy stepping up")},
		},
		{
			name: "two primaries sharing a deputy: deputy once",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				d := insertContact(t, pool, contact{Institution: inst, Purpose: "MDT_REFERRAL", Name: "Shared deputy"})
				insertContact(t, pool, contact{Institution: inst, Name: "Inbox A", Deputy: &d})
				insertContact(t, pool, contact{Institution: inst, Name: "Inbox B", Deputy: &d})
			},
			want: []answer{primary("Inbox A"), primary("Inbox B"), deputy("Shared deputy")},
		},
		{
			name: "left with no successor: nobody",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				insertContact(t, pool, contact{Institution: inst, Name: "Gone", ValidTo: "2025-06-09"})
			},
			want: []answer{},
		},
		{
			name: "successor not yet in post: nobody",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				b := insertContact(t, pool, contact{Institution: inst, Name: "Starts next month", ValidFrom: "2025-07-01"})
				insertContact(t, pool, contact{Institution: inst, Name: "Gone", ValidTo: "2025-06-09", Successor: &b})
			},
			want: []answer{},
		},
		{
			name: "nominated but not yet in post: nobody",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				insertContact(t, pool, contact{Institution: inst, Name: "Starts tomorrow", ValidFrom: "2025-06-11"})
			},
			want: []answer{},
		},
		{
			name: "primary left with no successor: deputy answers",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				d := insertContact(t, pool, contact{Institution: inst, Purpose: "MDT_REFERRAL", Name: "Deputy"})
				insertContact(t, pool, contact{Institution: inst, Name: "Gone", ValidTo: "2025-06-01", Deputy: &d})
			},
			want: []answer{deputy("Deputy")},
		},
		{
			name: "successor's deputy answers too",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				d := insertContact(t, pool, contact{Institution: inst, Purpose: "MDT_REFERRAL", Name: "New deputy"})
				b := insertContact(t, pool, contact{Institution: inst, Name: "New lead", ValidFrom: "2025-06-01", Deputy: &d})
				insertContact(t, pool, contact{Institution: inst, Name: "Old lead", ValidTo: "2025-05-31", Successor: &b})
			},
			want: []answer{successor("New lead"), deputy("New deputy")},
		},
		{
			name: "deputy who left is replaced by their successor",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				d2 := insertContact(t, pool, contact{Institution: inst, Purpose: "MDT_REFERRAL", Name: "New deputy", ValidFrom: "2025-06-01"})
				d1 := insertContact(t, pool, contact{Institution: inst, Purpose: "MDT_REFERRAL", Name: "Old deputy",
					ValidTo: "2025-05-31", Successor: &d2})
				insertContact(t, pool, contact{Institution: inst, Name: "Lead", Deputy: &d1})
			},
			want: []answer{primary("Lead"), {"New deputy", store.RoleDeputy, true}},
		},
		{
			name: "hidden primary: anonymous still gets the visible deputy",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				d := insertContact(t, pool, contact{Institution: inst, Name: "Public duty line"})
				insertContact(t, pool, contact{Institution: inst, Name: "Named professional", Visibility: "PROFESSIONAL", Deputy: &d})
			},
			want: []answer{deputy("Public duty line")},
		},
		{
			name: "hidden primary: a professional gets both",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				d := insertContact(t, pool, contact{Institution: inst, Name: "Public duty line"})
				insertContact(t, pool, contact{Institution: inst, Name: "Named professional", Visibility: "PROFESSIONAL", Deputy: &d})
			},
			ctx:  viewerCtx(store.Viewer{Role: store.RoleProfessional}),
			want: []answer{primary("Named professional"), deputy("Public duty line")},
		},
		{
			name: "retired primary never appears",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				c := insertContact(t, pool, contact{Institution: inst, Name: "Retired inbox"})
				retire(t, pool, "contact_points", c)
				insertContact(t, pool, contact{Institution: inst, Name: "Live inbox"})
			},
			want: []answer{primary("Live inbox")},
		},
		{
			name: "retired deputy never appears",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				d := insertContact(t, pool, contact{Institution: inst, Purpose: "MDT_REFERRAL", Name: "Retired deputy"})
				retire(t, pool, "contact_points", d)
				insertContact(t, pool, contact{Institution: inst, Name: "Lead", Deputy: &d})
			},
			want: []answer{primary("Lead")},
		},
		{
			name: "retired successor never appears",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				b := insertContact(t, pool, contact{Institution: inst, Purpose: "MDT_REFERRAL", Name: "Retired successor", ValidFrom: "2025-06-01"})
				retire(t, pool, "contact_points", b)
				insertContact(t, pool, contact{Institution: inst, Name: "Gone", ValidTo: "2025-05-31", Successor: &b})
			},
			want: []answer{},
		},
		{
			name: "no contacts for the purpose",
			setup: func(t *testing.T, pool *pgxpool.Pool, inst uuid.UUID) {
				insertContact(t, pool, contact{Institution: inst, Purpose: "SAFEGUARDING", Name: "Safeguarding lead"})
			},
			want: []answer{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inst := insertInstitution(t, pool, "University: "+tc.name, "HIGHER_EDUCATION_PROVIDER")
			tc.setup(t, pool, inst)
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			got, err := st.CurrentContacts(ctx, inst, purpose)
			if err != nil {
				t.Fatalf("CurrentContacts: %v", err)
			}
			if a := answersOf(got); !slices.Equal(a, tc.want) {
				t.Errorf("CurrentContacts = %v, want %v", a, tc.want)
			}
		})
	}
}

// TestCurrentContactsUnknownInstitution checks that an institution that does
// not exist, or has been retired, is ErrNotFound rather than "nobody".
func TestCurrentContactsUnknownInstitution(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	retired := insertInstitution(t, pool, "Closed college", "FURTHER_EDUCATION_COLLEGE")
	insertContact(t, pool, contact{Institution: retired, Name: "Inbox"})
	retire(t, pool, "institutions", retired)

	for name, id := range map[string]uuid.UUID{"unknown": uuid.New(), "retired": retired} {
		got, err := st.CurrentContacts(context.Background(), id, "DISCHARGE_NOTIFICATION")
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s institution: CurrentContacts = %v, %v; want ErrNotFound", name, got, err)
		}
	}
}

// TestCurrentContactsCycles checks that successor and deputy links that go
// round in a circle end rather than loop.
func TestCurrentContactsCycles(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)

	// cycle makes A→B→A: both have left post, each naming the other as successor.
	cycle := func(inst uuid.UUID, purpose string) (uuid.UUID, uuid.UUID) {
		a := insertContact(t, pool, contact{Institution: inst, Purpose: purpose, Name: "A", ValidTo: "2025-01-31"})
		b := insertContact(t, pool, contact{Institution: inst, Purpose: purpose, Name: "B", ValidTo: "2025-02-28", Successor: &a})
		exec(t, pool, `UPDATE contact_points SET successor_id = $1 WHERE id = $2`, b, a)
		return a, b
	}

	instCycle := insertInstitution(t, pool, "Cycle only", "HIGHER_EDUCATION_PROVIDER")
	cycle(instCycle, "DISCHARGE_NOTIFICATION")

	// A third contact, who left, hands over into the cycle.
	instLead := insertInstitution(t, pool, "Hand-over into a cycle", "HIGHER_EDUCATION_PROVIDER")
	a, _ := cycle(instLead, "MDT_REFERRAL")
	insertContact(t, pool, contact{Institution: instLead, Name: "C", ValidTo: "2024-12-31", Successor: &a})

	// A cycle beside a contact in post: the contact in post still answers.
	instBeside := insertInstitution(t, pool, "Cycle beside a live contact", "HIGHER_EDUCATION_PROVIDER")
	cycle(instBeside, "DISCHARGE_NOTIFICATION")
	insertContact(t, pool, contact{Institution: instBeside, Name: "Live inbox"})

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, tc := range []struct {
		name string
		inst uuid.UUID
		want []answer
	}{
		{"A→B→A", instCycle, []answer{}},
		{"C→A→B→A", instLead, []answer{}},
		{"A→B→A beside a live contact", instBeside, []answer{primary("Live inbox")}},
	} {
		got, err := st.CurrentContacts(ctx, tc.inst, "DISCHARGE_NOTIFICATION")
		if err != nil {
			t.Fatalf("%s: CurrentContacts: %v", tc.name, err)
		}
		if a := answersOf(got); !slices.Equal(a, tc.want) {
			t.Errorf("%s: CurrentContacts = %v, want %v", tc.name, a, tc.want)
		}
	}
}

// TestCurrentContactsMutualDeputies checks two contacts in post for the same
// purpose who deputise for each other (a common way of avoiding a single
// point of failure): somebody must answer.
func TestCurrentContactsMutualDeputies(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	inst := insertInstitution(t, pool, "University", "HIGHER_EDUCATION_PROVIDER")
	a := insertContact(t, pool, contact{Institution: inst, Name: "Adviser A"})
	b := insertContact(t, pool, contact{Institution: inst, Name: "Adviser B", Deputy: &a})
	exec(t, pool, `UPDATE contact_points SET deputy_id = $1 WHERE id = $2`, b, a)

	got, err := st.CurrentContacts(context.Background(), inst, "DISCHARGE_NOTIFICATION")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, c := range got {
		names[c.ContactPoint.Name] = true
	}
	if !names["Adviser A"] || !names["Adviser B"] || len(got) != 2 {
		t.Errorf("CurrentContacts = %v, want both advisers once each", answersOf(got))
	}
	if len(got) > 0 && got[0].Role != store.RolePrimary {
		t.Errorf("first answer %v is not a primary", answersOf(got)[0])
	}
}

// TestCurrentAndStale checks Current against UK calendar dates and Stale
// against the review period, for contacts read back from the database.
func TestCurrentAndStale(t *testing.T) {
	t.Parallel()
	// 00:30 BST on 11 June is still 10 June in UTC: UK dates must be used.
	now := time.Date(2025, 6, 11, 0, 30, 0, 0, store.UK)
	pool, st := newDB(t, now, store.WithReviewPeriod(30*24*time.Hour))
	inst := insertInstitution(t, pool, "University", "HIGHER_EDUCATION_PROVIDER")

	for _, tc := range []struct {
		from, to string
		current  bool
	}{
		{"2025-06-11", "", true},           // starts today (UK)
		{"2025-06-12", "", false},          // starts tomorrow
		{"2020-01-01", "2025-06-11", true}, // last day today
		{"2020-01-01", "2025-06-10", false},
		{"2025-06-11", "2025-06-11", true},
		{"2020-01-01", "", true},
	} {
		id := insertContact(t, pool, contact{Institution: inst, Name: fmt.Sprintf("%s to %s", tc.from, tc.to),
			ValidFrom: tc.from, ValidTo: tc.to})
		cs, err := st.ContactPointsByIDs(context.Background(), []uuid.UUID{id})
		if err != nil || len(cs) != 1 {
			t.Fatalf("ContactPointsByIDs = %v, %v", cs, err)
		}
		if got := st.Current(cs[0]); got != tc.current {
			t.Errorf("Current(valid %s to %q) = %v, want %v", tc.from, tc.to, got, tc.current)
		}
		// The database's idea of "in post today" agrees.
		listed, err := st.ContactPointsByInstitutions(context.Background(), []uuid.UUID{inst})
		if err != nil {
			t.Fatal(err)
		}
		in := slices.ContainsFunc(listed, func(c store.ContactPoint) bool { return c.ID == id })
		if in != tc.current {
			t.Errorf("ContactPointsByInstitutions lists contact valid %s to %q: %v, want %v", tc.from, tc.to, in, tc.current)
		}
	}

	for _, tc := range []struct {
		name     string
		verified *time.Time
		stale    bool
	}{
		{"never verified", nil, true},
		{"verified an hour ago", ptr(now.Add(-time.Hour)), false},
		{"verified 29 days ago", ptr(now.Add(-29 * 24 * time.Hour)), false},
		{"verified 31 days ago", ptr(now.Add(-31 * 24 * time.Hour)), true},
		{"verified a year ago", ptr(now.AddDate(-1, 0, 0)), true},
	} {
		id := insertContact(t, pool, contact{Institution: inst, Name: tc.name, LastVerified: tc.verified})
		cs, err := st.ContactPointsByIDs(context.Background(), []uuid.UUID{id})
		if err != nil || len(cs) != 1 {
			t.Fatalf("ContactPointsByIDs = %v, %v", cs, err)
		}
		if got := st.Stale(cs[0]); got != tc.stale {
			t.Errorf("Stale(%s) = %v, want %v", tc.name, got, tc.stale)
		}
	}
}

// TestStaleDefaultReviewPeriod checks the default period of 180 days.
func TestStaleDefaultReviewPeriod(t *testing.T) {
	t.Parallel()
	st := store.New(nil, store.WithClock(func() time.Time { return tuesday }))
	day := 24 * time.Hour
	for _, tc := range []struct {
		age   time.Duration
		stale bool
	}{{179 * day, false}, {181 * day, true}} {
		verified := tuesday.Add(-tc.age)
		if got := st.Stale(store.ContactPoint{LastVerifiedAt: &verified}); got != tc.stale {
			t.Errorf("Stale(verified %v ago) = %v, want %v", tc.age, got, tc.stale)
		}
	}
}

// TestContactPointsByIDsNotInPost checks that a lookup by ID returns contacts
// who have left post or not started (so links can still be shown), but not
// retired ones, while the lists by institution and service show only those in post.
func TestContactPointsByIDsNotInPost(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	inst := insertInstitution(t, pool, "University", "HIGHER_EDUCATION_PROVIDER")
	s := insertService(t, pool, svc{Institution: inst, Name: "Counselling"})
	ids := []uuid.UUID{
		insertContact(t, pool, contact{Institution: inst, Service: &s, Name: "In post"}),
		insertContact(t, pool, contact{Institution: inst, Service: &s, Name: "Left", ValidTo: "2025-01-01"}),
		insertContact(t, pool, contact{Institution: inst, Service: &s, Name: "Not started", ValidFrom: "2025-09-01"}),
		insertContact(t, pool, contact{Institution: inst, Service: &s, Name: "Retired"}),
	}
	retire(t, pool, "contact_points", ids[3])
	ctx := context.Background()

	byIDs, err := st.ContactPointsByIDs(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := contactNames(byIDs), []string{"In post", "Left", "Not started"}; !slices.Equal(got, want) {
		t.Errorf("ContactPointsByIDs = %q, want %q", got, want)
	}
	byInst, err := st.ContactPointsByInstitutions(ctx, []uuid.UUID{inst})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := contactNames(byInst), []string{"In post"}; !slices.Equal(got, want) {
		t.Errorf("ContactPointsByInstitutions = %q, want %q", got, want)
	}
	bySvc, err := st.ContactPointsByServices(ctx, []uuid.UUID{s})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := contactNames(bySvc), []string{"In post"}; !slices.Equal(got, want) {
		t.Errorf("ContactPointsByServices = %q, want %q", got, want)
	}
}

// TestLeadsByPartnerships checks that partnership leads come from member
// institutions only, are in post, not retired, and only of purpose PARTNERSHIP_LEAD.
func TestLeadsByPartnerships(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	p := insertPartnership(t, pool, "Liverpool")
	member := insertInstitution(t, pool, "Member university", "HIGHER_EDUCATION_PROVIDER")
	outsider := insertInstitution(t, pool, "Outsider university", "HIGHER_EDUCATION_PROVIDER")
	addMember(t, pool, p, member)
	lead := func(inst uuid.UUID, name string, c contact) uuid.UUID {
		c.Institution, c.Name, c.Purpose = inst, name, "PARTNERSHIP_LEAD"
		return insertContact(t, pool, c)
	}
	lead(member, "Member lead", contact{})
	lead(outsider, "Outsider lead", contact{})
	lead(member, "Former lead", contact{ValidTo: "2025-01-01"})
	lead(member, "Future lead", contact{ValidFrom: "2026-01-01"})
	retire(t, pool, "contact_points", lead(member, "Retired lead", contact{}))
	insertContact(t, pool, contact{Institution: member, Name: "Discharge inbox"})

	leads, err := st.LeadsByPartnerships(context.Background(), []uuid.UUID{p})
	if err != nil {
		t.Fatal(err)
	}
	if len(leads) != 1 || leads[0].Name != "Member lead" || leads[0].PartnershipID != p {
		t.Errorf("LeadsByPartnerships = %+v, want only Member lead of the partnership", leads)
	}
}
