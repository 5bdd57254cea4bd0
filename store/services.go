package store

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Service is something an institution provides to support students.
type Service struct {
	ID                  uuid.UUID  `db:"id"`
	InstitutionID       uuid.UUID  `db:"institution_id"`
	SiteID              *uuid.UUID `db:"site_id"`
	Name                string     `db:"name"`
	Description         string     `db:"description"`
	Category            string     `db:"category"`
	Needs               []string   `db:"needs"`
	CareLevel           int        `db:"care_level"`
	AccessRoutes        []string   `db:"access_routes"`
	HowToAccess         *string    `db:"how_to_access"`
	Eligibility         *string    `db:"eligibility"`
	MinAge              *int       `db:"min_age"`
	MaxAge              *int       `db:"max_age"`
	Area                *string    `db:"area"`
	Open24x7            bool       `db:"open_24_7"`
	OutOfHours          *string    `db:"out_of_hours"`
	OutOfHoursServiceID *uuid.UUID `db:"out_of_hours_service_id"`
	DeliveryModes       []string   `db:"delivery_modes"`
	WhatToExpect        *string    `db:"what_to_expect"`
	TypicalSessions     *int       `db:"typical_sessions"`
	ExpectedWaitDays    *int       `db:"expected_wait_days"`
	CapacityStatus      string     `db:"capacity_status"`
	Website             *string    `db:"website"`
	Phone               *string    `db:"phone"`
	TextNumber          *string    `db:"text_number"`
	Email               *string    `db:"email"`
	LastReviewedOn      *time.Time `db:"last_reviewed_on"`
	Visibility          string     `db:"visibility"`
	Version             int        `db:"version"`
	RetiredAt           *time.Time `db:"retired_at"`
	CreatedAt           time.Time  `db:"created_at"`
	UpdatedAt           time.Time  `db:"updated_at"`
}

const serviceColumns = `s.id, s.institution_id, s.site_id, s.name, s.description, s.category, s.needs,
	s.care_level, s.access_routes, s.how_to_access, s.eligibility, s.min_age, s.max_age, s.area,
	s.open_24_7, s.out_of_hours, s.out_of_hours_service_id, s.delivery_modes, s.what_to_expect,
	s.typical_sessions, s.expected_wait_days, s.capacity_status, s.website, s.phone, s.text_number,
	s.email, s.last_reviewed_on, s.visibility, s.version, s.retired_at, s.created_at, s.updated_at`

// ServiceHit is a service in a list, with what the list was ordered by.
type ServiceHit struct {
	Service
	// DistanceKm is set when the list was filtered by distance.
	DistanceKm *float64 `db:"distance_km"`
	// Score is the text-search relevance when the list was filtered by text
	// (serviceTextMatch): negative when the service matches only some of the
	// words.
	Score *float64 `db:"score"`
}

// Near is a point and a radius.
type Near struct {
	Latitude, Longitude, RadiusKm float64
}

// ServiceFilter narrows ListServices. Zero fields do not filter.
type ServiceFilter struct {
	Text          *string
	Needs         []string
	InstitutionID *uuid.UUID
	PartnershipID *uuid.UUID
	AccessRoutes  []string
	MaxCareLevel  *int
	OpenNow       *bool
	Near          *Near
}

// The orders ListServices can return.
const (
	servicesByName     = "services.name"
	servicesByDistance = "services.distance"
	servicesByScore    = "services.score"
)

func serviceOrder(f ServiceFilter) string {
	switch {
	case f.Near != nil:
		return servicesByDistance
	case f.Text != nil:
		return servicesByScore
	}
	return servicesByName
}

// ServiceCursor is the cursor of h in a ListServices result for filter f.
func ServiceCursor(f ServiceFilter, h ServiceHit) Cursor {
	c := Cursor{Mode: serviceOrder(f), ID: h.ID}
	switch c.Mode {
	case servicesByDistance:
		c.Key = strconv.FormatFloat(*h.DistanceKm, 'g', -1, 64)
	case servicesByScore:
		c.Key = strconv.FormatFloat(-*h.Score, 'g', -1, 64)
	default:
		c.Key = strings.ToLower(h.Name)
	}
	return c
}

// maxSearchWords is the most words of a search's text that are matched one
// by one (searchWords).
const maxSearchWords = 8

