package store

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// PartnershipFields are the editable fields of a partnership.
type PartnershipFields struct {
	Name           string
	Description    *string
	Region         *string
	SharedOutcomes []string
}

// PartnershipPatch is a partial update of a partnership.
type PartnershipPatch struct {
	Name           Opt[*string]
	Description    Opt[*string]
	Region         Opt[*string]
	SharedOutcomes Opt[[]string]
}

func (f *PartnershipFields) validate(c *checker) error {
	c.required("input.name", &f.Name, 200)
	c.optional("input.description", &f.Description, 4000)
	if len(f.SharedOutcomes) > 50 {
		c.fail("input.sharedOutcomes", "must have at most 50 outcomes")
	}
	for i := range f.SharedOutcomes {
		c.required("input.sharedOutcomes", &f.SharedOutcomes[i], 500)
	}
	f.SharedOutcomes = nonNilStrings(f.SharedOutcomes)
	return c.err
}

var partnershipEntity = entity[Partnership]{
	name: "partnership", typeName: "Partnership", table: "partnerships",
	load:       rowInTx[Partnership](partnershipColumns, "partnerships p"),
	authorize:  func(ctx context.Context, _ pgx.Tx, _ Partnership) error { return requireAdmin(ctx) },
	scopeOf:    func(cur Partnership) (*uuid.UUID, *uuid.UUID) { return nil, &cur.ID },
	retireStmt: retireSQL("partnerships"),
}

// CreatePartnership adds a partnership (administrators only).
func (s *Store) CreatePartnership(ctx context.Context, f PartnershipFields, reason *string) (Partnership, error) {
	return create(ctx, s, partnershipEntity, reason, func(pgx.Tx) error { return requireAdmin(ctx) },
		func(tx pgx.Tx, id uuid.UUID) error {
			if err := f.validate(&checker{}); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO partnerships (id, name, description, region, shared_outcomes)
				VALUES ($1, $2, $3, $4, $5)`, id, f.Name, f.Description, f.Region, f.SharedOutcomes)
			return err
		})
}

// UpdatePartnership changes the fields set in p (administrators only).
func (s *Store) UpdatePartnership(ctx context.Context, id uuid.UUID, expected int, p PartnershipPatch, reason *string) (Partnership, error) {
	reason, err := checkReason(reason, false)
	if err != nil {
		return Partnership{}, err
	}
	return edit(ctx, s, partnershipEntity, id, expected, "UPDATE", reason, func(tx pgx.Tx, cur Partnership) error {
		f := PartnershipFields{Name: cur.Name, Description: cur.Description, Region: cur.Region, SharedOutcomes: cur.SharedOutcomes}
		c := &checker{}
		applyRequired(c, "input.name", p.Name, &f.Name)
		p.Description.apply(&f.Description)
		p.Region.apply(&f.Region)
		p.SharedOutcomes.apply(&f.SharedOutcomes)
		if err := f.validate(c); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE partnerships SET name = $2, description = $3, region = $4, shared_outcomes = $5,
			version = version + 1 WHERE id = $1`, id, f.Name, f.Description, f.Region, f.SharedOutcomes)
		return err
	})
}

// RetirePartnership takes a partnership out of the directory (administrators
// only). Its governance forums, pathways and sharing agreements must be
// retired first.
func (s *Store) RetirePartnership(ctx context.Context, id uuid.UUID, expected int, reason string) (Partnership, error) {
	return retire(ctx, s, partnershipEntity, id, expected, reason,
		`SELECT EXISTS (SELECT 1 FROM governance_forums WHERE partnership_id = $1 AND retired_at IS NULL)
			OR EXISTS (SELECT 1 FROM pathways WHERE partnership_id = $1 AND retired_at IS NULL)
			OR EXISTS (SELECT 1 FROM sharing_agreements WHERE partnership_id = $1 AND retired_at IS NULL)`,
		"the partnership still has governance forums, pathways or sharing agreements in the directory: retire them first")
}

// AddMember adds institutionID to the partnership with role, or changes
// its role, bumping the partnership's version (administrators only).
func (s *Store) AddMember(ctx context.Context, partnershipID uuid.UUID, expected int, institutionID uuid.UUID, role string, reason *string) (Partnership, error) {
	reason, err := checkReason(reason, false)
	if err != nil {
		return Partnership{}, err
	}
	return edit(ctx, s, partnershipEntity, partnershipID, expected, "ADD_MEMBER", reason, func(tx pgx.Tx, _ Partnership) error {
		c := &checker{}
		c.required("role", &role, 200)
		if c.err != nil {
			return c.err
		}
		ok, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM institutions WHERE id = $1 AND retired_at IS NULL)`, institutionID)
		if err != nil || !ok {
			return orInput(err, "institutionId", "is not an institution in the directory")
		}
		_, err = tx.Exec(ctx, `INSERT INTO partnership_members (partnership_id, institution_id, role, joined_on)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (partnership_id, institution_id) DO UPDATE SET role = EXCLUDED.role,
				joined_on = CASE WHEN partnership_members.retired_at IS NULL THEN partnership_members.joined_on ELSE EXCLUDED.joined_on END,
				retired_at = NULL, retired_reason = NULL, version = partnership_members.version + 1`,
			partnershipID, institutionID, role, s.today())
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE partnerships SET version = version + 1 WHERE id = $1`, partnershipID)
		return err
	})
}

// RemoveMember ends institutionID's membership of the partnership,
// bumping the partnership's version (administrators only).
func (s *Store) RemoveMember(ctx context.Context, partnershipID uuid.UUID, expected int, institutionID uuid.UUID, reason string) (Partnership, error) {
	r, err := checkReason(&reason, true)
	if err != nil {
		return Partnership{}, err
	}
	return edit(ctx, s, partnershipEntity, partnershipID, expected, "REMOVE_MEMBER", r, func(tx pgx.Tx, _ Partnership) error {
		tag, err := tx.Exec(ctx, `UPDATE partnership_members SET retired_at = now(), retired_reason = $3, version = version + 1
			WHERE partnership_id = $1 AND institution_id = $2 AND retired_at IS NULL`, partnershipID, institutionID, *r)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return BadInput("institutionId", "is not a member of this partnership")
		}
		_, err = tx.Exec(ctx, `UPDATE partnerships SET version = version + 1 WHERE id = $1`, partnershipID)
		return err
	})
}
