package graph

import (
	"context"

	"github.com/waymark/waymark/store"
)

func (r *partnershipResolver) ID(_ context.Context, obj *store.Partnership) (string, error) {
	return GlobalID(typePartnership, obj.ID), nil
}

func (r *partnershipResolver) Members(ctx context.Context, obj *store.Partnership) ([]store.Member, error) {
	return loadFor(ctx, loadersFrom(ctx).MembersOfPartnership, obj.ID)
}

func (r *partnershipResolver) Forums(ctx context.Context, obj *store.Partnership) ([]store.Forum, error) {
	return loadFor(ctx, loadersFrom(ctx).ForumsOfPartnership, obj.ID)
}

func (r *partnershipResolver) Leads(ctx context.Context, obj *store.Partnership) ([]store.ContactPoint, error) {
	return loadFor(ctx, loadersFrom(ctx).LeadsOfPartnership, obj.ID)
}

func (r *memberResolver) Partnership(ctx context.Context, obj *store.Member) (*store.Partnership, error) {
	return load(ctx, loadersFrom(ctx).Partnership, obj.PartnershipID)
}

func (r *memberResolver) Institution(ctx context.Context, obj *store.Member) (*store.Institution, error) {
	return load(ctx, loadersFrom(ctx).Institution, obj.InstitutionID)
}

func (r *forumResolver) ID(_ context.Context, obj *store.Forum) (string, error) {
	return GlobalID(typeForum, obj.ID), nil
}

func (r *forumResolver) Partnership(ctx context.Context, obj *store.Forum) (*store.Partnership, error) {
	return load(ctx, loadersFrom(ctx).Partnership, obj.PartnershipID)
}
