package seed

// Referral pathways and information sharing agreements (issue 5). Sources:
// liverpool-model-slides.txt (the before/after journeys and the Liverpool
// Model's information sharing principles); nous-action-learning-sets-report.txt
// (Appendix A.1, Principle 2: information sharing agreements between HEPs and
// NHS mental health services, and DPA 2018 Schedule 1 Part 2 paragraph 18);
// student-mental-health-partnerships-project.txt (Bristol's Practice Liaison
// Forum and consented cross-referral; Greater Manchester's single pathway
// through university services; North London's peer link workers and iCope);
// mind-the-gap-ofs-briefing.txt (Pause@UoB and Forward Thinking Birmingham).
//
// Conventions:
//   - Every step joins two seeded services; touchpoints (A&E, halls, GP,
//     crisis team) are services. Step keys are "<pathway key>/<name>".
//   - ReceivingPurpose is the contact purpose looked up at the institution of
//     the step's to-service. A step with no receiving purpose informs no one.
//   - Steps of the "before" pathway list consent NOT_ASKED: nobody asked the
//     student or shared anything then. That keeps the historical picture out
//     of answers for a student who has consented today.
//   - Expected first contact uses the receiving service's usual wait where the
//     documents give none.

// hours, days and sessions return pointers for the optional numbers of a step.
func hours(n int) *int    { return &n }
func days(n int) *int     { return &n }
func sessions(n int) *int { return &n }

// Keys of the Liverpool agreements, used by the steps below.
const (
	liverpoolConsentISA      = "liverpool-consent-isa"
	liverpoolSafeguardingISA = "liverpool-safeguarding-isa"
)

// SharingAgreements are the information sharing agreements of the seed.
var SharingAgreements = []SharingAgreement{
	{
		Key:         liverpoolConsentISA,
		Partnership: "liverpool",
		Name:        "Liverpool student mental health information sharing agreement: sharing with the student's consent",
		LawfulBasis: "EXPLICIT_CONSENT",
		LawfulBasisDetail: "The student's explicit consent, asked for and recorded by the practitioner who shares (for example the A&E mental health liaison practitioner once the student has said they are a student). " +
			"Consent is asked for each hand-over and can be withdrawn at any time; sharing then stops. This is the routine basis for every hand-over in the Liverpool pathway.",
		ScopeOfData: "Only what the receiving service needs for the next step: name, date of birth, university and student number, contact details; " +
			"that the student attended urgent care or was discharged, and when; risk summary, risk management plan and safety plan; discharge summary; " +
			"assessment, care plan and referral letter for a referral; reasonable adjustments the student wants the university to consider.",
		SignedDaysAgo: 320,
		ReviewInDays:  45,
		Parties:       []string{"uol", "ljmu", "mersey-care", "brownlow-health"},
	},
	{
		Key:         liverpoolSafeguardingISA,
		Partnership: "liverpool",
		Name:        "Liverpool student mental health information sharing agreement: sharing without consent to protect a student at risk",
		LawfulBasis: "SAFEGUARDING_OF_INDIVIDUALS_AT_RISK",
		LawfulBasisDetail: "Data Protection Act 2018, Schedule 1, Part 2, paragraph 18 (safeguarding of children and of individuals at risk). " +
			"It applies when sharing is necessary to protect the student from neglect or physical, mental or emotional harm, or to protect their physical, mental or emotional well-being; " +
			"the student is under 18, or 18 or over and at risk; and consent cannot be given, cannot reasonably be obtained, or asking for it would prejudice that protection. " +
			"Consent is always asked for first. The clinician decides in each case that sharing is necessary, proportionate and lawful, and records the decision and the reasons " +
			"(North-West action learning set, Principle 2).",
		PermitsSharingWithoutConsent: true,
		ScopeOfData: "Only what is needed to keep the student safe: name, date of birth, university and student number, current contact details and term-time address, " +
			"a risk summary (what happened, the current risk and who is involved in the student's care) and the immediate safety plan. " +
			"No diagnoses or clinical history beyond the risk summary.",
		SignedDaysAgo: 200,
		ReviewInDays:  165,
		Parties:       []string{"uol", "ljmu", "mersey-care"},
	},
}

// Pathways are the partnerships' referral pathways.
var Pathways = []Pathway{
	liverpoolBefore,
	liverpoolAfter,
	manchesterPathway,
	bristolPathway,
	northLondonPathway,
	birminghamPathway,
}

