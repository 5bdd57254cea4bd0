package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// ThresholdFields are the text of a threshold version.
type ThresholdFields struct {
	ResponsibleParty string
	Collaboration    *string
	Escalation       *string
	StepDown         *string
	NHSServiceIDs    []uuid.UUID
	HEPServiceIDs    []uuid.UUID
}

// ThresholdPatch is a partial change of a threshold's text.
type ThresholdPatch struct {
	ResponsibleParty Opt[*string]
	Collaboration    Opt[*string]
	Escalation       Opt[*string]
	StepDown         Opt[*string]
	NHSServiceIDs    Opt[[]uuid.UUID]
	HEPServiceIDs    Opt[[]uuid.UUID]
}

// validate checks f for a threshold of partnershipID: the services named on
// each side are live services of the partnership's members on that side
// (NHS bodies on the NHS side; universities, colleges and students' unions
// on the education side).
func (f *ThresholdFields) validate(ctx context.Context, tx pgx.Tx, c *checker, partnershipID uuid.UUID) error {
	c.oneOf("input.responsibleParty", f.ResponsibleParty, "NHS", "HEP", "SHARED", "STUDENT", "UNCLEAR")
	c.optional("input.collaboration", &f.Collaboration, 4000)
	c.optional("input.escalation", &f.Escalation, 4000)
	c.optional("input.stepDown", &f.StepDown, 4000)
	f.NHSServiceIDs, f.HEPServiceIDs = dedupe(f.NHSServiceIDs), dedupe(f.HEPServiceIDs)
	if c.err != nil {
		return c.err
	}
	for _, side := range []struct {
		field string
		ids   []uuid.UUID
		kinds []string
		words string
	}{
		{"input.nhsServiceIds", f.NHSServiceIDs, []string{"NHS_TRUST", "INTEGRATED_CARE_BOARD", "PRIMARY_CARE_NETWORK", "GP_PRACTICE"}, "an NHS member"},
		{"input.hepServiceIds", f.HEPServiceIDs, []string{"HIGHER_EDUCATION_PROVIDER", "FURTHER_EDUCATION_COLLEGE", "STUDENTS_UNION"}, "an education member"},
	} {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM services s JOIN institutions i ON i.id = s.institution_id
			JOIN partnership_members m ON m.institution_id = i.id AND m.partnership_id = $2 AND m.retired_at IS NULL
			WHERE s.id = ANY($1) AND s.retired_at IS NULL AND i.kind = ANY($3)`, side.ids, partnershipID, side.kinds).Scan(&n); err != nil {
			return err
		}
		if n != len(side.ids) {
			return BadInput(side.field, "must name live services of %s of this partnership", side.words)
		}
	}
	return nil
}

// sideOfKind is the side of a threshold an institution of this kind signs
// for: NHS bodies the NHS side, education providers the education side.
func sideOfKind(kind string) string {
	switch kind {
	case "NHS_TRUST", "INTEGRATED_CARE_BOARD", "PRIMARY_CARE_NETWORK", "GP_PRACTICE":
		return "NHS"
	case "HIGHER_EDUCATION_PROVIDER", "FURTHER_EDUCATION_COLLEGE":
		return "HEP"
	}
	return ""
}

var thresholdEntity = entity[Threshold]{
	name: "threshold", typeName: "Threshold", table: "thresholds",
	load: func(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Threshold, error) {
		rows, _ := tx.Query(ctx, `SELECT `+thresholdColumns+` FROM thresholds t WHERE t.id = $1`, id)
		return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Threshold])
	},
	authorize: func(ctx context.Context, tx pgx.Tx, cur Threshold) error {
		live, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM partnerships WHERE id = $1 AND retired_at IS NULL)`, cur.PartnershipID)
		if err != nil {
			return err
		}
		if !live {
			return ErrNotFound // a retired partnership's thresholds leave the directory with it
		}
		return requirePartnershipScope(ctx, cur.PartnershipID)
	},
	scopeOf: func(cur Threshold) (*uuid.UUID, *uuid.UUID) { return nil, &cur.PartnershipID },
}

// lockThreshold is lockRow for thresholds, which have no retired_at.
func lockThreshold(ctx context.Context, tx pgx.Tx, id uuid.UUID) ([]byte, int, error) {
	var (
		version int
		before  []byte
	)
	err := tx.QueryRow(ctx, `SELECT version, `+snapshotOf("thresholds")+` FROM thresholds t WHERE id = $1 FOR UPDATE OF t`, id).Scan(&version, &before)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, ErrNotFound
	}
	return before, version, err
}

