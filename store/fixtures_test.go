package store_test

// Small helpers that put rows into a test's own database with plain SQL, and
// pick results apart for assertions. They fail the test on any error.

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waymark/waymark/store"
	"github.com/waymark/waymark/store/storetest"
)

// tuesday is the default "now" of the tests: Tuesday 10 June 2025, 10:30
// in London (BST, so 09:30 UTC). Its UK date is 2025-06-10.
var tuesday = time.Date(2025, 6, 10, 10, 30, 0, 0, store.UK)

// newDB returns a fresh migrated database and a store over it whose clock is
// fixed at now.
func newDB(t *testing.T, now time.Time, opts ...store.Option) (*pgxpool.Pool, *store.Store) {
	t.Helper()
	pool := storetest.Pool(t)
	opts = append([]store.Option{store.WithClock(func() time.Time { return now })}, opts...)
	return pool, store.New(pool, opts...)
}

func exec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func insertID(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return id
}

// retire marks a row of table as retired.
func retire(t *testing.T, pool *pgxpool.Pool, table string, id uuid.UUID) {
	t.Helper()
	exec(t, pool, `UPDATE `+table+` SET retired_at = now() WHERE id = $1`, id)
}

func insertInstitution(t *testing.T, pool *pgxpool.Pool, name, kind string) uuid.UUID {
	t.Helper()
	return insertID(t, pool, `INSERT INTO institutions (name, kind) VALUES ($1, $2) RETURNING id`, name, kind)
}

func insertPartnership(t *testing.T, pool *pgxpool.Pool, name string) uuid.UUID {
	t.Helper()
	return insertID(t, pool, `INSERT INTO partnerships (name) VALUES ($1) RETURNING id`, name)
}

func addMember(t *testing.T, pool *pgxpool.Pool, partnershipID, institutionID uuid.UUID) {
	t.Helper()
	exec(t, pool, `INSERT INTO partnership_members (partnership_id, institution_id, role) VALUES ($1, $2, 'member')`,
		partnershipID, institutionID)
}

func insertSite(t *testing.T, pool *pgxpool.Pool, institutionID uuid.UUID, name string, lat, lon float64) uuid.UUID {
	t.Helper()
	return insertID(t, pool, `INSERT INTO sites (institution_id, name, latitude, longitude)
		VALUES ($1, $2, $3, $4) RETURNING id`, institutionID, name, lat, lon)
}

// svc describes a service to insert; zero fields take a harmless default.
type svc struct {
	Institution  uuid.UUID
	Site         *uuid.UUID
	Name         string
	Description  string   // default "Support for students."
	Needs        []string // default none
	CareLevel    int      // default 2
	AccessRoutes []string // default SELF_REFERRAL
	Open24x7     bool
}

func insertService(t *testing.T, pool *pgxpool.Pool, s svc) uuid.UUID {
	t.Helper()
	if s.Description == "" {
		s.Description = "Support for students."
	}
	if s.Needs == nil {
		s.Needs = []string{}
	}
	if s.CareLevel == 0 {
		s.CareLevel = 2
	}
	if s.AccessRoutes == nil {
		s.AccessRoutes = []string{"SELF_REFERRAL"}
	}
	return insertID(t, pool, `INSERT INTO services (institution_id, site_id, name, description, category,
			needs, care_level, access_routes, open_24_7)
		VALUES ($1, $2, $3, $4, 'COUNSELLING', $5, $6, $7, $8) RETURNING id`,
		s.Institution, s.Site, s.Name, s.Description, s.Needs, s.CareLevel, s.AccessRoutes, s.Open24x7)
}

// addHours opens a service on an ISO weekday (1 Monday .. 7 Sunday), UK time.
func addHours(t *testing.T, pool *pgxpool.Pool, serviceID uuid.UUID, day int, opens, closes string) {
	t.Helper()
	exec(t, pool, `INSERT INTO service_opening_hours (service_id, day_of_week, opens, closes)
		VALUES ($1, $2, $3::time, $4::time)`, serviceID, day, opens, closes)
}

