package store_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/waymark/waymark/store"
)

// The store checks input again behind the GraphQL edge (graph/input.go), for
// any other caller: enum values exactly as the schema spells them, and text
// without NUL or control characters where they cannot belong. Each refusal
// is an *InputError naming the field, before any SQL runs.

func TestStoreRefusesInexactEnums(t *testing.T) {
	_, s := newDB(t, tuesday)
	ctx := context.Background()
	_, err := s.Handover(ctx, uuid.New(), uuid.New(), "PRESENTS_AT_URGENT_CARE", "given")
	wantInputError(t, err, "consent")
	_, err = s.Handover(ctx, uuid.New(), uuid.New(), "presents_at_urgent_care", "GIVEN")
	wantInputError(t, err, "situation")
	_, err = s.Signposts(ctx, nil, "self_harm", "URGENT")
	wantInputError(t, err, "need")
	_, err = s.Signposts(ctx, nil, "SELF_HARM", "urgent")
	wantInputError(t, err, "urgency")
	if _, err := s.Signposts(ctx, nil, "SELF_HARM", "URGENT"); err != nil {
		t.Errorf("exact values: %v", err)
	}
}

func TestStoreRefusesControlCharacters(t *testing.T) {
	pool, s := newDB(t, tuesday)
	ctx := context.Background()
	text := "abc\x00def"
	_, err := s.CountServices(ctx, store.ServiceFilter{Text: &text})
	wantInputError(t, err, "filter.text")

	admin := viewerCtx(store.Viewer{Role: store.RoleAdmin, Subject: "admin"})
	for _, c := range []struct {
		what  string
		f     store.InstitutionFields
		field string
	}{
		{"NUL in a name", store.InstitutionFields{Name: "Liverpool\x00College", Kind: "CHARITY"}, "input.name"},
		{"line break in a name", store.InstitutionFields{Name: "Liverpool\nCollege", Kind: "CHARITY"}, "input.name"},
		{"NUL in a description", store.InstitutionFields{Name: "Liverpool College", Kind: "CHARITY", Description: ptr("a\x00b")}, "input.description"},
		{"escape in a description", store.InstitutionFields{Name: "Liverpool College", Kind: "CHARITY", Description: ptr("a\x1bb")}, "input.description"},
		{"NUL in a charity number", store.InstitutionFields{Name: "Liverpool College", Kind: "CHARITY", CharityNumber: ptr("123\x00456")}, "input.charityNumber"},
	} {
		_, err := s.CreateInstitution(admin, c.f, nil)
		t.Run(c.what, func(t *testing.T) { wantInputError(t, err, c.field) })
	}
	_, err = s.CreateInstitution(admin, store.InstitutionFields{Name: "Liverpool College", Kind: "CHARITY"}, ptr("why\x00"))
	wantInputError(t, err, "reason")

	// Prose keeps its line breaks.
	inst, err := s.CreateInstitution(admin, store.InstitutionFields{Name: "Liverpool College", Kind: "CHARITY",
		Description: ptr("One.\r\n\tTwo.")}, ptr("New\nline"))
	if err != nil {
		t.Fatalf("prose with line breaks: %v", err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM institutions WHERE id = $1`, inst.ID).Scan(&n); err != nil || n != 1 {
		t.Errorf("institution not stored: %v %d", err, n)
	}
}
