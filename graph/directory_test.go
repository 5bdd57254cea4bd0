package graph_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/waymark/waymark/store"
)

func TestInstitutionWithNestedDirectory(t *testing.T) {
	a := newAPI(t)
	var data struct {
		Institution struct {
			ID, Name, Kind string
			ShortName      *string
			Ukprn          *string
			Region         *string
			Version        int
			Sites          []struct {
				Name                string
				Latitude, Longitude float64
			}
			Services     []struct{ Name string }
			Partnerships []struct {
				Role        string
				Partnership struct{ Name string }
			}
		}
	}
	a.query(`query($id: ID!) { institution(id: $id) {
		id name shortName kind ukprn region version
		sites { name latitude longitude }
		services { name }
		partnerships { role partnership { name } }
	} }`, map[string]any{"id": institutionID("ljmu")}, &data)
	inst := data.Institution
	if inst.Name != "Liverpool John Moores University" || inst.Kind != "HIGHER_EDUCATION_PROVIDER" {
		t.Errorf("got %s (%s)", inst.Name, inst.Kind)
	}
	if inst.ID != institutionID("ljmu") || inst.Version != 1 {
		t.Errorf("id %s version %d", inst.ID, inst.Version)
	}
	if inst.Region == nil || *inst.Region != "NORTH_WEST" {
		t.Errorf("region = %v, want NORTH_WEST", inst.Region)
	}
	if len(inst.Sites) == 0 || len(inst.Services) == 0 {
		t.Errorf("LJMU should have sites and services: %+v", inst)
	}
	for _, s := range inst.Sites {
		if s.Latitude < 53.3 || s.Latitude > 53.5 || s.Longitude < -3.1 || s.Longitude > -2.8 {
			t.Errorf("site %s is not in Liverpool: %f,%f", s.Name, s.Latitude, s.Longitude)
		}
	}
	inLiverpool := slices.ContainsFunc(inst.Partnerships, func(p struct {
		Role        string
		Partnership struct{ Name string }
	}) bool {
		return strings.Contains(p.Partnership.Name, "Liverpool") && p.Role != ""
	})
	if !inLiverpool {
		t.Errorf("LJMU should be a member of the Liverpool partnership: %+v", inst.Partnerships)
	}
}

func TestNodeFetchesEveryType(t *testing.T) {
	a := newAPI(t)
	var list struct {
		Partnerships struct {
			Edges []struct {
				Node struct {
					ID      string
					Forums  []struct{ ID string }
					Members []struct {
						Institution struct {
							ID       string
							Sites    []struct{ ID string }
							Services []struct{ ID string }
						}
					}
				}
			}
		}
	}
	a.query(`{ partnerships { edges { node { id forums { id } members { institution { id sites { id } services { id } } } } } } }`, nil, &list)
	ids := map[string]string{}
	for _, e := range list.Partnerships.Edges {
		ids[e.Node.ID] = "Partnership"
		for _, f := range e.Node.Forums {
			ids[f.ID] = "GovernanceForum"
		}
		for _, m := range e.Node.Members {
			ids[m.Institution.ID] = "Institution"
			for _, s := range m.Institution.Sites {
				ids[s.ID] = "Site"
			}
			for _, s := range m.Institution.Services {
				ids[s.ID] = "Service"
			}
		}
	}
	seen := map[string]bool{}
	for id, typ := range ids {
		var data struct {
			Node struct {
				Typename string `json:"__typename"`
				ID       string
			}
		}
		a.query(`query($id: ID!) { node(id: $id) { __typename id } }`, map[string]any{"id": id}, &data)
		if data.Node.Typename != typ || data.Node.ID != id {
			t.Errorf("node(%s) = %+v, want a %s with the same ID", id, data.Node, typ)
		}
		seen[typ] = true
	}
	for _, typ := range []string{"Partnership", "GovernanceForum", "Institution", "Site", "Service"} {
		if !seen[typ] {
			t.Errorf("no %s reached from the partnerships to test node() with", typ)
		}
	}
}

type institutionPage struct {
	Institutions struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage, HasPreviousPage bool
			EndCursor                    *string
		}
		Edges []struct {
			Cursor string
			Node   struct{ Name, Kind string }
		}
	}
}

