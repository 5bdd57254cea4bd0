package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
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
	{"WAYMARK_MAX_BODY_BYTES", "1048576", "largest request body accepted"},
	{"WAYMARK_JWKS_URL", "none", "the identity provider's published keys (required in production)"},
	{"WAYMARK_JWT_ISSUER", "waymark-development", "required iss of tokens (required in production)"},
	{"WAYMARK_JWT_AUDIENCE", "waymark", "required aud of tokens"},
	{"WAYMARK_DEV_SIGNING_KEY", "a built-in key", "HS256 key of development tokens, at least 32 characters"},
	{"WAYMARK_PG_PORT", "54329", "port of the local PostgreSQL of make run and make test (when DATABASE_URL is unset)"},
	{"WAYMARK_DEVDB_DIR", "/var/lib/waymark/devdb as root, <checkout>/.data/devdb otherwise", "where make run and make test keep the local PostgreSQL (when DATABASE_URL is unset)"},
}

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
	}
	if v := getenv("PORT"); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 65535 {
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
