package main

// Abuse tests about time: a change blocked by a row lock, writes that must
// not starve reads, a statement stopped at the request's deadline or by
// statement_timeout, a client that goes away, and /readyz when the database
// is busy, slow or unreachable. Each runs the whole server (openPool's real
// pool and session settings, the router) behind httptest.NewServer on a
// freshly seeded database, and asserts the status, the code, that nothing
// internal leaks, and that the time taken is bounded.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waymark/waymark/seed"
	"github.com/waymark/waymark/store/storetest"
)

// timeServer is the whole server over its own seeded database, with the
// server's own pool (openPool) and a second pool for the test's own
// transactions, and the server's log.
type timeServer struct {
	*apiServer
	pool  *pgxpool.Pool // the server's
	other *pgxpool.Pool // the test's
	logs  *syncBuffer
}

func newTimeServer(t *testing.T, env map[string]string) *timeServer {
	t.Helper()
	url := storetest.URL(t, storetest.WithData("seed-"+seed.Key(), seed.Load))
	full := map[string]string{"DATABASE_URL": url}
	for k, v := range env {
		full[k] = v
	}
	cfg := testConfig(t, full)
	pool, err := openPool(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	other, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	v, err := newVerifier(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv := httptest.NewServer(newRouter(cfg, pool, v, log))
	t.Cleanup(srv.Close)
	return &timeServer{apiServer: &apiServer{t: t, URL: srv.URL, Pool: other, cfg: cfg}, pool: pool, other: other, logs: logs}
}

// hold runs sql (a lock) in a transaction of the test's own, which stays
// open until the returned function is called (or the test ends).
func (s *timeServer) hold(sql string, args ...any) (release func()) {
	s.t.Helper()
	ctx := context.Background()
	tx, err := s.other.Begin(ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, sql, args...); err != nil {
		s.t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(func() { _ = tx.Rollback(ctx) }) }
	s.t.Cleanup(release)
	return release
}

// running counts the statements still running in the test's database, other
// than the asking one (the test's lock-holding transaction is idle).
func (s *timeServer) running() int {
	return s.count(`SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'`)
}

// noneRunningWithin fails unless no statement is still running within d.
func (s *timeServer) noneRunningWithin(d time.Duration) time.Duration {
	s.t.Helper()
	start := time.Now()
	for {
		n := s.running()
		if n == 0 {
			return time.Since(start)
		}
		if time.Since(start) > d {
			s.t.Fatalf("%d statements still running in PostgreSQL %s after the request ended", n, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logLines are the server's log lines containing what.
func (s *timeServer) logLines(what string) []string {
	var out []string
	for _, l := range strings.Split(s.logs.String(), "\n") {
		if strings.Contains(l, what) {
			out = append(out, l)
		}
	}
	return out
}

// stoppedOnce checks the server logged the stopped request exactly once, at
// info, for reason, and logged no error at all.
func (s *timeServer) stoppedOnce(reason string) {
	s.t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for len(s.logLines("request stopped")) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // the handler may still be returning
	}
	lines := s.logLines("request stopped")
	if len(lines) != 1 {
		s.t.Fatalf("want one \"request stopped\" line, got %d:\n%s", len(lines), s.logs.String())
	}
	if !strings.Contains(lines[0], "level=INFO") || !strings.Contains(lines[0], reason) {
		s.t.Errorf("stopped request logged as %q; want level INFO and reason %q", lines[0], reason)
	}
	if errs := s.logLines("level=ERROR"); len(errs) > 0 {
		s.t.Errorf("%d ERROR lines for a stopped request, e.g. %s", len(errs), errs[0])
	}
}

// timeLeakWords must never reach a client: SQL, driver and PostgreSQL
// detail, stack traces.
var timeLeakWords = []string{"SQLSTATE", "55P03", "57014", "SELECT", "FOR UPDATE", "pgx", "pgconn", "postgres",
	"canceling statement", "lock timeout", "context deadline", "context canceled", "goroutine", ".go:", "schema_version"}

func noTimeLeak(t *testing.T, body string) {
	t.Helper()
	for _, w := range timeLeakWords {
		if strings.Contains(body, w) {
			t.Errorf("response leaks %q: %s", w, body)
		}
	}
}

// codes are the extensions.code of every error of r.
func codes(r gqlResponse) map[string]int {
	out := map[string]int{}
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		out[c]++
	}
	return out
}

const renameLJMU = `mutation($id: ID!, $v: Int!, $name: String!) {
	updateInstitution(id: $id, expectedVersion: $v, input: {name: $name}) { id version } }`

// version is the current version of a seeded institution.
func (s *timeServer) version(key string) int {
	return s.count(`SELECT version FROM institutions WHERE id = $1`, seed.ID("institutions", key))
}

// A change to a record that another transaction holds (SELECT … FOR
// UPDATE) fails at lock_timeout (2 s by default) with CONFLICT and a
// sentence a person understands, not after the other transaction ends (44 s
// and more before), and nothing changes.
func TestAbuseRowLockedMutationFailsAtLockTimeout(t *testing.T) {
	s := newTimeServer(t, nil)
	v := s.version("ljmu")
	s.hold(`SELECT 1 FROM institutions WHERE id = $1 FOR UPDATE`, seed.ID("institutions", "ljmu"))

	start := time.Now()
	r := s.do(admin, renameLJMU, map[string]any{"id": institutionID("ljmu"), "v": v, "name": "Renamed"})
	took := time.Since(start)
	if r.Status != http.StatusOK || r.code(t) != "CONFLICT" {
		t.Fatalf("blocked change: %d %s; want 200 CONFLICT", r.Status, r.Raw)
	}
	if msg := r.Errors[0].Message; !strings.Contains(msg, "Someone else is changing this record") {
		t.Errorf("message %q does not say someone else is changing the record", msg)
	}
	if _, ok := r.Errors[0].Extensions["currentVersion"]; ok {
		t.Errorf("currentVersion given while the other change is unfinished: %s", r.Raw)
	}
	noTimeLeak(t, r.Raw)
	if took < defaultDBLockTimeout || took > defaultDBLockTimeout+1500*time.Millisecond {
		t.Errorf("blocked change answered after %s; want at lock_timeout (%s)", took, defaultDBLockTimeout)
	}
	if got := s.version("ljmu"); got != v {
		t.Errorf("version changed from %d to %d", v, got)
	}
	if errs := s.logLines("level=ERROR"); len(errs) > 0 {
		t.Errorf("a lock timeout was logged as an error: %s", errs[0])
	}
	t.Logf("blocked change answered CONFLICT after %s", took.Round(time.Millisecond))
}

// Anonymous reads carry on, fast, while more changes than the pool has
// connections are blocked on a locked row: changes beyond the write limit
// are refused as busy (TIMEOUT) after the acquire timeout, the others fail
// at lock_timeout (CONFLICT), and none takes a connection reads need.
// (lock_timeout counts each lock wait: a change queued behind another for
// the same row may wait twice, and the request's deadline bounds it.)
func TestAbuseReadsCarryOnWhileWritesAreBlocked(t *testing.T) {
	s := newTimeServer(t, map[string]string{"WAYMARK_DB_ACQUIRE_TIMEOUT": "500ms"})
	v := s.version("ljmu")
	release := s.hold(`SELECT 1 FROM institutions WHERE id = $1 FOR UPDATE`, seed.ID("institutions", "ljmu"))

	writers := defaultDBMaxConns + 2 // more than the whole pool
	type result struct {
		r    gqlResponse
		took time.Duration
	}
	results := make(chan result, writers)
	start := time.Now()
	for i := range writers {
		go func() {
			r := s.do(admin, renameLJMU, map[string]any{"id": institutionID("ljmu"), "v": v, "name": fmt.Sprint("Renamed ", i)})
			results <- result{r, time.Since(start)}
		}()
	}
	time.Sleep(200 * time.Millisecond) // let the writers take their slots

	var slowest, total time.Duration
	const reads = 20
	for range reads {
		t0 := time.Now()
		var d struct {
			Institutions struct{ TotalCount int } `json:"institutions"`
		}
		s.query(anonymous, `{ institutions(first: 5) { totalCount edges { node { name } } } }`, nil, &d)
		took := time.Since(t0)
		slowest, total = max(slowest, took), total+took
		if d.Institutions.TotalCount == 0 {
			t.Fatal("read while changes are blocked returned nothing")
		}
	}
	if slowest > time.Second {
		t.Errorf("slowest read while %d changes were blocked took %s", writers, slowest)
	}
	if res, err := http.Get(s.URL + "/readyz"); err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("/readyz while changes are blocked: %v %v", res, err)
	} else {
		res.Body.Close()
	}

	got := map[string]int{}
	var busyBy, took time.Duration
	for range writers {
		res := <-results
		r := res.r
		noTimeLeak(t, r.Raw)
		code := r.code(t)
		if r.Status != http.StatusOK || code != "CONFLICT" && code != "TIMEOUT" {
			t.Errorf("blocked change: %d %s; want 200 CONFLICT or TIMEOUT", r.Status, r.Raw)
		}
		if strings.Contains(r.Errors[0].Message, "busy") {
			code = "TIMEOUT (busy)"
			busyBy = max(busyBy, res.took)
		}
		got[code]++
		took = max(took, res.took)
	}
	release()
	slots := defaultDBMaxConns / 2
	if got["TIMEOUT (busy)"] != writers-slots || got["CONFLICT"] == 0 {
		t.Errorf("answers to %d blocked changes: %v; want %d busy (beyond the %d write slots) and the others CONFLICT",
			writers, got, writers-slots, slots)
	}
	if busyBy > time.Second {
		t.Errorf("changes beyond the write limit refused after %s; want at the acquire timeout (500ms)", busyBy)
	}
	if took > defaultRequestTimeout+time.Second {
		t.Errorf("the blocked changes took %s to be answered", took)
	}
	t.Logf("%d reads while %d changes were blocked: mean %s, slowest %s; changes answered %v, busy ones within %s, all within %s",
		reads, writers, (total / reads).Round(time.Microsecond), slowest.Round(time.Microsecond), got,
		busyBy.Round(time.Millisecond), took.Round(time.Millisecond))
}

// manyReads is a query of twenty root fields that each read the database.
var manyReads = func() string {
	var b strings.Builder
	b.WriteString("{")
	for i := range 20 {
		fmt.Fprintf(&b, " i%d: institutions(first: 1) { totalCount }", i)
	}
	return b.String() + " }"
}()

// stoppedReads sends manyReads while institutions is locked, and checks the
// answer: 200, every field TIMEOUT ("took too long"), nothing leaked, after
// at least after and at most 2 s; then that no statement is left running
// in PostgreSQL and that the server logged the request once, for reason.
func (s *timeServer) stoppedReads(after time.Duration, reason string) {
	t := s.t
	t.Helper()
	s.hold(`LOCK TABLE institutions IN ACCESS EXCLUSIVE MODE`)
	start := time.Now()
	r := s.do(anonymous, manyReads, nil)
	took := time.Since(start)
	if r.Status != http.StatusOK || len(r.Errors) == 0 {
		t.Fatalf("stopped request: %d %s", r.Status, r.Raw)
	}
	if c := codes(r); c["TIMEOUT"] != len(r.Errors) {
		t.Errorf("codes %v; want TIMEOUT only", c)
	}
	if !strings.Contains(r.Errors[0].Message, "took too long") {
		t.Errorf("message %q", r.Errors[0].Message)
	}
	noTimeLeak(t, r.Raw)
	if took < after || took > 2*time.Second {
		t.Errorf("answered after %s; want soon after %s", took, after)
	}
	gone := s.noneRunningWithin(time.Second)
	s.stoppedOnce(reason)
	t.Logf("%d fields TIMEOUT after %s; statements gone %s later; one log line", len(r.Errors),
		took.Round(time.Millisecond), gone.Round(time.Millisecond))
}

// A request whose SQL is slow (here: waiting on a table another transaction
// has locked) is stopped at WAYMARK_REQUEST_TIMEOUT: every field still
// running is TIMEOUT, PostgreSQL is told to cancel its statements (none is
// left running), and the server logs one line at info, not one error per
// field.
func TestAbuseSlowStatementStopsAtDeadline(t *testing.T) {
	s := newTimeServer(t, map[string]string{"WAYMARK_REQUEST_TIMEOUT": "500ms",
		"WAYMARK_DB_STATEMENT_TIMEOUT": "0", "WAYMARK_DB_LOCK_TIMEOUT": "0"})
	s.stoppedReads(500*time.Millisecond, "ran out of time")
}

// A statement PostgreSQL stops at statement_timeout is TIMEOUT too, logged once.
func TestAbuseStatementTimeoutIsTimeout(t *testing.T) {
	s := newTimeServer(t, map[string]string{"WAYMARK_DB_STATEMENT_TIMEOUT": "300ms", "WAYMARK_DB_LOCK_TIMEOUT": "0"})
	s.stoppedReads(300*time.Millisecond, "statement_timeout")
}

// A client that goes away mid-request cancels its SQL in PostgreSQL, keeps
// the connections it used, and the request is logged once, at info (the
// code before logged one ERROR per field).
func TestAbuseClientDisconnectCancelsSQL(t *testing.T) {
	s := newTimeServer(t, map[string]string{"WAYMARK_REQUEST_TIMEOUT": "30s",
		"WAYMARK_DB_STATEMENT_TIMEOUT": "0", "WAYMARK_DB_LOCK_TIMEOUT": "0"})
	s.hold(`LOCK TABLE institutions IN ACCESS EXCLUSIVE MODE`)

	body, _ := json.Marshal(map[string]any{"query": manyReads})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	done := make(chan error, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			err = fmt.Errorf("answered before the client left: %d %s", res.StatusCode, raw)
		}
		done <- err
	}()
	// Wait until its statements are running (waiting on the lock), then leave.
	for start := time.Now(); s.running() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Since(start) > 2*time.Second {
			t.Fatal("the request's statements never started")
		}
	}
	running, conns := s.running(), s.pool.Stat().TotalConns()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("client: %v", err)
	}
	gone := s.noneRunningWithin(2 * time.Second)
	s.stoppedOnce("client went away")
	// The statements were cancelled in place: their connections are kept
	// for the next request rather than closed and opened again.
	if now := s.pool.Stat().TotalConns(); now < conns {
		t.Errorf("the pool had %d connections as the client left and %d after: cancelled statements cost their connections", conns, now)
	}
	t.Logf("%d statements running as the client left; all gone %s later", running, gone.Round(time.Millisecond))
}