// thresholdStep applies one audited step to a threshold: lock, scope,
// version, f, bump the version, audit, all in one transaction.
func (s *Store) thresholdStep(ctx context.Context, id uuid.UUID, expected int, action string, reason *string,
	f func(tx pgx.Tx, cur Threshold, versions []ThresholdVersion) (string, error)) (Threshold, error) {
	var out Threshold
	err := s.inTx(ctx, func(tx pgx.Tx) (err error) {
		out, err = s.stepInTx(ctx, tx, id, &expected, false, action, reason, f)
		return err
	})
	return out, dbError(err)
}

// stepInTx is thresholdStep within tx; a nil expected skips the version
// check (for a step the same transaction has just made possible). fresh is
// true for the first step of a threshold created in this transaction: it
// stays at version 1 and its audit entry has no "before".
func (s *Store) stepInTx(ctx context.Context, tx pgx.Tx, id uuid.UUID, expected *int, fresh bool, action string, reason *string,
	f func(tx pgx.Tx, cur Threshold, versions []ThresholdVersion) (string, error)) (Threshold, error) {
	before, version, err := lockThreshold(ctx, tx, id)
	if err != nil {
		return Threshold{}, err
	}
	cur, err := thresholdEntity.load(ctx, tx, id)
	if err != nil {
		return Threshold{}, err
	}
	if err := thresholdEntity.authorize(ctx, tx, cur); err != nil {
		return Threshold{}, err
	}
	if expected != nil {
		if err := checkVersion("threshold", version, *expected); err != nil {
			return Threshold{}, err
		}
	}
	versions, err := versionsInTx(ctx, tx, id)
	if err != nil {
		return Threshold{}, err
	}
	act, err := f(tx, cur, versions)
	if err != nil {
		return Threshold{}, err
	}
	if act == "" {
		act = action
	}
	if fresh {
		before = nil
	} else if _, err := tx.Exec(ctx, `UPDATE thresholds SET version = version + 1 WHERE id = $1`, id); err != nil {
		return Threshold{}, err
	}
	out, err := thresholdEntity.load(ctx, tx, id)
	if err != nil {
		return Threshold{}, err
	}
	return out, s.audit(ctx, tx, change{action: act, entityType: "Threshold", table: "thresholds", id: id,
		partnershipID: &cur.PartnershipID, before: before, reason: reason})
}

func versionsInTx(ctx context.Context, tx pgx.Tx, thresholdID uuid.UUID) ([]ThresholdVersion, error) {
	rows, _ := tx.Query(ctx, `SELECT `+thresholdVersionColumns+` FROM threshold_versions v
		WHERE v.threshold_id = $1 ORDER BY v.number`, thresholdID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[ThresholdVersion])
}

// insertVersion adds a DRAFT version of a threshold whose text is f.
func insertVersion(ctx context.Context, tx pgx.Tx, thresholdID uuid.UUID, number, textVersion int, f ThresholdFields) error {
	id := uuid.New()
	if _, err := tx.Exec(ctx, `INSERT INTO threshold_versions (id, threshold_id, number, status, responsible_party,
			collaboration, escalation, step_down, text_version)
		VALUES ($1, $2, $3, 'DRAFT', $4, $5, $6, $7, $8)`,
		id, thresholdID, number, f.ResponsibleParty, f.Collaboration, f.Escalation, f.StepDown, textVersion); err != nil {
		return err
	}
	return writeVersionServices(ctx, tx, id, f)
}

