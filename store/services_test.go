package store_test

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waymark/waymark/store"
)

// Places used by the service fixtures.
type place struct{ lat, lon float64 }

var (
	limeStreet  = place{53.4076, -2.9777} // where the student is
	uniCampus   = place{53.4060, -2.9660}
	trustSite   = place{53.4084, -2.9916}
	cafeSite    = place{53.4000, -2.9800}
	gpSite      = place{53.3900, -2.9500}
	oldCampus   = place{53.4070, -2.9700}
	manchester  = place{53.4668, -2.2339}
	earthRadius = 6371.0088
)

// haversine is the great-circle distance in km, computed independently of the database.
func haversine(a, b place) float64 {
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	dLat, dLon := rad(b.lat-a.lat), rad(b.lon-a.lon)
	h := math.Pow(math.Sin(dLat/2), 2) + math.Cos(rad(a.lat))*math.Cos(rad(b.lat))*math.Pow(math.Sin(dLon/2), 2)
	return 2 * earthRadius * math.Asin(math.Sqrt(h))
}

// serviceWorld is a small directory of services in and around Liverpool.
type serviceWorld struct {
	uni, trust, charity, gp uuid.UUID // institutions
	partnership, gpPCN      uuid.UUID // partnerships: uni+trust, gp
	ids                     map[string]uuid.UUID
}

// allServices are the names of the current services of serviceWorld, by name.
var allServices = []string{"Counselling Service", "Crisis Line", "GP Mental Health Clinic", "Nightline",
	"Peer Support Café", "Satellite Clinic", "U-COPE"}

func newServiceWorld(t *testing.T, pool *pgxpool.Pool) serviceWorld {
	t.Helper()
	w := serviceWorld{ids: map[string]uuid.UUID{}}
	w.uni = insertInstitution(t, pool, "University of Liverpool", "HIGHER_EDUCATION_PROVIDER")
	w.trust = insertInstitution(t, pool, "Mersey Care NHS Foundation Trust", "NHS_TRUST")
	w.charity = insertInstitution(t, pool, "Student Minds", "CHARITY")
	w.gp = insertInstitution(t, pool, "Brownlow Health", "GP_PRACTICE")
	w.partnership = insertPartnership(t, pool, "Liverpool")
	addMember(t, pool, w.partnership, w.uni)
	addMember(t, pool, w.partnership, w.trust)
	w.gpPCN = insertPartnership(t, pool, "Primary care network")
	addMember(t, pool, w.gpPCN, w.gp)

	site := func(inst uuid.UUID, name string, p place) *uuid.UUID {
		id := insertSite(t, pool, inst, name, p.lat, p.lon)
		return &id
	}
	campus := site(w.uni, "Main campus", uniCampus)
	old := site(w.uni, "Old campus", oldCampus)
	retire(t, pool, "sites", *old)
	trustHQ := site(w.trust, "Liaison base", trustSite)
	trustMcr := site(w.trust, "Manchester office", manchester)
	cafe := site(w.charity, "Café", cafeSite)
	surgery := site(w.gp, "Surgery", gpSite)

	add := func(s svc) uuid.UUID {
		id := insertService(t, pool, s)
		w.ids[s.Name] = id
		return id
	}
	ucope := add(svc{Institution: w.trust, Site: trustHQ, Name: "U-COPE",
		Description: "A six-week course of group therapy for students who self-harm.",
		Needs:       []string{"SELF_HARM", "SUICIDAL_THOUGHTS"}, CareLevel: 3,
		AccessRoutes: []string{"NHS_REFERRAL", "UNIVERSITY_REFERRAL"}})
	addServicePartner(t, pool, ucope, w.uni)
	addHours(t, pool, ucope, 2, "10:00", "16:00")

	counselling := add(svc{Institution: w.uni, Site: campus, Name: "Counselling Service",
		Description: "Short-term counselling for low mood and anxiety.",
		Needs:       []string{"LOW_MOOD", "ANXIETY"}, CareLevel: 2})
	for day := 1; day <= 5; day++ {
		addHours(t, pool, counselling, day, "09:00", "17:00")
	}

	add(svc{Institution: w.trust, Site: trustMcr, Name: "Crisis Line",
		Description: "Round-the-clock telephone support when you are in crisis.",
		Needs:       []string{"SUICIDAL_THOUGHTS"}, CareLevel: 5,
		AccessRoutes: []string{"URGENT_CARE", "SELF_REFERRAL"}, Open24x7: true})

	nightline := add(svc{Institution: w.charity, Name: "Nightline",
		Description: "A listening service run by students, through the night.",
		Needs:       []string{"LONELINESS"}, CareLevel: 1})
	addServicePartner(t, pool, nightline, w.uni)
	addHours(t, pool, nightline, 6, "20:00", "24:00")
	addHours(t, pool, nightline, 7, "00:00", "04:00")

	cafeSvc := add(svc{Institution: w.charity, Site: cafe, Name: "Peer Support Café",
		Description: "Drop in for tea and a chat with other students.",
		Needs:       []string{"LONELINESS", "STUDY_STRESS"}, CareLevel: 1, AccessRoutes: []string{"WALK_IN"}})
	addHours(t, pool, cafeSvc, 7, "18:00", "22:00")

	add(svc{Institution: w.gp, Site: surgery, Name: "GP Mental Health Clinic",
		Description: "Appointments with a GP who specialises in mental health.",
		Needs:       []string{"ANXIETY"}, CareLevel: 3, AccessRoutes: []string{"GP_REFERRAL"}})

	add(svc{Institution: w.uni, Site: old, Name: "Satellite Clinic", Description: "Counselling at the old campus."})

	// A retired service that would match almost every filter.
	retired := add(svc{Institution: w.uni, Site: campus, Name: "Old Drop-in",
		Description: "Drop-in therapy for self-harm, loneliness and low mood; ucope.",
		Needs:       []string{"SELF_HARM", "LONELINESS", "ANXIETY", "LOW_MOOD", "SUICIDAL_THOUGHTS"}, CareLevel: 1,
		AccessRoutes: []string{"WALK_IN", "SELF_REFERRAL", "GP_REFERRAL"}, Open24x7: true})
	addServicePartner(t, pool, retired, w.trust)
	addServicePartner(t, pool, retired, w.gp)
	retire(t, pool, "services", retired)
	return w
}

