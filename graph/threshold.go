package graph

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/waymark/waymark/graph/generated"
	"github.com/waymark/waymark/graph/model"
	"github.com/waymark/waymark/store"
)

type (
	areaResolver             struct{ *Resolver }
	thresholdResolver        struct{ *Resolver }
	thresholdVersionResolver struct{ *Resolver }
	signOffResolver          struct{ *Resolver }
	whoHandlesResolver       struct{ *Resolver }
)

func (r *Resolver) ResponsibilityArea() generated.ResponsibilityAreaResolver { return &areaResolver{r} }
func (r *Resolver) Threshold() generated.ThresholdResolver                   { return &thresholdResolver{r} }
func (r *Resolver) ThresholdVersion() generated.ThresholdVersionResolver {
	return &thresholdVersionResolver{r}
}
func (r *Resolver) ThresholdSignOff() generated.ThresholdSignOffResolver { return &signOffResolver{r} }
func (r *Resolver) WhoHandles() generated.WhoHandlesResolver             { return &whoHandlesResolver{r} }

// --- Queries ---

func (r *queryResolver) ResponsibilityAreas(ctx context.Context) ([]store.Area, error) {
	return r.Store.Areas(ctx)
}

func (r *queryResolver) Thresholds(ctx context.Context, partnershipID string, asOf *time.Time) ([]model.ThresholdView, error) {
	pid, err := parseID("partnershipId", typePartnership, partnershipID)
	if err != nil {
		return nil, err
	}
	if _, err := orNotFound[store.Partnership](typePartnership)(load(ctx, loadersFrom(ctx).Partnership, pid)); err != nil {
		return nil, err
	}
	at := r.Store.Now()
	if asOf != nil {
		at = *asOf
	}
	ts, err := r.Store.ThresholdsByPartnership(ctx, pid)
	if err != nil {
		return nil, err
	}
	groupOf(loadersFrom(ctx), ts, func(t store.Threshold) uuid.UUID { return t.ID })
	out := make([]model.ThresholdView, len(ts))
	for i, t := range ts {
		out[i] = model.ThresholdView{Threshold: t, AsOf: at}
	}
	return out, nil
}

func (r *queryResolver) WhoHandles(ctx context.Context, institutionID string, areaID string) ([]model.WhoHandles, error) {
	iid, err := parseID("institutionId", typeInstitution, institutionID)
	if err != nil {
		return nil, err
	}
	aid, err := parseID("areaId", typeArea, areaID)
	if err != nil {
		return nil, err
	}
	rows, err := r.Store.WhoHandles(ctx, iid, aid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound{"institution or responsibility area"}
	}
	if err != nil {
		return nil, err
	}
	out := make([]model.WhoHandles, len(rows))
	var ids []uuid.UUID
	for i, row := range rows {
		out[i] = model.WhoHandles{PartnershipID: row.PartnershipID, AreaID: aid, ThresholdID: row.ThresholdID}
		if row.ThresholdID != nil {
			ids = append(ids, *row.ThresholdID)
		}
	}
	loadersFrom(ctx).groupIDs(ids)
	return out, nil
}

// --- ResponsibilityArea ---

func (r *areaResolver) ID(_ context.Context, obj *store.Area) (string, error) {
	return GlobalID(typeArea, obj.ID), nil
}

// --- Threshold ---

func (r *thresholdResolver) ID(_ context.Context, obj *model.ThresholdView) (string, error) {
	return GlobalID(typeThreshold, obj.ID), nil
}

func (r *thresholdResolver) Partnership(ctx context.Context, obj *model.ThresholdView) (*store.Partnership, error) {
	return load(ctx, loadersFrom(ctx).Partnership, obj.PartnershipID)
}

func (r *thresholdResolver) Area(ctx context.Context, obj *model.ThresholdView) (*store.Area, error) {
	return load(ctx, loadersFrom(ctx).Area, obj.AreaID)
}

func (r *thresholdResolver) InForce(ctx context.Context, obj *model.ThresholdView) (*store.ThresholdVersion, error) {
	versions, err := loadFor(ctx, loadersFrom(ctx).VersionsOfThreshold, obj.ID)
	if err != nil {
		return nil, err
	}
	return store.InForce(versions, obj.AsOf), nil
}

func (r *thresholdResolver) Pending(ctx context.Context, obj *model.ThresholdView) (*store.ThresholdVersion, error) {
	versions, err := loadFor(ctx, loadersFrom(ctx).VersionsOfThreshold, obj.ID)
	if err != nil {
		return nil, err
	}
	return store.Pending(versions), nil
}