// liverpoolBefore is the journey before the partnership, from the Liverpool
// Model slides, kept so that the gap it closed stays visible.
var liverpoolBefore = Pathway{
	Key:         "liverpool-before",
	Partnership: "liverpool",
	Name:        "Before the partnership: a student's journey after a suicide attempt",
	Description: "The 'before' journey from the Liverpool Model slides. Halls staff see the student is struggling with self-harm and advise them to contact the Mental Health Advisory Service (MHAS), which offers an appointment. " +
		"The student then presents at A&E after a suicide attempt and is discharged 'to university' with no one at the university informed, while their MHAS appointment is still due. " +
		"They see their GP and are prescribed medication; a referral to an NHS service is turned down as not suitable and the student is sent elsewhere. " +
		"No service shares with another, so the student retells their story at every step. Kept for comparison with the current pathway.",
	Steps: []PathwayStep{
		{
			Key:              "liverpool-before/halls-to-mhas",
			From:             "uol-residence-life",
			To:               "mhas",
			Situation:        "CONCERN_RAISED_AT_UNIVERSITY",
			Consents:         []string{"NOT_ASKED"},
			Channel:          "STUDENT_SELF_REFERS",
			ReceivingPurpose: "GENERAL_ENQUIRIES",
			ProtocolNotes:    "Halls staff advise the student to contact MHAS. Nothing is passed on: the student has to make contact and explain everything themselves.",
			FirstContactDays: days(5),
			StudentExpectation: "Halls staff suggest you contact the university's Mental Health Advisory Service. " +
				"You fill in the self-referral form yourself and are offered an appointment with an adviser.",
		},
		{
			Key:       "liverpool-before/ae-discharged-to-university",
			From:      "rluh-ae-liaison",
			To:        "mhas",
			Situation: "PRESENTS_AT_URGENT_CARE",
			Consents:  []string{"NOT_ASKED"},
			ProtocolNotes: "Before the partnership: A&E did not record that the patient was a student and did not ask for consent to share. " +
				"The student was discharged 'to university' and no one at the university was informed; MHAS did not know about the attendance when the student's appointment came round.",
			StudentExpectation: "Nobody at your university is told that you were in A&E. If you want your adviser to know, you have to tell them yourself at your next appointment.",
		},
		{
			Key:              "liverpool-before/mhas-to-gp",
			From:             "mhas",
			To:               "brownlow-gp",
			Situation:        "CONCERN_RAISED_AT_UNIVERSITY",
			Consents:         []string{"NOT_ASKED"},
			Channel:          "STUDENT_SELF_REFERS",
			ReceivingPurpose: "GENERAL_ENQUIRIES",
			ProtocolNotes:    "The student is advised to see their GP. MHAS and the GP practice do not share information.",
			FirstContactDays: days(10),
			StudentExpectation: "You book a GP appointment yourself and explain again what has happened. " +
				"The GP may prescribe medication.",
		},
		{
			Key:              "liverpool-before/gp-to-nhs-service",
			From:             "brownlow-gp",
			To:               "mersey-care-crisis-line",
			Situation:        "CRISIS_TEAM_CONTACT",
			Consents:         []string{"NOT_ASKED"},
			WhatToSend:       []string{"REFERRAL_LETTER"},
			Channel:          "REFERRAL_FORM",
			ReceivingPurpose: "GENERAL_ENQUIRIES",
			ProtocolNotes: "The GP refers the student to an NHS mental health service (the slides do not name it; Mersey Care's crisis service stands in for it here). " +
				"The referral letter is the only information that travels; the university is not involved.",
			StudentExpectation: "Your GP refers you to an NHS mental health service. You wait to hear whether they can see you.",
		},
		{
			Key:       "liverpool-before/not-suitable-referred-elsewhere",
			From:      "mersey-care-crisis-line",
			To:        "mhas",
			Situation: "CRISIS_TEAM_CONTACT",
			Consents:  []string{"NOT_ASKED"},
			Channel:   "STUDENT_SELF_REFERS",
			ProtocolNotes: "The NHS service finds the student not suitable for it and refers them on to another service (here, back to the university's advisers). " +
				"Nothing is sent and no one is informed: the student starts again.",
			StudentExpectation: "You are told the service is not right for you and that you should go to another service. " +
				"You have to contact them yourself and tell your story again.",
		},
	},
}