// listAll walks every page of ListServices, two at a time, through cursor
// strings, and returns the rows in order.
func listAll(t *testing.T, st *store.Store, f store.ServiceFilter) []store.ServiceHit {
	t.Helper()
	return walk(t, func(after *store.Cursor) ([]store.ServiceHit, bool, error) {
		return st.ListServices(context.Background(), f, store.Page{First: 2, After: after})
	}, func(h store.ServiceHit) store.Cursor { return store.ServiceCursor(f, h) })
}

// TestListServicesFilters checks each filter of ListServices, that walking
// the pages gives the same rows as one big page, and that CountServices
// counts them.
func TestListServicesFilters(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	w := newServiceWorld(t, pool)

	// At different times (UK).
	sunday3am := time.Date(2025, 6, 15, 3, 0, 0, 0, store.UK)
	saturdayLate := time.Date(2025, 6, 14, 23, 30, 0, 0, store.UK)
	tuesday0930 := time.Date(2025, 6, 10, 9, 30, 0, 0, store.UK)
	winterTuesday0930 := time.Date(2025, 1, 14, 9, 30, 0, 0, store.UK) // GMT

	for _, tc := range []struct {
		name string
		now  time.Time // default tuesday 10:30 BST
		f    store.ServiceFilter
		want []string // in order
	}{
		{"no filter", time.Time{}, store.ServiceFilter{}, allServices},
		{"needs LONELINESS", time.Time{}, store.ServiceFilter{Needs: []string{"LONELINESS"}},
			[]string{"Nightline", "Peer Support Café"}},
		{"needs overlap SELF_HARM or LONELINESS", time.Time{}, store.ServiceFilter{Needs: []string{"SELF_HARM", "LONELINESS"}},
			[]string{"Nightline", "Peer Support Café", "U-COPE"}},
		{"needs nobody has", time.Time{}, store.ServiceFilter{Needs: []string{"EATING_DISORDER"}}, nil},
		{"institution: own and jointly provided", time.Time{}, store.ServiceFilter{InstitutionID: &w.uni},
			[]string{"Counselling Service", "Nightline", "Satellite Clinic", "U-COPE"}},
		{"institution: trust", time.Time{}, store.ServiceFilter{InstitutionID: &w.trust},
			[]string{"Crisis Line", "U-COPE"}},
		{"institution: charity", time.Time{}, store.ServiceFilter{InstitutionID: &w.charity},
			[]string{"Nightline", "Peer Support Café"}},
		{"institution: unknown", time.Time{}, store.ServiceFilter{InstitutionID: ptr(uuid.New())}, nil},
		{"partnership: members' own and joint services", time.Time{}, store.ServiceFilter{PartnershipID: &w.partnership},
			[]string{"Counselling Service", "Crisis Line", "Nightline", "Satellite Clinic", "U-COPE"}},
		{"partnership: GP network", time.Time{}, store.ServiceFilter{PartnershipID: &w.gpPCN},
			[]string{"GP Mental Health Clinic"}},
		{"access route WALK_IN", time.Time{}, store.ServiceFilter{AccessRoutes: []string{"WALK_IN"}},
			[]string{"Peer Support Café"}},
		{"access routes GP_REFERRAL or WALK_IN", time.Time{}, store.ServiceFilter{AccessRoutes: []string{"GP_REFERRAL", "WALK_IN"}},
			[]string{"GP Mental Health Clinic", "Peer Support Café"}},
		{"max care level 1", time.Time{}, store.ServiceFilter{MaxCareLevel: ptr(1)},
			[]string{"Nightline", "Peer Support Café"}},
		{"max care level 2", time.Time{}, store.ServiceFilter{MaxCareLevel: ptr(2)},
			[]string{"Counselling Service", "Nightline", "Peer Support Café", "Satellite Clinic"}},
		{"max care level 5", time.Time{}, store.ServiceFilter{MaxCareLevel: ptr(5)}, allServices},
		{"open now, Tuesday 10:30 BST", time.Time{}, store.ServiceFilter{OpenNow: ptr(true)},
			[]string{"Counselling Service", "Crisis Line", "U-COPE"}},
		{"closed now, Tuesday 10:30 BST", time.Time{}, store.ServiceFilter{OpenNow: ptr(false)},
			[]string{"GP Mental Health Clinic", "Nightline", "Peer Support Café", "Satellite Clinic"}},
		{"open now, Tuesday 09:30 BST (08:30 UTC)", tuesday0930, store.ServiceFilter{OpenNow: ptr(true)},
			[]string{"Counselling Service", "Crisis Line"}},
		{"open now, Tuesday 09:30 GMT", winterTuesday0930, store.ServiceFilter{OpenNow: ptr(true)},
			[]string{"Counselling Service", "Crisis Line"}},
		{"open now, Sunday 03:00", sunday3am, store.ServiceFilter{OpenNow: ptr(true)},
			[]string{"Crisis Line", "Nightline"}},
		{"open now, Saturday 23:30 (open until midnight)", saturdayLate, store.ServiceFilter{OpenNow: ptr(true)},
			[]string{"Crisis Line", "Nightline"}},
		{"closed now, Sunday 03:00", sunday3am, store.ServiceFilter{OpenNow: ptr(false)},
			[]string{"Counselling Service", "GP Mental Health Clinic", "Peer Support Café", "Satellite Clinic", "U-COPE"}},
		{"filters combine", time.Time{}, store.ServiceFilter{InstitutionID: &w.uni, MaxCareLevel: ptr(2), Needs: []string{"LOW_MOOD", "LONELINESS"}},
			[]string{"Counselling Service", "Nightline"}},
		{"filters combine with opening", time.Time{}, store.ServiceFilter{PartnershipID: &w.partnership, OpenNow: ptr(true), AccessRoutes: []string{"SELF_REFERRAL"}},
			[]string{"Counselling Service", "Crisis Line"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := st
			if !tc.now.IsZero() {
				s = store.New(pool, store.WithClock(func() time.Time { return tc.now }))
			}
			ctx := context.Background()
			one, more, err := s.ListServices(ctx, tc.f, store.Page{First: 100})
			if err != nil {
				t.Fatalf("ListServices: %v", err)
			}
			if more {
				t.Error("ListServices says more follow a page of 100")
			}
			if got := serviceNames(one); !slices.Equal(got, tc.want) {
				t.Errorf("ListServices = %q, want %q", got, tc.want)
			}
			for _, h := range one {
				if h.DistanceKm != nil || h.Score != nil {
					t.Errorf("%s: DistanceKm %v, Score %v; want neither without near or text", h.Name, h.DistanceKm, h.Score)
				}
			}
			if got := serviceNames(listAll(t, s, tc.f)); !slices.Equal(got, tc.want) {
				t.Errorf("walking pages of 2 = %q, want %q", got, tc.want)
			}
			n, err := s.CountServices(ctx, tc.f)
			if err != nil {
				t.Fatalf("CountServices: %v", err)
			}
			if n != len(tc.want) {
				t.Errorf("CountServices = %d, want %d", n, len(tc.want))
			}
		})
	}
}

