package graph

import (
	"context"
	"errors"

	"github.com/waymark/waymark/graph/model"
	"github.com/waymark/waymark/store"
)

func (r *queryResolver) Node(ctx context.Context, id string) (model.Node, error) {
	typ, uid, err := parseGlobalID("id", id)
	if err != nil {
		return nil, err
	}
	l := loadersFrom(ctx)
	var node model.Node
	switch typ {
	case typeInstitution:
		node, err = found(load(ctx, l.Institution, uid))
	case typeSite:
		node, err = found(load(ctx, l.Site, uid))
	case typePartnership:
		node, err = found(load(ctx, l.Partnership, uid))
	case typeForum:
		node, err = found(load(ctx, l.Forum, uid))
	case typeService:
		node, err = found(load(ctx, l.Service, uid))
	case typeContactPoint:
		node, err = found(load(ctx, l.ContactPoint, uid))
	case typeArea:
		node, err = found(load(ctx, l.Area, uid))
	case typeAgreement:
		node, err = found(load(ctx, l.Agreement, uid))
	case typePathway:
		node, err = found(load(ctx, l.Pathway, uid))
	case typeStep:
		node, err = found(load(ctx, l.Step, uid))
	case typeThreshold:
		var t *store.Threshold
		if t, err = load(ctx, l.Threshold, uid); err == nil {
			node = &model.ThresholdView{Threshold: *t, AsOf: r.Store.Now()}
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound{typ}
	}
	return node, err
}

// found turns a typed pointer into a Node without making a typed nil.
func found[V any](v *V, err error) (model.Node, error) {
	if err != nil || v == nil {
		return nil, err
	}
	return v, nil
}

func (r *queryResolver) Institution(ctx context.Context, id string) (*store.Institution, error) {
	uid, err := parseID("id", typeInstitution, id)
	if err != nil {
		return nil, err
	}
	return orNotFound[store.Institution](typeInstitution)(load(ctx, loadersFrom(ctx).Institution, uid))
}

// codeNames name each InstitutionCodeScheme in NOT_FOUND messages.
var codeNames = map[model.InstitutionCodeScheme]string{
	model.InstitutionCodeSchemeOds: "ODS code", model.InstitutionCodeSchemeUkprn: "UKPRN",
	model.InstitutionCodeSchemeCharity: "charity number",
}

func (r *queryResolver) InstitutionByCode(ctx context.Context, scheme model.InstitutionCodeScheme, code string) (*store.Institution, error) {
	inst, err := r.Store.InstitutionByCode(ctx, string(scheme), code)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFoundBy{"institution", codeNames[scheme]}
	}
	return inst, err
}

func (r *queryResolver) Service(ctx context.Context, id string) (*store.Service, error) {
	uid, err := parseID("id", typeService, id)
	if err != nil {
		return nil, err
	}
	return orNotFound[store.Service](typeService)(load(ctx, loadersFrom(ctx).Service, uid))
}

func (r *queryResolver) Partnership(ctx context.Context, id string) (*store.Partnership, error) {
	uid, err := parseID("id", typePartnership, id)
	if err != nil {
		return nil, err
	}
	return orNotFound[store.Partnership](typePartnership)(load(ctx, loadersFrom(ctx).Partnership, uid))
}

// orNotFound names the type in a store.ErrNotFound.
func orNotFound[V any](typ string) func(*V, error) (*V, error) {
	return func(v *V, err error) (*V, error) {
		if errors.Is(err, store.ErrNotFound) {
			return nil, notFound{typ}
		}
		return v, err
	}
}

func (r *queryResolver) ContactPoints(ctx context.Context, institutionID string, purpose string) ([]store.CurrentContact, error) {
	id, err := parseID("institutionId", typeInstitution, institutionID)
	if err != nil {
		return nil, err
	}
	contacts, err := r.Store.CurrentContacts(ctx, id, purpose)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound{typeInstitution}
	}
	return contacts, err
}
