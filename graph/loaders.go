package graph

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/waymark/waymark/store"
)

// loaderWait is how long a loader gathers keys before it queries. Sibling
// fields of a list resolve concurrently, so a few milliseconds batch a whole
// page into one query.
const loaderWait = 3 * time.Millisecond

type loader[V any] = dataloadgen.Loader[uuid.UUID, V]

// Loaders batch the nested lists and references of one operation, so a page
// costs a fixed number of queries however many items it has. They are made
// afresh for every operation and see through the operation's viewer.
type Loaders struct {
	Institution  *loader[store.Institution]
	Site         *loader[store.Site]
	Partnership  *loader[store.Partnership]
	Forum        *loader[store.Forum]
	Service      *loader[store.Service]
	ContactPoint *loader[store.ContactPoint]

	SitesOfInstitution       *loader[[]store.Site]
	ServicesOfInstitution    *loader[[]store.Service]
	ContactsOfInstitution    *loader[[]store.ContactPoint]
	MembershipsOfInstitution *loader[[]store.Member]
	MembersOfPartnership     *loader[[]store.Member]
	ForumsOfPartnership      *loader[[]store.Forum]
	LeadsOfPartnership       *loader[[]store.ContactPoint]
	ContactsOfService        *loader[[]store.ContactPoint]
	PartnersOfService        *loader[[]uuid.UUID]
	EligibleOfService        *loader[[]uuid.UUID]
	HoursOfService           *loader[[]store.OpeningHours]
}

// byID makes a loader of single records by ID.
func byID[V any](fetch func(context.Context, []uuid.UUID) ([]V, error), key func(V) uuid.UUID) *loader[V] {
	return dataloadgen.NewMappedLoader(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]V, error) {
		rows, err := fetch(ctx, ids)
		if err != nil {
			return nil, err
		}
		m := make(map[uuid.UUID]V, len(rows))
		for _, r := range rows {
			m[key(r)] = r
		}
		return m, nil
	}, dataloadgen.WithWait(loaderWait))
}

// grouped makes a loader of lists by parent ID; every parent gets a list,
// empty when it has no children.
func grouped[R, V any](fetch func(context.Context, []uuid.UUID) ([]R, error), parent func(R) uuid.UUID, value func(R) V) *loader[[]V] {
	return dataloadgen.NewMappedLoader(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]V, error) {
		rows, err := fetch(ctx, ids)
		if err != nil {
			return nil, err
		}
		m := make(map[uuid.UUID][]V, len(ids))
		for _, id := range ids {
			m[id] = []V{}
		}
		for _, r := range rows {
			m[parent(r)] = append(m[parent(r)], value(r))
		}
		return m, nil
	}, dataloadgen.WithWait(loaderWait))
}

func same[V any](v V) V { return v }

// NewLoaders makes the loaders for one operation.
func NewLoaders(s *store.Store) *Loaders {
	return &Loaders{
		Institution:  byID(s.InstitutionsByIDs, func(i store.Institution) uuid.UUID { return i.ID }),
		Site:         byID(s.SitesByIDs, func(x store.Site) uuid.UUID { return x.ID }),
		Partnership:  byID(s.PartnershipsByIDs, func(p store.Partnership) uuid.UUID { return p.ID }),
		Forum:        byID(s.ForumsByIDs, func(f store.Forum) uuid.UUID { return f.ID }),
		Service:      byID(s.ServicesByIDs, func(x store.Service) uuid.UUID { return x.ID }),
		ContactPoint: byID(s.ContactPointsByIDs, func(c store.ContactPoint) uuid.UUID { return c.ID }),

		SitesOfInstitution: grouped(s.SitesByInstitutions,
			func(x store.Site) uuid.UUID { return x.InstitutionID }, same[store.Site]),
		ServicesOfInstitution: grouped(s.ServicesByInstitutions,
			func(p store.ProvidedService) uuid.UUID { return p.ProviderID },
			func(p store.ProvidedService) store.Service { return p.Service }),
		ContactsOfInstitution: grouped(s.ContactPointsByInstitutions,
			func(c store.ContactPoint) uuid.UUID { return c.InstitutionID }, same[store.ContactPoint]),
		MembershipsOfInstitution: grouped(s.MembershipsByInstitutions,
			func(m store.Member) uuid.UUID { return m.InstitutionID }, same[store.Member]),
		MembersOfPartnership: grouped(s.MembersByPartnerships,
			func(m store.Member) uuid.UUID { return m.PartnershipID }, same[store.Member]),
		ForumsOfPartnership: grouped(s.ForumsByPartnerships,
			func(f store.Forum) uuid.UUID { return f.PartnershipID }, same[store.Forum]),
		LeadsOfPartnership: grouped(s.LeadsByPartnerships,
			func(l store.PartnershipLead) uuid.UUID { return l.PartnershipID },
			func(l store.PartnershipLead) store.ContactPoint { return l.ContactPoint }),
		ContactsOfService: grouped(s.ContactPointsByServices,
			func(c store.ContactPoint) uuid.UUID { return *c.ServiceID }, same[store.ContactPoint]),
		PartnersOfService: grouped(s.PartnersOfServices,
			func(l store.Link) uuid.UUID { return l.ServiceID }, func(l store.Link) uuid.UUID { return l.InstitutionID }),
		EligibleOfService: grouped(s.EligibleInstitutionsOfServices,
			func(l store.Link) uuid.UUID { return l.ServiceID }, func(l store.Link) uuid.UUID { return l.InstitutionID }),
		HoursOfService: grouped(s.OpeningHoursOfServices,
			func(h store.OpeningHours) uuid.UUID { return h.ServiceID }, same[store.OpeningHours]),
	}
}

type loadersKey struct{}

func withLoaders(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

func loadersFrom(ctx context.Context) *Loaders {
	return ctx.Value(loadersKey{}).(*Loaders)
}

// load fetches one record through a loader; absent is store.ErrNotFound.
func load[V any](ctx context.Context, l *loader[V], id uuid.UUID) (*V, error) {
	v, err := l.Load(ctx, id)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// loadOptional fetches a record that may be absent or hidden: nil, no error.
func loadOptional[V any](ctx context.Context, l *loader[V], id *uuid.UUID) (*V, error) {
	if id == nil {
		return nil, nil
	}
	v, err := load(ctx, l, *id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return v, err
}

// loadMany fetches, in one batch, the records with these IDs that exist
// (and may be seen), in order.
func loadMany[V any](ctx context.Context, l *loader[V], ids []uuid.UUID) ([]V, error) {
	thunks := make([]func() (V, error), len(ids))
	for i, id := range ids {
		thunks[i] = l.LoadThunk(ctx, id)
	}
	out := make([]V, 0, len(ids))
	for _, thunk := range thunks {
		v, err := thunk()
		if errors.Is(err, dataloadgen.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