// /readyz tells a database whose connections are all in use ("database
// busy") or that does not answer in time ("database slow") from one that
// cannot be reached ("database unreachable"), within a bounded time.
func TestAbuseReadyzBusyOrUnreachable(t *testing.T) {
	s := newTimeServer(t, map[string]string{"WAYMARK_DB_MAX_CONNS": "2"})
	readyz := func(url string) (int, map[string]any, time.Duration) {
		t.Helper()
		start := time.Now()
		res, err := http.Get(url + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		noTimeLeak(t, string(raw))
		var v map[string]any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("/readyz: %s", raw)
		}
		return res.StatusCode, v, time.Since(start)
	}
	if code, v, _ := readyz(s.URL); code != http.StatusOK {
		t.Fatalf("/readyz: %d %v", code, v)
	}

	// Every connection of the server's pool in use.
	var held []*pgxpool.Conn
	for range 2 {
		c, err := s.pool.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	code, v, took := readyz(s.URL)
	if code != http.StatusServiceUnavailable || v["reason"] != reasonBusy {
		t.Errorf("/readyz with the pool exhausted: %d %v; want 503 %q", code, v, reasonBusy)
	}
	if took > readyzTimeout+time.Second {
		t.Errorf("/readyz took %s", took)
	}
	for _, c := range held {
		c.Release()
	}
	if code, v, _ := readyz(s.URL); code != http.StatusOK {
		t.Errorf("/readyz after the connections were released: %d %v", code, v)
	}

	// Connected, but the database does not answer in time.
	release := s.hold(`LOCK TABLE ` + pgx.Identifier{"schema_version"}.Sanitize() + ` IN ACCESS EXCLUSIVE MODE`)
	code, v, took = readyz(s.URL)
	if code != http.StatusServiceUnavailable || v["reason"] != reasonSlow {
		t.Errorf("/readyz with the database not answering: %d %v; want 503 %q", code, v, reasonSlow)
	}
	if took > readyzTimeout+time.Second {
		t.Errorf("/readyz took %s", took)
	}
	release()

	// Nothing listening where the database should be.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cfg := testConfig(t, map[string]string{"DATABASE_URL": "postgres://nobody@" + addr + "/none"})
	pool, err := openPool(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	down := httptest.NewServer(testRouter(t, cfg, pool))
	defer down.Close()
	code, v, took = readyz(down.URL)
	if code != http.StatusServiceUnavailable || v["reason"] != reasonUnreachable {
		t.Errorf("/readyz with no database: %d %v; want 503 %q", code, v, reasonUnreachable)
	}
	if took > readyzTimeout+time.Second {
		t.Errorf("/readyz took %s", took)
	}
}

// The deadline and pool settings are read from the environment, with the
// defaults the README gives, and nonsense is refused with the setting named.
func TestTimeoutSettings(t *testing.T) {
	c, err := loadConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if c.RequestTimeout != 5*time.Second || c.DBMaxConns != 10 || c.DBWriteConns != 5 || c.DBAcquireTimeout != 2*time.Second ||
		c.DBStatementTimeout != 5*time.Second || c.DBLockTimeout != 2*time.Second || c.DBIdleInTxTimeout != 10*time.Second {
		t.Errorf("defaults: %+v", c)
	}
	c = testConfig(t, map[string]string{"WAYMARK_REQUEST_TIMEOUT": "750ms", "WAYMARK_DB_MAX_CONNS": "20",
		"WAYMARK_DB_LOCK_TIMEOUT": "0", "WAYMARK_DB_STATEMENT_TIMEOUT": "1m"})
	if c.RequestTimeout != 750*time.Millisecond || c.DBMaxConns != 20 || c.DBWriteConns != 10 || c.DBLockTimeout != 0 || c.DBStatementTimeout != time.Minute {
		t.Errorf("from the environment: %+v", c)
	}
	pcfg, err := poolConfig(testConfig(t, map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1/x", "WAYMARK_DB_LOCK_TIMEOUT": "1500ms"}))
	if err != nil {
		t.Fatal(err)
	}
	if p := pcfg.ConnConfig.RuntimeParams; p["lock_timeout"] != "1500" || p["statement_timeout"] != "5000" ||
		p["idle_in_transaction_session_timeout"] != "10000" || pcfg.MaxConns != 10 {
		t.Errorf("pool: %d connections, session settings %v", pcfg.MaxConns, p)
	}
	for env, want := range map[string]string{
		"WAYMARK_REQUEST_TIMEOUT":      "5",     // no unit
		"WAYMARK_DB_ACQUIRE_TIMEOUT":   "0",     // cannot be off
		"WAYMARK_DB_LOCK_TIMEOUT":      "-1s",   // negative
		"WAYMARK_DB_MAX_CONNS":         "1",     // too few to keep one for reads
		"WAYMARK_DB_WRITE_CONNS":       "10",    // the whole pool
		"WAYMARK_DB_STATEMENT_TIMEOUT": "later", // not a duration
	} {
		_, err := loadConfig(func(k string) string { return map[string]string{env: want}[k] })
		if err == nil || !strings.Contains(err.Error(), env) {
			t.Errorf("%s=%q: got %v, want an error naming it", env, want, err)
		}
	}
}
