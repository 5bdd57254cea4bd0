package graph

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"github.com/waymark/waymark/graph/generated"
	"github.com/waymark/waymark/graph/model"
	"github.com/waymark/waymark/store"
)

// Mutation resolvers turn GraphQL input into the store's fields and patches;
// the store checks who may do what, versions, validity and audit.

type mutationResolver struct{ *Resolver }

func (r *Resolver) Mutation() generated.MutationResolver { return &mutationResolver{r} }

// opt converts a GraphQL omittable field into a store patch field.
func opt[T any](o graphql.Omittable[T]) store.Opt[T] {
	return store.Opt[T]{Set: o.IsSet(), Value: o.Value()}
}

// optID converts an omittable global ID.
func optID(field, typ string, o graphql.Omittable[*string]) (store.Opt[*uuid.UUID], error) {
	if !o.IsSet() {
		return store.Opt[*uuid.UUID]{}, nil
	}
	id, err := parseOptionalID(field, typ, o.Value())
	return store.Set(id), err
}

// parseIDs parses a list of global IDs of one type.
func parseIDs(field, typ string, ids []string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, len(ids))
	for i, s := range ids {
		id, err := parseID(fmt.Sprintf("%s.%d", field, i), typ, s)
		if err != nil {
			return nil, err
		}
		out[i] = id
	}
	return out, nil
}

// optIDs converts an omittable list of global IDs (null clears the list).
func optIDs(field, typ string, o graphql.Omittable[[]string]) (store.Opt[[]uuid.UUID], error) {
	if !o.IsSet() {
		return store.Opt[[]uuid.UUID]{}, nil
	}
	ids, err := parseIDs(field, typ, o.Value())
	return store.Set(ids), err
}

var dayNumbers = map[string]int{"MONDAY": 1, "TUESDAY": 2, "WEDNESDAY": 3, "THURSDAY": 4, "FRIDAY": 5, "SATURDAY": 6, "SUNDAY": 7}

func openingHours(serviceID uuid.UUID, in []model.OpeningHoursInput) []store.OpeningHours {
	out := make([]store.OpeningHours, len(in))
	for i, h := range in {
		out[i] = store.OpeningHours{ServiceID: serviceID, Day: dayNumbers[h.Day], Opens: h.Opens, Closes: h.Closes}
	}
	return out
}

// named turns store.ErrNotFound into a NOT_FOUND error naming the type.
func named[V any](typ string) func(V, error) (*V, error) {
	return func(v V, err error) (*V, error) {
		if errors.Is(err, store.ErrNotFound) {
			return nil, notFound{typ}
		}
		if err != nil {
			return nil, err
		}
		return &v, nil
	}
}

// onID parses the global ID of a typ record and runs f on it, naming the
// type when the store says NOT_FOUND.
func onID[V any](typ, id string, f func(uuid.UUID) (V, error)) (*V, error) {
	uid, err := parseID("id", typ, id)
	if err != nil {
		return nil, err
	}
	return named[V](typ)(f(uid))
}

// --- Institutions and partnerships (administrators) ---

func (r *mutationResolver) CreateInstitution(ctx context.Context, in model.CreateInstitutionInput, reason *string) (*store.Institution, error) {
	return named[store.Institution](typeInstitution)(r.Store.CreateInstitution(ctx, store.InstitutionFields{
		Name: in.Name, ShortName: in.ShortName, Kind: in.Kind, Description: in.Description, Website: in.Website,
		UKPRN: in.Ukprn, ODSCode: in.OdsCode, CharityNumber: in.CharityNumber, Region: in.Region,
		StudentPopulation: in.StudentPopulation, InternationalShare: in.InternationalShare,
		DistanceTeaching: in.DistanceTeaching,
	}, reason))
}

func (r *mutationResolver) UpdateInstitution(ctx context.Context, id string, expectedVersion int, in model.UpdateInstitutionInput, reason *string) (*store.Institution, error) {
	return onID(typeInstitution, id, func(uid uuid.UUID) (store.Institution, error) {
		return r.Store.UpdateInstitution(ctx, uid, expectedVersion, store.InstitutionPatch{
			Name: opt(in.Name), ShortName: opt(in.ShortName), Description: opt(in.Description), Website: opt(in.Website),
			UKPRN: opt(in.Ukprn), ODSCode: opt(in.OdsCode), CharityNumber: opt(in.CharityNumber), Region: opt(in.Region),
			StudentPopulation: opt(in.StudentPopulation), InternationalShare: opt(in.InternationalShare),
			DistanceTeaching: opt(in.DistanceTeaching),
		}, reason)
	})
}

