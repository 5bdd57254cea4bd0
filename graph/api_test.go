package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waymark/waymark/graph"
	"github.com/waymark/waymark/seed"
	"github.com/waymark/waymark/store"
	"github.com/waymark/waymark/store/storetest"
)

// api is a Waymark GraphQL endpoint over its own freshly seeded database.
type api struct {
	t       *testing.T
	url     string
	pool    *pgxpool.Pool
	queries *queryCounter
}

// queryCounter counts the SQL statements sent to the database.
type queryCounter struct{ n atomic.Int64 }

func (c *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (c *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// seeded is the template option every API test uses: migrated and seeded.
func seeded() storetest.Option { return storetest.WithData("seed-"+seed.Key(), seed.Load) }

func newAPI(t *testing.T, opts ...store.Option) *api {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(storetest.URL(t, seeded()))
	if err != nil {
		t.Fatal(err)
	}
	counter := &queryCounter{}
	cfg.ConnConfig.Tracer = counter
	pool := storetest.PoolFromConfig(t, cfg)
	h := graph.NewHandler(store.New(pool, opts...), graph.Options{Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &api{t: t, url: srv.URL, pool: pool, queries: counter}
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type response struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
	Raw    string
}

// code is the extensions.code of the only error, failing the test unless
// there is exactly one.
func (r response) code(t *testing.T) string {
	t.Helper()
	if len(r.Errors) != 1 {
		t.Fatalf("want exactly one error, got %s", r.Raw)
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// decode unmarshals data into v, failing on any error in the response.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %s", r.Raw)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decoding %s: %v", r.Raw, err)
	}
}

// post sends a GraphQL request as JSON, accepting application/json.
func (a *api) post(query string, vars map[string]any) response {
	a.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		a.t.Fatal(err)
	}
	return a.send(http.MethodPost, "", bytes.NewReader(body), "application/json")
}

// query runs a query that must succeed and decodes its data into v.
func (a *api) query(query string, vars map[string]any, v any) {
	a.t.Helper()
	a.post(query, vars).decode(a.t, v)
}

func (a *api) send(method, rawQuery string, body io.Reader, accept string) response {
	a.t.Helper()
	req, err := http.NewRequest(method, a.url+"?"+rawQuery, body)
	if err != nil {
		a.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	r := response{Status: res.StatusCode, Raw: string(raw)}
	if err := json.Unmarshal(raw, &r); err != nil {
		a.t.Fatalf("response is not JSON (%d): %s", res.StatusCode, raw)
	}
	return r
}

// id is the global ID of a seeded record.
func id(typ, table, key string) string { return graph.GlobalID(typ, seed.ID(table, key)) }

func institutionID(key string) string { return id("Institution", "institutions", key) }
func serviceID(key string) string     { return id("Service", "services", key) }
func partnershipID(key string) string { return id("Partnership", "partnerships", key) }

// dbIDs runs a query returning UUIDs directly against the test database.
func (a *api) dbIDs(sql string, args ...any) []uuid.UUID {
	a.t.Helper()
	rows, _ := a.pool.Query(context.Background(), sql, args...)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		a.t.Fatal(err)
	}
	return ids
}

// assertNoLeak fails if any error message carries internal detail.
func assertNoLeak(t *testing.T, r response) {
	t.Helper()
	for _, e := range r.Errors {
		for _, bad := range []string{"SQL", "sql", "pgx", "pq:", "goroutine", "panic", "runtime", "nil pointer", ".go:", "SELECT", "duplicate key"} {
			if strings.Contains(e.Message, bad) {
				t.Errorf("error message leaks internal detail %q: %s", bad, e.Message)
			}
		}
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func decodeRecorded(t *testing.T, rec *httptest.ResponseRecorder) response {
	t.Helper()
	r := response{Status: rec.Code, Raw: rec.Body.String()}
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatalf("response is not JSON: %s", rec.Body.String())
	}
	return r
}

func seedID(table, key string) uuid.UUID { return seed.ID(table, key) }

func graphID(typ string, id uuid.UUID) string { return graph.GlobalID(typ, id) }