// liverpoolAfter is the Liverpool Model today: urgent care shares with the
// Student Liaison Service (and the student's university) with consent.
var liverpoolAfter = Pathway{
	Key:         "liverpool-after",
	Partnership: "liverpool",
	Name:        "The Liverpool Model: from urgent care to university and NHS support, with consent",
	Description: "The 'after' journey from the Liverpool Model slides. A student who presents at A&E and says they are a student is asked for consent to share. " +
		"With consent, A&E shares with the Student Liaison Service and tells the student's university, so no one is discharged 'to university' unannounced. " +
		"The Liaison Service phones the student, offers a brief intervention and refers them to their university's mental health service; students known to more than one service are discussed at the weekly MDT, " +
		"which can offer U-COPE (six weeks of therapy for students who self-harm) and ask the GP for a medication review. " +
		"Halls still advise students to contact MHAS, and students discharged from Mersey Care's care are handed back to their university with consent. " +
		"If the student does not consent, nobody is told and the student leaves with signposting; sharing without consent may be considered only under the safeguarding agreement.",
	Steps: []PathwayStep{
		{
			Key:                   "liverpool-after/ae-to-liaison",
			From:                  "rluh-ae-liaison",
			To:                    "student-liaison",
			Situation:             "PRESENTS_AT_URGENT_CARE",
			RequiresStudentStatus: true,
			Consents:              []string{"GIVEN"},
			Eligibility:           "Students of a Liverpool higher education institution (University of Liverpool, LJMU) who say they are a student and agree to share.",
			WhatToSend:            []string{"RISK_MANAGEMENT_PLAN", "SAFETY_PLAN", "CONTACT_DETAILS"},
			Channel:               "SECURE_EMAIL",
			TimeLimitHours:        hours(24),
			ReceivingPurpose:      "URGENT_CARE_NOTIFICATION",
			Agreement:             liverpoolConsentISA,
			ProtocolNotes: "Record the student field on the Mersey Care record. Ask for consent to share with the Student Liaison Service and record the answer. " +
				"Send within 24 hours of discharge from A&E; referrals received out of hours are picked up the next working day. Immediate risk is managed by the crisis team, not the Liaison Service.",
			FirstContactDays: days(2),
			StudentExpectation: "Because you agreed, the A&E team tells the Student Liaison Service that you came in. " +
				"A liaison worker will phone you within 2 working days to see how you are, offer a short piece of support and help you get to the right service, so you do not have to tell your story again. " +
				"If you need help before then, call the Mersey Care 24/7 crisis line.",
		},
		{
			Key:                   "liverpool-after/ae-to-uol",
			From:                  "rluh-ae-liaison",
			To:                    "mhas",
			Situation:             "PRESENTS_AT_URGENT_CARE",
			RequiresStudentStatus: true,
			Consents:              []string{"GIVEN"},
			Eligibility:           "University of Liverpool students.",
			WhatToSend:            []string{"RISK_MANAGEMENT_PLAN", "SAFETY_PLAN", "CONTACT_DETAILS"},
			Channel:               "SECURE_EMAIL",
			TimeLimitHours:        hours(24),
			ReceivingPurpose:      "URGENT_CARE_NOTIFICATION",
			Agreement:             liverpoolConsentISA,
			ProtocolNotes: "Sent with the share to the Student Liaison Service, to the university's nominated urgent care contact (shown with the plan). " +
				"If the nominated person has left post, send to their successor or deputy.",
			FirstContactDays: days(2),
			StudentExpectation: "Because you agreed, the university's Mental Health Advisory Service is told that you came to A&E, so you are not left on your own when you get back. " +
				"An adviser will contact you within 2 working days to offer an appointment.",
		},
		{
			Key:                   "liverpool-after/ae-to-ljmu",
			From:                  "rluh-ae-liaison",
			To:                    "ljmu-wellbeing",
			Situation:             "PRESENTS_AT_URGENT_CARE",
			RequiresStudentStatus: true,
			Consents:              []string{"GIVEN"},
			Eligibility:           "Liverpool John Moores University students.",
			WhatToSend:            []string{"RISK_MANAGEMENT_PLAN", "SAFETY_PLAN", "CONTACT_DETAILS"},
			Channel:               "SECURE_EMAIL",
			TimeLimitHours:        hours(24),
			ReceivingPurpose:      "URGENT_CARE_NOTIFICATION",
			Agreement:             liverpoolConsentISA,
			ProtocolNotes: "Sent with the share to the Student Liaison Service, to LJMU's nominated urgent care link in Student Advice and Wellbeing. " +
				"If the nominated person has left post, send to their successor or deputy; out of hours, to the duty inbox, which is read at 09:00 the next working day.",
			FirstContactDays: days(2),
			StudentExpectation: "Because you agreed, LJMU Student Advice and Wellbeing is told that you came to A&E, so you are not left on your own when you get back. " +
				"An adviser will contact you within 2 working days to offer support.",
		},
		{
			Key:                   "liverpool-after/ae-refused-uol",
			From:                  "rluh-ae-liaison",
			To:                    "mhas",
			Situation:             "PRESENTS_AT_URGENT_CARE",
			RequiresStudentStatus: true,
			Consents:              []string{"REFUSED"},
			Eligibility:           "University of Liverpool students.",
			Channel:               "STUDENT_SELF_REFERS",
			Agreement:             liverpoolSafeguardingISA,
			ProtocolNotes: "The student has said no: nothing is shared routinely and nobody at the university is told. Give the student the signposting to take away. " +
				"If you judge the student to be at risk, sharing without consent may be considered under the Liverpool safeguarding agreement (DPA 2018 Schedule 1 Part 2 paragraph 18). " +
				"That decision is the clinician's, must be necessary and proportionate, and is recorded with the reasons.",
			StudentExpectation: "Nobody at your university will be told that you came to A&E. Before you leave you will be given the Mersey Care 24/7 crisis line number, " +
				"how to refer yourself to the university's Mental Health Advisory Service (online form, or call in at Student Services), and how to register with a GP. " +
				"You can change your mind at any time and ask for the Student Liaison Service to contact you.",
		},
		{
			Key:                   "liverpool-after/ae-refused-ljmu",
			From:                  "rluh-ae-liaison",
			To:                    "ljmu-wellbeing",
			Situation:             "PRESENTS_AT_URGENT_CARE",
			RequiresStudentStatus: true,
			Consents:              []string{"REFUSED"},
			Eligibility:           "Liverpool John Moores University students.",
			Channel:               "STUDENT_SELF_REFERS",
			Agreement:             liverpoolSafeguardingISA,
			ProtocolNotes: "The student has said no: nothing is shared routinely and nobody at the university is told. Give the student the signposting to take away. " +
				"If you judge the student to be at risk, sharing without consent may be considered under the Liverpool safeguarding agreement (DPA 2018 Schedule 1 Part 2 paragraph 18). " +
				"That decision is the clinician's, must be necessary and proportionate, and is recorded with the reasons.",
			StudentExpectation: "Nobody at your university will be told that you came to A&E. Before you leave you will be given the Mersey Care 24/7 crisis line number, " +
				"how to contact LJMU Student Advice and Wellbeing yourself (drop in at the Student Life Building, phone, or the online form), and how to register with a GP. " +
				"You can change your mind at any time and ask for the Student Liaison Service to contact you.",
		},
		{
			Key:                   "liverpool-after/liaison-to-uol",
			From:                  "student-liaison",
			To:                    "mhas",
			Situation:             "PRESENTS_AT_URGENT_CARE",
			RequiresStudentStatus: true,
			Consents:              []string{"GIVEN"},
			Eligibility:           "University of Liverpool students.",
			WhatToSend:            []string{"ASSESSMENT", "SAFETY_PLAN", "CONTACT_DETAILS"},
			Channel:               "SECURE_EMAIL",
			TimeLimitHours:        hours(48),
			ReceivingPurpose:      "URGENT_CARE_NOTIFICATION",
			Agreement:             liverpoolConsentISA,
			ProtocolNotes:         "After the follow-up call and brief intervention, the liaison worker refers or signposts the student to MHAS and sends what was learnt, within 48 hours of the call.",
			FirstContactDays:      days(5),
			StudentExpectation: "After a follow-up call (within 2 working days of your A&E visit) and a short piece of support, the liaison worker can refer you to the Mental Health Advisory Service and pass on what you have already said. " +
				"MHAS will offer you an appointment, usually within a week.",
		},
		{
			Key:                   "liverpool-after/liaison-to-ljmu",
			From:                  "student-liaison",
			To:                    "ljmu-wellbeing",
			Situation:             "PRESENTS_AT_URGENT_CARE",
			RequiresStudentStatus: true,
			Consents:              []string{"GIVEN"},
			Eligibility:           "Liverpool John Moores University students.",
			WhatToSend:            []string{"ASSESSMENT", "SAFETY_PLAN", "CONTACT_DETAILS"},
			Channel:               "SECURE_EMAIL",
			TimeLimitHours:        hours(48),
			ReceivingPurpose:      "URGENT_CARE_NOTIFICATION",
			Agreement:             liverpoolConsentISA,
			ProtocolNotes:         "After the follow-up call and brief intervention, the liaison worker refers or signposts the student to LJMU Student Advice and Wellbeing and sends what was learnt, within 48 hours of the call.",
			FirstContactDays:      days(7),
			StudentExpectation: "After a follow-up call (within 2 working days of your A&E visit) and a short piece of support, the liaison worker can refer you to LJMU Student Advice and Wellbeing and pass on what you have already said. " +
				"An adviser will get back to you, usually within a week.",
		},
		{
			Key:              "liverpool-after/liaison-to-mdt",
			From:             "student-liaison",
			To:               "liverpool-mdt",
			Situation:        "PRESENTS_AT_URGENT_CARE",
			Consents:         []string{"GIVEN"},
			MaxUrgency:       "SOON",
			Eligibility:      "Students of Liverpool's universities known to more than one partner service.",
			WhatToSend:       []string{"ASSESSMENT", "RISK_MANAGEMENT_PLAN", "SAFETY_PLAN"},
			Channel:          "SHARED_RECORD",
			ReceivingPurpose: "MDT_REFERRAL",
			Agreement:        liverpoolConsentISA,
			ProtocolNotes: "Add the student to the MDT list by Tuesday 12:00 for discussion that week (Thursday 13:00–15:00), saying what you are asking the MDT to decide. " +
				"Urgent risk is never held for the MDT: use the crisis team.",
			FirstContactDays: days(7),
			StudentExpectation: "If more than one service is involved and you agree, your situation is discussed at the weekly meeting where NHS and university staff plan your support together. " +
				"The liaison worker tells you what was agreed and who will contact you next, usually within a week.",
		},
		{
			Key:              "liverpool-after/mdt-to-ucope",
			From:             "liverpool-mdt",
			To:               "ucope",
			Situation:        "PRESENTS_AT_URGENT_CARE",
			Consents:         []string{"GIVEN"},
			MaxUrgency:       "SOON",
			Eligibility:      "Students of Liverpool's universities, aged 18 or over, who self-harm or have recently self-harmed.",
			WhatToSend:       []string{"REFERRAL_LETTER", "RISK_MANAGEMENT_PLAN", "SAFETY_PLAN"},
			Channel:          "REFERRAL_FORM",
			ReceivingPurpose: "GENERAL_ENQUIRIES",
			Agreement:        liverpoolConsentISA,
			ProtocolNotes:    "The MDT agrees the referral; the worker who brought the case sends the U-COPE referral form with the risk management and safety plans.",
			FirstContactDays: days(14),
			Sessions:         sessions(6),
			StudentExpectation: "If U-COPE is right for you, you will be offered an assessment, usually within two weeks, then six weekly sessions of talking therapy with the same therapist on campus. " +
				"At the end you agree together whether follow-up sessions would help.",
		},
		{
			Key:              "liverpool-after/mdt-to-gp",
			From:             "liverpool-mdt",
			To:               "brownlow-gp",
			Situation:        "PRESENTS_AT_URGENT_CARE",
			Consents:         []string{"GIVEN"},
			Eligibility:      "Students registered with Brownlow Health. For students registered elsewhere the MDT writes to their own GP.",
			WhatToSend:       []string{"CARE_PLAN", "RISK_MANAGEMENT_PLAN"},
			Channel:          "SECURE_EMAIL",
			ReceivingPurpose: "STUDENT_LIAISON",
			Agreement:        liverpoolConsentISA,
			ProtocolNotes:    "The MDT asks the GP lead for a medication review and shares the agreed plan, so that prescribing fits the rest of the student's care.",
			FirstContactDays: days(14),
			StudentExpectation: "Your GP is asked to review your medication with you. The practice will contact you to book, usually within two weeks; " +
				"if you have not heard by then, call the practice.",
		},
		{
			Key:              "liverpool-after/halls-to-mhas",
			From:             "uol-residence-life",
			To:               "mhas",
			Situation:        "CONCERN_RAISED_AT_UNIVERSITY",
			Consents:         []string{"GIVEN"},
			MaxUrgency:       "SOON",
			Eligibility:      "Residents of University of Liverpool halls.",
			Channel:          "STUDENT_SELF_REFERS",
			ReceivingPurpose: "GENERAL_ENQUIRIES",
			ProtocolNotes:    "Residence Life advise and help the student to self-refer to MHAS. If risk is immediate, call 999 or the Mersey Care crisis line; do not wait for MHAS.",
			FirstContactDays: days(5),
			StudentExpectation: "Residence Life staff will listen, check in on you and help you refer yourself to the Mental Health Advisory Service (the online form, or call in at Student Services). " +
				"You will be offered an appointment with an adviser, usually within a week. If you are in danger, they will get help straight away.",
		},
		{
			Key:              "liverpool-after/mhas-to-ucope",
			From:             "mhas",
			To:               "ucope",
			Situation:        "CONCERN_RAISED_AT_UNIVERSITY",
			Consents:         []string{"GIVEN"},
			MaxUrgency:       "SOON",
			Eligibility:      "University of Liverpool students, aged 18 or over, who self-harm or have recently self-harmed.",
			WhatToSend:       []string{"REFERRAL_LETTER", "RISK_MANAGEMENT_PLAN", "SAFETY_PLAN"},
			Channel:          "REFERRAL_FORM",
			ReceivingPurpose: "GENERAL_ENQUIRIES",
			Agreement:        liverpoolConsentISA,
			FirstContactDays: days(14),
			Sessions:         sessions(6),
			StudentExpectation: "If you self-harm, your adviser can refer you to U-COPE, a talking therapy service on campus. " +
				"You will be offered an assessment, usually within two weeks, then six weekly sessions with the same therapist.",
		},
		{
			Key:              "liverpool-after/mhas-to-mdt",
			From:             "mhas",
			To:               "liverpool-mdt",
			Situation:        "CONCERN_RAISED_AT_UNIVERSITY",
			Consents:         []string{"GIVEN"},
			MaxUrgency:       "SOON",
			Eligibility:      "University of Liverpool students known to more than one partner service.",
			WhatToSend:       []string{"ASSESSMENT", "RISK_MANAGEMENT_PLAN"},
			Channel:          "SECURE_EMAIL",
			ReceivingPurpose: "MDT_REFERRAL",
			Agreement:        liverpoolConsentISA,
			ProtocolNotes:    "Send the MDT referral to the Student Liaison Service by Tuesday 12:00 for discussion that week. Urgent risk is never held for the MDT: use the crisis team.",
			FirstContactDays: days(7),
			StudentExpectation: "If you agree, your adviser can ask the weekly NHS and university meeting to plan your support together. " +
				"Your adviser tells you what was agreed and who will contact you next.",
		},
		{
			Key:              "liverpool-after/ljmu-to-mdt",
			From:             "ljmu-wellbeing",
			To:               "liverpool-mdt",
			Situation:        "CONCERN_RAISED_AT_UNIVERSITY",
			Consents:         []string{"GIVEN"},
			MaxUrgency:       "SOON",
			Eligibility:      "LJMU students known to more than one partner service.",
			WhatToSend:       []string{"ASSESSMENT", "RISK_MANAGEMENT_PLAN"},
			Channel:          "SECURE_EMAIL",
			ReceivingPurpose: "MDT_REFERRAL",
			Agreement:        liverpoolConsentISA,
			ProtocolNotes:    "Send the MDT referral to the Student Liaison Service by Tuesday 12:00 for discussion that week. Urgent risk is never held for the MDT: use the crisis team.",
			FirstContactDays: days(7),
			StudentExpectation: "If you agree, your adviser can ask the weekly NHS and university meeting to plan your support together. " +
				"Your adviser tells you what was agreed and who will contact you next.",
		},
		{
			Key:                   "liverpool-after/discharge-to-uol",
			From:                  "mersey-care-crisis-line",
			To:                    "mhas",
			Situation:             "DISCHARGED_FROM_INPATIENT_CARE",
			RequiresStudentStatus: true,
			Consents:              []string{"GIVEN"},
			Eligibility:           "University of Liverpool students leaving a Mersey Care ward or the crisis and home treatment team's care.",
			WhatToSend:            []string{"DISCHARGE_SUMMARY", "RISK_MANAGEMENT_PLAN", "SAFETY_PLAN", "REASONABLE_ADJUSTMENTS"},
			Channel:               "SECURE_EMAIL",
			TimeLimitHours:        hours(48),
			ReceivingPurpose:      "DISCHARGE_NOTIFICATION",
			Agreement:             liverpoolConsentISA,
			ProtocolNotes:         "Send before or on the day of discharge where possible, and no later than 48 hours after, to the university's discharge notification contact.",
			FirstContactDays:      days(3),
			StudentExpectation: "Because you agreed, the Mental Health Advisory Service is told when you leave hospital or the crisis team's care, and is sent your safety plan. " +
				"An adviser will contact you within a few days to help you settle back into your studies, including any changes to deadlines or exams.",
		},
		{
			Key:                   "liverpool-after/discharge-to-ljmu",
			From:                  "mersey-care-crisis-line",
			To:                    "ljmu-wellbeing",
			Situation:             "DISCHARGED_FROM_INPATIENT_CARE",
			RequiresStudentStatus: true,
			Consents:              []string{"GIVEN"},
			Eligibility:           "LJMU students leaving a Mersey Care ward or the crisis and home treatment team's care.",
			WhatToSend:            []string{"DISCHARGE_SUMMARY", "RISK_MANAGEMENT_PLAN", "SAFETY_PLAN", "REASONABLE_ADJUSTMENTS"},
			Channel:               "SECURE_EMAIL",
			TimeLimitHours:        hours(48),
			ReceivingPurpose:      "DISCHARGE_NOTIFICATION",
			Agreement:             liverpoolConsentISA,
			ProtocolNotes:         "Send before or on the day of discharge where possible, and no later than 48 hours after, to the nominated discharge contact shown with the plan.",
			FirstContactDays:      days(3),
			StudentExpectation: "Because you agreed, LJMU Student Advice and Wellbeing is told when you leave hospital or the crisis team's care, and is sent your safety plan. " +
				"An adviser will contact you within a few days to help you settle back into your studies, including any changes to deadlines or exams.",
		},
	},
}

