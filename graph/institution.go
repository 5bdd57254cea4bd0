package graph

import (
	"context"

	"github.com/waymark/waymark/store"
)

func (r *institutionResolver) ID(_ context.Context, obj *store.Institution) (string, error) {
	return GlobalID(typeInstitution, obj.ID), nil
}

func (r *institutionResolver) Sites(ctx context.Context, obj *store.Institution) ([]store.Site, error) {
	return loadersFrom(ctx).SitesOfInstitution.Load(ctx, obj.ID)
}

func (r *institutionResolver) Services(ctx context.Context, obj *store.Institution) ([]store.Service, error) {
	return loadersFrom(ctx).ServicesOfInstitution.Load(ctx, obj.ID)
}

func (r *institutionResolver) ContactPoints(ctx context.Context, obj *store.Institution, purpose *string) ([]store.ContactPoint, error) {
	all, err := loadersFrom(ctx).ContactsOfInstitution.Load(ctx, obj.ID)
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
	return loadersFrom(ctx).MembershipsOfInstitution.Load(ctx, obj.ID)
}

func (r *siteResolver) ID(_ context.Context, obj *store.Site) (string, error) {
	return GlobalID(typeSite, obj.ID), nil
}

func (r *siteResolver) Institution(ctx context.Context, obj *store.Site) (*store.Institution, error) {
	return load(ctx, loadersFrom(ctx).Institution, obj.InstitutionID)
}
