package store

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Institution is an organisation that supports students.
type Institution struct {
	ID                 uuid.UUID `db:"id"`
	Name               string    `db:"name"`
	ShortName          *string   `db:"short_name"`
	Kind               string    `db:"kind"`
	Description        *string   `db:"description"`
	Website            *string   `db:"website"`
	UKPRN              *string   `db:"ukprn"`
	ODSCode            *string   `db:"ods_code"`
	CharityNumber      *string   `db:"charity_number"`
	Region             *string   `db:"region"`
	StudentPopulation  *int      `db:"student_population"`
	InternationalShare *float64  `db:"international_share"`
	DistanceTeaching   *bool     `db:"distance_teaching"`
	// Relevance is how well the institution matched the text of a
	// ListInstitutions search (higher is better), and nil in every other
	// answer; InstitutionCursor keys on it.
	Relevance *float64   `db:"-"`
	Version   int        `db:"version"`
	RetiredAt *time.Time `db:"retired_at"`
	CreatedAt time.Time  `db:"created_at"`
	UpdatedAt time.Time  `db:"updated_at"`
}

const institutionColumns = `i.id, i.name, i.short_name, i.kind, i.description, i.website, i.ukprn,
	i.ods_code, i.charity_number, i.region, i.student_population, i.international_share::float8,
	i.distance_teaching, i.version, i.retired_at, i.created_at, i.updated_at`

// InstitutionFilter narrows ListInstitutions. Zero fields do not filter.
type InstitutionFilter struct {
	Text          *string
	Kinds         []string
	Region        *string
	PartnershipID *uuid.UUID
}

// InstitutionsByIDs returns the current (not retired) institutions among ids.
func (s *Store) InstitutionsByIDs(ctx context.Context, ids []uuid.UUID) ([]Institution, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+institutionColumns+`
		FROM institutions i WHERE i.id = ANY($1) AND i.retired_at IS NULL`, ids)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Institution])
}

