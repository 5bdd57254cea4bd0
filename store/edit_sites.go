package store

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// SiteFields are the editable fields of a site.
type SiteFields struct {
	Name      string
	Address   *string
	Postcode  *string
	Latitude  float64
	Longitude float64
}

// SitePatch is a partial update of a site.
type SitePatch struct {
	Name      Opt[*string]
	Address   Opt[*string]
	Postcode  Opt[*string]
	Latitude  Opt[*float64]
	Longitude Opt[*float64]
}

func (f *SiteFields) validate(c *checker) error {
	c.required("input.name", &f.Name, 200)
	c.optional("input.address", &f.Address, 500)
	c.postcode("input.postcode", &f.Postcode)
	c.latitude("input.latitude", f.Latitude)
	c.longitude("input.longitude", f.Longitude)
	return c.err
}

var siteEntity = entity[Site]{
	name: "site", typeName: "Site", table: "sites",
	load: rowInTx[Site](siteColumns, "sites s"),
	authorize: func(ctx context.Context, tx pgx.Tx, cur Site) error {
		return requireInstitutionScope(ctx, tx, cur.InstitutionID)
	},
	scopeOf:    func(cur Site) (*uuid.UUID, *uuid.UUID) { return &cur.InstitutionID, nil },
	retireStmt: retireSQL("sites"),
}

// CreateSite adds a site of institutionID.
func (s *Store) CreateSite(ctx context.Context, institutionID uuid.UUID, f SiteFields, reason *string) (Site, error) {
	return create(ctx, s, siteEntity, reason, func(tx pgx.Tx) error {
		return requireInstitution(ctx, tx, "input.institutionId", institutionID)
	}, func(tx pgx.Tx, id uuid.UUID) error {
		if err := f.validate(&checker{}); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO sites (id, institution_id, name, address, postcode, latitude, longitude)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, institutionID, f.Name, f.Address, f.Postcode, f.Latitude, f.Longitude)
		return err
	})
}

// UpdateSite changes the fields set in p.
func (s *Store) UpdateSite(ctx context.Context, id uuid.UUID, expected int, p SitePatch, reason *string) (Site, error) {
	reason, err := checkReason(reason, false)
	if err != nil {
		return Site{}, err
	}
	return edit(ctx, s, siteEntity, id, expected, "UPDATE", reason, func(tx pgx.Tx, cur Site) error {
		f := SiteFields{Name: cur.Name, Address: cur.Address, Postcode: cur.Postcode, Latitude: cur.Latitude, Longitude: cur.Longitude}
		c := &checker{}
		applyRequired(c, "input.name", p.Name, &f.Name)
		p.Address.apply(&f.Address)
		p.Postcode.apply(&f.Postcode)
		applyRequired(c, "input.latitude", p.Latitude, &f.Latitude)
		applyRequired(c, "input.longitude", p.Longitude, &f.Longitude)
		if err := f.validate(c); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE sites SET name = $2, address = $3, postcode = $4, latitude = $5, longitude = $6,
			version = version + 1 WHERE id = $1`, id, f.Name, f.Address, f.Postcode, f.Latitude, f.Longitude)
		return err
	})
}

// RetireSite takes a site out of the directory. Services delivered there
// are refused: move them first.
func (s *Store) RetireSite(ctx context.Context, id uuid.UUID, expected int, reason string) (Site, error) {
	return retire(ctx, s, siteEntity, id, expected, reason, `SELECT EXISTS (SELECT 1 FROM services WHERE site_id = $1 AND retired_at IS NULL)`,
		"services are still delivered at this site: move or retire them first")
}
