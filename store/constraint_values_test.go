package store

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/waymark/waymark/store/storetest"
)

// TestEnumChecksListAllowedValues: every CHECK that limits a field to a list
// of values (col IN (…) or col <@ ARRAY[…]) has its values in allowedValues,
// exactly as the database holds them, and its message lists them all.
func TestEnumChecksListAllowedValues(t *testing.T) {
	pool := storetest.Pool(t)
	rows, err := pool.Query(context.Background(), `SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
		JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public' AND c.contype = 'c'`)
	if err != nil {
		t.Fatal(err)
	}
	enumLike := regexp.MustCompile(`^CHECK \(+(?:cardinality\(\w+\) >= 1\) AND \()?\w+ (?:= ANY \(|<@ )ARRAY\[[^\]]*\](?:::text\[\])?\)+$`)
	literal := regexp.MustCompile(`'([A-Za-z_]+)'::text`)
	found := 0
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			t.Fatal(err)
		}
		if !enumLike.MatchString(def) || constraints[name].field == "" {
			continue
		}
		found++
		var want []string
		for _, m := range literal.FindAllStringSubmatch(def, -1) {
			want = append(want, m[1])
		}
		if got := allowedValues[name]; !slices.Equal(got, want) {
			t.Errorf("%s: allowedValues %v, the database allows %v", name, got, want)
		}
		msg := constraints[name].message
		for _, v := range want {
			if !strings.Contains(msg, v) {
				t.Errorf("%s: message %q does not list %s", name, msg, v)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if found != len(allowedValues) {
		t.Errorf("%d enum-like CHECKs in the database, %d in allowedValues", found, len(allowedValues))
	}
	for name, r := range constraints {
		if r.message == msgNotAllowed {
			t.Errorf("%s: %q does not say which values are allowed", name, r.message)
		}
	}
}