// searchWords are the words of a search's text that a service matching only
// some of them is found by: the text split at spaces, without quotes,
// without negated words ("-exam") and the operator "or", each once, at most
// maxSearchWords.
func searchWords(text string) []string {
	var words []string
	for _, w := range strings.Fields(text) {
		w = strings.Trim(w, `"`)
		if w == "" || strings.HasPrefix(w, "-") || strings.EqualFold(w, "or") ||
			slices.ContainsFunc(words, func(v string) bool { return strings.EqualFold(v, w) }) {
			continue
		}
		if words = append(words, w); len(words) == maxSearchWords {
			break
		}
	}
	return words
}

// serviceTextMatch returns the condition a service matching text meets, and
// its score (higher is better), adding their arguments to args.
//
// A service matches every word of the text when its name, description or
// what to expect match the text as a web search (websearch_to_tsquery: every
// word, "quoted phrases", -negated words), when the text is like a word
// sequence of its name (pg_trgm word similarity of at least 0.6), or when its
// name folded to letters and digits contains the text so folded ("ucope"
// finds "U-COPE"). Its score is the text-search rank, plus the similarity of
// name and text, plus 0.5 for the folded match: never negative.
//
// A text of one word also finds names like it (similarity of at least 0.3),
// ranked the same way. A text of several words (searchWords) also finds the
// services that match only some of them, or whose name is like the whole text;
// they rank after every service matching all the words, more words first,
// then by rank and similarity: their scores are negative. So a search never
// comes back empty when a service matches one of its words.
//
// The % and <% operators use pg_trgm's default thresholds (0.3 and 0.6), and
// with @@ and LIKE on the folded name let PostgreSQL use the trigram and
// text-search indexes on services.
func serviceTextMatch(text string, args pgx.NamedArgs) (cond, score string) {
	args["text"], args["text_key"] = text, searchKey(text)
	keyMatch := `(length(@text_key) >= 3 AND s.name_key LIKE '%' || @text_key || '%')`
	all := `(s.search @@ websearch_to_tsquery('english', @text) OR @text <% s.name OR ` + keyMatch + `)`
	allScore := `ts_rank(s.search, websearch_to_tsquery('english', @text))
		+ similarity(s.name, @text) + CASE WHEN ` + keyMatch + ` THEN 0.5 ELSE 0 END`
	words := searchWords(text)
	if len(words) < 2 {
		return `(` + all + ` OR s.name % @text)`, `(` + allScore + `)::float8`
	}
	some, matched := make([]string, len(words)), make([]string, len(words))
	for i, w := range words {
		name := "word" + strconv.Itoa(i)
		args[name] = w
		some[i] = "websearch_to_tsquery('english', @" + name + ")"
		matched[i] = "(s.search @@ " + some[i] + ")::int"
	}
	anyWord := "(" + strings.Join(some, " || ") + ")"
	cond = `(` + all + ` OR s.name % @text OR s.search @@ ` + anyWord + `)`
	someScore := strings.Join(matched, " + ") + ` - ` + strconv.Itoa(len(words)+1) + `
		+ least(0.5 * ts_rank(s.search, ` + anyWord + `) + 0.5 * similarity(s.name, @text), 0.99)`
	return cond, `(CASE WHEN ` + all + ` THEN ` + allScore + ` ELSE ` + someScore + ` END)::float8`
}

