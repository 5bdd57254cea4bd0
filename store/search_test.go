package store_test

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/waymark/waymark/store"
)

// institutionNames lists the names of institutions, in order.
func institutionNames(is []store.Institution) []string {
	out := make([]string, 0, len(is))
	for _, i := range is {
		out = append(out, i.Name)
	}
	return out
}

// TestListInstitutionsRelevance checks that a search by text puts the exact
// name, short name or code first, then names that start with the text, then
// names that contain it, then names only like it; that a code typed as text
// finds its institution; and that the count agrees with the list.
func TestListInstitutionsRelevance(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	ctx := context.Background()
	he := "HIGHER_EDUCATION_PROVIDER"
	shu := insertInstitution(t, pool, "Sheffield Hallam University", he)
	uos := insertInstitution(t, pool, "University of Sheffield", he)
	insertInstitution(t, pool, "University of Sheffield Students' Union", "STUDENTS_UNION")
	insertInstitution(t, pool, "Bristol City Council", "LOCAL_AUTHORITY")
	insertInstitution(t, pool, "University of Bristol", he)
	insertInstitution(t, pool, "University of the West of England, Bristol", he)
	mersey := insertInstitution(t, pool, "Mersey Care NHS Foundation Trust", "NHS_TRUST")
	ljmu := insertInstitution(t, pool, "Liverpool John Moores University", he)
	insertInstitution(t, pool, "University of Liverpool", he)
	sams := insertInstitution(t, pool, "Samaritans", "CHARITY")
	exec(t, pool, `UPDATE institutions SET short_name = 'SHU' WHERE id = $1`, shu)
	exec(t, pool, `UPDATE institutions SET ukprn = '10007157' WHERE id = $1`, uos)
	exec(t, pool, `UPDATE institutions SET ukprn = '10003957', short_name = 'LJMU' WHERE id = $1`, ljmu)
	exec(t, pool, `UPDATE institutions SET ods_code = 'RW4' WHERE id = $1`, mersey)
	exec(t, pool, `UPDATE institutions SET charity_number = '219432' WHERE id = $1`, sams)
	retire(t, pool, "institutions", insertInstitution(t, pool, "University of Sheffield (old record)", he))

	for _, tc := range []struct {
		text  string
		first []string // the list starts with these
		not   []string // and does not hold these
	}{
		{"University of Sheffield", []string{"University of Sheffield", "University of Sheffield Students' Union", "Sheffield Hallam University"},
			[]string{"University of Sheffield (old record)"}},
		{"university of sheffield", []string{"University of Sheffield", "University of Sheffield Students' Union"}, nil},
		{"University of Bristol", []string{"University of Bristol"}, nil},
		{"shu", []string{"Sheffield Hallam University"}, nil},
		{"Sheffield", []string{"Sheffield Hallam University", "University of Sheffield", "University of Sheffield Students' Union"}, nil},
		{"ljmu", []string{"Liverpool John Moores University"}, nil},
		{"liverpool", []string{"Liverpool John Moores University", "University of Liverpool"}, nil},
		// Codes, written as people type them.
		{"10007157", []string{"University of Sheffield"}, nil},
		{"1000 3957", []string{"Liverpool John Moores University"}, nil},
		{" rw4 ", []string{"Mersey Care NHS Foundation Trust"}, nil},
		{"RW4", []string{"Mersey Care NHS Foundation Trust"}, nil},
		{"219432", []string{"Samaritans"}, nil},
		{"219-432", []string{"Samaritans"}, nil},
		// LIKE's wildcards are plain characters.
		{"%", nil, []string{"Samaritans"}},
		{"_", nil, []string{"Samaritans"}},
	} {
		f := store.InstitutionFilter{Text: ptr(tc.text)}
		list, more, err := st.ListInstitutions(ctx, f, store.Page{First: 100})
		if err != nil || more {
			t.Fatalf("ListInstitutions(text %q) = more %v, %v", tc.text, more, err)
		}
		got := institutionNames(list)
		if len(got) < len(tc.first) || !slices.Equal(got[:len(tc.first)], tc.first) {
			t.Errorf("ListInstitutions(text %q) = %q, want it to start %q", tc.text, got, tc.first)
		}
		for _, n := range tc.not {
			if slices.Contains(got, n) {
				t.Errorf("ListInstitutions(text %q) = %q, want no %q", tc.text, got, n)
			}
		}
		for i, inst := range list {
			if inst.Relevance == nil {
				t.Fatalf("ListInstitutions(text %q): %s has no relevance", tc.text, inst.Name)
			}
			if i > 0 && *inst.Relevance > *list[i-1].Relevance {
				t.Errorf("ListInstitutions(text %q): %s (%v) after %s (%v)", tc.text, inst.Name, *inst.Relevance,
					list[i-1].Name, *list[i-1].Relevance)
			}
		}
		if n, err := st.CountInstitutions(ctx, f); err != nil || n != len(list) {
			t.Errorf("CountInstitutions(text %q) = %d, %v; want %d", tc.text, n, err, len(list))
		}
	}

	// Without text, by name, with no relevance.
	list, _, err := st.ListInstitutions(ctx, store.InstitutionFilter{}, store.Page{First: 1})
	if err != nil || len(list) != 1 || list[0].Relevance != nil || list[0].Name != "Bristol City Council" {
		t.Errorf("ListInstitutions() = %q, %v; want Bristol City Council first, without relevance", institutionNames(list), err)
	}
}