func (r *thresholdResolver) History(ctx context.Context, obj *model.ThresholdView) ([]store.ThresholdVersion, error) {
	return loadFor(ctx, loadersFrom(ctx).VersionsOfThreshold, obj.ID)
}

// --- ThresholdVersion ---

func (r *thresholdVersionResolver) services(ctx context.Context, obj *store.ThresholdVersion, side string) ([]store.Service, error) {
	l := loadersFrom(ctx)
	links, err := loadFor(ctx, l.ServicesOfVersion, obj.ID)
	if err != nil {
		return nil, err
	}
	var ids []uuid.UUID
	for _, vs := range links {
		if vs.Side == side {
			ids = append(ids, vs.ServiceID)
		}
	}
	return loadMany(ctx, l.Service, ids)
}

func (r *thresholdVersionResolver) NhsServices(ctx context.Context, obj *store.ThresholdVersion) ([]store.Service, error) {
	return r.services(ctx, obj, "NHS")
}

func (r *thresholdVersionResolver) HepServices(ctx context.Context, obj *store.ThresholdVersion) ([]store.Service, error) {
	return r.services(ctx, obj, "HEP")
}

func (r *thresholdVersionResolver) SignOffs(ctx context.Context, obj *store.ThresholdVersion) ([]store.SignOff, error) {
	return loadFor(ctx, loadersFrom(ctx).SignOffsOfVersion, obj.ID)
}

// --- ThresholdSignOff ---

func (r *signOffResolver) Institution(ctx context.Context, obj *store.SignOff) (*store.Institution, error) {
	return load(ctx, loadersFrom(ctx).Institution, obj.InstitutionID)
}

// SignerName is staff personal data: only signed-in callers see it.
func (r *signOffResolver) SignerName(ctx context.Context, obj *store.SignOff) (*string, error) {
	if store.ViewerFrom(ctx).Role == store.RoleAnonymous {
		return nil, nil
	}
	return obj.SignerName, nil
}

func (r *signOffResolver) Voided(_ context.Context, obj *store.SignOff) (bool, error) {
	return obj.VoidedAt != nil, nil
}

// --- WhoHandles ---

func (r *whoHandlesResolver) Partnership(ctx context.Context, obj *model.WhoHandles) (*store.Partnership, error) {
	return load(ctx, loadersFrom(ctx).Partnership, obj.PartnershipID)
}

func (r *whoHandlesResolver) Area(ctx context.Context, obj *model.WhoHandles) (*store.Area, error) {
	return load(ctx, loadersFrom(ctx).Area, obj.AreaID)
}

func (r *whoHandlesResolver) Threshold(ctx context.Context, obj *model.WhoHandles) (*model.ThresholdView, error) {
	if obj.ThresholdID == nil {
		return nil, nil
	}
	t, err := load(ctx, loadersFrom(ctx).Threshold, *obj.ThresholdID)
	if err != nil {
		return nil, err
	}
	return &model.ThresholdView{Threshold: *t, AsOf: r.Store.Now()}, nil
}

func (r *whoHandlesResolver) Agreed(ctx context.Context, obj *model.WhoHandles) (*store.ThresholdVersion, error) {
	if obj.ThresholdID == nil {
		return nil, nil
	}
	versions, err := loadFor(ctx, loadersFrom(ctx).VersionsOfThreshold, *obj.ThresholdID)
	if err != nil {
		return nil, err
	}
	return store.InForce(versions, r.Store.Now()), nil
}

func (r *whoHandlesResolver) ResponsibleParty(ctx context.Context, obj *model.WhoHandles) (*string, error) {
	v, err := r.Agreed(ctx, obj)
	if err != nil || v == nil {
		return nil, err
	}
	return &v.ResponsibleParty, nil
}

var partyWords = map[string]string{
	"NHS":     "the NHS is responsible",
	"HEP":     "the university (or college) is responsible",
	"SHARED":  "the university and the NHS share responsibility",
	"STUDENT": "the student (with their trusted contact) is responsible",
	"UNCLEAR": "the partnership has agreed that responsibility is still unclear",
}

