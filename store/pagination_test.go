package store_test

import (
	"cmp"
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/waymark/waymark/store"
)

// byNameThenID orders like the lists do: case-insensitive name, then ID.
func byNameThenID(aName string, aID uuid.UUID, bName string, bID uuid.UUID) int {
	return cmp.Or(strings.Compare(strings.ToLower(aName), strings.ToLower(bName)),
		strings.Compare(aID.String(), bID.String()))
}

// TestListInstitutionsPages walks institutions two at a time: every current
// row once, in name order, ties (names differing only in case) by ID.
func TestListInstitutionsPages(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	ctx := context.Background()
	type row struct {
		name string
		id   uuid.UUID
	}
	var want []row
	for _, name := range []string{"Liverpool John Moores University", "liverpool john moores university",
		"LIVERPOOL JOHN MOORES UNIVERSITY", "Aston University", "Zeta College", "Brownlow Health",
		"brownlow health", "Mersey Care NHS Foundation Trust", "University of Liverpool"} {
		want = append(want, row{name, insertInstitution(t, pool, name, "CHARITY")})
	}
	retire(t, pool, "institutions", insertInstitution(t, pool, "Closed College", "CHARITY"))
	slices.SortFunc(want, func(a, b row) int { return byNameThenID(a.name, a.id, b.name, b.id) })

	got := walk(t, func(after *store.Cursor) ([]store.Institution, bool, error) {
		return st.ListInstitutions(ctx, store.InstitutionFilter{}, store.Page{First: 2, After: after})
	}, store.InstitutionCursor)
	if len(got) != len(want) {
		t.Fatalf("walked %d institutions, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].id || got[i].Name != want[i].name {
			t.Errorf("row %d = %s %s, want %s %s", i, got[i].Name, got[i].ID, want[i].name, want[i].id)
		}
	}
	if n, err := st.CountInstitutions(ctx, store.InstitutionFilter{}); err != nil || n != len(want) {
		t.Errorf("CountInstitutions = %d, %v; want %d", n, err, len(want))
	}

	// First 0 is allowed: no rows, but more follow.
	page, more, err := st.ListInstitutions(ctx, store.InstitutionFilter{}, store.Page{First: 0})
	if err != nil || len(page) != 0 || !more {
		t.Errorf("ListInstitutions(first 0) = %d rows, more %v, %v; want 0 rows, more", len(page), more, err)
	}
	page, more, err = st.ListInstitutions(ctx, store.InstitutionFilter{}, store.Page{First: store.MaxPageSize})
	if err != nil || len(page) != len(want) || more {
		t.Errorf("ListInstitutions(first 100) = %d rows, more %v, %v; want %d, no more", len(page), more, err, len(want))
	}
	for _, first := range []int{-1, store.MaxPageSize + 1} {
		_, _, err := st.ListInstitutions(ctx, store.InstitutionFilter{}, store.Page{First: first})
		wantInputError(t, err, "first")
	}
	// A cursor from another ordering.
	_, _, err = st.ListInstitutions(ctx, store.InstitutionFilter{},
		store.Page{First: 2, After: &store.Cursor{Mode: "distance", Key: "1.5", ID: want[0].id}})
	wantInputError(t, err, "after")
}

// TestListPartnershipsPages walks partnerships two at a time, with an even
// number of rows so the last page is exactly full.
func TestListPartnershipsPages(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	ctx := context.Background()
	type row struct {
		name string
		id   uuid.UUID
	}
	var want []row
	for _, name := range []string{"Liverpool", "liverpool north", "Bristol", "Sheffield", "North East action learning set", "birmingham"} {
		want = append(want, row{name, insertPartnership(t, pool, name)})
	}
	retire(t, pool, "partnerships", insertPartnership(t, pool, "Abandoned partnership"))
	slices.SortFunc(want, func(a, b row) int { return byNameThenID(a.name, a.id, b.name, b.id) })

	got := walk(t, func(after *store.Cursor) ([]store.Partnership, bool, error) {
		return st.ListPartnerships(ctx, store.Page{First: 2, After: after})
	}, store.PartnershipCursor)
	var names []string
	for _, p := range got {
		names = append(names, p.Name)
	}
	var wantNames []string
	for _, r := range want {
		wantNames = append(wantNames, r.name)
	}
	if !slices.Equal(names, wantNames) {
		t.Errorf("walked %q, want %q", names, wantNames)
	}
	if n, err := st.CountPartnerships(ctx); err != nil || n != len(want) {
		t.Errorf("CountPartnerships = %d, %v; want %d", n, err, len(want))
	}
	for _, first := range []int{-1, store.MaxPageSize + 1} {
		_, _, err := st.ListPartnerships(ctx, store.Page{First: first})
		wantInputError(t, err, "first")
	}
	_, _, err := st.ListPartnerships(ctx, store.Page{First: 2, After: &store.Cursor{Mode: "score", Key: "-0.5", ID: want[0].id}})
	wantInputError(t, err, "after")
}

