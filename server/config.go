package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/waymark/waymark/graph"
	"github.com/waymark/waymark/store"
)

// config is everything the server reads from the environment.
type config struct {
	Port            string        // PORT
	ListenAddr      string        // WAYMARK_LISTEN_ADDR: interface to listen on (development: 127.0.0.1; production: all)
	DatabaseURL     string        // DATABASE_URL
	LogLevel        slog.Level    // WAYMARK_LOG_LEVEL: debug, info, warn, error
	LogFormat       string        // WAYMARK_LOG_FORMAT: text or json
	ReviewPeriod    time.Duration // WAYMARK_REVIEW_PERIOD_DAYS
	ComplexityLimit int           // WAYMARK_COMPLEXITY_LIMIT
	MaxBodyBytes    int64         // WAYMARK_MAX_BODY_BYTES
	RateLimit       int           // WAYMARK_RATE_LIMIT: requests a minute per client; 0: no limit
	ClientIPHeader  string        // WAYMARK_CLIENT_IP_HEADER: header a trusted proxy puts the client's address in

	// Deadlines and the database pool (defaults and why: defaultRequestTimeout).
	RequestTimeout      time.Duration // WAYMARK_REQUEST_TIMEOUT: most one GraphQL request may run
	DBMaxConns          int           // WAYMARK_DB_MAX_CONNS: size of the pool
	DBWriteConns        int           // WAYMARK_DB_WRITE_CONNS: most write transactions at once
	DBAcquireTimeout    time.Duration // WAYMARK_DB_ACQUIRE_TIMEOUT: wait for a free write slot and connection
	DBConnectTimeout    time.Duration // WAYMARK_DB_CONNECT_TIMEOUT
	DBHealthCheckPeriod time.Duration // WAYMARK_DB_HEALTH_CHECK_PERIOD
	DBStatementTimeout  time.Duration // WAYMARK_DB_STATEMENT_TIMEOUT (0: none)
	DBLockTimeout       time.Duration // WAYMARK_DB_LOCK_TIMEOUT (0: none)
	DBIdleInTxTimeout   time.Duration // WAYMARK_DB_IDLE_IN_TRANSACTION_TIMEOUT (0: none)

	// Query limits beside the cost (defaults and why: graph.DefaultMaxDepth and the rest).
	QueryLimits queryLimits

	Production    bool   // WAYMARK_ENV=production (default development)
	DevSigningKey string // WAYMARK_DEV_SIGNING_KEY: HS256 key of development tokens; refused in production
	JWKSURL       string // WAYMARK_JWKS_URL: the identity provider's published keys
	JWTIssuer     string // WAYMARK_JWT_ISSUER
	JWTAudience   string // WAYMARK_JWT_AUDIENCE
}

