package store

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// ServiceFields are the editable fields of a service.
type ServiceFields struct {
	SiteID                 *uuid.UUID
	PartnerIDs             []uuid.UUID
	Name                   string
	Description            string
	Category               string
	Needs                  []string
	CareLevel              int
	AccessRoutes           []string
	HowToAccess            *string
	Eligibility            *string
	EligibleInstitutionIDs []uuid.UUID
	MinAge, MaxAge         *int
	Area                   *string
	Open24x7               bool
	OpeningHours           []OpeningHours
	OutOfHours             *string
	OutOfHoursServiceID    *uuid.UUID
	DeliveryModes          []string
	WhatToExpect           *string
	TypicalSessions        *int
	ExpectedWaitDays       *int
	CapacityStatus         string
	Visibility             string
	Website                *string
	Phone                  *string
	TextNumber             *string
	Email                  *string
	LastReviewedOn         *time.Time
}

// ServicePatch is a partial update of a service. Required fields set to nil
// are refused.
type ServicePatch struct {
	SiteID                 Opt[*uuid.UUID]
	PartnerIDs             Opt[[]uuid.UUID]
	Name                   Opt[*string]
	Description            Opt[*string]
	Category               Opt[*string]
	Needs                  Opt[[]string]
	CareLevel              Opt[*int]
	AccessRoutes           Opt[[]string]
	HowToAccess            Opt[*string]
	Eligibility            Opt[*string]
	EligibleInstitutionIDs Opt[[]uuid.UUID]
	MinAge, MaxAge         Opt[*int]
	Area                   Opt[*string]
	Open24x7               Opt[*bool]
	OpeningHours           Opt[[]OpeningHours]
	OutOfHours             Opt[*string]
	OutOfHoursServiceID    Opt[*uuid.UUID]
	DeliveryModes          Opt[[]string]
	WhatToExpect           Opt[*string]
	TypicalSessions        Opt[*int]
	ExpectedWaitDays       Opt[*int]
	CapacityStatus         Opt[*string]
	Visibility             Opt[*string]
	Website                Opt[*string]
	Phone                  Opt[*string]
	TextNumber             Opt[*string]
	Email                  Opt[*string]
	LastReviewedOn         Opt[*time.Time]
}

// applyRequired sets *dst from a patch of a field that cannot be cleared.
func applyRequired[T any](c *checker, field string, o Opt[*T], dst *T) {
	if !o.Set {
		return
	}
	if o.Value == nil {
		c.fail(field, "cannot be cleared")
		return
	}
	*dst = *o.Value
}

func (p ServicePatch) apply(c *checker, f *ServiceFields) {
	p.SiteID.apply(&f.SiteID)
	p.PartnerIDs.apply(&f.PartnerIDs)
	applyRequired(c, "input.name", p.Name, &f.Name)
	applyRequired(c, "input.description", p.Description, &f.Description)
	applyRequired(c, "input.category", p.Category, &f.Category)
	p.Needs.apply(&f.Needs)
	applyRequired(c, "input.careLevel", p.CareLevel, &f.CareLevel)
	p.AccessRoutes.apply(&f.AccessRoutes)
	p.HowToAccess.apply(&f.HowToAccess)
	p.Eligibility.apply(&f.Eligibility)
	p.EligibleInstitutionIDs.apply(&f.EligibleInstitutionIDs)
	p.MinAge.apply(&f.MinAge)
	p.MaxAge.apply(&f.MaxAge)
	p.Area.apply(&f.Area)
	applyRequired(c, "input.open24x7", p.Open24x7, &f.Open24x7)
	p.OpeningHours.apply(&f.OpeningHours)
	p.OutOfHours.apply(&f.OutOfHours)
	p.OutOfHoursServiceID.apply(&f.OutOfHoursServiceID)
	p.DeliveryModes.apply(&f.DeliveryModes)
	p.WhatToExpect.apply(&f.WhatToExpect)
	p.TypicalSessions.apply(&f.TypicalSessions)
	p.ExpectedWaitDays.apply(&f.ExpectedWaitDays)
	applyRequired(c, "input.capacityStatus", p.CapacityStatus, &f.CapacityStatus)
	applyRequired(c, "input.visibility", p.Visibility, &f.Visibility)
	p.Website.apply(&f.Website)
	p.Phone.apply(&f.Phone)
	p.TextNumber.apply(&f.TextNumber)
	p.Email.apply(&f.Email)
	p.LastReviewedOn.apply(&f.LastReviewedOn)
}