// TestListServicesText checks free-text search: folded names, words of the
// description, ordering by relevance and the limits on the text.
func TestListServicesText(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	newServiceWorld(t, pool)
	ctx := context.Background()

	for _, text := range []string{"ucope", "U COPE", "u-cope", "U-COPE", "self-harm therapy", "therapy for self-harm"} {
		f := store.ServiceFilter{Text: ptr(text)}
		hits, _, err := st.ListServices(ctx, f, store.Page{First: 100})
		if err != nil {
			t.Fatalf("ListServices(text %q): %v", text, err)
		}
		if len(hits) == 0 || hits[0].Name != "U-COPE" {
			t.Errorf("ListServices(text %q) = %q, want U-COPE first", text, serviceNames(hits))
			continue
		}
		for i, h := range hits {
			if h.Score == nil {
				t.Fatalf("ListServices(text %q): %s has no score", text, h.Name)
			}
			if i > 0 && *h.Score > *hits[i-1].Score {
				t.Errorf("ListServices(text %q): %s (score %v) after %s (score %v)", text, h.Name, *h.Score, hits[i-1].Name, *hits[i-1].Score)
			}
			if h.Name == "Old Drop-in" {
				t.Errorf("ListServices(text %q) found a retired service", text)
			}
		}
		n, err := st.CountServices(ctx, f)
		if err != nil || n != len(hits) {
			t.Errorf("CountServices(text %q) = %d, %v; want %d", text, n, err, len(hits))
		}
	}

	// Words that appear nowhere find nothing.
	hits, _, err := st.ListServices(ctx, store.ServiceFilter{Text: ptr("xylophone quartet")}, store.Page{First: 10})
	if err != nil || len(hits) != 0 {
		t.Errorf("ListServices(text nowhere) = %q, %v; want nothing", serviceNames(hits), err)
	}

	// Text combines with other filters.
	hits, _, err = st.ListServices(ctx, store.ServiceFilter{Text: ptr("ucope"), Needs: []string{"LONELINESS"}}, store.Page{First: 10})
	if err != nil || len(hits) != 0 {
		t.Errorf("ListServices(text ucope, needs LONELINESS) = %q, %v; want nothing", serviceNames(hits), err)
	}

	if _, _, err := st.ListServices(ctx, store.ServiceFilter{Text: ptr(strings.Repeat("a", 200))}, store.Page{First: 10}); err != nil {
		t.Errorf("200 characters of text: %v, want no error", err)
	}
	for name, text := range map[string]string{
		"empty":          "",
		"blank":          "   \t",
		"201 characters": strings.Repeat("a", 201),
		"201 runes":      strings.Repeat("é", 201),
	} {
		t.Run(name, func(t *testing.T) {
			f := store.ServiceFilter{Text: ptr(text)}
			_, _, err := st.ListServices(ctx, f, store.Page{First: 10})
			wantInputError(t, err, "filter.text")
			_, err = st.CountServices(ctx, f)
			wantInputError(t, err, "filter.text")
		})
	}
}

