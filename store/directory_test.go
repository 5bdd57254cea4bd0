package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark/waymark/store"
)

// TestRetiredRowsHidden checks that retired institutions, partnerships,
// sites and forums appear in no list and no lookup by ID.
func TestRetiredRowsHidden(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	ctx := context.Background()

	live := insertInstitution(t, pool, "Live university", "HIGHER_EDUCATION_PROVIDER")
	gone := insertInstitution(t, pool, "Closed university", "HIGHER_EDUCATION_PROVIDER")
	liveP := insertPartnership(t, pool, "Live partnership")
	goneP := insertPartnership(t, pool, "Closed partnership")
	addMember(t, pool, liveP, live)
	addMember(t, pool, liveP, gone)
	addMember(t, pool, goneP, live)
	liveSite := insertSite(t, pool, live, "Main campus", 53.4, -2.9)
	goneSite := insertSite(t, pool, live, "Old campus", 53.4, -2.9)
	liveForum := insertID(t, pool, `INSERT INTO governance_forums (partnership_id, name, cadence)
		VALUES ($1, 'Weekly MDT', 'WEEKLY') RETURNING id`, liveP)
	goneForum := insertID(t, pool, `INSERT INTO governance_forums (partnership_id, name, cadence)
		VALUES ($1, 'Old steering group', 'QUARTERLY') RETURNING id`, liveP)
	retire(t, pool, "institutions", gone)
	retire(t, pool, "partnerships", goneP)
	retire(t, pool, "sites", goneSite)
	retire(t, pool, "governance_forums", goneForum)

	insts, err := st.InstitutionsByIDs(ctx, []uuid.UUID{live, gone})
	if err != nil || len(insts) != 1 || insts[0].ID != live {
		t.Errorf("InstitutionsByIDs = %+v, %v; want only the live one", insts, err)
	}
	list, _, err := st.ListInstitutions(ctx, store.InstitutionFilter{}, store.Page{First: 10})
	if err != nil || len(list) != 1 || list[0].ID != live {
		t.Errorf("ListInstitutions = %+v, %v; want only the live one", list, err)
	}
	if n, err := st.CountInstitutions(ctx, store.InstitutionFilter{}); err != nil || n != 1 {
		t.Errorf("CountInstitutions = %d, %v; want 1", n, err)
	}
	for id, want := range map[uuid.UUID]bool{live: true, gone: false, uuid.New(): false} {
		if ok, err := st.InstitutionExists(ctx, id); err != nil || ok != want {
			t.Errorf("InstitutionExists(%v) = %v, %v; want %v", id, ok, err, want)
		}
	}

	ps, err := st.PartnershipsByIDs(ctx, []uuid.UUID{liveP, goneP})
	if err != nil || len(ps) != 1 || ps[0].ID != liveP {
		t.Errorf("PartnershipsByIDs = %+v, %v; want only the live one", ps, err)
	}
	plist, _, err := st.ListPartnerships(ctx, store.Page{First: 10})
	if err != nil || len(plist) != 1 || plist[0].ID != liveP {
		t.Errorf("ListPartnerships = %+v, %v; want only the live one", plist, err)
	}
	if n, err := st.CountPartnerships(ctx); err != nil || n != 1 {
		t.Errorf("CountPartnerships = %d, %v; want 1", n, err)
	}

	members, err := st.MembersByPartnerships(ctx, []uuid.UUID{liveP})
	if err != nil || len(members) != 1 || members[0].InstitutionID != live {
		t.Errorf("MembersByPartnerships = %+v, %v; want only the live institution", members, err)
	}
	memberships, err := st.MembershipsByInstitutions(ctx, []uuid.UUID{live})
	if err != nil || len(memberships) != 1 || memberships[0].PartnershipID != liveP {
		t.Errorf("MembershipsByInstitutions = %+v, %v; want only the live partnership", memberships, err)
	}

	sites, err := st.SitesByIDs(ctx, []uuid.UUID{liveSite, goneSite})
	if err != nil || len(sites) != 1 || sites[0].ID != liveSite {
		t.Errorf("SitesByIDs = %+v, %v; want only the live site", sites, err)
	}
	sites, err = st.SitesByInstitutions(ctx, []uuid.UUID{live})
	if err != nil || len(sites) != 1 || sites[0].ID != liveSite {
		t.Errorf("SitesByInstitutions = %+v, %v; want only the live site", sites, err)
	}

	forums, err := st.ForumsByIDs(ctx, []uuid.UUID{liveForum, goneForum})
	if err != nil || len(forums) != 1 || forums[0].ID != liveForum {
		t.Errorf("ForumsByIDs = %+v, %v; want only the live forum", forums, err)
	}
	forums, err = st.ForumsByPartnerships(ctx, []uuid.UUID{liveP})
	if err != nil || len(forums) != 1 || forums[0].ID != liveForum {
		t.Errorf("ForumsByPartnerships = %+v, %v; want only the live forum", forums, err)
	}
}