// gmReferral is the single route from one Greater Manchester university's
// service into the HE mental health service.
func gmReferral(university, service, serviceName string) PathwayStep {
	return PathwayStep{
		Key:              "gm-he-pathway/" + university + "-to-hems",
		From:             service,
		To:               "gm-hems",
		Situation:        "CONCERN_RAISED_AT_UNIVERSITY",
		Consents:         []string{"GIVEN"},
		MaxUrgency:       "SOON",
		Eligibility:      "Students of the five partner universities, aged 18 or over, with a significant mental illness such as severe depression, bipolar disorder, psychosis or an eating disorder.",
		WhatToSend:       []string{"REFERRAL_LETTER", "ASSESSMENT", "RISK_MANAGEMENT_PLAN"},
		Channel:          "REFERRAL_FORM",
		ReceivingPurpose: "MDT_REFERRAL",
		ProtocolNotes: "One referral route for all five universities: the university service refers on the HE mental health service's referral form, with the student's consent. " +
			"Referrals are considered at the weekly referral and allocation meeting. The service is not designed for crises: if risk is immediate use NHS 111 (option 2) or 999.",
		FirstContactDays: days(21),
		Sessions:         sessions(12),
		StudentExpectation: "You cannot refer yourself to this NHS service: if " + serviceName + " thinks it is right for you and you agree, they refer you. " +
			"The team looks at referrals every week, and you should be offered an assessment within about three weeks. " +
			serviceName + " keeps supporting you while you wait.",
	}
}