// settings are the environment variables loadConfig reads, for
// `waymark --help` (the README's configuration table says the same; a test
// keeps the two in step).
var settings = []struct{ name, def, meaning string }{
	{"DATABASE_URL", "none", "PostgreSQL connection string"},
	{"PORT", "8080", "HTTP port"},
	{"WAYMARK_LISTEN_ADDR", "127.0.0.1 in development, all interfaces in production", "IP address to listen on (0.0.0.0 or :: for every interface)"},
	{"WAYMARK_ENV", "development", "development or production (production refuses the development signing key)"},
	{"WAYMARK_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"WAYMARK_LOG_FORMAT", "text", "text or json"},
	{"WAYMARK_REVIEW_PERIOD_DAYS", "180", "a contact point not verified for this many days is stale"},
	{"WAYMARK_COMPLEXITY_LIMIT", fmt.Sprint(graph.DefaultComplexityLimit), "most an operation may cost"},
	{"WAYMARK_MAX_DEPTH", fmt.Sprint(graph.DefaultMaxDepth), "deepest that fields may nest in a query"},
	{"WAYMARK_MAX_ALIASES", fmt.Sprint(graph.DefaultMaxAliases), "most aliased fields in an operation"},
	{"WAYMARK_MAX_ROOT_FIELDS", fmt.Sprint(graph.DefaultMaxRootFields), "most fields at the top level of an operation"},
	{"WAYMARK_MAX_TOKENS", fmt.Sprint(graph.DefaultMaxTokens), "most tokens (names, punctuation, values) in a query document"},
	{"WAYMARK_MAX_ERRORS", fmt.Sprint(graph.DefaultMaxErrors), "most errors in one response"},
	{"WAYMARK_MAX_DUPLICATE_FIELDS", fmt.Sprint(graph.DefaultMaxDuplicates), "most times one field may be selected in one place"},
	{"WAYMARK_INTROSPECTION", "true in development, false in production", "answer introspection (__schema, __type); the explorer needs it"},
	{"WAYMARK_FIELD_SUGGESTIONS", "false", "add \"Did you mean …\" suggestions to validation errors"},
	{"WAYMARK_MAX_BODY_BYTES", "1048576", "largest request body accepted"},
	{"WAYMARK_RATE_LIMIT", fmt.Sprint(defaultRateLimit), "GraphQL requests a minute per client (token subject, else address); 0 turns the limit off"},
	{"WAYMARK_CLIENT_IP_HEADER", "none", "header in which a trusted reverse proxy gives the client's address (e.g. X-Forwarded-For), for the rate limit"},
	{"WAYMARK_REQUEST_TIMEOUT", defaultRequestTimeout.String(), "most a GraphQL request may run before it is stopped with TIMEOUT, its SQL with it"},
	{"WAYMARK_DB_MAX_CONNS", fmt.Sprint(defaultDBMaxConns), "database connections in the pool"},
	{"WAYMARK_DB_WRITE_CONNS", "half of WAYMARK_DB_MAX_CONNS", "most changes (write transactions) at once; the rest of the pool is kept for reads"},
	{"WAYMARK_DB_ACQUIRE_TIMEOUT", defaultDBAcquireTimeout.String(), "longest a change waits for a write slot and a connection before it is refused as busy (TIMEOUT)"},
	{"WAYMARK_DB_CONNECT_TIMEOUT", defaultDBConnectTimeout.String(), "longest opening a database connection may take"},
	{"WAYMARK_DB_HEALTH_CHECK_PERIOD", defaultDBHealthCheckPeriod.String(), "how often idle database connections are checked"},
	{"WAYMARK_DB_STATEMENT_TIMEOUT", defaultDBStatementTimeout.String(), "PostgreSQL statement_timeout of the server's connections (0 for none)"},
	{"WAYMARK_DB_LOCK_TIMEOUT", defaultDBLockTimeout.String(), "PostgreSQL lock_timeout: a change that waits longer for a record another change holds fails with CONFLICT (0 for none)"},
	{"WAYMARK_DB_IDLE_IN_TRANSACTION_TIMEOUT", defaultDBIdleInTxTimeout.String(), "PostgreSQL idle_in_transaction_session_timeout of the server's connections (0 for none)"},
	{"WAYMARK_JWKS_URL", "none", "the identity provider's published keys (required in production)"},
	{"WAYMARK_JWT_ISSUER", "waymark-development", "required iss of tokens (required in production)"},
	{"WAYMARK_JWT_AUDIENCE", "waymark", "required aud of tokens"},
	{"WAYMARK_DEV_SIGNING_KEY", "a built-in key", "HS256 key of development tokens, at least 32 characters"},
	{"WAYMARK_PG_PORT", "54329", "port of the local PostgreSQL of make run and make test (when DATABASE_URL is unset)"},
	{"WAYMARK_DEVDB_DIR", "/var/lib/waymark/devdb as root, <checkout>/.data/devdb otherwise", "where make run and make test keep the local PostgreSQL (when DATABASE_URL is unset)"},
}

// defaultRateLimit is generous for one person (a request every 50 ms for a
// minute) and for a small office behind one address.
const defaultRateLimit = 1200

// Default deadlines and pool, for a public service on a small machine:
//
//   - a request: 5 s. Every read of the seeded directory answers in under
//     25 ms (BENCHMARKS.md), so 5 s is two hundred times that, yet it frees
//     a connection and a core soon from a request that would run for
//     minutes, and a person waiting has given up by then anyway.
//   - statement_timeout 5 s, the same: PostgreSQL's own backstop for a
//     statement whose cancel request is lost. (migrate and seed, run by an
//     operator, set none of the session timeouts.)
//   - lock_timeout 2 s: an edit holds its row for milliseconds, so a wait
//     of 2 s means something is wrong; the edit fails with CONFLICT well
//     within the request's deadline, and its connection is freed.
//   - idle_in_transaction_session_timeout 10 s: no transaction of Waymark's
//     idles; one left open by a fault loses its locks after 10 s.
//   - 10 connections, at most half of them writing: PostgreSQL allows 100
//     by default, and reads (what students and staff do) keep at least 5
//     however many changes wait on locks.
//   - acquire 2 s: a change that cannot get a write slot and a connection
//     in 2 s is refused as busy rather than queued behind blocked ones;
//     connect 5 s; idle connections checked every 30 s.
const (
	defaultRequestTimeout      = 5 * time.Second
	defaultDBMaxConns          = 10
	defaultDBAcquireTimeout    = 2 * time.Second
	defaultDBConnectTimeout    = 5 * time.Second
	defaultDBHealthCheckPeriod = 30 * time.Second
	defaultDBStatementTimeout  = 5 * time.Second
	defaultDBLockTimeout       = 2 * time.Second
	defaultDBIdleInTxTimeout   = 10 * time.Second

	// maxRequestTimeout keeps a request's answer within the HTTP server's
	// write timeout (serve.go), so a stopped request is still answered.
	maxRequestTimeout = 50 * time.Second
)

// defaultDevSigningKey signs development tokens when no key is configured.
// It is public (it is in the source), which is why production refuses it.
const defaultDevSigningKey = "waymark-development-signing-key-not-for-production"

func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		Port:            "8080",
		DatabaseURL:     getenv("DATABASE_URL"),
		LogFormat:       "text",
		ReviewPeriod:    store.DefaultReviewPeriod,
		ComplexityLimit: graph.DefaultComplexityLimit,
		MaxBodyBytes:    1 << 20,
		RateLimit:       defaultRateLimit,
	}
	if v := getenv("PORT"); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != v {
			return c, fmt.Errorf("PORT=%q is not a port number", v)
		}
		c.Port = v
	}
	if v := getenv("WAYMARK_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return c, fmt.Errorf("WAYMARK_LOG_LEVEL=%q: want debug, info, warn or error", v)
		}
	}
	if v := getenv("WAYMARK_LOG_FORMAT"); v != "" {
		if v != "text" && v != "json" {
			return c, fmt.Errorf("WAYMARK_LOG_FORMAT=%q: want text or json", v)
		}
		c.LogFormat = v
	}
	if v := getenv("WAYMARK_REVIEW_PERIOD_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 3650 {
			return c, fmt.Errorf("WAYMARK_REVIEW_PERIOD_DAYS=%q: want a number of days from 1 to 3650", v)
		}
		c.ReviewPeriod = time.Duration(n) * 24 * time.Hour
	}
	if v := getenv("WAYMARK_COMPLEXITY_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 {
			return c, fmt.Errorf("WAYMARK_COMPLEXITY_LIMIT=%q: want a number of at least 100", v)
		}
		c.ComplexityLimit = n
	}
	if v := getenv("WAYMARK_MAX_BODY_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 {
			return c, fmt.Errorf("WAYMARK_MAX_BODY_BYTES=%q: want a number of at least 1024", v)
		}
		c.MaxBodyBytes = n
	}
	if v := getenv("WAYMARK_RATE_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return c, fmt.Errorf("WAYMARK_RATE_LIMIT=%q: want a number of requests a minute, or 0 for no limit", v)
		}
		c.RateLimit = n
	}
	if v := getenv("WAYMARK_CLIENT_IP_HEADER"); v != "" {
		if strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return c, fmt.Errorf("WAYMARK_CLIENT_IP_HEADER=%q: want a header name such as X-Forwarded-For", v)
		}
		c.ClientIPHeader = http.CanonicalHeaderKey(v)
	}
	if err := loadTimeouts(getenv, &c); err != nil {
		return c, err
	}
	switch env := getenv("WAYMARK_ENV"); env {
	case "", "development":
		// Anyone can mint a development token with the public key, so a
		// development server is reachable from this machine only.
		c.ListenAddr = "127.0.0.1"
	case "production":
		c.Production = true
	default:
		return c, fmt.Errorf("WAYMARK_ENV=%q: want development or production", env)
	}
	if err := loadQueryLimits(getenv, &c); err != nil {
		return c, err
	}
	if v := getenv("WAYMARK_LISTEN_ADDR"); v != "" {
		if net.ParseIP(v) == nil && v != "localhost" {
			return c, fmt.Errorf("WAYMARK_LISTEN_ADDR=%q: want an IP address of this machine, e.g. 0.0.0.0 for every interface", v)
		}
		c.ListenAddr = v
	}
	c.JWKSURL = getenv("WAYMARK_JWKS_URL")
	c.JWTIssuer = getenv("WAYMARK_JWT_ISSUER")
	c.JWTAudience = getenv("WAYMARK_JWT_AUDIENCE")
	if c.JWTAudience == "" {
		c.JWTAudience = "waymark"
	}
	key := getenv("WAYMARK_DEV_SIGNING_KEY")
	if c.Production {
		if key != "" {
			return c, fmt.Errorf("WAYMARK_DEV_SIGNING_KEY is refused in production mode: sign-in must come from an identity provider (WAYMARK_JWKS_URL)")
		}
		if c.JWKSURL == "" || c.JWTIssuer == "" {
			return c, fmt.Errorf("production mode needs WAYMARK_JWKS_URL and WAYMARK_JWT_ISSUER (the identity provider's keys and issuer)")
		}
		return c, nil
	}
	if c.JWKSURL != "" {
		// An identity provider means real people sign in: development
		// mode would let anyone in with the public development key too.
		return c, fmt.Errorf("WAYMARK_JWKS_URL is set but WAYMARK_ENV is not production: a real deployment must run with WAYMARK_ENV=production, or anyone could sign in with the public development key")
	}
	if key == "" {
		key = defaultDevSigningKey
	}
	if len(key) < 32 {
		return c, fmt.Errorf("WAYMARK_DEV_SIGNING_KEY must be at least 32 characters")
	}
	c.DevSigningKey = key
	if c.JWTIssuer == "" {
		c.JWTIssuer = "waymark-development"
	}
	return c, nil
}

