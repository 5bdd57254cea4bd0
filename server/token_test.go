package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/waymark/waymark/seed"
	"github.com/waymark/waymark/store"
)

// runToken runs `waymark token ARGS` and returns what it printed.
func runToken(t *testing.T, cfg config, args ...string) (string, error) {
	t.Helper()
	var out strings.Builder
	err := printToken(cfg, args, &out)
	return out.String(), err
}

// unverifiedClaims reads a token's header and claims without checking it.
func unverifiedClaims(t *testing.T, tok string) (map[string]any, jwt.MapClaims) {
	t.Helper()
	c := jwt.MapClaims{}
	parsed, _, err := jwt.NewParser().ParseUnverified(tok, c)
	if err != nil {
		t.Fatalf("printed token does not parse: %v", err)
	}
	return parsed.Header, c
}

// `waymark token` prints one development token that the server accepts,
// carrying the role, name and scope asked for, valid for --ttl.
func TestPrintToken(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, nil)
	v, err := newVerifier(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	bristol := id("Partnership", "partnerships", "bristol")
	start := time.Now()
	out, err := runToken(t, cfg, "--role", "lead", "--partnership", "liverpool", "--partnership", bristol,
		"--institution", "ljmu", "--name", "Dana Lead", "--ttl", "2h")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") || strings.Count(out, ".") != 2 {
		t.Fatalf("want one token on one line, got %q", out)
	}
	tok := strings.TrimSpace(out)

	viewer, err := v.verify(tok)
	if err != nil {
		t.Fatalf("the server refuses the printed token: %v", err)
	}
	want := store.Viewer{Subject: "dev-lead-dana-lead", Name: "Dana Lead", Role: store.RoleLead,
		Partnerships: []uuid.UUID{seed.ID("partnerships", "liverpool"), seed.ID("partnerships", "bristol")},
		Institutions: []uuid.UUID{seed.ID("institutions", "ljmu")}}
	if viewer.Subject != want.Subject || viewer.Name != want.Name || viewer.Role != want.Role ||
		!slices.Equal(viewer.Partnerships, want.Partnerships) || !slices.Equal(viewer.Institutions, want.Institutions) {
		t.Errorf("viewer = %+v, want %+v", viewer, want)
	}

	header, c := unverifiedClaims(t, tok)
	if header["alg"] != "HS256" {
		t.Errorf("alg %v, want HS256", header["alg"])
	}
	// Seed keys become global IDs; a global ID is kept as it is.
	if p, _ := c["waymark_partnerships"].([]any); len(p) != 2 || p[0] != id("Partnership", "partnerships", "liverpool") || p[1] != bristol {
		t.Errorf("waymark_partnerships = %v", c["waymark_partnerships"])
	}
	if i, _ := c["waymark_institutions"].([]any); len(i) != 1 || i[0] != id("Institution", "institutions", "ljmu") {
		t.Errorf("waymark_institutions = %v", c["waymark_institutions"])
	}
	if iss, _ := c.GetIssuer(); iss != cfg.JWTIssuer {
		t.Errorf("iss %q, want %q", iss, cfg.JWTIssuer)
	}
	if aud, _ := c.GetAudience(); !slices.Equal(aud, jwt.ClaimStrings{"waymark"}) {
		t.Errorf("aud %v, want [waymark]", aud)
	}
	exp, err := c.GetExpirationTime()
	if err != nil || exp == nil {
		t.Fatalf("exp: %v %v", exp, err)
	}
	if d := exp.Sub(start.Add(2 * time.Hour)); d < -2*time.Second || d > 5*time.Second {
		t.Errorf("exp is %v from now+2h", d)
	}

	// Defaults: an hour, a subject made from the role, no name, no scope.
	out, err = runToken(t, cfg, "--role", "admin")
	if err != nil {
		t.Fatal(err)
	}
	viewer, err = v.verify(strings.TrimSpace(out))
	if err != nil || viewer.Role != store.RoleAdmin || viewer.Subject != "dev-admin" || viewer.Name != "" ||
		len(viewer.Partnerships) != 0 || len(viewer.Institutions) != 0 {
		t.Errorf("admin token: %+v, %v", viewer, err)
	}
	_, c = unverifiedClaims(t, strings.TrimSpace(out))
	if exp, _ := c.GetExpirationTime(); exp == nil || time.Until(exp.Time) < 59*time.Minute || time.Until(exp.Time) > 61*time.Minute {
		t.Errorf("default ttl: exp %v, want an hour from now", exp)
	}

	// --subject.
	out, err = runToken(t, cfg, "--role", "professional", "--subject", "nhs|amir")
	if err != nil {
		t.Fatal(err)
	}
	if viewer, err = v.verify(strings.TrimSpace(out)); err != nil || viewer.Subject != "nhs|amir" || viewer.Role != store.RoleProfessional {
		t.Errorf("--subject: %+v, %v", viewer, err)
	}
}

// The token is signed with the configured key, issuer and audience, so it
// verifies with that configuration and no other.
func TestPrintTokenUsesConfiguredKey(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, map[string]string{"WAYMARK_DEV_SIGNING_KEY": "team-development-key-0123456789abcdef",
		"WAYMARK_JWT_ISSUER": "https://dev.example", "WAYMARK_JWT_AUDIENCE": "waymark-dev"})
	out, err := runToken(t, cfg, "--role", "professional")
	if err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimSpace(out)
	v, err := newVerifier(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.verify(tok); err != nil {
		t.Errorf("refused by its own configuration: %v", err)
	}
	other, err := newVerifier(t.Context(), testConfig(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.verify(tok); err == nil {
		t.Error("accepted by a server with the default key, issuer and audience")
	}
}

func TestPrintTokenRefusesBadArguments(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, nil)
	for _, args := range [][]string{
		{},
		{"--role", ""},
		{"--role", "student"},
		{"--role", "Admin"},
		{"--role", "superuser"},
		{"--role", "admin", "--ttl", "0s"},
		{"--role", "admin", "--ttl", "-1h"},
		{"--role", "admin", "--ttl", "721h"},
		{"--role", "admin", "--ttl", "soon"},
		{"--role", "admin", "--ttl", "60"},
		{"--role", "admin", "--scope", "everything"},
	} {
		out, err := runToken(t, cfg, args...)
		if err == nil || out != "" {
			t.Errorf("token %q: printed %q, error %v; want an error and nothing printed", args, out, err)
		}
	}
	if _, err := runToken(t, cfg, "--role", "admin", "--ttl", "720h"); err != nil {
		t.Errorf("--ttl 720h (the maximum): %v", err)
	}
	if _, err := runToken(t, cfg, "--role", "admin", "--ttl", "1s"); err != nil {
		t.Errorf("--ttl 1s (the minimum): %v", err)
	}
}

// The development key is refused in production: `waymark token` prints nothing.
func TestPrintTokenRefusedInProduction(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, map[string]string{"WAYMARK_ENV": "production",
		"WAYMARK_JWKS_URL": "https://idp.example/jwks", "WAYMARK_JWT_ISSUER": "https://idp.example"})
	out, err := runToken(t, cfg, "--role", "admin")
	if err == nil || out != "" || !strings.Contains(err.Error(), "production") {
		t.Errorf("production: printed %q, error %v; want a refusal naming production mode", out, err)
	}
}
