package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waymark/waymark/graph"
	"github.com/waymark/waymark/migrations"
	"github.com/waymark/waymark/store"
)

// withDeadline stops a GraphQL request that runs longer than timeout: its
// context ends, which stops its resolvers and, through pgx, cancels the SQL
// they run in PostgreSQL (openPool). A client that goes away ends the
// context too. The fields that stop are answered TIMEOUT, and the request
// is logged here once, at info, rather than each field as an error.
func withDeadline(timeout time.Duration, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		ctx, stops := graph.WithStops(ctx)
		next.ServeHTTP(w, r.WithContext(ctx))
		n := stops.Count()
		if n == 0 {
			return
		}
		reason := "the database stopped a statement (statement_timeout)"
		switch first := stops.First(); {
		case r.Context().Err() != nil:
			reason = "the client went away"
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			reason = "the request ran out of time (WAYMARK_REQUEST_TIMEOUT)"
		case errors.Is(first, store.ErrBusy):
			reason = "the database was busy (WAYMARK_DB_ACQUIRE_TIMEOUT)"
		case errors.Is(first, context.Canceled):
			reason = "the request was cancelled"
		}
		log.LogAttrs(r.Context(), slog.LevelInfo, "graphql: request stopped",
			slog.String("reason", reason), slog.Int("fields", n),
			slog.Duration("duration", time.Since(start)), slog.Duration("timeout", timeout),
			slog.String("error", stops.First().Error()),
			slog.String("request_id", middleware.GetReqID(r.Context())))
	})
}

// Reasons /readyz gives when the database is not ready to serve.
const (
	reasonUnreachable = "database unreachable" // no connection can be made (refused, no route, authentication)
	reasonBusy        = "database busy"        // every connection of the pool is in use
	reasonSlow        = "database slow"        // connected, but it did not answer in time
	readyzTimeout     = 2 * time.Second
)

// readyz reports ready when the database answers and its migrations are
// current. When it is not, the reason tells a database that cannot be
// reached from one that is there but busy or slow.
func readyz(pool *pgxpool.Pool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyzTimeout)
		defer cancel()
		unavailable := func(err error) {
			st := pool.Stat()
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable",
				"reason":      databaseProblem(err, st),
				"connections": map[string]any{"inUse": st.AcquiredConns(), "max": st.MaxConns()}})
		}
		conn, err := pool.Acquire(ctx)
		if err != nil {
			unavailable(err)
			return
		}
		defer conn.Release()
		current, latest, err := migrations.Status(ctx, conn.Conn())
		if err != nil {
			unavailable(err)
			return
		}
		if current != latest {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable",
				"reason": "database migrations not current", "schemaVersion": current, "expectedVersion": latest})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "schemaVersion": current})
	}
}

// databaseProblem names why the database did not answer /readyz.
func databaseProblem(err error, st *pgxpool.Stat) string {
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case st.AcquiredConns() >= st.MaxConns():
		return reasonBusy
	case errors.As(err, &connectErr) && !(errors.As(err, &netErr) && netErr.Timeout()) &&
		!errors.Is(err, context.DeadlineExceeded):
		return reasonUnreachable
	case errors.Is(store.Classify(err), store.ErrTimeout), errors.Is(store.Classify(err), store.ErrRecordLocked):
		return reasonSlow
	}
	return reasonUnreachable
}
