package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/waymark/waymark/seed"
	"github.com/waymark/waymark/store/storetest"
)

// Requests that are not well-formed GraphQL-over-HTTP requests (issue 9,
// item 5): each is refused with the right status and a typed error, and
// none of them costs more than its first megabyte.

// transportServer is the real router on a real listener, with env's settings.
func transportServer(t *testing.T, env map[string]string) (*httptest.Server, config) {
	t.Helper()
	cfg := testConfig(t, env)
	srv := httptest.NewServer(testRouter(t, cfg, storetest.Pool(t, storetest.WithData("seed-"+seed.Key(), seed.Load))))
	t.Cleanup(srv.Close)
	return srv, cfg
}

// reply is an HTTP answer to a GraphQL request.
type reply struct {
	status int
	header http.Header
	body   map[string]json.RawMessage
	raw    string
}

func send(t *testing.T, req *http.Request) reply {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := reply{status: res.StatusCode, header: res.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// requestError checks a request error: status, every error typed with code,
// no data entry (GraphQL over HTTP §6.4.2), and no internals.
func (r reply) requestError(t *testing.T, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status %d, want %d: %s", r.status, status, r.raw)
	}
	if _, ok := r.body["data"]; ok {
		t.Errorf("a request error has a data entry: %s", r.raw)
	}
	var errs []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	}
	if err := json.Unmarshal(r.body["errors"], &errs); err != nil || len(errs) == 0 {
		t.Fatalf("no errors in %s", r.raw)
	}
	for _, e := range errs {
		if e.Extensions["code"] != code {
			t.Errorf("error %q has code %v, want %s", e.Message, e.Extensions["code"], code)
		}
	}
	for _, leak := range []string{"goroutine", ".go:", "pgx", "SQLSTATE", "gqlgen", "json: cannot"} {
		if strings.Contains(r.raw, leak) {
			t.Errorf("the answer shows internals (%q): %s", leak, r.raw)
		}
	}
}

func post(t *testing.T, url, contentType string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	return req
}

// repeated is n bytes of b, made as they are read.
type repeated struct {
	b byte
	n int64
}

func (r *repeated) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		p[i] = r.b
	}
	r.n -= int64(len(p))
	return len(p), nil
}

// onlyReader hides a reader's length, so the request is sent chunked.
type onlyReader struct{ io.Reader }

func TestOversizedBodies(t *testing.T) {
	srv, cfg := transportServer(t, nil)
	for _, tc := range []struct {
		name    string
		size    int64
		chunked bool
	}{
		{"1 MB and a byte, with Content-Length", cfg.MaxBodyBytes + 1, false},
		{"1 MB and a byte, chunked", cfg.MaxBodyBytes + 1, true},
		{"100 MB, with Content-Length", 100 << 20, false},
		{"100 MB, chunked", 100 << 20, true},
	} {
		t.Run(tc.name, func(t *testing.T) { // one at a time, for the memory figures
			// A JSON string that never ends: only its size is wrong.
			var body io.Reader = io.MultiReader(strings.NewReader(`{"query": "{ partnerships { totalCount } }", "pad": "`), &repeated{'x', tc.size})
			req := post(t, srv.URL, "application/json", body)
			if tc.chunked {
				req.Body = io.NopCloser(onlyReader{body})
				req.ContentLength = -1
			} else {
				req.ContentLength = tc.size + int64(len(`{"query": "{ partnerships { totalCount } }", "pad": "`))
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			defer func() {
				// Client and server share this process: what both allocated
				// together stays far below the body's size.
				runtime.ReadMemStats(&after)
				if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<20 {
					t.Errorf("refusing a %d-byte body allocated %d bytes", tc.size, grew)
				}
			}()
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				// The server may close the connection while a large body is
				// still being sent; it must still not take long.
				if time.Since(start) > 10*time.Second {
					t.Errorf("took %v", time.Since(start))
				}
				return
			}
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			r := reply{status: res.StatusCode, header: res.Header, raw: string(raw)}
			_ = json.Unmarshal(raw, &r.body)
			r.requestError(t, http.StatusRequestEntityTooLarge, "BAD_USER_INPUT")
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("refusing it took %v", d)
			}
		})
	}
}

