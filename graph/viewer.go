package graph

import (
	"context"
	"errors"
	"strings"

	"github.com/waymark/waymark/graph/generated"
	"github.com/waymark/waymark/graph/model"
	"github.com/waymark/waymark/store"
)

type viewerResolver struct{ *Resolver }
type auditEntryResolver struct{ *Resolver }

func (r *Resolver) Viewer() generated.ViewerResolver         { return &viewerResolver{r} }
func (r *Resolver) AuditEntry() generated.AuditEntryResolver { return &auditEntryResolver{r} }

func (r *queryResolver) Viewer(ctx context.Context) (*model.Viewer, error) {
	v := store.ViewerFrom(ctx)
	if v.Role == store.RoleAnonymous {
		return nil, nil
	}
	out := &model.Viewer{Subject: v.Subject, Role: strings.ToUpper(string(v.Role)),
		PartnershipIDs: v.Partnerships, InstitutionIDs: v.Institutions}
	if v.Name != "" {
		out.Name = &v.Name
	}
	return out, nil
}

func (r *viewerResolver) Partnerships(ctx context.Context, obj *model.Viewer) ([]store.Partnership, error) {
	return loadMany(ctx, loadersFrom(ctx).Partnership, obj.PartnershipIDs)
}

func (r *viewerResolver) Institutions(ctx context.Context, obj *model.Viewer) ([]store.Institution, error) {
	return loadMany(ctx, loadersFrom(ctx).Institution, obj.InstitutionIDs)
}

func (r *queryResolver) AuditLog(ctx context.Context, entityID string, first *int, after *string) (*model.AuditEntryConnection, error) {
	_, id, err := parseGlobalID("entityId", entityID)
	if err != nil {
		return nil, err
	}
	p, err := pageArgs(first, after)
	if err != nil {
		return nil, err
	}
	items, more, err := r.Store.ListAudit(ctx, id, p)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound{"record"}
	}
	if err != nil {
		return nil, err
	}
	conn := &model.AuditEntryConnection{
		Edges: make([]model.AuditEntryEdge, len(items)),
		Count: func(ctx context.Context) (int, error) { return r.Store.CountAudit(ctx, id) },
	}
	cursors := make([]string, len(items))
	for i := range items {
		cursors[i] = store.AuditCursor(items[i]).String()
		conn.Edges[i] = model.AuditEntryEdge{Cursor: cursors[i], Node: &items[i]}
	}
	conn.PageInfo = model.NewPageInfo(cursors, more, p.After != nil)
	return conn, nil
}

func (r *auditEntryResolver) ActorRole(_ context.Context, obj *store.AuditEntry) (string, error) {
	return strings.ToUpper(obj.ActorRole), nil
}

func (r *auditEntryResolver) EntityID(_ context.Context, obj *store.AuditEntry) (string, error) {
	return GlobalID(obj.EntityType, obj.EntityID), nil
}
