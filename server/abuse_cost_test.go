package main

// Abuse tests of the cost limits (issue 9, items 1 and 7): each sends, as
// an anonymous stranger would, one request meant to make the server work
// for minutes or answer gigabytes, to the whole server over HTTP, and checks
// that it is refused (or answered) quickly, with a typed error that names
// the limit, without a single SQL statement, and with little memory.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Generous bounds: a refusal takes milliseconds and a few MB; the requests
// took seconds to minutes and GB before the limits.
const (
	abuseMaxTime  = 2 * time.Second
	abuseMaxAlloc = 64 << 20
)

// abuseServer is the whole server over a seeded database whose SQL
// statements are counted.
type abuseServer struct {
	url string
	sql *stmtCounter
}

func newAbuseServer(t *testing.T, env map[string]string) *abuseServer {
	t.Helper()
	s, counter := newCountingServerEnv(t, env)
	return &abuseServer{url: s.URL, sql: counter}
}

type abuseResult struct {
	status  int
	raw     []byte
	errors  []gqlError
	data    json.RawMessage
	elapsed time.Duration
	alloc   uint64
	sql     int64
}

// send posts query with variables, measuring the time, the memory allocated
// (by the whole test process, server included) and the SQL statements run.
func (s *abuseServer) send(t *testing.T, query string, vars map[string]any) abuseResult {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	sqlBefore := s.sql.n.Load()
	start := time.Now()
	res, err := http.Post(s.url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	r := abuseResult{status: res.StatusCode, raw: raw, elapsed: time.Since(start), sql: s.sql.n.Load() - sqlBefore}
	runtime.ReadMemStats(&after)
	r.alloc = after.TotalAlloc - before.TotalAlloc
	var out struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("response (%d) is not JSON: %.300s", res.StatusCode, raw)
	}
	r.errors, r.data = out.Errors, out.Data
	t.Logf("%d bytes sent; status %d in %v, %d bytes back, %.1f MB allocated, %d SQL statements",
		len(body), r.status, r.elapsed.Round(time.Millisecond), len(raw), float64(r.alloc)/(1<<20), r.sql)
	return r
}

// refusedCost checks that a request was refused before anything ran: status
// 200 (a well-formed request answered as application/json), one error with
// the code, a message that says each of mention, nothing internal, no data,
// no SQL, and bounded time and memory.
func refusedCost(t *testing.T, r abuseResult, code string, mention ...string) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Errorf("status %d, want 200", r.status)
	}
	if len(r.errors) != 1 {
		t.Fatalf("%d errors, want 1: %.500s", len(r.errors), r.raw)
	}
	e := r.errors[0]
	if e.Extensions["code"] != code {
		t.Errorf("code %v, want %s: %s", e.Extensions["code"], code, e.Message)
	}
	for _, m := range mention {
		if !strings.Contains(e.Message, m) {
			t.Errorf("message %q does not say %q", e.Message, m)
		}
	}
	for _, leak := range []string{".go:", "goroutine", "panic", "gqlparser", "gqlgen", "SELECT", "pgx", "runtime"} {
		if strings.Contains(e.Message, leak) {
			t.Errorf("message leaks %q: %s", leak, e.Message)
		}
	}
	if d := string(r.data); d != "" && d != "null" {
		t.Errorf("a refused request has data: %.200s", d)
	}
	if r.sql != 0 {
		t.Errorf("%d SQL statements ran for a refused request", r.sql)
	}
	bounded(t, r)
}

func bounded(t *testing.T, r abuseResult) {
	t.Helper()
	if r.elapsed > abuseMaxTime {
		t.Errorf("took %v, want under %v", r.elapsed, abuseMaxTime)
	}
	if r.alloc > abuseMaxAlloc {
		t.Errorf("allocated %.0f MB, want under %d MB", float64(r.alloc)/(1<<20), abuseMaxAlloc>>20)
	}
	if len(r.raw) > 64<<10 {
		t.Errorf("response is %d bytes", len(r.raw))
	}
}

// cycleNest nests n levels of sites → institution under an institution.
func cycleNest(n int) string {
	return `{ institution(id: "` + id("Institution", "institutions", "ljmu") + `") { ` +
		strings.Repeat("sites { institution { ", n) + "name" + strings.Repeat(" } }", n) + " } }"
}