// serviceQuery builds the inner SELECT shared by ListServices and CountServices:
// every matching service, with its distance and score columns.
func (s *Store) serviceQuery(ctx context.Context, f ServiceFilter) (string, pgx.NamedArgs, error) {
	conds := []string{"s.retired_at IS NULL", visibleService}
	args := withVisibility(ctx, pgx.NamedArgs{})
	distance, score := "NULL::float8", "NULL::float8"
	from := "services s"
	if f.Text != nil {
		text, err := searchText("filter.text", *f.Text)
		if err != nil {
			return "", nil, err
		}
		var cond string
		cond, score = serviceTextMatch(text, args)
		conds = append(conds, cond)
	}
	if len(f.Needs) > 0 {
		args["needs"] = f.Needs
		conds = append(conds, "s.needs && @needs::text[]")
	}
	if f.InstitutionID != nil {
		args["institution_id"] = *f.InstitutionID
		conds = append(conds, `(s.institution_id = @institution_id OR EXISTS (
			SELECT 1 FROM service_partners sp WHERE sp.service_id = s.id AND sp.institution_id = @institution_id))`)
	}
	if f.PartnershipID != nil {
		args["partnership_id"] = *f.PartnershipID
		conds = append(conds, `EXISTS (SELECT 1 FROM partnership_members m
			WHERE m.partnership_id = @partnership_id AND m.retired_at IS NULL AND (m.institution_id = s.institution_id
				OR m.institution_id IN (SELECT sp.institution_id FROM service_partners sp WHERE sp.service_id = s.id)))`)
	}
	if len(f.AccessRoutes) > 0 {
		args["access_routes"] = f.AccessRoutes
		conds = append(conds, "s.access_routes && @access_routes::text[]")
	}
	if f.MaxCareLevel != nil {
		if *f.MaxCareLevel < 1 || *f.MaxCareLevel > 5 {
			return "", nil, BadInput("filter.maxCareLevel", "must be between 1 and 5")
		}
		args["max_care_level"] = *f.MaxCareLevel
		conds = append(conds, "s.care_level <= @max_care_level")
	}
	if f.OpenNow != nil {
		now := s.now().In(UK)
		args["now_dow"] = isoWeekday(now)
		args["now_time"] = now.Format("15:04:05")
		open := `(s.open_24_7 OR EXISTS (SELECT 1 FROM service_opening_hours h WHERE h.service_id = s.id
			AND h.day_of_week = @now_dow AND h.opens <= @now_time::time AND h.closes > @now_time::time))`
		if *f.OpenNow {
			conds = append(conds, open)
		} else {
			conds = append(conds, "NOT "+open)
		}
	}
	if f.Near != nil {
		n := *f.Near
		if math.IsNaN(n.Latitude) || n.Latitude < -90 || n.Latitude > 90 {
			return "", nil, BadInput("filter.near.latitude", "must be between -90 and 90")
		}
		if math.IsNaN(n.Longitude) || n.Longitude < -180 || n.Longitude > 180 {
			return "", nil, BadInput("filter.near.longitude", "must be between -180 and 180")
		}
		if math.IsNaN(n.RadiusKm) || n.RadiusKm <= 0 || n.RadiusKm > 500 {
			return "", nil, BadInput("filter.near.radiusKm", "must be more than 0 and at most 500")
		}
		args["lat"], args["lon"], args["radius"] = n.Latitude, n.Longitude, n.RadiusKm
		from = "services s JOIN sites st ON st.id = s.site_id AND st.retired_at IS NULL"
		distance = "haversine_km(@lat, @lon, st.latitude, st.longitude)"
		conds = append(conds, distance+" <= @radius")
	}
	q := `SELECT ` + serviceColumns + `, ` + distance + ` AS distance_km, ` + score + ` AS score
		FROM ` + from + ` WHERE ` + strings.Join(conds, " AND ")
	return q, args, nil
}

// ListServices returns a page of services matching f and whether more follow:
// nearest first when f.Near is set, else best match first when f.Text is
// set (those matching every word of it before those matching some), else by
// name.
func (s *Store) ListServices(ctx context.Context, f ServiceFilter, p Page) ([]ServiceHit, bool, error) {
	mode := serviceOrder(f)
	if err := checkPage(p, mode); err != nil {
		return nil, false, err
	}
	inner, args, err := s.serviceQuery(ctx, f)
	if err != nil {
		return nil, false, err
	}
	var sortKey string
	switch mode {
	case servicesByDistance:
		sortKey = "q.distance_km"
	case servicesByScore:
		sortKey = "-q.score"
	default:
		sortKey = "lower(q.name)"
	}
	where := "true"
	if p.After != nil {
		args["after_id"] = p.After.ID
		if mode == servicesByName {
			args["after_key"] = p.After.Key
		} else {
			k, err := strconv.ParseFloat(p.After.Key, 64)
			if err != nil {
				return nil, false, BadInput("after", "is not a cursor from this API; pass the endCursor of the previous page")
			}
			args["after_key"] = k
		}
		where = "(" + sortKey + ", q.id) > (@after_key, @after_id)"
	}
	args["limit"] = p.First + 1
	rows, _ := s.pool.Query(ctx, `SELECT q.* FROM (`+inner+`) q WHERE `+where+`
		ORDER BY `+sortKey+`, q.id LIMIT @limit`, args)
	return collectPage(rows, p.First, pgx.RowToStructByName[ServiceHit])
}

// CountServices counts the services ListServices would page through.
func (s *Store) CountServices(ctx context.Context, f ServiceFilter) (int, error) {
	inner, args, err := s.serviceQuery(ctx, f)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.pool.QueryRow(ctx, `SELECT count(*) FROM (`+inner+`) q`, args).Scan(&n)
	return n, err
}