func (r *mutationResolver) RetireInstitution(ctx context.Context, id string, expectedVersion int, reason string) (*store.Institution, error) {
	return onID(typeInstitution, id, func(uid uuid.UUID) (store.Institution, error) {
		return r.Store.RetireInstitution(ctx, uid, expectedVersion, reason)
	})
}

func (r *mutationResolver) CreatePartnership(ctx context.Context, in model.CreatePartnershipInput, reason *string) (*store.Partnership, error) {
	return named[store.Partnership](typePartnership)(r.Store.CreatePartnership(ctx, store.PartnershipFields{
		Name: in.Name, Description: in.Description, Region: in.Region, SharedOutcomes: in.SharedOutcomes,
	}, reason))
}

func (r *mutationResolver) UpdatePartnership(ctx context.Context, id string, expectedVersion int, in model.UpdatePartnershipInput, reason *string) (*store.Partnership, error) {
	return onID(typePartnership, id, func(uid uuid.UUID) (store.Partnership, error) {
		return r.Store.UpdatePartnership(ctx, uid, expectedVersion, store.PartnershipPatch{
			Name: opt(in.Name), Description: opt(in.Description), Region: opt(in.Region), SharedOutcomes: opt(in.SharedOutcomes),
		}, reason)
	})
}

func (r *mutationResolver) RetirePartnership(ctx context.Context, id string, expectedVersion int, reason string) (*store.Partnership, error) {
	return onID(typePartnership, id, func(uid uuid.UUID) (store.Partnership, error) {
		return r.Store.RetirePartnership(ctx, uid, expectedVersion, reason)
	})
}

func (r *mutationResolver) AddPartnershipMember(ctx context.Context, partnershipID string, expectedVersion int, institutionID string, role string, reason *string) (*store.Partnership, error) {
	pid, err := parseID("partnershipId", typePartnership, partnershipID)
	if err != nil {
		return nil, err
	}
	iid, err := parseID("institutionId", typeInstitution, institutionID)
	if err != nil {
		return nil, err
	}
	return named[store.Partnership](typePartnership)(r.Store.AddMember(ctx, pid, expectedVersion, iid, role, reason))
}

func (r *mutationResolver) RemovePartnershipMember(ctx context.Context, partnershipID string, expectedVersion int, institutionID string, reason string) (*store.Partnership, error) {
	pid, err := parseID("partnershipId", typePartnership, partnershipID)
	if err != nil {
		return nil, err
	}
	iid, err := parseID("institutionId", typeInstitution, institutionID)
	if err != nil {
		return nil, err
	}
	return named[store.Partnership](typePartnership)(r.Store.RemoveMember(ctx, pid, expectedVersion, iid, reason))
}

// --- Sites ---

func (r *mutationResolver) CreateSite(ctx context.Context, in model.CreateSiteInput, reason *string) (*store.Site, error) {
	iid, err := parseID("input.institutionId", typeInstitution, in.InstitutionID)
	if err != nil {
		return nil, err
	}
	return named[store.Site](typeSite)(r.Store.CreateSite(ctx, iid, store.SiteFields{
		Name: in.Name, Address: in.Address, Postcode: in.Postcode, Latitude: in.Latitude, Longitude: in.Longitude,
	}, reason))
}

func (r *mutationResolver) UpdateSite(ctx context.Context, id string, expectedVersion int, in model.UpdateSiteInput, reason *string) (*store.Site, error) {
	return onID(typeSite, id, func(uid uuid.UUID) (store.Site, error) {
		return r.Store.UpdateSite(ctx, uid, expectedVersion, store.SitePatch{
			Name: opt(in.Name), Address: opt(in.Address), Postcode: opt(in.Postcode),
			Latitude: opt(in.Latitude), Longitude: opt(in.Longitude),
		}, reason)
	})
}

func (r *mutationResolver) RetireSite(ctx context.Context, id string, expectedVersion int, reason string) (*store.Site, error) {
	return onID(typeSite, id, func(uid uuid.UUID) (store.Site, error) {
		return r.Store.RetireSite(ctx, uid, expectedVersion, reason)
	})
}

// --- Services ---

