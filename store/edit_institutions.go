package store

import (
	"context"
	"math"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// InstitutionFields are the editable fields of an institution. Kind is set
// at creation only.
type InstitutionFields struct {
	Name               string
	ShortName          *string
	Kind               string
	Description        *string
	Website            *string
	UKPRN              *string
	ODSCode            *string
	CharityNumber      *string
	Region             *string
	StudentPopulation  *int
	InternationalShare *float64
	DistanceTeaching   *bool
}

// InstitutionPatch is a partial update of an institution.
type InstitutionPatch struct {
	Name               Opt[*string]
	ShortName          Opt[*string]
	Description        Opt[*string]
	Website            Opt[*string]
	UKPRN              Opt[*string]
	ODSCode            Opt[*string]
	CharityNumber      Opt[*string]
	Region             Opt[*string]
	StudentPopulation  Opt[*int]
	InternationalShare Opt[*float64]
	DistanceTeaching   Opt[*bool]
}

var (
	educationKinds = []string{"HIGHER_EDUCATION_PROVIDER", "FURTHER_EDUCATION_COLLEGE"}
	odsKinds       = []string{"NHS_TRUST", "INTEGRATED_CARE_BOARD", "PRIMARY_CARE_NETWORK", "GP_PRACTICE",
		"NHS_NATIONAL_SERVICE", "LOCAL_AUTHORITY"}
)

func (f *InstitutionFields) validate(c *checker) error {
	c.required("input.name", &f.Name, 200)
	c.optional("input.shortName", &f.ShortName, 60)
	c.optional("input.description", &f.Description, 4000)
	c.url("input.website", &f.Website)
	c.pattern("input.ukprn", &f.UKPRN, ukprnPattern, "a UKPRN: 8 digits starting with 1")
	c.pattern("input.odsCode", &f.ODSCode, odsPattern, "an ODS code: 3 to 6 letters and digits")
	c.pattern("input.charityNumber", &f.CharityNumber, charityPattern, "a charity number (6 or 7 digits, SC or NIC and 6 digits)")
	c.between("input.studentPopulation", f.StudentPopulation, 0, 2_000_000)
	if s := f.InternationalShare; s != nil && (math.IsNaN(*s) || *s < 0 || *s > 1) {
		c.fail("input.internationalShare", "must be between 0 and 1 (a share, not a percentage)")
	}
	education := slices.Contains(educationKinds, f.Kind)
	if f.UKPRN != nil && !education {
		c.fail("input.ukprn", "is for education providers only")
	}
	if f.ODSCode != nil && !slices.Contains(odsKinds, f.Kind) {
		c.fail("input.odsCode", "is for NHS bodies and local authorities only")
	}
	if !education && (f.StudentPopulation != nil || f.InternationalShare != nil || f.DistanceTeaching != nil) {
		c.fail("input.studentPopulation", "student numbers and distance teaching are for education providers only")
	}
	return c.err
}

var institutionEntity = entity[Institution]{
	name: "institution", typeName: "Institution", table: "institutions",
	load:       rowInTx[Institution](institutionColumns, "institutions i"),
	authorize:  func(ctx context.Context, _ pgx.Tx, _ Institution) error { return requireAdmin(ctx) },
	scopeOf:    func(cur Institution) (*uuid.UUID, *uuid.UUID) { return &cur.ID, nil },
	retireStmt: retireSQL("institutions"),
}

// CreateInstitution adds an institution (administrators only).
func (s *Store) CreateInstitution(ctx context.Context, f InstitutionFields, reason *string) (Institution, error) {
	return create(ctx, s, institutionEntity, reason, func(pgx.Tx) error { return requireAdmin(ctx) },
		func(tx pgx.Tx, id uuid.UUID) error {
			if err := f.validate(&checker{}); err != nil {
				return err
			}
			return writeInstitution(ctx, tx, id, f, true)
		})
}

// UpdateInstitution changes the fields set in p (administrators only).
func (s *Store) UpdateInstitution(ctx context.Context, id uuid.UUID, expected int, p InstitutionPatch, reason *string) (Institution, error) {
	reason, err := checkReason(reason, false)
	if err != nil {
		return Institution{}, err
	}
	return edit(ctx, s, institutionEntity, id, expected, "UPDATE", reason, func(tx pgx.Tx, cur Institution) error {
		f := InstitutionFields{Name: cur.Name, ShortName: cur.ShortName, Kind: cur.Kind, Description: cur.Description,
			Website: cur.Website, UKPRN: cur.UKPRN, ODSCode: cur.ODSCode, CharityNumber: cur.CharityNumber,
			Region: cur.Region, StudentPopulation: cur.StudentPopulation, InternationalShare: cur.InternationalShare,
			DistanceTeaching: cur.DistanceTeaching}
		c := &checker{}
		applyRequired(c, "input.name", p.Name, &f.Name)
		p.ShortName.apply(&f.ShortName)
		p.Description.apply(&f.Description)
		p.Website.apply(&f.Website)
		p.UKPRN.apply(&f.UKPRN)
		p.ODSCode.apply(&f.ODSCode)
		p.CharityNumber.apply(&f.CharityNumber)
		p.Region.apply(&f.Region)
		p.StudentPopulation.apply(&f.StudentPopulation)
		p.InternationalShare.apply(&f.InternationalShare)
		p.DistanceTeaching.apply(&f.DistanceTeaching)
		if err := f.validate(c); err != nil {
			return err
		}
		return writeInstitution(ctx, tx, id, f, false)
	})
}

// RetireInstitution takes an institution out of the directory (administrators
// only). Its services, sites and contact points must be retired first: they
// would otherwise stay in the directory with no institution to show.
func (s *Store) RetireInstitution(ctx context.Context, id uuid.UUID, expected int, reason string) (Institution, error) {
	return retire(ctx, s, institutionEntity, id, expected, reason,
		`SELECT EXISTS (SELECT 1 FROM services WHERE institution_id = $1 AND retired_at IS NULL)
			OR EXISTS (SELECT 1 FROM sites WHERE institution_id = $1 AND retired_at IS NULL)
			OR EXISTS (SELECT 1 FROM contact_points WHERE institution_id = $1 AND retired_at IS NULL)`,
		"the institution still has services, sites or contact points in the directory: retire them first")
}

func writeInstitution(ctx context.Context, tx pgx.Tx, id uuid.UUID, f InstitutionFields, create bool) error {
	args := pgx.NamedArgs{"id": id, "name": f.Name, "short_name": f.ShortName, "kind": f.Kind,
		"description": f.Description, "website": f.Website, "ukprn": f.UKPRN, "ods_code": f.ODSCode,
		"charity_number": f.CharityNumber, "region": f.Region, "student_population": f.StudentPopulation,
		"international_share": f.InternationalShare, "distance_teaching": f.DistanceTeaching}
	sql := `UPDATE institutions SET name = @name, short_name = @short_name, description = @description,
		website = @website, ukprn = @ukprn, ods_code = @ods_code, charity_number = @charity_number,
		region = @region, student_population = @student_population, international_share = @international_share,
		distance_teaching = @distance_teaching, version = version + 1 WHERE id = @id`
	if create {
		sql = `INSERT INTO institutions (id, name, short_name, kind, description, website, ukprn, ods_code,
			charity_number, region, student_population, international_share, distance_teaching)
		VALUES (@id, @name, @short_name, @kind, @description, @website, @ukprn, @ods_code, @charity_number,
			@region, @student_population, @international_share, @distance_teaching)`
	}
	_, err := tx.Exec(ctx, sql, args)
	return err
}
