package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/waymark/waymark/store/storetest"
)

// The page at / has a strict CSP, and every file it names is served from
// the binary, with its type and a long cache lifetime.
func TestExplorerPageAndAssets(t *testing.T) {
	h := testRouter(t, testConfig(t, nil), storetest.Pool(t))
	rec := serveGet(h, "/")
	if rec.Code != http.StatusOK {
		t.Fatalf("/: %d", rec.Code)
	}
	for k, want := range map[string]string{
		"Content-Security-Policy": explorerCSP,
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"Content-Type":            "text/html; charset=utf-8",
	} {
		if got := rec.Header().Get(k); got != want {
			t.Errorf("/ %s: %q, want %q", k, got, want)
		}
	}
	csp := map[string]string{}
	for d := range strings.SplitSeq(explorerCSP, ";") {
		name, sources, _ := strings.Cut(strings.TrimSpace(d), " ")
		csp[name] = sources
	}
	for name, want := range map[string]string{
		"default-src": "'self'", "script-src": "'self'", "connect-src": "'self'",
		"img-src": "'self' data:", "object-src": "'none'", "base-uri": "'none'", "frame-ancestors": "'none'",
	} {
		if csp[name] != want {
			t.Errorf("CSP %s: %q, want %q", name, csp[name], want)
		}
	}
	if strings.Contains(explorerCSP, "http") || strings.Contains(explorerCSP, "*") {
		t.Errorf("CSP allows another origin: %s", explorerCSP)
	}

	page := rec.Body.String()
	if regexp.MustCompile(`<script[^>]*>[^<]|<style|\son\w+=`).MatchString(page) {
		t.Errorf("the page has inline script or style:\n%s", page)
	}
	files := 0
	for _, ref := range regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		u := ref[1]
		if u == "data:," { // no icon
			continue
		}
		files++
		if !strings.HasPrefix(u, explorerAssetsPath) {
			t.Errorf("%s is not served from the binary", u)
			continue
		}
		rec := serveGet(h, u)
		want := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}[path.Ext(u)]
		if rec.Code != http.StatusOK || rec.Body.Len() == 0 || rec.Header().Get("Content-Type") != want ||
			rec.Header().Get("X-Content-Type-Options") != "nosniff" ||
			rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s: %d, %d bytes, headers %v", u, rec.Code, rec.Body.Len(), rec.Header())
		}
	}
	if files != 6 {
		t.Errorf("the page names %d files, want 6: GraphiQL's script and style, React, ReactDOM, explorer.js and .css", files)
	}

	for _, p := range []string{"/nowhere", "/index.html", "/explorer/", explorerAssetsPath, explorerAssetsPath + "npm",
		explorerAssetsPath + "npm/graphiql/", explorerAssetsPath + "npm/SOURCES", explorerAssetsPath + "index.html",
		"/explorer/0000000000000000/explorer.js", explorerAssetsPath + "../explorer.go"} {
		if rec := serveGet(h, p); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, rec.Code)
		}
	}
}

