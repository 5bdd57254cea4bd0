package store

import (
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// checker validates and normalises input fields, keeping the first error.
// Field names are the GraphQL input paths, e.g. "input.email".
type checker struct{ err error }

func (c *checker) fail(field, format string, args ...any) {
	if c.err == nil {
		c.err = BadInput(field, format, args...)
	}
}

// required trims *v and checks it is 1 to max characters.
func (c *checker) required(field string, v *string, max int) {
	*v = strings.TrimSpace(*v)
	if *v == "" {
		c.fail(field, "is required")
		return
	}
	c.length(field, *v, max)
}

// optional trims *v, turns blank into nil, and checks its length.
func (c *checker) optional(field string, v **string, max int) {
	if *v == nil {
		return
	}
	t := strings.TrimSpace(**v)
	if t == "" {
		*v = nil
		return
	}
	*v = &t
	c.length(field, t, max)
}

func (c *checker) length(field, v string, max int) {
	c.text(field, v)
	if n := len([]rune(v)); n > max {
		c.fail(field, "must be at most %d characters (got %d)", max, n)
	}
}

func (c *checker) email(field string, v **string) {
	c.optional(field, v, 254)
	if *v == nil {
		return
	}
	a, err := mail.ParseAddress(**v)
	if err != nil || a.Address != **v || !strings.Contains(a.Address[strings.LastIndex(a.Address, "@"):], ".") {
		c.fail(field, "is not an e-mail address like name@example.ac.uk")
	}
}

// dramaNumber matches Ofcom's numbers reserved for drama (and for fictional
// test data), which phone-number libraries rightly call invalid.
var dramaNumber = regexp.MustCompile(`^(01632 960\d{3}|07700 900\d{3}|020 7946 0\d{3})$`)

// phone checks a UK phone number and stores it in national format
// ("0151 794 2000"). allowShort admits national short numbers such as 111
// or 116 123, for services.
func (c *checker) phone(field string, v **string, allowShort bool) {
	c.optional(field, v, 30)
	if *v == nil {
		return
	}
	n, err := phonenumbers.Parse(**v, "GB")
	if err != nil {
		c.fail(field, "is not a UK phone number")
		return
	}
	if allowShort && phonenumbers.IsValidShortNumberForRegion(n, "GB") {
		s := phonenumbers.Format(n, phonenumbers.NATIONAL)
		if s == "116123" {
			s = "116 123"
		}
		*v = &s
		return
	}
	s := phonenumbers.Format(n, phonenumbers.NATIONAL)
	if !phonenumbers.IsValidNumberForRegion(n, "GB") && !dramaNumber.MatchString(s) {
		c.fail(field, "is not a valid UK phone number")
		return
	}
	*v = &s
}

func (c *checker) url(field string, v **string) {
	c.optional(field, v, 500)
	if *v == nil {
		return
	}
	u, err := url.Parse(**v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(**v, " \t\n") {
		c.fail(field, "is not a web address starting https://")
	}
}

func (c *checker) between(field string, v *int, min, max int) {
	if v != nil && (*v < min || *v > max) {
		c.fail(field, "must be between %d and %d", min, max)
	}
}

func (c *checker) latitude(field string, v float64) {
	if math.IsNaN(v) || v < -90 || v > 90 {
		c.fail(field, "must be between -90 and 90")
	}
}

func (c *checker) longitude(field string, v float64) {
	if math.IsNaN(v) || v < -180 || v > 180 {
		c.fail(field, "must be between -180 and 180")
	}
}

var (
	ukprnPattern   = regexp.MustCompile(`^1\d{7}$`)
	odsPattern     = regexp.MustCompile(`^[A-Z0-9]{3,6}$`)
	charityPattern = regexp.MustCompile(`^(\d{6,7}|SC\d{6}|NIC\d{6})$`)
	postcodeSpace  = regexp.MustCompile(`^([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})$`)
)

// pattern upper-cases and trims *v and checks it against re.
func (c *checker) pattern(field string, v **string, re *regexp.Regexp, what string) {
	if *v == nil {
		return
	}
	c.text(field, **v)
	t := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(**v), " ", ""))
	if t == "" {
		*v = nil
		return
	}
	*v = &t
	if !re.MatchString(t) {
		c.fail(field, "is not %s", what)
	}
}

// postcode normalises a UK postcode to "L3 5UX".
func (c *checker) postcode(field string, v **string) {
	if *v == nil {
		return
	}
	c.text(field, **v)
	t := strings.ToUpper(strings.Join(strings.Fields(**v), ""))
	if t == "" {
		*v = nil
		return
	}
	m := postcodeSpace.FindStringSubmatch(t)
	if m == nil {
		c.fail(field, "is not a UK postcode like L3 5UX")
		return
	}
	s := fmt.Sprintf("%s %s", m[1], m[2])
	*v = &s
}