func writeVersionServices(ctx context.Context, tx pgx.Tx, versionID uuid.UUID, f ThresholdFields) error {
	if _, err := tx.Exec(ctx, `DELETE FROM threshold_version_services WHERE threshold_version_id = $1`, versionID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO threshold_version_services (threshold_version_id, service_id, side)
		SELECT $1::uuid, unnest($2::uuid[]), 'NHS' UNION SELECT $1::uuid, unnest($3::uuid[]), 'HEP'`,
		versionID, nonNil(f.NHSServiceIDs), nonNil(f.HEPServiceIDs))
	return err
}

// DraftThreshold starts a new DRAFT version of the partnership's threshold
// for the area (creating the threshold if it is the first). An agreed
// version stays in force until the draft is agreed. A threshold has one
// pending version at a time: when one exists, CONFLICT.
func (s *Store) DraftThreshold(ctx context.Context, partnershipID, areaID uuid.UUID, f ThresholdFields, reason *string) (Threshold, error) {
	reason, err := checkReason(reason, false)
	if err != nil {
		return Threshold{}, err
	}
	var out Threshold
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if err := requirePartnership(ctx, tx, "partnershipId", partnershipID); err != nil {
			return err
		}
		ok, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM responsibility_areas WHERE id = $1 AND retired_at IS NULL)`, areaID)
		if err != nil || !ok {
			return orInput(err, "areaId", "is not a responsibility area")
		}
		var (
			id    uuid.UUID
			fresh bool
		)
		if err := tx.QueryRow(ctx, `INSERT INTO thresholds (partnership_id, area_id) VALUES ($1, $2)
			ON CONFLICT (partnership_id, area_id) DO UPDATE SET version = thresholds.version
			RETURNING id, (xmax = 0)`, partnershipID, areaID).Scan(&id, &fresh); err != nil {
			return err
		}
		out, err = s.stepInTx(ctx, tx, id, nil, fresh, "DRAFT", reason, func(tx pgx.Tx, cur Threshold, versions []ThresholdVersion) (string, error) {
			if p := Pending(versions); p != nil {
				return "", &ConflictError{Entity: "threshold", CurrentVersion: cur.Version,
					Message: fmt.Sprintf("version %d of this threshold is already %s: update it rather than starting another", p.Number, lower(p.Status))}
			}
			if err := f.validate(ctx, tx, &checker{}, partnershipID); err != nil {
				return "", err
			}
			textVersion := cur.Version + 1 // the version this step brings it to
			if fresh {
				textVersion = cur.Version
			}
			return "", insertVersion(ctx, tx, id, len(versions)+1, textVersion, f)
		})
		return err
	})
	return out, dbError(err)
}

func lower(status string) string {
	switch status {
	case "DRAFT":
		return "a draft"
	case "PROPOSED":
		return "proposed"
	}
	return status
}

// UpdateThreshold changes the threshold's text. A pending version is changed
// in place, voiding any sign-offs it had (they were for the old text); when
// only an agreed version exists, the change starts a new DRAFT from it.
func (s *Store) UpdateThreshold(ctx context.Context, id uuid.UUID, expected int, p ThresholdPatch, reason *string) (Threshold, error) {
	reason, err := checkReason(reason, false)
	if err != nil {
		return Threshold{}, err
	}
	return s.thresholdStep(ctx, id, expected, "UPDATE", reason, func(tx pgx.Tx, cur Threshold, versions []ThresholdVersion) (string, error) {
		pending := Pending(versions)
		base := pending
		if base == nil && len(versions) > 0 {
			base = InForce(versions, s.now())
			if base == nil {
				base = &versions[len(versions)-1]
			}
		}
		f := ThresholdFields{ResponsibleParty: "UNCLEAR"}
		if base != nil {
			f = ThresholdFields{ResponsibleParty: base.ResponsibleParty, Collaboration: base.Collaboration,
				Escalation: base.Escalation, StepDown: base.StepDown}
			svcs, err := versionServicesInTx(ctx, tx, base.ID)
			if err != nil {
				return "", err
			}
			for _, vs := range svcs {
				if vs.Side == "NHS" {
					f.NHSServiceIDs = append(f.NHSServiceIDs, vs.ServiceID)
				} else {
					f.HEPServiceIDs = append(f.HEPServiceIDs, vs.ServiceID)
				}
			}
		}
		c := &checker{}
		applyRequired(c, "input.responsibleParty", p.ResponsibleParty, &f.ResponsibleParty)
		p.Collaboration.apply(&f.Collaboration)
		p.Escalation.apply(&f.Escalation)
		p.StepDown.apply(&f.StepDown)
		p.NHSServiceIDs.apply(&f.NHSServiceIDs)
		p.HEPServiceIDs.apply(&f.HEPServiceIDs)
		if err := f.validate(ctx, tx, c, cur.PartnershipID); err != nil {
			return "", err
		}
		if base != nil && sameText(ctx, tx, *base, f, base.ID) {
			return "", BadInput("input", "changes nothing: the threshold already says this")
		}
		if pending == nil {
			return "DRAFT", insertVersion(ctx, tx, id, len(versions)+1, cur.Version+1, f)
		}
		if _, err := tx.Exec(ctx, `UPDATE threshold_versions SET responsible_party = $2, collaboration = $3,
				escalation = $4, step_down = $5, text_version = $6 WHERE id = $1`,
			pending.ID, f.ResponsibleParty, f.Collaboration, f.Escalation, f.StepDown, cur.Version+1); err != nil {
			return "", err
		}
		if _, err := tx.Exec(ctx, `UPDATE threshold_signoffs SET voided_at = now() WHERE threshold_version_id = $1 AND voided_at IS NULL`, pending.ID); err != nil {
			return "", err
		}
		return "", writeVersionServices(ctx, tx, pending.ID, f)
	})
}

