package graph

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/waymark/waymark/store"
)

// loaderWait is how long a loader gathers keys before it queries.
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

	Area                *loader[store.Area]
	Threshold           *loader[store.Threshold]
	VersionsOfThreshold *loader[[]store.ThresholdVersion]
	ServicesOfVersion   *loader[[]store.VersionService]
	SignOffsOfVersion   *loader[[]store.SignOff]

	Agreement               *loader[store.SharingAgreement]
	PartiesOfAgreement      *loader[[]uuid.UUID]
	AgreementsOfInstitution *loader[[]store.SharingAgreement]
	Pathway                 *loader[store.Pathway]
	PathwaysOfPartnership   *loader[[]store.Pathway]
	Step                    *loader[store.Step]
	StepsOfPathway          *loader[[]store.Step]

	// siblings maps a record's ID to the IDs of the records fetched with it
	// (one page, or one batch of a nested list). Loading a nested list for
	// one record enqueues it for all its siblings at once, so that a page's
	// nested lists batch into one query however the resolvers are scheduled.
	siblings sync.Map
}

// siblingGroup is a set of records fetched together: their IDs, and the
// records themselves (a []V).
type siblingGroup struct {
	ids     []uuid.UUID
	records any
}

// groupOf records that the records in vs were fetched together.
func groupOf[V any](l *Loaders, vs []V, key func(V) uuid.UUID) {
	if key == nil || len(vs) == 0 {
		return
	}
	g := &siblingGroup{ids: make([]uuid.UUID, len(vs)), records: vs}
	for i, v := range vs {
		g.ids[i] = key(v)
	}
	for _, id := range g.ids {
		l.siblings.Store(id, g)
	}
}

// groupIDs records that the records with these IDs were fetched together.
func (l *Loaders) groupIDs(ids []uuid.UUID) {
	groupOf(l, ids, func(id uuid.UUID) uuid.UUID { return id })
}

func (l *Loaders) siblingsOf(id uuid.UUID) *siblingGroup {
	g, _ := l.siblings.Load(id)
	sg, _ := g.(*siblingGroup)
	return sg
}

// byID makes a loader of single records by ID.
func byID[V any](l *Loaders, fetch func(context.Context, []uuid.UUID) ([]V, error), key func(V) uuid.UUID) *loader[V] {
	return dataloadgen.NewMappedLoader(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]V, error) {
		rows, err := fetch(ctx, ids)
		if err != nil {
			return nil, err
		}
		groupOf(l, rows, key)
		m := make(map[uuid.UUID]V, len(rows))
		for _, r := range rows {
			m[key(r)] = r
		}
		return m, nil
	}, dataloadgen.WithWait(loaderWait))
}

// grouped makes a loader of lists by parent ID; every parent gets a list,
// empty when it has no children. When key is given, all the children of one
// batch are grouped as siblings.
func grouped[R, V any](l *Loaders, fetch func(context.Context, []uuid.UUID) ([]R, error),
	parent func(R) uuid.UUID, value func(R) V, key func(V) uuid.UUID) *loader[[]V] {
	return dataloadgen.NewMappedLoader(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]V, error) {
		rows, err := fetch(ctx, ids)
		if err != nil {
			return nil, err
		}
		m := make(map[uuid.UUID][]V, len(ids))
		for _, id := range ids {
			m[id] = []V{}
		}
		all := make([]V, len(rows))
		for i, r := range rows {
			all[i] = value(r)
			m[parent(r)] = append(m[parent(r)], all[i])
		}
		groupOf(l, all, key)
		return m, nil
	}, dataloadgen.WithWait(loaderWait))
}

func same[V any](v V) V { return v }

func institutionKey(i store.Institution) uuid.UUID { return i.ID }
func siteKey(s store.Site) uuid.UUID               { return s.ID }
func partnershipKey(p store.Partnership) uuid.UUID { return p.ID }
func forumKey(f store.Forum) uuid.UUID             { return f.ID }
func serviceKey(s store.Service) uuid.UUID         { return s.ID }
func contactKey(c store.ContactPoint) uuid.UUID    { return c.ID }