func TestInstitutionsPageThroughPartnership(t *testing.T) {
	a := newAPI(t)
	var members []string
	var after *string
	total := -1
	for page := 0; ; page++ {
		var data institutionPage
		a.query(`query($p: ID, $after: String) {
			institutions(filter: {partnershipId: $p}, first: 2, after: $after) {
				totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { name } }
			} }`, map[string]any{"p": partnershipID("liverpool"), "after": after}, &data)
		c := data.Institutions
		total = c.TotalCount
		if (page > 0) != c.PageInfo.HasPreviousPage {
			t.Errorf("page %d: hasPreviousPage = %v", page, c.PageInfo.HasPreviousPage)
		}
		for _, e := range c.Edges {
			members = append(members, e.Node.Name)
		}
		if !c.PageInfo.HasNextPage {
			break
		}
		if page > 20 {
			t.Fatal("paging does not end")
		}
		after = c.PageInfo.EndCursor
	}
	want := a.dbIDs(`SELECT institution_id FROM partnership_members WHERE partnership_id = $1`, mustUUID(t, "partnerships", "liverpool"))
	if len(members) != len(want) || total != len(want) {
		t.Errorf("paged %d members, totalCount %d; the database has %d", len(members), total, len(want))
	}
	if !sort.SliceIsSorted(members, func(i, j int) bool { return strings.ToLower(members[i]) < strings.ToLower(members[j]) }) {
		t.Errorf("members are not in name order: %v", members)
	}
	if len(slices.Compact(slices.Clone(members))) != len(members) {
		t.Errorf("a member appears twice: %v", members)
	}
}

func TestInstitutionsFilters(t *testing.T) {
	a := newAPI(t)
	names := func(filter map[string]any) []string {
		var data institutionPage
		a.query(`query($f: InstitutionFilter) { institutions(filter: $f, first: 100) { edges { node { name kind } } } }`,
			map[string]any{"f": filter}, &data)
		var out []string
		for _, e := range data.Institutions.Edges {
			out = append(out, e.Node.Name+"|"+e.Node.Kind)
		}
		return out
	}
	for _, text := range []string{"john moores", "LJMU", "Jon Moores"} {
		got := names(map[string]any{"text": text})
		if !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "Liverpool John Moores University|") }) {
			t.Errorf("text %q did not find LJMU: %v", text, got)
		}
	}
	for _, n := range names(map[string]any{"kinds": []string{"NHS_TRUST"}}) {
		if !strings.HasSuffix(n, "|NHS_TRUST") {
			t.Errorf("kinds filter let through %s", n)
		}
	}
	london := names(map[string]any{"region": "LONDON"})
	if !slices.ContainsFunc(london, func(s string) bool { return strings.HasPrefix(s, "University College London") }) ||
		slices.ContainsFunc(london, func(s string) bool { return strings.Contains(s, "Liverpool") }) {
		t.Errorf("region LONDON gave %v", london)
	}
}

type servicePage struct {
	Services struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Edges []serviceEdge
	}
}

type serviceEdge struct {
	DistanceKm *float64
	Node       servicePageNode
}

const servicesQuery = `query($f: ServiceFilter, $first: Int, $after: String) {
	services(filter: $f, first: $first, after: $after) {
		totalCount pageInfo { hasNextPage endCursor }
		edges { distanceKm node { id name careLevel needs accessRoutes openNow open24x7 institution { id name } partners { id } } }
	} }`

func (a *api) services(filter map[string]any) servicePage {
	a.t.Helper()
	var data servicePage
	a.query(servicesQuery, map[string]any{"f": filter, "first": 100}, &data)
	return data
}

func TestServicesTextSearchForgivesPunctuation(t *testing.T) {
	a := newAPI(t)
	for _, text := range []string{"ucope", "U-COPE", "u cope", "self-harm therapy"} {
		got := a.services(map[string]any{"text": text}).Services.Edges
		if len(got) == 0 || got[0].Node.ID != serviceID("ucope") {
			var names []string
			for _, e := range got {
				names = append(names, e.Node.Name)
			}
			t.Errorf("text %q: first result should be U-COPE, got %v", text, names)
		}
	}
	if got := a.services(map[string]any{"text": "zzzzqqqq"}).Services; got.TotalCount != 0 || len(got.Edges) != 0 {
		t.Errorf("nonsense text matched %d services", got.TotalCount)
	}
}