// TestListInstitutionsFilters checks the institution filters and that the
// count agrees with the list.
func TestListInstitutionsFilters(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	ctx := context.Background()
	uol := insertInstitution(t, pool, "University of Liverpool", "HIGHER_EDUCATION_PROVIDER")
	ljmu := insertInstitution(t, pool, "Liverpool John Moores University", "HIGHER_EDUCATION_PROVIDER")
	mersey := insertInstitution(t, pool, "Mersey Care NHS Foundation Trust", "NHS_TRUST")
	insertInstitution(t, pool, "University of Bristol", "HIGHER_EDUCATION_PROVIDER")
	exec(t, pool, `UPDATE institutions SET region = 'NORTH_WEST' WHERE id IN ($1, $2, $3)`, uol, ljmu, mersey)
	exec(t, pool, `UPDATE institutions SET short_name = 'LJMU' WHERE id = $1`, ljmu)
	p := insertPartnership(t, pool, "Liverpool")
	addMember(t, pool, p, uol)
	addMember(t, pool, p, mersey)

	for _, tc := range []struct {
		name string
		f    store.InstitutionFilter
		want []string
	}{
		{"text in the name", store.InstitutionFilter{Text: ptr("liverpool")},
			[]string{"Liverpool John Moores University", "University of Liverpool"}},
		{"short name", store.InstitutionFilter{Text: ptr("ljmu")}, []string{"Liverpool John Moores University"}},
		{"kinds", store.InstitutionFilter{Kinds: []string{"NHS_TRUST"}}, []string{"Mersey Care NHS Foundation Trust"}},
		{"region", store.InstitutionFilter{Region: ptr("NORTH_WEST")},
			[]string{"Liverpool John Moores University", "Mersey Care NHS Foundation Trust", "University of Liverpool"}},
		{"partnership", store.InstitutionFilter{PartnershipID: &p},
			[]string{"Mersey Care NHS Foundation Trust", "University of Liverpool"}},
		{"combined", store.InstitutionFilter{PartnershipID: &p, Kinds: []string{"HIGHER_EDUCATION_PROVIDER"}},
			[]string{"University of Liverpool"}},
	} {
		list, _, err := st.ListInstitutions(ctx, tc.f, store.Page{First: 100})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got []string
		for _, i := range list {
			got = append(got, i.Name)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: ListInstitutions = %q, want %q", tc.name, got, tc.want)
		}
		if n, err := st.CountInstitutions(ctx, tc.f); err != nil || n != len(tc.want) {
			t.Errorf("%s: CountInstitutions = %d, %v; want %d", tc.name, n, err, len(tc.want))
		}
	}
	_, _, err := st.ListInstitutions(ctx, store.InstitutionFilter{Text: ptr(" ")}, store.Page{First: 10})
	wantInputError(t, err, "filter.text")
	_, err = st.CountInstitutions(ctx, store.InstitutionFilter{Text: ptr("")})
	wantInputError(t, err, "filter.text")
}

