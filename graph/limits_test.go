package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/waymark/waymark/graph"
)

// storeless is a handler with no store: any resolver that reaches for the
// database panics, and the panic shows as INTERNAL. A refusal by the limits
// happens before any resolver, so it never shows INTERNAL.
func storeless(t *testing.T, opts graph.Options) func(query string, vars map[string]any) response {
	opts.Logger = slog.New(slog.DiscardHandler)
	h := graph.NewHandler(nil, opts)
	return func(query string, vars map[string]any) response {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return decodeRecorded(t, rec)
	}
}

func wantRefused(t *testing.T, r response, code string, mention ...string) {
	t.Helper()
	if got := r.code(t); got != code {
		t.Fatalf("code = %q, want %s: %s", got, code, r.Raw)
	}
	if r.Status != http.StatusOK {
		t.Errorf("status = %d, want 200", r.Status)
	}
	if string(r.Data) != "" && string(r.Data) != "null" {
		t.Errorf("a refused request has data: %s", r.Data)
	}
	for _, m := range mention {
		if !strings.Contains(r.Errors[0].Message, m) {
			t.Errorf("message %q does not say %q", r.Errors[0].Message, m)
		}
	}
	assertNoLeak(t, r)
}

// nest wraps inner in n levels of the sites → institution cycle.
func nest(n int, inner string) string {
	return `{ institution(id: "x") { ` + strings.Repeat("sites { institution { ", n) + inner + strings.Repeat(" } }", n) + " } }"
}

func TestLimitsRefuseBeforeAnyResolver(t *testing.T) {
	do := storeless(t, graph.Options{})
	signposts := func(n int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, " s%d: signpost(need: SELF_HARM, urgency: URGENT) { section service { name } }", i)
		}
		return b.String() + " }"
	}
	aliases := func(n int) string {
		var b strings.Builder
		b.WriteString(`{ institution(id: "x") {`)
		for i := range n {
			fmt.Fprintf(&b, " n%d: name", i)
		}
		return b.String() + " } }"
	}
	cases := []struct {
		name, query string
		mention     []string
	}{
		{"100 levels deep", nest(50, "name"), []string{"102 deep", "limit of 20"}},
		{"101 aliases", aliases(101), []string{"101 aliases", "limit of 50"}},
		{"21 root fields", signposts(21), []string{"21 fields at its top level", "limit of 20"}},
		{"10,000 directives", "{ __typename" + strings.Repeat(" @a", 10000) + " }", []string{"more than 5000 tokens"}},
		{"50,000 duplicate fields", `{ institution(id: "x") {` + strings.Repeat(" name", 50000) + " } }", []string{"more than 5000 tokens"}},
		{"first: 99999999", `{ institutions(first: 99999999) { edges { node { name } } } }`, []string{"exceeds the limit of 100000"}},
		{"a cycle nested 19 lists deep", nest(9, "name"), []string{"exceeds the limit of 100000"}},
		{"fragments spread into each other, doubling", fanOut(24), []string{"16777216 times in one place"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantRefused(t, do(tc.query, nil), "QUERY_TOO_COMPLEX", tc.mention...)
		})
	}
}

// fanOut is a document whose fragments each spread the next twice: n
// fragments expand to 2^n fields.
func fanOut(n int) string {
	var b strings.Builder
	b.WriteString(`{ institution(id: "x") { ...F0 } }`)
	for i := range n {
		fmt.Fprintf(&b, " fragment F%d on Institution { ...F%d ...F%d }", i, i+1, i+1)
	}
	fmt.Fprintf(&b, " fragment F%d on Institution { name }", n)
	return b.String()
}

// Deep cycles are refused by their cost, too, when the depth limit would let
// them through: the cost saturates instead of wrapping round to a small one.
func TestDeepCycleCostSaturates(t *testing.T) {
	do := storeless(t, graph.Options{MaxDepth: 1000})
	for _, levels := range []int{5, 19, 40, 400} {
		r := do(nest(levels, "name"), nil)
		wantRefused(t, r, "QUERY_TOO_COMPLEX", "limit of 100000")
	}
}

func TestRecursiveFragmentsAreMalformed(t *testing.T) {
	do := storeless(t, graph.Options{})
	q := `{ institution(id: "x") { ...A } } fragment A on Institution { sites { institution { ...B } } } fragment B on Institution { ...A }`
	r := do(q, nil)
	if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
		t.Fatalf("want BAD_USER_INPUT: %s", r.Raw)
	}
	assertNoLeak(t, r)
}