// sameText reports whether f says exactly what version v says.
func sameText(ctx context.Context, tx pgx.Tx, v ThresholdVersion, f ThresholdFields, versionID uuid.UUID) bool {
	eq := func(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	if v.ResponsibleParty != f.ResponsibleParty || !eq(v.Collaboration, f.Collaboration) ||
		!eq(v.Escalation, f.Escalation) || !eq(v.StepDown, f.StepDown) {
		return false
	}
	svcs, err := versionServicesInTx(ctx, tx, versionID)
	if err != nil {
		return false
	}
	var nhs, hep []uuid.UUID
	for _, vs := range svcs {
		if vs.Side == "NHS" {
			nhs = append(nhs, vs.ServiceID)
		} else {
			hep = append(hep, vs.ServiceID)
		}
	}
	same := func(a, b []uuid.UUID) bool {
		return len(a) == len(b) && !slices.ContainsFunc(a, func(id uuid.UUID) bool { return !slices.Contains(b, id) })
	}
	return same(nhs, f.NHSServiceIDs) && same(hep, f.HEPServiceIDs)
}

func versionServicesInTx(ctx context.Context, tx pgx.Tx, versionID uuid.UUID) ([]VersionService, error) {
	rows, _ := tx.Query(ctx, `SELECT threshold_version_id, service_id, side FROM threshold_version_services
		WHERE threshold_version_id = $1 ORDER BY side, service_id`, versionID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[VersionService])
}

// ProposeThreshold puts the pending DRAFT forward for sign-off.
func (s *Store) ProposeThreshold(ctx context.Context, id uuid.UUID, expected int, reason *string) (Threshold, error) {
	reason, err := checkReason(reason, false)
	if err != nil {
		return Threshold{}, err
	}
	return s.thresholdStep(ctx, id, expected, "PROPOSE", reason, func(tx pgx.Tx, _ Threshold, versions []ThresholdVersion) (string, error) {
		p := Pending(versions)
		if p == nil || p.Status != "DRAFT" {
			return "", BadInput("id", "this threshold has no draft to propose")
		}
		_, err := tx.Exec(ctx, `UPDATE threshold_versions SET status = 'PROPOSED', proposed_at = now() WHERE id = $1`, p.ID)
		return "", err
	})
}

// SignOffThreshold signs the PROPOSED version for the caller's side: the
// side of the member institution their token names (NHS bodies sign for the
// NHS side, education providers for the education side). When both sides
// have signed, the version is AGREED and the one it replaces SUPERSEDED.
func (s *Store) SignOffThreshold(ctx context.Context, id uuid.UUID, expected int, reason *string) (Threshold, error) {
	reason, err := checkReason(reason, false)
	if err != nil {
		return Threshold{}, err
	}
	return s.thresholdStep(ctx, id, expected, "SIGN_OFF", reason, func(tx pgx.Tx, cur Threshold, versions []ThresholdVersion) (string, error) {
		v := ViewerFrom(ctx)
		if v.Role != RoleLead {
			return "", forbidden("thresholds are signed off by the partnership's leads, one on each side")
		}
		institutionID, side, err := signingSide(ctx, tx, v, cur.PartnershipID)
		if err != nil {
			return "", err
		}
		p := Pending(versions)
		if p == nil || p.Status != "PROPOSED" {
			return "", BadInput("id", "this threshold has no proposed version to sign: propose the draft first")
		}
		var signed []string
		rows, _ := tx.Query(ctx, `SELECT side FROM threshold_signoffs WHERE threshold_version_id = $1 AND voided_at IS NULL`, p.ID)
		if signed, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return "", err
		}
		if slices.Contains(signed, side) {
			return "", &ConflictError{Entity: "threshold", CurrentVersion: cur.Version,
				Message: fmt.Sprintf("version %d has already been signed for the %s side", p.Number, sideName(side))}
		}
		var name *string
		if v.Name != "" {
			name = &v.Name
		}
		if _, err := tx.Exec(ctx, `INSERT INTO threshold_signoffs (threshold_version_id, side, institution_id,
				signer_subject, signer_name, text_version) VALUES ($1, $2, $3, $4, $5, $6)`,
			p.ID, side, institutionID, v.Subject, name, p.TextVersion); err != nil {
			return "", err
		}
		if len(signed) == 0 {
			return "", nil // waiting for the other side
		}
		if _, err := tx.Exec(ctx, `UPDATE threshold_versions SET status = 'SUPERSEDED', superseded_at = now()
			WHERE threshold_id = $1 AND status = 'AGREED'`, cur.ID); err != nil {
			return "", err
		}
		_, err = tx.Exec(ctx, `UPDATE threshold_versions SET status = 'AGREED', agreed_at = now() WHERE id = $1`, p.ID)
		return "AGREE", err
	})
}