func (r *whoHandlesResolver) Statement(ctx context.Context, obj *model.WhoHandles) (string, error) {
	l := loadersFrom(ctx)
	p, err := load(ctx, l.Partnership, obj.PartnershipID)
	if err != nil {
		return "", err
	}
	a, err := load(ctx, l.Area, obj.AreaID)
	if err != nil {
		return "", err
	}
	v, err := r.Agreed(ctx, obj)
	if err != nil {
		return "", err
	}
	if v == nil {
		return fmt.Sprintf("Nothing is agreed yet in %s about who is responsible for %q.", p.Name, a.Name), nil
	}
	return fmt.Sprintf("In %s, %s for %q (version %d, agreed %s).", p.Name, partyWords[v.ResponsibleParty], a.Name,
		v.Number, v.AgreedAt.In(store.UK).Format("2 January 2006")), nil
}

// --- Mutations ---

func (r *mutationResolver) CreateResponsibilityArea(ctx context.Context, in model.CreateResponsibilityAreaInput, reason *string) (*store.Area, error) {
	return named[store.Area](typeArea)(r.Store.CreateArea(ctx, store.AreaFields{
		Name: in.Name, Description: in.Description, ReferencePlacement: in.ReferencePlacement, SortOrder: in.SortOrder,
	}, reason))
}

// view wraps a threshold returned by a mutation, seen now.
func (r *mutationResolver) view(t store.Threshold, err error) (*model.ThresholdView, error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound{typeThreshold}
	}
	if err != nil {
		return nil, err
	}
	return &model.ThresholdView{Threshold: t, AsOf: r.Store.Now()}, nil
}

func (r *mutationResolver) DraftThreshold(ctx context.Context, partnershipID string, areaID string, in model.ThresholdInput, reason *string) (*model.ThresholdView, error) {
	pid, err := parseID("partnershipId", typePartnership, partnershipID)
	if err != nil {
		return nil, err
	}
	aid, err := parseID("areaId", typeArea, areaID)
	if err != nil {
		return nil, err
	}
	f := store.ThresholdFields{ResponsibleParty: in.ResponsibleParty, Collaboration: in.Collaboration,
		Escalation: in.Escalation, StepDown: in.StepDown}
	if f.NHSServiceIDs, err = parseIDs("input.nhsServiceIds", typeService, in.NhsServiceIds); err != nil {
		return nil, err
	}
	if f.HEPServiceIDs, err = parseIDs("input.hepServiceIds", typeService, in.HepServiceIds); err != nil {
		return nil, err
	}
	return r.view(r.Store.DraftThreshold(ctx, pid, aid, f, reason))
}

func (r *mutationResolver) UpdateThreshold(ctx context.Context, id string, expectedVersion int, in model.UpdateThresholdInput, reason *string) (*model.ThresholdView, error) {
	uid, err := parseID("id", typeThreshold, id)
	if err != nil {
		return nil, err
	}
	p := store.ThresholdPatch{ResponsibleParty: opt(in.ResponsibleParty), Collaboration: opt(in.Collaboration),
		Escalation: opt(in.Escalation), StepDown: opt(in.StepDown)}
	if p.NHSServiceIDs, err = optIDs("input.nhsServiceIds", typeService, in.NhsServiceIds); err != nil {
		return nil, err
	}
	if p.HEPServiceIDs, err = optIDs("input.hepServiceIds", typeService, in.HepServiceIds); err != nil {
		return nil, err
	}
	return r.view(r.Store.UpdateThreshold(ctx, uid, expectedVersion, p, reason))
}

func (r *mutationResolver) ProposeThreshold(ctx context.Context, id string, expectedVersion int, reason *string) (*model.ThresholdView, error) {
	uid, err := parseID("id", typeThreshold, id)
	if err != nil {
		return nil, err
	}
	return r.view(r.Store.ProposeThreshold(ctx, uid, expectedVersion, reason))
}

func (r *mutationResolver) SignOffThreshold(ctx context.Context, id string, expectedVersion int, reason *string) (*model.ThresholdView, error) {
	uid, err := parseID("id", typeThreshold, id)
	if err != nil {
		return nil, err
	}
	return r.view(r.Store.SignOffThreshold(ctx, uid, expectedVersion, reason))
}

func (r *mutationResolver) WithdrawThreshold(ctx context.Context, id string, expectedVersion int, reason string) (*model.ThresholdView, error) {
	uid, err := parseID("id", typeThreshold, id)
	if err != nil {
		return nil, err
	}
	return r.view(r.Store.WithdrawThreshold(ctx, uid, expectedVersion, reason))
}
