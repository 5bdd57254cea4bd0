package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/waymark/waymark/store"
)

// TestContactVisibility checks the privacy rule on every path that reads
// contact points: PUBLIC for everyone, PROFESSIONAL for professionals, leads
// and administrators, PARTNERSHIP for viewers of a partnership the contact's
// institution belongs to, and for administrators.
func TestContactVisibility(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)

	// A belongs to partnership P1 (and P3), B to P2, C to none.
	p1 := insertPartnership(t, pool, "Liverpool")
	p2 := insertPartnership(t, pool, "Manchester")
	p3 := insertPartnership(t, pool, "North West crisis pathway")
	instA := insertInstitution(t, pool, "University A", "HIGHER_EDUCATION_PROVIDER")
	instB := insertInstitution(t, pool, "Trust B", "NHS_TRUST")
	instC := insertInstitution(t, pool, "Charity C", "CHARITY")
	addMember(t, pool, p1, instA)
	addMember(t, pool, p3, instA)
	addMember(t, pool, p2, instB)

	// Every contact is a current PARTNERSHIP_LEAD of a service, so that
	// every read path can reach it.
	type fixture struct {
		inst uuid.UUID
		svc  uuid.UUID
	}
	insts := map[string]fixture{}
	var allIDs []uuid.UUID
	for name, inst := range map[string]uuid.UUID{"A": instA, "B": instB, "C": instC} {
		s := insertService(t, pool, svc{Institution: inst, Name: "Service " + name})
		insts[name] = fixture{inst, s}
		for _, vis := range []string{"PUBLIC", "PROFESSIONAL", "PARTNERSHIP"} {
			allIDs = append(allIDs, insertContact(t, pool, contact{
				Institution: inst, Service: &s, Purpose: "PARTNERSHIP_LEAD",
				Name: name + " " + vis, Visibility: vis,
			}))
		}
	}

	all := func(names ...string) []string { slices.Sort(names); return names }
	viewers := []struct {
		name string
		ctx  context.Context
		want []string // names visible among all nine contacts
	}{
		{"no viewer", context.Background(),
			all("A PUBLIC", "B PUBLIC", "C PUBLIC")},
		{"anonymous viewer", viewerCtx(store.Viewer{}),
			all("A PUBLIC", "B PUBLIC", "C PUBLIC")},
		{"anonymous naming a partnership", viewerCtx(store.Viewer{Partnerships: []uuid.UUID{p2}}),
			all("A PUBLIC", "B PUBLIC", "B PARTNERSHIP", "C PUBLIC")},
		{"professional", viewerCtx(store.Viewer{Role: store.RoleProfessional}),
			all("A PUBLIC", "A PROFESSIONAL", "B PUBLIC", "B PROFESSIONAL", "C PUBLIC", "C PROFESSIONAL")},
		{"professional in P1", viewerCtx(store.Viewer{Role: store.RoleProfessional, Partnerships: []uuid.UUID{p1}}),
			all("A PUBLIC", "A PROFESSIONAL", "A PARTNERSHIP", "B PUBLIC", "B PROFESSIONAL", "C PUBLIC", "C PROFESSIONAL")},
		{"lead of P2", viewerCtx(store.Viewer{Role: store.RoleLead, Partnerships: []uuid.UUID{p2}}),
			all("A PUBLIC", "A PROFESSIONAL", "B PUBLIC", "B PROFESSIONAL", "B PARTNERSHIP", "C PUBLIC", "C PROFESSIONAL")},
		{"lead of P3 (A's second partnership)", viewerCtx(store.Viewer{Role: store.RoleLead, Partnerships: []uuid.UUID{p3}}),
			all("A PUBLIC", "A PROFESSIONAL", "A PARTNERSHIP", "B PUBLIC", "B PROFESSIONAL", "C PUBLIC", "C PROFESSIONAL")},
		{"lead of P1 and P2", viewerCtx(store.Viewer{Role: store.RoleLead, Partnerships: []uuid.UUID{p1, p2}}),
			all("A PUBLIC", "A PROFESSIONAL", "A PARTNERSHIP", "B PUBLIC", "B PROFESSIONAL", "B PARTNERSHIP", "C PUBLIC", "C PROFESSIONAL")},
		{"lead naming an unknown partnership", viewerCtx(store.Viewer{Role: store.RoleLead, Partnerships: []uuid.UUID{uuid.New()}}),
			all("A PUBLIC", "A PROFESSIONAL", "B PUBLIC", "B PROFESSIONAL", "C PUBLIC", "C PROFESSIONAL")},
		{"admin", viewerCtx(store.Viewer{Role: store.RoleAdmin}),
			all("A PUBLIC", "A PROFESSIONAL", "A PARTNERSHIP", "B PUBLIC", "B PROFESSIONAL", "B PARTNERSHIP", "C PUBLIC", "C PROFESSIONAL", "C PARTNERSHIP")},
	}

	// only keeps the wanted names with one of the prefixes.
	only := func(want []string, prefixes ...string) []string {
		out := []string{}
		for _, n := range want {
			for _, p := range prefixes {
				if n[:2] == p+" " {
					out = append(out, n)
				}
			}
		}
		return out
	}

	for _, v := range viewers {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			ctx := v.ctx

			byIDs, err := st.ContactPointsByIDs(ctx, allIDs)
			if err != nil {
				t.Fatal(err)
			}
			if got := contactNames(byIDs); !slices.Equal(got, v.want) {
				t.Errorf("ContactPointsByIDs = %q, want %q", got, v.want)
			}

			byInst, err := st.ContactPointsByInstitutions(ctx, []uuid.UUID{instA, instB, instC})
			if err != nil {
				t.Fatal(err)
			}
			if got := contactNames(byInst); !slices.Equal(got, v.want) {
				t.Errorf("ContactPointsByInstitutions = %q, want %q", got, v.want)
			}

			bySvc, err := st.ContactPointsByServices(ctx, []uuid.UUID{insts["A"].svc, insts["B"].svc, insts["C"].svc})
			if err != nil {
				t.Fatal(err)
			}
			if got := contactNames(bySvc); !slices.Equal(got, v.want) {
				t.Errorf("ContactPointsByServices = %q, want %q", got, v.want)
			}

			// C is in no partnership, so never a partnership's lead.
			leads, err := st.LeadsByPartnerships(ctx, []uuid.UUID{p1, p2})
			if err != nil {
				t.Fatal(err)
			}
			var leadNames []string
			for _, l := range leads {
				leadNames = append(leadNames, l.Name)
				wantP := map[uuid.UUID]uuid.UUID{instA: p1, instB: p2}[l.InstitutionID]
				if l.PartnershipID != wantP {
					t.Errorf("lead %q listed under partnership %v, want %v", l.Name, l.PartnershipID, wantP)
				}
			}
			slices.Sort(leadNames)
			if want := only(v.want, "A", "B"); !slices.Equal(leadNames, want) {
				t.Errorf("LeadsByPartnerships = %q, want %q", leadNames, want)
			}

			for _, name := range []string{"A", "B", "C"} {
				cur, err := st.CurrentContacts(ctx, insts[name].inst, "PARTNERSHIP_LEAD")
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, c := range cur {
					got = append(got, c.ContactPoint.Name)
					if c.Role != store.RolePrimary || c.Succeeded {
						t.Errorf("CurrentContacts(%s): %q has role %q succeeded %v, want PRIMARY, not succeeded",
							name, c.ContactPoint.Name, c.Role, c.Succeeded)
					}
				}
				slices.Sort(got)
				if want := only(v.want, name); !slices.Equal(got, want) {
					t.Errorf("CurrentContacts(%s) = %q, want %q", name, got, want)
				}
			}
		})
	}
}

