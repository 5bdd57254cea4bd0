package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Opt is one field of a partial update: Set is false to leave the field as
// it is. When Set, Value is the new value (nil for a pointer means clear it).
type Opt[T any] struct {
	Set   bool
	Value T
}

// apply sets *dst to o's value when o is set.
func (o Opt[T]) apply(dst *T) {
	if o.Set {
		*dst = o.Value
	}
}

// Set makes a set Opt.
func Set[T any](v T) Opt[T] { return Opt[T]{Set: true, Value: v} }

// change is one audited change to one record.
type change struct {
	action        string // CREATE, UPDATE, RETIRE, END, VERIFY, ADD_MEMBER, REMOVE_MEMBER
	entityType    string // GraphQL type name
	table         string
	id            uuid.UUID
	institutionID *uuid.UUID
	partnershipID *uuid.UUID
	before        []byte // JSON snapshot before; nil for CREATE
	reason        *string
}

// inTx runs f in a transaction; any error rolls everything back, including
// the audit entry, so an edit is never without its audit and vice versa.
// It runs within the write limit (writeTx, store.go).
func (s *Store) inTx(ctx context.Context, f func(tx pgx.Tx) error) error {
	return s.writeTx(ctx, f)
}

// snapshotOf is the SQL for the JSON of row t as the audit log keeps it:
// its columns (generated search columns left out) and, for services and
// partnerships, the lists that belong to them.
func snapshotOf(table string) string {
	base := `to_jsonb(t) - 'search' - 'name_key'`
	switch table {
	case "services":
		return base + ` || jsonb_build_object(
			'partner_ids', (SELECT coalesce(jsonb_agg(institution_id ORDER BY institution_id), '[]')
				FROM service_partners WHERE service_id = t.id),
			'eligible_institution_ids', (SELECT coalesce(jsonb_agg(institution_id ORDER BY institution_id), '[]')
				FROM service_eligible_institutions WHERE service_id = t.id),
			'opening_hours', (SELECT coalesce(jsonb_agg(jsonb_build_object('day', day_of_week,
					'opens', to_char(opens, 'HH24:MI'), 'closes', to_char(closes, 'HH24:MI')) ORDER BY day_of_week, opens), '[]')
				FROM service_opening_hours WHERE service_id = t.id))`
	case "thresholds":
		return base + ` || jsonb_build_object('versions', (SELECT coalesce(jsonb_agg(to_jsonb(v) || jsonb_build_object(
				'services', (SELECT coalesce(jsonb_agg(jsonb_build_object('service_id', s.service_id, 'side', s.side)
					ORDER BY s.side, s.service_id), '[]') FROM threshold_version_services s WHERE s.threshold_version_id = v.id),
				'sign_offs', (SELECT coalesce(jsonb_agg(to_jsonb(o) ORDER BY o.signed_at), '[]')
					FROM threshold_signoffs o WHERE o.threshold_version_id = v.id)) ORDER BY v.number), '[]')
			FROM threshold_versions v WHERE v.threshold_id = t.id))`
	case "sharing_agreements":
		return base + ` || jsonb_build_object('party_ids', (SELECT coalesce(jsonb_agg(institution_id ORDER BY institution_id), '[]')
				FROM sharing_agreement_parties WHERE agreement_id = t.id))`
	case "pathways":
		return base + ` || jsonb_build_object('steps', (SELECT coalesce(jsonb_agg(to_jsonb(st) ORDER BY st.sort_order, st.id), '[]')
				FROM pathway_steps st WHERE st.pathway_id = t.id))`
	case "partnerships":
		return base + ` || jsonb_build_object(
			'members', (SELECT coalesce(jsonb_agg(jsonb_build_object('institution_id', institution_id, 'role', role)
					ORDER BY institution_id), '[]')
				FROM partnership_members WHERE partnership_id = t.id AND retired_at IS NULL))`
	}
	return base
}

// snapshot is the JSON of a row as the audit log keeps it.
func snapshot(ctx context.Context, tx pgx.Tx, table string, id uuid.UUID) ([]byte, error) {
	var b []byte
	err := tx.QueryRow(ctx, `SELECT `+snapshotOf(table)+` FROM `+pgx.Identifier{table}.Sanitize()+` t WHERE id = $1`, id).Scan(&b)
	return b, err
}

// lockRow takes the row for update and returns its snapshot and version.
// A missing or retired row is ErrNotFound.
func lockRow(ctx context.Context, tx pgx.Tx, table string, id uuid.UUID) ([]byte, int, error) {
	var (
		version int
		retired bool
		before  []byte
	)
	err := tx.QueryRow(ctx, `SELECT version, retired_at IS NOT NULL, `+snapshotOf(table)+`
		FROM `+pgx.Identifier{table}.Sanitize()+` t WHERE id = $1 FOR UPDATE OF t`, id).Scan(&version, &retired, &before)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && retired) {
		return nil, 0, ErrNotFound
	}
	return before, version, err
}

// checkVersion is a *ConflictError unless the row is at the expected version.
func checkVersion(entity string, current, expected int) error {
	if current != expected {
		return &ConflictError{Entity: entity, CurrentVersion: current}
	}
	return nil
}

