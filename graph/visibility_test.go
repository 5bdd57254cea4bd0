package graph_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// hiddenValues are the details of every contact point that is not PUBLIC and
// that appear nowhere public (so finding one in a response is a leak).
func (a *api) hiddenValues() []string {
	a.t.Helper()
	rows, _ := a.pool.Query(context.Background(), `
		WITH hidden AS (
			SELECT unnest(ARRAY[email, phone, out_of_hours_phone, out_of_hours_email,
				CASE WHEN kind = 'PERSON' THEN name END]) AS v
			FROM contact_points WHERE visibility <> 'PUBLIC'),
		public AS (
			SELECT unnest(ARRAY[email, phone, out_of_hours_phone, out_of_hours_email, name]) AS v
			FROM contact_points WHERE visibility = 'PUBLIC'
			UNION ALL SELECT unnest(ARRAY[email, phone, name]) FROM services)
		SELECT DISTINCT v FROM hidden WHERE v IS NOT NULL AND v NOT IN (SELECT v FROM public WHERE v IS NOT NULL)`)
	vals, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		a.t.Fatal(err)
	}
	if len(vals) < 10 {
		a.t.Fatalf("only %d hidden contact details in the seed; the test needs PROFESSIONAL and PARTNERSHIP contacts to look for", len(vals))
	}
	return vals
}

const contactFields = `id name jobTitle email phone outOfHoursPhone outOfHoursEmail outOfHoursInstructions notes visibility
	deputy { name email phone visibility } successor { name email phone visibility }`

