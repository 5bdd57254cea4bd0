package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/waymark/waymark/store/storetest"
)

// TestEveryConstraintIsMapped walks every constraint and unique index of the
// migrated schema: each must have a rule in constraints (so a migration that
// adds one without saying what it means to the caller fails here), and
// every rule must name a constraint that exists (no stale entries).
func TestEveryConstraintIsMapped(t *testing.T) {
	pool := storetest.Pool(t)
	rows, err := pool.Query(context.Background(), `
		SELECT c.conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
		WHERE n.nspname = 'public' AND c.contype IN ('c', 'u', 'f', 'x', 'p')
		UNION
		SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
			JOIN pg_namespace n ON n.oid = i.relnamespace
		WHERE n.nspname = 'public' AND x.indisunique`)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		names[name] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(names) < 100 {
		t.Fatalf("found only %d constraints: is the query right?", len(names))
	}
	for name := range names {
		r, ok := constraints[name]
		if !ok {
			t.Errorf("constraint %s has no entry in store/constraints.go: say which input field breaks it and why, in words", name)
			continue
		}
		if r.message == "" {
			t.Errorf("constraint %s: empty message", name)
		}
	}
	for name := range constraints {
		if !names[name] {
			t.Errorf("store/constraints.go maps %s, which no migration creates", name)
		}
	}
}

// TestConstraintErrorsNeverEchoNames: every mapped violation, and every
// SQLSTATE of refused data, becomes an *InputError whose text holds no
// constraint, table or column name.
func TestConstraintErrorsNeverEchoNames(t *testing.T) {
	leaks := func(t *testing.T, name string, err error) {
		t.Helper()
		var in *InputError
		if !errors.As(err, &in) {
			t.Fatalf("%s: %v is not an *InputError", name, err)
		}
		msg := err.Error()
		for _, bad := range []string{name, "_key", "_check", "_fkey", "_pkey", "_excl", "SQLSTATE", "violates", "constraint", "relation"} {
			if strings.Contains(msg, bad) {
				t.Errorf("%s: message %q contains %q", name, msg, bad)
			}
		}
		if strings.Contains(in.Field, "_") {
			t.Errorf("%s: field %q is not a GraphQL input path", name, in.Field)
		}
	}
	for name := range constraints {
		for _, code := range []string{"23505", "23514", "23503", "23P01"} {
			leaks(t, name, dbError(&pgconn.PgError{Code: code, ConstraintName: name, TableName: "institutions",
				Message: `duplicate key value violates unique constraint "` + name + `"`}))
		}
	}
	for _, code := range []string{"23505", "23514", "23503", "23P01", "23502", "22001", "22003", "22007", "22008", "22021", "22P02", "22P05"} {
		leaks(t, "unmapped_thing_check", dbError(&pgconn.PgError{Code: code, ConstraintName: "unmapped_thing_check",
			TableName: "services", ColumnName: "how_to_access", Message: "violates check constraint"}))
	}
	err := dbError(&pgconn.PgError{Code: "23502", ColumnName: "how_to_access"})
	if in := (*InputError)(nil); !errors.As(err, &in) || in.Field != "input.howToAccess" {
		t.Errorf("not null: got %v, want field input.howToAccess", err)
	}
	other := errors.New("connection reset")
	if got := dbError(other); got != other {
		t.Errorf("an error that is not about the data must pass through, got %v", got)
	}
}

func TestTextRules(t *testing.T) {
	for _, c := range []struct {
		field, value string
		ok           bool
	}{
		{"input.name", "U-COPE", true},
		{"input.name", "Café – “quotes” 😀", true},
		{"input.name", "abc\x00def", false},
		{"input.description", "abc\x00def", false},
		{"input.name", "two\nlines", false},
		{"input.name", "tab\there", false},
		{"filter.text", "self harm\r\n", false},
		{"input.description", "para one\n\npara two\r\n\tindented", true},
		{"reason", "because\nof this", true},
		{"input.description", "bell\x07", false},
		{"input.description", "escape\x1b[31m", false},
		{"input.notes", "delete\x7f", false},
		{"input.notes", "c1\u0085", false},
		{"id", "U2VydmljZTo\x00", false},
		{"input.name", string([]byte{0xff, 0xfe}), false},
	} {
		p := TextProblem(c.field, c.value)
		if (p == "") != c.ok {
			t.Errorf("TextProblem(%q, %q) = %q, want ok=%v", c.field, c.value, p, c.ok)
		}
		if strings.Contains(p, c.value) && c.value != "" {
			t.Errorf("TextProblem echoes the value: %q", p)
		}
	}
}
