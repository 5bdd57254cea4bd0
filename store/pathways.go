package store

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// SharingAgreement is an information sharing agreement between institutions.
type SharingAgreement struct {
	ID                           uuid.UUID  `db:"id"`
	PartnershipID                *uuid.UUID `db:"partnership_id"`
	Name                         string     `db:"name"`
	LawfulBasis                  string     `db:"lawful_basis"`
	LawfulBasisDetail            *string    `db:"lawful_basis_detail"`
	PermitsSharingWithoutConsent bool       `db:"permits_sharing_without_consent"`
	ScopeOfData                  *string    `db:"scope_of_data"`
	SignedOn                     *time.Time `db:"signed_on"`
	ReviewOn                     *time.Time `db:"review_on"`
	Status                       string     `db:"status"`
	Version                      int        `db:"version"`
	RetiredAt                    *time.Time `db:"retired_at"`
	CreatedAt                    time.Time  `db:"created_at"`
	UpdatedAt                    time.Time  `db:"updated_at"`
}

const agreementColumns = `a.id, a.partnership_id, a.name, a.lawful_basis, a.lawful_basis_detail,
	a.permits_sharing_without_consent, a.scope_of_data, a.signed_on, a.review_on, a.status, a.version,
	a.retired_at, a.created_at, a.updated_at`

// AgreementsByIDs returns the agreements among ids that have not been retired.
func (s *Store) AgreementsByIDs(ctx context.Context, ids []uuid.UUID) ([]SharingAgreement, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+agreementColumns+` FROM sharing_agreements a
		WHERE a.id = ANY($1) AND a.retired_at IS NULL`, ids)
	return pgx.CollectRows(rows, pgx.RowToStructByName[SharingAgreement])
}

// AgreementParty is one party to an agreement.
type AgreementParty struct {
	AgreementID   uuid.UUID `db:"agreement_id"`
	InstitutionID uuid.UUID `db:"institution_id"`
}

// PartiesOfAgreements returns the parties of the agreements.
func (s *Store) PartiesOfAgreements(ctx context.Context, ids []uuid.UUID) ([]AgreementParty, error) {
	rows, _ := s.pool.Query(ctx, `SELECT agreement_id, institution_id FROM sharing_agreement_parties
		WHERE agreement_id = ANY($1) ORDER BY agreement_id, institution_id`, ids)
	return pgx.CollectRows(rows, pgx.RowToStructByName[AgreementParty])
}

// Pathway is a partnership's referral pathway.
type Pathway struct {
	ID            uuid.UUID  `db:"id"`
	PartnershipID uuid.UUID  `db:"partnership_id"`
	Name          string     `db:"name"`
	Description   *string    `db:"description"`
	Version       int        `db:"version"`
	RetiredAt     *time.Time `db:"retired_at"`
	CreatedAt     time.Time  `db:"created_at"`
	UpdatedAt     time.Time  `db:"updated_at"`
}

const pathwayColumns = `p.id, p.partnership_id, p.name, p.description, p.version, p.retired_at, p.created_at, p.updated_at`

// PathwaysByPartnerships returns the current pathways of the partnerships, by name.
func (s *Store) PathwaysByPartnerships(ctx context.Context, ids []uuid.UUID) ([]Pathway, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+pathwayColumns+` FROM pathways p
		WHERE p.partnership_id = ANY($1) AND p.retired_at IS NULL ORDER BY p.name, p.id`, ids)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Pathway])
}

// PathwaysByIDs returns the current pathways among ids.
func (s *Store) PathwaysByIDs(ctx context.Context, ids []uuid.UUID) ([]Pathway, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+pathwayColumns+` FROM pathways p WHERE p.id = ANY($1) AND p.retired_at IS NULL`, ids)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Pathway])
}

