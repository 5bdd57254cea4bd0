package store_test

// Database timeouts as the store sees them: a change blocked by a row lock
// fails at lock_timeout with ErrRecordLocked, changes beyond the write limit
// are refused as busy without taking the connections reads need, and
// statements stopped by PostgreSQL or by the caller's context are ErrTimeout.

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waymark/waymark/store"
	"github.com/waymark/waymark/store/storetest"
)

// timeoutDB is a fresh database with two pools: the store's, whose
// connections carry the given session settings and at most maxConns
// connections, and a plain one for the test's own transactions.
func timeoutDB(t *testing.T, maxConns int32, params map[string]string, opts ...store.Option) (st *store.Store, pool, other *pgxpool.Pool) {
	t.Helper()
	url := storetest.URL(t)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = maxConns
	for k, v := range params {
		cfg.ConnConfig.RuntimeParams[k] = v
	}
	pool = storetest.PoolFromConfig(t, cfg)
	ocfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	other = storetest.PoolFromConfig(t, ocfg)
	return newStore(pool, opts...), pool, other
}

func newStore(pool *pgxpool.Pool, opts ...store.Option) *store.Store { return store.New(pool, opts...) }

// holdRow locks row id of table in a transaction of its own, as another
// editor would, until the returned function is called.
func holdRow(t *testing.T, pool *pgxpool.Pool, table string, id uuid.UUID) (release func()) {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM `+pgx.Identifier{table}.Sanitize()+` WHERE id = $1 FOR UPDATE`, id); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(func() { _ = tx.Rollback(ctx) }) }
	t.Cleanup(release)
	return release
}

var adminCtx = store.WithViewer(context.Background(), store.Viewer{Subject: "test-admin", Role: store.RoleAdmin})

func rename(s *store.Store, ctx context.Context, id uuid.UUID, name string) error {
	_, err := s.UpdateInstitution(ctx, id, 1, store.InstitutionPatch{Name: store.Set(&name)}, nil)
	return err
}

// A change to a record another transaction holds fails at lock_timeout
// with ErrRecordLocked, not after waiting for as long as the lock is held,
// and its message carries no SQL.
func TestLockTimeoutIsRecordLocked(t *testing.T) {
	st, pool, other := timeoutDB(t, 4, map[string]string{"lock_timeout": "300"})
	id := insertInstitution(t, pool, "Locked University", "HIGHER_EDUCATION_PROVIDER")
	holdRow(t, other, "institutions", id)

	start := time.Now()
	err := rename(st, adminCtx, id, "Renamed University")
	took := time.Since(start)
	if !errors.Is(err, store.ErrRecordLocked) {
		t.Fatalf("blocked change: got %v, want ErrRecordLocked", err)
	}
	if took < 300*time.Millisecond || took > 2*time.Second {
		t.Errorf("blocked change failed after %s; want at lock_timeout (300ms)", took)
	}
	if msg := store.ErrRecordLocked.Error(); strings.Contains(msg, "55P03") || strings.Contains(strings.ToLower(msg), "select") {
		t.Errorf("message leaks SQL: %q", msg)
	}
	t.Logf("blocked change failed after %s (lock_timeout 300ms)", took.Round(time.Millisecond))
}

// Changes beyond the write limit are refused as busy after the acquire
// timeout, and the connections they would have taken stay free for reads,
// which answer at once while the changes are blocked.
func TestWriteLimitKeepsReadsGoing(t *testing.T) {
	st, pool, other := timeoutDB(t, 4, map[string]string{"lock_timeout": "3000"},
		store.WithWriteLimit(2, 300*time.Millisecond))
	id := insertInstitution(t, pool, "Busy University", "HIGHER_EDUCATION_PROVIDER")
	release := holdRow(t, other, "institutions", id)

	const writers = 6
	errs := make(chan error, writers)
	for i := range writers {
		go func() { errs <- rename(st, adminCtx, id, "Renamed "+string(rune('A'+i))) }()
	}
	// Reads while every write slot is blocked on the lock.
	time.Sleep(100 * time.Millisecond)
	var slowest time.Duration
	for range 20 {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := st.InstitutionsByIDs(ctx, []uuid.UUID{id})
		cancel()
		if err != nil {
			t.Fatalf("read while changes are blocked: %v", err)
		}
		slowest = max(slowest, time.Since(start))
	}
	if slowest > 500*time.Millisecond {
		t.Errorf("slowest read while changes are blocked took %s", slowest)
	}
	t.Logf("slowest of 20 reads while %d changes were blocked: %s", writers, slowest.Round(time.Microsecond))

	busy := 0
	for range writers - 2 {
		err := <-errs
		if !errors.Is(err, store.ErrBusy) {
			t.Errorf("change beyond the write limit: got %v, want ErrBusy", err)
		}
		busy++
	}
	release()
	for range 2 {
		var conflict *store.ConflictError
		if err := <-errs; err != nil && !errors.As(err, &conflict) {
			t.Errorf("change within the write limit, after the lock is released: %v", err)
		}
	}
}

// A statement PostgreSQL stops (statement_timeout) and one whose context
// ends (deadline or client gone) are both ErrTimeout, and the context's own
// error is still visible.
func TestStoppedStatementsAreTimeout(t *testing.T) {
	_, pool, other := timeoutDB(t, 2, map[string]string{"statement_timeout": "100"})
	_, err := pool.Exec(context.Background(), `SELECT pg_sleep(2)`)
	if !errors.Is(store.Classify(err), store.ErrTimeout) {
		t.Errorf("statement_timeout: Classify(%v) is not ErrTimeout", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = other.Exec(ctx, `SELECT pg_sleep(2)`) // no statement_timeout there
	c := store.Classify(err)
	if !errors.Is(c, store.ErrTimeout) || !errors.Is(c, context.DeadlineExceeded) {
		t.Errorf("context deadline: Classify(%v) = %v; want ErrTimeout wrapping context.DeadlineExceeded", err, c)
	}
	if errors.Is(store.Classify(store.ErrNotFound), store.ErrTimeout) {
		t.Error("Classify changed an error that is not about time")
	}
}