func TestAbuseDeepNesting100Levels(t *testing.T) {
	s := newAbuseServer(t, nil)
	refusedCost(t, s.send(t, cycleNest(50), nil), "QUERY_TOO_COMPLEX", "102 deep", "limit of 20")
}

func TestAbuse101Aliases(t *testing.T) {
	s := newAbuseServer(t, nil)
	var b strings.Builder
	b.WriteString(`{ institution(id: "` + id("Institution", "institutions", "ljmu") + `") {`)
	for i := range 101 {
		fmt.Fprintf(&b, " n%d: name", i)
	}
	b.WriteString(" } }")
	refusedCost(t, s.send(t, b.String(), nil), "QUERY_TOO_COMPLEX", "101 aliases", "limit of 50")
}

func TestAbuse10000Directives(t *testing.T) {
	s := newAbuseServer(t, nil)
	refusedCost(t, s.send(t, "{ __typename"+strings.Repeat(" @a", 10000)+" }", nil), "QUERY_TOO_COMPLEX", "5000 tokens")
}

// Before the limits: 660,000 errors in a 90 MB answer, 1.2 GB of memory.
func TestAbuse330000Directives(t *testing.T) {
	s := newAbuseServer(t, nil)
	refusedCost(t, s.send(t, "{ __typename"+strings.Repeat(" @a", 330000)+" }", nil), "QUERY_TOO_COMPLEX", "5000 tokens")
}

func TestAbuse50000DuplicateFields(t *testing.T) {
	s := newAbuseServer(t, nil)
	q := `{ institution(id: "` + id("Institution", "institutions", "ljmu") + `") {` + strings.Repeat(" name", 50000) + " } }"
	refusedCost(t, s.send(t, q, nil), "QUERY_TOO_COMPLEX", "5000 tokens")
}

// Within the token limit, 4,900 copies of a field took 10 s to validate
// (every pair is compared) and 280 MB; they are refused, directly or by
// fragments, and 100 are validated and merged quickly.
func TestAbuseDuplicateFieldsWithinTokenLimit(t *testing.T) {
	s := newAbuseServer(t, nil)
	inst := `{ institution(id: "` + id("Institution", "institutions", "ljmu") + `") {`
	refusedCost(t, s.send(t, inst+strings.Repeat(" name", 4900)+" } }", nil), "QUERY_TOO_COMPLEX", "4900 times", "limit of 100")
	refusedCost(t, s.send(t, inst+strings.Repeat(" ... { name }", 800)+" } }", nil), "QUERY_TOO_COMPLEX", "800 times")
	refusedCost(t, s.send(t, inst+strings.Repeat(" ...F", 2000)+" } } fragment F on Institution { name }", nil), "QUERY_TOO_COMPLEX", "2000 times")
	r := s.send(t, inst+strings.Repeat(" name", 100)+" } }", nil)
	if len(r.errors) != 0 || !strings.Contains(string(r.data), "Liverpool John Moores") {
		t.Errorf("want the institution's name once: %.300s", r.raw)
	}
	bounded(t, r)
}

// Copies of a field nested in copies of another multiply: 100 copies of
// outOfHoursService each with 45 copies of name (25 KB, within every other
// limit) held a core for 2 s in validation; they are counted together.
func TestAbuseNestedDuplicateFields(t *testing.T) {
	s := newAbuseServer(t, nil)
	svc := `{ service(id: "` + id("Service", "services", "ucope") + `") {`
	inner := "outOfHoursService {" + strings.Repeat(" name", 45) + " }"
	refusedCost(t, s.send(t, svc+strings.Repeat(" "+inner, 100)+" } }", nil), "QUERY_TOO_COMPLEX", "4500 times", "limit of 100")
	// Three levels of 15.
	three := "outOfHoursService { " + strings.Repeat(" outOfHoursService {"+strings.Repeat(" name", 15)+" }", 15) + " }"
	refusedCost(t, s.send(t, svc+strings.Repeat(" "+three, 15)+" } }", nil), "QUERY_TOO_COMPLEX", "3375 times")
}

