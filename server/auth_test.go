package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/waymark/waymark/seed"
	"github.com/waymark/waymark/store"
	"github.com/waymark/waymark/store/storetest"
)

// ---------------------------------------------------------------------------
// Helpers

// newAuthServer is the whole HTTP server configured from env, over a fresh
// database (seeded when seeded is true).
func newAuthServer(t *testing.T, env map[string]string, seeded bool) *apiServer {
	t.Helper()
	var pool = storetest.Pool(t)
	if seeded {
		pool = storetest.Pool(t, storetest.WithData("seed-"+seed.Key(), seed.Load))
	}
	cfg := testConfig(t, env)
	srv := httptest.NewServer(testRouter(t, cfg, pool))
	t.Cleanup(srv.Close)
	return &apiServer{t: t, URL: srv.URL, Pool: pool, cfg: cfg}
}

// claimsFor are the claims of a valid token for cfg: a professional that
// expires in an hour. Tests change or delete entries to break it.
func claimsFor(cfg config) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"sub":          "test-subject",
		"iss":          cfg.JWTIssuer,
		"aud":          []string{cfg.JWTAudience},
		"iat":          now.Unix(),
		"exp":          now.Add(time.Hour).Unix(),
		"waymark_role": "professional",
	}
}

// signHS256 signs claims with an HMAC key.
func signHS256(t *testing.T, key []byte, c jwt.MapClaims, header map[string]any) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	for k, v := range header {
		tok.Header[k] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// signRSA signs claims with an RSA key under the given method and kid ("" for none).
func signRSA(t *testing.T, m jwt.SigningMethod, key *rsa.PrivateKey, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func b64json(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// unsignedToken is a token with alg "none" and an empty signature, built by
// hand because the JWT library will not make one.
func unsignedToken(t *testing.T, alg string, c jwt.MapClaims) string {
	t.Helper()
	return b64json(t, map[string]any{"alg": alg, "typ": "JWT"}) + "." + b64json(t, c) + "."
}

const viewerQuery = `{ viewer { subject name role } partnerships(first: 1) { totalCount } }`

// refused asserts the response is the sign-in refusal: HTTP 401 with a
// single UNAUTHENTICATED error and no data at all (not an anonymous answer).
func refused(t *testing.T, what string, r gqlResponse) {
	t.Helper()
	if r.Status != http.StatusUnauthorized {
		t.Errorf("%s: HTTP %d, want 401: %s", what, r.Status, r.Raw)
		return
	}
	if len(r.Errors) != 1 {
		t.Errorf("%s: want exactly one error, got %s", what, r.Raw)
		return
	}
	if c, _ := r.Errors[0].Extensions["code"].(string); c != "UNAUTHENTICATED" {
		t.Errorf("%s: code %q, want UNAUTHENTICATED: %s", what, c, r.Raw)
	}
	if !strings.HasPrefix(r.Errors[0].Message, "Sign-in refused: ") {
		t.Errorf("%s: message %q does not say sign-in was refused", what, r.Errors[0].Message)
	}
	if len(r.Data) != 0 || strings.Contains(r.Raw, `"data"`) || strings.Contains(r.Raw, "totalCount") {
		t.Errorf("%s: refused request still answered with data: %s", what, r.Raw)
	}
}

type viewerData struct {
	Viewer *struct {
		Subject      string
		Name         *string
		Role         string
		Partnerships []struct{ Name string }
		Institutions []struct{ Name string }
	}
	Partnerships struct{ TotalCount int }
}

// accepted asserts the request signed in as a viewer with the given subject
// and role, and returns what the server said about the viewer.
func accepted(t *testing.T, what string, r gqlResponse, subject, role string) viewerData {
	t.Helper()
	var d viewerData
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Errorf("%s: want a signed-in answer, got HTTP %d: %s", what, r.Status, r.Raw)
		return d
	}
	if err := json.Unmarshal(r.Data, &d); err != nil {
		t.Fatalf("%s: %v: %s", what, err, r.Raw)
	}
	if d.Viewer == nil || d.Viewer.Subject != subject || d.Viewer.Role != role {
		t.Errorf("%s: viewer %s, want subject %q role %s", what, r.Data, subject, role)
	}
	return d
}

// ---------------------------------------------------------------------------
// Through HTTP with the development key

// No Authorization header: an anonymous student, who gets public answers and
// no viewer. A development token: the viewer its claims describe.
func TestSignInAnonymousAndDevelopmentToken(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)

	r := s.doAuth("", `{ viewer { role } partnerships(first: 100) { totalCount edges { node { name } } } }`, nil)
	var anon struct {
		Viewer       *struct{ Role string }
		Partnerships struct {
			TotalCount int
			Edges      []struct{ Node struct{ Name string } }
		}
	}
	r.decode(t, &anon)
	if r.Status != http.StatusOK || anon.Viewer != nil {
		t.Errorf("anonymous: HTTP %d, viewer %+v; want 200 and viewer null", r.Status, anon.Viewer)
	}
	if anon.Partnerships.TotalCount < 2 || len(anon.Partnerships.Edges) != anon.Partnerships.TotalCount {
		t.Errorf("anonymous caller should see the public partnerships: %s", r.Raw)
	}

	lead := caller{Role: "lead", Name: "Dana Lead", Subject: "idp|dana",
		Partnerships: []string{"liverpool"}, Institutions: []string{"ljmu"}}
	r = s.do(lead, `{ viewer { subject name role partnerships { id name } institutions { id name } } }`, nil)
	var got struct {
		Viewer struct {
			Subject, Role string
			Name          *string
			Partnerships  []struct{ ID, Name string }
			Institutions  []struct{ ID, Name string }
		}
	}
	r.decode(t, &got)
	v := got.Viewer
	if v.Subject != "idp|dana" || v.Role != "LEAD" || v.Name == nil || *v.Name != "Dana Lead" {
		t.Errorf("viewer = %s", r.Data)
	}
	if len(v.Partnerships) != 1 || v.Partnerships[0].Name != "Liverpool Student Mental Health Partnership" ||
		v.Partnerships[0].ID != id("Partnership", "partnerships", "liverpool") {
		t.Errorf("viewer partnerships = %+v, want Liverpool", v.Partnerships)
	}
	if len(v.Institutions) != 1 || v.Institutions[0].Name != "Liverpool John Moores University" ||
		v.Institutions[0].ID != id("Institution", "institutions", "ljmu") {
		t.Errorf("viewer institutions = %+v, want LJMU", v.Institutions)
	}

	// Each role comes through as itself; a token without a name has none.
	for role, want := range map[string]string{"professional": "PROFESSIONAL", "lead": "LEAD", "admin": "ADMIN"} {
		d := accepted(t, role, s.do(caller{Role: role}, viewerQuery, nil), "test-"+role, want)
		if d.Viewer != nil && d.Viewer.Name != nil {
			t.Errorf("%s: name %q from a token without one", role, *d.Viewer.Name)
		}
	}

	// The scheme is case-insensitive (RFC 7235), and surrounding spaces are tolerated.
	tok := s.token(caller{Role: "admin"})
	accepted(t, "lower-case scheme", s.doAuth("bearer "+tok, viewerQuery, nil), "test-admin", "ADMIN")
	accepted(t, "extra spaces", s.doAuth("Bearer   "+tok+"  ", viewerQuery, nil), "test-admin", "ADMIN")
}

// Every way a token can be wrong is refused with 401 UNAUTHENTICATED; none
// of them is answered as if the caller were anonymous.
func TestSignInRefusesBadTokens(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	key := []byte(s.cfg.DevSigningKey)
	sign := func(c jwt.MapClaims) string { return signHS256(t, key, c, nil) }
	with := func(k string, v any) string {
		c := claimsFor(s.cfg)
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return sign(c)
	}
	now := time.Now()

	// The control: the unmodified claims, signed with the development key, are accepted.
	accepted(t, "control", s.doAuth("Bearer "+sign(claimsFor(s.cfg)), viewerQuery, nil), "test-subject", "PROFESSIONAL")
	// Within the 30 s leeway a just-expired or not-quite-valid token is still accepted.
	accepted(t, "expired 5 s ago", s.doAuth("Bearer "+with("exp", now.Add(-5*time.Second).Unix()), viewerQuery, nil), "test-subject", "PROFESSIONAL")
	accepted(t, "nbf in 5 s", s.doAuth("Bearer "+with("nbf", now.Add(5*time.Second).Unix()), viewerQuery, nil), "test-subject", "PROFESSIONAL")

	valid := sign(claimsFor(s.cfg))
	hs512, err := jwt.NewWithClaims(jwt.SigningMethodHS512, claimsFor(s.cfg)).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(valid, ".")
	admin := claimsFor(s.cfg)
	admin["waymark_role"] = "admin"
	tampered := parts[0] + "." + b64json(t, admin) + "." + parts[2]

	cases := map[string]string{
		"Basic scheme":                        "Basic dXNlcjpwYXNz",
		"Bearer with nothing":                 "Bearer",
		"Bearer with spaces only":             "Bearer    ",
		"token without scheme":                valid,
		"other scheme with a valid token":     "Token " + valid,
		"garbage":                             "Bearer not-a-token",
		"three garbage parts":                 "Bearer a.b.c",
		"truncated signature":                 "Bearer " + valid[:len(valid)-4],
		"payload changed to admin":            "Bearer " + tampered,
		"signed with another key":             "Bearer " + signHS256(t, []byte("another-signing-key-of-at-least-32-chars"), claimsFor(s.cfg), nil),
		"HS512 with the development key":      "Bearer " + hs512,
		"alg none":                            "Bearer " + unsignedToken(t, "none", claimsFor(s.cfg)),
		"alg None":                            "Bearer " + unsignedToken(t, "None", claimsFor(s.cfg)),
		"alg HS256 without signature":         "Bearer " + unsignedToken(t, "HS256", claimsFor(s.cfg)),
		"expired beyond the leeway":           "Bearer " + with("exp", now.Add(-2*time.Minute).Unix()),
		"nbf in the future":                   "Bearer " + with("nbf", now.Add(2*time.Minute).Unix()),
		"issued in the future":                "Bearer " + with("iat", now.Add(2*time.Minute).Unix()),
		"no exp":                              "Bearer " + with("exp", nil),
		"wrong issuer":                        "Bearer " + with("iss", "https://evil.example"),
		"no issuer":                           "Bearer " + with("iss", nil),
		"wrong audience":                      "Bearer " + with("aud", []string{"another-app"}),
		"no audience":                         "Bearer " + with("aud", nil),
		"no subject":                          "Bearer " + with("sub", nil),
		"empty subject":                       "Bearer " + with("sub", ""),
		"no role":                             "Bearer " + with("waymark_role", nil),
		"unknown role":                        "Bearer " + with("waymark_role", "superuser"),
		"empty role":                          "Bearer " + with("waymark_role", ""),
		"partnership is an Institution ID":    "Bearer " + with("waymark_partnerships", []string{id("Institution", "institutions", "ljmu")}),
		"partnership is a seed key":           "Bearer " + with("waymark_partnerships", []string{"liverpool"}),
		"partnership is garbage":              "Bearer " + with("waymark_partnerships", []string{"!!"}),
		"partnerships not a list":             "Bearer " + with("waymark_partnerships", id("Partnership", "partnerships", "liverpool")),
		"institution is a Partnership ID":     "Bearer " + with("waymark_institutions", []string{id("Partnership", "partnerships", "liverpool")}),
		"second of two partnerships is wrong": "Bearer " + with("waymark_partnerships", []string{id("Partnership", "partnerships", "liverpool"), "x"}),
	}
	for name, auth := range cases {
		refused(t, name, s.doAuth(auth, viewerQuery, nil))
	}

	// A mutation with a bad token is refused before it runs: nothing changes.
	before := s.count(`SELECT count(*) FROM audit_log`)
	r := s.doAuth("Bearer "+with("exp", now.Add(-time.Hour).Unix()),
		`mutation($id: ID!) { updateService(id: $id, expectedVersion: 1, input: {capacityStatus: CLOSED}) { version } }`,
		map[string]any{"id": id("Service", "services", "ucope")})
	refused(t, "mutation with an expired token", r)
	if after := s.count(`SELECT count(*) FROM audit_log`); after != before {
		t.Errorf("a refused mutation wrote %d audit rows", after-before)
	}
}

// The refusal tells clients how to authenticate.
func TestSignInRefusalHeaders(t *testing.T) {
	t.Parallel()
	s := newAuthServer(t, nil, false)
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(`{"query":"{ viewer { role } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer nope")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("refusal: %d, WWW-Authenticate %q, Content-Type %q", res.StatusCode,
			res.Header.Get("WWW-Authenticate"), res.Header.Get("Content-Type"))
	}
}

// ---------------------------------------------------------------------------
// JWKS

var testRSAKeys = sync.OnceValues(func() ([]*rsa.PrivateKey, error) {
	keys := make([]*rsa.PrivateKey, 3)
	for i := range keys {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	return keys, nil
})

func rsaKeys(t *testing.T) []*rsa.PrivateKey {
	t.Helper()
	k, err := testRSAKeys()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// jwk is the public JWK of key, marshalled by hand.
func jwk(kid string, key *rsa.PrivateKey) map[string]any {
	b := base64.RawURLEncoding.EncodeToString
	return map[string]any{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": b(key.N.Bytes()), "e": b(big.NewInt(int64(key.E)).Bytes())}
}

// jwksServer is an identity provider's JWK Set endpoint whose keys a test can change.
type jwksServer struct {
	URL     string
	mu      sync.Mutex
	keys    []map[string]any
	down    bool
	fetches atomic.Int32
}

func newJWKSServer(t *testing.T, keys ...map[string]any) *jwksServer {
	t.Helper()
	j := &jwksServer{keys: keys}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		j.fetches.Add(1)
		j.mu.Lock()
		defer j.mu.Unlock()
		if j.down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": j.keys})
	}))
	t.Cleanup(srv.Close)
	j.URL = srv.URL
	return j
}

func (j *jwksServer) set(down bool, keys ...map[string]any) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.down, j.keys = down, keys
}

const testIssuer = "https://idp.example"

// idpClaims are valid claims from the identity provider.
func idpClaims() jwt.MapClaims {
	c := claimsFor(config{JWTIssuer: testIssuer, JWTAudience: "waymark"})
	c["sub"] = "idp|user-1"
	c["waymark_role"] = "admin"
	return c
}

// confusionTokens are HS256 tokens whose HMAC secret is the RSA public key,
// in each form an attacker might try, with the JWKS key's kid.
func confusionTokens(t *testing.T, key *rsa.PrivateKey) map[string]string {
	t.Helper()
	pkix, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := x509.MarshalPKCS1PublicKey(&key.PublicKey)
	jwkJSON, _ := json.Marshal(jwk("k1", key))
	out := map[string]string{}
	for name, secret := range map[string][]byte{
		"PEM (PKIX)":  pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix}),
		"PEM (PKCS1)": pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: pkcs1}),
		"DER (PKIX)":  pkix,
		"DER (PKCS1)": pkcs1,
		"modulus":     key.N.Bytes(),
		"JWK JSON":    jwkJSON,
	} {
		out["HS256 with the public key as secret, "+name] = signHS256(t, secret, idpClaims(), map[string]any{"kid": "k1"})
	}
	return out
}

// In production, sign-in comes only from the identity provider's JWKS: its
// RS256 tokens are accepted, and nothing else is, including development
// tokens and HS256 tokens keyed with the identity provider's public key.
func TestJWKSSignInInProduction(t *testing.T) {
	t.Parallel()
	keys := rsaKeys(t)
	idp := newJWKSServer(t, jwk("k1", keys[0]))
	s := newAuthServer(t, map[string]string{"WAYMARK_ENV": "production", "WAYMARK_JWKS_URL": idp.URL, "WAYMARK_JWT_ISSUER": testIssuer}, false)

	accepted(t, "RS256 from the identity provider",
		s.doAuth("Bearer "+signRSA(t, jwt.SigningMethodRS256, keys[0], "k1", idpClaims()), viewerQuery, nil), "idp|user-1", "ADMIN")

	wrongIss := idpClaims()
	wrongIss["iss"] = "waymark-development"
	expired := idpClaims()
	expired["exp"] = time.Now().Add(-time.Hour).Unix()
	devClaims := idpClaims() // the identity provider's issuer and audience, so only the key is wrong
	cases := map[string]string{
		"RS256 signed by another key with the same kid": signRSA(t, jwt.SigningMethodRS256, keys[1], "k1", idpClaims()),
		"RS256 with the wrong issuer":                   signRSA(t, jwt.SigningMethodRS256, keys[0], "k1", wrongIss),
		"RS256 expired":                                 signRSA(t, jwt.SigningMethodRS256, keys[0], "k1", expired),
		"HS256 with the public development key":         signHS256(t, []byte(defaultDevSigningKey), devClaims, nil),
		"HS256 with the development key and kid k1":     signHS256(t, []byte(defaultDevSigningKey), devClaims, map[string]any{"kid": "k1"}),
		"alg none with kid k1":                          b64json(t, map[string]any{"alg": "none", "typ": "JWT", "kid": "k1"}) + "." + b64json(t, idpClaims()) + ".",
	}
	for name, tok := range confusionTokens(t, keys[0]) {
		cases[name] = tok
	}
	for name, tok := range cases {
		refused(t, name, s.doAuth("Bearer "+tok, viewerQuery, nil))
	}
	if n := idp.fetches.Load(); n != 1 {
		t.Errorf("the JWK Set was fetched %d times; it should be fetched once and cached", n)
	}
}

// An identity provider means a real deployment: in development mode, where
// the public development key signs tokens, one is refused outright, so a
// deployment that forgot WAYMARK_ENV=production cannot also let in tokens
// anyone can make. (In production, HS256 is refused in every form, with
// the identity provider's public key as secret too: TestJWKSSignInInProduction.)
func TestJWKSRefusedInDevelopment(t *testing.T) {
	t.Parallel()
	idp := newJWKSServer(t, jwk("k1", rsaKeys(t)[0]))
	env := map[string]string{"WAYMARK_JWKS_URL": idp.URL, "WAYMARK_JWT_ISSUER": testIssuer}
	_, err := loadConfig(func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), "WAYMARK_ENV=production") {
		t.Errorf("development mode with an identity provider: %v", err)
	}
}

// The JWK Set is cached, and refreshed when a token names a key it does not
// know (at most once per rate-limit period): a key the identity provider adds
// is picked up, a key it removes stops working, and a stream of unknown kids
// does not make Waymark hammer the identity provider.
func TestJWKSKeyRotation(t *testing.T) {
	t.Parallel()
	keys := rsaKeys(t)
	idp := newJWKSServer(t, jwk("k1", keys[0]))
	cfg := testConfig(t, map[string]string{"WAYMARK_ENV": "production", "WAYMARK_JWKS_URL": idp.URL, "WAYMARK_JWT_ISSUER": testIssuer})
	v, err := newVerifier(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	verify := func(key *rsa.PrivateKey, kid string) error {
		t.Helper()
		start := time.Now()
		_, err := v.verify(signRSA(t, jwt.SigningMethodRS256, key, kid, idpClaims()))
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("verifying a token with kid %s took %v", kid, d)
		}
		return err
	}

	for range 3 {
		if err := verify(keys[0], "k1"); err != nil {
			t.Fatalf("k1 before rotation: %v", err)
		}
	}
	if n := idp.fetches.Load(); n != 1 {
		t.Fatalf("fetched the JWK Set %d times for three tokens, want once (cached)", n)
	}

	// The identity provider rotates: k2 replaces k1.
	idp.set(false, jwk("k2", keys[1]))
	if err := verify(keys[1], "k2"); err != nil {
		t.Fatalf("k2 after rotation was refused: %v", err)
	}
	if n := idp.fetches.Load(); n != 2 {
		t.Errorf("fetched the JWK Set %d times, want 2 (one refresh for the unknown kid)", n)
	}
	if err := verify(keys[1], "k2"); err != nil {
		t.Errorf("k2 a second time: %v", err)
	}
	// k1 was removed from the set, so its tokens no longer verify.
	if err := verify(keys[0], "k1"); err == nil {
		t.Error("a token with the removed key k1 is still accepted")
	}
	// Unknown kids within the rate-limit period do not trigger more fetches.
	idp.set(false, jwk("k2", keys[1]), jwk("k3", keys[2]))
	if err := verify(keys[2], "k3"); err == nil {
		t.Error("k3 accepted straight after another refresh: refreshes are not rate limited")
	}
	if n := idp.fetches.Load(); n != 2 {
		t.Errorf("fetched the JWK Set %d times after unknown kids, want still 2 (rate limited)", n)
	}
}

// When the identity provider is unreachable as Waymark starts, the server
// still starts, and the first token once the provider is back fetches the keys.
func TestJWKSUnavailableAtStart(t *testing.T) {
	t.Parallel()
	keys := rsaKeys(t)
	idp := newJWKSServer(t)
	idp.set(true)
	cfg := testConfig(t, map[string]string{"WAYMARK_ENV": "production", "WAYMARK_JWKS_URL": idp.URL, "WAYMARK_JWT_ISSUER": testIssuer})
	v, err := newVerifier(t.Context(), cfg)
	if err != nil {
		t.Fatalf("the server should start while the identity provider is down: %v", err)
	}
	idp.set(false, jwk("k1", keys[0]))
	viewer, err := v.verify(signRSA(t, jwt.SigningMethodRS256, keys[0], "k1", idpClaims()))
	if err != nil || viewer.Subject != "idp|user-1" || viewer.Role != store.RoleAdmin {
		t.Errorf("after the identity provider came back: %+v, %v", viewer, err)
	}
}

// ---------------------------------------------------------------------------
// Configuration

func TestSignInConfig(t *testing.T) {
	t.Parallel()
	load := func(env map[string]string) (config, error) {
		return loadConfig(func(k string) string { return env[k] })
	}
	prod := func(extra map[string]string) map[string]string {
		env := map[string]string{"WAYMARK_ENV": "production", "WAYMARK_JWKS_URL": "https://idp.example/jwks", "WAYMARK_JWT_ISSUER": testIssuer}
		for k, v := range extra {
			if v == "" {
				delete(env, k)
			} else {
				env[k] = v
			}
		}
		return env
	}

	cfg, err := load(prod(nil))
	if err != nil || !cfg.Production || cfg.DevSigningKey != "" || cfg.JWTIssuer != testIssuer || cfg.JWTAudience != "waymark" {
		t.Errorf("production config = %+v, %v", cfg, err)
	}
	refusals := map[string]map[string]string{
		"production with a development key": prod(map[string]string{"WAYMARK_DEV_SIGNING_KEY": strings.Repeat("k", 40)}),
		"production without a JWKS URL":     prod(map[string]string{"WAYMARK_JWKS_URL": ""}),
		"production without an issuer":      prod(map[string]string{"WAYMARK_JWT_ISSUER": ""}),
		"a 31-character development key":    {"WAYMARK_DEV_SIGNING_KEY": strings.Repeat("k", 31)},
	}
	for _, env := range []string{"prod", "Production", "PRODUCTION", "staging", "dev", "test", " production"} {
		refusals["WAYMARK_ENV="+env] = map[string]string{"WAYMARK_ENV": env}
	}
	for name, env := range refusals {
		if cfg, err := load(env); err == nil {
			t.Errorf("%s accepted: %+v", name, cfg)
		}
	}
	if _, err := load(prod(map[string]string{"WAYMARK_DEV_SIGNING_KEY": strings.Repeat("k", 40)})); err == nil ||
		!strings.Contains(err.Error(), "WAYMARK_DEV_SIGNING_KEY") {
		t.Errorf("the refusal of a development key in production should name it: %v", err)
	}

	// Development: the default key, the development issuer and the waymark audience.
	for _, env := range []string{"", "development"} {
		cfg, err := load(map[string]string{"WAYMARK_ENV": env})
		if err != nil || cfg.Production || cfg.DevSigningKey != defaultDevSigningKey ||
			cfg.JWTIssuer != "waymark-development" || cfg.JWTAudience != "waymark" {
			t.Errorf("WAYMARK_ENV=%q: %+v, %v", env, cfg, err)
		}
	}
	key := strings.Repeat("k", 32)
	if cfg, err := load(map[string]string{"WAYMARK_DEV_SIGNING_KEY": key}); err != nil || cfg.DevSigningKey != key {
		t.Errorf("a 32-character key: %+v, %v", cfg, err)
	}
}

// A development token signed with a configured key verifies only with that
// key, for the configured audience; and a production verifier ignores a
// development key even if one were set.
func TestVerifierKeysAndAudience(t *testing.T) {
	t.Parallel()
	key := "a-configured-development-key-0123456789"
	cfg := testConfig(t, map[string]string{"WAYMARK_DEV_SIGNING_KEY": key, "WAYMARK_JWT_AUDIENCE": "waymark-staging"})
	v, err := newVerifier(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.verify(signHS256(t, []byte(key), claimsFor(cfg), nil)); err != nil {
		t.Errorf("token with the configured key and audience refused: %v", err)
	}
	if _, err := v.verify(signHS256(t, []byte(defaultDevSigningKey), claimsFor(cfg), nil)); err == nil {
		t.Error("token signed with the default key accepted when another key is configured")
	}
	wrongAud := claimsFor(cfg)
	wrongAud["aud"] = "waymark"
	if _, err := v.verify(signHS256(t, []byte(key), wrongAud, nil)); err == nil {
		t.Error("token for the default audience accepted when WAYMARK_JWT_AUDIENCE is set")
	}

	// A production config that somehow carries a key still refuses HS256.
	idp := newJWKSServer(t, jwk("k1", rsaKeys(t)[0]))
	pcfg := testConfig(t, map[string]string{"WAYMARK_ENV": "production", "WAYMARK_JWKS_URL": idp.URL, "WAYMARK_JWT_ISSUER": testIssuer})
	pcfg.DevSigningKey = key
	pv, err := newVerifier(t.Context(), pcfg)
	if err != nil {
		t.Fatal(err)
	}
	c := claimsFor(pcfg)
	if _, err := pv.verify(signHS256(t, []byte(key), c, nil)); err == nil {
		t.Error("production verifier accepted an HS256 token")
	}
	if _, err := devToken(pcfg, Claims{}); err == nil {
		t.Error("devToken signed a token in production mode")
	}
}

// ---------------------------------------------------------------------------
// Roles and scope, with the seeded directory

// What each kind of caller sees of contact points: PUBLIC for everyone,
// PROFESSIONAL once signed in, PARTNERSHIP only for the partnerships the
// token names (and admins).
func TestRolesSeeContactPointsByScope(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	ljmu := id("Institution", "institutions", "ljmu")
	cp := func(key string) string { return id("ContactPoint", "contact_points", key) }

	// sees reports whether c can fetch the contact point with node(id:);
	// anything but the contact or NOT_FOUND fails the test.
	sees := func(c caller, key string) bool {
		t.Helper()
		r := s.do(c, `query($id: ID!) { node(id: $id) { id ... on ContactPoint { name email visibility institution { name } } } }`,
			map[string]any{"id": cp(key)})
		if len(r.Errors) > 0 {
			if r.code(t) != "NOT_FOUND" || r.Status != http.StatusOK {
				t.Errorf("%+v fetching %s: %s", c, key, r.Raw)
			}
			return false
		}
		var d struct{ Node *struct{ ID, Email string } }
		r.decode(t, &d)
		if d.Node == nil || d.Node.ID != cp(key) || d.Node.Email == "" {
			t.Errorf("%+v fetching %s: %s", c, key, r.Raw)
			return false
		}
		return true
	}

	anon := anonymous
	prof := caller{Role: "professional"}
	profLiverpool := caller{Role: "professional", Partnerships: []string{"liverpool"}}
	leadLiverpool := caller{Role: "lead", Partnerships: []string{"liverpool"}}
	leadBristol := caller{Role: "lead", Partnerships: []string{"bristol"}}
	leadBoth := caller{Role: "lead", Partnerships: []string{"liverpool", "bristol"}}
	admin := caller{Role: "admin"}

	type want struct {
		who  string
		c    caller
		sees map[string]bool
	}
	const (
		public       = "ljmu-wellbeing-enquiries"     // PUBLIC, LJMU
		professional = "ljmu-urgent-care"             // PROFESSIONAL, LJMU
		ljmuLead     = "ljmu-partnership-lead"        // PARTNERSHIP, LJMU (Liverpool)
		merseyLead   = "mersey-care-partnership-lead" // PARTNERSHIP, Mersey Care (Liverpool)
		uweLead      = "uwe-partnership-lead"         // PARTNERSHIP, UWE (Bristol)
	)
	for _, w := range []want{
		{"anonymous", anon, map[string]bool{public: true, professional: false, ljmuLead: false, merseyLead: false, uweLead: false}},
		{"professional", prof, map[string]bool{public: true, professional: true, ljmuLead: false, merseyLead: false, uweLead: false}},
		{"professional in Liverpool", profLiverpool, map[string]bool{public: true, professional: true, ljmuLead: true, merseyLead: true, uweLead: false}},
		{"lead of Liverpool", leadLiverpool, map[string]bool{public: true, professional: true, ljmuLead: true, merseyLead: true, uweLead: false}},
		{"lead of Bristol", leadBristol, map[string]bool{public: true, professional: true, ljmuLead: false, merseyLead: false, uweLead: true}},
		{"lead of both", leadBoth, map[string]bool{public: true, professional: true, ljmuLead: true, merseyLead: true, uweLead: true}},
		{"admin", admin, map[string]bool{public: true, professional: true, ljmuLead: true, merseyLead: true, uweLead: true}},
	} {
		for key, want := range w.sees {
			if got := sees(w.c, key); got != want {
				t.Errorf("%s sees %s: %v, want %v", w.who, key, got, want)
			}
		}
	}

	// The contactPoints query: who to notify at LJMU after an A&E attendance.
	urgent := func(c caller) []string {
		t.Helper()
		var d struct {
			ContactPoints []struct {
				Role         string
				ContactPoint struct{ ID, Name, Visibility string }
			}
		}
		s.query(c, `query($i: ID!) { contactPoints(institutionId: $i, purpose: URGENT_CARE_NOTIFICATION) { role contactPoint { id name visibility } } }`,
			map[string]any{"i": ljmu}, &d)
		var out []string
		for _, e := range d.ContactPoints {
			out = append(out, e.Role+" "+e.ContactPoint.ID)
		}
		return out
	}
	if got := urgent(anon); len(got) != 0 {
		t.Errorf("anonymous caller is given the professional urgent-care contacts: %v", got)
	}
	for _, c := range []caller{prof, leadBristol, admin} {
		got := urgent(c)
		if len(got) == 0 || got[0] != "PRIMARY "+cp("ljmu-urgent-care") || !slices.Contains(got, "DEPUTY "+cp("ljmu-wellbeing-duty")) {
			t.Errorf("%s: urgent-care contacts at LJMU = %v, want the current adviser then the duty team", c.Role, got)
		}
	}

	// Nested: an institution's partnership-lead contacts.
	leads := func(c caller, inst string) int {
		t.Helper()
		var d struct {
			Institution struct{ ContactPoints []struct{ ID string } }
		}
		s.query(c, `query($i: ID!) { institution(id: $i) { contactPoints(purpose: PARTNERSHIP_LEAD) { id } } }`,
			map[string]any{"i": id("Institution", "institutions", inst)}, &d)
		return len(d.Institution.ContactPoints)
	}
	for _, tc := range []struct {
		who  string
		c    caller
		inst string
		want int
	}{
		{"anonymous", anon, "ljmu", 0},
		{"professional", prof, "ljmu", 0},
		{"lead of Liverpool", leadLiverpool, "ljmu", 1},
		{"lead of Liverpool", leadLiverpool, "uwe", 0},
		{"lead of Bristol", leadBristol, "uwe", 1},
		{"lead of Bristol", leadBristol, "ljmu", 0},
		{"admin", admin, "uwe", 1},
	} {
		if got := leads(tc.c, tc.inst); got != tc.want {
			t.Errorf("%s: %d partnership-lead contacts at %s, want %d", tc.who, got, tc.inst, tc.want)
		}
	}
}

// Roles decide who may edit: professionals read only; a lead edits within
// the institutions or partnerships the token names; an admin edits anything.
func TestRolesScopeEdits(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	edit := func(c caller, service string) gqlResponse {
		t.Helper()
		return s.do(c, `mutation($id: ID!) { updateService(id: $id, expectedVersion: 1, input: {expectedWaitDays: 14}, reason: "test") { version } }`,
			map[string]any{"id": id("Service", "services", service)})
	}
	code := func(r gqlResponse) string {
		if len(r.Errors) == 0 {
			return "OK"
		}
		return r.code(t)
	}
	for _, tc := range []struct {
		who     string
		c       caller
		service string
		want    string
	}{
		{"anonymous", anonymous, "ljmu-wellbeing", "UNAUTHENTICATED"},
		{"professional", caller{Role: "professional", Partnerships: []string{"liverpool"}}, "ljmu-wellbeing", "FORBIDDEN"},
		{"lead of LJMU on Mersey Care's U-COPE", caller{Role: "lead", Institutions: []string{"ljmu"}}, "ucope", "FORBIDDEN"},
		{"lead of Bristol on LJMU's service", caller{Role: "lead", Partnerships: []string{"bristol"}}, "ljmu-wellbeing", "FORBIDDEN"},
		{"lead of LJMU on LJMU's service", caller{Role: "lead", Institutions: []string{"ljmu"}}, "ljmu-wellbeing", "OK"},
		{"admin on U-COPE", caller{Role: "admin"}, "ucope", "OK"},
	} {
		if got := code(edit(tc.c, tc.service)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.who, got, tc.want)
		}
	}
	if n := s.count(`SELECT count(*) FROM audit_log WHERE action = 'UPDATE'`); n != 2 {
		t.Errorf("%d UPDATE audit rows, want 2 (the two allowed edits)", n)
	}
}

// The token printed by `waymark token` signs in through the real router.
func TestPrintedTokenSignsIn(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	var out strings.Builder
	if err := printToken(s.cfg, []string{"--role", "lead", "--partnership", "liverpool", "--institution", "ljmu", "--name", "Dana"}, &out); err != nil {
		t.Fatal(err)
	}
	r := s.doAuth("Bearer "+strings.TrimSpace(out.String()), `{ viewer { subject name role partnerships { name } institutions { name } } }`, nil)
	var d struct {
		Viewer struct {
			Subject, Name, Role string
			Partnerships        []struct{ Name string }
			Institutions        []struct{ Name string }
		}
	}
	r.decode(t, &d)
	v := d.Viewer
	if v.Subject != "dev-lead-dana" || v.Name != "Dana" || v.Role != "LEAD" || len(v.Partnerships) != 1 ||
		v.Partnerships[0].Name != "Liverpool Student Mental Health Partnership" ||
		len(v.Institutions) != 1 || v.Institutions[0].Name != "Liverpool John Moores University" {
		t.Errorf("viewer = %s", r.Data)
	}
}