// TestListServicesNear checks the distance filter: nearest first with the
// right distances, the radius, services without a current site left out,
// and bad points and radii rejected.
func TestListServicesNear(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	newServiceWorld(t, pool)
	ctx := context.Background()

	type hit struct {
		name string
		km   float64
	}
	// Expected, from an independent haversine; Satellite Clinic's site is
	// retired, Nightline has none, Crisis Line is in Manchester.
	local := []hit{
		{"Counselling Service", haversine(limeStreet, uniCampus)},
		{"Peer Support Café", haversine(limeStreet, cafeSite)},
		{"U-COPE", haversine(limeStreet, trustSite)},
		{"GP Mental Health Clinic", haversine(limeStreet, gpSite)},
	}
	slices.SortFunc(local, func(a, b hit) int { return cmp.Compare(a.km, b.km) })
	withManchester := append(slices.Clone(local), hit{"Crisis Line", haversine(limeStreet, manchester)})

	for _, tc := range []struct {
		radius float64
		want   []hit
	}{
		{10, local},
		{60, withManchester},
		{haversine(limeStreet, trustSite) + 0.01, local[:slices.IndexFunc(local, func(h hit) bool { return h.name == "U-COPE" })+1]},
		{0.1, nil},
	} {
		f := store.ServiceFilter{Near: &store.Near{Latitude: limeStreet.lat, Longitude: limeStreet.lon, RadiusKm: tc.radius}}
		hits, _, err := st.ListServices(ctx, f, store.Page{First: 100})
		if err != nil {
			t.Fatalf("radius %v: %v", tc.radius, err)
		}
		if len(hits) != len(tc.want) {
			t.Errorf("radius %v: got %q, want %v", tc.radius, serviceNames(hits), tc.want)
			continue
		}
		for i, h := range hits {
			if h.Name != tc.want[i].name || h.DistanceKm == nil || math.Abs(*h.DistanceKm-tc.want[i].km) > 0.001 {
				t.Errorf("radius %v: hit %d = %s at %v km, want %s at %.3f km", tc.radius, i, h.Name, h.DistanceKm, tc.want[i].name, tc.want[i].km)
			}
			if *h.DistanceKm > tc.radius {
				t.Errorf("radius %v: %s is %v km away", tc.radius, h.Name, *h.DistanceKm)
			}
		}
		if got := serviceNames(listAll(t, st, f)); !slices.Equal(got, serviceNames(hits)) {
			t.Errorf("radius %v: walking pages of 2 = %q, want %q", tc.radius, got, serviceNames(hits))
		}
		if n, err := st.CountServices(ctx, f); err != nil || n != len(tc.want) {
			t.Errorf("radius %v: CountServices = %d, %v; want %d", tc.radius, n, err, len(tc.want))
		}
	}

	// Near orders by distance even with text: "students" is in the
	// descriptions of U-COPE (0.93 km), the café (0.86 km) and Nightline (no site).
	f := store.ServiceFilter{Text: ptr("students"), Near: &store.Near{Latitude: limeStreet.lat, Longitude: limeStreet.lon, RadiusKm: 20}}
	hits, _, err := st.ListServices(ctx, f, store.Page{First: 100})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := serviceNames(hits), []string{"Peer Support Café", "U-COPE"}; !slices.Equal(got, want) {
		t.Errorf("text and near: got %q, want %q", got, want)
	}
	if got := serviceNames(listAll(t, st, f)); !slices.Equal(got, serviceNames(hits)) {
		t.Errorf("text and near: walking pages of 2 = %q, want %q", got, serviceNames(hits))
	}

	for _, tc := range []struct {
		near  store.Near
		field string
	}{
		{store.Near{Latitude: 90.01, Longitude: 0, RadiusKm: 5}, "filter.near.latitude"},
		{store.Near{Latitude: -91, Longitude: 0, RadiusKm: 5}, "filter.near.latitude"},
		{store.Near{Latitude: math.NaN(), Longitude: 0, RadiusKm: 5}, "filter.near.latitude"},
		{store.Near{Latitude: math.Inf(1), Longitude: 0, RadiusKm: 5}, "filter.near.latitude"},
		{store.Near{Latitude: 53, Longitude: 180.5, RadiusKm: 5}, "filter.near.longitude"},
		{store.Near{Latitude: 53, Longitude: -181, RadiusKm: 5}, "filter.near.longitude"},
		{store.Near{Latitude: 53, Longitude: math.NaN(), RadiusKm: 5}, "filter.near.longitude"},
		{store.Near{Latitude: 53, Longitude: -3, RadiusKm: 0}, "filter.near.radiusKm"},
		{store.Near{Latitude: 53, Longitude: -3, RadiusKm: -1}, "filter.near.radiusKm"},
		{store.Near{Latitude: 53, Longitude: -3, RadiusKm: 500.1}, "filter.near.radiusKm"},
		{store.Near{Latitude: 53, Longitude: -3, RadiusKm: math.NaN()}, "filter.near.radiusKm"},
		{store.Near{Latitude: 53, Longitude: -3, RadiusKm: math.Inf(1)}, "filter.near.radiusKm"},
	} {
		f := store.ServiceFilter{Near: &tc.near}
		_, _, err := st.ListServices(ctx, f, store.Page{First: 10})
		wantInputError(t, err, tc.field)
		_, err = st.CountServices(ctx, f)
		wantInputError(t, err, tc.field)
	}
	// The edges are allowed.
	for _, n := range []store.Near{{Latitude: 90, Longitude: 180, RadiusKm: 500}, {Latitude: -90, Longitude: -180, RadiusKm: 0.001}} {
		if _, _, err := st.ListServices(ctx, store.ServiceFilter{Near: &n}, store.Page{First: 10}); err != nil {
			t.Errorf("near %+v: %v, want no error", n, err)
		}
	}
}

