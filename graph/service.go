package graph

import (
	"context"
	"math"

	"github.com/google/uuid"

	"github.com/waymark/waymark/graph/generated"
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
	return loadFor(ctx, loadersFrom(ctx).HoursOfService, obj.ID)
}

func (r *serviceResolver) OpenNow(ctx context.Context, obj *store.Service) (bool, error) {
	if obj.Open24x7 {
		return true, nil
	}
	hours, err := loadFor(ctx, loadersFrom(ctx).HoursOfService, obj.ID)
	if err != nil {
		return false, err
	}
	return r.Store.OpenNow(*obj, hours), nil
}

func (r *serviceResolver) OutOfHoursService(ctx context.Context, obj *store.Service) (*store.Service, error) {
	return loadRef(ctx, loadersFrom(ctx).Service, obj.ID, *obj, func(s store.Service) *uuid.UUID { return s.OutOfHoursServiceID })
}

func (r *serviceResolver) Institution(ctx context.Context, obj *store.Service) (*store.Institution, error) {
	return required(loadRef(ctx, loadersFrom(ctx).Institution, obj.ID, *obj, func(s store.Service) *uuid.UUID { return &s.InstitutionID }))
}

func (r *serviceResolver) Partners(ctx context.Context, obj *store.Service) ([]store.Institution, error) {
	l := loadersFrom(ctx)
	return loadLinked(ctx, l.PartnersOfService, l.Institution, obj.ID)
}

func (r *serviceResolver) Site(ctx context.Context, obj *store.Service) (*store.Site, error) {
	return loadRef(ctx, loadersFrom(ctx).Site, obj.ID, *obj, func(s store.Service) *uuid.UUID { return s.SiteID })
}

func (r *serviceResolver) ContactPoints(ctx context.Context, obj *store.Service) ([]store.ContactPoint, error) {
	return loadFor(ctx, loadersFrom(ctx).ContactsOfService, obj.ID)
}

func (r *eligibilityResolver) Institutions(ctx context.Context, obj *model.Eligibility) ([]store.Institution, error) {
	l := loadersFrom(ctx)
	return loadLinked(ctx, l.EligibleOfService, l.Institution, obj.ServiceID)
}

var weekdays = [...]string{"", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"}

func (r *openingHoursResolver) Day(_ context.Context, obj *store.OpeningHours) (string, error) {
	return weekdays[obj.Day], nil
}

type serviceEdgeResolver struct{ *Resolver }

func (r *Resolver) ServiceEdge() generated.ServiceEdgeResolver { return &serviceEdgeResolver{r} }

// DistanceKm is shown to 0.1 km: a finer figure claims a precision a site's
// coordinates do not have. The list is ordered (and its cursors made) by the
// exact distance.
func (r *serviceEdgeResolver) DistanceKm(_ context.Context, obj *model.ServiceEdge) (*float64, error) {
	if obj.DistanceKm == nil {
		return nil, nil
	}
	km := roundKm(*obj.DistanceKm)
	return &km, nil
}

// roundKm rounds a distance to the nearest 0.1 km.
func roundKm(km float64) float64 { return math.Round(km*10) / 10 }
