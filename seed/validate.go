package seed

import (
	"errors"
	"fmt"
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

	if len(errs) > 0 {
		return fmt.Errorf("seed: invalid data: %w", errors.Join(errs...))
	}
	return nil
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
