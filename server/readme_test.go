package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEExamples runs every GraphQL example in README.md, in order,
// against one freshly seeded database (the state `make run` starts from),
// so that the README cannot drift from what Waymark does. The README's
// conventions, which readREADME parses:
//
//   - An example is a ```graphql block. When the paragraph just before it
//     names a token, as `bin/waymark token ARGS`, it is sent with that token;
//     otherwise it runs anonymously.
//   - Its variables are the ```json block after a line "Variables:". Each
//     variable is named after, and must hold, an ID from the list under
//     "Finding the IDs the examples use".
//   - The next other ```json or ```mermaid block before the next example is
//     its answer, abridged: "…" stands for what is left out. Every string
//     (each part of it between "…"s), number, true, false and null printed
//     must be in the real answer, as the same field and in the same order;
//     every line of a ```mermaid answer (but "%%" comments) must be a line
//     of it, in order. An answer with "errors" says the example fails;
//     otherwise it must not fail and none of its top-level fields may be
//     null or empty.
//   - Each item of that list, "`$name`, what it is: `{ query }` → `ID`",
//     is run like an example (with a token when it says "as
//     `bin/waymark token ARGS`"), and its answer must contain the ID.
func TestREADMEExamples(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	examples, err := readREADME(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	s := newAPIServer(t)
	ids := map[string]string{} // variable name → ID, from the list of IDs
	for _, ex := range examples {
		ok := t.Run(fmt.Sprintf("README.md:%d", ex.line), func(t *testing.T) {
			for name, value := range ex.vars {
				if want, ok := ids[name]; !ok || value != want {
					t.Fatalf("variable $%s is %v; want the ID listed for $%[1]s under \"Finding the IDs the examples use\" (%q)", name, value, want)
				}
			}
			auth := ""
			if ex.token != nil {
				var tok strings.Builder
				if err := printToken(s.cfg, ex.token, &tok); err != nil {
					t.Fatal(err)
				}
				auth = "Bearer " + strings.TrimSpace(tok.String())
			}
			r := s.on(t).doAuth(auth, ex.query, ex.vars)
			for name, id := range ex.defines {
				if !strings.Contains(string(r.Data), `"`+id+`"`) {
					t.Errorf("$%s: the answer does not contain the ID printed for it, %s: %s", name, id, r.Raw)
				}
				ids[name] = id
			}
			fails := strings.Contains(ex.answer, `"errors"`)
			if !fails {
				checkData(t, r)
			} else if len(r.Errors) == 0 {
				t.Errorf("the README says this fails, but it succeeded: %s", r.Raw)
			}
			if ex.answer != "" {
				if err := checkAnswer(ex.answer, ex.mermaid, r.Raw); err != nil {
					t.Errorf("the answer printed after the example is not the real one: %v\nreal answer: %s", err, r.Raw)
				}
			}
		})
		if !ok && ex.defines != nil {
			t.Fatal("later examples use the IDs this one defines")
		}
	}
}

// example is a GraphQL request printed in README.md.
type example struct {
	line    int      // of README.md, where the query starts
	token   []string // arguments of `waymark token`; nil: anonymous
	query   string
	vars    map[string]any
	answer  string            // the answer printed after it; "" if none
	mermaid bool              // the answer is a ```mermaid block
	defines map[string]string // variable name → ID, for an item of the list of IDs
}

// idsHeading heads the README's list of IDs.
const idsHeading = "### Finding the IDs the examples use"

var (
	codeSpan  = regexp.MustCompile("`([^`]+)`")
	tokenSpan = regexp.MustCompile("`bin/waymark token ([^`]+)`")
	globalID  = regexp.MustCompile(`^[A-Za-z0-9_-]{40,}$`)
)

// readREADME finds the examples in a README, in order, with the items of
// its list of IDs first where that list comes first.
func readREADME(readme string) ([]example, error) {
	lines := strings.Split(readme, "\n")
	var (
		out      []example
		para     []string // the paragraph being read
		lastPara string   // the paragraph before, when only blank lines followed it
		inIDs    bool     // in the section with the list of IDs
		cur      *example // the last example, while it is the last of out
	)
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "#") {
			inIDs = l == idsHeading
		}
		if inIDs && strings.HasPrefix(l, "- ") {
			item, start := l, i+1
			for i+1 < len(lines) && strings.HasPrefix(lines[i+1], "  ") {
				i++
				item += " " + strings.TrimSpace(lines[i])
			}
			ex, err := idItem(item)
			if err != nil {
				return nil, fmt.Errorf("README.md:%d: %w", start, err)
			}
			ex.line = start
			out, cur = append(out, ex), nil
			continue
		}
		lang, fence := strings.CutPrefix(l, "```")
		if !fence {
			if strings.TrimSpace(l) == "" {
				if len(para) > 0 {
					lastPara = strings.Join(para, " ")
				}
				para = nil
			} else {
				para = append(para, l)
			}
			continue
		}
		intro := lastPara
		if len(para) > 0 {
			intro = strings.Join(para, " ")
		}
		para, lastPara = nil, ""
		start := i + 1
		for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
		}
		body := strings.Join(lines[start:min(i, len(lines))], "\n")
		where := fmt.Sprintf("README.md:%d", start)
		switch {
		case lang == "graphql":
			out = append(out, example{line: start, query: body, token: tokenArgs(intro)})
			cur = &out[len(out)-1]
		case lang == "json" && intro == "Variables:":
			if cur == nil || cur.vars != nil || cur.answer != "" {
				return nil, fmt.Errorf("%s: variables must come right after the query they are for", where)
			}
			if err := json.Unmarshal([]byte(body), &cur.vars); err != nil {
				return nil, fmt.Errorf("%s: variables: %v", where, err)
			}
		case lang == "json" || lang == "mermaid":
			if cur == nil || cur.answer != "" {
				return nil, fmt.Errorf("%s: an answer with no example of its own before it", where)
			}
			cur.answer, cur.mermaid = body, lang == "mermaid"
		}
	}
	return out, nil
}

