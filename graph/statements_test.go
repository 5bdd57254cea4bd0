package graph_test

import (
	"testing"
)

// A page of institutions with their nested services, contact points and
// more costs the same number of SQL statements whatever the page size: the
// nested lists load through dataloaders, not one query per item.
func TestNestedPageCostsFixedStatements(t *testing.T) {
	a := newAPI(t)
	const q = `query($first: Int) {
		institutions(first: $first) {
			totalCount
			edges { node {
				name
				sites { name latitude }
				partnerships { role partnership { name } }
				contactPoints { name email purpose deputy { name } }
				services {
					name openNow
					openingHours { day opens closes }
					partners { name }
					eligibility { institutions { name } }
					contactPoints { name email phone }
					site { name }
					institution { name }
				}
			} }
		}
	}`
	statements := func(first int) (int64, int) {
		var data struct {
			Institutions struct {
				Edges []struct {
					Node struct {
						Services []struct{ Name string }
					}
				}
			}
		}
		before := a.queries.n.Load()
		a.query(q, map[string]any{"first": first}, &data)
		services := 0
		for _, e := range data.Institutions.Edges {
			services += len(e.Node.Services)
		}
		if len(data.Institutions.Edges) != first {
			t.Fatalf("asked for %d institutions, got %d: the seed should have more", first, len(data.Institutions.Edges))
		}
		return a.queries.n.Load() - before, services
	}
	// Loaders gather keys for a few milliseconds, so under load one batch
	// can occasionally split in two, or two batches of the same loader at
	// different depths merge: a run may differ from the next by one. An N+1
	// would cost a statement per item, on every run.
	cost := func(first int) (lowest, highest int64, services int) {
		lowest = 1 << 30
		for range 3 {
			n, s := statements(first)
			lowest, highest, services = min(lowest, n), max(highest, n), s
		}
		return lowest, highest, services
	}
	small, smallMax, smallServices := cost(3)
	large, largeMax, largeServices := cost(20)
	t.Logf("SQL statements per request: %d for 3 institutions (%d services), %d for 20 institutions (%d services)",
		small, smallServices, large, largeServices)
	if largeServices <= smallServices {
		t.Fatalf("the larger page should hold more services (%d vs %d)", largeServices, smallServices)
	}
	if large > smallMax {
		t.Errorf("a page of 20 took at least %d statements but a page of 3 at most %d: nested lists are not batched", large, smallMax)
	}
	// The query has 15 lookups: the page, its count, and one per nested list
	// or reference (the institution of a service is looked up at two depths).
	if hi := max(smallMax, largeMax); hi > 15 {
		t.Errorf("%d statements for one page; expected at most one per lookup in the query (15)", hi)
	}
}
