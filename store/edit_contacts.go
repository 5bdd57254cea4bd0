package store

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// ContactFields are the editable fields of a contact point.
type ContactFields struct {
	ServiceID              *uuid.UUID
	Purpose                string
	Kind                   string
	Name                   string
	JobTitle               *string
	Visibility             string
	Email                  *string
	Phone                  *string
	Hours                  *string
	OutOfHoursPhone        *string
	OutOfHoursEmail        *string
	OutOfHoursInstructions *string
	Notes                  *string
	DeputyID               *uuid.UUID
	ValidFrom              *time.Time // nil: today
}

// ContactPatch is a partial update of a contact point.
type ContactPatch struct {
	ServiceID              Opt[*uuid.UUID]
	Purpose                Opt[*string]
	Kind                   Opt[*string]
	Name                   Opt[*string]
	JobTitle               Opt[*string]
	Visibility             Opt[*string]
	Email                  Opt[*string]
	Phone                  Opt[*string]
	Hours                  Opt[*string]
	OutOfHoursPhone        Opt[*string]
	OutOfHoursEmail        Opt[*string]
	OutOfHoursInstructions Opt[*string]
	Notes                  Opt[*string]
	DeputyID               Opt[*uuid.UUID]
	ValidFrom              Opt[*time.Time]
}

func (p ContactPatch) apply(c *checker, f *ContactFields) {
	p.ServiceID.apply(&f.ServiceID)
	applyRequired(c, "input.purpose", p.Purpose, &f.Purpose)
	applyRequired(c, "input.kind", p.Kind, &f.Kind)
	applyRequired(c, "input.name", p.Name, &f.Name)
	p.JobTitle.apply(&f.JobTitle)
	applyRequired(c, "input.visibility", p.Visibility, &f.Visibility)
	p.Email.apply(&f.Email)
	p.Phone.apply(&f.Phone)
	p.Hours.apply(&f.Hours)
	p.OutOfHoursPhone.apply(&f.OutOfHoursPhone)
	p.OutOfHoursEmail.apply(&f.OutOfHoursEmail)
	p.OutOfHoursInstructions.apply(&f.OutOfHoursInstructions)
	p.Notes.apply(&f.Notes)
	p.DeputyID.apply(&f.DeputyID)
	if p.ValidFrom.Set {
		if p.ValidFrom.Value == nil {
			c.fail("input.validFrom", "cannot be cleared")
		}
		f.ValidFrom = p.ValidFrom.Value
	}
}

