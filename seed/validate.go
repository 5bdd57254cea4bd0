package seed

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// dataset is everything one Load writes.
type dataset struct {
	Institutions  []Institution
	Partnerships  []Partnership
	Services      []Service
	ContactPoints []ContactPoint
	Areas         []Area
	Thresholds    []Threshold

	SharingAgreements []SharingAgreement
	Pathways          []Pathway
}

// all is the seed as declared in the data files.
func all() dataset {
	return dataset{
		Areas:         Areas,
		Thresholds:    Thresholds,
		Institutions:  Institutions,
		Partnerships:  Partnerships,
		Services:      Services,
		ContactPoints: ContactPoints,

		SharingAgreements: SharingAgreements,
		Pathways:          Pathways,
	}
}

// validate checks every reference between seed rows, and the rules the
// database would otherwise reject with a less helpful message, before
// anything touches the database. Each problem names the key it is about; all
// problems are reported together.
func (d dataset) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	institutions := map[string]bool{}
	siteOwner := map[string]string{} // site key -> institution key
	for _, in := range d.Institutions {
		if in.Key == "" {
			bad("institution %q has no key", in.Name)
			continue
		}
		if institutions[in.Key] {
			bad("institution %q is declared twice", in.Key)
		}
		institutions[in.Key] = true
		for _, s := range in.Sites {
			if s.Key == "" {
				bad("institution %q: site %q has no key", in.Key, s.Name)
				continue
			}
			if owner, dup := siteOwner[s.Key]; dup {
				bad("site %q is declared twice (institutions %q and %q)", s.Key, owner, in.Key)
			}
			siteOwner[s.Key] = in.Key
		}
	}

	partnershipNames := map[string]bool{}
	partnerships := map[string]bool{}
	membersOf := map[string]map[string]bool{} // partnership key -> member institution keys
	forums := map[string]bool{}
	for _, p := range d.Partnerships {
		if p.Key == "" {
			bad("partnership %q has no key", p.Name)
			continue
		}
		if partnerships[p.Key] {
			bad("partnership %q is declared twice", p.Key)
		}
		partnerships[p.Key] = true
		if partnershipNames[p.Name] {
			bad("partnership %q: another partnership is also named %q", p.Key, p.Name)
		}
		partnershipNames[p.Name] = true
		members := map[string]bool{}
		membersOf[p.Key] = members
		for _, m := range p.Members {
			if !institutions[m.Institution] {
				bad("partnership %q: member institution %q does not exist", p.Key, m.Institution)
			}
			if members[m.Institution] {
				bad("partnership %q: institution %q is a member twice", p.Key, m.Institution)
			}
			members[m.Institution] = true
			if m.JoinedOn != "" {
				if _, err := time.Parse(time.DateOnly, m.JoinedOn); err != nil {
					bad("partnership %q: member %q: joined on %q is not YYYY-MM-DD", p.Key, m.Institution, m.JoinedOn)
				}
			}
		}
		forumNames := map[string]bool{}
		for _, f := range p.Forums {
			if f.Key == "" || forums[f.Key] {
				bad("partnership %q: forum key %q is empty or declared twice", p.Key, f.Key)
			}
			forums[f.Key] = true
			if forumNames[f.Name] {
				bad("partnership %q: two forums are named %q", p.Key, f.Name)
			}
			forumNames[f.Name] = true
		}
	}

	services := map[string]Service{}
	for _, s := range d.Services {
		if s.Key == "" {
			bad("service %q has no key", s.Name)
			continue
		}
		if _, dup := services[s.Key]; dup {
			bad("service %q is declared twice", s.Key)
		}
		services[s.Key] = s
	}
	for _, s := range d.Services {
		if !institutions[s.Institution] {
			bad("service %q: institution %q does not exist", s.Key, s.Institution)
		}
		if s.Site != "" {
			owner, ok := siteOwner[s.Site]
			switch {
			case !ok:
				bad("service %q: site %q does not exist", s.Key, s.Site)
			case owner != s.Institution:
				bad("service %q: site %q belongs to %q, not to the service's institution %q", s.Key, s.Site, owner, s.Institution)
			}
		}
		checkKeys := func(what string, keys []string) {
			seen := map[string]bool{}
			for _, k := range keys {
				if !institutions[k] {
					bad("service %q: %s %q does not exist", s.Key, what, k)
				}
				if seen[k] {
					bad("service %q: %s %q is listed twice", s.Key, what, k)
				}
				seen[k] = true
			}
		}
		checkKeys("partner institution", s.Partners)
		checkKeys("eligible institution", s.EligibleInstitutions)
		if s.OutOfHoursService != "" {
			if _, ok := services[s.OutOfHoursService]; !ok {
				bad("service %q: out-of-hours service %q does not exist", s.Key, s.OutOfHoursService)
			}
			if s.OutOfHoursService == s.Key {
				bad("service %q is its own out-of-hours service", s.Key)
			}
		}
		if s.Open247 && len(s.Hours) > 0 {
			bad("service %q is open 24/7 and also has opening hours", s.Key)
		}
		if err := checkHours(s.Hours); err != nil {
			bad("service %q: %v", s.Key, err)
		}
	}
	if _, err := orderServices(d.Services); err != nil {
		errs = append(errs, err)
	}

	contacts := map[string]ContactPoint{}
	for _, c := range d.ContactPoints {
		if c.Key == "" {
			bad("contact point %q has no key", c.Name)
			continue
		}
		if _, dup := contacts[c.Key]; dup {
			bad("contact point %q is declared twice", c.Key)
		}
		contacts[c.Key] = c
	}
	for _, c := range d.ContactPoints {
		if !institutions[c.Institution] {
			bad("contact point %q: institution %q does not exist", c.Key, c.Institution)
		}
		if c.Service != "" {
			s, ok := services[c.Service]
			switch {
			case !ok:
				bad("contact point %q: service %q does not exist", c.Key, c.Service)
			case s.Institution != c.Institution:
				bad("contact point %q: service %q belongs to %q, not to the contact's institution %q", c.Key, c.Service, s.Institution, c.Institution)
			}
		}
		if c.Email == "" && c.Phone == "" {
			bad("contact point %q has neither an e-mail address nor a phone number", c.Key)
		}
		if c.Deputy != "" {
			d, ok := contacts[c.Deputy]
			switch {
			case !ok:
				bad("contact point %q: deputy %q does not exist", c.Key, c.Deputy)
			case c.Deputy == c.Key:
				bad("contact point %q is its own deputy", c.Key)
			case d.Institution != c.Institution:
				bad("contact point %q: deputy %q works at %q, not at %q", c.Key, c.Deputy, d.Institution, c.Institution)
			}
		}
		if c.Successor != "" {
			if _, ok := contacts[c.Successor]; !ok {
				bad("contact point %q: successor %q does not exist", c.Key, c.Successor)
			}
			if c.Successor == c.Key {
				bad("contact point %q is its own successor", c.Key)
			}
			if c.ValidToDaysFromNow == nil {
				bad("contact point %q has a successor but no end of validity (ValidToDaysFromNow)", c.Key)
			}
		}
		if c.ValidToDaysFromNow != nil && *c.ValidToDaysFromNow < -c.ValidFromDaysAgo {
			bad("contact point %q ends before it starts", c.Key)
		}
	}
	if _, err := orderContacts(d.ContactPoints); err != nil {
		errs = append(errs, err)
	}

	agreements := d.validateAgreements(bad, institutions, partnerships, membersOf)
	d.validatePathways(bad, partnerships, services, agreements)

	if len(errs) > 0 {
		return fmt.Errorf("seed: invalid data: %w", errors.Join(errs...))
	}
	return nil
}

