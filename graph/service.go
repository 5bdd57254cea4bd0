package graph

import (
	"context"

	"github.com/waymark/waymark/graph/model"
	"github.com/waymark/waymark/store"
)

func (r *serviceResolver) ID(_ context.Context, obj *store.Service) (string, error) {
	return GlobalID(typeService, obj.ID), nil
}

func (r *serviceResolver) Eligibility(_ context.Context, obj *store.Service) (*model.Eligibility, error) {
	return &model.Eligibility{ServiceID: obj.ID, Description: obj.Eligibility,
		MinAge: obj.MinAge, MaxAge: obj.MaxAge, Area: obj.Area}, nil
}

func (r *serviceResolver) OpeningHours(ctx context.Context, obj *store.Service) ([]store.OpeningHours, error) {
	return loadersFrom(ctx).HoursOfService.Load(ctx, obj.ID)
}

func (r *serviceResolver) OpenNow(ctx context.Context, obj *store.Service) (bool, error) {
	if obj.Open24x7 {
		return true, nil
	}
	hours, err := loadersFrom(ctx).HoursOfService.Load(ctx, obj.ID)
	if err != nil {
		return false, err
	}
	return r.Store.OpenNow(*obj, hours), nil
}

func (r *serviceResolver) OutOfHoursService(ctx context.Context, obj *store.Service) (*store.Service, error) {
	return loadOptional(ctx, loadersFrom(ctx).Service, obj.OutOfHoursServiceID)
}

func (r *serviceResolver) Institution(ctx context.Context, obj *store.Service) (*store.Institution, error) {
	return load(ctx, loadersFrom(ctx).Institution, obj.InstitutionID)
}

func (r *serviceResolver) Partners(ctx context.Context, obj *store.Service) ([]store.Institution, error) {
	l := loadersFrom(ctx)
	ids, err := l.PartnersOfService.Load(ctx, obj.ID)
	if err != nil {
		return nil, err
	}
	return loadMany(ctx, l.Institution, ids)
}

func (r *serviceResolver) Site(ctx context.Context, obj *store.Service) (*store.Site, error) {
	return loadOptional(ctx, loadersFrom(ctx).Site, obj.SiteID)
}

func (r *serviceResolver) ContactPoints(ctx context.Context, obj *store.Service) ([]store.ContactPoint, error) {
	return loadersFrom(ctx).ContactsOfService.Load(ctx, obj.ID)
}

func (r *eligibilityResolver) Institutions(ctx context.Context, obj *model.Eligibility) ([]store.Institution, error) {
	l := loadersFrom(ctx)
	ids, err := l.EligibleOfService.Load(ctx, obj.ServiceID)
	if err != nil {
		return nil, err
	}
	return loadMany(ctx, l.Institution, ids)
}

var weekdays = [...]string{"", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"}

func (r *openingHoursResolver) Day(_ context.Context, obj *store.OpeningHours) (string, error) {
	return weekdays[obj.Day], nil
}
