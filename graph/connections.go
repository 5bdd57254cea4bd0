package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/waymark/waymark/graph/model"
	"github.com/waymark/waymark/store"
)

// defaultPageSize is the page size when `first` is not given.
const defaultPageSize = 20

// pageArgs turns `first` and `after` into a store.Page; the store checks the bounds.
func pageArgs(first *int, after *string) (store.Page, error) {
	p := store.Page{First: defaultPageSize}
	if first != nil {
		p.First = *first
	}
	if after != nil {
		c, err := store.ParseCursor("after", *after)
		if err != nil {
			return p, err
		}
		p.After = c
	}
	return p, nil
}

func (r *queryResolver) Institutions(ctx context.Context, filter *model.InstitutionFilter, first *int, after *string) (*model.InstitutionConnection, error) {
	p, err := pageArgs(first, after)
	if err != nil {
		return nil, err
	}
	f := store.InstitutionFilter{}
	if filter != nil {
		f.Text, f.Kinds, f.Region = filter.Text, filter.Kinds, filter.Region
		if f.PartnershipID, err = parseOptionalID("filter.partnershipId", typePartnership, filter.PartnershipID); err != nil {
			return nil, err
		}
	}
	items, more, err := r.Store.ListInstitutions(ctx, f, p)
	if err != nil {
		return nil, err
	}
	conn := &model.InstitutionConnection{
		Edges: make([]model.InstitutionEdge, len(items)),
		Count: func(ctx context.Context) (int, error) { return r.Store.CountInstitutions(ctx, f) },
	}
	cursors := make([]string, len(items))
	for i := range items {
		cursors[i] = store.InstitutionCursor(items[i]).String()
		conn.Edges[i] = model.InstitutionEdge{Cursor: cursors[i], Node: &items[i]}
	}
	conn.PageInfo = model.NewPageInfo(cursors, more, p.After != nil)
	groupOf(loadersFrom(ctx), items, institutionKey)
	return conn, nil
}

func (r *queryResolver) Services(ctx context.Context, filter *model.ServiceFilter, first *int, after *string) (*model.ServiceConnection, error) {
	p, err := pageArgs(first, after)
	if err != nil {
		return nil, err
	}
	f, err := serviceFilter(filter)
	if err != nil {
		return nil, err
	}
	hits, more, err := r.Store.ListServices(ctx, f, p)
	if err != nil {
		return nil, err
	}
	conn := &model.ServiceConnection{
		Edges: make([]model.ServiceEdge, len(hits)),
		Count: func(ctx context.Context) (int, error) { return r.Store.CountServices(ctx, f) },
	}
	cursors := make([]string, len(hits))
	for i := range hits {
		cursors[i] = store.ServiceCursor(f, hits[i]).String()
		conn.Edges[i] = model.ServiceEdge{Cursor: cursors[i], Node: &hits[i].Service, DistanceKm: hits[i].DistanceKm}
	}
	conn.PageInfo = model.NewPageInfo(cursors, more, p.After != nil)
	groupOf(loadersFrom(ctx), hits, func(h store.ServiceHit) uuid.UUID { return h.ID })
	return conn, nil
}

func serviceFilter(in *model.ServiceFilter) (store.ServiceFilter, error) {
	f := store.ServiceFilter{}
	if in == nil {
		return f, nil
	}
	var err error
	f.Text, f.Needs, f.AccessRoutes, f.MaxCareLevel, f.OpenNow = in.Text, in.Needs, in.AccessRoutes, in.MaxCareLevel, in.OpenNow
	if f.InstitutionID, err = parseOptionalID("filter.institutionId", typeInstitution, in.InstitutionID); err != nil {
		return f, err
	}
	if f.PartnershipID, err = parseOptionalID("filter.partnershipId", typePartnership, in.PartnershipID); err != nil {
		return f, err
	}
	if in.Near != nil {
		f.Near = &store.Near{Latitude: in.Near.Latitude, Longitude: in.Near.Longitude, RadiusKm: 10}
		if in.Near.RadiusKm != nil {
			f.Near.RadiusKm = *in.Near.RadiusKm
		}
	}
	return f, nil
}

func (r *queryResolver) Partnerships(ctx context.Context, first *int, after *string) (*model.PartnershipConnection, error) {
	p, err := pageArgs(first, after)
	if err != nil {
		return nil, err
	}
	items, more, err := r.Store.ListPartnerships(ctx, p)
	if err != nil {
		return nil, err
	}
	conn := &model.PartnershipConnection{
		Edges: make([]model.PartnershipEdge, len(items)),
		Count: r.Store.CountPartnerships,
	}
	cursors := make([]string, len(items))
	for i := range items {
		cursors[i] = store.PartnershipCursor(items[i]).String()
		conn.Edges[i] = model.PartnershipEdge{Cursor: cursors[i], Node: &items[i]}
	}
	conn.PageInfo = model.NewPageInfo(cursors, more, p.After != nil)
	groupOf(loadersFrom(ctx), items, partnershipKey)
	return conn, nil
}
