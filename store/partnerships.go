package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Partnership is a local partnership of institutions.
type Partnership struct {
	ID             uuid.UUID  `db:"id"`
	Name           string     `db:"name"`
	Description    *string    `db:"description"`
	Region         *string    `db:"region"`
	SharedOutcomes []string   `db:"shared_outcomes"`
	Version        int        `db:"version"`
	RetiredAt      *time.Time `db:"retired_at"`
	CreatedAt      time.Time  `db:"created_at"`
	UpdatedAt      time.Time  `db:"updated_at"`
}

const partnershipColumns = `p.id, p.name, p.description, p.region, p.shared_outcomes, p.version, p.retired_at,
	p.created_at, p.updated_at`

const partnershipsByName = "partnerships.name"

// PartnershipsByIDs returns the current partnerships among ids.
func (s *Store) PartnershipsByIDs(ctx context.Context, ids []uuid.UUID) ([]Partnership, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+partnershipColumns+` FROM partnerships p
		WHERE p.id = ANY($1) AND p.retired_at IS NULL`, ids)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Partnership])
}

// ListPartnerships returns a page of partnerships by name, and whether more follow.
func (s *Store) ListPartnerships(ctx context.Context, p Page) ([]Partnership, bool, error) {
	if err := checkPage(p, partnershipsByName); err != nil {
		return nil, false, err
	}
	args := pgx.NamedArgs{"limit": p.First + 1}
	where := "p.retired_at IS NULL"
	if p.After != nil {
		args["after_key"], args["after_id"] = p.After.Key, p.After.ID
		where += " AND (lower(p.name), p.id) > (@after_key, @after_id)"
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+partnershipColumns+` FROM partnerships p
		WHERE `+where+` ORDER BY lower(p.name), p.id LIMIT @limit`, args)
	return collectPage(rows, p.First, pgx.RowToStructByName[Partnership])
}

// CountPartnerships counts the current partnerships.
func (s *Store) CountPartnerships(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM partnerships WHERE retired_at IS NULL`).Scan(&n)
	return n, err
}

// PartnershipCursor is the cursor of p in ListPartnerships.
func PartnershipCursor(p Partnership) Cursor {
	return Cursor{Mode: partnershipsByName, Key: strings.ToLower(p.Name), ID: p.ID}
}

// Member is an institution's membership of a partnership.
type Member struct {
	PartnershipID uuid.UUID  `db:"partnership_id"`
	InstitutionID uuid.UUID  `db:"institution_id"`
	Role          string     `db:"role"`
	JoinedOn      *time.Time `db:"joined_on"`
}

// MembersByPartnerships returns the members of the partnerships, by institution name.
func (s *Store) MembersByPartnerships(ctx context.Context, partnershipIDs []uuid.UUID) ([]Member, error) {
	rows, _ := s.pool.Query(ctx, `SELECT m.partnership_id, m.institution_id, m.role, m.joined_on
		FROM partnership_members m JOIN institutions i ON i.id = m.institution_id AND i.retired_at IS NULL
		WHERE m.partnership_id = ANY($1) AND m.retired_at IS NULL ORDER BY lower(i.name), i.id`, partnershipIDs)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Member])
}

// MembershipsByInstitutions returns the partnership memberships of the institutions, by partnership name.
func (s *Store) MembershipsByInstitutions(ctx context.Context, institutionIDs []uuid.UUID) ([]Member, error) {
	rows, _ := s.pool.Query(ctx, `SELECT m.partnership_id, m.institution_id, m.role, m.joined_on
		FROM partnership_members m JOIN partnerships p ON p.id = m.partnership_id AND p.retired_at IS NULL
		WHERE m.institution_id = ANY($1) AND m.retired_at IS NULL ORDER BY lower(p.name), p.id`, institutionIDs)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Member])
}

// Forum is a governance forum of a partnership.
type Forum struct {
	ID              uuid.UUID  `db:"id"`
	PartnershipID   uuid.UUID  `db:"partnership_id"`
	Name            string     `db:"name"`
	Purpose         *string    `db:"purpose"`
	Cadence         string     `db:"cadence"`
	HowToBringACase *string    `db:"how_to_bring_a_case"`
	Version         int        `db:"version"`
	RetiredAt       *time.Time `db:"retired_at"`
}

const forumColumns = `f.id, f.partnership_id, f.name, f.purpose, f.cadence, f.how_to_bring_a_case, f.version, f.retired_at`

// ForumsByPartnerships returns the current forums of the partnerships, most frequent first.
func (s *Store) ForumsByPartnerships(ctx context.Context, partnershipIDs []uuid.UUID) ([]Forum, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+forumColumns+` FROM governance_forums f
		WHERE f.partnership_id = ANY($1) AND f.retired_at IS NULL
		ORDER BY array_position(ARRAY['WEEKLY','FORTNIGHTLY','MONTHLY','BI_MONTHLY','QUARTERLY',
			'TWICE_YEARLY','ANNUALLY','AS_NEEDED'], f.cadence), f.name, f.id`, partnershipIDs)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Forum])
}

// ForumsByIDs returns the current forums among ids.
func (s *Store) ForumsByIDs(ctx context.Context, ids []uuid.UUID) ([]Forum, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+forumColumns+` FROM governance_forums f
		WHERE f.id = ANY($1) AND f.retired_at IS NULL`, ids)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Forum])
}
