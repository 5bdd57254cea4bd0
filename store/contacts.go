package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// ContactPoint is a nominated contact at an institution (or one of its
// services) for a purpose. Its details are personal data: every query here
// returns only the contact points the viewer in the context may see.
type ContactPoint struct {
	ID                     uuid.UUID  `db:"id"`
	InstitutionID          uuid.UUID  `db:"institution_id"`
	ServiceID              *uuid.UUID `db:"service_id"`
	Purpose                string     `db:"purpose"`
	Kind                   string     `db:"kind"`
	Name                   string     `db:"name"`
	JobTitle               *string    `db:"job_title"`
	Visibility             string     `db:"visibility"`
	Email                  *string    `db:"email"`
	Phone                  *string    `db:"phone"`
	Hours                  *string    `db:"hours"`
	OutOfHoursPhone        *string    `db:"out_of_hours_phone"`
	OutOfHoursEmail        *string    `db:"out_of_hours_email"`
	OutOfHoursInstructions *string    `db:"out_of_hours_instructions"`
	Notes                  *string    `db:"notes"`
	DeputyID               *uuid.UUID `db:"deputy_id"`
	SuccessorID            *uuid.UUID `db:"successor_id"`
	ValidFrom              time.Time  `db:"valid_from"`
	ValidTo                *time.Time `db:"valid_to"`
	LastVerifiedAt         *time.Time `db:"last_verified_at"`
	Version                int        `db:"version"`
	RetiredAt              *time.Time `db:"retired_at"`
	CreatedAt              time.Time  `db:"created_at"`
	UpdatedAt              time.Time  `db:"updated_at"`
}

const contactColumns = `c.id, c.institution_id, c.service_id, c.purpose, c.kind, c.name, c.job_title,
	c.visibility, c.email, c.phone, c.hours, c.out_of_hours_phone, c.out_of_hours_email,
	c.out_of_hours_instructions, c.notes, c.deputy_id, c.successor_id, c.valid_from, c.valid_to,
	c.last_verified_at, c.version, c.retired_at, c.created_at, c.updated_at`

// currentContact is the SQL condition that contact point c is in post on @today.
const currentContact = `(c.retired_at IS NULL AND c.valid_from <= @today::date
	AND (c.valid_to IS NULL OR c.valid_to >= @today::date))`

// queryContacts runs a query over contact_points c whose WHERE includes
// visibleContact, binding the viewer's visibility arguments and today's date.
func (s *Store) queryContacts(ctx context.Context, sql string, args pgx.NamedArgs) ([]ContactPoint, error) {
	args["today"] = s.today()
	rows, _ := s.pool.Query(ctx, sql, withVisibility(ctx, args))
	return pgx.CollectRows(rows, pgx.RowToStructByName[ContactPoint])
}

// ContactPointsByIDs returns the contact points among ids that the viewer may
// see and that have not been retired, whether or not they are in post today.
func (s *Store) ContactPointsByIDs(ctx context.Context, ids []uuid.UUID) ([]ContactPoint, error) {
	return s.queryContacts(ctx, `SELECT `+contactColumns+` FROM contact_points c
		WHERE c.id = ANY(@ids) AND c.retired_at IS NULL AND `+visibleContact, pgx.NamedArgs{"ids": ids})
}

// ContactPointsByInstitutions returns the contact points in post today at the
// institutions that the viewer may see, by purpose and name.
func (s *Store) ContactPointsByInstitutions(ctx context.Context, institutionIDs []uuid.UUID) ([]ContactPoint, error) {
	return s.queryContacts(ctx, `SELECT `+contactColumns+` FROM contact_points c
		WHERE c.institution_id = ANY(@ids) AND `+currentContact+` AND `+visibleContact+`
		ORDER BY c.purpose, c.name, c.id`, pgx.NamedArgs{"ids": institutionIDs})
}