// validate checks and normalises f for a contact point of institutionID.
// On an update, prev holds the fields before it: links that did not change
// are not checked again.
func (f *ContactFields) validate(ctx context.Context, tx pgx.Tx, c *checker, id *uuid.UUID, institutionID uuid.UUID,
	validTo *time.Time, today time.Time, prev *ContactFields) error {
	if prev == nil {
		prev = &ContactFields{}
	}
	c.required("input.name", &f.Name, 200)
	c.optional("input.jobTitle", &f.JobTitle, 200)
	c.email("input.email", &f.Email)
	c.phone("input.phone", &f.Phone, false)
	c.optional("input.hours", &f.Hours, 500)
	c.phone("input.outOfHoursPhone", &f.OutOfHoursPhone, false)
	c.email("input.outOfHoursEmail", &f.OutOfHoursEmail)
	c.optional("input.outOfHoursInstructions", &f.OutOfHoursInstructions, 1000)
	c.optional("input.notes", &f.Notes, 2000)
	if c.err == nil && f.Email == nil && f.Phone == nil {
		c.fail("input.email", "give an e-mail address or a phone number (or both), so that someone can be reached")
	}
	if id != nil && f.DeputyID != nil && *f.DeputyID == *id {
		c.fail("input.deputyId", "must be someone else: a contact cannot deputise for themselves")
	}
	if f.ValidFrom != nil && validTo != nil && f.ValidFrom.After(*validTo) {
		c.fail("input.validFrom", "must not be after validTo")
	}
	if c.err != nil {
		return c.err
	}
	if f.ServiceID != nil && changedID(prev.ServiceID, f.ServiceID) {
		ok, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM services s WHERE s.id = $1 AND s.retired_at IS NULL
			AND (s.institution_id = $2 OR EXISTS (SELECT 1 FROM service_partners p WHERE p.service_id = s.id AND p.institution_id = $2)))`,
			*f.ServiceID, institutionID)
		if err != nil || !ok {
			return orInput(err, "input.serviceId", "is not a service of this contact's institution")
		}
	}
	if f.DeputyID != nil && changedID(prev.DeputyID, f.DeputyID) {
		var sameInstitution, current bool
		err := tx.QueryRow(ctx, `SELECT institution_id = $2, valid_from <= $3::date AND (valid_to IS NULL OR valid_to >= $3::date)
			FROM contact_points WHERE id = $1 AND retired_at IS NULL`, *f.DeputyID, institutionID, today).Scan(&sameInstitution, &current)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return BadInput("input.deputyId", "is not a contact point in the directory")
		case err != nil:
			return err
		case !sameInstitution:
			return BadInput("input.deputyId", "must be a contact point at the same institution")
		case !current:
			return BadInput("input.deputyId", "is not in post today")
		}
	}
	return nil
}

var contactEntity = entity[ContactPoint]{
	name: "contact point", typeName: "ContactPoint", table: "contact_points",
	load: rowInTx[ContactPoint](contactColumns, "contact_points c"),
	authorize: func(ctx context.Context, tx pgx.Tx, cur ContactPoint) error {
		return requireInstitutionScope(ctx, tx, cur.InstitutionID)
	},
	scopeOf:    func(cur ContactPoint) (*uuid.UUID, *uuid.UUID) { return &cur.InstitutionID, nil },
	retireStmt: retireSQL("contact_points"),
	from:       "contact_points c",
	visible:    visibleContact,
}

// CreateContactPoint adds a contact point at institutionID. The lead who
// enters the details vouches for them: the new contact is verified now, in
// the same change (and audit entry).
func (s *Store) CreateContactPoint(ctx context.Context, institutionID uuid.UUID, f ContactFields, reason *string) (ContactPoint, error) {
	return create(ctx, s, contactEntity, reason, func(tx pgx.Tx) error {
		return requireInstitution(ctx, tx, "input.institutionId", institutionID)
	}, func(tx pgx.Tx, id uuid.UUID) error {
		if f.ValidFrom == nil {
			t := s.today()
			f.ValidFrom = &t
		}
		if err := f.validate(ctx, tx, &checker{}, nil, institutionID, nil, s.today(), nil); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO contact_points (id, institution_id, service_id, purpose, kind, name,
				job_title, visibility, email, phone, hours, out_of_hours_phone, out_of_hours_email,
				out_of_hours_instructions, notes, deputy_id, valid_from, last_verified_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
			id, institutionID, f.ServiceID, f.Purpose, f.Kind, f.Name, f.JobTitle, f.Visibility, f.Email, f.Phone,
			f.Hours, f.OutOfHoursPhone, f.OutOfHoursEmail, f.OutOfHoursInstructions, f.Notes, f.DeputyID, f.ValidFrom,
			s.now())
		return err
	})
}

// editContact applies one audited change to a contact point.
func (s *Store) editContact(ctx context.Context, id uuid.UUID, expected int, action string, reason *string,
	f func(tx pgx.Tx, cur ContactPoint) error) (ContactPoint, error) {
	return edit(ctx, s, contactEntity, id, expected, action, reason, f)
}

// UpdateContactPoint changes the fields set in p. Whoever edits a contact
// has its details in front of them, so an update also verifies it now
// (last_verified_at is part of the audited change).
func (s *Store) UpdateContactPoint(ctx context.Context, id uuid.UUID, expected int, p ContactPatch, reason *string) (ContactPoint, error) {
	reason, err := checkReason(reason, false)
	if err != nil {
		return ContactPoint{}, err
	}
	return s.editContact(ctx, id, expected, "UPDATE", reason, func(tx pgx.Tx, cur ContactPoint) error {
		f := ContactFields{ServiceID: cur.ServiceID, Purpose: cur.Purpose, Kind: cur.Kind, Name: cur.Name,
			JobTitle: cur.JobTitle, Visibility: cur.Visibility, Email: cur.Email, Phone: cur.Phone, Hours: cur.Hours,
			OutOfHoursPhone: cur.OutOfHoursPhone, OutOfHoursEmail: cur.OutOfHoursEmail,
			OutOfHoursInstructions: cur.OutOfHoursInstructions, Notes: cur.Notes, DeputyID: cur.DeputyID,
			ValidFrom: &cur.ValidFrom}
		prev := f
		c := &checker{}
		p.apply(c, &f)
		if err := f.validate(ctx, tx, c, &id, cur.InstitutionID, cur.ValidTo, s.today(), &prev); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE contact_points SET service_id = $2, purpose = $3, kind = $4, name = $5,
				job_title = $6, visibility = $7, email = $8, phone = $9, hours = $10, out_of_hours_phone = $11,
				out_of_hours_email = $12, out_of_hours_instructions = $13, notes = $14, deputy_id = $15,
				valid_from = $16, last_verified_at = $17, version = version + 1
			WHERE id = $1`,
			id, f.ServiceID, f.Purpose, f.Kind, f.Name, f.JobTitle, f.Visibility, f.Email, f.Phone, f.Hours,
			f.OutOfHoursPhone, f.OutOfHoursEmail, f.OutOfHoursInstructions, f.Notes, f.DeputyID, f.ValidFrom, s.now())
		return err
	})
}