// Step is one hand-over of a pathway, from one service to another.
type Step struct {
	ID                    uuid.UUID  `db:"id"`
	PathwayID             uuid.UUID  `db:"pathway_id"`
	FromServiceID         uuid.UUID  `db:"from_service_id"`
	ToServiceID           uuid.UUID  `db:"to_service_id"`
	ToInstitutionID       uuid.UUID  `db:"to_institution_id"`
	Situation             string     `db:"situation"`
	RequiresStudentStatus bool       `db:"requires_student_status"`
	Consents              []string   `db:"consents"`
	MinUrgency            string     `db:"min_urgency"`
	MaxUrgency            string     `db:"max_urgency"`
	Eligibility           *string    `db:"eligibility"`
	WhatToSend            []string   `db:"what_to_send"`
	Channel               *string    `db:"channel"`
	TimeLimitHours        *int       `db:"time_limit_hours"`
	ReceivingPurpose      *string    `db:"receiving_purpose"`
	AgreementID           *uuid.UUID `db:"agreement_id"`
	ProtocolNotes         *string    `db:"protocol_notes"`
	FirstContactDays      *int       `db:"first_contact_days"`
	Sessions              *int       `db:"sessions"`
	StudentExpectation    *string    `db:"student_expectation"`
	SortOrder             int        `db:"sort_order"`
	Version               int        `db:"version"`
}

// stepColumns reads steps aliased st, joined to their receiving service ts.
const stepColumns = `st.id, st.pathway_id, st.from_service_id, st.to_service_id, ts.institution_id AS to_institution_id,
	st.situation, st.requires_student_status, st.consents, st.min_urgency, st.max_urgency, st.eligibility,
	st.what_to_send, st.channel, st.time_limit_hours, st.receiving_purpose, st.agreement_id, st.protocol_notes,
	st.first_contact_days, st.sessions, st.student_expectation, st.sort_order, st.version`

// liveSteps joins steps to live pathways and services the viewer may see at
// both ends.
const liveSteps = `pathway_steps st
	JOIN pathways pw ON pw.id = st.pathway_id AND pw.retired_at IS NULL
	JOIN services fs ON fs.id = st.from_service_id AND fs.retired_at IS NULL
	JOIN services ts ON ts.id = st.to_service_id AND ts.retired_at IS NULL`

func (s *Store) querySteps(ctx context.Context, where string, args pgx.NamedArgs) ([]Step, error) {
	visible := `(` + visibleTo("fs") + ` AND ` + visibleTo("ts") + `)`
	rows, _ := s.pool.Query(ctx, `SELECT `+stepColumns+` FROM `+liveSteps+`
		WHERE st.retired_at IS NULL AND `+visible+` AND `+where+`
		ORDER BY st.pathway_id, st.sort_order, st.id`, withVisibility(ctx, args))
	return pgx.CollectRows(rows, pgx.RowToStructByName[Step])
}

// StepsOfPathways returns the live steps of the pathways.
func (s *Store) StepsOfPathways(ctx context.Context, ids []uuid.UUID) ([]Step, error) {
	return s.querySteps(ctx, `st.pathway_id = ANY(@ids)`, pgx.NamedArgs{"ids": ids})
}

// StepsFrom returns the live steps leaving any of the services.
func (s *Store) StepsFrom(ctx context.Context, serviceIDs []uuid.UUID) ([]Step, error) {
	return s.querySteps(ctx, `st.from_service_id = ANY(@ids)`, pgx.NamedArgs{"ids": serviceIDs})
}

var urgencyOrder = []string{"ROUTINE", "SOON", "URGENT", "EMERGENCY"}

// Matches reports whether the step applies to a situation, urgency and
// consent; empty arguments match anything.
func (st Step) Matches(situation, urgency, consent string) bool {
	if situation != "" && st.Situation != situation {
		return false
	}
	if consent != "" && !slices.Contains(st.Consents, consent) {
		return false
	}
	if urgency != "" {
		u := slices.Index(urgencyOrder, urgency)
		if u < slices.Index(urgencyOrder, st.MinUrgency) || u > slices.Index(urgencyOrder, st.MaxUrgency) {
			return false
		}
	}
	return true
}

// DeadEnd reports whether the step informs no one at the receiving end when
// it should: a step that applies only when the student refused consent
// informs no one on purpose, and is not a dead end.
func (st Step) DeadEnd() bool {
	return st.ReceivingPurpose == nil && slices.ContainsFunc(st.Consents, func(c string) bool { return c != "REFUSED" })
}

// ExpectedHours is how long the step takes, for ranking routes: its time
// limit, else the days to first contact, else a day.
func (st Step) ExpectedHours() int {
	switch {
	case st.TimeLimitHours != nil:
		return *st.TimeLimitHours
	case st.FirstContactDays != nil:
		return *st.FirstContactDays * 24
	}
	return 24
}

// MaxRoutes is the most routes Routes returns.
const MaxRoutes = 20