// oneOf checks v is among allowed (enum values arrive validated from
// GraphQL; this guards other callers).
func (c *checker) oneOf(field, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	c.fail(field, "must be one of %s", strings.Join(allowed, ", "))
}

// Text rules, shared by the GraphQL edge (graph/input.go checks every String
// and ID argument and input field before any resolver runs) and by the
// checker below, so that neither is looser than the other:
//
//   - no string may hold NUL (PostgreSQL cannot store it) or bytes that
//     are not UTF-8;
//   - prose fields (descriptions, instructions, notes, reasons: those in
//     proseFields, by their last path segment) may hold tab, line feed and
//     carriage return, and no other control character (C0, DEL or C1);
//   - every other string (names, codes, e-mail addresses, phone numbers,
//     web addresses, search text, cursors, IDs) is one line: no control
//     character at all, tab and line breaks included.
var proseFields = map[string]bool{
	"description": true, "howToAccess": true, "eligibility": true, "whatToExpect": true,
	"outOfHours": true, "outOfHoursInstructions": true, "notes": true, "hours": true,
	"address": true, "reason": true, "collaboration": true, "escalation": true, "stepDown": true,
	"lawfulBasisDetail": true, "scopeOfData": true, "protocolNotes": true,
	"studentExpectation": true, "purpose": true, "howToBringACase": true, "sharedOutcomes": true,
}

// MultiLine reports whether field (an input path such as
// "input.description") is prose that may span lines.
func MultiLine(field string) bool {
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		field = field[i+1:]
	}
	return proseFields[field]
}

// TextProblem says what is wrong with s as the value of field (an input
// path such as "input.name"), or "" when nothing is: see the text rules
// above. The answer never repeats s.
func TextProblem(field, s string) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8 text"
	}
	multi := -1 // unknown until a control character is found
	for _, r := range s {
		if !unicode.IsControl(r) {
			continue
		}
		if r == 0 {
			return "must not contain the NUL character (U+0000)"
		}
		if multi == -1 {
			multi = 0
			if MultiLine(field) {
				multi = 1
			}
		}
		if r == '\t' || r == '\n' || r == '\r' {
			if multi == 1 {
				continue
			}
			return "must be one line: no tabs or line breaks"
		}
		return fmt.Sprintf("must not contain control characters (found U+%04X)", r)
	}
	return ""
}

// text fails the check when v breaks the text rules.
func (c *checker) text(field, v string) {
	if p := TextProblem(field, v); p != "" {
		c.fail(field, "%s", p)
	}
}

// DomainEnums are the values of the GraphQL enums that the store's queries
// compare against, exactly as the schema spells them (a graph test checks
// they match schema.graphqls). GraphQL refuses any other value at the edge;
// checkEnum refuses them again here, for callers other than GraphQL.
var DomainEnums = map[string][]string{
	"Consent": {"GIVEN", "REFUSED", "NOT_ASKED", "LACKS_CAPACITY"},
	"Urgency": urgencyOrder,
	"Situation": {"PRESENTS_AT_URGENT_CARE", "DISCHARGED_FROM_INPATIENT_CARE", "CRISIS_TEAM_CONTACT",
		"ON_NHS_WAITING_LIST", "TRANSITION_FROM_CAMHS", "RETURNING_HOME_OUT_OF_TERM", "RETURNING_TO_STUDY",
		"CONCERN_RAISED_AT_UNIVERSITY"},
	"Need": {"SELF_HARM", "SUICIDAL_THOUGHTS", "LOW_MOOD", "ANXIETY", "EATING_DISORDER", "PSYCHOSIS", "LONELINESS",
		"FINANCIAL_STRESS", "RELATIONSHIPS", "NEURODIVERGENCE", "TRANSITION_FROM_CAMHS", "INTERNATIONAL_STUDENT_ADVICE",
		"REGISTERING_WITH_GP", "SUBSTANCE_USE", "BEREAVEMENT", "TRAUMA", "SEXUAL_VIOLENCE", "STUDY_STRESS"},
}

// enumValue is a value given for a field of a GraphQL enum type.
type enumValue struct{ field, enum, value string }

// checkEnums is an *InputError, for the first value that is not exactly one
// of its enum's values.
func checkEnums(vs ...enumValue) error {
	var c checker
	for _, v := range vs {
		c.oneOf(v.field, v.value, DomainEnums[v.enum]...)
	}
	return c.err
}
