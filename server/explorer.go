package main

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	"github.com/waymark/waymark/graph"
	"github.com/waymark/waymark/seed"
)

// The explorer at / is GraphiQL, served entirely from the binary so that it
// works with no internet, e.g. on hospital networks that block CDNs (issue 8,
// item 5). The
// third-party files in explorer/npm are pinned copies from the npm registry
// (explorer/refresh.sh, `make explorer-assets`); explorer/explorer.js starts
// GraphiQL with Waymark's own examples as tabs.

var (
	//go:embed explorer/index.html
	explorerPageSource string

	//go:embed explorer/explorer.js explorer/explorer.css explorer/npm/*/*.js explorer/npm/*/*.css
	explorerEmbedded embed.FS
)

// explorerCSP is the page's Content-Security-Policy: nothing from another
// origin, and no inline script (explorer.js is a file for that reason).
// style-src needs 'unsafe-inline' because GraphiQL's dialogs and menus add
// <style> elements (react-remove-scroll) and CodeMirror's search and
// jump-to-line boxes are HTML with style attributes; GraphiQL's fonts and
// icons are data: URLs in graphiql.min.css.
const explorerCSP = "default-src 'self'; script-src 'self'; connect-src 'self'; " +
	"style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// explorerAssetsPath is where the explorer's files are served: under a hash
// of their content, so that they can be cached for good and a new binary's
// files are fetched afresh.
var explorerAssetsPath = "/explorer/" + explorerAssetsHash() + "/"

// explorerPage is the page at /, made once: it names the files under
// explorerAssetsPath and carries the example tabs in a data attribute.
var explorerPage = func() []byte {
	tabs, err := json.Marshal(explorerTabs())
	if err != nil {
		panic(err)
	}
	var b bytes.Buffer
	t := template.Must(template.New("explorer").Parse(explorerPageSource))
	if err := t.Execute(&b, map[string]string{"Assets": explorerAssetsPath, "Tabs": string(tabs)}); err != nil {
		panic(err)
	}
	return b.Bytes()
}()

// explorerHandler serves the explorer's page at /.
func explorerHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", explorerCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		_, _ = w.Write(explorerPage)
	})
}

// explorerAssets serves the explorer's files under explorerAssetsPath, to be
// mounted at /explorer/*. Anything else under /explorer/ is not found.
func explorerAssets() http.Handler {
	files, err := fs.Sub(explorerEmbedded, "explorer")
	if err != nil {
		panic(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, explorerAssetsPath)
		if info, err := fs.Stat(files, name); !ok || err != nil || info.IsDir() {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		http.ServeFileFS(w, r, files, name)
	})
}