func (r *mutationResolver) CreateService(ctx context.Context, in model.CreateServiceInput, reason *string) (*store.Service, error) {
	iid, err := parseID("input.institutionId", typeInstitution, in.InstitutionID)
	if err != nil {
		return nil, err
	}
	f := store.ServiceFields{
		Name: in.Name, Description: in.Description, Category: in.Category, Needs: in.Needs,
		CareLevel: in.CareLevel, AccessRoutes: in.AccessRoutes, HowToAccess: in.HowToAccess,
		Eligibility: in.Eligibility, MinAge: in.MinAge, MaxAge: in.MaxAge, Area: in.Area,
		OpeningHours: openingHours(uuid.Nil, in.OpeningHours), OutOfHours: in.OutOfHours,
		DeliveryModes: in.DeliveryModes, WhatToExpect: in.WhatToExpect, TypicalSessions: in.TypicalSessions,
		ExpectedWaitDays: in.ExpectedWaitDays, Website: in.Website, Phone: in.Phone, TextNumber: in.TextNumber,
		Email: in.Email, LastReviewedOn: in.LastReviewedOn,
	}
	if in.Open24x7 != nil {
		f.Open24x7 = *in.Open24x7
	}
	if in.CapacityStatus != nil {
		f.CapacityStatus = *in.CapacityStatus
	}
	if in.Visibility != nil {
		f.Visibility = *in.Visibility
	}
	if f.SiteID, err = parseOptionalID("input.siteId", typeSite, in.SiteID); err != nil {
		return nil, err
	}
	if f.OutOfHoursServiceID, err = parseOptionalID("input.outOfHoursServiceId", typeService, in.OutOfHoursServiceID); err != nil {
		return nil, err
	}
	if f.PartnerIDs, err = parseIDs("input.partnerIds", typeInstitution, in.PartnerIds); err != nil {
		return nil, err
	}
	if f.EligibleInstitutionIDs, err = parseIDs("input.eligibleInstitutionIds", typeInstitution, in.EligibleInstitutionIds); err != nil {
		return nil, err
	}
	return named[store.Service](typeService)(r.Store.CreateService(ctx, iid, f, reason))
}

func (r *mutationResolver) UpdateService(ctx context.Context, id string, expectedVersion int, in model.UpdateServiceInput, reason *string) (*store.Service, error) {
	uid, err := parseID("id", typeService, id)
	if err != nil {
		return nil, err
	}
	p := store.ServicePatch{
		Name: opt(in.Name), Description: opt(in.Description), Category: opt(in.Category), Needs: opt(in.Needs),
		CareLevel: opt(in.CareLevel), AccessRoutes: opt(in.AccessRoutes), HowToAccess: opt(in.HowToAccess),
		Eligibility: opt(in.Eligibility), MinAge: opt(in.MinAge), MaxAge: opt(in.MaxAge), Area: opt(in.Area),
		Open24x7: opt(in.Open24x7), OutOfHours: opt(in.OutOfHours), DeliveryModes: opt(in.DeliveryModes),
		WhatToExpect: opt(in.WhatToExpect), TypicalSessions: opt(in.TypicalSessions),
		ExpectedWaitDays: opt(in.ExpectedWaitDays), CapacityStatus: opt(in.CapacityStatus),
		Visibility: opt(in.Visibility), Website: opt(in.Website), Phone: opt(in.Phone),
		TextNumber: opt(in.TextNumber), Email: opt(in.Email), LastReviewedOn: opt(in.LastReviewedOn),
	}
	if in.OpeningHours.IsSet() {
		p.OpeningHours = store.Set(openingHours(uid, in.OpeningHours.Value()))
	}
	if p.SiteID, err = optID("input.siteId", typeSite, in.SiteID); err != nil {
		return nil, err
	}
	if p.OutOfHoursServiceID, err = optID("input.outOfHoursServiceId", typeService, in.OutOfHoursServiceID); err != nil {
		return nil, err
	}
	if p.PartnerIDs, err = optIDs("input.partnerIds", typeInstitution, in.PartnerIds); err != nil {
		return nil, err
	}
	if p.EligibleInstitutionIDs, err = optIDs("input.eligibleInstitutionIds", typeInstitution, in.EligibleInstitutionIds); err != nil {
		return nil, err
	}
	return named[store.Service](typeService)(r.Store.UpdateService(ctx, uid, expectedVersion, p, reason))
}

func (r *mutationResolver) RetireService(ctx context.Context, id string, expectedVersion int, reason string) (*store.Service, error) {
	return onID(typeService, id, func(uid uuid.UUID) (store.Service, error) {
		return r.Store.RetireService(ctx, uid, expectedVersion, reason)
	})
}

// --- Contact points ---