// Introspection is not priced list by list, so one operation may ask for
// the schema once: thirteen aliased __schema with deep fragments (1.9 KB)
// took 2.8 s and 460 MB, six at once 2 GB.
func TestAbuseRepeatedIntrospection(t *testing.T) {
	s := newAbuseServer(t, nil)
	refusedCost(t, s.send(t, `{ a: __schema { queryType { name } } b: __schema { queryType { name } } }`, nil),
		"QUERY_TOO_COMPLEX", "__schema 2 times")
	refusedCost(t, s.send(t, `{ ...F ...G } fragment F on Query { __schema { queryType { name } } } fragment G on Query { x: __schema { types { name } } }`, nil),
		"QUERY_TOO_COMPLEX", "__schema 2 times")
	q := "{"
	for i := range 11 {
		q += fmt.Sprintf(` t%d: __type(name: "Service") { name }`, i)
	}
	refusedCost(t, s.send(t, q+" }", nil), "QUERY_TOO_COMPLEX", "__type 11 times")
	r := s.send(t, `{ __schema { queryType { name } } __type(name: "Service") { name } }`, nil)
	if len(r.errors) != 0 || !strings.Contains(string(r.data), `"Service"`) {
		t.Errorf("one __schema and one __type: %.300s", r.raw)
	}
}

func TestAbuseRecursiveFragments(t *testing.T) {
	s := newAbuseServer(t, nil)
	q := `{ institution(id: "` + id("Institution", "institutions", "ljmu") + `") { ...A } }
fragment A on Institution { sites { institution { ...B } } }
fragment B on Institution { name ...A }`
	r := s.send(t, q, nil)
	if len(r.errors) == 0 || r.errors[0].Extensions["code"] != "BAD_USER_INPUT" {
		t.Fatalf("want BAD_USER_INPUT: %.300s", r.raw)
	}
	if r.sql != 0 {
		t.Errorf("%d SQL statements", r.sql)
	}
	bounded(t, r)
}

// Thirty fragments, each spreading the next twice, expand to a billion fields.
func TestAbuseFragmentFanOut(t *testing.T) {
	s := newAbuseServer(t, nil)
	var b strings.Builder
	b.WriteString(`{ institution(id: "` + id("Institution", "institutions", "ljmu") + `") { ...F0 } }`)
	for i := range 30 {
		fmt.Fprintf(&b, " fragment F%d on Institution { ...F%d ...F%d }", i, i+1, i+1)
	}
	b.WriteString(" fragment F30 on Institution { name }")
	refusedCost(t, s.send(t, b.String(), nil), "QUERY_TOO_COMPLEX", "1073741824 times in one place")
}

func TestAbuseFirst99999999(t *testing.T) {
	s := newAbuseServer(t, nil)
	refusedCost(t, s.send(t, `{ institutions(first: 99999999) { edges { node { name services { name } } } } }`, nil),
		"QUERY_TOO_COMPLEX", "exceeds the limit of 100000")
	refusedCost(t, s.send(t, `query($n: Int) { institutions(first: $n) { edges { node { name } } } }`, map[string]any{"n": 99999999}),
		"QUERY_TOO_COMPLEX", "exceeds the limit of 100000")
}

// signposts is n aliased signpost calls, each selecting sel.
func signposts(n int, sel string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, "s%d:signpost(need:SELF_HARM,urgency:URGENT){%s}", i, sel)
	}
	return b.String() + "}"
}

// Before the limits: cost about 30,000, accepted, 19 s of a busy server.
func TestAbuse15000SignpostAliases(t *testing.T) {
	s := newAbuseServer(t, nil)
	refusedCost(t, s.send(t, signposts(15000, "section"), nil), "QUERY_TOO_COMPLEX", "5000 tokens")
}

// Signposting is priced at its SQL: within the token, alias and root-field
// limits, a hundred of them still cost too much.
func TestAbuseSignpostsPricedForTheirWork(t *testing.T) {
	s := newAbuseServer(t, map[string]string{"WAYMARK_MAX_ROOT_FIELDS": "1000", "WAYMARK_MAX_ALIASES": "1000"})
	refusedCost(t, s.send(t, signposts(100, "section service { name }"), nil), "QUERY_TOO_COMPLEX", "exceeds the limit of 100000")
}

// cyclePadded is a query nested through partnership → members →
// institution → partnerships → partnership nine times (19 lists deep),
// padded with fields so that the old cost arithmetic (1 + 10 × child,
// wrapping) made it cost 6. It ran for minutes and took 7 GB.
func cyclePadded(pid string) string {
	const target = uint64(1844674407370955162) // 10 × target = 2^64 + 4
	pad := func(n uint64) string { return strings.Repeat("name ", int(n)) }
	top := (target - 2) % 10
	x := (target - 2) / 10
	var pads []uint64
	for x >= 22+100*2 {
		pads = append(pads, (x-22)%100)
		x = (x - 22) / 100
	}
	inner := "partnership { " + pad(x-1) + "}"
	for i := len(pads) - 1; i >= 0; i-- {
		inner = "partnership { " + pad(pads[i]) + "members { institution { partnerships { " + inner + " } } } }"
	}
	return `{ partnership(id: "` + pid + `") { members { institution { ` + pad(top) + "partnerships { " + inner + " } } } } }"
}

