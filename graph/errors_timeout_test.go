package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/waymark/waymark/graph"
	"github.com/waymark/waymark/store"
	"github.com/waymark/waymark/store/storetest"
)

// A request whose context has ended (deadline passed, or client gone) gets
// TIMEOUT for every field it stops, with a message for people; the error
// presenter counts the fields in the request's Stops rather than logging
// each as an unexpected error (one aborted request once wrote thousands of
// ERROR lines).
func TestStoppedRequestIsTimeoutNotLogged(t *testing.T) {
	for name, end := range map[string]func() (context.Context, context.CancelFunc){
		"deadline passed": func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 300*time.Millisecond)
		},
		"client gone": func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(300*time.Millisecond, cancel)
			return ctx, cancel
		},
	} {
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			pool := storetest.Pool(t, seeded())
			h := graph.NewHandler(store.New(pool), graph.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			// Another transaction holds the table, so the fields' SQL waits
			// until the request's context ends.
			tx, err := pool.Begin(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(context.Background())
			if _, err := tx.Exec(context.Background(), `LOCK TABLE institutions IN ACCESS EXCLUSIVE MODE`); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := end()
			defer cancel()
			ctx, stops := graph.WithStops(ctx)
			body := `{"query": "{ a: institutions(first: 2) { totalCount } b: institutions(first: 3) { totalCount } }"}`
			req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			var r response
			if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if rec.Code != http.StatusOK || len(r.Errors) == 0 {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			for _, e := range r.Errors {
				if e.Extensions["code"] != graph.CodeTimeout || !strings.Contains(e.Message, "took too long") {
					t.Errorf("stopped field: %v %q", e.Extensions["code"], e.Message)
				}
			}
			if strings.Contains(rec.Body.String(), "context") || strings.Contains(rec.Body.String(), "pgx") {
				t.Errorf("internal detail in %s", rec.Body)
			}
			if stops.Count() != len(r.Errors) || stops.First() == nil {
				t.Errorf("Stops counted %d of %d stopped fields", stops.Count(), len(r.Errors))
			}
			if logs.Len() > 0 {
				t.Errorf("the presenter logged stopped fields itself:\n%s", logs.String())
			}
		})
	}
}