// audit writes the audit entry for c, with the row's state after the change,
// in the change's transaction.
func (s *Store) audit(ctx context.Context, tx pgx.Tx, c change) error {
	after, err := snapshot(ctx, tx, c.table, c.id)
	if err != nil {
		return fmt.Errorf("audit snapshot: %w", err)
	}
	v := ViewerFrom(ctx)
	var name *string
	if v.Name != "" {
		name = &v.Name
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (actor_subject, actor_name, actor_role, action, entity_type,
			entity_id, institution_id, partnership_id, version, before, after, reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ($9::jsonb ->> 'version')::int, $10, $9, $11)`,
		v.Subject, name, string(v.Role), c.action, c.entityType, c.id, c.institutionID, c.partnershipID,
		after, c.before, c.reason)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// checkReason validates the optional reason given with a change.
func checkReason(reason *string, required bool) (*string, error) {
	if reason == nil || strings.TrimSpace(*reason) == "" {
		if required {
			return nil, BadInput("reason", "is required: say why, for the history")
		}
		return nil, nil
	}
	if p := TextProblem("reason", *reason); p != "" {
		return nil, BadInput("reason", "%s", p)
	}
	r := strings.TrimSpace(*reason)
	if n := len([]rune(r)); n > 2000 {
		return nil, BadInput("reason", "must be at most 2000 characters (got %d)", n)
	}
	return &r, nil
}

// entity describes how to edit one kind of record.
type entity[T any] struct {
	name       string // in messages: "service"
	typeName   string // GraphQL type, in the audit log
	table      string
	load       func(ctx context.Context, tx pgx.Tx, id uuid.UUID) (T, error)
	authorize  func(ctx context.Context, tx pgx.Tx, cur T) error
	scopeOf    func(cur T) (institutionID, partnershipID *uuid.UUID)
	retireStmt string // UPDATE that retires row $1 with reason $2, bumping the version
	// visible, when set, is the condition (over from) that the viewer may
	// see the record: a record hidden from the caller is NOT_FOUND to
	// mutations too, as by every other path.
	from    string
	visible string
}

// edit applies one audited change to an existing record: it locks the row,
// checks the caller's scope and the expected version, runs f, and writes
// the audit entry, all in one transaction.
func edit[T any](ctx context.Context, s *Store, e entity[T], id uuid.UUID, expected int, action string, reason *string,
	f func(tx pgx.Tx, cur T) error) (T, error) {
	var out T
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		before, version, err := lockRow(ctx, tx, e.table, id)
		if err != nil {
			return err
		}
		if e.visible != "" {
			ok, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM `+e.from+` WHERE id = @id AND `+e.visible+`)`,
				withVisibility(ctx, pgx.NamedArgs{"id": id}))
			if err != nil {
				return err
			}
			if !ok {
				return ErrNotFound
			}
		}
		cur, err := e.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := e.authorize(ctx, tx, cur); err != nil {
			return err
		}
		if err := checkVersion(e.name, version, expected); err != nil {
			return err
		}
		if err := f(tx, cur); err != nil {
			return err
		}
		if out, err = e.load(ctx, tx, id); err != nil {
			return err
		}
		inst, partnership := e.scopeOf(cur)
		return s.audit(ctx, tx, change{action: action, entityType: e.typeName, table: e.table, id: id,
			institutionID: inst, partnershipID: partnership, before: before, reason: reason})
	})
	return out, dbError(err)
}

// retire takes a record out of the directory, keeping its history.
// inUse, when given, is a query over $1 (the record's ID) that is true while
// other records still depend on it; then retiring is refused with why.
func retire[T any](ctx context.Context, s *Store, e entity[T], id uuid.UUID, expected int, reason string, inUse, why string) (T, error) {
	r, err := checkReason(&reason, true)
	if err != nil {
		var zero T
		return zero, err
	}
	return edit(ctx, s, e, id, expected, "RETIRE", r, func(tx pgx.Tx, _ T) error {
		if inUse != "" {
			used, err := exists(ctx, tx, inUse, id)
			if err != nil {
				return err
			}
			if used {
				return BadInput("id", "%s", why)
			}
		}
		_, err := tx.Exec(ctx, e.retireStmt, id, *r)
		return err
	})
}

// create inserts a new record with insert (after authorize has passed) and
// audits it.
func create[T any](ctx context.Context, s *Store, e entity[T], reason *string, authorize func(tx pgx.Tx) error,
	insert func(tx pgx.Tx, id uuid.UUID) error) (T, error) {
	var out T
	reason, err := checkReason(reason, false)
	if err != nil {
		return out, err
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if err := authorize(tx); err != nil {
			return err
		}
		id := uuid.New()
		if err := insert(tx, id); err != nil {
			return err
		}
		if out, err = e.load(ctx, tx, id); err != nil {
			return err
		}
		inst, partnership := e.scopeOf(out)
		return s.audit(ctx, tx, change{action: "CREATE", entityType: e.typeName, table: e.table, id: id,
			institutionID: inst, partnershipID: partnership, reason: reason})
	})
	return out, dbError(err)
}

// retireSQL is the statement that retires a row of table.
func retireSQL(table string) string {
	return `UPDATE ` + pgx.Identifier{table}.Sanitize() + ` SET retired_at = now(), retired_reason = $2, version = version + 1 WHERE id = $1`
}

// rowInTx reads one row by ID within tx.
func rowInTx[T any](columns, from string) func(ctx context.Context, tx pgx.Tx, id uuid.UUID) (T, error) {
	return func(ctx context.Context, tx pgx.Tx, id uuid.UUID) (T, error) {
		rows, _ := tx.Query(ctx, `SELECT `+columns+` FROM `+from+` WHERE id = $1`, id)
		return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[T])
	}
}