// maxRouteExpansions bounds the work of one Routes call on a dense graph.
const maxRouteExpansions = 20000

// Route is a simple path of steps.
type Route struct {
	Steps []Step
	Hours int
}

// Routes finds every simple route (no service twice) of at most maxSteps
// hand-overs made with the student's consent from one service to another, ranked by total expected time, at most
// MaxRoutes. The steps within reach are read in one query.
func (s *Store) Routes(ctx context.Context, from, to uuid.UUID, maxSteps int) ([]Route, error) {
	if maxSteps < 1 || maxSteps > 8 {
		return nil, BadInput("maxSteps", "must be between 1 and 8")
	}
	visible := `(` + visibleTo("fs") + ` AND ` + visibleTo("ts") + `)`
	rows, _ := s.pool.Query(ctx, `WITH RECURSIVE reach(service_id, depth) AS (
			SELECT @from::uuid, 0
			UNION
			SELECT st.to_service_id, r.depth + 1 FROM reach r
			JOIN pathway_steps st ON st.from_service_id = r.service_id AND st.retired_at IS NULL
			WHERE r.depth < @max
		)
		SELECT `+stepColumns+` FROM `+liveSteps+`
		WHERE st.retired_at IS NULL AND `+visible+`
		  AND st.from_service_id IN (SELECT service_id FROM reach WHERE depth < @max)
		ORDER BY st.sort_order, st.id`, withVisibility(ctx, pgx.NamedArgs{"from": from, "max": maxSteps}))
	steps, err := pgx.CollectRows(rows, pgx.RowToStructByName[Step])
	if err != nil {
		return nil, err
	}
	out := []Route{}
	bySource := map[uuid.UUID][]Step{}
	for _, st := range steps {
		// A route passes the student on: steps that inform no one, or that
		// apply only without consent, lead nowhere.
		if !st.DeadEnd() && slices.Contains(st.Consents, "GIVEN") {
			bySource[st.FromServiceID] = append(bySource[st.FromServiceID], st)
		}
	}
	var path []Step
	visited := map[uuid.UUID]bool{from: true}
	budget := maxRouteExpansions
	var walk func(at uuid.UUID, hours int)
	walk = func(at uuid.UUID, hours int) {
		// Bound the search whatever the shape of the graph: the best routes
		// found within the budget are kept below.
		if len(out) >= 10*MaxRoutes || budget <= 0 {
			return
		}
		budget--
		for _, st := range bySource[at] {
			if visited[st.ToServiceID] {
				continue
			}
			path = append(path, st)
			if st.ToServiceID == to {
				out = append(out, Route{Steps: slices.Clone(path), Hours: hours + st.ExpectedHours()})
			} else if len(path) < maxSteps {
				visited[st.ToServiceID] = true
				walk(st.ToServiceID, hours+st.ExpectedHours())
				visited[st.ToServiceID] = false
			}
			path = path[:len(path)-1]
		}
	}
	walk(from, 0)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Hours != out[j].Hours {
			return out[i].Hours < out[j].Hours
		}
		return len(out[i].Steps) < len(out[j].Steps)
	})
	if len(out) > MaxRoutes {
		out = out[:MaxRoutes]
	}
	return out, nil
}

// InstitutionAgreement is an agreement an institution is party to.
type InstitutionAgreement struct {
	InstitutionID uuid.UUID `db:"institution_id"`
	SharingAgreement
}

// AgreementsOfInstitutions returns the live agreements each institution is party to.
func (s *Store) AgreementsOfInstitutions(ctx context.Context, ids []uuid.UUID) ([]InstitutionAgreement, error) {
	rows, _ := s.pool.Query(ctx, `SELECT p.institution_id, `+agreementColumns+`
		FROM sharing_agreement_parties p JOIN sharing_agreements a ON a.id = p.agreement_id AND a.retired_at IS NULL
		WHERE p.institution_id = ANY($1) ORDER BY a.name, a.id`, ids)
	return pgx.CollectRows(rows, pgx.RowToStructByName[InstitutionAgreement])
}

// StepsByIDs returns the live steps among ids (both ends visible).
func (s *Store) StepsByIDs(ctx context.Context, ids []uuid.UUID) ([]Step, error) {
	return s.querySteps(ctx, `st.id = ANY(@ids)`, pgx.NamedArgs{"ids": ids})
}
