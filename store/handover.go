package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Warning is something the person handing over must know.
type Warning struct {
	Code    string
	Message string
}

// HandoverPlan is how to hand a student over from a service to an
// institution in a situation: the step, who to contact, under which
// agreement, what the student can expect, and warnings.
type HandoverPlan struct {
	Step      *Step
	Contacts  []CurrentContact
	Agreement *SharingAgreement
	Consent   string
	Shareable bool // consent allows the protocol to be followed
	Signposts []Signpost
	Warnings  []Warning
	ToName    string
}

// Handover works out the plan for handing over from fromServiceID to
// toInstitutionID in a situation with the student's consent as given. It
// never decides to share without consent: with consent refused (or not
// given) the plan shares nothing identifying, gives the signposting for the
// student, and names the agreement under which sharing without consent may
// be considered, if there is one. A fixed number of queries, whatever the
// size of the directory.
func (s *Store) Handover(ctx context.Context, fromServiceID, toInstitutionID uuid.UUID, situation, consent string) (HandoverPlan, error) {
	plan := HandoverPlan{Consent: consent}
	if err := checkEnums(enumValue{"situation", "Situation", situation}, enumValue{"consent", "Consent", consent}); err != nil {
		return plan, err
	}
	var (
		fromInst *uuid.UUID
		toName   *string
	)
	err := s.pool.QueryRow(ctx, `SELECT
			(SELECT s.institution_id FROM services s WHERE s.id = @from AND s.retired_at IS NULL AND `+visibleService+`),
			(SELECT name FROM institutions WHERE id = @to AND retired_at IS NULL)`,
		withVisibility(ctx, pgx.NamedArgs{"from": fromServiceID, "to": toInstitutionID})).Scan(&fromInst, &toName)
	if err != nil {
		return plan, err
	}
	if fromInst == nil || toName == nil {
		return plan, ErrNotFound
	}
	fromInstitution := *fromInst
	plan.ToName = *toName
	steps, err := s.StepsFrom(ctx, []uuid.UUID{fromServiceID})
	if err != nil {
		return plan, err
	}
	var candidates []Step
	for _, st := range steps {
		if st.ToInstitutionID == toInstitutionID && st.Situation == situation {
			candidates = append(candidates, st)
		}
	}
	// The step for this consent; failing that, the step that would apply
	// with consent (to show what is not being done).
	idx := slices.IndexFunc(candidates, func(st Step) bool { return slices.Contains(st.Consents, consent) })
	if idx < 0 {
		idx = slices.IndexFunc(candidates, func(st Step) bool { return slices.Contains(st.Consents, "GIVEN") })
	}
	if idx < 0 && len(candidates) > 0 {
		idx = 0
	}
	if idx >= 0 {
		plan.Step = &candidates[idx]
	}
	plan.Shareable = consent == "GIVEN" && plan.Step != nil && slices.Contains(plan.Step.Consents, "GIVEN")

	if !plan.Shareable {
		return s.withoutConsent(ctx, plan, fromInstitution, toInstitutionID)
	}
	step := plan.Step
	if step.ReceivingPurpose == nil {
		plan.Warnings = append(plan.Warnings, Warning{"NO_ONE_INFORMED",
			fmt.Sprintf("This pathway informs no one at %s: the student leaves without a hand-over. Tell the student where to get support, and raise the gap with the partnership.", plan.ToName)})
	} else {
		if plan.Contacts, err = s.CurrentContacts(ctx, toInstitutionID, *step.ReceivingPurpose); err != nil {
			return plan, err
		}
		if len(plan.Contacts) == 0 {
			plan.Warnings = append(plan.Warnings, Warning{"NO_CURRENT_CONTACT",
				fmt.Sprintf("No one you may see is currently nominated at %s for %s. Use the service's general contact, and tell the partnership so the gap is filled.", plan.ToName, purposeWords(*step.ReceivingPurpose))})
		}
		for _, c := range plan.Contacts {
			if s.Stale(c.ContactPoint) {
				plan.Warnings = append(plan.Warnings, Warning{"CONTACT_NOT_VERIFIED",
					fmt.Sprintf("%s's details have not been confirmed within the review period: check them before relying on them.", c.ContactPoint.Name)})
			}
		}
	}
	if step.AgreementID == nil {
		plan.Warnings = append(plan.Warnings, Warning{"NO_AGREEMENT",
			"No information sharing agreement is recorded for this hand-over: share only what the student has consented to, and tell the partnership."})
	} else {
		as, err := s.AgreementsByIDs(ctx, []uuid.UUID{*step.AgreementID})
		if err != nil {
			return plan, err
		}
		if len(as) == 1 {
			plan.Agreement = &as[0]
		}
	}
	return plan, nil
}

