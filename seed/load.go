package seed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// loaderVersion is part of Key. Change it whenever Load writes the same data
// differently, so that test templates built by the old loader are not reused.
const loaderVersion = "2"

// advisoryLock serialises concurrent loads (e.g. two servers starting at once
// against an empty database). The value is "waymark" in ASCII.
const advisoryLock int64 = 0x7761796d61726b

// Key is a short hash of all seed data and of the loader's version. It names
// the test template database, so it changes whenever what Load writes changes.
func Key() string { return keyOf(all()) }

func keyOf(d dataset) string {
	b, err := json.Marshal(struct {
		Loader string
		Data   dataset
	}{loaderVersion, d})
	if err != nil {
		// The seed is plain strings, numbers and slices; it always encodes.
		panic(fmt.Sprintf("seed: encoding the seed: %v", err))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// Load inserts the whole seed in one transaction. Rows that already exist
// (same ID) are left exactly as they are, so loading again changes nothing,
// and edits made since the first load are kept. The lists that belong to a
// row (a partnership's members; a service's partners, eligible institutions
// and opening hours; a threshold's versions; an agreement's parties; a
// pathway's steps) are written only together with a newly inserted row, so
// that removing, say, a member from a seeded partnership is not undone by the
// next load. Dates in the seed are relative to the day of loading.
func Load(ctx context.Context, conn *pgx.Conn) error {
	_, err := load(ctx, conn, all(), false)
	return err
}

// LoadIfEmpty loads the seed only when there are no institutions yet. It
// reports whether it loaded.
func LoadIfEmpty(ctx context.Context, conn *pgx.Conn) (loaded bool, err error) {
	return load(ctx, conn, all(), true)
}

func load(ctx context.Context, conn *pgx.Conn, d dataset, onlyIfEmpty bool) (bool, error) {
	if err := d.validate(); err != nil {
		return false, err
	}
	services, err := orderServices(d.Services)
	if err != nil {
		return false, err
	}
	contacts, err := orderContacts(d.ContactPoints)
	if err != nil {
		return false, err
	}

	tx, err := conn.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("seed: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit

	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, advisoryLock); err != nil {
		return false, fmt.Errorf("seed: lock: %w", err)
	}
	if onlyIfEmpty {
		var seeded bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM institutions)`).Scan(&seeded); err != nil {
			return false, fmt.Errorf("seed: %w", err)
		}
		if seeded {
			return false, nil
		}
	}

	for _, in := range d.Institutions {
		if _, err := insertInstitution(ctx, tx, in); err != nil {
			return false, fmt.Errorf("seed: institution %q: %w", in.Key, err)
		}
		for _, s := range in.Sites {
			if err := insertSite(ctx, tx, in.Key, s); err != nil {
				return false, fmt.Errorf("seed: site %q: %w", s.Key, err)
			}
		}
	}
	for _, p := range d.Partnerships {
		inserted, err := insertPartnership(ctx, tx, p)
		if err != nil {
			return false, fmt.Errorf("seed: partnership %q: %w", p.Key, err)
		}
		if inserted {
			for _, m := range p.Members {
				if err := insertMember(ctx, tx, p.Key, m); err != nil {
					return false, fmt.Errorf("seed: partnership %q: member %q: %w", p.Key, m.Institution, err)
				}
			}
		}
		for _, f := range p.Forums {
			if err := insertForum(ctx, tx, p.Key, f); err != nil {
				return false, fmt.Errorf("seed: forum %q: %w", f.Key, err)
			}
		}
	}
	for _, s := range services {
		inserted, err := insertService(ctx, tx, s)
		if err != nil {
			return false, fmt.Errorf("seed: service %q: %w", s.Key, err)
		}
		if !inserted {
			continue
		}
		for _, k := range s.Partners {
			if err := insertServicePartner(ctx, tx, s.Key, k); err != nil {
				return false, fmt.Errorf("seed: service %q: partner %q: %w", s.Key, k, err)
			}
		}
		for _, k := range s.EligibleInstitutions {
			if err := insertEligibleInstitution(ctx, tx, s.Key, k); err != nil {
				return false, fmt.Errorf("seed: service %q: eligible institution %q: %w", s.Key, k, err)
			}
		}
		for _, h := range s.Hours {
			if err := insertOpeningHours(ctx, tx, s.Key, h); err != nil {
				return false, fmt.Errorf("seed: service %q: opening hours: %w", s.Key, err)
			}
		}
	}
	for _, c := range contacts {
		if err := insertContactPoint(ctx, tx, c); err != nil {
			return false, fmt.Errorf("seed: contact point %q: %w", c.Key, err)
		}
	}

	if err := insertAreas(ctx, tx, d.Areas); err != nil {
		return false, err
	}
	if err := insertThresholds(ctx, tx, d.Thresholds); err != nil {
		return false, err
	}
	if err := insertAgreements(ctx, tx, d.SharingAgreements); err != nil {
		return false, err
	}
	if err := insertPathways(ctx, tx, d.Pathways); err != nil {
		return false, err
	}

	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("seed: commit: %w", err)
	}
	return true, nil
}

func insertInstitution(ctx context.Context, tx pgx.Tx, in Institution) (inserted bool, err error) {
	tag, err := tx.Exec(ctx, `
		INSERT INTO institutions (id, name, short_name, kind, description, website,
		                          ukprn, ods_code, charity_number, region,
		                          student_population, international_share, distance_teaching)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (id) DO NOTHING`,
		ID("institutions", in.Key), in.Name, null(in.ShortName), in.Kind, null(in.Description), null(in.Website),
		null(in.UKPRN), null(in.ODSCode), null(in.CharityNumber), null(in.Region),
		in.StudentPopulation, in.InternationalShare, in.DistanceTeaching)
	return tag.RowsAffected() == 1, err
}

func insertSite(ctx context.Context, tx pgx.Tx, institution string, s Site) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO sites (id, institution_id, name, address, postcode, latitude, longitude)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (id) DO NOTHING`,
		ID("sites", s.Key), ID("institutions", institution), s.Name, null(s.Address), null(s.Postcode),
		s.Latitude, s.Longitude)
	return err
}

func insertPartnership(ctx context.Context, tx pgx.Tx, p Partnership) (inserted bool, err error) {
	tag, err := tx.Exec(ctx, `
		INSERT INTO partnerships (id, name, description, region, shared_outcomes)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO NOTHING`,
		ID("partnerships", p.Key), p.Name, null(p.Description), null(p.Region), texts(p.SharedOutcomes))
	return tag.RowsAffected() == 1, err
}

func insertMember(ctx context.Context, tx pgx.Tx, partnership string, m Member) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO partnership_members (partnership_id, institution_id, role, joined_on)
		VALUES ($1, $2, $3, $4::text::date)
		ON CONFLICT (partnership_id, institution_id) DO NOTHING`,
		ID("partnerships", partnership), ID("institutions", m.Institution), m.Role, null(m.JoinedOn))
	return err
}

func insertForum(ctx context.Context, tx pgx.Tx, partnership string, f Forum) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO governance_forums (id, partnership_id, name, purpose, cadence, how_to_bring_a_case)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO NOTHING`,
		ID("governance_forums", f.Key), ID("partnerships", partnership), f.Name, null(f.Purpose), f.Cadence,
		null(f.HowToBringACase))
	return err
}