// ContactPointsByServices returns the contact points in post today for the
// services that the viewer may see, by purpose and name.
func (s *Store) ContactPointsByServices(ctx context.Context, serviceIDs []uuid.UUID) ([]ContactPoint, error) {
	return s.queryContacts(ctx, `SELECT `+contactColumns+` FROM contact_points c
		WHERE c.service_id = ANY(@ids) AND `+currentContact+` AND `+visibleContact+`
		ORDER BY c.purpose, c.name, c.id`, pgx.NamedArgs{"ids": serviceIDs})
}

// PartnershipLead is a PARTNERSHIP_LEAD contact point of a partnership's member.
type PartnershipLead struct {
	PartnershipID uuid.UUID `db:"partnership_id"`
	ContactPoint
}

// LeadsByPartnerships returns the PARTNERSHIP_LEAD contact points in post
// today at the partnerships' member institutions that the viewer may see.
func (s *Store) LeadsByPartnerships(ctx context.Context, partnershipIDs []uuid.UUID) ([]PartnershipLead, error) {
	args := withVisibility(ctx, pgx.NamedArgs{"ids": partnershipIDs, "today": s.today()})
	rows, _ := s.pool.Query(ctx, `SELECT pm.partnership_id, `+contactColumns+`
		FROM partnership_members pm
		JOIN institutions i ON i.id = pm.institution_id AND i.retired_at IS NULL
		JOIN contact_points c ON c.institution_id = pm.institution_id
		WHERE pm.partnership_id = ANY(@ids) AND pm.retired_at IS NULL AND c.purpose = 'PARTNERSHIP_LEAD'
		  AND `+currentContact+` AND `+visibleContact+`
		ORDER BY c.name, c.id`, args)
	return pgx.CollectRows(rows, pgx.RowToStructByName[PartnershipLead])
}

// Current reports whether c is in post on the store's today.
func (s *Store) Current(c ContactPoint) bool {
	today := s.today()
	return !c.ValidFrom.After(today) && (c.ValidTo == nil || !c.ValidTo.Before(today))
}

// Stale reports whether c's details have not been verified within the review period.
func (s *Store) Stale(c ContactPoint) bool {
	return c.LastVerifiedAt == nil || s.now().Sub(*c.LastVerifiedAt) > s.reviewPeriod
}

// ContactRole values say whether a contact answers as the nominated contact or as a deputy.

const (
	RolePrimary = "PRIMARY"
	RoleDeputy  = "DEPUTY"
)

// CurrentContact is a contact who answers for a purpose today.
type CurrentContact struct {
	Role         string
	ContactPoint ContactPoint
	// Succeeded is true when the nominated contact left post and this is
	// their successor.
	Succeeded bool
}

// maxSuccession bounds how many hand-overs are followed from a nominated
// contact to whoever holds the role today.
const maxSuccession = 20

