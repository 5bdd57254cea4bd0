package seed

import (
	"cmp"
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// insertAgreements writes the information sharing agreements with their
// parties. An agreement that already exists is left as it is, parties
// included, so that a party removed by a lead is not added back.
func insertAgreements(ctx context.Context, tx pgx.Tx, as []SharingAgreement) error {
	for _, a := range as {
		tag, err := tx.Exec(ctx, `INSERT INTO sharing_agreements (id, partnership_id, name, lawful_basis,
				lawful_basis_detail, permits_sharing_without_consent, scope_of_data, signed_on, review_on, status)
			VALUES ($1, $2, $3, $4, $5, $6, $7, current_date - $8::int, current_date + $9::int, $10)
			ON CONFLICT (id) DO NOTHING`,
			ID("sharing_agreements", a.Key), optionalID("partnerships", a.Partnership), a.Name, a.LawfulBasis,
			null(a.LawfulBasisDetail), a.PermitsSharingWithoutConsent, null(a.ScopeOfData),
			nonZero(a.SignedDaysAgo), nonZero(a.ReviewInDays), cmp.Or(a.Status, "ACTIVE"))
		if err != nil {
			return fmt.Errorf("seed: sharing agreement %q: %w", a.Key, err)
		}
		if tag.RowsAffected() == 0 {
			continue
		}
		for _, k := range a.Parties {
			if _, err := tx.Exec(ctx, `INSERT INTO sharing_agreement_parties (agreement_id, institution_id)
				VALUES ($1, $2) ON CONFLICT DO NOTHING`,
				ID("sharing_agreements", a.Key), ID("institutions", k)); err != nil {
				return fmt.Errorf("seed: sharing agreement %q: party %q: %w", a.Key, k, err)
			}
		}
	}
	return nil
}

// insertPathways writes the pathways with their steps. A pathway's steps are
// written only when the pathway itself is new in this load, so that steps a
// lead has retired or changed are not brought back. The pathway insert skips
// on any conflict: by ID, or with a pathway of the same name that a lead has
// already created in the partnership.
func insertPathways(ctx context.Context, tx pgx.Tx, ps []Pathway) error {
	for _, p := range ps {
		tag, err := tx.Exec(ctx, `INSERT INTO pathways (id, partnership_id, name, description)
			VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
			ID("pathways", p.Key), ID("partnerships", p.Partnership), p.Name, null(p.Description))
		if err != nil {
			return fmt.Errorf("seed: pathway %q: %w", p.Key, err)
		}
		if tag.RowsAffected() == 0 {
			continue
		}
		for i, st := range p.Steps {
			if err := insertStep(ctx, tx, p.Key, (i+1)*10, st); err != nil {
				return fmt.Errorf("seed: pathway %q: step %q: %w", p.Key, st.Key, err)
			}
		}
	}
	return nil
}

func insertStep(ctx context.Context, tx pgx.Tx, pathway string, sortOrder int, st PathwayStep) error {
	consents := st.Consents
	if len(consents) == 0 {
		consents = []string{"GIVEN"}
	}
	_, err := tx.Exec(ctx, `INSERT INTO pathway_steps (id, pathway_id, from_service_id, to_service_id, situation,
			requires_student_status, consents, min_urgency, max_urgency, eligibility, what_to_send, channel,
			time_limit_hours, receiving_purpose, agreement_id, protocol_notes, first_contact_days, sessions,
			student_expectation, sort_order)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
		ON CONFLICT (id) DO NOTHING`,
		ID("pathway_steps", st.Key), ID("pathways", pathway), ID("services", st.From), ID("services", st.To),
		st.Situation, st.RequiresStudentStatus, consents, cmp.Or(st.MinUrgency, "ROUTINE"),
		cmp.Or(st.MaxUrgency, "EMERGENCY"), null(st.Eligibility), texts(st.WhatToSend), null(st.Channel),
		st.TimeLimitHours, null(st.ReceivingPurpose), optionalID("sharing_agreements", st.Agreement),
		null(st.ProtocolNotes), st.FirstContactDays, st.Sessions, null(st.StudentExpectation), sortOrder)
	return err
}

// nonZero is SQL NULL for 0, the seed's "no date".
func nonZero(days int) any {
	if days == 0 {
		return nil
	}
	return days
}