func TestServicesNearComeNearestFirst(t *testing.T) {
	a := newAPI(t)
	// Liverpool city centre, 5 km.
	got := a.services(map[string]any{"near": map[string]any{"latitude": 53.4055, "longitude": -2.9773, "radiusKm": 5}}).Services
	if len(got.Edges) == 0 {
		t.Fatal("no services within 5 km of Liverpool city centre")
	}
	last := -1.0
	for _, e := range got.Edges {
		if e.DistanceKm == nil || *e.DistanceKm > 5 || *e.DistanceKm < last {
			t.Errorf("%s at %v km after %v km: want ascending distances within 5 km", e.Node.Name, e.DistanceKm, last)
			continue
		}
		last = *e.DistanceKm
		if strings.Contains(e.Node.Institution.Name, "Bristol") || strings.Contains(e.Node.Institution.Name, "London") {
			t.Errorf("%s of %s is not near Liverpool", e.Node.Name, e.Node.Institution.Name)
		}
	}
	if !slices.ContainsFunc(got.Edges, func(e serviceEdge) bool {
		return e.Node.Institution.ID == institutionID("uol")
	}) {
		t.Error("University of Liverpool services should be within 5 km of the city centre")
	}
	// Without a distance filter there is no distance.
	for _, e := range a.services(nil).Services.Edges {
		if e.DistanceKm != nil {
			t.Errorf("%s has a distance without a near filter", e.Node.Name)
		}
	}
}

func TestServicesFilters(t *testing.T) {
	a := newAPI(t)
	all := a.services(nil).Services.TotalCount
	check := func(name string, filter map[string]any, ok func(n servicePageNode) bool) {
		t.Helper()
		got := a.services(filter).Services
		if got.TotalCount == 0 || got.TotalCount >= all {
			t.Errorf("%s: %d of %d services; a filter should narrow the seeded directory but not empty it", name, got.TotalCount, all)
		}
		if got.TotalCount != len(got.Edges) {
			t.Errorf("%s: totalCount %d but %d edges", name, got.TotalCount, len(got.Edges))
		}
		for _, e := range got.Edges {
			if !ok(e.Node) {
				t.Errorf("%s: %s should not match", name, e.Node.Name)
			}
		}
	}
	check("needs", map[string]any{"needs": []string{"EATING_DISORDER", "PSYCHOSIS"}}, func(n servicePageNode) bool {
		return slices.Contains(n.Needs, "EATING_DISORDER") || slices.Contains(n.Needs, "PSYCHOSIS")
	})
	check("maxCareLevel", map[string]any{"maxCareLevel": 2}, func(n servicePageNode) bool { return n.CareLevel <= 2 })
	check("accessRoutes", map[string]any{"accessRoutes": []string{"WALK_IN"}}, func(n servicePageNode) bool {
		return slices.Contains(n.AccessRoutes, "WALK_IN")
	})
	ljmu := institutionID("ljmu")
	check("institutionId", map[string]any{"institutionId": ljmu}, func(n servicePageNode) bool {
		return n.Institution.ID == ljmu || slices.ContainsFunc(n.Partners, func(p struct{ ID string }) bool { return p.ID == ljmu })
	})
	liverpoolMembers := map[string]bool{}
	for _, id := range a.dbIDs(`SELECT institution_id FROM partnership_members WHERE partnership_id = $1`, mustUUID(t, "partnerships", "liverpool")) {
		liverpoolMembers[graphID("Institution", id)] = true
	}
	check("partnershipId", map[string]any{"partnershipId": partnershipID("liverpool")}, func(n servicePageNode) bool {
		if liverpoolMembers[n.Institution.ID] {
			return true
		}
		return slices.ContainsFunc(n.Partners, func(p struct{ ID string }) bool { return liverpoolMembers[p.ID] })
	})
	check("combined", map[string]any{"needs": []string{"SELF_HARM"}, "partnershipId": partnershipID("liverpool"), "maxCareLevel": 4},
		func(n servicePageNode) bool { return slices.Contains(n.Needs, "SELF_HARM") && n.CareLevel <= 4 })
}

type servicePageNode = struct {
	ID, Name     string
	CareLevel    int
	Needs        []string
	AccessRoutes []string
	OpenNow      bool
	Open24x7     bool
	Institution  struct{ ID, Name string }
	Partners     []struct{ ID string }
}

