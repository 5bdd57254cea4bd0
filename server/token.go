package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/golang-jwt/jwt/v5"

	"github.com/waymark/waymark/graph"
	"github.com/waymark/waymark/seed"
)

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// printToken writes a development token for the given role and scope.
// Partnerships and institutions are Waymark IDs, or the keys of seeded
// records (e.g. `liverpool`, `ljmu`) for convenience.
func printToken(cfg config, args []string, out io.Writer) error {
	cmd := subcommand{"token", "--role R [flags]", "Prints a development sign-in token, signed with the development key (refused in production).\n" +
		"Send it as `Authorization: Bearer <token>`."}
	fs := newFlags(cmd)
	role := fs.String("role", "", "`role`: professional, lead or admin (required)")
	name := fs.String("name", "", "display `name`, kept in the audit log")
	subject := fs.String("subject", "", "`sub` claim (default: made from the role and name, e.g. dev-lead-sam-okoye)")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid, at most 720h")
	var partnerships, institutions listFlag
	fs.Var(&partnerships, "partnership", "a partnership `ID` or seed key such as liverpool (repeatable)")
	fs.Var(&institutions, "institution", "an institution `ID` or seed key such as ljmu (repeatable)")
	if err := parse(cmd, fs, args, out); err != nil {
		return err
	}
	switch *role {
	case "professional", "lead", "admin":
	default:
		return badUsage(cmd, fs, "--role must be professional, lead or admin")
	}
	if *ttl <= 0 || *ttl > 30*24*time.Hour {
		return badUsage(cmd, fs, "--ttl must be between 1s and 720h")
	}
	if *subject == "" {
		*subject = devSubject(*role, *name)
	}
	ps, err := seededIDs("Partnership", "partnerships", partnerships)
	if err != nil {
		return err
	}
	is, err := seededIDs("Institution", "institutions", institutions)
	if err != nil {
		return err
	}
	now := time.Now()
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject: *subject, Issuer: cfg.JWTIssuer, Audience: jwt.ClaimStrings{cfg.JWTAudience},
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(*ttl)),
		},
		Name: *name, Role: *role,
		Partnerships: ps,
		Institutions: is,
	}
	tok, err := devToken(cfg, c)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, tok)
	return err
}

// seededIDs turns seed keys into global IDs, leaving global IDs of the
// right type as they are; anything else is an error.
func seededIDs(typ, table string, refs []string) ([]string, error) {
	keys := map[string]bool{}
	if table == "partnerships" {
		for _, p := range seed.Partnerships {
			keys[p.Key] = true
		}
	} else {
		for _, i := range seed.Institutions {
			keys[i.Key] = true
		}
	}
	out := make([]string, len(refs))
	for i, r := range refs {
		switch _, err := graph.ParseID(typ, r); {
		case err == nil:
			out[i] = r
		case keys[r]:
			out[i] = graph.GlobalID(typ, seed.ID(table, r))
		default:
			return nil, fmt.Errorf("token: %q is neither the ID of a %s nor the key of a seeded %s", r, typ, strings.ToLower(typ))
		}
	}
	return out, nil
}

// devSubject makes a development token's `sub` from its role and name, so
// that the audit log tells two people apart: "dev-lead-sam-okoye" for a
// lead named "Sam Okoye", "dev-admin" for an unnamed admin. Letters and
// digits of any script are kept; a name with none gets a short hash.
func devSubject(role, name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	slug := b.String()
	if slug == "" && strings.TrimSpace(name) != "" {
		slug = fmt.Sprintf("%x", sha256.Sum256([]byte(name)))[:12]
	}
	if slug == "" {
		return "dev-" + role
	}
	return "dev-" + role + "-" + slug
}