var manchesterPathway = Pathway{
	Key:         "gm-he-pathway",
	Partnership: "greater-manchester",
	Name:        "Single pathway into the Greater Manchester Higher Education Mental Health Service",
	Description: "One designated mental health pathway for students across the region: students with a significant mental illness reach the Greater Manchester Higher Education Mental Health Service through their own university's counselling or wellbeing service, which refers them with consent. " +
		"There is no self-referral. The service is not designed for students in crisis.",
	Steps: []PathwayStep{
		gmReferral("manchester", "manchester-counselling", "the University of Manchester Counselling and Mental Health Service"),
		gmReferral("mmu", "mmu-wellbeing", "Manchester Met Counselling, Health and Wellbeing"),
		gmReferral("salford", "salford-wellbeing", "University of Salford Wellbeing and Counselling"),
		gmReferral("bolton", "bolton-wellbeing", "University of Bolton Student Wellbeing"),
		gmReferral("rncm", "rncm-wellbeing", "RNCM Student Wellbeing"),
	},
}

var bristolPathway = Pathway{
	Key:         "bristol-cross-referral",
	Partnership: "bristol",
	Name:        "Consented cross-referral between university wellbeing services and the NHS",
	Description: "Through the Practice Liaison Forum, NHS and university practitioners keep each other's contact and referral details up to date, so that a student who consents can be cross-referred in either direction: " +
		"from a university wellbeing service to the AWP crisis service when risk rises, and from the crisis service back to the student's university wellbeing service.",
	Steps: []PathwayStep{
		bristolToNHS("uwe", "uwe-wellbeing"),
		bristolToNHS("bristol", "bristol-wellbeing"),
		bristolFromNHS("uwe", "uwe-wellbeing", "UWE Student Wellbeing Service"),
		bristolFromNHS("bristol", "bristol-wellbeing", "University of Bristol Student Wellbeing Service"),
	},
}