// serveGet is h's response to GET path.
func serveGet(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

// The third-party files served are the ones refresh.sh took from npm.
func TestExplorerAssetsMatchSources(t *testing.T) {
	sources, err := os.ReadFile("explorer/npm/SOURCES")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(sources))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("SOURCES: %q", line)
		}
		listed[name] = true
		b, err := explorerEmbedded.ReadFile("explorer/npm/" + name)
		if err != nil {
			t.Errorf("%s is in SOURCES but not in the binary", name)
			continue
		}
		if got := sha256.Sum256(b); hex.EncodeToString(got[:]) != sum {
			t.Errorf("%s has changed since refresh.sh took it from npm: run make explorer-assets", name)
		}
	}
	err = fs.WalkDir(explorerEmbedded, "explorer/npm", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !listed[strings.TrimPrefix(name, "explorer/npm/")] {
			t.Errorf("%s is served but not in SOURCES", name)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// operationName finds the name of an example's operation, which GraphiQL
// shows as its tab's title.
var operationName = regexp.MustCompile(`(?m)^(?:query|mutation) (\w+)`)

// Every example tab works against the seed, signed in as its comment says.
func TestExplorerExamplesRun(t *testing.T) {
	s := newAPIServer(t)
	tabs := explorerTabs()
	for i, e := range explorerExamples {
		tab := tabs[i]
		t.Run(operationName.FindStringSubmatch(tab.Query)[1], func(t *testing.T) {
			if !strings.HasPrefix(tab.Query, "# For "+e.who) {
				t.Errorf("the query does not start by saying who it is for:\n%s", tab.Query)
			}
			auth := ""
			if e.token != nil {
				if !strings.Contains(tab.Query, "bin/waymark token "+shellWords(e.token)) ||
					tab.Headers != `{"Authorization": "Bearer <token>"}` {
					t.Errorf("a signed-in tab should say how to sign in: %q, headers %q", tab.Query, tab.Headers)
				}
				var tok bytes.Buffer
				if err := printToken(s.cfg, e.token, &tok); err != nil {
					t.Fatal(err)
				}
				auth = "Bearer " + strings.TrimSpace(tok.String())
			}
			var vars map[string]any
			if err := json.Unmarshal([]byte(tab.Variables), &vars); err != nil {
				t.Fatal(err)
			}
			r := s.on(t).doAuth(auth, tab.Query, vars)
			if r.Status != http.StatusOK || len(r.Errors) > 0 || !regexp.MustCompile(`"name":"[^"]+"`).Match(r.Data) {
				t.Errorf("%d %s", r.Status, r.Raw)
			}
		})
	}
}

// chromiumPath is Debian's chromium, which TestExplorerInBrowser installs
// when it is missing.
const chromiumPath = "/usr/bin/chromium"

// ensureChromium installs Debian's chromium when it is missing, failing
// when it cannot. A file lock keeps test binaries running at the same time
// from racing each other to apt-get.
func ensureChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err == nil {
		return
	}
	lock, err := os.OpenFile(path.Join(os.TempDir(), "waymark-chromium-install.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(chromiumPath); err == nil {
		return
	}
	if os.Geteuid() != 0 {
		t.Fatalf("the explorer's browser test needs %s: apt-get install --no-install-recommends chromium", chromiumPath)
	}
	apt := func(args ...string) ([]byte, error) {
		cmd := exec.Command("apt-get", append([]string{"-o", "DPkg::Lock::Timeout=300"}, args...)...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		return cmd.CombinedOutput()
	}
	start := time.Now()
	out, err := apt("install", "-y", "--no-install-recommends", "chromium")
	if err != nil { // perhaps the package lists are missing or stale
		if out, err = apt("update"); err == nil {
			out, err = apt("install", "-y", "--no-install-recommends", "chromium")
		}
	}
	if err != nil {
		t.Fatalf("cannot install chromium for the explorer's browser test: %v\n%s", err, out)
	}
	t.Logf("installed chromium in %s", time.Since(start).Round(time.Second))
}

// In a real browser with no network but the server's own, the explorer
// opens with Waymark's example tabs, runs the student's signposting, and
// keeps no token in browser storage; nothing is blocked by its CSP and
// nothing goes wrong in the console.
func TestExplorerInBrowser(t *testing.T) {
	ensureChromium(t)
	s := newAPIServer(t)
	ctx, finish := openBrowser(t, s.URL)

	// GraphiQL's editors are CodeMirror 5, which keeps its instance on its
	// element; GraphiQL keeps the name of the operation to run on the query
	// editor's, once it has parsed the query.
	const (
		query     = `document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror`
		variables = `document.querySelector('.graphiql-editor-tool > .graphiql-editor:nth-of-type(1) .CodeMirror').CodeMirror`
		headers   = `document.querySelector('.graphiql-editor-tool > .graphiql-editor:nth-of-type(2) .CodeMirror').CodeMirror`
		response  = `document.querySelector('.graphiql-response .CodeMirror').CodeMirror`
	)
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// run runs the active tab, once GraphiQL has taken in its query and
	// variables, and returns the response.
	run := func(tab explorerTab) string {
		t.Helper()
		do(chromedp.PollFunction[chromedp.Void](`(op, vars) => `+query+`.operationName === op && `+variables+`.getValue() === vars`,
			chromedp.WithPollingArgs(operationName.FindStringSubmatch(tab.Query)[1], tab.Variables)),
			chromedp.Evaluate[chromedp.Void](response+`.setValue('')`),
			chromedp.Click(chromedp.CSS(".graphiql-execute-button")),
			chromedp.Poll[chromedp.Void](response+`.getValue() !== ''`))
		return eval(response + `.getValue()`)
	}

	do(chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(".graphiql-query-editor .CodeMirror")))
	tabs := explorerTabs()
	var want []string
	for _, tab := range tabs {
		want = append(want, operationName.FindStringSubmatch(tab.Query)[1])
	}
	if titles := eval(`[...document.querySelectorAll('.graphiql-tab-button')].map(b => b.textContent).join()`); titles != strings.Join(want, ",") {
		t.Errorf("tabs %q, want %q", titles, want)
	}

	if out := run(tabs[0]); !strings.Contains(out, "Samaritans helpline") || !strings.Contains(out, "U-COPE") {
		t.Errorf("the student's signposting in the browser: %s", out)
	}

	// A professional puts a real token in the Headers pane and looks up
	// LJMU's urgent care contact, who is not public. GraphiQL takes an edit
	// into its tab 100 ms after it is made (in the order made), and its
	// history keeps the headers of the tab with each query run; so the test
	// also edits the query, and runs once the tabs GraphiQL stores (500 ms
	// after a change) show that edit.
	var tok bytes.Buffer
	if err := printToken(s.cfg, []string{"--role", "professional"}, &tok); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(tok.String())
	auth, _ := json.Marshal(`{"Authorization": "Bearer ` + token + `"}`)
	do(chromedp.Click(`//button[contains(@class, "graphiql-tab-button") and text()="`+want[1]+`"]`),
		chromedp.Click(chromedp.CSS(`button[data-name="headers"]`)))
	if placeholder := eval(headers + `.getValue()`); placeholder != tabs[1].Headers {
		t.Errorf("headers of a signed-in tab: %q", placeholder)
	}
	const edit = "# Signed in."
	do(chromedp.Evaluate[chromedp.Void](headers+`.setValue(`+string(auth)+`)`),
		chromedp.Evaluate[chromedp.Void](query+`.setValue(`+query+`.getValue() + '`+edit+`')`),
		chromedp.Poll[chromedp.Void](`(localStorage.getItem('graphiql:tabState') ?? '').includes('`+edit+`')`))
	if out := run(tabs[1]); !strings.Contains(out, "Priya Ramanathan-Hale") {
		t.Errorf("the professional's contact points in the browser: %s", out)
	}
	stored := eval(`JSON.stringify([localStorage, sessionStorage].map(s => Object.fromEntries(Object.entries(s))))`)
	if !strings.Contains(stored, "graphiql:queries") {
		t.Errorf("GraphiQL's history was not stored, so the storage was not tested: %s", stored)
	}
	if strings.Contains(stored, token) {
		t.Errorf("browser storage keeps the token: %s", stored)
	}

	// GraphiQL's dialogs add style elements: the reason for style-src
	// 'unsafe-inline'.
	do(chromedp.Click(chromedp.CSS(`button[aria-label="Open settings dialog"]`)), chromedp.WaitVisible(chromedp.CSS(".graphiql-dialog")))

	blocked, problems := finish()
	if len(blocked) > 0 {
		t.Errorf("the page tried to reach other origins: %q", blocked)
	}
	for _, p := range problems {
		t.Errorf("in the browser: %.300s", p)
	}
}

// openBrowser starts chromium with a fresh profile and opens a tab in which
// every request waits for a word from the test: those to origin go on, any
// other fails. finish reports the URLs of those that failed, and the
// console errors, uncaught exceptions and errors of the browser's log
// (where CSP violations go) so far.
func openBrowser(t *testing.T, origin string) (ctx context.Context, finish func() (blocked, problems []string)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	ctx, cancel = chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// No host name resolves, for anything the browser itself might
		// fetch outside a page.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.UserDataDir(t.TempDir()),
		// Chromium leaves its singleton socket in TMPDIR: keep it in the test's.
		chromedp.Env("TMPDIR="+t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	t.Cleanup(cancel)
	ctx, cancel = chromedp.NewContext(ctx)
	t.Cleanup(cancel)

	var mu sync.Mutex
	var blocked []string
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			if u, err := url.Parse(ev.Request.URL); err == nil && u.Scheme+"://"+u.Host == origin {
				_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
				continue
			}
			mu.Lock()
			blocked = append(blocked, ev.Request.URL)
			mu.Unlock()
			_, _ = chromedp.Call(ctx, fetch.FailRequest,
				fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
		}
	}()
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}}); err != nil {
		t.Fatal(err)
	}

	// The console's messages come in order, so once the last one has come
	// all those before it have been seen.
	const last = "the test is over"
	var problems []string
	messages, done := chromedp.Console(ctx), make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil || m.Text == last {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				problems = append(problems, fmt.Sprintf("%s (%s %s:%d)", m, m.Source, m.URL, m.Line+1))
			}
		}
	}()
	return ctx, func() ([]string, []string) {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`console.info('`+last+`')`)); err != nil {
			t.Fatal(err)
		}
		<-done
		mu.Lock()
		defer mu.Unlock()
		return blocked, problems
	}
}