// RetireContactPoint takes a contact point out of the directory. Contacts
// that name it as deputy lose their deputy (shown by the gap analysis).
func (s *Store) RetireContactPoint(ctx context.Context, id uuid.UUID, expected int, reason string) (ContactPoint, error) {
	return retire(ctx, s, contactEntity, id, expected, reason, "", "")
}

// EndContactPoint records that the holder leaves post on validTo (their last
// day), handing over to successorID, who must be in post the day after.
func (s *Store) EndContactPoint(ctx context.Context, id uuid.UUID, expected int, validTo time.Time, successorID *uuid.UUID, reason *string) (ContactPoint, error) {
	reason, err := checkReason(reason, false)
	if err != nil {
		return ContactPoint{}, err
	}
	return s.editContact(ctx, id, expected, "END", reason, func(tx pgx.Tx, cur ContactPoint) error {
		if validTo.Before(cur.ValidFrom) {
			return BadInput("validTo", "must not be before the contact's first day in post (%s)", cur.ValidFrom.Format(time.DateOnly))
		}
		if successorID != nil {
			if *successorID == id {
				return BadInput("successorId", "must be someone else")
			}
			dayAfter := validTo.AddDate(0, 0, 1)
			var inPost, sameInstitution bool
			err := tx.QueryRow(ctx, `SELECT valid_from <= $2::date AND (valid_to IS NULL OR valid_to >= $2::date),
					institution_id = $3
				FROM contact_points WHERE id = $1 AND retired_at IS NULL`, *successorID, dayAfter, cur.InstitutionID).Scan(&inPost, &sameInstitution)
			if errors.Is(err, pgx.ErrNoRows) {
				return BadInput("successorId", "is not a contact point in the directory")
			}
			if err != nil {
				return err
			}
			if !sameInstitution {
				return BadInput("successorId", "must be a contact point at the same institution")
			}
			if !inPost {
				return BadInput("successorId", "is not in post on %s, the day after validTo", dayAfter.Format(time.DateOnly))
			}
		}
		_, err := tx.Exec(ctx, `UPDATE contact_points SET valid_to = $2, successor_id = $3, version = version + 1 WHERE id = $1`,
			id, validTo, successorID)
		return err
	})
}

// VerifyContactPoint records that the details were confirmed now.
func (s *Store) VerifyContactPoint(ctx context.Context, id uuid.UUID, expected int, reason *string) (ContactPoint, error) {
	reason, err := checkReason(reason, false)
	if err != nil {
		return ContactPoint{}, err
	}
	return s.editContact(ctx, id, expected, "VERIFY", reason, func(tx pgx.Tx, _ ContactPoint) error {
		_, err := tx.Exec(ctx, `UPDATE contact_points SET last_verified_at = $2, version = version + 1 WHERE id = $1`, id, s.now())
		return err
	})
}
