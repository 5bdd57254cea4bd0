package store

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Institution is an organisation that supports students.
type Institution struct {
	ID                 uuid.UUID  `db:"id"`
	Name               string     `db:"name"`
	ShortName          *string    `db:"short_name"`
	Kind               string     `db:"kind"`
	Description        *string    `db:"description"`
	Website            *string    `db:"website"`
	UKPRN              *string    `db:"ukprn"`
	ODSCode            *string    `db:"ods_code"`
	CharityNumber      *string    `db:"charity_number"`
	Region             *string    `db:"region"`
	StudentPopulation  *int       `db:"student_population"`
	InternationalShare *float64   `db:"international_share"`
	DistanceTeaching   *bool      `db:"distance_teaching"`
	Version            int        `db:"version"`
	RetiredAt          *time.Time `db:"retired_at"`
	CreatedAt          time.Time  `db:"created_at"`
	UpdatedAt          time.Time  `db:"updated_at"`
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

const institutionsByName = "institutions.name"

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

// institutionWhere builds the WHERE clause shared by the list and its count.
func institutionWhere(f InstitutionFilter) (string, pgx.NamedArgs, error) {
	conds := []string{"i.retired_at IS NULL"}
	args := pgx.NamedArgs{}
	if f.Text != nil {
		text, err := searchText("filter.text", *f.Text)
		if err != nil {
			return "", nil, err
		}
		args["text"] = text
		args["text_key"] = searchKey(text)
		conds = append(conds, `(position(lower(@text) IN lower(i.name)) > 0 OR lower(i.short_name) = lower(@text)
			OR similarity(i.name, @text) >= 0.3 OR word_similarity(@text, i.name) >= 0.6
			OR (length(@text_key) >= 3 AND position(@text_key IN regexp_replace(lower(i.name || ' ' || coalesce(i.short_name, '')), '[^a-z0-9]', '', 'g')) > 0))`)
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
	return strings.Join(conds, " AND "), args, nil
}

// ListInstitutions returns a page of institutions ordered by name, and
// whether more follow.
func (s *Store) ListInstitutions(ctx context.Context, f InstitutionFilter, p Page) ([]Institution, bool, error) {
	if err := checkPage(p, institutionsByName); err != nil {
		return nil, false, err
	}
	where, args, err := institutionWhere(f)
	if err != nil {
		return nil, false, err
	}
	if p.After != nil {
		args["after_key"], args["after_id"] = p.After.Key, p.After.ID
		where += " AND (lower(i.name), i.id) > (@after_key, @after_id)"
	}
	args["limit"] = p.First + 1
	rows, _ := s.pool.Query(ctx, `SELECT `+institutionColumns+` FROM institutions i
		WHERE `+where+` ORDER BY lower(i.name), i.id LIMIT @limit`, args)
	return collectPage(rows, p.First, pgx.RowToStructByName[Institution])
}

// CountInstitutions counts the institutions ListInstitutions would page through.
func (s *Store) CountInstitutions(ctx context.Context, f InstitutionFilter) (int, error) {
	where, args, err := institutionWhere(f)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.pool.QueryRow(ctx, `SELECT count(*) FROM institutions i WHERE `+where, args).Scan(&n)
	return n, err
}

// InstitutionCursor is the cursor of i in ListInstitutions.
func InstitutionCursor(i Institution) Cursor {
	return Cursor{Mode: institutionsByName, Key: strings.ToLower(i.Name), ID: i.ID}
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
