package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// runCLI runs `waymark ARGS` and returns its exit status and output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = exitCode(run(args, &out, &errOut), &errOut)
	return code, out.String(), errOut.String()
}

// `waymark --help` lists every subcommand and every setting; each
// subcommand's --help lists its flags; a wrong command line prints usage
// on stderr and exits 2.
func TestHelpAndUsage(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		code, out, _ := runCLI(t, args...)
		if code != 0 {
			t.Errorf("%v: exit %d", args, code)
		}
		for _, c := range commands {
			if !strings.Contains(out, "\n  "+c.name) {
				t.Errorf("%v does not list the %s command:\n%s", args, c.name, out)
			}
		}
		for _, s := range settings {
			if !strings.Contains(out, s.name) {
				t.Errorf("%v does not list %s", args, s.name)
			}
		}
	}

	code, out, _ := runCLI(t, "token", "--help")
	if code != 0 {
		t.Errorf("token --help: exit %d", code)
	}
	for _, f := range []string{"-role", "-name", "-partnership", "-institution", "-ttl", "-subject"} {
		if !strings.Contains(out, f) {
			t.Errorf("token --help does not list %s:\n%s", f, out)
		}
	}
	if code, out, _ := runCLI(t, "seed", "--help"); code != 0 || !strings.Contains(out, "-if-empty") {
		t.Errorf("seed --help: exit %d\n%s", code, out)
	}

	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"token", "--rol", "admin"}, "flag provided but not defined: -rol"},
		{[]string{"token", "--role", "lead", "liverpool"}, `unexpected argument "liverpool"`},
		{[]string{"seed", "--if-empty=maybe"}, "invalid boolean value"},
		{[]string{"serve", "--port", "80"}, "flag provided but not defined: -port"},
		{[]string{"migrate", "now"}, `unexpected argument "now"`},
	} {
		code, out, errOut := runCLI(t, tc.args...)
		if code != 2 || out != "" || !strings.Contains(errOut, tc.says) || !strings.Contains(errOut, "Usage: waymark") {
			t.Errorf("%v: exit %d, stdout %q, stderr:\n%s", tc.args, code, out, errOut)
		}
	}
	// A flag's value that is not one it takes is a usage error too; a
	// failure of the work itself is not.
	for _, args := range [][]string{{"token", "--role", "king"}, {"token"}, {"token", "--role", "lead", "--ttl", "9999h"}} {
		if code, _, errOut := runCLI(t, args...); code != 2 || !strings.Contains(errOut, "must be") || !strings.Contains(errOut, "Usage: waymark token") {
			t.Errorf("%v: exit %d: %s", args, code, errOut)
		}
	}
	if code, _, errOut := runCLI(t, "token", "--role", "lead", "--partnership", "atlantis"); code != 1 || !strings.Contains(errOut, "atlantis") {
		t.Errorf("token --partnership atlantis: exit %d: %s", code, errOut)
	}
}

// The README's configuration table names every setting the server reads.
func TestReadmeListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range settings {
		if !bytes.Contains(readme, []byte("| `"+s.name+"` |")) {
			t.Errorf("README's configuration table has no row for %s", s.name)
		}
	}
}

// Development tokens for different people have different subjects, so the
// audit log can tell them apart.
func TestDevTokenSubjects(t *testing.T) {
	cfg := testConfig(t, nil)
	sub := func(args ...string) string {
		out, err := runToken(t, cfg, args...)
		if err != nil {
			t.Fatal(err)
		}
		c := jwt.MapClaims{}
		if _, _, err := jwt.NewParser().ParseUnverified(strings.TrimSpace(out), c); err != nil {
			t.Fatal(err)
		}
		s, _ := c.GetSubject()
		return s
	}
	seen := map[string]string{}
	for _, name := range []string{"Sam Okoye", "Dana Lead", "Zoë Brontë", "Ngozi O'Neill-Adeyemi", "李雷", "!!!", "???"} {
		s := sub("--role", "lead", "--partnership", "liverpool", "--name", name)
		if other, dup := seen[s]; dup {
			t.Errorf("%q and %q both get sub %q", name, other, s)
		}
		seen[s] = name
	}
	if got := sub("--role", "lead", "--name", "Sam Okoye"); got != "dev-lead-sam-okoye" {
		t.Errorf("sub for Sam Okoye = %q, want dev-lead-sam-okoye", got)
	}
	if got := sub("--role", "admin", "--name", "Zoë Brontë"); got != "dev-admin-zoë-brontë" {
		t.Errorf("sub for Zoë Brontë = %q", got)
	}
	if got := sub("--role", "professional"); got != "dev-professional" {
		t.Errorf("sub without a name = %q, want dev-professional", got)
	}
}