// TestListInstitutionsRelevancePages walks a search two rows at a time:
// every row once, in the order of one big page, with ties in relevance
// (names differing only in case) broken by name and then ID; and cursors of
// one order are refused by the other.
func TestListInstitutionsRelevancePages(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	ctx := context.Background()
	for _, name := range []string{"University of Leeds", "university of leeds", "UNIVERSITY OF LEEDS", "Leeds Beckett University",
		"Leeds Trinity University", "Leeds City Council", "Leeds and York Partnership NHS Foundation Trust",
		"University of Leeds Union", "Leeds Arts University", "Leeds Conservatoire", "University of Leicester"} {
		insertInstitution(t, pool, name, "CHARITY")
	}
	f := store.InstitutionFilter{Text: ptr("University of Leeds")}
	all, more, err := st.ListInstitutions(ctx, f, store.Page{First: 100})
	if err != nil || more || len(all) < 6 {
		t.Fatalf("ListInstitutions = %q, more %v, %v", institutionNames(all), more, err)
	}
	if !slices.IsSortedFunc(all, func(a, b store.Institution) int {
		return cmp.Or(cmp.Compare(*b.Relevance, *a.Relevance), byNameThenID(a.Name, a.ID, b.Name, b.ID))
	}) {
		t.Errorf("not in relevance order: %q", institutionNames(all))
	}
	ties := 0
	for i := 1; i < len(all); i++ {
		if *all[i].Relevance == *all[i-1].Relevance {
			ties++
		}
	}
	if ties < 2 {
		t.Errorf("%d ties in relevance: the test does not exercise the tie-break", ties)
	}
	if !strings.EqualFold(all[2].Name, "university of leeds") {
		t.Errorf("ListInstitutions = %q, want the three University of Leeds first", institutionNames(all))
	}
	walked := walk(t, func(after *store.Cursor) ([]store.Institution, bool, error) {
		return st.ListInstitutions(ctx, f, store.Page{First: 2, After: after})
	}, store.InstitutionCursor)
	if !slices.EqualFunc(walked, all, func(a, b store.Institution) bool { return a.ID == b.ID }) {
		t.Errorf("walked %q, want %q", institutionNames(walked), institutionNames(all))
	}
	if n, err := st.CountInstitutions(ctx, f); err != nil || n != len(all) {
		t.Errorf("CountInstitutions = %d, %v; want %d", n, err, len(all))
	}

	byName, _, err := st.ListInstitutions(ctx, store.InstitutionFilter{}, store.Page{First: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		cursor store.Cursor
		f      store.InstitutionFilter
	}{
		{"relevance cursor to a list by name", store.InstitutionCursor(all[0]), store.InstitutionFilter{}},
		{"name cursor to a search", store.InstitutionCursor(byName[0]), f},
		{"relevance cursor without a name", store.Cursor{Mode: "institutions.relevance", Key: "-3.5", ID: uuid.New()}, f},
		{"relevance cursor whose relevance is not a number", store.Cursor{Mode: "institutions.relevance", Key: "x leeds", ID: uuid.New()}, f},
	} {
		c, err := store.ParseCursor("after", tc.cursor.String())
		if err != nil {
			t.Fatalf("%s: ParseCursor: %v", tc.name, err)
		}
		_, _, err = st.ListInstitutions(ctx, tc.f, store.Page{First: 2, After: c})
		t.Run(tc.name, func(t *testing.T) { wantInputError(t, err, "after") })
	}
}

// TestListServicesSomeWords checks that a search of several words finds the
// services matching every word first, then those matching some, more words
// first, walking the pages across the boundary; and that the count agrees.
func TestListServicesSomeWords(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	ctx := context.Background()
	inst := insertInstitution(t, pool, "University", "HIGHER_EDUCATION_PROVIDER")
	for _, s := range []svc{
		{Name: "Self-harm clinic", Description: "Therapy after self-harm."},
		{Name: "Anxiety group", Description: "A group for anxiety."},
		{Name: "Worry workshop", Description: "Anxiety and worry, in a workshop."},
		{Name: "Both", Description: "For self-harm and for anxiety."},
		{Name: "Exam stress", Description: "Anxiety about exams, and self-harm, and sleep."},
		{Name: "Sleep clinic", Description: "Help to sleep."},
		{Name: "Drop-in", Description: "Talk to someone."},
	} {
		s.Institution = inst
		insertService(t, pool, s)
	}

	f := store.ServiceFilter{Text: ptr("self-harm anxiety")}
	all, more, err := st.ListServices(ctx, f, store.Page{First: 100})
	if err != nil || more {
		t.Fatalf("ListServices = more %v, %v", more, err)
	}
	got := serviceNames(all)
	if len(got) != 5 || !slices.Equal(sorted(got[:2]), []string{"Both", "Exam stress"}) ||
		!slices.Equal(sorted(got[2:]), []string{"Anxiety group", "Self-harm clinic", "Worry workshop"}) {
		t.Errorf("ListServices(self-harm anxiety) = %q, want Both and Exam stress, then the three with one word", got)
	}
	walked := listAll(t, st, f)
	if !slices.EqualFunc(walked, all, func(a, b store.ServiceHit) bool { return a.ID == b.ID }) {
		t.Errorf("walked %q, want %q", serviceNames(walked), got)
	}
	if n, err := st.CountServices(ctx, f); err != nil || n != len(all) {
		t.Errorf("CountServices = %d, %v; want %d", n, err, len(all))
	}

	// Three words: two matched come before one.
	three, _, err := st.ListServices(ctx, store.ServiceFilter{Text: ptr("sleep self-harm xylophone")}, store.Page{First: 100})
	if err != nil || len(three) < 3 || three[0].Name != "Exam stress" {
		t.Errorf("ListServices(sleep self-harm xylophone) = %q, %v; want Exam stress (two words) first", serviceNames(three), err)
	}
	// A negated word is not matched on its own, and still excludes.
	neg, _, err := st.ListServices(ctx, store.ServiceFilter{Text: ptr("anxiety -exams")}, store.Page{First: 100})
	if err != nil || slices.Contains(serviceNames(neg), "Exam stress") || !slices.Contains(serviceNames(neg), "Anxiety group") {
		t.Errorf("ListServices(anxiety -exams) = %q, %v; want Anxiety group and not Exam stress", serviceNames(neg), err)
	}
	// Stop words alone match nothing.
	none, _, err := st.ListServices(ctx, store.ServiceFilter{Text: ptr("the and of")}, store.Page{First: 100})
	if err != nil || len(none) != 0 {
		t.Errorf("ListServices(the and of) = %q, %v; want nothing", serviceNames(none), err)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