func bristolToNHS(university, service string) PathwayStep {
	return PathwayStep{
		Key:              "bristol-cross-referral/" + university + "-to-awp",
		From:             service,
		To:               "awp-response-line",
		Situation:        "CONCERN_RAISED_AT_UNIVERSITY",
		Consents:         []string{"GIVEN"},
		MinUrgency:       "SOON",
		MaxUrgency:       "URGENT",
		Eligibility:      "Students living in Bristol, North Somerset or South Gloucestershire.",
		WhatToSend:       []string{"CONTACT_DETAILS", "ASSESSMENT"},
		Channel:          "PHONE",
		ReceivingPurpose: "STUDENT_LIAISON",
		ProtocolNotes: "With the student's consent, call the AWP response line and say the student has agreed to share. " +
			"The NHS practice liaison team (details kept up to date through the Practice Liaison Forum) answers cross-referral questions in office hours. In an emergency call 999.",
		FirstContactDays: days(0),
		StudentExpectation: "If your wellbeing practitioner is worried about your safety and you agree, they contact the NHS crisis service for you and pass on what you have told them, so you do not have to repeat it. " +
			"The crisis service will talk with you the same day and agree the next step with you.",
	}
}

func bristolFromNHS(university, service, serviceName string) PathwayStep {
	return PathwayStep{
		Key:                   "bristol-cross-referral/awp-to-" + university,
		From:                  "awp-response-line",
		To:                    service,
		Situation:             "CRISIS_TEAM_CONTACT",
		RequiresStudentStatus: true,
		Consents:              []string{"GIVEN"},
		WhatToSend:            []string{"SAFETY_PLAN", "RISK_MANAGEMENT_PLAN", "CONTACT_DETAILS"},
		Channel:               "SECURE_EMAIL",
		TimeLimitHours:        hours(48),
		ReceivingPurpose:      "URGENT_CARE_NOTIFICATION",
		ProtocolNotes:         "Ask whether the caller is a student and whether they agree to their university's wellbeing service being told. Send to the university's nominated urgent care contact.",
		FirstContactDays:      days(3),
		StudentExpectation: "If you tell the crisis service you are a student and agree, they let " + serviceName + " know and share your safety plan. " +
			"A wellbeing practitioner will contact you within a few working days to offer support with your wellbeing and your studies.",
	}
}