// TestListServicesPages walks services two at a time in each of the three
// orders, with ties in every sort key.
func TestListServicesPages(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	ctx := context.Background()
	inst := insertInstitution(t, pool, "University", "HIGHER_EDUCATION_PROVIDER")
	here := insertSite(t, pool, inst, "Here", 53.4060, -2.9660)
	near := insertSite(t, pool, inst, "Near", 53.4100, -2.9700)
	far := insertSite(t, pool, inst, "Far", 53.4800, -2.2400)
	sites := []*uuid.UUID{&here, &here, &near, &far, &here, &near, &far, nil, &near, &here, &far}
	names := []string{"Counselling", "counselling", "COUNSELLING", "Counselling Service", "Counselling Service",
		"Student counselling and wellbeing", "Advice", "Zebra counselling", "Mental Health Advisers", "Drop-in", "counselling"}
	for i, name := range names {
		insertService(t, pool, svc{Institution: inst, Site: sites[i], Name: name,
			Description: "Talk to someone; counselling and advice for students."})
	}
	retire(t, pool, "services", insertService(t, pool, svc{Institution: inst, Site: &here, Name: "Counselling (closed)"}))

	for _, tc := range []struct {
		name string
		f    store.ServiceFilter
		want int // rows
		// cmp is the order the rows must be in.
		cmp func(a, b store.ServiceHit) int
	}{
		{"by name", store.ServiceFilter{}, len(names), func(a, b store.ServiceHit) int {
			return byNameThenID(a.Name, a.ID, b.Name, b.ID)
		}},
		{"by text score", store.ServiceFilter{Text: ptr("counselling")}, len(names), func(a, b store.ServiceHit) int {
			return cmp.Or(cmp.Compare(*b.Score, *a.Score), strings.Compare(a.ID.String(), b.ID.String()))
		}},
		{"by distance", store.ServiceFilter{Near: &store.Near{Latitude: 53.4060, Longitude: -2.9660, RadiusKm: 100}}, len(names) - 1,
			func(a, b store.ServiceHit) int {
				return cmp.Or(cmp.Compare(*a.DistanceKm, *b.DistanceKm), strings.Compare(a.ID.String(), b.ID.String()))
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			all, more, err := st.ListServices(ctx, tc.f, store.Page{First: 100})
			if err != nil || more {
				t.Fatalf("ListServices(first 100) = more %v, %v", more, err)
			}
			if len(all) != tc.want {
				t.Fatalf("ListServices found %d services, want %d: %q", len(all), tc.want, serviceNames(all))
			}
			if !slices.IsSortedFunc(all, tc.cmp) {
				t.Errorf("ListServices is not in %s order: %q", tc.name, serviceNames(all))
			}
			// The fixture must really have ties in this order's key.
			keyOnly := func(h store.ServiceHit) store.ServiceHit { h.ID = uuid.Nil; return h }
			ties := 0
			for i := 1; i < len(all); i++ {
				if tc.cmp(keyOnly(all[i-1]), keyOnly(all[i])) == 0 {
					ties++
				}
			}
			if ties == 0 {
				t.Errorf("no ties in the sort key: the test does not exercise the tie-break")
			}

			walked := listAll(t, st, tc.f)
			if len(walked) != len(all) {
				t.Fatalf("walked %d services, want %d", len(walked), len(all))
			}
			seen := map[uuid.UUID]bool{}
			for i := range all {
				if walked[i].ID != all[i].ID {
					t.Errorf("row %d: walked %s %s, want %s %s", i, walked[i].Name, walked[i].ID, all[i].Name, all[i].ID)
				}
				if seen[walked[i].ID] {
					t.Errorf("row %d: %s seen twice", i, walked[i].Name)
				}
				seen[walked[i].ID] = true
			}
			if n, err := st.CountServices(ctx, tc.f); err != nil || n != len(all) {
				t.Errorf("CountServices = %d, %v; want %d", n, err, len(all))
			}
			for _, first := range []int{-1, store.MaxPageSize + 1} {
				_, _, err := st.ListServices(ctx, tc.f, store.Page{First: first})
				wantInputError(t, err, "first")
			}
		})
	}

	// A cursor from one order given to another.
	text := store.ServiceFilter{Text: ptr("counselling")}
	nearF := store.ServiceFilter{Near: &store.Near{Latitude: 53.4, Longitude: -2.9, RadiusKm: 50}}
	byName, _, err := st.ListServices(ctx, store.ServiceFilter{}, store.Page{First: 1})
	if err != nil {
		t.Fatal(err)
	}
	byScore, _, err := st.ListServices(ctx, text, store.Page{First: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		cursor store.Cursor
		f      store.ServiceFilter
	}{
		{"by-name cursor to a text search", store.ServiceCursor(store.ServiceFilter{}, byName[0]), text},
		{"by-name cursor to a near search", store.ServiceCursor(store.ServiceFilter{}, byName[0]), nearF},
		{"by-score cursor to a near search", store.ServiceCursor(text, byScore[0]), nearF},
		{"by-score cursor to a list by name", store.ServiceCursor(text, byScore[0]), store.ServiceFilter{}},
		{"institution cursor to a near search", store.Cursor{Mode: "name", Key: "a", ID: uuid.New()}, nearF},
		{"score cursor whose key is not a number", store.Cursor{Mode: "score", Key: "counselling", ID: uuid.New()}, text},
		{"distance cursor whose key is not a number", store.Cursor{Mode: "distance", Key: "", ID: uuid.New()}, nearF},
	} {
		c, err := store.ParseCursor("after", tc.cursor.String())
		if err != nil {
			t.Fatalf("%s: ParseCursor: %v", tc.name, err)
		}
		_, _, err = st.ListServices(ctx, tc.f, store.Page{First: 2, After: c})
		t.Run(tc.name, func(t *testing.T) { wantInputError(t, err, "after") })
	}
}

// TestParseCursor checks the round trip and that anything else is rejected
// as an input error naming the field.
func TestParseCursor(t *testing.T) {
	t.Parallel()
	id := uuid.New()
	for _, c := range []store.Cursor{
		{Mode: "name", Key: "university of liverpool", ID: id},
		{Mode: "score", Key: "-0.6079271435737610", ID: id},
		{Mode: "distance", Key: "1.2345678901234567e-05", ID: id},
		{Mode: "name", Key: "", ID: id},
		{Mode: "name", Key: "prifysgol bangor — côr & ‘café’", ID: id},
	} {
		s := c.String()
		got, err := store.ParseCursor("after", s)
		if err != nil {
			t.Errorf("ParseCursor(%v.String()): %v", c, err)
			continue
		}
		if *got != c {
			t.Errorf("ParseCursor(%v.String()) = %v", c, *got)
		}
	}

	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for name, s := range map[string]string{
		"empty":              "",
		"not base64":         "!!!not a cursor!!!",
		"padded base64":      base64.URLEncoding.EncodeToString([]byte("c1\x00name\x00a\x00" + id.String())),
		"plain text":         enc("hello"),
		"wrong version":      enc("c2\x00name\x00a\x00" + id.String()),
		"too few parts":      enc("c1\x00name\x00" + id.String()),
		"too many parts":     enc("c1\x00name\x00a\x00b\x00" + id.String()),
		"bad id":             enc("c1\x00name\x00a\x00not-a-uuid"),
		"over 2000 chars":    enc("c1\x00name\x00" + strings.Repeat("a", 1600) + "\x00" + id.String()),
		"a cursor with junk": (store.Cursor{Mode: "name", Key: "a", ID: id}).String() + "$",
	} {
		c, err := store.ParseCursor("filter.after", s)
		if c != nil {
			t.Errorf("%s: ParseCursor(%q) = %v, want nil", name, s, *c)
		}
		t.Run(name, func(t *testing.T) { wantInputError(t, err, "filter.after") })
	}
}

// TestListInstitutionsPagesNonASCII walks names with accented capitals, whose
// cursor keys are lower-cased in Go but compared in the database: the walk
// must match the database's own order, each row once.
func TestListInstitutionsPagesNonASCII(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	ctx := context.Background()
	for _, name := range []string{"École Normale", "ÉCOLE NORMALE", "école normale", "Zürich Institute",
		"ZÜRICH INSTITUTE", "Ysgol Gymraeg", "Øresund University", "Åbo Akademi", "Ωmega College"} {
		insertInstitution(t, pool, name, "CHARITY")
	}
	all, _, err := st.ListInstitutions(ctx, store.InstitutionFilter{}, store.Page{First: 100})
	if err != nil {
		t.Fatal(err)
	}
	walked := walk(t, func(after *store.Cursor) ([]store.Institution, bool, error) {
		return st.ListInstitutions(ctx, store.InstitutionFilter{}, store.Page{First: 2, After: after})
	}, store.InstitutionCursor)
	if len(walked) != len(all) || len(all) != 9 {
		t.Fatalf("walked %d institutions, one page has %d; want 9", len(walked), len(all))
	}
	for i := range all {
		if walked[i].ID != all[i].ID {
			t.Errorf("row %d: walked %s, want %s", i, walked[i].Name, all[i].Name)
		}
	}
}