// The values the pathway tables allow (migrations/004_pathways.sql).
var (
	lawfulBases       = []string{"EXPLICIT_CONSENT", "VITAL_INTERESTS", "SAFEGUARDING_OF_INDIVIDUALS_AT_RISK", "OTHER"}
	agreementStatuses = []string{"DRAFT", "ACTIVE", "EXPIRED", "WITHDRAWN"}
	situations        = []string{"PRESENTS_AT_URGENT_CARE", "DISCHARGED_FROM_INPATIENT_CARE", "CRISIS_TEAM_CONTACT",
		"ON_NHS_WAITING_LIST", "TRANSITION_FROM_CAMHS", "RETURNING_HOME_OUT_OF_TERM", "RETURNING_TO_STUDY",
		"CONCERN_RAISED_AT_UNIVERSITY"}
	consentValues = []string{"GIVEN", "REFUSED", "NOT_ASKED", "LACKS_CAPACITY"}
	urgencies     = []string{"ROUTINE", "SOON", "URGENT", "EMERGENCY"} // in order
	documents     = []string{"RISK_MANAGEMENT_PLAN", "DISCHARGE_SUMMARY", "SAFETY_PLAN", "REASONABLE_ADJUSTMENTS",
		"REFERRAL_LETTER", "CONTACT_DETAILS", "ASSESSMENT", "CARE_PLAN"}
	channels        = []string{"SECURE_EMAIL", "PHONE", "SHARED_RECORD", "REFERRAL_FORM", "IN_PERSON", "STUDENT_SELF_REFERS"}
	contactPurposes = []string{"URGENT_CARE_NOTIFICATION", "DISCHARGE_NOTIFICATION", "MDT_REFERRAL", "SAFEGUARDING",
		"STUDENT_LIAISON", "DISABILITY_SUPPORT", "FITNESS_TO_STUDY", "INTERNATIONAL_STUDENT_ADVICE", "PARTNERSHIP_LEAD",
		"GENERAL_ENQUIRIES"}
)