// TestContactVisibilityDeputyAndSuccessor checks that CurrentContacts hides
// a hidden deputy and a hidden successor while showing a visible primary,
// and that a hidden predecessor still hands over to a visible successor.
func TestContactVisibilityDeputyAndSuccessor(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	p := insertPartnership(t, pool, "Liverpool")
	inst := insertInstitution(t, pool, "University", "HIGHER_EDUCATION_PROVIDER")
	addMember(t, pool, p, inst)

	// Safeguarding: a public primary with a partnership-only deputy.
	deputy := insertContact(t, pool, contact{Institution: inst, Purpose: "SAFEGUARDING", Name: "Hidden deputy", Visibility: "PARTNERSHIP"})
	insertContact(t, pool, contact{Institution: inst, Purpose: "SAFEGUARDING", Name: "Public primary", Deputy: &deputy})

	// Discharge: a professional-only contact who left and handed over to a public team.
	succ := insertContact(t, pool, contact{Institution: inst, Name: "Public successor", ValidFrom: "2025-05-01"})
	insertContact(t, pool, contact{Institution: inst, Name: "Professional predecessor", Visibility: "PROFESSIONAL",
		ValidTo: "2025-04-30", Successor: &succ})

	// Fitness to study: a public contact who handed over to a professional-only one.
	hiddenSucc := insertContact(t, pool, contact{Institution: inst, Purpose: "FITNESS_TO_STUDY", Name: "Professional successor",
		Visibility: "PROFESSIONAL", ValidFrom: "2025-05-01"})
	insertContact(t, pool, contact{Institution: inst, Purpose: "FITNESS_TO_STUDY", Name: "Public predecessor",
		ValidTo: "2025-04-30", Successor: &hiddenSucc})

	type answer struct {
		Name      string
		Role      string
		Succeeded bool
	}
	answers := func(ctx context.Context, purpose string) []answer {
		t.Helper()
		cur, err := st.CurrentContacts(ctx, inst, purpose)
		if err != nil {
			t.Fatal(err)
		}
		out := []answer{}
		for _, c := range cur {
			out = append(out, answer{c.ContactPoint.Name, c.Role, c.Succeeded})
		}
		return out
	}
	anon := context.Background()
	lead := viewerCtx(store.Viewer{Role: store.RoleLead, Partnerships: []uuid.UUID{p}})
	pro := viewerCtx(store.Viewer{Role: store.RoleProfessional})

	for _, tc := range []struct {
		name    string
		ctx     context.Context
		purpose string
		want    []answer
	}{
		{"anonymous does not see a partnership deputy", anon, "SAFEGUARDING",
			[]answer{{"Public primary", store.RolePrimary, false}}},
		{"partnership lead sees the deputy", lead, "SAFEGUARDING",
			[]answer{{"Public primary", store.RolePrimary, false}, {"Hidden deputy", store.RoleDeputy, false}}},
		{"anonymous sees the successor of a hidden contact", anon, "DISCHARGE_NOTIFICATION",
			[]answer{{"Public successor", store.RolePrimary, true}}},
		{"anonymous does not see a hidden successor", anon, "FITNESS_TO_STUDY",
			[]answer{}},
		{"professional sees the hidden successor", pro, "FITNESS_TO_STUDY",
			[]answer{{"Professional successor", store.RolePrimary, true}}},
	} {
		if got := answers(tc.ctx, tc.purpose); !slices.Equal(got, tc.want) {
			t.Errorf("%s: CurrentContacts(%s) = %+v, want %+v", tc.name, tc.purpose, got, tc.want)
		}
	}
}

