package graph_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/waymark/waymark/graph"
)

// Every kind of bad input gets one typed error, an empty answer for that
// field, HTTP 200 (a well-formed GraphQL request) and no internal detail.
func TestBadInputGetsTypedError(t *testing.T) {
	a := newAPI(t)
	unknownInstitution := graph.GlobalID("Institution", uuid.New())
	long := strings.Repeat("a", 10_000)
	cases := []struct {
		name, query string
		vars        map[string]any
		code        string
	}{
		{"malformed node id", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": "not-an-id"}, "BAD_USER_INPUT"},
		{"base64 of nonsense", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": "SW5zdGl0dXRpb246bm90LWEtdXVpZA"}, "BAD_USER_INPUT"},
		{"unknown node", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": unknownInstitution}, "NOT_FOUND"},
		{"unknown institution", `query($id: ID!) { institution(id: $id) { name } }`, map[string]any{"id": unknownInstitution}, "NOT_FOUND"},
		{"unknown service", `query($id: ID!) { service(id: $id) { name } }`, map[string]any{"id": graph.GlobalID("Service", uuid.New())}, "NOT_FOUND"},
		{"unknown partnership", `query($id: ID!) { partnership(id: $id) { name } }`, map[string]any{"id": graph.GlobalID("Partnership", uuid.New())}, "NOT_FOUND"},
		{"service id given as institution", `query($id: ID!) { institution(id: $id) { name } }`, map[string]any{"id": serviceID("ucope")}, "BAD_USER_INPUT"},
		{"malformed filter id", `{ services(filter: {institutionId: "x"}) { totalCount } }`, nil, "BAD_USER_INPUT"},
		{"bad cursor", `{ institutions(after: "garbage") { totalCount } }`, nil, "BAD_USER_INPUT"},
		{"first over 100", `{ institutions(first: 101) { totalCount } }`, nil, "BAD_USER_INPUT"},
		{"negative first", `{ services(first: -1) { totalCount } }`, nil, "BAD_USER_INPUT"},
		{"latitude out of range", `{ services(filter: {near: {latitude: 91, longitude: -2.9}}) { totalCount } }`, nil, "BAD_USER_INPUT"},
		{"longitude out of range", `{ services(filter: {near: {latitude: 53.4, longitude: -181}}) { totalCount } }`, nil, "BAD_USER_INPUT"},
		{"radius zero", `{ services(filter: {near: {latitude: 53.4, longitude: -2.9, radiusKm: 0}}) { totalCount } }`, nil, "BAD_USER_INPUT"},
		{"empty search text", `{ services(filter: {text: "  "}) { totalCount } }`, nil, "BAD_USER_INPUT"},
		{"huge search text", `query($t: String) { services(filter: {text: $t}) { totalCount } }`, map[string]any{"t": long}, "BAD_USER_INPUT"},
		{"huge institution search", `query($t: String) { institutions(filter: {text: $t}) { totalCount } }`, map[string]any{"t": long}, "BAD_USER_INPUT"},
		{"care level out of range", `{ services(filter: {maxCareLevel: 6}) { totalCount } }`, nil, "BAD_USER_INPUT"},
		{"contact points of malformed id", `{ contactPoints(institutionId: "x", purpose: SAFEGUARDING) { role } }`, nil, "BAD_USER_INPUT"},
		{"contact points of unknown institution", `query($id: ID!) { contactPoints(institutionId: $id, purpose: SAFEGUARDING) { role } }`, map[string]any{"id": unknownInstitution}, "NOT_FOUND"},
		{"unknown enum value", `{ contactPoints(institutionId: "x", purpose: TEA_AND_BISCUITS) { role } }`, nil, "BAD_USER_INPUT"},
		{"unknown field", `{ institutions { edges { node { favouriteColour } } } }`, nil, "BAD_USER_INPUT"},
		{"syntax error", `{ institutions { `, nil, "BAD_USER_INPUT"},
		{"variable of wrong type", `query($n: Int) { institutions(first: $n) { totalCount } }`, map[string]any{"n": "twenty"}, "BAD_USER_INPUT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := a.post(c.query, c.vars)
			if got := r.code(t); got != c.code {
				t.Errorf("code = %q, want %q (%s)", got, c.code, r.Raw)
			}
			if r.Status != http.StatusOK {
				t.Errorf("HTTP status = %d, want 200 for application/json", r.Status)
			}
			if r.Errors[0].Message == "" {
				t.Error("error has no message")
			}
			if strings.Contains(r.Raw, long[:200]) {
				t.Error("error echoes the 10,000-character input back")
			}
			assertNoLeak(t, r)
		})
	}
}

func TestCursorFromAnotherListIsRefused(t *testing.T) {
	a := newAPI(t)
	var page struct {
		Institutions struct{ PageInfo struct{ EndCursor string } }
	}
	a.query(`{ institutions(first: 1) { pageInfo { endCursor } } }`, nil, &page)
	r := a.post(`query($after: String) { services(after: $after) { totalCount } }`,
		map[string]any{"after": page.Institutions.PageInfo.EndCursor})
	if got := r.code(t); got != "BAD_USER_INPUT" {
		t.Errorf("code = %q, want BAD_USER_INPUT", got)
	}
}

// Requests that are not GraphQL at all, or do not validate, get the status
// codes of the GraphQL-over-HTTP specification.
func TestRequestErrorsFollowGraphQLOverHTTP(t *testing.T) {
	a := newAPI(t)

	t.Run("body is not JSON", func(t *testing.T) {
		r := a.send(http.MethodPost, "", strings.NewReader(`{"query": "{ partnerships { totalCount } }"`), "application/json")
		if r.Status != http.StatusBadRequest {
			t.Errorf("status = %d, want 400", r.Status)
		}
		if got := r.code(t); got != "BAD_USER_INPUT" {
			t.Errorf("code = %q", got)
		}
		if strings.Contains(r.Errors[0].Message, "partnerships") {
			t.Errorf("message echoes the body: %s", r.Errors[0].Message)
		}
	})

	invalid := `{"query": "{ nonsense }"}`
	t.Run("invalid document, application/json", func(t *testing.T) {
		r := a.send(http.MethodPost, "", strings.NewReader(invalid), "application/json")
		if r.Status != http.StatusOK {
			t.Errorf("status = %d, want 200", r.Status)
		}
		if got := r.code(t); got != "BAD_USER_INPUT" {
			t.Errorf("code = %q", got)
		}
	})
	t.Run("invalid document, application/graphql-response+json", func(t *testing.T) {
		r := a.send(http.MethodPost, "", strings.NewReader(invalid), "application/graphql-response+json")
		if r.Status != http.StatusBadRequest {
			t.Errorf("status = %d, want 400", r.Status)
		}
		if got := r.code(t); got != "BAD_USER_INPUT" {
			t.Errorf("code = %q", got)
		}
	})
	t.Run("field error, application/graphql-response+json", func(t *testing.T) {
		body := `{"query": "{ institutions(first: 500) { totalCount } }"}`
		r := a.send(http.MethodPost, "", strings.NewReader(body), "application/graphql-response+json")
		if r.Status != http.StatusOK {
			t.Errorf("status = %d, want 200 (a field error is a partial response)", r.Status)
		}
		if got := r.code(t); got != "BAD_USER_INPUT" {
			t.Errorf("code = %q", got)
		}
	})
}

func TestGETServesQueries(t *testing.T) {
	a := newAPI(t)
	q := url.Values{"query": {`{ partnerships { totalCount } }`}}
	r := a.send(http.MethodGet, q.Encode(), nil, "")
	var data struct{ Partnerships struct{ TotalCount int } }
	r.decode(t, &data)
	if r.Status != http.StatusOK || data.Partnerships.TotalCount < 6 {
		t.Errorf("GET: status %d, %d partnerships; want 200 and the six seeded partnerships", r.Status, data.Partnerships.TotalCount)
	}
}

// A panic inside a resolver is reported as INTERNAL with nothing of the
// panic in the message, and the same handler goes on serving.
func TestPanicIsInternalAndServerKeepsServing(t *testing.T) {
	// A handler without a store panics (nil dereference) in any resolver
	// that reaches the database.
	h := graph.NewHandler(nil, graph.Options{Logger: slog.New(slog.DiscardHandler)})
	do := func(query string) response {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader([]byte(`{"query":`+quote(query)+`}`)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return decodeRecorded(t, rec)
	}
	q := `{ contactPoints(institutionId: "` + institutionID("ljmu") + `", purpose: SAFEGUARDING) { role } }`
	r := do(q)
	if got := r.code(t); got != "INTERNAL" {
		t.Fatalf("code = %q, want INTERNAL: %s", got, r.Raw)
	}
	assertNoLeak(t, r)
	r = do(`{ __typename }`)
	if len(r.Errors) != 0 || !strings.Contains(string(r.Data), "Query") {
		t.Errorf("after a panic the handler should still answer: %s", r.Raw)
	}
}

func TestTooComplexQueryIsRefused(t *testing.T) {
	a := newAPI(t)
	r := a.post(`{ institutions(first: 100) { edges { node { services { name contactPoints { name email phone institution { name services { name description } } } } } } } }`, nil)
	if got := r.code(t); got != "QUERY_TOO_COMPLEX" {
		t.Errorf("code = %q, want QUERY_TOO_COMPLEX: %s", got, r.Raw)
	}
}

// GET may only run queries: a mutation sent with GET is refused with 405
// and a typed error, and changes nothing.
func TestGETRefusesMutations(t *testing.T) {
	a := newAPI(t)
	q := url.Values{"query": {`mutation { retireService(id: "` + serviceID("ucope") + `", expectedVersion: 1, reason: "x") { version } }`}}
	r := a.send(http.MethodGet, q.Encode(), nil, "")
	if r.Status != http.StatusMethodNotAllowed {
		t.Errorf("status = %d, want 405", r.Status)
	}
	if got := r.code(t); got != "BAD_USER_INPUT" {
		t.Errorf("code = %q", got)
	}
	var data struct{ Service struct{ Version int } }
	a.query(`query($id: ID!) { service(id: $id) { version } }`, map[string]any{"id": serviceID("ucope")}, &data)
	if data.Service.Version != 1 {
		t.Errorf("the service changed: version %d", data.Service.Version)
	}
}
