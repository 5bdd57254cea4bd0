// Package store is Waymark's PostgreSQL access layer and the domain rules that
// need the database: who may see what, versions and (later) audit. It knows
// nothing of GraphQL. Every query is hand-written SQL in a short method.
package store

import (
	"context"
	"time"
	_ "time/tzdata" // UK local time must work on machines without zoneinfo

	"github.com/jackc/pgx/v5/pgxpool"
)

// UK is the time zone opening hours and dates are kept in.
var UK = mustLoadLocation("Europe/London")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// DefaultReviewPeriod is how long a contact point's details stay trusted
// after someone last verified them.
const DefaultReviewPeriod = 180 * 24 * time.Hour

// Store reads and writes the directory.
type Store struct {
	pool         *pgxpool.Pool
	now          func() time.Time
	reviewPeriod time.Duration
}

// Option configures a Store.
type Option func(*Store)

// WithClock replaces the wall clock, for tests of time-dependent rules.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithReviewPeriod sets how long contact details stay fresh after verification.
func WithReviewPeriod(d time.Duration) Option { return func(s *Store) { s.reviewPeriod = d } }

// New returns a Store over pool.
func New(pool *pgxpool.Pool, opts ...Option) *Store {
	s := &Store{pool: pool, now: time.Now, reviewPeriod: DefaultReviewPeriod}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Now is the store's current time.
func (s *Store) Now() time.Time { return s.now() }

// today is the current UK calendar date, as midnight UTC of that date (how
// pgx represents a PostgreSQL date).
func (s *Store) today() time.Time {
	y, m, d := s.now().In(UK).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }
