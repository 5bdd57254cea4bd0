// Package storetest gives each test its own fresh PostgreSQL database, cloned
// from a template that has been migrated (and, when asked, seeded) once.
//
// The server to use comes from DATABASE_URL, which `make test` sets. Tests
// that touch data fail, rather than skip, when it is missing.
package storetest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", used by pgtestdb
	"github.com/peterldowns/pgtestdb"

	"github.com/waymark/waymark/migrations"
)

// Loader fills a freshly migrated database, e.g. with the seed.
type Loader func(ctx context.Context, conn *pgx.Conn) error

// Option changes what the template holds.
type Option func(*migrator)

// WithData runs load after migrating the template. key must change whenever
// what load writes changes; it names the template.
func WithData(key string, load Loader) Option {
	return func(m *migrator) { m.dataKey, m.load = key, load }
}

// Unmigrated gives a database with no migrations applied, for tests of
// what happens before `waymark migrate`.
func Unmigrated() Option {
	return func(m *migrator) { m.skipMigrations = true }
}

type migrator struct {
	dataKey        string
	load           Loader
	skipMigrations bool
}

func (m *migrator) Hash() (string, error) {
	h, err := migrations.Hash()
	if err != nil {
		return "", err
	}
	if m.skipMigrations {
		return "unmigrated", nil
	}
	if m.load != nil {
		h += "-" + m.dataKey
	}
	return h, nil
}

func (m *migrator) Migrate(ctx context.Context, _ *sql.DB, conf pgtestdb.Config) error {
	if m.skipMigrations {
		return nil
	}
	conn, err := pgx.Connect(ctx, conf.URL())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if err := migrations.Migrate(ctx, conn); err != nil {
		return err
	}
	if m.load != nil {
		return m.load(ctx, conn)
	}
	return nil
}

func (*migrator) Prepare(context.Context, *sql.DB, pgtestdb.Config) error { return nil }
func (*migrator) Verify(context.Context, *sql.DB, pgtestdb.Config) error  { return nil }

// baseConfig turns DATABASE_URL into pgtestdb's configuration.
func baseConfig(t testing.TB) pgtestdb.Config {
	t.Helper()
	raw := os.Getenv("DATABASE_URL")
	if raw == "" {
		t.Fatal("DATABASE_URL is not set: run the tests with `make test`, which starts a local PostgreSQL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("DATABASE_URL: %v", err)
	}
	pw, _ := u.User.Password()
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	q := u.Query()
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
	}
	return pgtestdb.Config{
		DriverName:                "pgx",
		Host:                      u.Hostname(),
		Port:                      port,
		User:                      u.User.Username(),
		Password:                  pw,
		Database:                  "postgres",
		Options:                   q.Encode(),
		ForceTerminateConnections: true,
	}
}

// URL returns the connection string of a new database for this test, dropped
// when the test ends.
func URL(t testing.TB, opts ...Option) string {
	t.Helper()
	m := &migrator{}
	for _, o := range opts {
		o(m)
	}
	conf := pgtestdb.Custom(t, baseConfig(t), m)
	return conf.URL()
}

// Pool returns a pool on a new database for this test, closed when the test ends.
func Pool(t testing.TB, opts ...Option) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(URL(t, opts...))
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return PoolFromConfig(t, cfg)
}

// PoolFromConfig opens a pool from cfg (whose ConnString came from URL),
// letting a test add a tracer first.
func PoolFromConfig(t testing.TB, cfg *pgxpool.Config) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}