// TestServiceVisibility checks that services follow the same rule as
// contact points on every path that lists or looks them up.
func TestServiceVisibility(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	p := insertPartnership(t, pool, "Liverpool")
	other := insertPartnership(t, pool, "Bristol")
	inst := insertInstitution(t, pool, "Mersey Care NHS Foundation Trust", "NHS_TRUST")
	addMember(t, pool, p, inst)
	var ids []uuid.UUID
	for _, vis := range []string{"PUBLIC", "PROFESSIONAL", "PARTNERSHIP"} {
		id := insertService(t, pool, svc{Institution: inst, Name: vis + " service", Description: "Support for students who self-harm."})
		exec(t, pool, `UPDATE services SET visibility = $1 WHERE id = $2`, vis, id)
		ids = append(ids, id)
	}

	for _, tc := range []struct {
		name string
		ctx  context.Context
		want []string
	}{
		{"anonymous", context.Background(), []string{"PUBLIC service"}},
		{"professional", viewerCtx(store.Viewer{Role: store.RoleProfessional}), []string{"PROFESSIONAL service", "PUBLIC service"}},
		{"lead of another partnership", viewerCtx(store.Viewer{Role: store.RoleLead, Partnerships: []uuid.UUID{other}}),
			[]string{"PROFESSIONAL service", "PUBLIC service"}},
		{"lead of the partnership", viewerCtx(store.Viewer{Role: store.RoleLead, Partnerships: []uuid.UUID{p}}),
			[]string{"PARTNERSHIP service", "PROFESSIONAL service", "PUBLIC service"}},
		{"admin", viewerCtx(store.Viewer{Role: store.RoleAdmin}),
			[]string{"PARTNERSHIP service", "PROFESSIONAL service", "PUBLIC service"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, f := range []store.ServiceFilter{{}, {Text: ptr("self-harm")}, {InstitutionID: &inst}} {
				hits, _, err := st.ListServices(tc.ctx, f, store.Page{First: 10})
				if err != nil {
					t.Fatal(err)
				}
				got := serviceNames(hits)
				slices.Sort(got)
				if !slices.Equal(got, tc.want) {
					t.Errorf("ListServices(%+v) = %q, want %q", f, got, tc.want)
				}
				if n, err := st.CountServices(tc.ctx, f); err != nil || n != len(tc.want) {
					t.Errorf("CountServices(%+v) = %d, %v; want %d", f, n, err, len(tc.want))
				}
			}
			byIDs, err := st.ServicesByIDs(tc.ctx, ids)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range byIDs {
				got = append(got, s.Name)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("ServicesByIDs = %q, want %q", got, tc.want)
			}
			provided, err := st.ServicesByInstitutions(tc.ctx, []uuid.UUID{inst})
			if err != nil {
				t.Fatal(err)
			}
			got = nil
			for _, s := range provided {
				got = append(got, s.Name)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("ServicesByInstitutions = %q, want %q", got, tc.want)
			}
		})
	}
}