// NewLoaders makes the loaders for one operation.
func NewLoaders(s *store.Store) *Loaders {
	l := &Loaders{}
	l.Institution = byID(l, s.InstitutionsByIDs, institutionKey)
	l.Site = byID(l, s.SitesByIDs, siteKey)
	l.Partnership = byID(l, s.PartnershipsByIDs, partnershipKey)
	l.Forum = byID(l, s.ForumsByIDs, forumKey)
	l.Service = byID(l, s.ServicesByIDs, serviceKey)
	l.ContactPoint = byID(l, s.ContactPointsByIDs, contactKey)

	l.SitesOfInstitution = grouped(l, s.SitesByInstitutions,
		func(x store.Site) uuid.UUID { return x.InstitutionID }, same[store.Site], siteKey)
	l.ServicesOfInstitution = grouped(l, s.ServicesByInstitutions,
		func(p store.ProvidedService) uuid.UUID { return p.ProviderID },
		func(p store.ProvidedService) store.Service { return p.Service }, serviceKey)
	l.ContactsOfInstitution = grouped(l, s.ContactPointsByInstitutions,
		func(c store.ContactPoint) uuid.UUID { return c.InstitutionID }, same[store.ContactPoint], contactKey)
	l.MembershipsOfInstitution = grouped(l, s.MembershipsByInstitutions,
		func(m store.Member) uuid.UUID { return m.InstitutionID }, same[store.Member], nil)
	l.MembersOfPartnership = grouped(l, s.MembersByPartnerships,
		func(m store.Member) uuid.UUID { return m.PartnershipID }, same[store.Member], nil)
	l.ForumsOfPartnership = grouped(l, s.ForumsByPartnerships,
		func(f store.Forum) uuid.UUID { return f.PartnershipID }, same[store.Forum], forumKey)
	l.LeadsOfPartnership = grouped(l, s.LeadsByPartnerships,
		func(p store.PartnershipLead) uuid.UUID { return p.PartnershipID },
		func(p store.PartnershipLead) store.ContactPoint { return p.ContactPoint }, contactKey)
	l.ContactsOfService = grouped(l, s.ContactPointsByServices,
		func(c store.ContactPoint) uuid.UUID { return *c.ServiceID }, same[store.ContactPoint], contactKey)
	l.PartnersOfService = grouped(l, s.PartnersOfServices,
		func(k store.Link) uuid.UUID { return k.ServiceID }, func(k store.Link) uuid.UUID { return k.InstitutionID }, nil)
	l.EligibleOfService = grouped(l, s.EligibleInstitutionsOfServices,
		func(k store.Link) uuid.UUID { return k.ServiceID }, func(k store.Link) uuid.UUID { return k.InstitutionID }, nil)
	l.HoursOfService = grouped(l, s.OpeningHoursOfServices,
		func(h store.OpeningHours) uuid.UUID { return h.ServiceID }, same[store.OpeningHours], nil)
	l.Area = byID(l, s.AreasByIDs, func(a store.Area) uuid.UUID { return a.ID })
	l.Threshold = byID(l, s.ThresholdsByIDs, func(t store.Threshold) uuid.UUID { return t.ID })
	l.VersionsOfThreshold = grouped(l, s.VersionsOfThresholds,
		func(v store.ThresholdVersion) uuid.UUID { return v.ThresholdID }, same[store.ThresholdVersion],
		func(v store.ThresholdVersion) uuid.UUID { return v.ID })
	l.ServicesOfVersion = grouped(l, s.ServicesOfVersions,
		func(v store.VersionService) uuid.UUID { return v.ThresholdVersionID }, same[store.VersionService], nil)
	l.SignOffsOfVersion = grouped(l, s.SignOffsOfVersions,
		func(o store.SignOff) uuid.UUID { return o.ThresholdVersionID }, same[store.SignOff], nil)
	l.Agreement = byID(l, s.AgreementsByIDs, func(a store.SharingAgreement) uuid.UUID { return a.ID })
	l.PartiesOfAgreement = grouped(l, s.PartiesOfAgreements,
		func(p store.AgreementParty) uuid.UUID { return p.AgreementID },
		func(p store.AgreementParty) uuid.UUID { return p.InstitutionID }, nil)
	l.AgreementsOfInstitution = grouped(l, s.AgreementsOfInstitutions,
		func(a store.InstitutionAgreement) uuid.UUID { return a.InstitutionID },
		func(a store.InstitutionAgreement) store.SharingAgreement { return a.SharingAgreement }, nil)
	l.Pathway = byID(l, s.PathwaysByIDs, func(p store.Pathway) uuid.UUID { return p.ID })
	l.PathwaysOfPartnership = grouped(l, s.PathwaysByPartnerships,
		func(p store.Pathway) uuid.UUID { return p.PartnershipID }, same[store.Pathway],
		func(p store.Pathway) uuid.UUID { return p.ID })
	l.Step = byID(l, s.StepsByIDs, func(st store.Step) uuid.UUID { return st.ID })
	l.StepsOfPathway = grouped(l, s.StepsOfPathways,
		func(st store.Step) uuid.UUID { return st.PathwayID }, same[store.Step],
		func(st store.Step) uuid.UUID { return st.ID })
	return l
}

