package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/waymark/waymark/graph"
	"github.com/waymark/waymark/store"
)

// Sign-in: every request may carry `Authorization: Bearer <JWT>`. Without
// one the caller is anonymous (a student). A token that does not verify is
// refused with UNAUTHENTICATED: it never falls back to anonymous.

// Claims are what a Waymark token says, besides the registered claims
// (sub, iss, aud, exp, nbf, iat).
type Claims struct {
	jwt.RegisteredClaims
	// Name is the display name recorded in the audit log.
	Name string `json:"name,omitempty"`
	// Role is professional, lead or admin.
	Role string `json:"waymark_role"`
	// Partnerships and Institutions are Waymark global IDs: the scope of a
	// lead, and the partnerships whose PARTNERSHIP records the caller sees.
	Partnerships []string `json:"waymark_partnerships,omitempty"`
	Institutions []string `json:"waymark_institutions,omitempty"`
}

// asymmetric are the algorithms accepted from an identity provider's JWKS.
var asymmetric = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// verifier checks tokens.
type verifier struct {
	devKey   []byte          // HS256 key for development tokens; nil in production
	jwks     keyfunc.Keyfunc // identity provider keys; nil when not configured
	parser   *jwt.Parser
	issuer   string
	audience string
}

func newVerifier(ctx context.Context, cfg config) (*verifier, error) {
	v := &verifier{issuer: cfg.JWTIssuer, audience: cfg.JWTAudience}
	methods := []string{}
	if cfg.JWKSURL != "" {
		k, err := keyfunc.NewDefaultCtx(ctx, []string{cfg.JWKSURL})
		if err != nil {
			return nil, fmt.Errorf("WAYMARK_JWKS_URL: %w", err)
		}
		v.jwks = k
		methods = append(methods, asymmetric...)
	}
	if !cfg.Production {
		v.devKey = []byte(cfg.DevSigningKey)
		methods = append(methods, "HS256")
	}
	v.parser = jwt.NewParser(
		jwt.WithValidMethods(methods),
		jwt.WithIssuer(cfg.JWTIssuer),
		jwt.WithAudience(cfg.JWTAudience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(30*time.Second),
	)
	return v, nil
}

// key picks the verification key: the development key for HS256 only (so a
// token cannot be signed with an identity provider's public key as an HMAC
// secret), the identity provider's keys otherwise.
func (v *verifier) key(t *jwt.Token) (any, error) {
	if t.Method.Alg() == "HS256" {
		if v.devKey == nil {
			return nil, errors.New("HS256 is accepted only in development")
		}
		return v.devKey, nil
	}
	if v.jwks == nil {
		return nil, errors.New("no identity provider keys configured")
	}
	return v.jwks.Keyfunc(t)
}

// verify returns the viewer a token names, or an error whose text is safe
// to show.
func (v *verifier) verify(raw string) (store.Viewer, error) {
	var c Claims
	if _, err := v.parser.ParseWithClaims(raw, &c, v.key); err != nil {
		return store.Viewer{}, tokenError(err)
	}
	if strings.TrimSpace(c.Subject) == "" {
		return store.Viewer{}, errors.New("the token has no subject")
	}
	viewer := store.Viewer{Subject: c.Subject, Name: c.Name}
	switch c.Role {
	case "professional":
		viewer.Role = store.RoleProfessional
	case "lead":
		viewer.Role = store.RoleLead
	case "admin":
		viewer.Role = store.RoleAdmin
	default:
		return store.Viewer{}, errors.New("the token has no Waymark role (waymark_role: professional, lead or admin)")
	}
	var err error
	if viewer.Partnerships, err = scopeIDs("Partnership", c.Partnerships); err != nil {
		return store.Viewer{}, err
	}
	if viewer.Institutions, err = scopeIDs("Institution", c.Institutions); err != nil {
		return store.Viewer{}, err
	}
	return viewer, nil
}

func scopeIDs(typ string, ids []string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, 0, len(ids))
	for _, s := range ids {
		id, err := graph.ParseID(typ, s)
		if err != nil {
			return nil, fmt.Errorf("the token names %q, which is not a Waymark %s ID", s, typ)
		}
		out = append(out, id)
	}
	return out, nil
}

// tokenError says in plain words why a token was refused.
func tokenError(err error) error {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return errors.New("the token has expired")
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return errors.New("the token is not valid yet")
	case errors.Is(err, jwt.ErrTokenInvalidIssuer), errors.Is(err, jwt.ErrTokenInvalidAudience):
		return errors.New("the token was not issued for Waymark (issuer or audience)")
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return errors.New("the token lacks a required claim (exp)")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return errors.New("the token's signature or algorithm is not accepted")
	case errors.Is(err, jwt.ErrTokenMalformed):
		return errors.New("the token is malformed")
	}
	return errors.New("the token is not valid")
}

// authenticate puts the caller's viewer in the request context.
func authenticate(v *verifier, log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := r.Header.Get("Authorization")
			if h == "" {
				next.ServeHTTP(w, r)
				return
			}
			scheme, token, ok := strings.Cut(h, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
				unauthenticated(w, "the Authorization header must be `Bearer <token>`")
				return
			}
			viewer, err := v.verify(strings.TrimSpace(token))
			if err != nil {
				log.InfoContext(r.Context(), "token refused", "reason", err.Error())
				unauthenticated(w, err.Error())
				return
			}
			next.ServeHTTP(w, r.WithContext(store.WithViewer(r.Context(), viewer)))
		})
	}
}

func unauthenticated(w http.ResponseWriter, reason string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="waymark"`)
	requestError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "Sign-in refused: "+reason+".")
}

// devToken signs a development token.
func devToken(cfg config, c Claims) (string, error) {
	if cfg.Production {
		return "", errors.New("the development signing key is refused in production mode (WAYMARK_ENV=production)")
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(cfg.DevSigningKey))
}
