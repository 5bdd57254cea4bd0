package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/waymark/waymark/store"
)

func (r *contactPointResolver) ID(_ context.Context, obj *store.ContactPoint) (string, error) {
	return GlobalID(typeContactPoint, obj.ID), nil
}

func (r *contactPointResolver) Institution(ctx context.Context, obj *store.ContactPoint) (*store.Institution, error) {
	return required(loadRef(ctx, loadersFrom(ctx).Institution, obj.ID, *obj, func(c store.ContactPoint) *uuid.UUID { return &c.InstitutionID }))
}

func (r *contactPointResolver) Service(ctx context.Context, obj *store.ContactPoint) (*store.Service, error) {
	return loadRef(ctx, loadersFrom(ctx).Service, obj.ID, *obj, func(c store.ContactPoint) *uuid.UUID { return c.ServiceID })
}

// Deputy is null when there is none or the viewer may not see them.
func (r *contactPointResolver) Deputy(ctx context.Context, obj *store.ContactPoint) (*store.ContactPoint, error) {
	return loadRef(ctx, loadersFrom(ctx).ContactPoint, obj.ID, *obj, func(c store.ContactPoint) *uuid.UUID { return c.DeputyID })
}

// Successor is null when there is none or the viewer may not see them.
func (r *contactPointResolver) Successor(ctx context.Context, obj *store.ContactPoint) (*store.ContactPoint, error) {
	return loadRef(ctx, loadersFrom(ctx).ContactPoint, obj.ID, *obj, func(c store.ContactPoint) *uuid.UUID { return c.SuccessorID })
}

func (r *contactPointResolver) Current(_ context.Context, obj *store.ContactPoint) (bool, error) {
	return r.Store.Current(*obj), nil
}

func (r *contactPointResolver) Stale(_ context.Context, obj *store.ContactPoint) (bool, error) {
	return r.Store.Stale(*obj), nil
}
