package store

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// ForumFields are the editable fields of a governance forum.
type ForumFields struct {
	Name            string
	Purpose         *string
	Cadence         string
	HowToBringACase *string
}

// ForumPatch is a partial update of a governance forum.
type ForumPatch struct {
	Name            Opt[*string]
	Purpose         Opt[*string]
	Cadence         Opt[*string]
	HowToBringACase Opt[*string]
}

func (f *ForumFields) validate(c *checker) error {
	c.required("input.name", &f.Name, 200)
	c.optional("input.purpose", &f.Purpose, 2000)
	c.optional("input.howToBringACase", &f.HowToBringACase, 2000)
	return c.err
}

var forumEntity = entity[Forum]{
	name: "governance forum", typeName: "GovernanceForum", table: "governance_forums",
	load: rowInTx[Forum](forumColumns, "governance_forums f"),
	authorize: func(ctx context.Context, _ pgx.Tx, cur Forum) error {
		return requirePartnershipScope(ctx, cur.PartnershipID)
	},
	scopeOf:    func(cur Forum) (*uuid.UUID, *uuid.UUID) { return nil, &cur.PartnershipID },
	retireStmt: retireSQL("governance_forums"),
}

// CreateForum adds a governance forum to partnershipID.
func (s *Store) CreateForum(ctx context.Context, partnershipID uuid.UUID, f ForumFields, reason *string) (Forum, error) {
	return create(ctx, s, forumEntity, reason, func(tx pgx.Tx) error {
		return requirePartnership(ctx, tx, "input.partnershipId", partnershipID)
	}, func(tx pgx.Tx, id uuid.UUID) error {
		if err := f.validate(&checker{}); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO governance_forums (id, partnership_id, name, purpose, cadence, how_to_bring_a_case)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, partnershipID, f.Name, f.Purpose, f.Cadence, f.HowToBringACase)
		return err
	})
}

// UpdateForum changes the fields set in p.
func (s *Store) UpdateForum(ctx context.Context, id uuid.UUID, expected int, p ForumPatch, reason *string) (Forum, error) {
	reason, err := checkReason(reason, false)
	if err != nil {
		return Forum{}, err
	}
	return edit(ctx, s, forumEntity, id, expected, "UPDATE", reason, func(tx pgx.Tx, cur Forum) error {
		f := ForumFields{Name: cur.Name, Purpose: cur.Purpose, Cadence: cur.Cadence, HowToBringACase: cur.HowToBringACase}
		c := &checker{}
		applyRequired(c, "input.name", p.Name, &f.Name)
		p.Purpose.apply(&f.Purpose)
		applyRequired(c, "input.cadence", p.Cadence, &f.Cadence)
		p.HowToBringACase.apply(&f.HowToBringACase)
		if err := f.validate(c); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE governance_forums SET name = $2, purpose = $3, cadence = $4,
			how_to_bring_a_case = $5, version = version + 1 WHERE id = $1`, id, f.Name, f.Purpose, f.Cadence, f.HowToBringACase)
		return err
	})
}

// RetireForum takes a governance forum out of the directory.
func (s *Store) RetireForum(ctx context.Context, id uuid.UUID, expected int, reason string) (Forum, error) {
	return retire(ctx, s, forumEntity, id, expected, reason, "", "")
}
