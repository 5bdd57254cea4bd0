package seed

// SharingAgreement is an information sharing agreement between institutions
// (Parties are institution keys; Partnership is a partnership key or "").
// Dates are days relative to the first load: signed_on is SignedDaysAgo days
// before it and review_on ReviewInDays days after it (negative: the review
// is overdue); 0 leaves the date unset.
type SharingAgreement struct {
	Key                          string
	Partnership                  string
	Name                         string
	LawfulBasis                  string // EXPLICIT_CONSENT, VITAL_INTERESTS, SAFEGUARDING_OF_INDIVIDUALS_AT_RISK, OTHER
	LawfulBasisDetail            string
	PermitsSharingWithoutConsent bool
	ScopeOfData                  string
	SignedDaysAgo                int
	ReviewInDays                 int
	Status                       string // "" means ACTIVE
	Parties                      []string
}

// Pathway is a partnership's referral pathway, drawn as steps between
// services (keys of seeded services; touchpoints such as A&E are services).
type Pathway struct {
	Key         string
	Partnership string
	Name        string
	Description string
	Steps       []PathwayStep
}

// PathwayStep is one hand-over from one service to another.
type PathwayStep struct {
	Key                   string
	From, To              string // service keys
	Situation             string
	RequiresStudentStatus bool
	Consents              []string // default GIVEN
	MinUrgency            string   // default ROUTINE
	MaxUrgency            string   // default EMERGENCY
	Eligibility           string
	WhatToSend            []string
	Channel               string
	TimeLimitHours        *int
	ReceivingPurpose      string // "" for a step that informs no one (a dead end)
	Agreement             string // key of a SharingAgreement, or ""
	ProtocolNotes         string
	FirstContactDays      *int
	Sessions              *int
	StudentExpectation    string
}