// explorerAssetsHash is a short hash of every embedded file, names included.
func explorerAssetsHash() string {
	h := sha256.New()
	err := fs.WalkDir(explorerEmbedded, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := explorerEmbedded.ReadFile(name)
		if err != nil {
			return err
		}
		h.Write([]byte(name))
		h.Write(b)
		return nil
	})
	if err != nil {
		panic(err)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// explorerTab is one of GraphiQL's defaultTabs; variables and headers are
// the text of their editors.
type explorerTab struct {
	Query     string `json:"query"`
	Variables string `json:"variables"`
	Headers   string `json:"headers"`
}

// explorerExample is a tab the explorer opens with: one of the README's
// examples, for one kind of caller.
type explorerExample struct {
	who       string         // who it is for
	token     []string       // arguments of `waymark token` for them; none when anonymous
	query     string         // after the comment made from who and token
	variables map[string]any // IDs made by seededID, so they follow the seed
}

// explorerExamples follow the README's "The API" section, one per kind of
// caller.
var explorerExamples = []explorerExample{{
	who: "a student, in the signposting app",
	query: `# What should I do right now? A University of Liverpool student, at night,
# with thoughts of self-harm. signpost reads public records only and never
# names staff.
query StudentSignposting($uol: ID!) {
  signpost(institutionId: $uol, need: SELF_HARM, urgency: URGENT) {
    section
    service { name phone textNumber }
    howToAccess openNow whatToExpect expectedWaitDays
    via { from { name } }
  }
}
`,
	variables: map[string]any{"uol": seededID("Institution", "institutions", "uol")},
}, {
	who:   "an NHS or university professional",
	token: []string{"--role", "professional"},
	query: `# Who is Liverpool John Moores University's contact when one of its students
# leaves urgent care? Primaries come before deputies, and a contact who has
# left post is replaced by their successor (succeeded: true). Anonymous
# callers get an empty list: none of these contacts is public.
query ProfessionalContactPoints($ljmu: ID!) {
  contactPoints(institutionId: $ljmu, purpose: URGENT_CARE_NOTIFICATION) {
    role succeeded
    contactPoint { name jobTitle email phone hours lastVerifiedAt stale }
  }
}
`,
	variables: map[string]any{"ljmu": seededID("Institution", "institutions", "ljmu")},
}, {
	who:   "an NHS or university professional",
	token: []string{"--role", "professional"},
	query: `# A student who said they study at LJMU leaves A&E at the Royal Liverpool
# and consents to their university being told. How do I hand over?
# (With consent: REFUSED, nothing identifying is shared: see the warnings.)
query ProfessionalHandover($ae: ID!, $ljmu: ID!) {
  handover(fromServiceId: $ae, toInstitutionId: $ljmu, situation: PRESENTS_AT_URGENT_CARE, consent: GIVEN) {
    shareWithConsent receivingService { name }
    protocol { whatToSend channel timeLimitHours receivingPurpose }
    contactPoints { role succeeded contactPoint { name email phone outOfHoursPhone stale } }
    agreement { name lawfulBasis }
    studentCanExpect { firstContactWithinDays description }
    warnings { code message }
  }
}
`,
	variables: map[string]any{
		"ae":   seededID("Service", "services", "rluh-ae-liaison"),
		"ljmu": seededID("Institution", "institutions", "ljmu"),
	},
}, {
	who:   "a partnership lead",
	token: []string{"--role", "lead", "--partnership", "liverpool", "--name", "Sam Okoye"},
	query: `# U-COPE's wait has grown. Every edit carries expectedVersion, the version
# it was based on (a seeded record starts at 1): run this twice and the second
# run fails with CONFLICT and extensions.currentVersion. The edit and its
# reason go in the audit log under your name.
mutation LeadUpdatesService($ucope: ID!, $expectedVersion: Int!) {
  updateService(id: $ucope, expectedVersion: $expectedVersion,
      input: {expectedWaitDays: 21, capacityStatus: WAITING_LIST},
      reason: "More referrals since the start of term") {
    name version expectedWaitDays capacityStatus
  }
}
`,
	variables: map[string]any{"ucope": seededID("Service", "services", "ucope"), "expectedVersion": 1},
}}

// explorerTabs are the explorer's opening tabs. Each query starts with a
// comment saying who it is for and, when they sign in, how.
func explorerTabs() []explorerTab {
	tabs := make([]explorerTab, len(explorerExamples))
	for i, e := range explorerExamples {
		comment, headers := "# For "+e.who+": anonymous, so the Headers pane stays empty.\n", ""
		if e.token != nil {
			comment = "# For " + e.who + ", signed in. Make a development token with\n" +
				"#   bin/waymark token " + shellWords(e.token) + "\n" +
				"# and put it in the Headers pane below: {\"Authorization\": \"Bearer <token>\"}\n"
			headers = `{"Authorization": "Bearer <token>"}`
		}
		vars, err := json.MarshalIndent(e.variables, "", "  ")
		if err != nil {
			panic(err)
		}
		tabs[i] = explorerTab{Query: comment + "#\n" + e.query, Variables: string(vars), Headers: headers}
	}
	return tabs
}

// shellWords joins args as a shell command line would take them.
func shellWords(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = a
		if strings.ContainsAny(a, " '\"") {
			quoted[i] = strconv.Quote(a)
		}
	}
	return strings.Join(quoted, " ")
}

// seededID is the global ID of the seeded record of the given table and key.
func seededID(typ, table, key string) string { return graph.GlobalID(typ, seed.ID(table, key)) }
