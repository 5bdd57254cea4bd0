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
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("token: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("token: unexpected %q (repeat --partnership or --institution for each one)", fs.Arg(0))
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
			return nil, fmt.Errorf("token: %q is neither a %s ID nor the key of a seeded %s", r, typ, strings.ToLower(typ))
		}
	}
	return out, nil
}