// In the small hours of a Sunday only round-the-clock services are open; on
// a Tuesday morning the daytime services are open too.
func TestServicesOpenNow(t *testing.T) {
	sundayNight := time.Date(2026, 11, 22, 3, 0, 0, 0, store.UK)
	tuesdayMorning := time.Date(2026, 11, 24, 10, 30, 0, 0, store.UK)

	night := newAPI(t, store.WithClock(func() time.Time { return sundayNight }))
	open := night.services(map[string]any{"openNow": true}).Services
	closed := night.services(map[string]any{"openNow": false}).Services
	all := night.services(nil).Services.TotalCount
	if open.TotalCount+closed.TotalCount != all {
		t.Errorf("open %d + closed %d != all %d", open.TotalCount, closed.TotalCount, all)
	}
	samaritans := false
	for _, e := range open.Edges {
		if !e.Node.OpenNow {
			t.Errorf("%s listed as open now but its openNow is false", e.Node.Name)
		}
		samaritans = samaritans || strings.Contains(e.Node.Name, "Samaritans")
	}
	if !samaritans {
		t.Error("Samaritans should be open at 3am on a Sunday")
	}
	for _, e := range closed.Edges {
		if e.Node.OpenNow || e.Node.Open24x7 {
			t.Errorf("%s listed as closed but is open", e.Node.Name)
		}
	}

	morning := newAPI(t, store.WithClock(func() time.Time { return tuesdayMorning }))
	if got := morning.services(map[string]any{"openNow": true}).Services.TotalCount; got <= open.TotalCount {
		t.Errorf("%d services open on Tuesday morning, %d on Sunday night: daytime services should add to the count", got, open.TotalCount)
	}
	var ucope struct{ Service struct{ OpenNow bool } }
	morning.query(`query($id: ID!) { service(id: $id) { openNow } }`, map[string]any{"id": serviceID("mhas")}, &ucope)
	if !ucope.Service.OpenNow {
		t.Error("the University of Liverpool's advisory service should be open on a Tuesday at 10:30")
	}
}

func TestServicesPageByDistanceAndScore(t *testing.T) {
	a := newAPI(t)
	for name, filter := range map[string]map[string]any{
		"by name":     nil,
		"by score":    {"text": "mental health"},
		"by distance": {"near": map[string]any{"latitude": 53.4055, "longitude": -2.9773, "radiusKm": 300}},
	} {
		t.Run(name, func(t *testing.T) {
			whole := a.services(filter).Services
			var paged []string
			var after *string
			for range 100 {
				var data servicePage
				a.query(servicesQuery, map[string]any{"f": filter, "first": 3, "after": after}, &data)
				for _, e := range data.Services.Edges {
					paged = append(paged, e.Node.ID)
				}
				if !data.Services.PageInfo.HasNextPage {
					break
				}
				after = data.Services.PageInfo.EndCursor
			}
			if len(paged) != len(whole.Edges) || len(whole.Edges) < 4 {
				t.Fatalf("paged %d services in threes, %d in one page", len(paged), len(whole.Edges))
			}
			for i, e := range whole.Edges {
				if paged[i] != e.Node.ID {
					t.Fatalf("item %d differs between paging in threes and one page", i)
				}
			}
		})
	}
}

func TestPartnershipsWithMembersAndForums(t *testing.T) {
	a := newAPI(t)
	var data struct {
		Partnerships struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID, Name       string
					SharedOutcomes []string
					Members        []struct {
						Role        string
						Institution struct{ Name string }
					}
					Forums []struct{ Name, Cadence string }
				}
			}
		}
	}
	a.query(`{ partnerships(first: 100) { totalCount edges { node {
		id name sharedOutcomes members { role institution { name } } forums { name cadence }
	} } } }`, nil, &data)
	if data.Partnerships.TotalCount < 6 {
		t.Errorf("%d partnerships; the seed has Liverpool, Bristol, Greater Manchester, North London, Sheffield and Birmingham", data.Partnerships.TotalCount)
	}
	for _, e := range data.Partnerships.Edges {
		if e.Node.ID != partnershipID("liverpool") {
			continue
		}
		var members []string
		for _, m := range e.Node.Members {
			members = append(members, m.Institution.Name)
		}
		for _, want := range []string{"University of Liverpool", "Liverpool John Moores University", "Mersey Care NHS Foundation Trust"} {
			if !slices.Contains(members, want) {
				t.Errorf("Liverpool partnership lacks %s: %v", want, members)
			}
		}
		weekly := slices.ContainsFunc(e.Node.Forums, func(f struct{ Name, Cadence string }) bool { return f.Cadence == "WEEKLY" })
		if !weekly {
			t.Errorf("Liverpool should have a weekly MDT forum: %+v", e.Node.Forums)
		}
		return
	}
	t.Error("the Liverpool partnership is missing")
}