var northLondonPathway = Pathway{
	Key:         "north-london-peer-link",
	Partnership: "north-london",
	Name:        "Peer link worker route into iCope",
	Description: "A pilot of Students' Union UCL and iCope (Camden and Islington NHS Talking Therapies): trained student peer link workers help students find their way to support and refer themselves to iCope, and can go with them to a first workshop. " +
		"Students can reach a peer link worker directly or through UCL Student Support and Wellbeing.",
	Steps: []PathwayStep{
		{
			Key:              "north-london-peer-link/ucl-support-to-peer-link",
			From:             "ucl-student-support",
			To:               "su-ucl-peer-link",
			Situation:        "CONCERN_RAISED_AT_UNIVERSITY",
			Consents:         []string{"GIVEN"},
			MaxUrgency:       "ROUTINE",
			Eligibility:      "UCL students.",
			WhatToSend:       []string{"CONTACT_DETAILS"},
			Channel:          "SECURE_EMAIL",
			ReceivingPurpose: "GENERAL_ENQUIRIES",
			ProtocolNotes:    "With the student's agreement, pass their contact details to the peer link team. Peer link workers are not clinicians: do not use this route when there is risk.",
			FirstContactDays: days(5),
			StudentExpectation: "If you would like help finding your way to NHS support, your adviser can put you in touch with a peer link worker: a trained student, not a therapist. " +
				"They will get in touch, usually within a week.",
		},
		{
			Key:              "north-london-peer-link/peer-link-to-icope",
			From:             "su-ucl-peer-link",
			To:               "icope",
			Situation:        "CONCERN_RAISED_AT_UNIVERSITY",
			Consents:         []string{"GIVEN"},
			MaxUrgency:       "SOON",
			Eligibility:      "Aged 18 or over and registered with a GP in Camden or Islington.",
			Channel:          "STUDENT_SELF_REFERS",
			ReceivingPurpose: "GENERAL_ENQUIRIES",
			ProtocolNotes: "The peer link worker helps the student self-refer to iCope and can attend a first workshop with them. " +
				"If a peer link worker is worried about a student's safety they pass it straight to UCL Student Support and Wellbeing or, out of hours, the Camden and Islington crisis line.",
			FirstContactDays: days(21),
			Sessions:         sessions(8),
			StudentExpectation: "A peer link worker helps you refer yourself to iCope, the free NHS talking therapies service, and can come with you to a first workshop. " +
				"You need to be registered with a GP in Camden or Islington; they can help you register. iCope will phone you for an assessment, usually within three weeks, " +
				"then offer guided self-help, a course or one-to-one sessions.",
		},
	},
}