func TestAbuseNestedCycleThatWrappedRound(t *testing.T) {
	q := cyclePadded(id("Partnership", "partnerships", "liverpool"))
	s := newAbuseServer(t, nil)
	refusedCost(t, s.send(t, q, nil), "QUERY_TOO_COMPLEX", "deep", "limit of 20")
	// With the depth limit out of the way, the cost refuses it.
	s = newAbuseServer(t, map[string]string{"WAYMARK_MAX_DEPTH": "1000"})
	refusedCost(t, s.send(t, q, nil), "QUERY_TOO_COMPLEX", "too large to count")
}

// Fields left out by @include(if: false) or @skip(if: true) cost nothing:
// the same heavy selection is refused when included and answered when not.
func TestAbuseSkippedFieldsAreNotCounted(t *testing.T) {
	s := newAbuseServer(t, nil)
	q := `query($on: Boolean!) { partnerships(first: 1) { totalCount }
  heavy: institutions(first: 100) @include(if: $on) { edges { node { services { name contactPoints { name institution { services { name } } } } } } } }`
	refusedCost(t, s.send(t, q, map[string]any{"on": true}), "QUERY_TOO_COMPLEX", "exceeds the limit of 100000")
	r := s.send(t, q, map[string]any{"on": false})
	if len(r.errors) != 0 || strings.Contains(string(r.data), "heavy") || !strings.Contains(string(r.data), "totalCount") {
		t.Errorf("want the small part answered: %.300s", r.raw)
	}
	bounded(t, r)
}

func TestAbuseErrorsAreCapped(t *testing.T) {
	s := newAbuseServer(t, nil)
	r := s.send(t, "{ __typename"+strings.Repeat(" @a", 2000)+" }", nil)
	if len(r.errors) != 50 || !strings.Contains(r.errors[49].Message, "more errors, not shown") {
		t.Errorf("%d errors (want 50, the last saying how many more): %.300s", len(r.errors), r.raw)
	}
	for _, e := range r.errors {
		if e.Extensions["code"] != "BAD_USER_INPUT" || strings.Contains(e.Message, "Did you mean") {
			t.Errorf("error %+v", e)
		}
	}
	bounded(t, r)
}

func TestAbuseIntrospectionSetting(t *testing.T) {
	q := `{ __schema { types { name } } }`
	if r := newAbuseServer(t, nil).send(t, q, nil); len(r.errors) != 0 {
		t.Errorf("introspection is on in development: %.300s", r.raw)
	}
	s := newAbuseServer(t, map[string]string{"WAYMARK_INTROSPECTION": "false"})
	refusedCost(t, s.send(t, q, nil), "BAD_USER_INPUT", "Introspection")
	prod, err := loadConfig(func(k string) string {
		return map[string]string{"WAYMARK_ENV": "production", "WAYMARK_JWKS_URL": "https://idp.example/jwks", "WAYMARK_JWT_ISSUER": "https://idp.example"}[k]
	})
	if err != nil || prod.QueryLimits.Introspection || prod.QueryLimits.FieldSuggestions {
		t.Errorf("production: introspection %v, suggestions %v (%v); want both off", prod.QueryLimits.Introspection, prod.QueryLimits.FieldSuggestions, err)
	}
}

// Queries padded with comments to a megabyte each are answered but not
// kept: 1,100 of them took the server to 2 GB, held for good, when every
// query cache kept each text.
func TestAbuseHugeQueriesAreNotCached(t *testing.T) {
	s := newAbuseServer(t, nil)
	pad := "\n#" + strings.Repeat("x", 1<<20-1000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range 40 {
		r := s.send(t, fmt.Sprintf("{ __typename } #%d%s", i, pad), nil)
		if len(r.errors) != 0 {
			t.Fatalf("a padded query: %.300s", r.raw)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 16<<20 {
		t.Errorf("40 one-megabyte queries left %d MB in use", grew>>20)
	}
}
