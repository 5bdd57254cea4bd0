package seed

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Area is a responsibility area of the catalogue; Placement is where the
// North-East action learning set put it (Nous report, Appendix A.2, Table 2).
type Area struct {
	Key         string
	Name        string
	Description string
	Placement   string // NHS, UNCLEAR, HEP or STUDENT
}

// Threshold is a partnership's agreement for an area, with its versions
// oldest first. Partnership, Area and service keys refer to the seed.
type Threshold struct {
	Key         string
	Partnership string
	Area        string
	Versions    []ThresholdVersion
}

// ThresholdVersion is one version; dates are days before the first load.
type ThresholdVersion struct {
	Status           string // DRAFT, PROPOSED, AGREED, SUPERSEDED or WITHDRAWN
	Party            string // NHS, HEP, SHARED, STUDENT or UNCLEAR
	Collaboration    string
	Escalation       string
	StepDown         string
	NHSServices      []string
	HEPServices      []string
	CreatedDaysAgo   int
	AgreedDaysAgo    int // for AGREED and SUPERSEDED
	SignOffs         []SignOff
	SupersededAgo    int // for SUPERSEDED
	ProposedDaysAgo  int // for PROPOSED and later
	WithdrawnDaysAgo int
}

// SignOff is a fictional lead's signature for one side.
type SignOff struct {
	Side        string // NHS or HEP
	Institution string
	Name        string
	DaysAgo     int
}

const northEastSource = "North-East action learning set, Nous report for the Student Mental Health Partnerships project, Appendix A.2 (Table 2)"

// Areas is every row of the North-East table, in its columns' order.
var Areas = []Area{
	{"medication-and-prescribing", "Medication and prescribing", "Prescribing, reviewing and changing medication.", "NHS"},
	{"diagnostic-assessment", "Diagnostic assessment", "Assessment that leads to a diagnosis of a mental health condition.", "NHS"},
	{"hospital-admission-and-detention", "Hospital admission, inpatient treatment and detention under the Mental Health Act", "Admission to hospital, treatment as an inpatient and detention under the Mental Health Act.", "NHS"},
	{"diagnosis", "Diagnosis", "Making and recording a diagnosis.", "NHS"},
	{"medical-monitoring", "Medical monitoring", "Monitoring physical and mental health as part of treatment.", "NHS"},
	{"significant-and-imminent-risk", "Management of significant and imminent risk", "Managing a risk to life or of serious harm that is significant and imminent.", "NHS"},
	{"nice-treatment-protocols", "Working to NICE guidance on treatment protocols", "Treatment that follows NICE guidance and protocols.", "NHS"},
	{"mid-to-long-term-therapies", "Mid- to long-term psychological therapies", "Longer courses of psychological therapy (students regularly expect these from universities).", "NHS"},
	{"transition-out-of-care", "Ongoing community treatment and support when transitioning out of care", "Support in the community after discharge from a service.", "UNCLEAR"},
	{"assessment-of-need", "Assessment of need", "Working out what support a student needs.", "UNCLEAR"},
	{"specific-and-complex-needs", "Specific and complex needs or diagnoses", "Support for specific and complex needs or diagnoses (still to be defined).", "UNCLEAR"},
	{"crisis-and-post-crisis-care", "Crisis and post-crisis care", "Care during a mental health crisis and in the days and weeks after it.", "UNCLEAR"},
	{"holding-the-student", "Full overview of a student's wellbeing while not under NHS care", "'Holding' the student: keeping an overview of their wellbeing and health while they are not under NHS support.", "UNCLEAR"},
	{"mild-to-moderate-interventions", "Therapeutic interventions for mild to moderate mental health problems", "Short therapeutic support for mild to moderate problems such as low mood and anxiety.", "UNCLEAR"},
	{"psychoeducation", "Psychoeducation", "Helping students understand their mental health (not unclear, but should be the responsibility of both).", "UNCLEAR"},
	{"specific-therapies", "Specific therapies other than integrative counselling, e.g. CBT", "Structured therapies such as CBT, beyond integrative counselling.", "UNCLEAR"},
	{"long-term-conditions-and-relapse", "Monitoring of long-term conditions and relapse prevention", "Keeping an eye on long-term conditions and preventing relapse (could sit in all four columns on current models).", "UNCLEAR"},
	{"inclusive-environments", "Welcoming, inclusive living and learning environments", "The breadth of support available (students' union, financial, extracurricular), which benefits wellbeing when it works well.", "HEP"},
	{"supportive-community", "Provision of a supportive community", "A community in which students feel they belong and are supported.", "HEP"},
	{"assessment-in-educational-setting", "Assessment of need in relation to the educational environment", "Working out what a student needs in order to study.", "HEP"},
	{"barriers-to-learning", "Interventions to address barriers to learning created by mental health problems", "Support that removes barriers to learning created by mental health problems.", "HEP"},
	{"reasonable-adjustment-plans", "Reasonable adjustment plans", "Plans of adjustments to teaching, assessment and study.", "HEP"},
	{"risk-assessment-and-safety-planning", "Risk assessment and safety planning, with referral to statutory services", "Assessing risk, planning for safety with the student, and referring to statutory services.", "HEP"},
	{"staff-training", "Training for staff in mental health awareness", "Baseline training for staff: mental health awareness, psychological first aid, signs of difficulty and what to do.", "HEP"},
	{"developmental-psychological-services", "Psychological services for the developmental challenges of student life", "Insight-based support with separation from family, emerging autonomy, the pressures of study and identity; supports positive mental health but is not framed as treatment.", "HEP"},
	{"register-with-gp", "Registering with a GP", "Registering with a GP practice near where the student lives in term time.", "STUDENT"},
	{"seeking-health-engagement", "Seeking and responding to health engagement", "Seeking help and responding to contact from health services (if they have the capacity to do so).", "STUDENT"},
	{"managing-own-safety", "Sharing responsibility for managing their own safety", "The student's part, with their trusted contact, in keeping themselves safe.", "STUDENT"},
	{"declaring-long-term-needs", "Declaring long-term mental health needs to the university", "Telling the university about long-term mental health needs so support can be arranged.", "STUDENT"},
	{"sharing-medication-information", "Sharing information about medication and treatment", "Telling those supporting them about medication and treatment.", "STUDENT"},
	{"international-medical-history", "Sharing medical history, needs and medication (international students)", "For international students: sharing their medical history, needs and medication.", "STUDENT"},
}

