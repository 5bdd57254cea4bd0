// Package store is Waymark's PostgreSQL access layer and the domain rules that
// need the database: who may see what, versions and (later) audit. It knows
// nothing of GraphQL. Every query is hand-written SQL in a short method.
package store

import (
	"context"
	"time"
	_ "time/tzdata" // UK local time must work on machines without zoneinfo

	"github.com/jackc/pgx/v5"
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

	// writeSlots, when not nil, bounds the write transactions open at once,
	// so that writes waiting on a row lock can never hold every connection
	// of the pool and starve reads. acquireTimeout bounds how long a write
	// waits for a slot and then a connection (0: only the caller's context).
	writeSlots     chan struct{}
	acquireTimeout time.Duration
}

// Option configures a Store.
type Option func(*Store)

// WithClock replaces the wall clock, for tests of time-dependent rules.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithReviewPeriod sets how long contact details stay fresh after verification.
func WithReviewPeriod(d time.Duration) Option { return func(s *Store) { s.reviewPeriod = d } }

// WithWriteLimit lets at most slots write transactions run at once (the
// rest of the pool stays free for reads), and makes a write that cannot get
// a slot and a connection within wait fail with ErrBusy. slots <= 0 means
// no limit; wait <= 0 means wait as long as the caller's context allows.
func WithWriteLimit(slots int, wait time.Duration) Option {
	return func(s *Store) {
		s.writeSlots = nil
		if slots > 0 {
			s.writeSlots = make(chan struct{}, slots)
		}
		s.acquireTimeout = wait
	}
}

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

// writeTx runs f in a transaction on a connection of its own, within the
// write limit (WithWriteLimit). Errors about time are classified: a lock
// wait past lock_timeout is ErrRecordLocked, a statement past its deadline
// ErrTimeout, no slot or connection within the acquire timeout ErrBusy.
func (s *Store) writeTx(ctx context.Context, f func(tx pgx.Tx) error) error {
	actx := ctx
	if s.acquireTimeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, s.acquireTimeout)
		defer cancel()
	}
	busy := func(err error) error {
		if ctx.Err() == nil && actx.Err() != nil {
			return ErrBusy // the acquire timeout passed, not the caller's deadline
		}
		return Classify(err)
	}
	if s.writeSlots != nil {
		select {
		case s.writeSlots <- struct{}{}:
			defer func() { <-s.writeSlots }()
		case <-actx.Done():
			return busy(actx.Err())
		}
	}
	conn, err := s.pool.Acquire(actx)
	if err != nil {
		return busy(err)
	}
	defer conn.Release()
	return Classify(pgx.BeginFunc(ctx, conn, f))
}