var hhmm = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$|^24:00$`)

// validate checks and normalises f for a service of institutionID. On an
// update, prev holds the fields before it: links that did not change are
// not checked again (a link to a since-retired record does not block an
// unrelated edit).
func (f *ServiceFields) validate(ctx context.Context, tx pgx.Tx, c *checker, serviceID *uuid.UUID, institutionID uuid.UUID, prev *ServiceFields) error {
	if prev == nil {
		prev = &ServiceFields{}
	}
	c.required("input.name", &f.Name, 200)
	c.required("input.description", &f.Description, 4000)
	c.between("input.careLevel", &f.CareLevel, 1, 5)
	if len(f.AccessRoutes) == 0 {
		c.fail("input.accessRoutes", "must name at least one way to get to the service")
	}
	c.optional("input.howToAccess", &f.HowToAccess, 2000)
	c.optional("input.eligibility", &f.Eligibility, 2000)
	c.between("input.minAge", f.MinAge, 0, 120)
	c.between("input.maxAge", f.MaxAge, 0, 120)
	if f.MinAge != nil && f.MaxAge != nil && *f.MinAge > *f.MaxAge {
		c.fail("input.maxAge", "must not be below minAge")
	}
	c.optional("input.area", &f.Area, 200)
	c.optional("input.outOfHours", &f.OutOfHours, 1000)
	c.optional("input.whatToExpect", &f.WhatToExpect, 2000)
	c.between("input.typicalSessions", f.TypicalSessions, 1, 100)
	c.between("input.expectedWaitDays", f.ExpectedWaitDays, 0, 730)
	c.url("input.website", &f.Website)
	c.phone("input.phone", &f.Phone, true)
	c.phone("input.textNumber", &f.TextNumber, true)
	c.email("input.email", &f.Email)
	checkOpeningHours(c, f.Open24x7, f.OpeningHours)
	f.Needs, f.AccessRoutes, f.DeliveryModes = dedupe(f.Needs), dedupe(f.AccessRoutes), dedupe(f.DeliveryModes)
	f.PartnerIDs, f.EligibleInstitutionIDs = dedupe(f.PartnerIDs), dedupe(f.EligibleInstitutionIDs)
	if slices.Contains(f.PartnerIDs, institutionID) {
		c.fail("input.partnerIds", "must not include the providing institution itself")
	}
	if serviceID != nil && f.OutOfHoursServiceID != nil && *f.OutOfHoursServiceID == *serviceID {
		c.fail("input.outOfHoursServiceId", "must be another service")
	}
	if c.err != nil {
		return c.err
	}
	// References, checked with the data so the message can name the field.
	if f.SiteID != nil && changedID(prev.SiteID, f.SiteID) {
		if ok, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM sites WHERE id = $1 AND institution_id = $2 AND retired_at IS NULL)`, *f.SiteID, institutionID); err != nil || !ok {
			return orInput(err, "input.siteId", "is not a site of the providing institution")
		}
	}
	for _, ids := range []struct {
		field string
		ids   []uuid.UUID
	}{{"input.partnerIds", added(prev.PartnerIDs, f.PartnerIDs)},
		{"input.eligibleInstitutionIds", added(prev.EligibleInstitutionIDs, f.EligibleInstitutionIDs)}} {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM institutions WHERE id = ANY($1) AND retired_at IS NULL`, ids.ids).Scan(&n); err != nil {
			return err
		}
		if n != len(ids.ids) {
			return BadInput(ids.field, "names an institution that does not exist")
		}
	}
	if f.OutOfHoursServiceID != nil && changedID(prev.OutOfHoursServiceID, f.OutOfHoursServiceID) {
		if ok, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM services WHERE id = $1 AND retired_at IS NULL)`, *f.OutOfHoursServiceID); err != nil || !ok {
			return orInput(err, "input.outOfHoursServiceId", "is not a service in the directory")
		}
	}
	return nil
}

// checkOpeningHours refuses hours that do not make sense.
func checkOpeningHours(c *checker, open24x7 bool, hours []OpeningHours) {
	if open24x7 && len(hours) > 0 {
		c.fail("input.openingHours", "must be empty for a service open 24/7")
		return
	}
	for i, h := range hours {
		field := "input.openingHours." + strconv.Itoa(i)
		switch {
		case h.Day < 1 || h.Day > 7:
			c.fail(field+".day", "must be a day of the week")
		case !hhmm.MatchString(h.Opens) || h.Opens == "24:00":
			c.fail(field+".opens", "must be a time HH:MM, e.g. 09:00")
		case !hhmm.MatchString(h.Closes):
			c.fail(field+".closes", "must be a time HH:MM, e.g. 17:00, or 24:00 for midnight")
		case h.Opens >= h.Closes:
			c.fail(field+".closes", "must be after the opening time (split hours past midnight over two days)")
		}
		for j, o := range hours[:i] {
			if o.Day == h.Day && o.Opens < h.Closes && h.Opens < o.Closes {
				c.fail(field, "overlaps opening period %d on the same day", j)
			}
		}
	}
}

