package store

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// AuditEntry is one change to one record.
type AuditEntry struct {
	ID           int64           `db:"id"`
	At           time.Time       `db:"at"`
	ActorSubject string          `db:"actor_subject"`
	ActorName    *string         `db:"actor_name"`
	ActorRole    string          `db:"actor_role"`
	Action       string          `db:"action"`
	EntityType   string          `db:"entity_type"`
	EntityID     uuid.UUID       `db:"entity_id"`
	Version      int             `db:"version"`
	Before       json.RawMessage `db:"before"`
	After        json.RawMessage `db:"after"`
	Reason       *string         `db:"reason"`
}

const auditByID = "audit.id"

// AuditCursor is the cursor of e in ListAudit.
func AuditCursor(e AuditEntry) Cursor {
	return Cursor{Mode: auditByID, Key: strconv.FormatInt(e.ID, 10), ID: e.EntityID}
}

// ListAudit returns a page of the history of one record, oldest first, for
// leads within the record's scope and administrators.
func (s *Store) ListAudit(ctx context.Context, entityID uuid.UUID, p Page) ([]AuditEntry, bool, error) {
	if err := checkPage(p, auditByID); err != nil {
		return nil, false, err
	}
	if err := s.authorizeAudit(ctx, entityID); err != nil {
		return nil, false, err
	}
	var after int64
	if p.After != nil {
		var err error
		if after, err = strconv.ParseInt(p.After.Key, 10, 64); err != nil || p.After.ID != entityID {
			return nil, false, BadInput("after", "is not a cursor of this record's history")
		}
	}
	rows, _ := s.pool.Query(ctx, `SELECT id, at, actor_subject, actor_name, actor_role, action, entity_type,
			entity_id, version, before, after, reason
		FROM audit_log WHERE entity_id = $1 AND id > $2 ORDER BY id LIMIT $3`, entityID, after, p.First+1)
	return collectPage(rows, p.First, pgx.RowToStructByName[AuditEntry])
}

// CountAudit counts the entries of one record's history.
func (s *Store) CountAudit(ctx context.Context, entityID uuid.UUID) (int, error) {
	if err := s.authorizeAudit(ctx, entityID); err != nil {
		return 0, err
	}
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE entity_id = $1`, entityID).Scan(&n)
	return n, err
}

// authorizeAudit allows administrators, and leads within the record's scope
// (its institution, or its partnership). An unknown record is NOT_FOUND,
// answered only after the role check so that it reveals nothing to others.
func (s *Store) authorizeAudit(ctx context.Context, entityID uuid.UUID) error {
	if _, err := requireEditor(ctx); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var institutionID, partnershipID *uuid.UUID
		err := tx.QueryRow(ctx, `
			SELECT institution_id, NULL::uuid FROM services WHERE id = $1
			UNION ALL SELECT institution_id, NULL FROM contact_points WHERE id = $1
			UNION ALL SELECT institution_id, NULL FROM sites WHERE id = $1
			UNION ALL SELECT id, NULL FROM institutions WHERE id = $1
			UNION ALL SELECT NULL, partnership_id FROM governance_forums WHERE id = $1
			UNION ALL SELECT NULL, id FROM partnerships WHERE id = $1
			UNION ALL SELECT NULL, partnership_id FROM thresholds WHERE id = $1
			UNION ALL SELECT NULL, NULL FROM responsibility_areas WHERE id = $1
			UNION ALL SELECT NULL, partnership_id FROM sharing_agreements WHERE id = $1
			UNION ALL SELECT NULL, partnership_id FROM pathways WHERE id = $1
			UNION ALL SELECT NULL, p.partnership_id FROM pathway_steps st JOIN pathways p ON p.id = st.pathway_id WHERE st.id = $1
			LIMIT 1`, entityID).Scan(&institutionID, &partnershipID)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		switch {
		case institutionID != nil:
			return requireInstitutionScope(ctx, tx, *institutionID)
		case partnershipID != nil:
			return requirePartnershipScope(ctx, *partnershipID)
		}
		return requireAdmin(ctx)
	})
}
