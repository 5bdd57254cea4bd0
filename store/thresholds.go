package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Area is an area of care whose responsibility a threshold settles, e.g.
// "Crisis and post-crisis care".
type Area struct {
	ID                 uuid.UUID  `db:"id"`
	Name               string     `db:"name"`
	Description        *string    `db:"description"`
	ReferencePlacement *string    `db:"reference_placement"`
	ReferenceSource    *string    `db:"reference_source"`
	SortOrder          int        `db:"sort_order"`
	Version            int        `db:"version"`
	RetiredAt          *time.Time `db:"retired_at"`
	CreatedAt          time.Time  `db:"created_at"`
	UpdatedAt          time.Time  `db:"updated_at"`
}

const areaColumns = `a.id, a.name, a.description, a.reference_placement, a.reference_source, a.sort_order,
	a.version, a.retired_at, a.created_at, a.updated_at`

// Areas returns the catalogue of responsibility areas in table order.
func (s *Store) Areas(ctx context.Context) ([]Area, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+areaColumns+` FROM responsibility_areas a
		WHERE a.retired_at IS NULL ORDER BY a.sort_order, a.name`)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Area])
}

// AreasByIDs returns the current areas among ids.
func (s *Store) AreasByIDs(ctx context.Context, ids []uuid.UUID) ([]Area, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+areaColumns+` FROM responsibility_areas a
		WHERE a.id = ANY($1) AND a.retired_at IS NULL`, ids)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Area])
}

// Threshold is a partnership's agreement on who is responsible for an area.
// Its Version counts every step taken on it.
type Threshold struct {
	ID            uuid.UUID `db:"id"`
	PartnershipID uuid.UUID `db:"partnership_id"`
	AreaID        uuid.UUID `db:"area_id"`
	Version       int       `db:"version"`
	CreatedAt     time.Time `db:"created_at"`
	UpdatedAt     time.Time `db:"updated_at"`
}

const thresholdColumns = `t.id, t.partnership_id, t.area_id, t.version, t.created_at, t.updated_at`

// ThresholdsByPartnership returns the partnership's thresholds in area order.
func (s *Store) ThresholdsByPartnership(ctx context.Context, partnershipID uuid.UUID) ([]Threshold, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+thresholdColumns+` FROM thresholds t
		JOIN responsibility_areas a ON a.id = t.area_id
		WHERE t.partnership_id = $1 ORDER BY a.sort_order, a.name`, partnershipID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Threshold])
}

// ThresholdsByIDs returns the thresholds among ids.
func (s *Store) ThresholdsByIDs(ctx context.Context, ids []uuid.UUID) ([]Threshold, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+thresholdColumns+` FROM thresholds t WHERE t.id = ANY($1)`, ids)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Threshold])
}

// ThresholdVersion is one version of a threshold's text and its state.
type ThresholdVersion struct {
	ID               uuid.UUID  `db:"id"`
	ThresholdID      uuid.UUID  `db:"threshold_id"`
	Number           int        `db:"number"`
	Status           string     `db:"status"`
	ResponsibleParty string     `db:"responsible_party"`
	Collaboration    *string    `db:"collaboration"`
	Escalation       *string    `db:"escalation"`
	StepDown         *string    `db:"step_down"`
	TextVersion      int        `db:"text_version"`
	CreatedAt        time.Time  `db:"created_at"`
	UpdatedAt        time.Time  `db:"updated_at"`
	ProposedAt       *time.Time `db:"proposed_at"`
	AgreedAt         *time.Time `db:"agreed_at"`
	SupersededAt     *time.Time `db:"superseded_at"`
	WithdrawnAt      *time.Time `db:"withdrawn_at"`
	WithdrawnReason  *string    `db:"withdrawn_reason"`
}

const thresholdVersionColumns = `v.id, v.threshold_id, v.number, v.status, v.responsible_party, v.collaboration,
	v.escalation, v.step_down, v.text_version, v.created_at, v.updated_at, v.proposed_at, v.agreed_at,
	v.superseded_at, v.withdrawn_at, v.withdrawn_reason`

// VersionsOfThresholds returns every version of the thresholds, oldest first.
func (s *Store) VersionsOfThresholds(ctx context.Context, thresholdIDs []uuid.UUID) ([]ThresholdVersion, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+thresholdVersionColumns+` FROM threshold_versions v
		WHERE v.threshold_id = ANY($1) ORDER BY v.threshold_id, v.number`, thresholdIDs)
	return pgx.CollectRows(rows, pgx.RowToStructByName[ThresholdVersion])
}

