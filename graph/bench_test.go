package graph_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waymark/waymark/graph"
	"github.com/waymark/waymark/store"
	"github.com/waymark/waymark/store/storetest"
)

// benchQuery measures one GraphQL request through the handler (no network)
// over the seeded directory, reporting SQL statements per request.
func benchQuery(b *testing.B, query string, vars map[string]any) {
	cfg, err := pgxpool.ParseConfig(storetest.URL(b, seeded()))
	if err != nil {
		b.Fatal(err)
	}
	counter := &queryCounter{}
	cfg.ConnConfig.Tracer = counter
	h := graph.NewHandler(store.New(storetest.PoolFromConfig(b, cfg)), graph.Options{Logger: slog.New(slog.DiscardHandler)})
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	do := func() {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
			b.Fatalf("%d %s", rec.Code, rec.Body.String())
		}
	}
	do() // warm the query cache and connections
	counter.n.Store(0)
	b.ReportAllocs()
	for b.Loop() {
		do()
	}
	b.ReportMetric(float64(counter.n.Load())/float64(b.N), "sql/op")
}

func BenchmarkDirectoryPage(b *testing.B) {
	benchQuery(b, `{ institutions(first: 20) { totalCount edges { node {
		name sites { name } contactPoints { name email }
		services { name openNow contactPoints { name email } } } } } }`, nil)
}

func BenchmarkServiceTextSearch(b *testing.B) {
	benchQuery(b, `{ services(filter: {text: "self harm"}, first: 20) { totalCount edges { node { name institution { name } } } } }`, nil)
}

func BenchmarkServicesNear(b *testing.B) {
	benchQuery(b, `{ services(filter: {near: {latitude: 53.4055, longitude: -2.9773, radiusKm: 10}}, first: 20) {
		edges { distanceKm node { name openNow } } } }`, nil)
}

func BenchmarkContactPointsForPurpose(b *testing.B) {
	benchQuery(b, `query($id: ID!) { contactPoints(institutionId: $id, purpose: URGENT_CARE_NOTIFICATION) {
		role succeeded contactPoint { name email stale } } }`, map[string]any{"id": institutionID("ljmu")})
}

func BenchmarkHandover(b *testing.B) {
	benchQuery(b, `query($from: ID!, $to: ID!) { handover(fromServiceId: $from, toInstitutionId: $to,
		situation: PRESENTS_AT_URGENT_CARE, consent: GIVEN) {
		receivingService { name } protocol { whatToSend channel timeLimitHours receivingPurpose }
		contactPoints { role contactPoint { name email phone } } agreement { name lawfulBasis } warnings { code } } }`,
		map[string]any{"from": serviceID("rluh-ae-liaison"), "to": institutionID("ljmu")})
}

func BenchmarkSignpost(b *testing.B) {
	benchQuery(b, `query($i: ID!) { signpost(institutionId: $i, need: SELF_HARM, urgency: URGENT) {
		section service { name phone } howToAccess openNow whatToExpect expectedWaitDays via { from { name } } } }`,
		map[string]any{"i": institutionID("uol")})
}

func BenchmarkRoutes(b *testing.B) {
	benchQuery(b, `query($a: ID!, $b: ID!) { routes(fromServiceId: $a, toServiceId: $b, maxSteps: 4) {
		expectedHours steps { situation from { name } to { name } } } }`,
		map[string]any{"a": serviceID("rluh-ae-liaison"), "b": serviceID("ucope")})
}
