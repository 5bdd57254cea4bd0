package store

import (
	"context"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Who may change what. Reads are filtered by visibleTo; changes are checked
// here, inside the transaction that makes them.

func requireSignedIn(ctx context.Context) (Viewer, error) {
	v := ViewerFrom(ctx)
	if v.Role == RoleAnonymous {
		return v, ErrUnauthenticated
	}
	return v, nil
}

// requireAdmin allows administrators only: institutions, partnerships and
// memberships are theirs to manage.
func requireAdmin(ctx context.Context) error {
	v, err := requireSignedIn(ctx)
	if err != nil {
		return err
	}
	if v.Role != RoleAdmin {
		return forbidden("only administrators manage institutions, partnerships and memberships")
	}
	return nil
}

// requireEditor allows leads and administrators.
func requireEditor(ctx context.Context) (Viewer, error) {
	v, err := requireSignedIn(ctx)
	if err != nil {
		return v, err
	}
	if v.Role != RoleLead && v.Role != RoleAdmin {
		return v, forbidden("professionals can read the directory but not change it; ask a partnership lead")
	}
	return v, nil
}

// requireInstitutionScope allows administrators, and leads whose token names
// the institution or a partnership it is a member of.
func requireInstitutionScope(ctx context.Context, tx pgx.Tx, institutionID uuid.UUID) error {
	v, err := requireEditor(ctx)
	if err != nil || v.Role == RoleAdmin || slices.Contains(v.Institutions, institutionID) {
		return err
	}
	var member bool
	err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM partnership_members
		WHERE institution_id = $1 AND partnership_id = ANY($2) AND retired_at IS NULL)`,
		institutionID, nonNil(v.Partnerships)).Scan(&member)
	if err != nil {
		return err
	}
	if !member {
		return forbidden("this record belongs to an institution outside your partnerships and institutions")
	}
	return nil
}

// requirePartnershipScope allows administrators, and leads whose token names
// the partnership.
func requirePartnershipScope(ctx context.Context, partnershipID uuid.UUID) error {
	v, err := requireEditor(ctx)
	if err != nil || v.Role == RoleAdmin {
		return err
	}
	if !slices.Contains(v.Partnerships, partnershipID) {
		return forbidden("this record belongs to a partnership your token does not name")
	}
	return nil
}

func nonNil(ids []uuid.UUID) []uuid.UUID {
	if ids == nil {
		return []uuid.UUID{}
	}
	return ids
}

// requireInstitution checks that institutionID is a current institution in
// the caller's scope; field names the input that gave it.
func requireInstitution(ctx context.Context, tx pgx.Tx, field string, institutionID uuid.UUID) error {
	if _, err := requireEditor(ctx); err != nil {
		return err
	}
	ok, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM institutions WHERE id = $1 AND retired_at IS NULL)`, institutionID)
	if err != nil || !ok {
		return orInput(err, field, "is not an institution in the directory")
	}
	return requireInstitutionScope(ctx, tx, institutionID)
}

// requirePartnership checks that partnershipID is a current partnership in
// the caller's scope; field names the input that gave it.
func requirePartnership(ctx context.Context, tx pgx.Tx, field string, partnershipID uuid.UUID) error {
	if err := requirePartnershipScope(ctx, partnershipID); err != nil {
		return err
	}
	ok, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM partnerships WHERE id = $1 AND retired_at IS NULL)`, partnershipID)
	if err != nil || !ok {
		return orInput(err, field, "is not a partnership in the directory")
	}
	return nil
}
