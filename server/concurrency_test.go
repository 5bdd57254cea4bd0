package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/waymark/waymark/seed"
)

// Many editors changing the same few records at once through the HTTP API:
// optimistic versioning must let exactly one of any two edits based on the
// same version through, lose no update, and audit each one exactly once.
func TestConcurrentEditors(t *testing.T) {
	const (
		editors = 50
		rounds  = 100 // updates each editor attempts
	)
	s := newAPIServer(t)
	records := []string{"ucope", "mhas", "ljmu-wellbeing"}
	ids := make([]string, len(records))
	for i, key := range records {
		ids[i] = serviceID(key)
		if v := s.version(ids[i]); v != 1 {
			t.Fatalf("%s starts at version %d", key, v)
		}
	}
	token := "Bearer " + s.token(liverpoolLead)
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 64},
	}
	t.Cleanup(client.CloseIdleConnections)
	post := func(query string, vars map[string]any) (gqlResponse, error) {
		body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
		if err != nil {
			return gqlResponse{}, err
		}
		req, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
		if err != nil {
			return gqlResponse{}, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", token)
		res, err := client.Do(req)
		if err != nil {
			return gqlResponse{}, err
		}
		defer res.Body.Close()
		raw, err := io.ReadAll(res.Body)
		if err != nil {
			return gqlResponse{}, err
		}
		r := gqlResponse{Status: res.StatusCode, Raw: string(raw)}
		if err := json.Unmarshal(raw, &r); err != nil {
			return r, fmt.Errorf("%d: %s", res.StatusCode, raw)
		}
		return r, nil
	}
	const read = `query($id: ID!) { service(id: $id) { version } }`
	const update = `mutation($id: ID!, $v: Int!, $wait: Int!, $reason: String) {
		updateService(id: $id, expectedVersion: $v, input: {expectedWaitDays: $wait}, reason: $reason) { version expectedWaitDays } }`

	var (
		mu        sync.Mutex
		successes = make([]int, len(ids))
		conflicts int
		failures  int      // anything but a success or a CONFLICT
		messages  []string // the first few failures
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		failures++
		if len(messages) < 20 {
			messages = append(messages, fmt.Sprintf(format, args...))
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	for e := range editors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				rec := (e + i) % len(ids)
				r, err := post(read, map[string]any{"id": ids[rec]})
				if err != nil || len(r.Errors) > 0 {
					fail("editor %d read: %v %s", e, err, r.Raw)
					continue
				}
				var got struct{ Service struct{ Version int } }
				if err := json.Unmarshal(r.Data, &got); err != nil {
					fail("editor %d read: %v", e, err)
					continue
				}
				v := got.Service.Version
				r, err = post(update, map[string]any{"id": ids[rec], "v": v, "wait": (e*rounds + i) % 700,
					"reason": fmt.Sprintf("editor %d round %d", e, i)})
				switch {
				case err != nil:
					fail("editor %d update: %v", e, err)
				case len(r.Errors) == 0:
					var done struct{ UpdateService struct{ Version int } }
					if err := json.Unmarshal(r.Data, &done); err != nil || done.UpdateService.Version != v+1 {
						fail("editor %d: update from version %d answered %s", e, v, r.Raw)
					}
					mu.Lock()
					successes[rec]++
					mu.Unlock()
				case len(r.Errors) == 1 && r.Errors[0].Extensions["code"] == "CONFLICT":
					if cv, ok := r.Errors[0].Extensions["currentVersion"].(float64); !ok || int(cv) <= v {
						fail("editor %d: conflict on version %d with currentVersion %v", e, v, r.Errors[0].Extensions["currentVersion"])
					}
					mu.Lock()
					conflicts++
					mu.Unlock()
				default:
					fail("editor %d update: %s", e, r.Raw)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	total := 0
	for _, n := range successes {
		total += n
	}
	auditRows := s.count(`SELECT count(*) FROM audit_log WHERE action = 'UPDATE'`)
	t.Logf("%d editors x %d updates on %d records in %s (%.0f requests/s): %d succeeded %v, %d conflicts, %d other failures, %d UPDATE audit rows",
		editors, rounds, len(ids), elapsed.Round(time.Millisecond), float64(2*editors*rounds)/elapsed.Seconds(),
		total, successes, conflicts, failures, auditRows)

	for _, m := range messages {
		t.Error(m)
	}
	if failures != 0 || total+conflicts != editors*rounds {
		t.Errorf("%d successes + %d conflicts + %d other failures for %d attempts", total, conflicts, failures, editors*rounds)
	}
	if total == 0 || conflicts == 0 {
		t.Errorf("no contention exercised: %d successes, %d conflicts", total, conflicts)
	}
	for i, key := range records {
		u := seed.ID("services", key)
		// Records start at version 1 (as created), so "version equals its
		// number of successful updates" counts from there: 1 + successes.
		if v := s.version(ids[i]); v != 1+successes[i] {
			t.Errorf("%s: version %d after %d successful updates", key, v, successes[i])
		}
		// Exactly one UPDATE entry per successful update, one per version.
		var rows, versions, minV, maxV int
		if err := s.Pool.QueryRow(t.Context(), `SELECT count(*), count(DISTINCT version), coalesce(min(version), 0),
				coalesce(max(version), 0) FROM audit_log WHERE entity_id = $1 AND action = 'UPDATE'`, u).
			Scan(&rows, &versions, &minV, &maxV); err != nil {
			t.Fatal(err)
		}
		if rows != successes[i] || versions != rows || (rows > 0 && (minV != 2 || maxV != 1+successes[i])) {
			t.Errorf("%s: %d audit rows for versions %d..%d (%d distinct), after %d successful updates",
				key, rows, minV, maxV, versions, successes[i])
		}
		// Each entry's before is the previous entry's after: no update was lost.
		var broken int
		if err := s.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_log a JOIN audit_log b
				ON b.entity_id = a.entity_id AND b.version = a.version + 1
				WHERE a.entity_id = $1 AND b.before IS DISTINCT FROM a.after`, u).Scan(&broken); err != nil {
			t.Fatal(err)
		}
		if broken != 0 {
			t.Errorf("%s: %d audit entries whose before is not the previous after", key, broken)
		}
	}
	if auditRows != total {
		t.Errorf("%d UPDATE audit rows for %d successful updates", auditRows, total)
	}
}