func newLogger(c config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// loadTimeouts reads the deadline and pool settings into c.
func loadTimeouts(getenv func(string) string, c *config) error {
	c.RequestTimeout, c.DBMaxConns, c.DBAcquireTimeout = defaultRequestTimeout, defaultDBMaxConns, defaultDBAcquireTimeout
	c.DBConnectTimeout, c.DBHealthCheckPeriod = defaultDBConnectTimeout, defaultDBHealthCheckPeriod
	c.DBStatementTimeout, c.DBLockTimeout, c.DBIdleInTxTimeout = defaultDBStatementTimeout, defaultDBLockTimeout, defaultDBIdleInTxTimeout
	durations := []struct {
		name     string
		dst      *time.Duration
		min, max time.Duration
		zeroOK   bool // 0 turns it off
	}{
		{"WAYMARK_REQUEST_TIMEOUT", &c.RequestTimeout, 100 * time.Millisecond, maxRequestTimeout, false},
		{"WAYMARK_DB_ACQUIRE_TIMEOUT", &c.DBAcquireTimeout, 10 * time.Millisecond, time.Minute, false},
		{"WAYMARK_DB_CONNECT_TIMEOUT", &c.DBConnectTimeout, 100 * time.Millisecond, time.Minute, false},
		{"WAYMARK_DB_HEALTH_CHECK_PERIOD", &c.DBHealthCheckPeriod, time.Second, time.Hour, false},
		{"WAYMARK_DB_STATEMENT_TIMEOUT", &c.DBStatementTimeout, time.Millisecond, time.Hour, true},
		{"WAYMARK_DB_LOCK_TIMEOUT", &c.DBLockTimeout, time.Millisecond, time.Hour, true},
		{"WAYMARK_DB_IDLE_IN_TRANSACTION_TIMEOUT", &c.DBIdleInTxTimeout, time.Millisecond, time.Hour, true},
	}
	for _, d := range durations {
		v := getenv(d.name)
		if v == "" {
			continue
		}
		n, err := time.ParseDuration(v)
		if err != nil && v == "0" {
			n, err = 0, nil
		}
		if err != nil || !(n >= d.min && n <= d.max || n == 0 && d.zeroOK) {
			off := ""
			if d.zeroOK {
				off = ", or 0 for none"
			}
			return fmt.Errorf("%s=%q: want a duration from %s to %s, such as 5s or 500ms%s", d.name, v, d.min, d.max, off)
		}
		*d.dst = n
	}
	if v := getenv("WAYMARK_DB_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 || n > 1000 {
			return fmt.Errorf("WAYMARK_DB_MAX_CONNS=%q: want a number from 2 to 1000", v)
		}
		c.DBMaxConns = n
	}
	c.DBWriteConns = max(1, c.DBMaxConns/2)
	if v := getenv("WAYMARK_DB_WRITE_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n >= c.DBMaxConns {
			return fmt.Errorf("WAYMARK_DB_WRITE_CONNS=%q: want a number from 1 to %d (fewer than WAYMARK_DB_MAX_CONNS, so that reads always have a connection)", v, c.DBMaxConns-1)
		}
		c.DBWriteConns = n
	}
	return nil
}