// TestListServicesBadFilters checks that the care level must be 1 to 5.
func TestListServicesBadFilters(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	newServiceWorld(t, pool)
	ctx := context.Background()
	for _, level := range []int{0, 6, -1} {
		f := store.ServiceFilter{MaxCareLevel: ptr(level)}
		_, _, err := st.ListServices(ctx, f, store.Page{First: 10})
		wantInputError(t, err, "filter.maxCareLevel")
		_, err = st.CountServices(ctx, f)
		wantInputError(t, err, "filter.maxCareLevel")
	}
}

// TestOpenNowMatchesOpeningHours checks that Store.OpenNow, given the hours
// read back with OpeningHoursOfServices, agrees with the openNow filter.
func TestOpenNowMatchesOpeningHours(t *testing.T) {
	t.Parallel()
	pool, _ := newDB(t, tuesday)
	w := newServiceWorld(t, pool)
	ctx := context.Background()

	var ids []uuid.UUID
	for _, id := range w.ids {
		ids = append(ids, id)
	}
	svcs, err := store.New(pool).ServicesByIDs(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	hours, err := store.New(pool).OpeningHoursOfServices(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	// Nightline's Saturday row closes at midnight, shown as 24:00.
	if !slices.Contains(hours, store.OpeningHours{ServiceID: w.ids["Nightline"], Day: 6, Opens: "20:00", Closes: "24:00"}) {
		t.Errorf("OpeningHoursOfServices = %+v, want Nightline Saturday 20:00–24:00", hours)
	}
	for _, now := range []time.Time{
		tuesday,
		time.Date(2025, 6, 14, 23, 59, 0, 0, store.UK),
		time.Date(2025, 6, 15, 0, 0, 0, 0, store.UK),
		time.Date(2025, 6, 15, 3, 59, 0, 0, store.UK),
		time.Date(2025, 6, 15, 4, 0, 0, 0, store.UK),
		time.Date(2025, 6, 15, 18, 0, 0, 0, store.UK),
		time.Date(2025, 6, 10, 16, 0, 0, 0, store.UK),
		time.Date(2025, 12, 9, 9, 0, 0, 0, store.UK),
	} {
		st := store.New(pool, store.WithClock(func() time.Time { return now }))
		open, _, err := st.ListServices(ctx, store.ServiceFilter{OpenNow: ptr(true)}, store.Page{First: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range svcs {
			var own []store.OpeningHours
			for _, h := range hours {
				if h.ServiceID == s.ID {
					own = append(own, h)
				}
			}
			listed := slices.ContainsFunc(open, func(h store.ServiceHit) bool { return h.ID == s.ID })
			if got := st.OpenNow(s, own); got != listed {
				t.Errorf("at %v: OpenNow(%s) = %v but the openNow filter lists it: %v", now, s.Name, got, listed)
			}
		}
	}
}

// TestServicesByIDsAndInstitutions checks the lookups used to resolve links,
// including joint provision and retired services.
func TestServicesByIDsAndInstitutions(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	w := newServiceWorld(t, pool)
	ctx := context.Background()

	got, err := st.ServicesByIDs(ctx, []uuid.UUID{w.ids["U-COPE"], w.ids["Old Drop-in"], uuid.New()})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Name != "U-COPE" {
		t.Errorf("ServicesByIDs = %+v, want only U-COPE (the other is retired or unknown)", got)
	}

	provided, err := st.ServicesByInstitutions(ctx, []uuid.UUID{w.uni, w.trust})
	if err != nil {
		t.Fatal(err)
	}
	byProvider := map[uuid.UUID][]string{}
	for _, p := range provided {
		byProvider[p.ProviderID] = append(byProvider[p.ProviderID], p.Name)
	}
	if want := []string{"Counselling Service", "Nightline", "Satellite Clinic", "U-COPE"}; !slices.Equal(byProvider[w.uni], want) {
		t.Errorf("ServicesByInstitutions(university) = %q, want %q", byProvider[w.uni], want)
	}
	if want := []string{"Crisis Line", "U-COPE"}; !slices.Equal(byProvider[w.trust], want) {
		t.Errorf("ServicesByInstitutions(trust) = %q, want %q", byProvider[w.trust], want)
	}

	partners, err := st.PartnersOfServices(ctx, []uuid.UUID{w.ids["U-COPE"], w.ids["Counselling Service"]})
	if err != nil {
		t.Fatal(err)
	}
	if want := []store.Link{{ServiceID: w.ids["U-COPE"], InstitutionID: w.uni}}; !slices.Equal(partners, want) {
		t.Errorf("PartnersOfServices = %+v, want %+v", partners, want)
	}
}