// A development server listens on the loopback interface only, unless
// WAYMARK_LISTEN_ADDR says otherwise; production listens on all of them.
func TestListenAddress(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{nil, "127.0.0.1"},
		{map[string]string{"WAYMARK_LISTEN_ADDR": "0.0.0.0"}, "0.0.0.0"},
		{map[string]string{"WAYMARK_ENV": "production", "WAYMARK_JWKS_URL": "https://idp.example/jwks", "WAYMARK_JWT_ISSUER": "https://idp.example"}, ""},
		{map[string]string{"WAYMARK_ENV": "production", "WAYMARK_JWKS_URL": "https://idp.example/jwks", "WAYMARK_JWT_ISSUER": "https://idp.example",
			"WAYMARK_LISTEN_ADDR": "::1"}, "::1"},
	} {
		cfg := testConfig(t, tc.env)
		if cfg.ListenAddr != tc.want {
			t.Errorf("%v: listen address %q, want %q", tc.env, cfg.ListenAddr, tc.want)
		}
	}
	if _, err := loadConfig(func(k string) string { return map[string]string{"WAYMARK_LISTEN_ADDR": "everywhere"}[k] }); err == nil {
		t.Error("WAYMARK_LISTEN_ADDR=everywhere accepted")
	}

	cfg := testConfig(t, nil)
	cfg.Port = "0" // any free port
	l, err := listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if ip := l.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		t.Errorf("development server listens on %v, want loopback only", l.Addr())
	}
}

// When the port is taken, serve fails with a plain message and never logs
// that it is serving.
func TestServePortInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	_, port, _ := net.SplitHostPort(taken.Addr().String())
	cfg := testConfig(t, map[string]string{"PORT": port, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"})
	var logs bytes.Buffer
	err = serve(context.Background(), cfg, newLogger(cfg, &logs))
	if err == nil || !strings.Contains(err.Error(), "already in use") || !strings.Contains(err.Error(), port) {
		t.Errorf("serve on a taken port: %v", err)
	}
	if strings.Contains(logs.String(), "serving") {
		t.Errorf("logged serving before failing:\n%s", logs.String())
	}
}

// A development server on loopback answers only requests addressed to this
// machine, so that a web page cannot reach it by DNS rebinding.
func TestDevelopmentServerAnswersLocalHostsOnly(t *testing.T) {
	h := localHostOnly(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	for host, want := range map[string]int{
		"localhost:8080": 204, "127.0.0.1:8080": 204, "[::1]:8080": 204, "localhost": 204,
		"attacker.example:8080": 421, "127.0.0.1.nip.io:8080": 421, "": 421,
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		req.Host = host
		h.ServeHTTP(rec, req)
		if rec.Code != want || want == 421 && !strings.Contains(rec.Body.String(), `"FORBIDDEN"`) {
			t.Errorf("Host %q: %d %s, want %d", host, rec.Code, rec.Body.String(), want)
		}
	}
}

// Development mode refuses an identity provider's keys (a real deployment
// that forgot WAYMARK_ENV=production would let in the public development
// key), and PORT is a plain number.
func TestConfigFailsClosed(t *testing.T) {
	for _, env := range []map[string]string{
		{"WAYMARK_JWKS_URL": "https://login.idp.example/jwks", "WAYMARK_JWT_ISSUER": "https://login.idp.example"},
		{"PORT": "+80"}, {"PORT": "080"}, {"PORT": "8080 "},
	} {
		if _, err := loadConfig(func(k string) string { return env[k] }); err == nil {
			t.Errorf("%v accepted", env)
		}
	}
}