type loadersKey struct{}

func withLoaders(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

func loadersFrom(ctx context.Context) *Loaders {
	return ctx.Value(loadersKey{}).(*Loaders)
}

// loadFor loads what ld holds for the record id (a nested list), enqueuing
// it for all of id's siblings in the same batch.
func loadFor[V any](ctx context.Context, ld *loader[V], id uuid.UUID) (V, error) {
	if g := loadersFrom(ctx).siblingsOf(id); g != nil {
		ld.LoadAllThunk(ctx, g.ids)
	}
	return ld.Load(ctx, id)
}

// loadRef loads the record that parent refers to through ref (nil when it
// refers to none, or to one the viewer may not see), enqueuing the records
// that all of parent's siblings refer to in the same batch.
func loadRef[P, V any](ctx context.Context, ld *loader[V], parentID uuid.UUID, parent P, ref func(P) *uuid.UUID) (*V, error) {
	if g := loadersFrom(ctx).siblingsOf(parentID); g != nil {
		if records, ok := g.records.([]P); ok {
			for _, r := range records {
				if id := ref(r); id != nil {
					ld.LoadThunk(ctx, *id)
				}
			}
		}
	}
	return loadOptional(ctx, ld, ref(parent))
}

// loadLinked loads the records whose IDs the list loader links holds for
// parentID, enqueuing the linked records of all of parentID's siblings in the
// same batch.
func loadLinked[V any](ctx context.Context, links *loader[[]uuid.UUID], ld *loader[V], parentID uuid.UUID) ([]V, error) {
	ids, err := loadFor(ctx, links, parentID)
	if err != nil {
		return nil, err
	}
	if g := loadersFrom(ctx).siblingsOf(parentID); g != nil {
		// The siblings' lists came in the same batch as ours: cached.
		if lists, err := links.LoadAll(ctx, g.ids); err == nil {
			for _, list := range lists {
				for _, id := range list {
					ld.LoadThunk(ctx, id)
				}
			}
		}
	}
	return loadMany(ctx, ld, ids)
}

// required turns a missing referenced record into an error: the database
// guarantees it exists, so its absence is a fault.
func required[V any](v *V, err error) (*V, error) {
	if err == nil && v == nil {
		return nil, errors.New("referenced record is missing")
	}
	return v, err
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