// InstitutionExists reports whether a current institution has this ID.
func (s *Store) InstitutionExists(ctx context.Context, id uuid.UUID) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM institutions WHERE id = $1 AND retired_at IS NULL)`, id).Scan(&ok)
	return ok, err
}

// institutionCode is how an institution's public code is looked up: the
// column that holds it, and the format that column's CHECK constraint
// enforces (migrations/001_directory.sql), shared with editing (validate.go).
type institutionCode struct {
	column string
	format *regexp.Regexp
	what   string
}

// institutionCodes are the code schemes of the InstitutionCodeScheme enum.
var institutionCodes = map[string]institutionCode{
	"ODS":     {"ods_code", odsPattern, "an ODS code: 3 to 6 letters and digits, e.g. RW4"},
	"UKPRN":   {"ukprn", ukprnPattern, "a UKPRN: 8 digits starting with 1, e.g. 10003957"},
	"CHARITY": {"charity_number", charityPattern, "a charity number: 6 or 7 digits, or SC or NIC and 6 digits"},
}

// InstitutionByCode returns the current (not retired) institution whose
// code under scheme (ODS, UKPRN or CHARITY) is code. Codes are compared as
// written on the register: letters in capitals, with no spaces or dashes,
// so " rw4 " finds RW4 and "sc 012345" finds SC012345. A code that cannot be
// one of the scheme's (by the column's own format) is an *InputError about
// field "code"; a well-formed code nobody holds is ErrNotFound.
func (s *Store) InstitutionByCode(ctx context.Context, scheme, code string) (*Institution, error) {
	c, ok := institutionCodes[scheme]
	if !ok {
		return nil, BadInput("scheme", "must be ODS, UKPRN or CHARITY")
	}
	code = normaliseCode(code)
	if !c.format.MatchString(code) {
		return nil, BadInput("code", "is not %s", c.what)
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+institutionColumns+` FROM institutions i
		WHERE i.`+c.column+` = $1 AND i.retired_at IS NULL`, code)
	inst, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Institution])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	return inst, err
}

// normaliseCode drops whitespace and dashes from a code and capitalises
// ASCII letters only (so no other letter can become one that matches).
func normaliseCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r) || unicode.Is(unicode.Pd, r):
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, code)
}

// institutionWhere builds the WHERE clause shared by the list and its count,
// and, when the filter has text, the expression of each row's relevance.
//
// Text matches an institution whose name contains it, ignoring case; whose
// short name is it; whose name is like it (pg_trgm similarity of at least
// 0.3, or the text is like a word sequence of the name with word similarity
// of at least 0.6: the % and <% operators at pg_trgm's default thresholds,
// which the trigram index on the name serves); whose name and short name
// folded to letters and digits contain the text so folded; or, when the text
// written as a code (normaliseCode) has the form of an ODS code, a UKPRN or a
// charity number, whose code of that scheme it is.
//
// Relevance ranks, best first: an exact name, short name or code (3), then
// a name or short name that starts with the text (2), then one that contains
// it (1), then names only like it (0); within each, the trigram similarity of
// name and text (0 to 1) breaks ties.
func institutionWhere(f InstitutionFilter) (where, relevance string, args pgx.NamedArgs, err error) {
	conds := []string{"i.retired_at IS NULL"}
	args = pgx.NamedArgs{}
	relevance = "NULL::float8"
	if f.Text != nil {
		text, err := searchText("filter.text", *f.Text)
		if err != nil {
			return "", "", nil, err
		}
		args["text"] = text
		args["text_like"] = likeEscape(text)
		args["text_key"] = searchKey(text)
		exact := []string{"lower(i.name) = lower(@text)", "lower(i.short_name) = lower(@text)"}
		if cols := codeColumns(normaliseCode(text)); len(cols) > 0 {
			args["code"] = normaliseCode(text)
			for _, col := range cols {
				exact = append(exact, "i."+col+" = @code")
			}
		}
		isExact := "(" + strings.Join(exact, " OR ") + ")"
		contains := `(i.name ILIKE '%' || @text_like || '%' OR i.short_name ILIKE '%' || @text_like || '%'
			OR (length(@text_key) >= 3 AND regexp_replace(lower(i.name || ' ' || coalesce(i.short_name, '')), '[^a-z0-9]', '', 'g')
				LIKE '%' || @text_key || '%'))`
		conds = append(conds, `(`+isExact+` OR `+contains+` OR i.name % @text OR @text <% i.name)`)
		relevance = `(CASE WHEN ` + isExact + ` THEN 3
			WHEN i.name ILIKE @text_like || '%' OR i.short_name ILIKE @text_like || '%' THEN 2
			WHEN ` + contains + ` THEN 1 ELSE 0 END + similarity(i.name, @text)::float8)`
	}
	if len(f.Kinds) > 0 {
		args["kinds"] = f.Kinds
		conds = append(conds, "i.kind = ANY(@kinds)")
	}
	if f.Region != nil {
		args["region"] = *f.Region
		conds = append(conds, "i.region = @region")
	}
	if f.PartnershipID != nil {
		args["partnership_id"] = *f.PartnershipID
		conds = append(conds, `EXISTS (SELECT 1 FROM partnership_members m
			WHERE m.institution_id = i.id AND m.partnership_id = @partnership_id AND m.retired_at IS NULL)`)
	}
	return strings.Join(conds, " AND "), relevance, args, nil
}

// codeColumns are the code columns, in a fixed order, whose format code has.
func codeColumns(code string) []string {
	var cols []string
	for _, scheme := range []string{"ODS", "UKPRN", "CHARITY"} {
		if c := institutionCodes[scheme]; c.format.MatchString(code) {
			cols = append(cols, c.column)
		}
	}
	return cols
}

// likeEscape escapes the LIKE wildcards (and the escape character) in s, so
// that it matches itself in a LIKE or ILIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// The orders ListInstitutions can return.
const (
	institutionsByName      = "institutions.name"
	institutionsByRelevance = "institutions.relevance"
)

// institutionHit is a row of ListInstitutions, with its relevance.
type institutionHit struct {
	Institution
	Score *float64 `db:"relevance"`
}

// ListInstitutions returns a page of institutions and whether more follow:
// by name, or, when f has text, most relevant first (see institutionWhere),
// then by name.
func (s *Store) ListInstitutions(ctx context.Context, f InstitutionFilter, p Page) ([]Institution, bool, error) {
	mode := institutionsByName
	if f.Text != nil {
		mode = institutionsByRelevance
	}
	if err := checkPage(p, mode); err != nil {
		return nil, false, err
	}
	where, relevance, args, err := institutionWhere(f)
	if err != nil {
		return nil, false, err
	}
	order := "lower(q.name), q.id"
	after := "(lower(q.name), q.id) > (@after_name, @after_id)"
	if mode == institutionsByRelevance {
		order = "-q.relevance, " + order
		after = "(-q.relevance, lower(q.name), q.id) > (@after_relevance, @after_name, @after_id)"
	}
	outer := "true"
	if p.After != nil {
		if mode == institutionsByRelevance {
			var score string
			var ok bool
			score, args["after_name"], ok = strings.Cut(p.After.Key, " ")
			r, err := strconv.ParseFloat(score, 64)
			if !ok || err != nil {
				return nil, false, BadInput("after", "is not a cursor from this API; pass the endCursor of the previous page")
			}
			args["after_relevance"] = r
		} else {
			args["after_name"] = p.After.Key
		}
		args["after_id"] = p.After.ID
		outer = after
	}
	args["limit"] = p.First + 1
	rows, _ := s.pool.Query(ctx, `SELECT q.* FROM (SELECT `+institutionColumns+`, `+relevance+` AS relevance
		FROM institutions i WHERE `+where+`) q WHERE `+outer+` ORDER BY `+order+` LIMIT @limit`, args)
	hits, more, err := collectPage(rows, p.First, pgx.RowToStructByName[institutionHit])
	if err != nil {
		return nil, false, err
	}
	items := make([]Institution, len(hits))
	for i, h := range hits {
		items[i] = h.Institution
		items[i].Relevance = h.Score
	}
	return items, more, nil
}

// CountInstitutions counts the institutions ListInstitutions would page through.
func (s *Store) CountInstitutions(ctx context.Context, f InstitutionFilter) (int, error) {
	where, _, args, err := institutionWhere(f)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.pool.QueryRow(ctx, `SELECT count(*) FROM institutions i WHERE `+where, args).Scan(&n)
	return n, err
}

// InstitutionCursor is the cursor of i in ListInstitutions: by relevance
// when i came from a search by text, else by name.
func InstitutionCursor(i Institution) Cursor {
	name := strings.ToLower(i.Name)
	if i.Relevance != nil {
		return Cursor{Mode: institutionsByRelevance, Key: strconv.FormatFloat(-*i.Relevance, 'g', -1, 64) + " " + name, ID: i.ID}
	}
	return Cursor{Mode: institutionsByName, Key: name, ID: i.ID}
}

// Site is a campus or building of an institution.
type Site struct {
	ID            uuid.UUID  `db:"id"`
	InstitutionID uuid.UUID  `db:"institution_id"`
	Name          string     `db:"name"`
	Address       *string    `db:"address"`
	Postcode      *string    `db:"postcode"`
	Latitude      float64    `db:"latitude"`
	Longitude     float64    `db:"longitude"`
	Version       int        `db:"version"`
	RetiredAt     *time.Time `db:"retired_at"`
	CreatedAt     time.Time  `db:"created_at"`
	UpdatedAt     time.Time  `db:"updated_at"`
}

const siteColumns = `s.id, s.institution_id, s.name, s.address, s.postcode, s.latitude, s.longitude,
	s.version, s.retired_at, s.created_at, s.updated_at`

// SitesByIDs returns the current sites among ids.
func (s *Store) SitesByIDs(ctx context.Context, ids []uuid.UUID) ([]Site, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+siteColumns+` FROM sites s
		WHERE s.id = ANY($1) AND s.retired_at IS NULL`, ids)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Site])
}

// SitesByInstitutions returns the current sites of the institutions, by name.
func (s *Store) SitesByInstitutions(ctx context.Context, institutionIDs []uuid.UUID) ([]Site, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+siteColumns+` FROM sites s
		WHERE s.institution_id = ANY($1) AND s.retired_at IS NULL ORDER BY s.name, s.id`, institutionIDs)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Site])
}

// searchText validates free text for a search.
func searchText(field, text string) (string, error) {
	if p := TextProblem(field, text); p != "" {
		return "", BadInput(field, "%s", p)
	}
	t := strings.TrimSpace(text)
	if t == "" {
		return "", BadInput(field, "must not be empty; leave it out to match everything")
	}
	if n := len([]rune(t)); n > 200 {
		return "", BadInput(field, "must be at most 200 characters (got %d)", n)
	}
	return t, nil
}

// searchKey folds text to lower-case letters and digits only, so that
// "ucope", "U-COPE" and "U COPE" compare equal.
func searchKey(text string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}