// withoutConsent completes a plan in which nothing identifying is shared.
func (s *Store) withoutConsent(ctx context.Context, plan HandoverPlan, fromInstitution, toInstitution uuid.UUID) (HandoverPlan, error) {
	switch {
	case plan.Step == nil:
		plan.Warnings = append(plan.Warnings, Warning{"NO_PATHWAY",
			fmt.Sprintf("No pathway in the directory hands over from this service to %s in this situation.", plan.ToName)})
	case plan.Consent == "REFUSED":
		plan.Warnings = append(plan.Warnings, Warning{"CONSENT_REFUSED",
			"The student has not consented to sharing: do not pass on their details. Give them the signposting below."})
	case plan.Consent == "NOT_ASKED":
		plan.Warnings = append(plan.Warnings, Warning{"CONSENT_NOT_ASKED",
			"Ask the student whether they consent to their details being shared before handing over."})
	case plan.Consent == "LACKS_CAPACITY":
		plan.Warnings = append(plan.Warnings, Warning{"LACKS_CAPACITY",
			"The student cannot consent just now: follow your organisation's capacity and best-interests procedures."})
	}
	if plan.Step == nil && plan.Consent == "GIVEN" {
		return plan, nil
	}
	// The agreement under which sharing without consent may be considered:
	// one both institutions are party to that permits it.
	rows, _ := s.pool.Query(ctx, `SELECT `+agreementColumns+` FROM sharing_agreements a
		WHERE a.retired_at IS NULL AND a.status = 'ACTIVE' AND a.permits_sharing_without_consent
		  AND EXISTS (SELECT 1 FROM sharing_agreement_parties p WHERE p.agreement_id = a.id AND p.institution_id = $1)
		  AND EXISTS (SELECT 1 FROM sharing_agreement_parties p WHERE p.agreement_id = a.id AND p.institution_id = $2)
		ORDER BY a.signed_on DESC NULLS LAST, a.id LIMIT 1`, fromInstitution, toInstitution)
	as, err := pgx.CollectRows(rows, pgx.RowToStructByName[SharingAgreement])
	if err != nil {
		return plan, err
	}
	if len(as) == 1 {
		plan.Agreement = &as[0]
		plan.Warnings = append(plan.Warnings, Warning{"SHARING_WITHOUT_CONSENT_MAY_BE_CONSIDERED",
			fmt.Sprintf("If you judge the student to be at risk, sharing without consent may be considered under %q (%s). That decision is yours, not Waymark's.", as[0].Name, basisWords(as[0].LawfulBasis))})
	} else if plan.Consent != "GIVEN" {
		plan.Warnings = append(plan.Warnings, Warning{"NO_AGREEMENT",
			"No information sharing agreement between these institutions covers sharing without consent."})
	}
	if plan.Consent != "GIVEN" {
		if plan.Signposts, err = s.signposts(ctx, &toInstitution, "", "URGENT"); err != nil {
			return plan, err
		}
	}
	return plan, nil
}

func purposeWords(p string) string {
	return map[string]string{
		"URGENT_CARE_NOTIFICATION": "urgent care notifications", "DISCHARGE_NOTIFICATION": "discharge notifications",
		"MDT_REFERRAL": "MDT referrals", "SAFEGUARDING": "safeguarding", "STUDENT_LIAISON": "student liaison",
		"DISABILITY_SUPPORT": "disability support", "FITNESS_TO_STUDY": "fitness to study",
		"INTERNATIONAL_STUDENT_ADVICE": "international student advice", "PARTNERSHIP_LEAD": "partnership leadership",
		"GENERAL_ENQUIRIES": "general enquiries",
	}[p]
}

func basisWords(b string) string {
	return map[string]string{
		"EXPLICIT_CONSENT":                    "explicit consent",
		"VITAL_INTERESTS":                     "vital interests",
		"SAFEGUARDING_OF_INDIVIDUALS_AT_RISK": "DPA 2018 Schedule 1 Part 2 paragraph 18, safeguarding of individuals at risk",
		"OTHER":                               "another lawful basis set out in the agreement",
	}[b]
}