// validateAgreements checks the sharing agreements and returns them by key.
func (d dataset) validateAgreements(bad func(string, ...any), institutions, partnerships map[string]bool,
	membersOf map[string]map[string]bool) map[string]SharingAgreement {
	agreements := map[string]SharingAgreement{}
	for _, a := range d.SharingAgreements {
		if a.Key == "" {
			bad("sharing agreement %q has no key", a.Name)
			continue
		}
		if _, dup := agreements[a.Key]; dup {
			bad("sharing agreement %q is declared twice", a.Key)
		}
		agreements[a.Key] = a
		if strings.TrimSpace(a.Name) == "" || len(a.Name) > 300 {
			bad("sharing agreement %q: name is empty or longer than 300 characters", a.Key)
		}
		if a.Partnership != "" && !partnerships[a.Partnership] {
			bad("sharing agreement %q: partnership %q does not exist", a.Key, a.Partnership)
		}
		if !slices.Contains(lawfulBases, a.LawfulBasis) {
			bad("sharing agreement %q: lawful basis %q is not one of %v", a.Key, a.LawfulBasis, lawfulBases)
		}
		if a.LawfulBasis == "OTHER" && a.LawfulBasisDetail == "" {
			bad("sharing agreement %q: lawful basis OTHER needs a detail", a.Key)
		}
		if len(a.LawfulBasisDetail) > 2000 || len(a.ScopeOfData) > 4000 {
			bad("sharing agreement %q: lawful basis detail (2000) or scope of data (4000) is too long", a.Key)
		}
		if a.Status != "" && !slices.Contains(agreementStatuses, a.Status) {
			bad("sharing agreement %q: status %q is not one of %v", a.Key, a.Status, agreementStatuses)
		}
		if a.SignedDaysAgo < 0 {
			bad("sharing agreement %q is signed in the future (SignedDaysAgo %d)", a.Key, a.SignedDaysAgo)
		}
		if a.SignedDaysAgo != 0 && a.ReviewInDays != 0 && a.ReviewInDays < -a.SignedDaysAgo {
			bad("sharing agreement %q is due for review before it was signed", a.Key)
		}
		if len(a.Parties) < 2 {
			bad("sharing agreement %q has fewer than two parties", a.Key)
		}
		seen := map[string]bool{}
		for _, k := range a.Parties {
			switch {
			case !institutions[k]:
				bad("sharing agreement %q: party %q does not exist", a.Key, k)
			case seen[k]:
				bad("sharing agreement %q: party %q is listed twice", a.Key, k)
			case a.Partnership != "" && partnerships[a.Partnership] && !membersOf[a.Partnership][k]:
				bad("sharing agreement %q: party %q is not a member of partnership %q", a.Key, k, a.Partnership)
			}
			seen[k] = true
		}
	}
	return agreements
}