func TestMalformedRequests(t *testing.T) {
	t.Parallel()
	srv, _ := transportServer(t, nil)
	for _, tc := range []struct {
		name, contentType, body string
		status                  int
	}{
		{"null", "application/json", `null`, 400},
		{"empty object", "application/json", `{}`, 400},
		{"not JSON", "application/json", `{"query": "{ partnerships { totalCount } }"`, 400},
		{"two JSON values", "application/json", `{"query": "{ __typename }"} {}`, 400},
		{"a string", "application/json", `"{ __typename }"`, 400},
		{"query a number", "application/json", `{"query": 42}`, 400},
		{"query an object", "application/json", `{"query": {"a": 1}}`, 400},
		{"variables a string", "application/json", `{"query": "{ __typename }", "variables": "{}"}`, 400},
		{"operationName a number", "application/json", `{"query": "{ __typename }", "operationName": 1}`, 400},
		{"batched array", "application/json", `[{"query": "{ __typename }"}, {"query": "{ __typename }"}]`, 400},
		{"form-encoded", "application/x-www-form-urlencoded", `query=%7B__typename%7D`, 415},
		{"text", "text/plain", `{"query": "{ __typename }"}`, 415},
		{"no content type", "", `{"query": "{ __typename }"}`, 415},
	} {
		t.Run(tc.name, func(t *testing.T) {
			send(t, post(t, srv.URL, tc.contentType, strings.NewReader(tc.body))).requestError(t, tc.status, "BAD_USER_INPUT")
		})
	}

	t.Run("PUT", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPut, srv.URL+"/graphql", strings.NewReader(`{"query": "{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		r := send(t, req)
		r.requestError(t, http.StatusMethodNotAllowed, "BAD_USER_INPUT")
		if r.header.Get("Allow") != "GET, POST" {
			t.Errorf("Allow: %q", r.header.Get("Allow"))
		}
	})
	t.Run("GET with variables that are not JSON", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/graphql?query="+url.QueryEscape("query($n: Int){ __typename }")+"&variables=%7Bnope", nil)
		send(t, req).requestError(t, http.StatusBadRequest, "BAD_USER_INPUT")
	})
	t.Run("mutation over GET", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/graphql?query="+url.QueryEscape(`mutation { retireService(id: "x", expectedVersion: 1, reason: "x") { id } }`), nil)
		send(t, req).requestError(t, http.StatusMethodNotAllowed, "BAD_USER_INPUT")
	})
	t.Run("document that does not parse, as graphql-response+json", func(t *testing.T) {
		req := post(t, srv.URL, "application/json", strings.NewReader(`{"query": "{ partnerships { "}`))
		req.Header.Set("Accept", "application/graphql-response+json")
		send(t, req).requestError(t, http.StatusBadRequest, "BAD_USER_INPUT")
	})
	t.Run("document that does not validate, as graphql-response+json", func(t *testing.T) {
		req := post(t, srv.URL, "application/json", strings.NewReader(`{"query": "{ noSuchField }"}`))
		req.Header.Set("Accept", "application/graphql-response+json")
		send(t, req).requestError(t, http.StatusBadRequest, "BAD_USER_INPUT")
	})
	t.Run("APQ hash that does not match its query", func(t *testing.T) {
		wrong := sha256.Sum256([]byte("{ somethingElse }"))
		body := `{"query": "{ __typename }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "` + hex.EncodeToString(wrong[:]) + `"}}}`
		r := send(t, post(t, srv.URL, "application/json", strings.NewReader(body)))
		var errs []struct {
			Extensions map[string]any `json:"extensions"`
		}
		if err := json.Unmarshal(r.body["errors"], &errs); err != nil || len(errs) != 1 || errs[0].Extensions["code"] != "BAD_USER_INPUT" {
			t.Errorf("APQ hash mismatch: %d %s", r.status, r.raw)
		}
		if bytes.Contains([]byte(r.raw), []byte("__typename\":\"Query")) {
			t.Errorf("the query ran: %s", r.raw)
		}
	})
	t.Run("a well-formed request still works", func(t *testing.T) {
		r := send(t, post(t, srv.URL, "application/json; charset=utf-8", strings.NewReader(`{"query": "{ partnerships { totalCount } }", "variables": null, "operationName": null}`)))
		if r.status != 200 || !strings.Contains(r.raw, "totalCount") {
			t.Errorf("%d %s", r.status, r.raw)
		}
	})
}

// Each client gets WAYMARK_RATE_LIMIT requests a minute: anonymous callers
// by address, signed-in ones by subject; over it, 429 RATE_LIMITED with
// Retry-After.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	srv, cfg := transportServer(t, map[string]string{"WAYMARK_RATE_LIMIT": "3", "WAYMARK_CLIENT_IP_HEADER": "X-Forwarded-For"})
	query := func(token, forwardedFor string) reply {
		req := post(t, srv.URL, "application/json", strings.NewReader(`{"query": "{ __typename }"}`))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if forwardedFor != "" {
			req.Header.Set("X-Forwarded-For", forwardedFor)
		}
		return send(t, req)
	}
	for i := range 3 {
		if r := query("", "198.51.100.7"); r.status != 200 {
			t.Fatalf("request %d of 3: %d %s", i+1, r.status, r.raw)
		}
	}
	r := query("", "198.51.100.7")
	r.requestError(t, http.StatusTooManyRequests, "RATE_LIMITED")
	if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
		t.Errorf("Retry-After %q, want seconds up to a minute", r.header.Get("Retry-After"))
	}
	// Another address behind the proxy, and a signed-in caller on the
	// limited address, have counts of their own.
	if r := query("", "203.0.113.9, 198.51.100.8"); r.status != 200 {
		t.Errorf("another client was limited: %d %s", r.status, r.raw)
	}
	tok := func(name string) string {
		var b strings.Builder
		if err := printToken(cfg, []string{"--role", "professional", "--name", name}, &b); err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(b.String())
	}
	if r := query(tok("A. Nurse"), "198.51.100.7"); r.status != 200 {
		t.Errorf("a signed-in caller was limited by the address's count: %d %s", r.status, r.raw)
	}
}

// An IPv6 client is counted by its /64 network.
func TestClientAddr(t *testing.T) {
	for _, tc := range []struct{ remote, header, want string }{
		{"198.51.100.7:5555", "", "198.51.100.7"},
		{"[2001:db8:1:2:aaaa::1]:5555", "", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:bbbb::9]:5555", "", "2001:db8:1:2::/64"},
		{"10.0.0.1:80", "203.0.113.9, 198.51.100.8", "198.51.100.8"},
		{"10.0.0.1:80", "2001:db8:7::5", "2001:db8:7::/64"},
		{"10.0.0.1:80", "not an address", "10.0.0.1"},
	} {
		r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		r.RemoteAddr = tc.remote
		if tc.header != "" {
			r.Header.Set("X-Forwarded-For", tc.header)
		}
		if got := clientAddr(r, "X-Forwarded-For"); got != tc.want {
			t.Errorf("%s with %q: %s, want %s", tc.remote, tc.header, got, tc.want)
		}
	}
}