// ServicesByIDs returns the current services among ids that the viewer may see.
func (s *Store) ServicesByIDs(ctx context.Context, ids []uuid.UUID) ([]Service, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+serviceColumns+` FROM services s
		WHERE s.id = ANY(@ids) AND s.retired_at IS NULL AND `+visibleService,
		withVisibility(ctx, pgx.NamedArgs{"ids": ids}))
	return pgx.CollectRows(rows, pgx.RowToStructByName[Service])
}

// ProvidedService is a service and one institution that provides it.
type ProvidedService struct {
	ProviderID uuid.UUID `db:"provider_id"`
	Service
}

// ServicesByInstitutions returns the current services each institution
// provides, alone or jointly, that the viewer may see, by name.
func (s *Store) ServicesByInstitutions(ctx context.Context, institutionIDs []uuid.UUID) ([]ProvidedService, error) {
	rows, _ := s.pool.Query(ctx, `SELECT p.provider_id, `+serviceColumns+`
		FROM (SELECT id AS service_id, institution_id AS provider_id FROM services WHERE institution_id = ANY(@ids)
		      UNION
		      SELECT service_id, institution_id FROM service_partners WHERE institution_id = ANY(@ids)) p
		JOIN services s ON s.id = p.service_id AND s.retired_at IS NULL
		WHERE `+visibleService+`
		ORDER BY lower(s.name), s.id`, withVisibility(ctx, pgx.NamedArgs{"ids": institutionIDs}))
	return pgx.CollectRows(rows, pgx.RowToStructByName[ProvidedService])
}

// Link joins a service to an institution.
type Link struct {
	ServiceID     uuid.UUID `db:"service_id"`
	InstitutionID uuid.UUID `db:"institution_id"`
}

// PartnersOfServices returns the institutions that run each service jointly with its provider.
func (s *Store) PartnersOfServices(ctx context.Context, serviceIDs []uuid.UUID) ([]Link, error) {
	rows, _ := s.pool.Query(ctx, `SELECT service_id, institution_id FROM service_partners
		WHERE service_id = ANY($1) ORDER BY service_id, institution_id`, serviceIDs)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Link])
}

// EligibleInstitutionsOfServices returns, for each service, the institutions
// whose students (or registered patients) it is limited to.
func (s *Store) EligibleInstitutionsOfServices(ctx context.Context, serviceIDs []uuid.UUID) ([]Link, error) {
	rows, _ := s.pool.Query(ctx, `SELECT service_id, institution_id FROM service_eligible_institutions
		WHERE service_id = ANY($1) ORDER BY service_id, institution_id`, serviceIDs)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Link])
}

// OpeningHours is one opening period of a service on one ISO weekday.
type OpeningHours struct {
	ServiceID uuid.UUID `db:"service_id"`
	Day       int       `db:"day_of_week"`
	Opens     string    `db:"opens"`
	Closes    string    `db:"closes"`
}

// OpeningHoursOfServices returns the weekly opening hours of the services, in week order.
func (s *Store) OpeningHoursOfServices(ctx context.Context, serviceIDs []uuid.UUID) ([]OpeningHours, error) {
	rows, _ := s.pool.Query(ctx, `SELECT service_id, day_of_week, to_char(opens, 'HH24:MI') AS opens,
		to_char(closes, 'HH24:MI') AS closes
		FROM service_opening_hours WHERE service_id = ANY($1)
		ORDER BY service_id, day_of_week, opens`, serviceIDs)
	return pgx.CollectRows(rows, pgx.RowToStructByName[OpeningHours])
}

// OpenAt reports whether a service with these opening hours is open at t.
func OpenAt(svc Service, hours []OpeningHours, t time.Time) bool {
	if svc.Open24x7 {
		return true
	}
	local := t.In(UK)
	now := local.Format("15:04")
	day := isoWeekday(local)
	for _, h := range hours {
		if h.Day == day && h.Opens <= now && now < h.Closes {
			return true
		}
	}
	return false
}

// OpenNow reports whether the service is open at the store's current time.
func (s *Store) OpenNow(svc Service, hours []OpeningHours) bool { return OpenAt(svc, hours, s.now()) }

func isoWeekday(t time.Time) int {
	if d := int(t.Weekday()); d != 0 {
		return d
	}
	return 7
}