func addServicePartner(t *testing.T, pool *pgxpool.Pool, serviceID, institutionID uuid.UUID) {
	t.Helper()
	exec(t, pool, `INSERT INTO service_partners (service_id, institution_id) VALUES ($1, $2)`, serviceID, institutionID)
}

// contact describes a contact point to insert; zero fields take a default.
type contact struct {
	Institution  uuid.UUID
	Service      *uuid.UUID
	Purpose      string // default DISCHARGE_NOTIFICATION
	Name         string
	Visibility   string // default PUBLIC
	Deputy       *uuid.UUID
	ValidFrom    string // UK date, default 2020-01-01
	ValidTo      string // UK date, default none
	Successor    *uuid.UUID
	LastVerified *time.Time
}

func insertContact(t *testing.T, pool *pgxpool.Pool, c contact) uuid.UUID {
	t.Helper()
	if c.Purpose == "" {
		c.Purpose = "DISCHARGE_NOTIFICATION"
	}
	if c.Visibility == "" {
		c.Visibility = "PUBLIC"
	}
	if c.ValidFrom == "" {
		c.ValidFrom = "2020-01-01"
	}
	return insertID(t, pool, `INSERT INTO contact_points (institution_id, service_id, purpose, kind, name,
			visibility, email, deputy_id, valid_from, valid_to, successor_id, last_verified_at)
		VALUES ($1, $2, $3, 'TEAM', $4, $5, 'team@university.example', $6, $7::date, nullif($8, '')::date, $9, $10)
		RETURNING id`,
		c.Institution, c.Service, c.Purpose, c.Name, c.Visibility, c.Deputy, c.ValidFrom, c.ValidTo,
		c.Successor, c.LastVerified)
}

func ptr[T any](v T) *T { return &v }

// viewerCtx returns a context carrying v.
func viewerCtx(v store.Viewer) context.Context {
	return store.WithViewer(context.Background(), v)
}

// contactNames returns the names of cs, sorted.
func contactNames(cs []store.ContactPoint) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.Name)
	}
	slices.Sort(out)
	return out
}

// serviceNames returns the names of hs in order.
func serviceNames(hs []store.ServiceHit) []string {
	out := make([]string, 0, len(hs))
	for _, h := range hs {
		out = append(out, h.Name)
	}
	return out
}

// wantInputError fails the test unless err is an *store.InputError about field.
func wantInputError(t *testing.T, err error, field string) {
	t.Helper()
	var inputErr *store.InputError
	if !errors.As(err, &inputErr) {
		t.Fatalf("got error %v, want *store.InputError about %q", err, field)
	}
	if inputErr.Field != field {
		t.Errorf("InputError.Field = %q, want %q (message %q)", inputErr.Field, field, inputErr.Message)
	}
	if inputErr.Message == "" {
		t.Errorf("InputError about %q has no message", field)
	}
}

// walk reads every page of a list, two rows at a time, passing on the cursor
// of each page's last row as a string through store.ParseCursor. It checks
// that every page but the last is full and says more follow.
func walk[T any](t *testing.T, list func(after *store.Cursor) ([]T, bool, error), cursor func(T) store.Cursor) []T {
	t.Helper()
	var out []T
	var after *store.Cursor
	for range 100 {
		page, more, err := list(after)
		if err != nil {
			t.Fatalf("page after %v: %v", after, err)
		}
		out = append(out, page...)
		if !more {
			return out
		}
		if len(page) != 2 {
			t.Fatalf("got a page of %d rows and more follow; want a full page of 2", len(page))
		}
		s := cursor(page[len(page)-1]).String()
		if after, err = store.ParseCursor("after", s); err != nil {
			t.Fatalf("ParseCursor(%q): %v", s, err)
		}
	}
	t.Fatal("the list never stopped saying more follow")
	return nil
}
