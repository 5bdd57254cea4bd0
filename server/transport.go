package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/httprate"

	"github.com/waymark/waymark/store"
)

// The GraphQL-over-HTTP transport around gqlgen: what reaches the GraphQL
// handler is a well-formed request, and anything else is refused here with
// a typed error (https://graphql.github.io/graphql-over-http/draft/, §5
// Request and §6 Response).

// requestError writes a request error: a GraphQL response with errors and,
// as the specification requires of request errors, no data entry (§6.4.2).
func requestError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"errors": []any{map[string]any{
		"message":    message,
		"extensions": map[string]any{"code": code},
	}}})
}

// wellFormed refuses, before gqlgen sees them, POST requests that are not
// GraphQL-over-HTTP requests: a body over max bytes (413, whether or not it
// declared its length), a media type other than application/json (415), a
// body that is not one JSON object with a string query (400: batches,
// null, {}, a non-string query), and methods other than GET and POST (405).
// The body it passes on has been read in full and checked.
func wellFormed(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			next.ServeHTTP(w, r)
			return
		case http.MethodPost:
		default:
			w.Header().Set("Allow", "GET, POST")
			requestError(w, http.StatusMethodNotAllowed, "BAD_USER_INPUT", "Send GraphQL requests with POST (or GET for queries).")
			return
		}
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			requestError(w, http.StatusUnsupportedMediaType, "BAD_USER_INPUT",
				"Send the request body as JSON, with Content-Type: application/json.")
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
		if err != nil {
			requestError(w, http.StatusBadRequest, "BAD_USER_INPUT", "The request body could not be read.")
			return
		}
		if int64(len(body)) > max {
			requestError(w, http.StatusRequestEntityTooLarge, "BAD_USER_INPUT",
				fmt.Sprintf("The request body is larger than %d bytes.", max))
			return
		}
		if msg := checkParams(body); msg != "" {
			requestError(w, http.StatusBadRequest, "BAD_USER_INPUT", msg)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// checkParams says what is wrong with a POST body, or "" when it is a
// GraphQL-over-HTTP request (§5.1): one JSON object whose query is a
// string (or absent, for an automatic persisted query naming its hash),
// whose operationName is a string or null and whose variables and
// extensions are objects or null.
func checkParams(body []byte) string {
	var params map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&params); err != nil || dec.More() {
		if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && t[0] == '[' {
			return "Batched requests are not supported: send one request per POST."
		}
		return "The request body is not a JSON object of GraphQL request parameters."
	}
	if params == nil {
		return "The request body is null: send {\"query\": \"…\"}."
	}
	is := func(name string, kinds ...byte) bool {
		v, ok := params[name]
		if !ok {
			return true
		}
		v = bytes.TrimSpace(v)
		return bytes.Equal(v, []byte("null")) || len(v) > 0 && bytes.IndexByte(kinds, v[0]) >= 0
	}
	switch {
	case !is("query", '"'):
		return "query must be a string holding a GraphQL document."
	case !is("operationName", '"'):
		return "operationName must be a string."
	case !is("variables", '{'):
		return "variables must be a JSON object."
	case !is("extensions", '{'):
		return "extensions must be a JSON object."
	}
	if q, ok := params["query"]; !ok || bytes.Equal(bytes.TrimSpace(q), []byte("null")) {
		var ext struct {
			PersistedQuery *json.RawMessage `json:"persistedQuery"`
		}
		if e, ok := params["extensions"]; !ok || json.Unmarshal(e, &ext) != nil || ext.PersistedQuery == nil {
			return "The request has no query: send {\"query\": \"…\"}."
		}
	}
	return ""
}

// typedRequestErrors makes every request error gqlgen writes itself (a
// status of 400 or more: a GET whose variables do not parse, a document
// that does not parse when the client accepts
// application/graphql-response+json, …) carry extensions.code, like every
// other Waymark error, and removes the data entry gqlgen writes as null,
// which a request error must not have (§6.4.2; the graphql-http audit's
// D586 and 5E5B). Such responses are small, so they are held back whole;
// others pass straight through.
func typedRequestErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &requestErrorWriter{ResponseWriter: w}
		next.ServeHTTP(tw, r)
		tw.flush()
	})
}

type requestErrorWriter struct {
	http.ResponseWriter
	status int
	buf    *bytes.Buffer // the body of a request error, while held back
}

func (w *requestErrorWriter) WriteHeader(code int) {
	if code >= 400 && w.buf == nil {
		w.status, w.buf = code, &bytes.Buffer{}
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *requestErrorWriter) Write(b []byte) (int, error) {
	if w.buf != nil {
		return w.buf.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *requestErrorWriter) flush() {
	if w.buf == nil {
		return
	}
	body := w.buf.Bytes()
	var resp struct {
		Errors []map[string]any `json:"errors"`
	}
	if json.Unmarshal(body, &resp) == nil && len(resp.Errors) > 0 {
		code := "BAD_USER_INPUT"
		if w.status >= 500 {
			code = "INTERNAL"
		}
		for _, e := range resp.Errors {
			ext, _ := e["extensions"].(map[string]any)
			if ext == nil {
				ext = map[string]any{}
				e["extensions"] = ext
			}
			if _, ok := ext["code"]; !ok {
				ext["code"] = code
			}
		}
		if b, err := json.Marshal(resp); err == nil {
			body = b
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.ResponseWriter.WriteHeader(w.status)
	_, _ = w.ResponseWriter.Write(body)
}

// rateLimit allows each client limit requests a minute: a signed-in caller
// is counted by the token's subject, anyone else by network address — the
// connection's, or, behind a trusted reverse proxy, the last address in
// ipHeader (the one the proxy itself saw). Over the limit: 429 with
// RATE_LIMITED and Retry-After in seconds (RFC 6585 §4). A limit of 0
// turns it off. Counting is a sliding window per server (go-chi/httprate);
// replicas count apart.
func rateLimit(limit int, ipHeader string) func(http.Handler) http.Handler {
	if limit <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	return httprate.Limit(limit, time.Minute,
		httprate.WithKeyFuncs(func(r *http.Request) (string, error) {
			if v := store.ViewerFrom(r.Context()); v.Subject != "" {
				return "sub:" + v.Subject, nil
			}
			return "ip:" + clientAddr(r, ipHeader), nil
		}),
		httprate.WithLimitHandler(func(w http.ResponseWriter, _ *http.Request) {
			requestError(w, http.StatusTooManyRequests, "RATE_LIMITED",
				fmt.Sprintf("Too many requests: at most %d a minute. Try again after the number of seconds in Retry-After.", limit))
		}),
	)
}

// clientAddr is the client's address: the last entry of ipHeader when it is
// set and holds an IP address, else the connection's remote address. An
// IPv6 address counts as its /64 network, which one subscriber usually has
// whole (RFC 6177), so that moving within it does not give a fresh count.
func clientAddr(r *http.Request, ipHeader string) string {
	var ip net.IP
	if ipHeader != "" {
		vals := strings.Split(r.Header.Get(ipHeader), ",")
		ip = net.ParseIP(strings.TrimSpace(vals[len(vals)-1]))
	}
	if ip == nil {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if ip = net.ParseIP(host); err != nil || ip == nil {
			return r.RemoteAddr
		}
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}
