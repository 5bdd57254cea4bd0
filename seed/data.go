package seed

import "slices"

// The seed data, gathered from the per-partnership files. Order matters only
// for readability: Load sorts services and contact points so that anything a
// row refers to is inserted before it.
//
// Everything about real organisations comes from the source documents in
// /work/shared/seeds or from public registers (UKPRN, ODS code, charity
// number), filled in only where the value is known to be right. Student
// populations and international shares are rounded approximations, for
// illustration. Every person, e-mail address (reserved ".example" domain) and
// phone number (Ofcom drama range 01632 960000-960999) in a contact point is
// fictional; the only real numbers are the national crisis services' own
// public numbers (999, 111, 116 123, text 85258).

// Institutions are every organisation in the seed.
var Institutions = slices.Concat(
	liverpoolInstitutions,
	bristolInstitutions,
	manchesterInstitutions,
	londonInstitutions,
	sheffieldInstitutions,
	birminghamInstitutions,
	nationalInstitutions,
)

// Partnerships are the local partnerships described in the documents.
var Partnerships = []Partnership{
	liverpoolPartnership,
	bristolPartnership,
	manchesterPartnership,
	londonPartnership,
	sheffieldPartnership,
	birminghamPartnership,
}

// Services are every service in the seed, national crisis options included.
var Services = slices.Concat(
	liverpoolServices,
	bristolServices,
	manchesterServices,
	londonServices,
	sheffieldServices,
	birminghamServices,
	nationalServices,
)

// ContactPoints are the nominated contacts. All of them are fictional.
var ContactPoints = slices.Concat(
	liverpoolContacts,
	bristolContacts,
	manchesterContacts,
	londonContacts,
	sheffieldContacts,
	birminghamContacts,
)

// ptr returns a pointer to v, for the optional fields of the seed types.
func ptr[T any](v T) *T { return &v }

// Days of the week, ISO numbering.
var (
	weekdays = []int{1, 2, 3, 4, 5}
	weekend  = []int{6, 7}
	everyDay = []int{1, 2, 3, 4, 5, 6, 7}
)

// officeHours is Monday to Friday between opens and closes.
func officeHours(opens, closes string) []Hours {
	return []Hours{{Days: weekdays, Opens: opens, Closes: closes}}
}
