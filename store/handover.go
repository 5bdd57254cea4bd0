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
	// Fallback is true when no pathway applies with the student's consent
	// and Contacts are the receiving institution's current contacts for
	// the purpose that fits the situation (see fallbackPurposes).
	Fallback bool
	// IfSharing is, with consent not given and an agreement that permits
	// sharing without consent, who to contact and how if the clinician
	// decides to share under it; nil otherwise.
	IfSharing *SharingRoute
}

// SharingRoute is who to contact at the receiving institution, and how, if
// the clinician decides to share without consent. Waymark does not decide.
type SharingRoute struct {
	Purpose  string
	Channel  *string
	Contacts []CurrentContact
	// Fallback is true when no pathway step applies with consent, so the
	// purpose is the one that fits the situation and no channel is named.
	Fallback bool
	Warnings []Warning
}

// fallbackPurposes are the contact purposes tried in order at the receiving
// institution when a student consents but no recorded pathway hands over in
// the situation: the first purpose for which anyone is in post answers.
// Urgent care and crisis contact go to the urgent care contact; a discharge
// to the discharge contact, else the urgent care one; a return to study to
// fitness to study, else student liaison; the other situations to student
// liaison (transition from CAMHS also to disability support); and every
// situation ends with general enquiries, except those that are urgent.
var fallbackPurposes = map[string][]string{
	"PRESENTS_AT_URGENT_CARE":        {"URGENT_CARE_NOTIFICATION"},
	"CRISIS_TEAM_CONTACT":            {"URGENT_CARE_NOTIFICATION"},
	"DISCHARGED_FROM_INPATIENT_CARE": {"DISCHARGE_NOTIFICATION", "URGENT_CARE_NOTIFICATION"},
	"CONCERN_RAISED_AT_UNIVERSITY":   {"STUDENT_LIAISON", "URGENT_CARE_NOTIFICATION", "GENERAL_ENQUIRIES"},
	"ON_NHS_WAITING_LIST":            {"STUDENT_LIAISON", "GENERAL_ENQUIRIES"},
	"TRANSITION_FROM_CAMHS":          {"STUDENT_LIAISON", "DISABILITY_SUPPORT", "GENERAL_ENQUIRIES"},
	"RETURNING_HOME_OUT_OF_TERM":     {"STUDENT_LIAISON", "GENERAL_ENQUIRIES"},
	"RETURNING_TO_STUDY":             {"FITNESS_TO_STUDY", "STUDENT_LIAISON", "GENERAL_ENQUIRIES"},
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
	// The step that applies with consent, for its purpose and channel.
	var consented *Step
	if i := slices.IndexFunc(candidates, func(st Step) bool { return slices.Contains(st.Consents, "GIVEN") }); i >= 0 {
		consented = &candidates[i]
	}
	plan.Shareable = consent == "GIVEN" && plan.Step != nil && slices.Contains(plan.Step.Consents, "GIVEN")

	if !plan.Shareable {
		return s.withoutConsent(ctx, plan, situation, consented, fromInstitution, toInstitutionID)
	}
	step := plan.Step
	if step.ReceivingPurpose == nil {
		plan.Warnings = append(plan.Warnings, Warning{"NO_ONE_INFORMED",
			fmt.Sprintf("This pathway informs no one at %s: the student leaves without a hand-over. Tell the student where to get support, and raise the gap with the partnership.", plan.ToName)})
	} else if _, err := s.addContacts(ctx, &plan, toInstitutionID, []string{*step.ReceivingPurpose}); err != nil {
		return plan, err
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
//
// With consent not given and an agreement that permits sharing without
// consent, it also gives the contacts and channel to use if the clinician
// decides to share: those of the step that applies with consent, or else
// the fallback purpose for the situation.
func (s *Store) withoutConsent(ctx context.Context, plan HandoverPlan, situation string, consented *Step, fromInstitution, toInstitution uuid.UUID) (HandoverPlan, error) {
	switch {
	case plan.Step == nil:
		plan.Warnings = append(plan.Warnings, Warning{"NO_PATHWAY",
			fmt.Sprintf("No pathway in the directory hands over from this service to %s in this situation.", plan.ToName)})
	case plan.Consent == "GIVEN":
		plan.Warnings = append(plan.Warnings, Warning{"NO_PATHWAY",
			fmt.Sprintf("No pathway in the directory hands over from this service to %s in this situation with the student's consent.", plan.ToName)})
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
	if plan.Consent == "GIVEN" {
		// No pathway applies with consent, but the student agreed to the
		// institution being told: its current contact for the purpose that
		// fits the situation, marked as a fallback.
		purpose, err := s.addContacts(ctx, &plan, toInstitution, fallbackPurposes[situation])
		if err != nil {
			return plan, err
		}
		if plan.Fallback = len(plan.Contacts) > 0; plan.Fallback {
			plan.Warnings = append(plan.Warnings, Warning{"FALLBACK_CONTACT",
				fmt.Sprintf("No recorded pathway applies, so these are %s's current contacts for %s: tell them, as the student agreed, by the contact's own e-mail or phone, and tell the partnership so that a pathway is agreed.", plan.ToName, purposeWords(purpose))})
		}
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
		route := &SharingRoute{Fallback: true}
		purposes := fallbackPurposes[situation]
		if consented != nil && consented.ReceivingPurpose != nil {
			purposes, route.Channel, route.Fallback = []string{*consented.ReceivingPurpose}, consented.Channel, false
		}
		shadow := HandoverPlan{ToName: plan.ToName}
		if route.Purpose, err = s.addContacts(ctx, &shadow, toInstitution, purposes); err != nil {
			return plan, err
		}
		route.Contacts, route.Warnings = shadow.Contacts, shadow.Warnings
		if route.Contacts == nil {
			route.Contacts = []CurrentContact{}
		}
		if route.Warnings == nil {
			route.Warnings = []Warning{}
		}
		plan.IfSharing = route
	} else {
		plan.Warnings = append(plan.Warnings, Warning{"NO_AGREEMENT",
			"No information sharing agreement between these institutions covers sharing without consent."})
	}
	if plan.Signposts, err = s.signposts(ctx, &toInstitution, "", "URGENT"); err != nil {
		return plan, err
	}
	return plan, nil
}

// addContacts sets plan.Contacts to who answers today at institution for
// the first of purposes for which anyone is in post, and warns when the
// details are stale, when no one is in post, or when someone is but the
// caller may not see them (an anonymous caller is told to sign in). It
// returns the purpose used: the first when no one is in post for any.
// One statement, whatever the number of purposes.
func (s *Store) addContacts(ctx context.Context, plan *HandoverPlan, institution uuid.UUID, purposes []string) (string, error) {
	if len(purposes) == 0 {
		return "", nil
	}
	linked, err := s.linkedContacts(ctx, institution, purposes)
	if err != nil {
		return "", err
	}
	// Everyone as if visible, to tell "no one you may see" from "no one".
	all := make([]linkedContact, len(linked))
	for i, c := range linked {
		all[i] = c
		all[i].Visible = true
	}
	purpose, hidden := purposes[0], false
	for _, p := range purposes {
		if seen := s.resolveCurrent(institution, p, linked); len(seen) > 0 {
			purpose, plan.Contacts, hidden = p, seen, false
			break
		}
		if len(s.resolveCurrent(institution, p, all)) > 0 {
			purpose, hidden = p, true
			break
		}
	}
	switch {
	case hidden && ViewerFrom(ctx).Role == RoleAnonymous:
		plan.Warnings = append(plan.Warnings, Warning{"SIGN_IN_TO_SEE_CONTACTS",
			fmt.Sprintf("%s has a contact for %s, whose details only signed-in professionals may see: sign in to see who to contact.", plan.ToName, purposeWords(purpose))})
	case len(plan.Contacts) == 0:
		plan.Warnings = append(plan.Warnings, Warning{"NO_CURRENT_CONTACT",
			fmt.Sprintf("No one you may see is currently nominated at %s for %s. Use the service's general contact, and tell the partnership so the gap is filled.", plan.ToName, purposeWords(purpose))})
	}
	for _, c := range plan.Contacts {
		if s.Stale(c.ContactPoint) {
			plan.Warnings = append(plan.Warnings, Warning{"CONTACT_NOT_VERIFIED",
				fmt.Sprintf("%s's details have not been confirmed within the review period: check them before relying on them.", c.ContactPoint.Name)})
		}
	}
	return purpose, nil
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