func insertService(ctx context.Context, tx pgx.Tx, s Service) (inserted bool, err error) {
	capacity := s.CapacityStatus
	if capacity == "" {
		capacity = "OPEN"
	}
	tag, err := tx.Exec(ctx, `
		INSERT INTO services (id, institution_id, site_id, name, description, category, needs, care_level,
		                      access_routes, how_to_access, eligibility, min_age, max_age, area,
		                      open_24_7, out_of_hours, out_of_hours_service_id, delivery_modes,
		                      what_to_expect, typical_sessions, expected_wait_days, capacity_status,
		                      website, phone, text_number, email, last_reviewed_on, visibility)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
		        $19, $20, $21, $22, $23, $24, $25, $26, current_date - $27::int, coalesce($28, 'PUBLIC'))
		ON CONFLICT (id) DO NOTHING`,
		ID("services", s.Key), ID("institutions", s.Institution), optionalID("sites", s.Site),
		s.Name, s.Description, s.Category, texts(s.Needs), s.CareLevel,
		texts(s.AccessRoutes), null(s.HowToAccess), null(s.Eligibility), s.MinAge, s.MaxAge, null(s.Area),
		s.Open247, null(s.OutOfHours), optionalID("services", s.OutOfHoursService), texts(s.DeliveryModes),
		null(s.WhatToExpect), s.TypicalSessions, s.ExpectedWaitDays, capacity,
		null(s.Website), null(s.Phone), null(s.TextNumber), null(s.Email), s.ReviewedDaysAgo, null(s.Visibility))
	return tag.RowsAffected() == 1, err
}