func TestContactPointsForPurpose(t *testing.T) {
	a := newAPI(t)
	var data struct {
		ContactPoints []struct {
			Role         string
			Succeeded    bool
			ContactPoint struct {
				Name, Visibility, Purpose string
				LastVerifiedAt            *string
				Stale                     bool
				Current                   bool
				Institution               struct{ ID string }
			}
		}
	}
	a.query(`query($id: ID!) { contactPoints(institutionId: $id, purpose: GENERAL_ENQUIRIES) {
		role succeeded contactPoint { name visibility purpose lastVerifiedAt stale current institution { id } }
	} }`, map[string]any{"id": institutionID("uol")}, &data)
	if len(data.ContactPoints) == 0 {
		t.Fatal("the University of Liverpool should have a public general enquiries contact")
	}
	if data.ContactPoints[0].Role != "PRIMARY" {
		t.Errorf("first contact is %s, want PRIMARY first", data.ContactPoints[0].Role)
	}
	for _, c := range data.ContactPoints {
		cp := c.ContactPoint
		if cp.Visibility != "PUBLIC" || cp.Purpose != "GENERAL_ENQUIRIES" || !cp.Current || cp.Institution.ID != institutionID("uol") {
			t.Errorf("unexpected contact %+v", cp)
		}
		if cp.LastVerifiedAt == nil && !cp.Stale {
			t.Errorf("%s was never verified but is not stale", cp.Name)
		}
	}
}

func mustUUID(t *testing.T, table, key string) any {
	t.Helper()
	return seedID(table, key)
}

var _ = context.Background

// When a nominated contact has left post, their successor answers in their
// place and their deputy after them; the person who left is not offered.
func TestContactPointsFollowSuccessor(t *testing.T) {
	a := newAPI(t)
	// The LJMU urgent-care contacts are PROFESSIONAL in the seed; make the
	// successor and deputy public so that an anonymous caller can see the
	// rule at work (sign-in comes later). The one who left stays hidden.
	if _, err := a.pool.Exec(context.Background(), `UPDATE contact_points SET visibility = 'PUBLIC' WHERE id = ANY($1)`,
		[]any{seedID("contact_points", "ljmu-urgent-care"), seedID("contact_points", "ljmu-wellbeing-duty")}); err != nil {
		t.Fatal(err)
	}
	var data struct {
		ContactPoints []struct {
			Role         string
			Succeeded    bool
			ContactPoint struct {
				ID      string
				Current bool
			}
		}
	}
	a.query(`query($id: ID!) { contactPoints(institutionId: $id, purpose: URGENT_CARE_NOTIFICATION) {
		role succeeded contactPoint { id current } } }`, map[string]any{"id": institutionID("ljmu")}, &data)
	got := data.ContactPoints
	if len(got) != 2 {
		t.Fatalf("want the successor then the deputy, got %+v", got)
	}
	if got[0].Role != "PRIMARY" || !got[0].Succeeded || got[0].ContactPoint.ID != id("ContactPoint", "contact_points", "ljmu-urgent-care") {
		t.Errorf("first answer should be the successor as PRIMARY, succeeded: %+v", got[0])
	}
	if got[1].Role != "DEPUTY" || got[1].ContactPoint.ID != id("ContactPoint", "contact_points", "ljmu-wellbeing-duty") {
		t.Errorf("second answer should be the deputy: %+v", got[1])
	}
	for _, c := range got {
		if !c.ContactPoint.Current {
			t.Errorf("%s is not in post", c.ContactPoint.ID)
		}
	}
}

func TestFirstDefaultsToTwenty(t *testing.T) {
	a := newAPI(t)
	var data institutionPage
	a.query(`{ institutions { totalCount pageInfo { hasNextPage } edges { cursor } } }`, nil, &data)
	if len(data.Institutions.Edges) != 20 || data.Institutions.TotalCount <= 20 || !data.Institutions.PageInfo.HasNextPage {
		t.Errorf("default page: %d edges of %d, hasNextPage %v; want 20 and more to follow",
			len(data.Institutions.Edges), data.Institutions.TotalCount, data.Institutions.PageInfo.HasNextPage)
	}
}
