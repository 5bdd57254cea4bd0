// Package graph is Waymark's GraphQL layer: resolvers (one file per GraphQL
// type, each a few lines that delegate to the store), dataloaders, global IDs
// and the error presenter. The executable schema gqlgen generates from
// schema.graphqls lives in graph/generated. There is no SQL here.
package graph

import (
	"github.com/waymark/waymark/graph/generated"
	"github.com/waymark/waymark/store"
)

// Resolver is the root of every resolver; it holds what they share.
type Resolver struct {
	Store *store.Store
}

var _ generated.ResolverRoot = (*Resolver)(nil)

func (r *Resolver) Query() generated.QueryResolver             { return &queryResolver{r} }
func (r *Resolver) Institution() generated.InstitutionResolver { return &institutionResolver{r} }
func (r *Resolver) Site() generated.SiteResolver               { return &siteResolver{r} }
func (r *Resolver) Partnership() generated.PartnershipResolver { return &partnershipResolver{r} }
func (r *Resolver) GovernanceForum() generated.GovernanceForumResolver {
	return &forumResolver{r}
}
func (r *Resolver) PartnershipMember() generated.PartnershipMemberResolver {
	return &memberResolver{r}
}
func (r *Resolver) Service() generated.ServiceResolver           { return &serviceResolver{r} }
func (r *Resolver) Eligibility() generated.EligibilityResolver   { return &eligibilityResolver{r} }
func (r *Resolver) OpeningHours() generated.OpeningHoursResolver { return &openingHoursResolver{r} }
func (r *Resolver) ContactPoint() generated.ContactPointResolver { return &contactPointResolver{r} }

type (
	queryResolver        struct{ *Resolver }
	institutionResolver  struct{ *Resolver }
	siteResolver         struct{ *Resolver }
	partnershipResolver  struct{ *Resolver }
	forumResolver        struct{ *Resolver }
	memberResolver       struct{ *Resolver }
	serviceResolver      struct{ *Resolver }
	eligibilityResolver  struct{ *Resolver }
	openingHoursResolver struct{ *Resolver }
	contactPointResolver struct{ *Resolver }
)