func (r *mutationResolver) CreateContactPoint(ctx context.Context, in model.CreateContactPointInput, reason *string) (*store.ContactPoint, error) {
	iid, err := parseID("input.institutionId", typeInstitution, in.InstitutionID)
	if err != nil {
		return nil, err
	}
	f := store.ContactFields{
		Purpose: in.Purpose, Kind: in.Kind, Name: in.Name, JobTitle: in.JobTitle, Visibility: in.Visibility,
		Email: in.Email, Phone: in.Phone, Hours: in.Hours, OutOfHoursPhone: in.OutOfHoursPhone,
		OutOfHoursEmail: in.OutOfHoursEmail, OutOfHoursInstructions: in.OutOfHoursInstructions, Notes: in.Notes,
		ValidFrom: in.ValidFrom,
	}
	if f.ServiceID, err = parseOptionalID("input.serviceId", typeService, in.ServiceID); err != nil {
		return nil, err
	}
	if f.DeputyID, err = parseOptionalID("input.deputyId", typeContactPoint, in.DeputyID); err != nil {
		return nil, err
	}
	return named[store.ContactPoint](typeContactPoint)(r.Store.CreateContactPoint(ctx, iid, f, reason))
}

func (r *mutationResolver) UpdateContactPoint(ctx context.Context, id string, expectedVersion int, in model.UpdateContactPointInput, reason *string) (*store.ContactPoint, error) {
	uid, err := parseID("id", typeContactPoint, id)
	if err != nil {
		return nil, err
	}
	p := store.ContactPatch{
		Purpose: opt(in.Purpose), Kind: opt(in.Kind), Name: opt(in.Name), JobTitle: opt(in.JobTitle),
		Visibility: opt(in.Visibility), Email: opt(in.Email), Phone: opt(in.Phone), Hours: opt(in.Hours),
		OutOfHoursPhone: opt(in.OutOfHoursPhone), OutOfHoursEmail: opt(in.OutOfHoursEmail),
		OutOfHoursInstructions: opt(in.OutOfHoursInstructions), Notes: opt(in.Notes), ValidFrom: opt(in.ValidFrom),
	}
	if p.ServiceID, err = optID("input.serviceId", typeService, in.ServiceID); err != nil {
		return nil, err
	}
	if p.DeputyID, err = optID("input.deputyId", typeContactPoint, in.DeputyID); err != nil {
		return nil, err
	}
	return named[store.ContactPoint](typeContactPoint)(r.Store.UpdateContactPoint(ctx, uid, expectedVersion, p, reason))
}

func (r *mutationResolver) RetireContactPoint(ctx context.Context, id string, expectedVersion int, reason string) (*store.ContactPoint, error) {
	return onID(typeContactPoint, id, func(uid uuid.UUID) (store.ContactPoint, error) {
		return r.Store.RetireContactPoint(ctx, uid, expectedVersion, reason)
	})
}

func (r *mutationResolver) EndContactPoint(ctx context.Context, id string, expectedVersion int, validTo time.Time, successorID *string, reason *string) (*store.ContactPoint, error) {
	uid, err := parseID("id", typeContactPoint, id)
	if err != nil {
		return nil, err
	}
	sid, err := parseOptionalID("successorId", typeContactPoint, successorID)
	if err != nil {
		return nil, err
	}
	return named[store.ContactPoint](typeContactPoint)(r.Store.EndContactPoint(ctx, uid, expectedVersion, validTo, sid, reason))
}

func (r *mutationResolver) VerifyContactPoint(ctx context.Context, id string, expectedVersion int, reason *string) (*store.ContactPoint, error) {
	return onID(typeContactPoint, id, func(uid uuid.UUID) (store.ContactPoint, error) {
		return r.Store.VerifyContactPoint(ctx, uid, expectedVersion, reason)
	})
}

// --- Governance forums ---

func (r *mutationResolver) CreateGovernanceForum(ctx context.Context, in model.CreateGovernanceForumInput, reason *string) (*store.Forum, error) {
	pid, err := parseID("input.partnershipId", typePartnership, in.PartnershipID)
	if err != nil {
		return nil, err
	}
	return named[store.Forum](typeForum)(r.Store.CreateForum(ctx, pid, store.ForumFields{
		Name: in.Name, Purpose: in.Purpose, Cadence: in.Cadence, HowToBringACase: in.HowToBringACase,
	}, reason))
}

func (r *mutationResolver) UpdateGovernanceForum(ctx context.Context, id string, expectedVersion int, in model.UpdateGovernanceForumInput, reason *string) (*store.Forum, error) {
	return onID(typeForum, id, func(uid uuid.UUID) (store.Forum, error) {
		return r.Store.UpdateForum(ctx, uid, expectedVersion, store.ForumPatch{
			Name: opt(in.Name), Purpose: opt(in.Purpose), Cadence: opt(in.Cadence), HowToBringACase: opt(in.HowToBringACase),
		}, reason)
	})
}

func (r *mutationResolver) RetireGovernanceForum(ctx context.Context, id string, expectedVersion int, reason string) (*store.Forum, error) {
	return onID(typeForum, id, func(uid uuid.UUID) (store.Forum, error) {
		return r.Store.RetireForum(ctx, uid, expectedVersion, reason)
	})
}