// TestOpenAt checks OpenAt without a database: 24/7 services, the opening
// and closing minutes, Sunday as ISO day 7, midnight as 24:00, and UK local
// time on both sides of the clock changes.
func TestOpenAt(t *testing.T) {
	t.Parallel()
	id := uuid.New()
	weekdays := []store.OpeningHours{}
	for day := 1; day <= 5; day++ {
		weekdays = append(weekdays, store.OpeningHours{ServiceID: id, Day: day, Opens: "09:00", Closes: "17:00"})
	}
	nights := []store.OpeningHours{
		{ServiceID: id, Day: 6, Opens: "20:00", Closes: "24:00"},
		{ServiceID: id, Day: 7, Opens: "00:00", Closes: "04:00"},
	}
	split := []store.OpeningHours{
		{ServiceID: id, Day: 3, Opens: "09:00", Closes: "12:00"},
		{ServiceID: id, Day: 3, Opens: "13:30", Closes: "16:00"},
	}
	utc := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	uk := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, store.UK) }

	for _, tc := range []struct {
		name  string
		svc   store.Service
		hours []store.OpeningHours
		at    time.Time
		open  bool
	}{
		{"24/7 with no hours, Sunday 03:00", store.Service{Open24x7: true}, nil, uk(2025, 6, 15, 3, 0), true},
		{"24/7 ignores its hours", store.Service{Open24x7: true}, weekdays, uk(2025, 6, 14, 12, 0), true},
		{"no hours: never open", store.Service{}, nil, uk(2025, 6, 10, 12, 0), false},
		{"Tuesday 10:30", store.Service{}, weekdays, uk(2025, 6, 10, 10, 30), true},
		{"opening minute", store.Service{}, weekdays, uk(2025, 6, 10, 9, 0), true},
		{"a minute before opening", store.Service{}, weekdays, uk(2025, 6, 10, 8, 59), false},
		{"last minute", store.Service{}, weekdays, uk(2025, 6, 10, 16, 59), true},
		{"closing minute", store.Service{}, weekdays, uk(2025, 6, 10, 17, 0), false},
		{"Saturday", store.Service{}, weekdays, uk(2025, 6, 14, 10, 30), false},
		{"Sunday is day 7", store.Service{}, nights, uk(2025, 6, 15, 1, 0), true},
		{"Saturday until midnight", store.Service{}, nights, uk(2025, 6, 14, 23, 59), true},
		{"Saturday evening", store.Service{}, nights, uk(2025, 6, 14, 20, 0), true},
		{"Sunday 04:00 closed", store.Service{}, nights, uk(2025, 6, 15, 4, 0), false},
		{"Monday 01:00 closed", store.Service{}, nights, uk(2025, 6, 16, 1, 0), false},
		{"lunch break", store.Service{}, split, uk(2025, 6, 11, 12, 30), false},
		{"after lunch", store.Service{}, split, uk(2025, 6, 11, 13, 30), true},
		// Summer time began on Sunday 30 March 2025: 08:30 UTC is 09:30 BST.
		{"Monday 08:30 UTC in BST", store.Service{}, weekdays, utc(2025, 3, 31, 8, 30), true},
		{"Monday 08:30 UTC in GMT", store.Service{}, weekdays, utc(2025, 3, 24, 8, 30), false},
		// Summer time ended on Sunday 26 October 2025: 16:30 UTC is 17:30 BST but 16:30 GMT.
		{"Monday 16:30 UTC in BST", store.Service{}, weekdays, utc(2025, 10, 20, 16, 30), false},
		{"Monday 16:30 UTC in GMT", store.Service{}, weekdays, utc(2025, 10, 27, 16, 30), true},
		// 23:30 UTC on a Saturday in summer is already Sunday 00:30 in the UK.
		{"Saturday 23:30 UTC is Sunday in the UK", store.Service{}, []store.OpeningHours{{Day: 7, Opens: "00:00", Closes: "01:00"}},
			utc(2025, 6, 14, 23, 30), true},
	} {
		if got := store.OpenAt(tc.svc, tc.hours, tc.at); got != tc.open {
			t.Errorf("%s: OpenAt(%v) = %v, want %v", tc.name, tc.at, got, tc.open)
		}
	}
}
