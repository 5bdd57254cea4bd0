package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waymark/waymark/graph"
	"github.com/waymark/waymark/store"
)

func serve(ctx context.Context, cfg config, log *slog.Logger) error {
	pool, err := openPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()

	auth, err := newVerifier(ctx, cfg)
	if err != nil {
		return err
	}
	l, err := listen(cfg)
	if err != nil {
		return err
	}
	handler := newRouter(cfg, pool, auth, log)
	switch {
	case cfg.Production:
	case isLoopback(cfg.ListenAddr):
		handler = localHostOnly(handler)
	default:
		log.Warn("development mode on an address other machines can reach: anyone who can reach it can sign in as an administrator with the public development key",
			"listen", cfg.ListenAddr)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	host := cfg.ListenAddr
	if host == "" || host == "127.0.0.1" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	base := "http://" + net.JoinHostPort(host, cfg.Port)
	log.Info("waymark serving", "graphql", base+"/graphql", "explorer", base+"/",
		"listen", l.Addr().String(), "production", cfg.Production)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// listen opens the server's socket, so that a port already in use is
// reported plainly before anything claims to be serving.
func listen(cfg config) (net.Listener, error) {
	addr := net.JoinHostPort(cfg.ListenAddr, cfg.Port)
	l, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("cannot listen on %s: the port is already in use (is another waymark running? set PORT to use another)", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	return l, nil
}

// newRouter wires the HTTP endpoints.
func newRouter(cfg config, pool *pgxpool.Pool, auth *verifier, log *slog.Logger) http.Handler {
	st := store.New(pool, store.WithReviewPeriod(cfg.ReviewPeriod), store.WithWriteLimit(cfg.DBWriteConns, cfg.DBAcquireTimeout))
	gopts := cfg.graphOptions()
	gopts.Logger = log
	gql := graph.NewHandler(st, gopts)
	gql = withDeadline(cfg.RequestTimeout, log, gql) // deadline.go

	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(requestLogger(log))
	r.Use(middleware.Recoverer)

	r.Get("/", explorerHandler().ServeHTTP)
	r.Handle("/explorer/*", explorerAssets())
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok"})
	})
	r.Get("/readyz", readyz(pool))
	r.With(noStore, authenticate(auth, log), rateLimit(cfg.RateLimit, cfg.ClientIPHeader), typedRequestErrors).
		Handle("/graphql", wellFormed(cfg.MaxBodyBytes, gql))
	return r
}

// isLoopback reports whether the server listens on this machine only.
func isLoopback(addr string) bool {
	ip := net.ParseIP(addr)
	return addr == "localhost" || ip != nil && ip.IsLoopback()
}

// localHostOnly answers only requests addressed to this machine by name or
// loopback address: a development server trusts the public development
// key, so a web page elsewhere must not reach it through a host name made
// to resolve to 127.0.0.1 (DNS rebinding).
func localHostOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if host != "localhost" && !isLoopback(strings.Trim(host, "[]")) {
			requestError(w, http.StatusMisdirectedRequest, "FORBIDDEN",
				"A development server answers only requests to localhost, 127.0.0.1 or [::1].")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// noStore keeps GraphQL answers, which may hold staff contact details, out
// of shared caches and browsers' content sniffing.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// requestLogger logs one line per request.
func requestLogger(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			start := time.Now()
			next.ServeHTTP(ww, r)
			log.LogAttrs(r.Context(), slog.LevelInfo, "http",
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", ww.Status()), slog.Duration("duration", time.Since(start)),
				slog.String("request_id", middleware.GetReqID(r.Context())))
		})
	}
}