// validatePathways checks the pathways and every step's references and values.
func (d dataset) validatePathways(bad func(string, ...any), partnerships map[string]bool,
	services map[string]Service, agreements map[string]SharingAgreement) {
	pathways := map[string]bool{}
	names := map[[2]string]bool{} // partnership, name
	steps := map[string]bool{}
	for _, p := range d.Pathways {
		if p.Key == "" {
			bad("pathway %q has no key", p.Name)
			continue
		}
		if pathways[p.Key] {
			bad("pathway %q is declared twice", p.Key)
		}
		pathways[p.Key] = true
		if !partnerships[p.Partnership] {
			bad("pathway %q: partnership %q does not exist", p.Key, p.Partnership)
		}
		if strings.TrimSpace(p.Name) == "" || len(p.Name) > 300 {
			bad("pathway %q: name is empty or longer than 300 characters", p.Key)
		}
		if names[[2]string{p.Partnership, p.Name}] {
			bad("pathway %q: partnership %q already has a pathway named %q", p.Key, p.Partnership, p.Name)
		}
		names[[2]string{p.Partnership, p.Name}] = true
		if len(p.Description) > 4000 {
			bad("pathway %q: description is longer than 4000 characters", p.Key)
		}
		for i, st := range p.Steps {
			if st.Key == "" {
				bad("pathway %q: step %d has no key", p.Key, i+1)
				continue
			}
			if steps[st.Key] {
				bad("pathway step %q is declared twice", st.Key)
			}
			steps[st.Key] = true
			at := fmt.Sprintf("pathway %q: step %q", p.Key, st.Key)
			for _, end := range []struct{ what, key string }{{"from-service", st.From}, {"to-service", st.To}} {
				if _, ok := services[end.key]; !ok {
					bad("%s: %s %q does not exist", at, end.what, end.key)
				}
			}
			if st.From == st.To {
				bad("%s goes from service %q to itself", at, st.From)
			}
			if !slices.Contains(situations, st.Situation) {
				bad("%s: situation %q is not one of %v", at, st.Situation, situations)
			}
			seen := map[string]bool{}
			for _, c := range st.Consents {
				if !slices.Contains(consentValues, c) || seen[c] {
					bad("%s: consent %q is unknown or listed twice", at, c)
				}
				seen[c] = true
			}
			minU, maxU := cmp.Or(st.MinUrgency, "ROUTINE"), cmp.Or(st.MaxUrgency, "EMERGENCY")
			switch lo, hi := slices.Index(urgencies, minU), slices.Index(urgencies, maxU); {
			case lo < 0 || hi < 0:
				bad("%s: urgencies %q..%q are not among %v", at, minU, maxU, urgencies)
			case lo > hi:
				bad("%s: minimum urgency %s is above maximum urgency %s", at, minU, maxU)
			}
			seen = map[string]bool{}
			for _, w := range st.WhatToSend {
				if !slices.Contains(documents, w) || seen[w] {
					bad("%s: what to send %q is unknown or listed twice", at, w)
				}
				seen[w] = true
			}
			if st.Channel != "" && !slices.Contains(channels, st.Channel) {
				bad("%s: channel %q is not one of %v", at, st.Channel, channels)
			}
			if st.ReceivingPurpose != "" && !slices.Contains(contactPurposes, st.ReceivingPurpose) {
				bad("%s: receiving purpose %q is not one of %v", at, st.ReceivingPurpose, contactPurposes)
			}
			if st.Agreement != "" {
				a, ok := agreements[st.Agreement]
				switch {
				case !ok:
					bad("%s: sharing agreement %q does not exist", at, st.Agreement)
				case a.Partnership != "" && a.Partnership != p.Partnership:
					bad("%s: sharing agreement %q belongs to partnership %q, not %q", at, st.Agreement, a.Partnership, p.Partnership)
				}
			}
			outside := func(v *int, lo, hi int) bool { return v != nil && (*v < lo || *v > hi) }
			if outside(st.TimeLimitHours, 0, 8760) || outside(st.FirstContactDays, 0, 365) || outside(st.Sessions, 1, 100) {
				bad("%s: time limit (0-8760 hours), first contact (0-365 days) or sessions (1-100) out of range", at)
			}
			if len(st.Eligibility) > 1000 || len(st.ProtocolNotes) > 2000 || len(st.StudentExpectation) > 2000 {
				bad("%s: eligibility (1000), protocol notes (2000) or student expectation (2000) is too long", at)
			}
		}
	}
}