// An anonymous caller (a student) never receives a contact detail that is not
// PUBLIC, by any path: nested lists, references, aliases, node(id) and the
// contactPoints query.
func TestAnonymousSeesOnlyPublicContactPoints(t *testing.T) {
	a := newAPI(t)
	hidden := a.hiddenValues()
	check := func(path string, r response) {
		t.Helper()
		for _, v := range hidden {
			if strings.Contains(r.Raw, v) {
				t.Errorf("%s: anonymous response contains non-public contact detail %q", path, v)
			}
		}
		if strings.Contains(r.Raw, `"PROFESSIONAL"`) || strings.Contains(r.Raw, `"PARTNERSHIP"`) {
			t.Errorf("%s: anonymous response contains a non-public contact point", path)
		}
	}

	// Nested lists and references, page by page.
	sawPublic := false
	for _, q := range []string{
		`institutions(first: 10, after: $after) { pageInfo { hasNextPage endCursor } edges { node { contactPoints { ` + contactFields + ` } } } }`,
		`institutions(first: 5, after: $after) { pageInfo { hasNextPage endCursor } edges { node { services { contactPoints { ` + contactFields + ` } outOfHoursService { contactPoints { ` + contactFields + ` } } } } } }`,
		`institutions(first: 10, after: $after) { pageInfo { hasNextPage endCursor } edges { node { partnerships { partnership { leads { ` + contactFields + ` } } } } } }`,
		`services(first: 20, after: $after) { pageInfo { hasNextPage endCursor } edges { node { contactPoints { ` + contactFields + ` } } } }`,
		`partnerships(first: 20, after: $after) { pageInfo { hasNextPage endCursor } edges { node { leads { ` + contactFields + ` } } } }`,
	} {
		var after *string
		for page := 0; ; page++ {
			r := a.post(`query($after: String) { list: `+q+` }`, map[string]any{"after": after})
			var data struct {
				List struct {
					PageInfo struct {
						HasNextPage bool
						EndCursor   *string
					}
				}
			}
			r.decode(t, &data)
			check("nested lists", r)
			sawPublic = sawPublic || strings.Contains(r.Raw, `"PUBLIC"`)
			if !data.List.PageInfo.HasNextPage || page > 100 {
				break
			}
			after = data.List.PageInfo.EndCursor
		}
	}
	if !sawPublic {
		t.Error("no PUBLIC contact points at all; the test would pass vacuously")
	}

	// The contactPoints query for every institution and purpose, as aliases
	// in one request.
	var insts struct {
		Institutions struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	a.query(`{ institutions(first: 100) { edges { node { id } } } }`, nil, &insts)
	purposes := []string{"URGENT_CARE_NOTIFICATION", "DISCHARGE_NOTIFICATION", "MDT_REFERRAL", "SAFEGUARDING",
		"STUDENT_LIAISON", "DISABILITY_SUPPORT", "FITNESS_TO_STUDY", "INTERNATIONAL_STUDENT_ADVICE",
		"PARTNERSHIP_LEAD", "GENERAL_ENQUIRIES"}
	for _, e := range insts.Institutions.Edges {
		var q strings.Builder
		q.WriteString("{")
		for i, p := range purposes {
			q.WriteString(" a" + strconv.Itoa(i) + `: contactPoints(institutionId: "` + e.Node.ID + `", purpose: ` + p + `) { role contactPoint { ` + contactFields + ` } }`)
		}
		q.WriteString(" }")
		r := a.post(q.String(), nil)
		if len(r.Errors) > 0 {
			t.Fatalf("errors: %s", r.Raw)
		}
		check("contactPoints aliases", r)
	}

	// node(id) on every non-public contact point is NOT_FOUND, exactly as for
	// an ID that does not exist.
	ids := a.dbIDs(`SELECT id FROM contact_points WHERE visibility <> 'PUBLIC'`)
	for _, id := range ids {
		r := a.post(`query($id: ID!) { node(id: $id) { ... on ContactPoint { `+contactFields+` } } }`,
			map[string]any{"id": graphID("ContactPoint", id)})
		if got := r.code(t); got != "NOT_FOUND" {
			t.Errorf("node(hidden contact point): code %q, want NOT_FOUND", got)
		}
		check("node(id)", r)
	}
	// Services that are not public (the Liverpool MDT is for professionals)
	// are absent from lists, nested fields and node(id) alike.
	hiddenServices := a.dbIDs(`SELECT id FROM services WHERE visibility <> 'PUBLIC'`)
	if len(hiddenServices) == 0 {
		t.Fatal("the seed has no non-public service to look for")
	}
	for _, id := range hiddenServices {
		r := a.post(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": graphID("Service", id)})
		if got := r.code(t); got != "NOT_FOUND" {
			t.Errorf("node(hidden service): code %q, want NOT_FOUND", got)
		}
		r = a.post(`query($id: ID!) { service(id: $id) { name } }`, map[string]any{"id": graphID("Service", id)})
		if got := r.code(t); got != "NOT_FOUND" {
			t.Errorf("service(hidden service): code %q, want NOT_FOUND", got)
		}
	}
	hiddenName := a.dbIDs(`SELECT id FROM services WHERE visibility <> 'PUBLIC'`)[0]
	for _, q := range []string{
		`{ services(first: 100) { edges { node { id visibility } } } }`,
		`{ services(first: 100, filter: {text: "MDT multidisciplinary"}) { edges { node { id visibility } } } }`,
		`{ institutions(first: 100) { edges { node { services { id visibility } } } } }`,
	} {
		r := a.post(q, nil)
		if len(r.Errors) > 0 || strings.Contains(r.Raw, graphID("Service", hiddenName)) || strings.Contains(r.Raw, `"PROFESSIONAL"`) {
			t.Errorf("%s: anonymous sees a non-public service: %.300s", q, r.Raw)
		}
	}

	// A public one is found.
	public := a.dbIDs(`SELECT id FROM contact_points WHERE visibility = 'PUBLIC' LIMIT 1`)
	var node struct{ Node struct{ Visibility string } }
	a.query(`query($id: ID!) { node(id: $id) { ... on ContactPoint { visibility } } }`,
		map[string]any{"id": graphID("ContactPoint", public[0])}, &node)
	if node.Node.Visibility != "PUBLIC" {
		t.Errorf("public contact point by node(id): %+v", node)
	}
}
