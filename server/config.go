package main

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/waymark/waymark/graph"
	"github.com/waymark/waymark/store"
)

// config is everything the server reads from the environment.
type config struct {
	Port            string        // PORT
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
	case "production":
		c.Production = true
	default:
		return c, fmt.Errorf("WAYMARK_ENV=%q: want development or production", env)
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

func newLogger(c config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