// idItem reads an item of the list of IDs: "`$name`, what it is:
// `{ query }` → `ID`", naming a token when it needs one. An item may name
// several variables and give their IDs in the same order.
func idItem(item string) (example, error) {
	ex := example{token: tokenArgs(item), defines: map[string]string{}}
	var names, ids []string
	for _, m := range codeSpan.FindAllStringSubmatch(item, -1) {
		switch s := m[1]; {
		case strings.HasPrefix(s, "$"):
			names = append(names, s[1:])
		case strings.HasPrefix(s, "{"):
			ex.query = s
		case globalID.MatchString(s):
			ids = append(ids, s)
		}
	}
	if ex.query == "" || len(names) == 0 || len(names) != len(ids) {
		return ex, errors.New("an item of the list of IDs needs `$name`s, a `{ query }` and as many IDs")
	}
	for i, n := range names {
		ex.defines[n] = ids[i]
	}
	return ex, nil
}

// tokenArgs are the arguments of the `bin/waymark token ...` that text
// names (nil for none), split like a shell would split them: at spaces,
// except within double quotes.
func tokenArgs(text string) []string {
	m := tokenSpan.FindStringSubmatch(text)
	if m == nil {
		return nil
	}
	var args []string
	for i, part := range strings.Split(m[1], `"`) {
		if i%2 == 1 {
			args = append(args, part)
		} else {
			args = append(args, strings.Fields(part)...)
		}
	}
	return args
}

// checkData fails t unless r has no errors and every top-level field of its
// data has something in it.
func checkData(t *testing.T, r gqlResponse) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %s", r.Raw)
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal(r.Data, &data); err != nil || len(data) == 0 {
		t.Fatalf("no data: %s", r.Raw)
	}
	for f, v := range data {
		if s := string(v); s == "null" || s == "[]" {
			t.Errorf("%s is %s: %s", f, s, r.Raw)
		}
	}
}

// ellipsis is a string, or a "…" outside strings with the comma beside it.
var ellipsis = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|,\s*…|…\s*,?`)

// checkAnswer reports what the printed answer has that the real one (a
// whole GraphQL response) has not, in the same order.
func checkAnswer(printed string, mermaid bool, real string) error {
	got, err := leaves(real)
	if err != nil {
		return err
	}
	if mermaid {
		var lines []string
		for _, l := range got {
			if s, ok := l.value.(string); ok {
				lines = append(lines, strings.Split(s, "\n")...)
			}
		}
		for _, want := range strings.Split(printed, "\n") {
			if want = strings.TrimSpace(want); want == "" || strings.HasPrefix(want, "%%") {
				continue
			}
			i := 0
			for i < len(lines) && strings.TrimSpace(lines[i]) != want {
				i++
			}
			if i == len(lines) {
				return fmt.Errorf("no line %q (after the lines before it)", want)
			}
			lines = lines[i+1:]
		}
		return nil
	}
	want, err := leaves(ellipsis.ReplaceAllStringFunc(printed, func(m string) string {
		if strings.HasPrefix(m, `"`) {
			return m
		}
		return ""
	}))
	if err != nil {
		return fmt.Errorf("the printed answer is not JSON, even without its \"…\": %v", err)
	}
	for _, w := range want {
		i := 0
		for i < len(got) && !w.in(got[i]) {
			i++
		}
		if i == len(got) {
			return fmt.Errorf("no %v (after what matched before it)", w)
		}
		got = got[i+1:]
	}
	return nil
}

// leaf is a string, number, true, false or null in a JSON document, with
// the name of the field it is, or of the list it is in.
type leaf struct {
	field string
	value any // string, json.Number, bool or nil
}

func (l leaf) String() string {
	if s, ok := l.value.(string); ok {
		return fmt.Sprintf("%s: %q", l.field, s)
	}
	if l.value == nil {
		return l.field + ": null"
	}
	return fmt.Sprintf("%s: %v", l.field, l.value)
}

// in reports whether l is found in real: the same field and value, where a
// string may leave out parts of the real one at each "…".
func (l leaf) in(real leaf) bool {
	if l.field != real.field {
		return false
	}
	s, ok := l.value.(string)
	if !ok {
		return l.value == real.value
	}
	rest, ok := real.value.(string)
	for _, part := range strings.Split(s, "…") {
		part = strings.TrimSpace(part)
		i := strings.Index(rest, part)
		if !ok || i < 0 {
			return false
		}
		rest = rest[i+len(part):]
	}
	return true
}

// leaves lists the leaves of a JSON document in document order.
func leaves(doc string) ([]leaf, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	type level struct {
		object bool
		field  string // the member being read, or the list's own field
	}
	var (
		out     []leaf
		stack   []level
		wantKey bool
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		top := len(stack) - 1
		if wantKey {
			if key, ok := tok.(string); ok {
				stack[top].field, wantKey = key, false
				continue
			}
		}
		field := ""
		if top >= 0 {
			field = stack[top].field
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, level{object: true})
		case json.Delim('['):
			stack = append(stack, level{field: field})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:top]
		default:
			out = append(out, leaf{field, tok})
		}
		wantKey = len(stack) > 0 && stack[len(stack)-1].object
	}
}