// CurrentContacts answers "who do I contact at this institution for this
// purpose today?": nominated contacts in post (a contact who has left post is
// replaced by their successor, followed through any chain of hand-overs),
// then their deputies. Only contacts the viewer may see are returned; an
// unseen primary's visible deputy still answers. ErrNotFound when the
// institution does not exist.
func (s *Store) CurrentContacts(ctx context.Context, institutionID uuid.UUID, purpose string) ([]CurrentContact, error) {
	ok, err := s.InstitutionExists(ctx, institutionID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	linked, err := s.linkedContacts(ctx, institutionID, []string{purpose})
	if err != nil {
		return nil, err
	}
	return s.resolveCurrent(institutionID, purpose, linked), nil
}

// linkedContacts reads the institution's contacts for any of purposes and,
// through successor and deputy links, everyone they lead to, in one
// statement. Visibility is not applied inside the walk (a hidden
// predecessor still hands over to a visible successor) but marked on each
// row, for resolveCurrent to apply to what is returned.
func (s *Store) linkedContacts(ctx context.Context, institutionID uuid.UUID, purposes []string) ([]linkedContact, error) {
	args := withVisibility(ctx, pgx.NamedArgs{"institution_id": institutionID, "purposes": purposes})
	rows, _ := s.pool.Query(ctx, `WITH RECURSIVE linked(id) AS (
			SELECT c.id FROM contact_points c
			WHERE c.institution_id = @institution_id AND c.purpose = ANY(@purposes) AND c.retired_at IS NULL
			UNION
			SELECT x.id FROM linked l JOIN contact_points c ON c.id = l.id
			JOIN contact_points x ON x.id IN (c.successor_id, c.deputy_id) AND x.retired_at IS NULL
		)
		SELECT `+contactColumns+`, `+visibleContact+` AS visible
		FROM linked JOIN contact_points c ON c.id = linked.id
		ORDER BY c.name, c.id`, args)
	return pgx.CollectRows(rows, pgx.RowToStructByName[linkedContact])
}

// linkedContact is a contact point reached from a purpose, and whether the
// viewer may see it.
type linkedContact struct {
	ContactPoint
	Visible bool `db:"visible"`
}

// resolveCurrent works out who answers today from the contacts linked to a
// purpose: see CurrentContacts.
func (s *Store) resolveCurrent(institutionID uuid.UUID, purpose string, linked []linkedContact) []CurrentContact {
	byID := make(map[uuid.UUID]linkedContact, len(linked))
	for _, c := range linked {
		byID[c.ID] = c
	}
	// Nominated contacts are those for the purpose that nobody else for the
	// purpose names as deputy or successor: those are reached through them.
	reached := map[uuid.UUID]bool{}
	for _, c := range linked {
		if c.InstitutionID == institutionID && c.Purpose == purpose {
			if c.DeputyID != nil {
				reached[*c.DeputyID] = true
			}
			if c.SuccessorID != nil {
				reached[*c.SuccessorID] = true
			}
		}
	}
	// A contact for the purpose that is reached, but not from a nominated
	// contact, is in a circle (two advisers deputising for each other): the
	// first of each such circle by name is nominated too, or nobody in it
	// would ever answer.
	covered := map[uuid.UUID]bool{}
	var cover func(id uuid.UUID)
	cover = func(id uuid.UUID) {
		c, ok := byID[id]
		if !ok || covered[id] {
			return
		}
		covered[id] = true
		for _, next := range []*uuid.UUID{c.DeputyID, c.SuccessorID} {
			if next != nil {
				cover(*next)
			}
		}
	}
	var nominated []linkedContact
	for _, c := range linked {
		if c.InstitutionID == institutionID && c.Purpose == purpose && !reached[c.ID] {
			nominated = append(nominated, c)
			cover(c.ID)
		}
	}
	for _, c := range linked {
		if c.InstitutionID == institutionID && c.Purpose == purpose && !covered[c.ID] {
			nominated = append(nominated, c)
			cover(c.ID)
		}
	}
	// follow walks from c through successors to whoever is in post today.
	follow := func(id uuid.UUID) (linkedContact, bool, bool) {
		succeeded := false
		for range maxSuccession {
			c, ok := byID[id]
			if !ok {
				return linkedContact{}, false, false
			}
			if s.Current(c.ContactPoint) {
				return c, succeeded, true
			}
			if c.SuccessorID == nil || c.ValidTo == nil || !c.ValidTo.Before(s.today()) {
				return linkedContact{}, false, false // not yet in post, or left with no successor
			}
			id, succeeded = *c.SuccessorID, true
		}
		return linkedContact{}, false, false
	}

	var out []CurrentContact
	listed := map[uuid.UUID]bool{}
	var deputies []uuid.UUID
	for _, n := range nominated {
		if n.DeputyID != nil {
			deputies = append(deputies, *n.DeputyID)
		}
		p, succeeded, ok := follow(n.ID)
		if !ok || listed[p.ID] {
			continue
		}
		listed[p.ID] = true
		if p.DeputyID != nil {
			deputies = append(deputies, *p.DeputyID)
		}
		if p.Visible {
			out = append(out, CurrentContact{Role: RolePrimary, ContactPoint: p.ContactPoint, Succeeded: succeeded})
		}
	}
	for _, id := range deputies {
		d, succeeded, ok := follow(id)
		if !ok || listed[d.ID] {
			continue
		}
		listed[d.ID] = true
		if d.Visible {
			out = append(out, CurrentContact{Role: RoleDeputy, ContactPoint: d.ContactPoint, Succeeded: succeeded})
		}
	}
	return out
}
