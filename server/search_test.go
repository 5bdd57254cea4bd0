package main

import (
	"slices"
	"testing"
)

// searchPage is one page of institutions or services found by text.
type searchPage struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage bool
		EndCursor   *string
	}
	Edges []struct {
		Cursor string
		Node   struct{ ID, Name string }
	}
}

// search runs institutions or services (list) with filter text and first,
// after after, as anonymous.
func (s *apiServer) search(list, text string, first int, after *string) searchPage {
	s.t.Helper()
	var got map[string]searchPage
	s.query(anonymous, `query($t: String!, $first: Int, $after: String) {
		`+list+`(filter: {text: $t}, first: $first, after: $after) {
			totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name } } } }`,
		map[string]any{"t": text, "first": first, "after": after}, &got)
	return got[list]
}

// searchIDs is the IDs of a page, in order.
func searchIDs(p searchPage) []string {
	var ids []string
	for _, e := range p.Edges {
		ids = append(ids, e.Node.ID)
	}
	return ids
}

// searchAll checks that paging through a search size rows at a time gives
// the rows of one big page, each once, and that totalCount counts them; it
// returns the IDs in order.
func (s *apiServer) searchAll(t *testing.T, list, text string, size int) []string {
	t.Helper()
	all := s.search(list, text, 100, nil)
	if all.PageInfo.HasNextPage || all.TotalCount != len(all.Edges) {
		t.Fatalf("%s(text %q): totalCount %d for %d rows, hasNextPage %v", list, text, all.TotalCount, len(all.Edges), all.PageInfo.HasNextPage)
	}
	var walked []string
	var after *string
	for range 100 {
		p := s.search(list, text, size, after)
		if p.TotalCount != all.TotalCount {
			t.Errorf("%s(text %q) after %v: totalCount %d, want %d", list, text, after, p.TotalCount, all.TotalCount)
		}
		walked = append(walked, searchIDs(p)...)
		if !p.PageInfo.HasNextPage {
			break
		}
		after = p.PageInfo.EndCursor
	}
	if want := searchIDs(all); !slices.Equal(walked, want) {
		t.Errorf("%s(text %q): paging %d at a time gave %q, want %q", list, text, size, walked, want)
	}
	return walked
}

// TestSearchInstitutionsByRelevance: an institution's own name, short name
// or code comes first, not the alphabetically first name that looks like it.
func TestSearchInstitutionsByRelevance(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	inst := func(key string) string { return id("Institution", "institutions", key) }
	for _, tc := range []struct{ text, want string }{
		{"University of Sheffield", "sheffield"}, // not Sheffield Hallam University
		{"university of sheffield", "sheffield"},
		{"Sheffield Hallam", "shu"},
		{"University of Bristol", "bristol"}, // not Bristol City Council
		{"Bristol City Council", "bristol-city-council"},
		{"ljmu", "ljmu"},
		{"University of Liverpool", "uol"},
		// Codes typed as text: a UKPRN, an ODS code, a charity number, as
		// people write them.
		{"10007157", "sheffield"},
		{"1000 3957", "ljmu"},
		{"10007786", "bristol"},
		{" rw4 ", "mersey-care"},
		{"TAH", "shsc"},
		{"219432", "samaritans"},
	} {
		p := s.search("institutions", tc.text, 1, nil)
		if len(p.Edges) != 1 || p.Edges[0].Node.ID != inst(tc.want) {
			t.Errorf("institutions(text %q, first 1) = %+v, want %s", tc.text, p.Edges, tc.want)
		}
	}
	// The other Bristol institutions still follow, ranked.
	bristol := s.searchAll(t, "institutions", "University of Bristol", 2)
	if i := slices.Index(bristol, inst("bristol-city-council")); i <= 0 {
		t.Errorf("institutions(University of Bristol): Bristol City Council at %d, want after the University", i)
	}
	for _, text := range []string{"University of Sheffield", "sheffield", "univ"} {
		s.searchAll(t, "institutions", text, 2)
	}
}

// TestSearchServicesSomeWords: a search of several words that no service
// matches all of finds those matching some; those matching all come first.
func TestSearchServicesSomeWords(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	ids := func(text string) []string { return searchIDs(s.search("services", text, 100, nil)) }
	selfHarm, anxiety, therapy := ids("self-harm"), ids("anxiety"), ids("therapy")
	if len(selfHarm) == 0 || len(anxiety) == 0 || len(therapy) == 0 {
		t.Fatalf("self-harm %d, anxiety %d, therapy %d services; want some of each", len(selfHarm), len(anxiety), len(therapy))
	}

	// No service matches both words: every one matching either, none missed.
	got := s.searchAll(t, "services", "self-harm anxiety", 2)
	for _, want := range slices.Concat(selfHarm, anxiety) {
		if !slices.Contains(got, want) {
			t.Errorf("services(self-harm anxiety) = %q, missing %s", got, want)
		}
	}
	if ucope := id("Service", "services", "ucope"); len(got) == 0 || got[0] != ucope {
		t.Errorf("services(self-harm anxiety) = %q, want U-COPE first (self-harm in its name)", got)
	}

	// Services matching both words come before those matching one.
	got = s.searchAll(t, "services", "self-harm therapy", 3)
	both := 0
	for _, id := range got {
		if slices.Contains(selfHarm, id) && slices.Contains(therapy, id) {
			both++
		}
	}
	if both == 0 {
		t.Fatalf("no service matches self-harm and therapy: the test does not exercise the order")
	}
	for i, id := range got {
		if all := slices.Contains(selfHarm, id) && slices.Contains(therapy, id); all != (i < both) {
			t.Errorf("services(self-harm therapy): %s at %d matches both words: %v; want the %d matching both first", id, i, all, both)
		}
	}

	// README examples: the service named comes first, the rest after.
	for text, key := range map[string]string{"Student Liaison Service": "student-liaison", "Royal Liverpool A&E": "rluh-ae-liaison"} {
		got := s.searchAll(t, "services", text, 3)
		if len(got) < 2 || got[0] != id("Service", "services", key) {
			t.Errorf("services(%s) = %q, want %s first", text, got, key)
		}
	}
}