// Signposting runs several statements: twenty of them cost more than
// pages of plain records, and a hundred are refused by cost even when the
// root-field limit would let them through.
func TestSignpostIsPricedForItsWork(t *testing.T) {
	do := storeless(t, graph.Options{MaxRootFields: 1000, MaxAliases: 1000})
	var b strings.Builder
	b.WriteString("{")
	for i := range 100 {
		fmt.Fprintf(&b, " s%d: signpost(need: SELF_HARM, urgency: URGENT) { service { name } }", i)
	}
	b.WriteString(" }")
	wantRefused(t, do(b.String(), nil), "QUERY_TOO_COMPLEX", "exceeds the limit of 100000")
}

// Fields left out by @skip and @include cost nothing, with literals and
// with variables; the same fields included are refused.
func TestSkippedFieldsDoNotCount(t *testing.T) {
	do := storeless(t, graph.Options{})
	heavy := `institutions(first: 100) { edges { node { services { name contactPoints { name institution { services { name } } } } } } }`
	for _, q := range []struct {
		query string
		vars  map[string]any
	}{
		{`{ __typename heavy: ` + heavy[:len("institutions(first: 100)")] + ` @include(if: false)` + heavy[len("institutions(first: 100)"):] + ` }`, nil},
		{`{ __typename heavy: ` + heavy[:len("institutions(first: 100)")] + ` @skip(if: true)` + heavy[len("institutions(first: 100)"):] + ` }`, nil},
		{`query($on: Boolean!) { __typename heavy: ` + heavy[:len("institutions(first: 100)")] + ` @include(if: $on)` + heavy[len("institutions(first: 100)"):] + ` }`, map[string]any{"on": false}},
		{`query($off: Boolean!) { __typename ... @skip(if: $off) { heavy: ` + heavy + ` } }`, map[string]any{"off": true}},
	} {
		r := do(q.query, q.vars)
		if len(r.Errors) != 0 || !strings.Contains(string(r.Data), `"__typename":"Query"`) {
			t.Errorf("skipped fields were counted: %s\n%s", r.Raw, q.query)
		}
		flipped := map[string]any{"on": true, "off": false}
		if q.vars != nil {
			wantRefused(t, do(q.query, flipped), "QUERY_TOO_COMPLEX")
		}
	}
}

// Validation errors stop at the limit, the last saying how many more there
// were, so a small document cannot make a huge answer.
func TestErrorsAreCapped(t *testing.T) {
	do := storeless(t, graph.Options{MaxErrors: 10})
	r := do("{ __typename"+strings.Repeat(" @a", 1000)+" }", nil)
	if len(r.Errors) != 10 {
		t.Fatalf("%d errors, want 10", len(r.Errors))
	}
	last := r.Errors[9]
	if !strings.Contains(last.Message, "more errors, not shown") || last.Extensions["code"] != "BAD_USER_INPUT" {
		t.Errorf("last error: %+v", last)
	}
	if len(r.Raw) > 4000 {
		t.Errorf("response is %d bytes", len(r.Raw))
	}
}

func TestFieldSuggestionsAreOffByDefault(t *testing.T) {
	queries := []string{
		`{ institutionz(id: "x") { name } }`,
		`{ institution(id: "x") { nam } }`,
		`{ institution(idd: "x") { name } }`,
		`{ signpost(need: SELF_HARMS, urgency: URGENT) { section } }`,
		`query($f: InstitutionFiltr) { institutions(filter: $f) { totalCount } }`,
	}
	off := storeless(t, graph.Options{})
	on := storeless(t, graph.Options{FieldSuggestions: true})
	suggested := 0
	for _, q := range queries {
		if r := off(q, nil); strings.Contains(r.Raw, "Did you mean") || len(r.Errors) == 0 {
			t.Errorf("suggestion given by default (or no error): %s", r.Raw)
		}
		if strings.Contains(on(q, nil).Raw, "Did you mean") {
			suggested++
		}
	}
	if suggested == 0 {
		t.Error("FieldSuggestions: true gives no suggestions")
	}
}

func TestIntrospectionIsASetting(t *testing.T) {
	q := `{ __schema { queryType { name } } }`
	r := storeless(t, graph.Options{})(q, nil)
	if got := r.code(t); got != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "Introspection") {
		t.Errorf("introspection off: %s", r.Raw)
	}
	r = storeless(t, graph.Options{})(`{ __type(name: "Query") { name } }`, nil)
	if got := r.code(t); got != "BAD_USER_INPUT" {
		t.Errorf("__type with introspection off: %s", r.Raw)
	}
	r = storeless(t, graph.Options{Introspection: true})(q, nil)
	if len(r.Errors) != 0 || !strings.Contains(string(r.Data), `"name":"Query"`) {
		t.Errorf("introspection on: %s", r.Raw)
	}
	if r := storeless(t, graph.Options{})(`{ __typename }`, nil); len(r.Errors) != 0 {
		t.Errorf("__typename is not introspection: %s", r.Raw)
	}
}