var (
	uolLead = SignOff{Side: "HEP", Institution: "uol", Name: "Dr Helen Achterberg"}
	mcLead  = SignOff{Side: "NHS", Institution: "mersey-care", Name: "Tomasz Wierzbicki"}
)

func signed(s SignOff, daysAgo int) SignOff { s.DaysAgo = daysAgo; return s }

// Thresholds are the Liverpool partnership's agreements: a few agreed, one
// proposed and awaiting the NHS side, and several still unclear.
var Thresholds = []Threshold{
	{Key: "liverpool-medication", Partnership: "liverpool", Area: "medication-and-prescribing", Versions: []ThresholdVersion{{
		Status: "AGREED", Party: "NHS",
		Collaboration:  "The student's GP (or Mersey Care, for students under its care) prescribes and reviews medication. University advisers do not advise on medication; they encourage the student to see their GP and, with consent, tell the GP practice about concerns.",
		Escalation:     "A university adviser who is worried about medication (side effects, stopping suddenly, stockpiling) contacts the GP the same day, or the Student Liaison Service out of hours.",
		StepDown:       "When a medication review is complete, the GP tells the student's university adviser, with consent, if study support needs to change.",
		NHSServices:    []string{"brownlow-gp"},
		HEPServices:    []string{"mhas"},
		CreatedDaysAgo: 300, ProposedDaysAgo: 290, AgreedDaysAgo: 280,
		SignOffs: []SignOff{signed(uolLead, 285), signed(mcLead, 280)},
	}}},
	{Key: "liverpool-risk-planning", Partnership: "liverpool", Area: "risk-assessment-and-safety-planning", Versions: []ThresholdVersion{{
		Status: "AGREED", Party: "SHARED",
		Collaboration:  "University and NHS staff use one shared approach to risk assessment and safety planning, agreed at the MDT, so that a student's safety plan is the same whichever service they see.",
		Escalation:     "University staff refer to Mersey Care through the Student Liaison Service when risk is significant or rising; if risk is imminent they call 999.",
		StepDown:       "When risk has reduced, the Student Liaison Service agrees with the university adviser who holds the safety plan from then on.",
		NHSServices:    []string{"student-liaison", "liverpool-mdt"},
		HEPServices:    []string{"mhas", "ljmu-wellbeing"},
		CreatedDaysAgo: 260, ProposedDaysAgo: 250, AgreedDaysAgo: 240,
		SignOffs: []SignOff{signed(mcLead, 245), signed(uolLead, 240)},
	}}},
	{Key: "liverpool-crisis", Partnership: "liverpool", Area: "crisis-and-post-crisis-care", Versions: []ThresholdVersion{{
		Status: "AGREED", Party: "UNCLEAR",
		Collaboration:  "Not yet settled. During a crisis the NHS leads; who follows the student up afterwards is decided case by case at the weekly MDT.",
		NHSServices:    []string{"mersey-care-crisis-line", "rluh-ae-liaison"},
		HEPServices:    []string{"mhas"},
		CreatedDaysAgo: 200, ProposedDaysAgo: 190, AgreedDaysAgo: 180,
		SignOffs: []SignOff{signed(uolLead, 185), signed(mcLead, 180)},
	}}},
	{Key: "liverpool-holding", Partnership: "liverpool", Area: "holding-the-student", Versions: []ThresholdVersion{{
		Status: "PROPOSED", Party: "SHARED",
		Collaboration:  "While a student waits for NHS treatment, their university mental health adviser keeps in touch at least every two weeks and the Student Liaison Service checks the waiting list at the MDT.",
		Escalation:     "If the student's risk rises while waiting, the adviser contacts the Student Liaison Service the same day.",
		StepDown:       "When NHS treatment starts, the adviser agrees with the treating team how often they keep in touch.",
		NHSServices:    []string{"student-liaison"},
		HEPServices:    []string{"mhas", "ljmu-wellbeing"},
		CreatedDaysAgo: 40, ProposedDaysAgo: 20,
		SignOffs: []SignOff{signed(uolLead, 15)},
	}}},
	{Key: "liverpool-transition-out-of-care", Partnership: "liverpool", Area: "transition-out-of-care", Versions: []ThresholdVersion{{
		Status: "AGREED", Party: "UNCLEAR",
		Collaboration:  "Not yet settled: discharge letters go to the GP, and the Student Liaison Service tells the university only when the student consents.",
		CreatedDaysAgo: 150, ProposedDaysAgo: 140, AgreedDaysAgo: 130,
		SignOffs: []SignOff{signed(mcLead, 135), signed(uolLead, 130)},
	}}},
	{Key: "liverpool-assessment-of-need", Partnership: "liverpool", Area: "assessment-of-need", Versions: []ThresholdVersion{{
		Status: "AGREED", Party: "UNCLEAR",
		Collaboration:  "Not yet settled: both the university advisers and the NHS assess need, and students are sometimes assessed twice.",
		CreatedDaysAgo: 150, ProposedDaysAgo: 140, AgreedDaysAgo: 130,
		SignOffs: []SignOff{signed(uolLead, 134), signed(mcLead, 130)},
	}}},
	{Key: "liverpool-long-term-conditions", Partnership: "liverpool", Area: "long-term-conditions-and-relapse", Versions: []ThresholdVersion{{
		Status: "DRAFT", Party: "UNCLEAR",
		Collaboration:  "To be discussed at the next quarterly steering group.",
		CreatedDaysAgo: 10,
	}}},
}

