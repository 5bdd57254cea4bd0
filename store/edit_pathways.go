package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// --- Information sharing agreements ---

// AgreementFields are the editable fields of a sharing agreement.
type AgreementFields struct {
	Name                         string
	LawfulBasis                  string
	LawfulBasisDetail            *string
	PermitsSharingWithoutConsent bool
	ScopeOfData                  *string
	SignedOn                     *time.Time
	ReviewOn                     *time.Time
	Status                       string
	PartyIDs                     []uuid.UUID
}

// AgreementPatch is a partial update of a sharing agreement.
type AgreementPatch struct {
	Name                         Opt[*string]
	LawfulBasis                  Opt[*string]
	LawfulBasisDetail            Opt[*string]
	PermitsSharingWithoutConsent Opt[*bool]
	ScopeOfData                  Opt[*string]
	SignedOn                     Opt[*time.Time]
	ReviewOn                     Opt[*time.Time]
	Status                       Opt[*string]
	PartyIDs                     Opt[[]uuid.UUID]
}

func (f *AgreementFields) validate(ctx context.Context, tx pgx.Tx, c *checker) error {
	c.required("input.name", &f.Name, 300)
	c.oneOf("input.lawfulBasis", f.LawfulBasis, "EXPLICIT_CONSENT", "VITAL_INTERESTS", "SAFEGUARDING_OF_INDIVIDUALS_AT_RISK", "OTHER")
	c.optional("input.lawfulBasisDetail", &f.LawfulBasisDetail, 2000)
	c.optional("input.scopeOfData", &f.ScopeOfData, 4000)
	c.oneOf("input.status", f.Status, "DRAFT", "ACTIVE", "EXPIRED", "WITHDRAWN")
	if f.LawfulBasis == "OTHER" && f.LawfulBasisDetail == nil {
		c.fail("input.lawfulBasisDetail", "must say what the lawful basis is when it is OTHER")
	}
	if f.SignedOn != nil && f.ReviewOn != nil && f.ReviewOn.Before(*f.SignedOn) {
		c.fail("input.reviewOn", "must not be before signedOn")
	}
	f.PartyIDs = dedupe(f.PartyIDs)
	if len(f.PartyIDs) < 2 {
		c.fail("input.partyIds", "an agreement needs at least two parties")
	}
	if c.err != nil {
		return c.err
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM institutions WHERE id = ANY($1) AND retired_at IS NULL`, f.PartyIDs).Scan(&n); err != nil {
		return err
	}
	if n != len(f.PartyIDs) {
		return BadInput("input.partyIds", "names an institution that is not in the directory")
	}
	return nil
}

var agreementEntity = entity[SharingAgreement]{
	name: "sharing agreement", typeName: "SharingAgreement", table: "sharing_agreements",
	load: rowInTx[SharingAgreement](agreementColumns, "sharing_agreements a"),
	authorize: func(ctx context.Context, _ pgx.Tx, cur SharingAgreement) error {
		if cur.PartnershipID == nil {
			return requireAdmin(ctx)
		}
		return requirePartnershipScope(ctx, *cur.PartnershipID)
	},
	scopeOf:    func(cur SharingAgreement) (*uuid.UUID, *uuid.UUID) { return nil, cur.PartnershipID },
	retireStmt: retireSQL("sharing_agreements"),
}

func writeAgreement(ctx context.Context, tx pgx.Tx, id uuid.UUID, partnershipID *uuid.UUID, f AgreementFields, create bool) error {
	args := pgx.NamedArgs{"id": id, "partnership_id": partnershipID, "name": f.Name, "lawful_basis": f.LawfulBasis,
		"detail": f.LawfulBasisDetail, "permits": f.PermitsSharingWithoutConsent, "scope": f.ScopeOfData,
		"signed_on": f.SignedOn, "review_on": f.ReviewOn, "status": f.Status}
	sql := `UPDATE sharing_agreements SET name = @name, lawful_basis = @lawful_basis, lawful_basis_detail = @detail,
		permits_sharing_without_consent = @permits, scope_of_data = @scope, signed_on = @signed_on,
		review_on = @review_on, status = @status, version = version + 1 WHERE id = @id`
	if create {
		sql = `INSERT INTO sharing_agreements (id, partnership_id, name, lawful_basis, lawful_basis_detail,
			permits_sharing_without_consent, scope_of_data, signed_on, review_on, status)
		VALUES (@id, @partnership_id, @name, @lawful_basis, @detail, @permits, @scope, @signed_on, @review_on, @status)`
	}
	if _, err := tx.Exec(ctx, sql, args); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM sharing_agreement_parties WHERE agreement_id = $1`, id); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO sharing_agreement_parties (agreement_id, institution_id) SELECT $1::uuid, unnest($2::uuid[])`, id, f.PartyIDs)
	return err
}

// CreateAgreement records a sharing agreement, of a partnership (its leads
// and administrators) or with no partnership (administrators only).
func (s *Store) CreateAgreement(ctx context.Context, partnershipID *uuid.UUID, f AgreementFields, reason *string) (SharingAgreement, error) {
	if f.Status == "" {
		f.Status = "ACTIVE"
	}
	return create(ctx, s, agreementEntity, reason, func(tx pgx.Tx) error {
		if partnershipID == nil {
			return requireAdmin(ctx)
		}
		return requirePartnership(ctx, tx, "input.partnershipId", *partnershipID)
	}, func(tx pgx.Tx, id uuid.UUID) error {
		if err := f.validate(ctx, tx, &checker{}); err != nil {
			return err
		}
		return writeAgreement(ctx, tx, id, partnershipID, f, true)
	})
}

// UpdateAgreement changes the fields set in p.
func (s *Store) UpdateAgreement(ctx context.Context, id uuid.UUID, expected int, p AgreementPatch, reason *string) (SharingAgreement, error) {
	reason, err := checkReason(reason, false)
	if err != nil {
		return SharingAgreement{}, err
	}
	return edit(ctx, s, agreementEntity, id, expected, "UPDATE", reason, func(tx pgx.Tx, cur SharingAgreement) error {
		rows, _ := tx.Query(ctx, `SELECT institution_id FROM sharing_agreement_parties WHERE agreement_id = $1 ORDER BY institution_id`, id)
		parties, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		if err != nil {
			return err
		}
		f := AgreementFields{Name: cur.Name, LawfulBasis: cur.LawfulBasis, LawfulBasisDetail: cur.LawfulBasisDetail,
			PermitsSharingWithoutConsent: cur.PermitsSharingWithoutConsent, ScopeOfData: cur.ScopeOfData,
			SignedOn: cur.SignedOn, ReviewOn: cur.ReviewOn, Status: cur.Status, PartyIDs: parties}
		c := &checker{}
		applyRequired(c, "input.name", p.Name, &f.Name)
		applyRequired(c, "input.lawfulBasis", p.LawfulBasis, &f.LawfulBasis)
		p.LawfulBasisDetail.apply(&f.LawfulBasisDetail)
		applyRequired(c, "input.permitsSharingWithoutConsent", p.PermitsSharingWithoutConsent, &f.PermitsSharingWithoutConsent)
		p.ScopeOfData.apply(&f.ScopeOfData)
		p.SignedOn.apply(&f.SignedOn)
		p.ReviewOn.apply(&f.ReviewOn)
		applyRequired(c, "input.status", p.Status, &f.Status)
		p.PartyIDs.apply(&f.PartyIDs)
		if err := f.validate(ctx, tx, c); err != nil {
			return err
		}
		return writeAgreement(ctx, tx, id, cur.PartnershipID, f, false)
	})
}

// RetireAgreement takes a sharing agreement out of the directory; steps that
// rest on it are refused until they are moved to another agreement.
func (s *Store) RetireAgreement(ctx context.Context, id uuid.UUID, expected int, reason string) (SharingAgreement, error) {
	return retire(ctx, s, agreementEntity, id, expected, reason,
		`SELECT EXISTS (SELECT 1 FROM pathway_steps WHERE agreement_id = $1 AND retired_at IS NULL)`,
		"pathway steps still rest on this agreement: move them to another agreement first")
}

// --- Pathways ---

// PathwayFields are the editable fields of a pathway.
type PathwayFields struct {
	Name        string
	Description *string
}

var pathwayEntity = entity[Pathway]{
	name: "pathway", typeName: "Pathway", table: "pathways",
	load: rowInTx[Pathway](pathwayColumns, "pathways p"),
	authorize: func(ctx context.Context, _ pgx.Tx, cur Pathway) error {
		return requirePartnershipScope(ctx, cur.PartnershipID)
	},
	scopeOf:    func(cur Pathway) (*uuid.UUID, *uuid.UUID) { return nil, &cur.PartnershipID },
	retireStmt: retireSQL("pathways"),
}

// CreatePathway adds a pathway to a partnership (its leads and administrators).
func (s *Store) CreatePathway(ctx context.Context, partnershipID uuid.UUID, f PathwayFields, reason *string) (Pathway, error) {
	return create(ctx, s, pathwayEntity, reason, func(tx pgx.Tx) error {
		return requirePartnership(ctx, tx, "input.partnershipId", partnershipID)
	}, func(tx pgx.Tx, id uuid.UUID) error {
		c := &checker{}
		c.required("input.name", &f.Name, 300)
		c.optional("input.description", &f.Description, 4000)
		if c.err != nil {
			return c.err
		}
		_, err := tx.Exec(ctx, `INSERT INTO pathways (id, partnership_id, name, description) VALUES ($1, $2, $3, $4)`,
			id, partnershipID, f.Name, f.Description)
		return err
	})
}

// UpdatePathway changes a pathway's name or description.
func (s *Store) UpdatePathway(ctx context.Context, id uuid.UUID, expected int, name, description Opt[*string], reason *string) (Pathway, error) {
	reason, err := checkReason(reason, false)
	if err != nil {
		return Pathway{}, err
	}
	return edit(ctx, s, pathwayEntity, id, expected, "UPDATE", reason, func(tx pgx.Tx, cur Pathway) error {
		f := PathwayFields{Name: cur.Name, Description: cur.Description}
		c := &checker{}
		applyRequired(c, "input.name", name, &f.Name)
		description.apply(&f.Description)
		c.required("input.name", &f.Name, 300)
		c.optional("input.description", &f.Description, 4000)
		if c.err != nil {
			return c.err
		}
		_, err := tx.Exec(ctx, `UPDATE pathways SET name = $2, description = $3, version = version + 1 WHERE id = $1`,
			id, f.Name, f.Description)
		return err
	})
}

// RetirePathway takes a pathway and its steps out of the directory, in one
// audited change (the steps' retirement is recorded with the pathway's).
func (s *Store) RetirePathway(ctx context.Context, id uuid.UUID, expected int, reason string) (Pathway, error) {
	r, err := checkReason(&reason, true)
	if err != nil {
		return Pathway{}, err
	}
	return edit(ctx, s, pathwayEntity, id, expected, "RETIRE", r, func(tx pgx.Tx, _ Pathway) error {
		if _, err := tx.Exec(ctx, `UPDATE pathway_steps SET retired_at = now(), retired_reason = $2, version = version + 1
			WHERE pathway_id = $1 AND retired_at IS NULL`, id, "Pathway retired: "+*r); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, pathwayEntity.retireStmt, id, *r)
		return err
	})
}

// --- Pathway steps ---

// StepFields are the editable fields of a pathway step.
type StepFields struct {
	FromServiceID         uuid.UUID
	ToServiceID           uuid.UUID
	Situation             string
	RequiresStudentStatus bool
	Consents              []string
	MinUrgency            string
	MaxUrgency            string
	Eligibility           *string
	WhatToSend            []string
	Channel               *string
	TimeLimitHours        *int
	ReceivingPurpose      *string
	AgreementID           *uuid.UUID
	ProtocolNotes         *string
	FirstContactDays      *int
	Sessions              *int
	StudentExpectation    *string
	SortOrder             int
}

// StepPatch is a partial update of a pathway step.
type StepPatch struct {
	FromServiceID         Opt[*uuid.UUID]
	ToServiceID           Opt[*uuid.UUID]
	Situation             Opt[*string]
	RequiresStudentStatus Opt[*bool]
	Consents              Opt[[]string]
	MinUrgency            Opt[*string]
	MaxUrgency            Opt[*string]
	Eligibility           Opt[*string]
	WhatToSend            Opt[[]string]
	Channel               Opt[*string]
	TimeLimitHours        Opt[*int]
	ReceivingPurpose      Opt[*string]
	AgreementID           Opt[*uuid.UUID]
	ProtocolNotes         Opt[*string]
	FirstContactDays      Opt[*int]
	Sessions              Opt[*int]
	StudentExpectation    Opt[*string]
	SortOrder             Opt[*int]
}

func (f *StepFields) validate(ctx context.Context, tx pgx.Tx, c *checker) error {
	if f.FromServiceID == f.ToServiceID {
		c.fail("input.toServiceId", "must be a different service from fromServiceId")
	}
	f.Consents, f.WhatToSend = dedupe(f.Consents), dedupe(f.WhatToSend)
	if len(f.Consents) == 0 {
		c.fail("input.consents", "must name at least one consent the step applies with")
	}
	if f.MinUrgency == "" {
		f.MinUrgency = "ROUTINE"
	}
	if f.MaxUrgency == "" {
		f.MaxUrgency = "EMERGENCY"
	}
	if slices.Index(urgencyOrder, f.MinUrgency) > slices.Index(urgencyOrder, f.MaxUrgency) {
		c.fail("input.maxUrgency", "must not be below minUrgency")
	}
	c.optional("input.eligibility", &f.Eligibility, 1000)
	c.between("input.timeLimitHours", f.TimeLimitHours, 0, 8760)
	c.optional("input.protocolNotes", &f.ProtocolNotes, 2000)
	c.between("input.firstContactWithinDays", f.FirstContactDays, 0, 365)
	c.between("input.sessions", f.Sessions, 1, 100)
	c.optional("input.studentExpectation", &f.StudentExpectation, 2000)
	if c.err != nil {
		return c.err
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM services WHERE id = ANY($1) AND retired_at IS NULL`,
		[]uuid.UUID{f.FromServiceID, f.ToServiceID}).Scan(&n); err != nil {
		return err
	}
	if n != 2 {
		return BadInput("input.fromServiceId", "fromServiceId and toServiceId must both be services in the directory")
	}
	if f.AgreementID != nil {
		ok, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM sharing_agreements WHERE id = $1 AND retired_at IS NULL)`, *f.AgreementID)
		if err != nil || !ok {
			return orInput(err, "input.agreementId", "is not a sharing agreement in the directory")
		}
	}
	return nil
}

// stepRow is a step with its pathway's partnership, for scope checks.
type stepRow struct {
	Step
	PartnershipID uuid.UUID `db:"partnership_id"`
}

var stepEntity = entity[stepRow]{
	name: "pathway step", typeName: "PathwayStep", table: "pathway_steps",
	load: func(ctx context.Context, tx pgx.Tx, id uuid.UUID) (stepRow, error) {
		rows, _ := tx.Query(ctx, `SELECT `+stepColumns+`, pw.partnership_id FROM pathway_steps st
			JOIN pathways pw ON pw.id = st.pathway_id JOIN services ts ON ts.id = st.to_service_id
			WHERE st.id = $1`, id)
		return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[stepRow])
	},
	authorize: func(ctx context.Context, _ pgx.Tx, cur stepRow) error {
		return requirePartnershipScope(ctx, cur.PartnershipID)
	},
	scopeOf:    func(cur stepRow) (*uuid.UUID, *uuid.UUID) { return nil, &cur.PartnershipID },
	retireStmt: retireSQL("pathway_steps"),
}

func writeStep(ctx context.Context, tx pgx.Tx, id, pathwayID uuid.UUID, f StepFields, create bool) error {
	args := pgx.NamedArgs{"id": id, "pathway_id": pathwayID, "from": f.FromServiceID, "to": f.ToServiceID,
		"situation": f.Situation, "student": f.RequiresStudentStatus, "consents": f.Consents,
		"min": f.MinUrgency, "max": f.MaxUrgency, "eligibility": f.Eligibility, "send": nonNilStrings(f.WhatToSend),
		"channel": f.Channel, "hours": f.TimeLimitHours, "purpose": f.ReceivingPurpose, "agreement": f.AgreementID,
		"notes": f.ProtocolNotes, "days": f.FirstContactDays, "sessions": f.Sessions, "expect": f.StudentExpectation,
		"sort": f.SortOrder}
	sql := `UPDATE pathway_steps SET from_service_id = @from, to_service_id = @to, situation = @situation,
		requires_student_status = @student, consents = @consents, min_urgency = @min, max_urgency = @max,
		eligibility = @eligibility, what_to_send = @send, channel = @channel, time_limit_hours = @hours,
		receiving_purpose = @purpose, agreement_id = @agreement, protocol_notes = @notes,
		first_contact_days = @days, sessions = @sessions, student_expectation = @expect, sort_order = @sort,
		version = version + 1 WHERE id = @id`
	if create {
		sql = `INSERT INTO pathway_steps (id, pathway_id, from_service_id, to_service_id, situation,
			requires_student_status, consents, min_urgency, max_urgency, eligibility, what_to_send, channel,
			time_limit_hours, receiving_purpose, agreement_id, protocol_notes, first_contact_days, sessions,
			student_expectation, sort_order)
		VALUES (@id, @pathway_id, @from, @to, @situation, @student, @consents, @min, @max, @eligibility, @send,
			@channel, @hours, @purpose, @agreement, @notes, @days, @sessions, @expect, @sort)`
	}
	_, err := tx.Exec(ctx, sql, args)
	return err
}

// CreateStep adds a step to a pathway (leads of its partnership and administrators).
func (s *Store) CreateStep(ctx context.Context, pathwayID uuid.UUID, f StepFields, reason *string) (Step, error) {
	if f.Consents == nil {
		f.Consents = []string{"GIVEN"}
	}
	row, err := create(ctx, s, stepEntity, reason, func(tx pgx.Tx) error {
		if _, err := requireEditor(ctx); err != nil {
			return err
		}
		var partnershipID uuid.UUID
		err := tx.QueryRow(ctx, `SELECT partnership_id FROM pathways WHERE id = $1 AND retired_at IS NULL`, pathwayID).Scan(&partnershipID)
		if err != nil {
			return orInput(ignoreNoRows(err), "input.pathwayId", "is not a pathway in the directory")
		}
		return requirePartnershipScope(ctx, partnershipID)
	}, func(tx pgx.Tx, id uuid.UUID) error {
		if err := f.validate(ctx, tx, &checker{}); err != nil {
			return err
		}
		return writeStep(ctx, tx, id, pathwayID, f, true)
	})
	return row.Step, err
}

// UpdateStep changes the fields set in p.
func (s *Store) UpdateStep(ctx context.Context, id uuid.UUID, expected int, p StepPatch, reason *string) (Step, error) {
	reason, err := checkReason(reason, false)
	if err != nil {
		return Step{}, err
	}
	row, err := edit(ctx, s, stepEntity, id, expected, "UPDATE", reason, func(tx pgx.Tx, cur stepRow) error {
		f := StepFields{FromServiceID: cur.FromServiceID, ToServiceID: cur.ToServiceID, Situation: cur.Situation,
			RequiresStudentStatus: cur.RequiresStudentStatus, Consents: cur.Consents, MinUrgency: cur.MinUrgency,
			MaxUrgency: cur.MaxUrgency, Eligibility: cur.Eligibility, WhatToSend: cur.WhatToSend, Channel: cur.Channel,
			TimeLimitHours: cur.TimeLimitHours, ReceivingPurpose: cur.ReceivingPurpose, AgreementID: cur.AgreementID,
			ProtocolNotes: cur.ProtocolNotes, FirstContactDays: cur.FirstContactDays, Sessions: cur.Sessions,
			StudentExpectation: cur.StudentExpectation, SortOrder: cur.SortOrder}
		c := &checker{}
		applyRequired(c, "input.fromServiceId", p.FromServiceID, &f.FromServiceID)
		applyRequired(c, "input.toServiceId", p.ToServiceID, &f.ToServiceID)
		applyRequired(c, "input.situation", p.Situation, &f.Situation)
		applyRequired(c, "input.requiresStudentStatus", p.RequiresStudentStatus, &f.RequiresStudentStatus)
		p.Consents.apply(&f.Consents)
		applyRequired(c, "input.minUrgency", p.MinUrgency, &f.MinUrgency)
		applyRequired(c, "input.maxUrgency", p.MaxUrgency, &f.MaxUrgency)
		p.Eligibility.apply(&f.Eligibility)
		p.WhatToSend.apply(&f.WhatToSend)
		p.Channel.apply(&f.Channel)
		p.TimeLimitHours.apply(&f.TimeLimitHours)
		p.ReceivingPurpose.apply(&f.ReceivingPurpose)
		p.AgreementID.apply(&f.AgreementID)
		p.ProtocolNotes.apply(&f.ProtocolNotes)
		p.FirstContactDays.apply(&f.FirstContactDays)
		p.Sessions.apply(&f.Sessions)
		p.StudentExpectation.apply(&f.StudentExpectation)
		applyRequired(c, "input.sortOrder", p.SortOrder, &f.SortOrder)
		if err := f.validate(ctx, tx, c); err != nil {
			return err
		}
		return writeStep(ctx, tx, id, cur.PathwayID, f, false)
	})
	return row.Step, err
}

// RetireStep takes a step out of its pathway, keeping its history.
func (s *Store) RetireStep(ctx context.Context, id uuid.UUID, expected int, reason string) (Step, error) {
	row, err := retire(ctx, s, stepEntity, id, expected, reason, "", "")
	return row.Step, err
}

// ignoreNoRows turns "no rows" into nil, so orInput reports it as bad input.
func ignoreNoRows(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	return err
}