// InForce is the version of a threshold that was agreed and in force at
// asOf, if any (versions as returned by VersionsOfThresholds).
func InForce(versions []ThresholdVersion, asOf time.Time) *ThresholdVersion {
	for i := len(versions) - 1; i >= 0; i-- {
		v := versions[i]
		if v.AgreedAt == nil || v.AgreedAt.After(asOf) {
			continue
		}
		if (v.SupersededAt != nil && !v.SupersededAt.After(asOf)) || (v.WithdrawnAt != nil && !v.WithdrawnAt.After(asOf)) {
			continue
		}
		return &versions[i]
	}
	return nil
}

// Pending is the version of a threshold that is a DRAFT or PROPOSED, if any.
func Pending(versions []ThresholdVersion) *ThresholdVersion {
	for i, v := range versions {
		if v.Status == "DRAFT" || v.Status == "PROPOSED" {
			return &versions[i]
		}
	}
	return nil
}

// VersionService is a service that carries a threshold version on one side.
type VersionService struct {
	ThresholdVersionID uuid.UUID `db:"threshold_version_id"`
	ServiceID          uuid.UUID `db:"service_id"`
	Side               string    `db:"side"`
}

// ServicesOfVersions returns the services named by the threshold versions.
func (s *Store) ServicesOfVersions(ctx context.Context, versionIDs []uuid.UUID) ([]VersionService, error) {
	rows, _ := s.pool.Query(ctx, `SELECT threshold_version_id, service_id, side FROM threshold_version_services
		WHERE threshold_version_id = ANY($1) ORDER BY threshold_version_id, side, service_id`, versionIDs)
	return pgx.CollectRows(rows, pgx.RowToStructByName[VersionService])
}

// SignOff is one side's signature on a threshold version.
type SignOff struct {
	ID                 uuid.UUID  `db:"id"`
	ThresholdVersionID uuid.UUID  `db:"threshold_version_id"`
	Side               string     `db:"side"`
	InstitutionID      uuid.UUID  `db:"institution_id"`
	SignerSubject      string     `db:"signer_subject"`
	SignerName         *string    `db:"signer_name"`
	TextVersion        int        `db:"text_version"`
	SignedAt           time.Time  `db:"signed_at"`
	VoidedAt           *time.Time `db:"voided_at"`
}

// SignOffsOfVersions returns the sign-offs of the threshold versions, in order.
func (s *Store) SignOffsOfVersions(ctx context.Context, versionIDs []uuid.UUID) ([]SignOff, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, threshold_version_id, side, institution_id, signer_subject, signer_name,
			text_version, signed_at, voided_at
		FROM threshold_signoffs WHERE threshold_version_id = ANY($1) ORDER BY threshold_version_id, signed_at, id`, versionIDs)
	return pgx.CollectRows(rows, pgx.RowToStructByName[SignOff])
}

// PartnershipThreshold is one partnership an institution belongs to and its
// threshold for an area, if it has one.
type PartnershipThreshold struct {
	PartnershipID uuid.UUID  `db:"partnership_id"`
	ThresholdID   *uuid.UUID `db:"threshold_id"`
}

// WhoHandles returns, for each partnership the institution belongs to, its
// threshold for the area (nil when it has none). ErrNotFound when the
// institution or the area does not exist.
func (s *Store) WhoHandles(ctx context.Context, institutionID, areaID uuid.UUID) ([]PartnershipThreshold, error) {
	var instOK, areaOK bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM institutions WHERE id = $1 AND retired_at IS NULL),
		EXISTS (SELECT 1 FROM responsibility_areas WHERE id = $2 AND retired_at IS NULL)`, institutionID, areaID).Scan(&instOK, &areaOK)
	if err != nil {
		return nil, err
	}
	if !instOK || !areaOK {
		return nil, ErrNotFound
	}
	rows, _ := s.pool.Query(ctx, `SELECT m.partnership_id, t.id AS threshold_id
		FROM partnership_members m
		JOIN partnerships p ON p.id = m.partnership_id AND p.retired_at IS NULL
		LEFT JOIN thresholds t ON t.partnership_id = m.partnership_id AND t.area_id = $2
		WHERE m.institution_id = $1 AND m.retired_at IS NULL
		ORDER BY lower(p.name), p.id`, institutionID, areaID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[PartnershipThreshold])
}
