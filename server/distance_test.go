package main

import (
	"context"
	"math"
	"testing"
)

// TestDistanceKmIsRounded: services near a point (the README's "What is near
// me" in Liverpool) show distanceKm to 0.1 km, nearest first, while the
// order stays that of the exact distances.
func TestDistanceKmIsRounded(t *testing.T) {
	s := newAPIServer(t)
	const lat, lon = 53.4055, -2.9773
	var got struct {
		Services struct {
			Edges []struct {
				DistanceKm *float64
				Node       struct{ ID, Name string }
			}
		}
	}
	s.query(anonymous, `query($near: NearInput!) { services(filter: {near: $near}, first: 50) {
		edges { distanceKm node { id name } } } }`,
		map[string]any{"near": map[string]any{"latitude": lat, "longitude": lon, "radiusKm": 3}}, &got)
	edges := got.Services.Edges
	if len(edges) < 3 {
		t.Fatalf("only %d services within 3 km of Liverpool city centre", len(edges))
	}
	// The exact distances, as the database measures them.
	exact := map[string]float64{}
	rows, err := s.Pool.Query(context.Background(), `SELECT s.name, haversine_km($1, $2, st.latitude, st.longitude)
		FROM services s JOIN sites st ON st.id = s.site_id WHERE s.retired_at IS NULL`, lat, lon)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var km float64
		if err := rows.Scan(&name, &km); err != nil {
			t.Fatal(err)
		}
		exact[name] = km
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rounded := 0
	last := -1.0
	for _, e := range edges {
		km, ok := exact[e.Node.Name]
		if !ok || e.DistanceKm == nil {
			t.Fatalf("%s: distanceKm %v, exact %v (%v)", e.Node.Name, e.DistanceKm, km, ok)
		}
		if want := math.Round(km*10) / 10; *e.DistanceKm != want {
			t.Errorf("%s: distanceKm %v, want %v (exactly %v km)", e.Node.Name, *e.DistanceKm, want, km)
		}
		if km != *e.DistanceKm {
			rounded++
		}
		if km < last {
			t.Errorf("%s (%v km) comes after a service %v km away", e.Node.Name, km, last)
		}
		last = km
	}
	if rounded == 0 {
		t.Error("no distance needed rounding: the test proves nothing")
	}
	// The seed's answers.
	want := []struct {
		name string
		km   float64
	}{
		{"LJMU Student Advice and Wellbeing", 0.3}, // 0.282… km
		{"Guild Advice", 0.7},                      // 0.670… km
		{"Brownlow Health GP practice", 0.7},       // 0.673… km
		{"U-COPE self-harm therapy service", 0.7},  // 0.696… km
		{"Mental Health Advisory Service (MHAS)", 0.8},
		{"Residence Life support in halls", 1}, // 1.015… km
	}
	at := map[string]float64{}
	for _, e := range edges {
		at[e.Node.Name] = *e.DistanceKm
	}
	for _, w := range want {
		if km, ok := at[w.name]; !ok || km != w.km {
			t.Errorf("%s: distanceKm %v (listed: %v), want %v", w.name, km, ok, w.km)
		}
	}
	if edges[0].Node.Name != want[0].name {
		t.Errorf("nearest is %s, want %s", edges[0].Node.Name, want[0].name)
	}
}
