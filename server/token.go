package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

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
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	role := fs.String("role", "", "professional, lead or admin")
	name := fs.String("name", "", "display name, kept in the audit log")
	subject := fs.String("subject", "", "subject (default: a name made from the role)")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid")
	var partnerships, institutions listFlag
	fs.Var(&partnerships, "partnership", "a partnership ID or seed key (repeatable)")
	fs.Var(&institutions, "institution", "an institution ID or seed key (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch *role {
	case "professional", "lead", "admin":
	default:
		return fmt.Errorf("token: --role must be professional, lead or admin")
	}
	if *ttl <= 0 || *ttl > 30*24*time.Hour {
		return fmt.Errorf("token: --ttl must be between 1s and 720h")
	}
	if *subject == "" {
		*subject = "dev-" + *role
	}
	now := time.Now()
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject: *subject, Issuer: cfg.JWTIssuer, Audience: jwt.ClaimStrings{cfg.JWTAudience},
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(*ttl)),
		},
		Name: *name, Role: *role,
		Partnerships: seededIDs("Partnership", "partnerships", partnerships),
		Institutions: seededIDs("Institution", "institutions", institutions),
	}
	tok, err := devToken(cfg, c)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, tok)
	return err
}

// seededIDs turns seed keys into global IDs, leaving global IDs as they are.
func seededIDs(typ, table string, refs []string) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		if _, err := graph.ParseID(typ, r); err == nil {
			out[i] = r
		} else {
			out[i] = graph.GlobalID(typ, seed.ID(table, r))
		}
	}
	return out
}