func sideName(side string) string {
	if side == "NHS" {
		return "NHS"
	}
	return "education"
}

// signingSide works out which member institution of the partnership the
// lead signs for, and its side.
func signingSide(ctx context.Context, tx pgx.Tx, v Viewer, partnershipID uuid.UUID) (uuid.UUID, string, error) {
	type member struct {
		ID   uuid.UUID `db:"id"`
		Kind string    `db:"kind"`
	}
	rows, _ := tx.Query(ctx, `SELECT i.id, i.kind FROM institutions i
		JOIN partnership_members m ON m.institution_id = i.id AND m.partnership_id = $1 AND m.retired_at IS NULL
		WHERE i.id = ANY($2) AND i.retired_at IS NULL ORDER BY i.id`, partnershipID, nonNil(v.Institutions))
	members, err := pgx.CollectRows(rows, pgx.RowToStructByName[member])
	if err != nil {
		return uuid.Nil, "", err
	}
	var id uuid.UUID
	side := ""
	for _, m := range members {
		switch s := sideOfKind(m.Kind); {
		case s == "":
		case side == "":
			id, side = m.ID, s
		case side != s:
			return uuid.Nil, "", forbidden("your token names member institutions on both sides; a lead signs for one side only")
		}
	}
	if side == "" {
		return uuid.Nil, "", forbidden("to sign, your token must name an NHS or education member institution of this partnership")
	}
	return id, side, nil
}

// WithdrawThreshold withdraws the pending version or, when there is none,
// the agreed one (which then is no longer in force). The withdrawal is
// recorded; nothing is deleted.
func (s *Store) WithdrawThreshold(ctx context.Context, id uuid.UUID, expected int, reason string) (Threshold, error) {
	r, err := checkReason(&reason, true)
	if err != nil {
		return Threshold{}, err
	}
	return s.thresholdStep(ctx, id, expected, "WITHDRAW", r, func(tx pgx.Tx, _ Threshold, versions []ThresholdVersion) (string, error) {
		target := Pending(versions)
		if target == nil {
			target = InForce(versions, s.now())
		}
		if target == nil {
			return "", BadInput("id", "this threshold has no pending or agreed version to withdraw")
		}
		_, err := tx.Exec(ctx, `UPDATE threshold_versions SET status = 'WITHDRAWN', withdrawn_at = now(), withdrawn_reason = $2
			WHERE id = $1`, target.ID, *r)
		return "", err
	})
}

// AreaFields are the fields of a responsibility area.
type AreaFields struct {
	Name               string
	Description        *string
	ReferencePlacement *string
	SortOrder          *int
}

// CreateArea adds a responsibility area to the catalogue (administrators only).
func (s *Store) CreateArea(ctx context.Context, f AreaFields, reason *string) (Area, error) {
	e := entity[Area]{name: "responsibility area", typeName: "ResponsibilityArea", table: "responsibility_areas",
		load:    rowInTx[Area](areaColumns, "responsibility_areas a"),
		scopeOf: func(Area) (*uuid.UUID, *uuid.UUID) { return nil, nil }}
	return create(ctx, s, e, reason, func(pgx.Tx) error { return requireAdmin(ctx) }, func(tx pgx.Tx, id uuid.UUID) error {
		c := &checker{}
		c.required("input.name", &f.Name, 300)
		c.optional("input.description", &f.Description, 2000)
		c.between("input.sortOrder", f.SortOrder, 0, 100000)
		if f.ReferencePlacement != nil {
			c.oneOf("input.referencePlacement", *f.ReferencePlacement, "NHS", "UNCLEAR", "HEP", "STUDENT")
		}
		if c.err != nil {
			return c.err
		}
		order := 1000
		if f.SortOrder != nil {
			order = *f.SortOrder
		}
		_, err := tx.Exec(ctx, `INSERT INTO responsibility_areas (id, name, description, reference_placement, sort_order)
			VALUES ($1, $2, $3, $4, $5)`, id, f.Name, f.Description, f.ReferencePlacement, order)
		return err
	})
}
