package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/waymark/waymark/store"
)

func (r *institutionResolver) ID(_ context.Context, obj *store.Institution) (string, error) {
	return GlobalID(typeInstitution, obj.ID), nil
}

func (r *institutionResolver) Sites(ctx context.Context, obj *store.Institution) ([]store.Site, error) {
	return loadFor(ctx, loadersFrom(ctx).SitesOfInstitution, obj.ID)
}

func (r *institutionResolver) Services(ctx context.Context, obj *store.Institution) ([]store.Service, error) {
	return loadFor(ctx, loadersFrom(ctx).ServicesOfInstitution, obj.ID)
}

func (r *institutionResolver) ContactPoints(ctx context.Context, obj *store.Institution, purpose *string) ([]store.ContactPoint, error) {
	all, err := loadFor(ctx, loadersFrom(ctx).ContactsOfInstitution, obj.ID)
	if err != nil || purpose == nil {
		return all, err
	}
	out := []store.ContactPoint{}
	for _, c := range all {
		if c.Purpose == *purpose {
			out = append(out, c)
		}
	}
	return out, nil
}

func (r *institutionResolver) Partnerships(ctx context.Context, obj *store.Institution) ([]store.Member, error) {
	return loadFor(ctx, loadersFrom(ctx).MembershipsOfInstitution, obj.ID)
}

func (r *siteResolver) ID(_ context.Context, obj *store.Site) (string, error) {
	return GlobalID(typeSite, obj.ID), nil
}

func (r *siteResolver) Institution(ctx context.Context, obj *store.Site) (*store.Institution, error) {
	return required(loadRef(ctx, loadersFrom(ctx).Institution, obj.ID, *obj, func(s store.Site) *uuid.UUID { return &s.InstitutionID }))
}