// changedID reports whether an optional link differs from its previous value.
func changedID(prev, cur *uuid.UUID) bool {
	return (prev == nil) != (cur == nil) || (prev != nil && *prev != *cur)
}

// added is the IDs in cur that are not in prev.
func added(prev, cur []uuid.UUID) []uuid.UUID {
	out := []uuid.UUID{}
	for _, id := range cur {
		if !slices.Contains(prev, id) {
			out = append(out, id)
		}
	}
	return out
}

func dedupe[T comparable](xs []T) []T {
	out := []T{}
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func exists(ctx context.Context, tx pgx.Tx, sql string, args ...any) (bool, error) {
	var ok bool
	err := tx.QueryRow(ctx, sql, args...).Scan(&ok)
	return ok, err
}

// orInput returns err if there is one, else an input error.
func orInput(err error, field, msg string) error {
	if err != nil {
		return err
	}
	return BadInput(field, "%s", msg)
}

var serviceEntity = entity[Service]{
	name: "service", typeName: "Service", table: "services",
	load: rowInTx[Service](serviceColumns, "services s"),
	authorize: func(ctx context.Context, tx pgx.Tx, cur Service) error {
		return requireInstitutionScope(ctx, tx, cur.InstitutionID)
	},
	scopeOf:    func(cur Service) (*uuid.UUID, *uuid.UUID) { return &cur.InstitutionID, nil },
	retireStmt: retireSQL("services"),
	from:       "services s",
	visible:    visibleService,
}

// CreateService adds a service provided by institutionID.
func (s *Store) CreateService(ctx context.Context, institutionID uuid.UUID, f ServiceFields, reason *string) (Service, error) {
	if f.CapacityStatus == "" {
		f.CapacityStatus = "OPEN"
	}
	if f.Visibility == "" {
		f.Visibility = "PUBLIC"
	}
	return create(ctx, s, serviceEntity, reason, func(tx pgx.Tx) error {
		return requireInstitution(ctx, tx, "input.institutionId", institutionID)
	}, func(tx pgx.Tx, id uuid.UUID) error {
		if err := f.validate(ctx, tx, &checker{}, nil, institutionID, nil); err != nil {
			return err
		}
		return writeService(ctx, tx, id, institutionID, f, true)
	})
}

// UpdateService changes the fields set in p, if the service is still at
// version expected.
func (s *Store) UpdateService(ctx context.Context, id uuid.UUID, expected int, p ServicePatch, reason *string) (Service, error) {
	reason, err := checkReason(reason, false)
	if err != nil {
		return Service{}, err
	}
	return edit(ctx, s, serviceEntity, id, expected, "UPDATE", reason, func(tx pgx.Tx, cur Service) error {
		f, err := serviceFields(ctx, tx, cur)
		if err != nil {
			return err
		}
		prev := f
		c := &checker{}
		p.apply(c, &f)
		if err := f.validate(ctx, tx, c, &id, cur.InstitutionID, &prev); err != nil {
			return err
		}
		return writeService(ctx, tx, id, cur.InstitutionID, f, false)
	})
}

// RetireService takes a service out of the directory, keeping its history.
func (s *Store) RetireService(ctx context.Context, id uuid.UUID, expected int, reason string) (Service, error) {
	return retire(ctx, s, serviceEntity, id, expected, reason, "", "")
}

// serviceFields reads the editable fields of cur, with its lists.
func serviceFields(ctx context.Context, tx pgx.Tx, cur Service) (ServiceFields, error) {
	f := ServiceFields{
		SiteID: cur.SiteID, Name: cur.Name, Description: cur.Description, Category: cur.Category,
		Needs: cur.Needs, CareLevel: cur.CareLevel, AccessRoutes: cur.AccessRoutes, HowToAccess: cur.HowToAccess,
		Eligibility: cur.Eligibility, MinAge: cur.MinAge, MaxAge: cur.MaxAge, Area: cur.Area,
		Open24x7: cur.Open24x7, OutOfHours: cur.OutOfHours, OutOfHoursServiceID: cur.OutOfHoursServiceID,
		DeliveryModes: cur.DeliveryModes, WhatToExpect: cur.WhatToExpect, TypicalSessions: cur.TypicalSessions,
		ExpectedWaitDays: cur.ExpectedWaitDays, CapacityStatus: cur.CapacityStatus, Visibility: cur.Visibility,
		Website: cur.Website, Phone: cur.Phone, TextNumber: cur.TextNumber, Email: cur.Email,
		LastReviewedOn: cur.LastReviewedOn,
	}
	var err error
	ids := func(sql string) []uuid.UUID {
		if err != nil {
			return nil
		}
		rows, _ := tx.Query(ctx, sql, cur.ID)
		var out []uuid.UUID
		out, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		return out
	}
	f.PartnerIDs = ids(`SELECT institution_id FROM service_partners WHERE service_id = $1 ORDER BY institution_id`)
	f.EligibleInstitutionIDs = ids(`SELECT institution_id FROM service_eligible_institutions WHERE service_id = $1 ORDER BY institution_id`)
	if err != nil {
		return f, err
	}
	rows, _ := tx.Query(ctx, `SELECT service_id, day_of_week, to_char(opens, 'HH24:MI') AS opens,
		to_char(closes, 'HH24:MI') AS closes FROM service_opening_hours WHERE service_id = $1
		ORDER BY day_of_week, opens`, cur.ID)
	f.OpeningHours, err = pgx.CollectRows(rows, pgx.RowToStructByName[OpeningHours])
	return f, err
}

// writeService inserts (create) or updates the service row and replaces
// its lists. An update bumps the version.
func writeService(ctx context.Context, tx pgx.Tx, id, institutionID uuid.UUID, f ServiceFields, create bool) error {
	args := pgx.NamedArgs{
		"id": id, "institution_id": institutionID, "site_id": f.SiteID, "name": f.Name,
		"description": f.Description, "category": f.Category, "needs": nonNilStrings(f.Needs),
		"care_level": f.CareLevel, "access_routes": f.AccessRoutes, "how_to_access": f.HowToAccess,
		"eligibility": f.Eligibility, "min_age": f.MinAge, "max_age": f.MaxAge, "area": f.Area,
		"open_24_7": f.Open24x7, "out_of_hours": f.OutOfHours, "out_of_hours_service_id": f.OutOfHoursServiceID,
		"delivery_modes": nonNilStrings(f.DeliveryModes), "what_to_expect": f.WhatToExpect,
		"typical_sessions": f.TypicalSessions, "expected_wait_days": f.ExpectedWaitDays,
		"capacity_status": f.CapacityStatus, "visibility": f.Visibility, "website": f.Website,
		"phone": f.Phone, "text_number": f.TextNumber, "email": f.Email, "last_reviewed_on": f.LastReviewedOn,
	}
	sql := `UPDATE services SET site_id = @site_id, name = @name, description = @description,
		category = @category, needs = @needs, care_level = @care_level, access_routes = @access_routes,
		how_to_access = @how_to_access, eligibility = @eligibility, min_age = @min_age, max_age = @max_age,
		area = @area, open_24_7 = @open_24_7, out_of_hours = @out_of_hours,
		out_of_hours_service_id = @out_of_hours_service_id, delivery_modes = @delivery_modes,
		what_to_expect = @what_to_expect, typical_sessions = @typical_sessions,
		expected_wait_days = @expected_wait_days, capacity_status = @capacity_status,
		visibility = @visibility, website = @website, phone = @phone, text_number = @text_number,
		email = @email, last_reviewed_on = @last_reviewed_on, version = version + 1
		WHERE id = @id`
	if create {
		sql = `INSERT INTO services (id, institution_id, site_id, name, description, category, needs,
			care_level, access_routes, how_to_access, eligibility, min_age, max_age, area, open_24_7,
			out_of_hours, out_of_hours_service_id, delivery_modes, what_to_expect, typical_sessions,
			expected_wait_days, capacity_status, visibility, website, phone, text_number, email, last_reviewed_on)
		VALUES (@id, @institution_id, @site_id, @name, @description, @category, @needs, @care_level,
			@access_routes, @how_to_access, @eligibility, @min_age, @max_age, @area, @open_24_7,
			@out_of_hours, @out_of_hours_service_id, @delivery_modes, @what_to_expect, @typical_sessions,
			@expected_wait_days, @capacity_status, @visibility, @website, @phone, @text_number, @email,
			@last_reviewed_on)`
	}
	if _, err := tx.Exec(ctx, sql, args); err != nil {
		return err
	}
	batch := &pgx.Batch{}
	batch.Queue(`DELETE FROM service_partners WHERE service_id = $1`, id)
	batch.Queue(`INSERT INTO service_partners (service_id, institution_id) SELECT $1, unnest($2::uuid[])`, id, nonNil(f.PartnerIDs))
	batch.Queue(`DELETE FROM service_eligible_institutions WHERE service_id = $1`, id)
	batch.Queue(`INSERT INTO service_eligible_institutions (service_id, institution_id) SELECT $1, unnest($2::uuid[])`, id, nonNil(f.EligibleInstitutionIDs))
	batch.Queue(`DELETE FROM service_opening_hours WHERE service_id = $1`, id)
	for _, h := range f.OpeningHours {
		batch.Queue(`INSERT INTO service_opening_hours (service_id, day_of_week, opens, closes) VALUES ($1, $2, $3::time, $4::time)`,
			id, h.Day, h.Opens, h.Closes)
	}
	return tx.SendBatch(ctx, batch).Close()
}

func nonNilStrings(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