// checkHours checks that every period has valid days and times and that no
// two periods of a service overlap on the same day.
func checkHours(hours []Hours) error {
	type period struct{ opens, closes time.Time }
	byDay := map[int][]period{}
	for _, h := range hours {
		opens, err1 := time.Parse("15:04", h.Opens)
		closes, err2 := time.Parse("15:04", h.Closes)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("opening hours %s–%s are not HH:MM", h.Opens, h.Closes)
		}
		if !opens.Before(closes) {
			return fmt.Errorf("opening hours %s–%s close before they open", h.Opens, h.Closes)
		}
		if len(h.Days) == 0 {
			return fmt.Errorf("opening hours %s–%s have no days", h.Opens, h.Closes)
		}
		for _, d := range h.Days {
			if d < 1 || d > 7 {
				return fmt.Errorf("day %d is not an ISO day of the week (1-7)", d)
			}
			for _, p := range byDay[d] {
				if opens.Before(p.closes) && p.opens.Before(closes) {
					return fmt.Errorf("opening hours overlap on day %d", d)
				}
			}
			byDay[d] = append(byDay[d], period{opens, closes})
		}
	}
	return nil
}

// orderServices puts every service after its out-of-hours service.
func orderServices(services []Service) ([]Service, error) {
	return topoOrder("service", services,
		func(s Service) string { return s.Key },
		func(s Service) []string { return []string{s.OutOfHoursService} })
}

// orderContacts puts every contact point after its deputy and successor.
func orderContacts(contacts []ContactPoint) ([]ContactPoint, error) {
	return topoOrder("contact point", contacts,
		func(c ContactPoint) string { return c.Key },
		func(c ContactPoint) []string { return []string{c.Deputy, c.Successor} })
}

// topoOrder returns items ordered so that each comes after the items (of the
// same slice) that it refers to, keeping the declared order otherwise. A
// cycle of references is an error naming the keys on it.
func topoOrder[T any](what string, items []T, key func(T) string, refs func(T) []string) ([]T, error) {
	index := make(map[string]int, len(items))
	for i, it := range items {
		index[key(it)] = i
	}
	const (
		unvisited = iota
		visiting
		done
	)
	state := make([]int, len(items))
	out := make([]T, 0, len(items))
	var visit func(i int, path []string) error
	visit = func(i int, path []string) error {
		path = append(path, key(items[i]))
		switch state[i] {
		case done:
			return nil
		case visiting:
			return fmt.Errorf("%s reference cycle: %s", what, strings.Join(path, " -> "))
		}
		state[i] = visiting
		for _, r := range refs(items[i]) {
			if j, ok := index[r]; ok {
				if err := visit(j, path); err != nil {
					return err
				}
			}
		}
		state[i] = done
		out = append(out, items[i])
		return nil
	}
	for i := range items {
		if err := visit(i, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}