func insertServicePartner(ctx context.Context, tx pgx.Tx, service, institution string) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO service_partners (service_id, institution_id)
		VALUES ($1, $2)
		ON CONFLICT (service_id, institution_id) DO NOTHING`,
		ID("services", service), ID("institutions", institution))
	return err
}

func insertEligibleInstitution(ctx context.Context, tx pgx.Tx, service, institution string) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO service_eligible_institutions (service_id, institution_id)
		VALUES ($1, $2)
		ON CONFLICT (service_id, institution_id) DO NOTHING`,
		ID("services", service), ID("institutions", institution))
	return err
}

func insertOpeningHours(ctx context.Context, tx pgx.Tx, service string, h Hours) error {
	for _, day := range h.Days {
		_, err := tx.Exec(ctx, `
			INSERT INTO service_opening_hours (service_id, day_of_week, opens, closes)
			VALUES ($1, $2, $3::text::time, $4::text::time)
			ON CONFLICT (service_id, day_of_week, opens) DO NOTHING`,
			ID("services", service), day, h.Opens, h.Closes)
		if err != nil {
			return fmt.Errorf("day %d %s–%s: %w", day, h.Opens, h.Closes, err)
		}
	}
	return nil
}

// insertContactPoint expects the contact's deputy and successor to be
// inserted already (orderContacts sees to that).
func insertContactPoint(ctx context.Context, tx pgx.Tx, c ContactPoint) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO contact_points (id, institution_id, service_id, purpose, kind, name, job_title,
		                            visibility, email, phone, hours, out_of_hours_phone,
		                            out_of_hours_email, out_of_hours_instructions, notes,
		                            deputy_id, successor_id, valid_from, valid_to, last_verified_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
		        current_date - $18::int,
		        current_date + $19::int,
		        now() - make_interval(days => $20::int))
		ON CONFLICT (id) DO NOTHING`,
		ID("contact_points", c.Key), ID("institutions", c.Institution), optionalID("services", c.Service),
		c.Purpose, c.Kind, c.Name, null(c.JobTitle), c.Visibility, null(c.Email), null(c.Phone),
		null(c.Hours), null(c.OutOfHoursPhone), null(c.OutOfHoursEmail), null(c.OutOfHoursInstructions),
		null(c.Notes), optionalID("contact_points", c.Deputy), optionalID("contact_points", c.Successor),
		c.ValidFromDaysAgo, c.ValidToDaysFromNow, c.VerifiedDaysAgo)
	return err
}

// null is SQL NULL for an empty string.
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// optionalID is the seeded ID of key in table, or SQL NULL when key is empty.
func optionalID(table, key string) any {
	if key == "" {
		return nil
	}
	return ID(table, key)
}

// texts makes a nil slice an empty array rather than SQL NULL.
func texts(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