var birminghamPathway = Pathway{
	Key:         "birmingham-pause-to-ftb",
	Partnership: "birmingham",
	Name:        "Pause@UoB drop-in to Forward Thinking Birmingham",
	Description: "Students can walk into the Pause@UoB hub on campus without a referral for a brief intervention from The Children's Society's therapists, practitioners and volunteers. " +
		"When a student needs more, Pause refers them, with consent, to Forward Thinking Birmingham, the NHS mental health service for people aged 0 to 25, or helps them contact University of Birmingham Student Wellbeing for support with their studies.",
	Steps: []PathwayStep{
		{
			Key:              "birmingham-pause-to-ftb/pause-to-ftb",
			From:             "pause-uob",
			To:               "forward-thinking-birmingham",
			Situation:        "CONCERN_RAISED_AT_UNIVERSITY",
			Consents:         []string{"GIVEN"},
			MaxUrgency:       "SOON",
			Eligibility:      "University of Birmingham students aged 25 or under and registered with a Birmingham GP.",
			WhatToSend:       []string{"REFERRAL_LETTER", "ASSESSMENT", "CONTACT_DETAILS"},
			Channel:          "PHONE",
			ReceivingPurpose: "STUDENT_LIAISON",
			ProtocolNotes:    "Refer through the Forward Thinking Birmingham access centre's professional line, then send the referral letter. For urgent risk use NHS 111 (option 2) or 999, not this route.",
			FirstContactDays: days(28),
			StudentExpectation: "If you need more than the drop-in can offer and you agree, the Pause team refers you to Forward Thinking Birmingham, the NHS mental health service for people up to 25, and passes on what you have already talked about. " +
				"Their access centre will contact you and offer an assessment; this can take up to about four weeks. You can keep coming to Pause while you wait.",
		},
		{
			Key:              "birmingham-pause-to-ftb/camhs-transition",
			From:             "pause-uob",
			To:               "forward-thinking-birmingham",
			Situation:        "TRANSITION_FROM_CAMHS",
			Consents:         []string{"GIVEN"},
			MaxUrgency:       "SOON",
			Eligibility:      "Students aged 25 or under who were under CAMHS or another children's mental health service before university, registered with a Birmingham GP.",
			WhatToSend:       []string{"REFERRAL_LETTER", "CARE_PLAN", "CONTACT_DETAILS"},
			Channel:          "PHONE",
			ReceivingPurpose: "STUDENT_LIAISON",
			ProtocolNotes:    "With consent, ask the student's home CAMHS team for the latest care plan and send it with the referral. Forward Thinking Birmingham covers ages 0 to 25, so there is no move to adult services at 18.",
			FirstContactDays: days(28),
			StudentExpectation: "If you were getting help from CAMHS before university, the Pause team can refer you to Forward Thinking Birmingham, which works with people up to 25, so you do not have to move to adult services at 18. " +
				"With your agreement they ask your old team for your care plan, so you do not have to start from scratch.",
		},
		{
			Key:              "birmingham-pause-to-ftb/pause-to-wellbeing",
			From:             "pause-uob",
			To:               "birmingham-wellbeing",
			Situation:        "CONCERN_RAISED_AT_UNIVERSITY",
			Consents:         []string{"GIVEN"},
			MaxUrgency:       "SOON",
			Eligibility:      "University of Birmingham students.",
			Channel:          "STUDENT_SELF_REFERS",
			ReceivingPurpose: "GENERAL_ENQUIRIES",
			ProtocolNotes:    "Pause helps the student contact Student Wellbeing through the Student Hub when their studies are affected.",
			FirstContactDays: days(5),
			StudentExpectation: "If your studies are affected, the Pause team can help you contact University of Birmingham Student Wellbeing, " +
				"who can plan support with you and arrange changes to your studies.",
		},
	},
}