// thresholdIDs are the seeded IDs of a threshold and its versions.
func thresholdVersionKey(t Threshold, i int) string { return fmt.Sprintf("%s/v%d", t.Key, i+1) }

// insertAreas writes the catalogue of responsibility areas.
func insertAreas(ctx context.Context, tx pgx.Tx, areas []Area) error {
	for i, a := range areas {
		if _, err := tx.Exec(ctx, `INSERT INTO responsibility_areas (id, name, description, reference_placement,
				reference_source, sort_order) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
			ID("responsibility_areas", a.Key), a.Name, a.Description, a.Placement, northEastSource, (i+1)*10); err != nil {
			return fmt.Errorf("seed: area %q: %w", a.Key, err)
		}
	}
	return nil
}

// insertThresholds writes thresholds with their versions, services and
// sign-offs; a threshold that already exists is left as it is.
func insertThresholds(ctx context.Context, tx pgx.Tx, ts []Threshold) error {
	for _, t := range ts {
		steps := 0
		for _, v := range t.Versions {
			steps += 1 + len(v.SignOffs)
			if v.ProposedDaysAgo > 0 {
				steps++
			}
		}
		tag, err := tx.Exec(ctx, `INSERT INTO thresholds (id, partnership_id, area_id, version, created_at)
			VALUES ($1, $2, $3, $4, now() - make_interval(days => $5)) ON CONFLICT (id) DO NOTHING`,
			ID("thresholds", t.Key), ID("partnerships", t.Partnership), ID("responsibility_areas", t.Area),
			steps, t.Versions[0].CreatedDaysAgo)
		if err != nil {
			return fmt.Errorf("seed: threshold %q: %w", t.Key, err)
		}
		if tag.RowsAffected() == 0 {
			continue
		}
		for i, v := range t.Versions {
			if err := insertThresholdVersion(ctx, tx, t, i, v); err != nil {
				return fmt.Errorf("seed: threshold %q version %d: %w", t.Key, i+1, err)
			}
		}
	}
	return nil
}

func insertThresholdVersion(ctx context.Context, tx pgx.Tx, t Threshold, i int, v ThresholdVersion) error {
	vid := ID("threshold_versions", thresholdVersionKey(t, i))
	ago := func(days int) any {
		if days == 0 {
			return nil
		}
		return days
	}
	if _, err := tx.Exec(ctx, `INSERT INTO threshold_versions (id, threshold_id, number, status, responsible_party,
			collaboration, escalation, step_down, text_version, created_at, proposed_at, agreed_at, superseded_at, withdrawn_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, now() - make_interval(days => $9),
			now() - make_interval(days => $10::int), now() - make_interval(days => $11::int),
			now() - make_interval(days => $12::int), now() - make_interval(days => $13::int))`,
		vid, ID("thresholds", t.Key), i+1, v.Status, v.Party, null(v.Collaboration), null(v.Escalation), null(v.StepDown),
		v.CreatedDaysAgo, ago(v.ProposedDaysAgo), ago(v.AgreedDaysAgo), ago(v.SupersededAgo), ago(v.WithdrawnDaysAgo)); err != nil {
		return err
	}
	for side, keys := range map[string][]string{"NHS": v.NHSServices, "HEP": v.HEPServices} {
		for _, k := range keys {
			if _, err := tx.Exec(ctx, `INSERT INTO threshold_version_services (threshold_version_id, service_id, side)
				VALUES ($1, $2, $3)`, vid, ID("services", k), side); err != nil {
				return fmt.Errorf("service %q: %w", k, err)
			}
		}
	}
	for _, s := range v.SignOffs {
		if _, err := tx.Exec(ctx, `INSERT INTO threshold_signoffs (id, threshold_version_id, side, institution_id,
				signer_subject, signer_name, text_version, signed_at)
			VALUES ($1, $2, $3, $4, $5, $6, 1, now() - make_interval(days => $7))`,
			ID("threshold_signoffs", thresholdVersionKey(t, i)+"/"+s.Side), vid, s.Side, ID("institutions", s.Institution),
			"seed:"+s.Institution+"-lead", s.Name, s.DaysAgo); err != nil {
			return fmt.Errorf("sign-off %s: %w", s.Side, err)
		}
	}
	return nil
}
