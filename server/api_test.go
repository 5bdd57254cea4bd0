package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waymark/waymark/graph"
	"github.com/waymark/waymark/seed"
	"github.com/waymark/waymark/store/storetest"
)

// apiServer is the whole Waymark HTTP server (router, sign-in, GraphQL) over
// its own freshly seeded database, for tests that go through HTTP with real
// tokens.
type apiServer struct {
	t    *testing.T
	URL  string
	Pool *pgxpool.Pool
	cfg  config
}

func newAPIServer(t *testing.T) *apiServer {
	t.Helper()
	pool := storetest.Pool(t, storetest.WithData("seed-"+seed.Key(), seed.Load))
	cfg := testConfig(t, nil)
	srv := httptest.NewServer(testRouter(t, cfg, pool))
	t.Cleanup(srv.Close)
	return &apiServer{t: t, URL: srv.URL, Pool: pool, cfg: cfg}
}

// caller describes who signs in; the zero value is anonymous.
type caller struct {
	Role         string   // professional, lead, admin; "" anonymous
	Name         string   // display name
	Subject      string   // default "test-<role>"
	Partnerships []string // seed keys, e.g. "liverpool"
	Institutions []string // seed keys, e.g. "ljmu"
}

var anonymous = caller{}

// token signs a development token for c.
func (s *apiServer) token(c caller) string {
	s.t.Helper()
	if c.Role == "" {
		return ""
	}
	if c.Subject == "" {
		c.Subject = "test-" + c.Role
	}
	now := time.Now()
	ps, err := seededIDs("Partnership", "partnerships", c.Partnerships)
	if err != nil {
		s.t.Fatal(err)
	}
	is, err := seededIDs("Institution", "institutions", c.Institutions)
	if err != nil {
		s.t.Fatal(err)
	}
	tok, err := devToken(s.cfg, Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject: c.Subject, Issuer: s.cfg.JWTIssuer, Audience: jwt.ClaimStrings{s.cfg.JWTAudience},
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
		},
		Name: c.Name, Role: c.Role,
		Partnerships: ps,
		Institutions: is,
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return tok
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
	Raw    string
}

// code is the extensions.code of the only error; it fails the test unless
// there is exactly one error.
func (r gqlResponse) code(t *testing.T) string {
	t.Helper()
	if len(r.Errors) != 1 {
		t.Fatalf("want exactly one error, got %s", r.Raw)
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// decode unmarshals data into v, failing on any error.
func (r gqlResponse) decode(t *testing.T, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %s", r.Raw)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decoding %s: %v", r.Raw, err)
	}
}

// do posts a GraphQL request as c, with an explicit Authorization header
// value when rawAuth is not empty.
func (s *apiServer) do(c caller, query string, vars map[string]any) gqlResponse {
	s.t.Helper()
	auth := ""
	if tok := s.token(c); tok != "" {
		auth = "Bearer " + tok
	}
	return s.doAuth(auth, query, vars)
}

// doAuth posts a GraphQL request with the given Authorization header ("" for none).
func (s *apiServer) doAuth(auth, query string, vars map[string]any) gqlResponse {
	s.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		s.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := gqlResponse{Status: res.StatusCode, Raw: string(raw)}
	if err := json.Unmarshal(raw, &r); err != nil {
		s.t.Fatalf("response is not JSON (%d): %s", res.StatusCode, raw)
	}
	return r
}

// query runs a request as c that must succeed, decoding data into v.
func (s *apiServer) query(c caller, query string, vars map[string]any, v any) {
	s.t.Helper()
	s.do(c, query, vars).decode(s.t, v)
}

// id is the global ID of a seeded record: id("Service", "services", "ucope").
func id(typ, table, key string) string { return graph.GlobalID(typ, seed.ID(table, key)) }

// count runs a counting SQL query against the test database.
func (s *apiServer) count(sql string, args ...any) int {
	s.t.Helper()
	var n int
	if err := s.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}
