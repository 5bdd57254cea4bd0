// Package seed holds the partnerships described in the source documents and
// loads them into an empty or already-seeded database. Loading is idempotent:
// every seeded row has an ID derived from its key, and rows that already exist
// are left exactly as they are (including any edits made since).
package seed

import "github.com/google/uuid"

// namespace is the UUIDv5 namespace of every seeded ID.
var namespace = uuid.MustParse("6f1d8a52-3c1e-4c43-9a0e-5f1f2b8d7a10")

// ID is the stable ID of the seeded row of the given table with the given key,
// e.g. ID("institutions", "ljmu"). Tests use it to find seeded rows.
func ID(table, key string) uuid.UUID {
	return uuid.NewSHA1(namespace, []byte(table+"/"+key))
}

// Institution is one organisation. Kind and Region take the values allowed by
// migrations/001_directory.sql.
type Institution struct {
	Key                string
	Name               string
	ShortName          string
	Kind               string
	Description        string
	Website            string
	UKPRN              string
	ODSCode            string
	CharityNumber      string
	Region             string
	StudentPopulation  *int
	InternationalShare *float64
	DistanceTeaching   *bool
	Sites              []Site
}

// Site is a campus or building with a location.
type Site struct {
	Key       string
	Name      string
	Address   string
	Postcode  string
	Latitude  float64
	Longitude float64
}

// Partnership is a local partnership of institutions.
type Partnership struct {
	Key            string
	Name           string
	Description    string
	Region         string
	SharedOutcomes []string
	Members        []Member
	Forums         []Forum
}

// Member is an institution's place in a partnership; Institution is its key.
type Member struct {
	Institution string
	Role        string
	JoinedOn    string // YYYY-MM-DD or ""
}

// Forum is a governance forum of a partnership.
type Forum struct {
	Key             string
	Name            string
	Purpose         string
	Cadence         string
	HowToBringACase string
}

// Service is what an institution provides. Institution, Site, Partners,
// EligibleInstitutions and OutOfHoursService are keys.
type Service struct {
	Key                  string
	Institution          string
	Site                 string
	Partners             []string
	Name                 string
	Description          string
	Category             string
	Needs                []string
	CareLevel            int
	AccessRoutes         []string
	HowToAccess          string
	Eligibility          string
	EligibleInstitutions []string
	MinAge, MaxAge       *int
	Area                 string
	Open247              bool
	OutOfHours           string
	OutOfHoursService    string
	DeliveryModes        []string
	WhatToExpect         string
	TypicalSessions      *int
	ExpectedWaitDays     *int
	CapacityStatus       string // "" means OPEN
	Visibility           string // "" means PUBLIC
	Website              string
	Phone                string
	TextNumber           string
	Email                string
	ReviewedDaysAgo      int // last_reviewed_on = today - ReviewedDaysAgo at first load
	Hours                []Hours
}

// Hours is one opening period on the given ISO days (1 Monday .. 7 Sunday),
// times as "09:00".
type Hours struct {
	Days   []int
	Opens  string
	Closes string
}

// ContactPoint is a nominated contact. Institution, Service, Deputy and
// Successor are keys. Dates are relative to the day the seed is first loaded
// so that the directory always shows a realistic mix: ValidFromDaysAgo and
// ValidToDaysFromNow (nil means open-ended; negative means already ended).
type ContactPoint struct {
	Key                    string
	Institution            string
	Service                string
	Purpose                string
	Kind                   string // TEAM or PERSON
	Name                   string
	JobTitle               string
	Visibility             string // PUBLIC, PROFESSIONAL or PARTNERSHIP
	Email                  string
	Phone                  string
	Hours                  string
	OutOfHoursPhone        string
	OutOfHoursEmail        string
	OutOfHoursInstructions string
	Notes                  string
	Deputy                 string
	Successor              string
	ValidFromDaysAgo       int
	ValidToDaysFromNow     *int
	VerifiedDaysAgo        *int // nil: never verified
}
