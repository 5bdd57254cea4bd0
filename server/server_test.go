package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waymark/waymark/migrations"
	"github.com/waymark/waymark/store/storetest"
)

// testDefaults are settings tests run with unless env gives others: no
// rate limit (tests send thousands of requests from one address), and a
// request deadline that a loaded machine running tests under -race does not
// reach by accident (the deadline's own tests set theirs).
var testDefaults = map[string]string{"WAYMARK_RATE_LIMIT": "0", "WAYMARK_REQUEST_TIMEOUT": "45s"}

// testConfig is the configuration env gives, over testDefaults.
func testConfig(t *testing.T, env map[string]string) config {
	t.Helper()
	cfg, err := loadConfig(func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return testDefaults[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// testRouter is the server's router with its verifier.
func testRouter(t *testing.T, cfg config, pool *pgxpool.Pool) http.Handler {
	t.Helper()
	v, err := newVerifier(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return newRouter(cfg, pool, v, slog.New(slog.DiscardHandler))
}

func get(t *testing.T, h http.Handler, path string) (int, map[string]any, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body := rec.Body.String()
	var v map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &v)
	return rec.Code, v, body
}

func TestHealthAndExplorer(t *testing.T) {
	h := testRouter(t, testConfig(t, nil), storetest.Pool(t))
	if code, v, _ := get(t, h, "/healthz"); code != 200 || v["status"] != "ok" {
		t.Errorf("/healthz: %d %v", code, v)
	}
	if code, v, _ := get(t, h, "/readyz"); code != 200 || v["status"] != "ready" {
		t.Errorf("/readyz on a migrated database: %d %v", code, v)
	}
	code, _, body := get(t, h, "/")
	if code != 200 || !strings.Contains(body, "/graphql") {
		t.Errorf("explorer: %d, page does not point at /graphql", code)
	}
}

// /readyz is not ready until the database's migrations are current.
func TestReadyzWaitsForMigrations(t *testing.T) {
	pool := storetest.Pool(t, storetest.Unmigrated())
	h := testRouter(t, testConfig(t, nil), pool)
	code, v, _ := get(t, h, "/readyz")
	if code != http.StatusServiceUnavailable || v["reason"] != "database migrations not current" {
		t.Errorf("/readyz before migrating: %d %v", code, v)
	}
	conn, err := pool.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := migrations.Migrate(context.Background(), conn.Conn()); err != nil {
		t.Fatal(err)
	}
	conn.Release()
	if code, v, _ := get(t, h, "/readyz"); code != 200 {
		t.Errorf("/readyz after migrating: %d %v", code, v)
	}
}

func TestReadyzWithoutDatabase(t *testing.T) {
	// A port nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	pool, err := pgxpool.New(context.Background(), "postgres://nobody@"+addr+"/none?connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	h := testRouter(t, testConfig(t, nil), pool)
	if code, v, _ := get(t, h, "/readyz"); code != http.StatusServiceUnavailable || v["reason"] != "database unreachable" {
		t.Errorf("/readyz without a database: %d %v", code, v)
	}
	if code, _, _ := get(t, h, "/healthz"); code != 200 {
		t.Errorf("/healthz should not depend on the database: %d", code)
	}
}

func TestOversizedBodyIsRefused(t *testing.T) {
	h := testRouter(t, testConfig(t, map[string]string{"WAYMARK_MAX_BODY_BYTES": "2048"}), storetest.Pool(t))
	body := `{"query": "{ partnerships { totalCount } }", "pad": "` + strings.Repeat("x", 4000) + `"}`
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "BAD_USER_INPUT") {
		t.Errorf("oversized body: %d %s", rec.Code, rec.Body.String())
	}
}

func TestConfigFromEnvironment(t *testing.T) {
	cfg := testConfig(t, map[string]string{"PORT": "9090", "WAYMARK_REVIEW_PERIOD_DAYS": "90", "WAYMARK_LOG_FORMAT": "json"})
	if cfg.Port != "9090" || cfg.ReviewPeriod != 90*24*time.Hour || cfg.LogFormat != "json" {
		t.Errorf("config = %+v", cfg)
	}
	if d := testConfig(t, nil); d.Port != "8080" {
		t.Errorf("default port %q, want 8080", d.Port)
	}
	for k, v := range map[string]string{
		"PORT": "eighty", "WAYMARK_LOG_LEVEL": "loud", "WAYMARK_LOG_FORMAT": "xml",
		"WAYMARK_REVIEW_PERIOD_DAYS": "0", "WAYMARK_COMPLEXITY_LIMIT": "5", "WAYMARK_MAX_BODY_BYTES": "x",
	} {
		if _, err := loadConfig(func(key string) string { return map[string]string{k: v}[key] }); err == nil {
			t.Errorf("%s=%q accepted", k, v)
		}
	}
}

// serve answers on PORT and returns cleanly when its context is cancelled
// (Ctrl-C in `make run`).
func TestServeStopsOnInterrupt(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	cfg := testConfig(t, map[string]string{"PORT": port, "DATABASE_URL": storetest.URL(t)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, slog.New(slog.DiscardHandler)) }()

	var res *http.Response
	for range 100 {
		if res, err = http.Get("http://127.0.0.1:" + port + "/healthz"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("server did not come up: %v", err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after interrupt", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after interrupt")
	}
}