// A contact point for a service the viewer may not see is hidden with the
// service, even when the contact point itself is PUBLIC.
func TestContactOfHiddenServiceIsHidden(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	inst := insertInstitution(t, pool, "Mersey Care NHS Foundation Trust", "NHS_TRUST")
	mdt := insertService(t, pool, svc{Institution: inst, Name: "Student MDT", Description: "Weekly multidisciplinary meeting."})
	exec(t, pool, `UPDATE services SET visibility = 'PROFESSIONAL' WHERE id = $1`, mdt)
	c := insertContact(t, pool, contact{Institution: inst, Service: &mdt, Name: "MDT co-ordinator", Purpose: "MDT_REFERRAL"})

	anon := context.Background()
	prof := viewerCtx(store.Viewer{Role: store.RoleProfessional})
	for name, read := range map[string]func(context.Context) ([]store.ContactPoint, error){
		"by ID": func(ctx context.Context) ([]store.ContactPoint, error) {
			return st.ContactPointsByIDs(ctx, []uuid.UUID{c})
		},
		"by institution": func(ctx context.Context) ([]store.ContactPoint, error) {
			return st.ContactPointsByInstitutions(ctx, []uuid.UUID{inst})
		},
		"by service": func(ctx context.Context) ([]store.ContactPoint, error) {
			return st.ContactPointsByServices(ctx, []uuid.UUID{mdt})
		},
		"current for purpose": func(ctx context.Context) ([]store.ContactPoint, error) {
			cc, err := st.CurrentContacts(ctx, inst, "MDT_REFERRAL")
			var out []store.ContactPoint
			for _, x := range cc {
				out = append(out, x.ContactPoint)
			}
			return out, err
		},
	} {
		got, err := read(anon)
		if err != nil || len(got) != 0 {
			t.Errorf("%s: anonymous got %v (%v), want nothing", name, contactNames(got), err)
		}
		got, err = read(prof)
		if err != nil || len(got) != 1 {
			t.Errorf("%s: professional got %v (%v), want the MDT co-ordinator", name, contactNames(got), err)
		}
	}
}

// The lead of a retired member institution is no longer a lead.
func TestLeadsOfRetiredInstitutionHidden(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	p := insertPartnership(t, pool, "Liverpool")
	open := insertInstitution(t, pool, "Open University College", "HIGHER_EDUCATION_PROVIDER")
	closed := insertInstitution(t, pool, "Closed College", "HIGHER_EDUCATION_PROVIDER")
	addMember(t, pool, p, open)
	addMember(t, pool, p, closed)
	insertContact(t, pool, contact{Institution: open, Name: "Open lead", Purpose: "PARTNERSHIP_LEAD"})
	insertContact(t, pool, contact{Institution: closed, Name: "Closed lead", Purpose: "PARTNERSHIP_LEAD"})
	retire(t, pool, "institutions", closed)
	leads, err := st.LeadsByPartnerships(context.Background(), []uuid.UUID{p})
	if err != nil {
		t.Fatal(err)
	}
	if len(leads) != 1 || leads[0].Name != "Open lead" {
		t.Errorf("leads = %+v, want only the open institution's lead", leads)
	}
}
