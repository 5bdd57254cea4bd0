package store

import (
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"regexp"
	"strings"

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
