package graph

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/waymark/waymark/graph/generated"
	"github.com/waymark/waymark/graph/model"
	"github.com/waymark/waymark/store"
)

type (
	agreementResolver   struct{ *Resolver }
	pathwayResolver     struct{ *Resolver }
	stepResolver        struct{ *Resolver }
	protocolResolver    struct{ *Resolver }
	expectationResolver struct{ *Resolver }
	handoverResolver    struct{ *Resolver }
	routeResolver       struct{ *Resolver }
	signpostResolver    struct{ *Resolver }
)

func (r *Resolver) SharingAgreement() generated.SharingAgreementResolver {
	return &agreementResolver{r}
}
func (r *Resolver) Pathway() generated.PathwayResolver         { return &pathwayResolver{r} }
func (r *Resolver) PathwayStep() generated.PathwayStepResolver { return &stepResolver{r} }
func (r *Resolver) Protocol() generated.ProtocolResolver       { return &protocolResolver{r} }
func (r *Resolver) StudentExpectation() generated.StudentExpectationResolver {
	return &expectationResolver{r}
}
func (r *Resolver) HandoverPlan() generated.HandoverPlanResolver     { return &handoverResolver{r} }
func (r *Resolver) Route() generated.RouteResolver                   { return &routeResolver{r} }
func (r *Resolver) SignpostOption() generated.SignpostOptionResolver { return &signpostResolver{r} }

// --- Queries ---

func (r *queryResolver) Handover(ctx context.Context, fromServiceID, toInstitutionID, situation, consent string) (*store.HandoverPlan, error) {
	from, err := parseID("fromServiceId", typeService, fromServiceID)
	if err != nil {
		return nil, err
	}
	to, err := parseID("toInstitutionId", typeInstitution, toInstitutionID)
	if err != nil {
		return nil, err
	}
	plan, err := r.Store.Handover(ctx, from, to, situation, consent)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound{"service or institution"}
	}
	return &plan, err
}

func (r *queryResolver) NextSteps(ctx context.Context, fromServiceID string, situation, urgency, consent *string) ([]store.Step, error) {
	from, err := parseID("fromServiceId", typeService, fromServiceID)
	if err != nil {
		return nil, err
	}
	if _, err := orNotFound[store.Service](typeService)(load(ctx, loadersFrom(ctx).Service, from)); err != nil {
		return nil, err
	}
	steps, err := r.Store.StepsFrom(ctx, []uuid.UUID{from})
	if err != nil {
		return nil, err
	}
	out := []store.Step{}
	for _, st := range steps {
		if st.Matches(deref(situation), deref(urgency), deref(consent)) {
			out = append(out, st)
		}
	}
	groupOf(loadersFrom(ctx), out, stepKey)
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func stepKey(st store.Step) uuid.UUID { return st.ID }

func (r *queryResolver) Routes(ctx context.Context, fromServiceID, toServiceID string, maxSteps *int) ([]store.Route, error) {
	from, err := parseID("fromServiceId", typeService, fromServiceID)
	if err != nil {
		return nil, err
	}
	to, err := parseID("toServiceId", typeService, toServiceID)
	if err != nil {
		return nil, err
	}
	n := 4
	if maxSteps != nil {
		n = *maxSteps
	}
	l := loadersFrom(ctx)
	for _, id := range []uuid.UUID{from, to} {
		if _, err := orNotFound[store.Service](typeService)(load(ctx, l.Service, id)); err != nil {
			return nil, err
		}
	}
	routes, err := r.Store.Routes(ctx, from, to, n)
	if err != nil {
		return nil, err
	}
	var all []store.Step
	for _, rt := range routes {
		all = append(all, rt.Steps...)
	}
	groupOf(l, all, stepKey)
	return routes, nil
}

func (r *queryResolver) Signpost(ctx context.Context, institutionID *string, need, urgency string) ([]store.Signpost, error) {
	inst, err := parseOptionalID("institutionId", typeInstitution, institutionID)
	if err != nil {
		return nil, err
	}
	ctx = store.WithViewer(ctx, store.Viewer{}) // students: PUBLIC only, whoever asks
	options, err := r.Store.Signposts(ctx, inst, need, urgency)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound{typeInstitution}
	}
	groupSignposts(ctx, options)
	return options, err
}

// groupSignposts batches the nested fields of signposting options.
func groupSignposts(ctx context.Context, options []store.Signpost) {
	l := loadersFrom(ctx)
	svcs := make([]store.Service, len(options))
	var vias []store.Step
	for i, o := range options {
		svcs[i] = o.Service
		if o.Via != nil {
			vias = append(vias, *o.Via)
		}
	}
	groupOf(l, svcs, serviceKey)
	groupOf(l, vias, stepKey) // so each step's ends load in one batch
}

func (r *queryResolver) PathwayMap(ctx context.Context, partnershipID string) (*model.PathwayMap, error) {
	pid, err := parseID("partnershipId", typePartnership, partnershipID)
	if err != nil {
		return nil, err
	}
	l := loadersFrom(ctx)
	if _, err := orNotFound[store.Partnership](typePartnership)(load(ctx, l.Partnership, pid)); err != nil {
		return nil, err
	}
	pathways, err := r.Store.PathwaysByPartnerships(ctx, []uuid.UUID{pid})
	if err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, len(pathways))
	for i, p := range pathways {
		ids[i] = p.ID
	}
	steps, err := r.Store.StepsOfPathways(ctx, ids)
	if err != nil {
		return nil, err
	}
	var serviceIDs []uuid.UUID
	seen := map[uuid.UUID]bool{}
	for _, st := range steps {
		for _, id := range []uuid.UUID{st.FromServiceID, st.ToServiceID} {
			if !seen[id] {
				seen[id] = true
				serviceIDs = append(serviceIDs, id)
			}
		}
	}
	nodes, err := loadMany(ctx, l.Service, serviceIDs)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(nodes, func(i, j int) bool { return nodes[i].Name < nodes[j].Name })
	m := &model.PathwayMap{Nodes: nodes, Edges: steps, DeadEnds: []store.Step{}}
	for _, st := range steps {
		if st.DeadEnd() {
			m.DeadEnds = append(m.DeadEnds, st)
		}
	}
	groupOf(l, steps, stepKey)
	m.Flowchart = flowchart(nodes, steps)
	return m, nil
}

// flowchart draws steps as a Mermaid flowchart, one arrow per from service,
// to service and label: steps that differ only by pathway or consent are
// drawn once. The label is the situation; an arrow none of whose steps apply
// with the student's consent says which consents it applies to ("consent
// refused"), so that it is not read as a hand-over of details. A step that
// informs no one is its own arrow, dashed, labelled "no one informed" and
// drawn red: the step is marked, never the service it leads to (a service
// may be reached by other steps that do inform someone).
func flowchart(nodes []store.Service, steps []store.Step) string {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	name := map[uuid.UUID]string{}
	for i, n := range nodes {
		name[n.ID] = fmt.Sprintf("s%d", i+1)
		fmt.Fprintf(&b, "  %s[\"%s\"]\n", name[n.ID], mermaidText(n.Name))
	}
	type arrowKey struct {
		from, to, situation string
		deadEnd             bool
	}
	type arrow struct {
		arrowKey
		consents []string
	}
	var arrows []*arrow
	byKey := map[arrowKey]*arrow{}
	for _, st := range steps {
		from, to := name[st.FromServiceID], name[st.ToServiceID]
		if from == "" || to == "" {
			continue
		}
		k := arrowKey{from, to, st.Situation, st.DeadEnd()}
		a := byKey[k]
		if a == nil {
			a = &arrow{arrowKey: k}
			byKey[k] = a
			arrows = append(arrows, a)
		}
		for _, c := range st.Consents {
			if !slices.Contains(a.consents, c) {
				a.consents = append(a.consents, c)
			}
		}
	}
	var dead []string // indexes of the dead-end arrows, for linkStyle
	for i, a := range arrows {
		label := strings.ToLower(strings.ReplaceAll(a.situation, "_", " "))
		if !slices.Contains(a.consents, "GIVEN") {
			label += " (" + consentPhrase(a.consents) + ")"
		}
		label = mermaidText(label)
		if a.deadEnd {
			fmt.Fprintf(&b, "  %s -. \"%s: no one informed\" .-> %s\n", a.from, label, a.to)
			dead = append(dead, strconv.Itoa(i))
			continue
		}
		fmt.Fprintf(&b, "  %s -- \"%s\" --> %s\n", a.from, label, a.to)
	}
	if len(dead) > 0 {
		fmt.Fprintf(&b, "  linkStyle %s stroke:#c00,stroke-width:3px\n", strings.Join(dead, ","))
	}
	return b.String()
}

// consentPhrase says in words which consents an arrow applies to, in the
// order of the Consent enum.
func consentPhrase(consents []string) string {
	words := map[string]string{"GIVEN": "consent given", "REFUSED": "consent refused",
		"NOT_ASKED": "consent not asked", "LACKS_CAPACITY": "student lacks capacity to consent"}
	var out []string
	for _, c := range store.DomainEnums["Consent"] {
		if slices.Contains(consents, c) {
			out = append(out, words[c])
		}
	}
	return strings.Join(out, " or ")
}

// mermaidText makes text safe inside a quoted Mermaid label.
func mermaidText(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "\n", " ").Replace(s)
}

// --- Institution and partnership lists ---

func (r *institutionResolver) SharingAgreements(ctx context.Context, obj *store.Institution) ([]store.SharingAgreement, error) {
	return loadFor(ctx, loadersFrom(ctx).AgreementsOfInstitution, obj.ID)
}

func (r *partnershipResolver) Pathways(ctx context.Context, obj *store.Partnership) ([]store.Pathway, error) {
	return loadFor(ctx, loadersFrom(ctx).PathwaysOfPartnership, obj.ID)
}

// --- SharingAgreement ---

func (r *agreementResolver) ID(_ context.Context, obj *store.SharingAgreement) (string, error) {
	return GlobalID(typeAgreement, obj.ID), nil
}

func (r *agreementResolver) Partnership(ctx context.Context, obj *store.SharingAgreement) (*store.Partnership, error) {
	return loadOptional(ctx, loadersFrom(ctx).Partnership, obj.PartnershipID)
}

func (r *agreementResolver) Parties(ctx context.Context, obj *store.SharingAgreement) ([]store.Institution, error) {
	l := loadersFrom(ctx)
	return loadLinked(ctx, l.PartiesOfAgreement, l.Institution, obj.ID)
}

// --- Pathway ---

func (r *pathwayResolver) ID(_ context.Context, obj *store.Pathway) (string, error) {
	return GlobalID(typePathway, obj.ID), nil
}

func (r *pathwayResolver) Partnership(ctx context.Context, obj *store.Pathway) (*store.Partnership, error) {
	return load(ctx, loadersFrom(ctx).Partnership, obj.PartnershipID)
}

func (r *pathwayResolver) Steps(ctx context.Context, obj *store.Pathway) ([]store.Step, error) {
	return loadFor(ctx, loadersFrom(ctx).StepsOfPathway, obj.ID)
}

// --- PathwayStep ---

func (r *stepResolver) ID(_ context.Context, obj *store.Step) (string, error) {
	return GlobalID(typeStep, obj.ID), nil
}

func (r *stepResolver) Pathway(ctx context.Context, obj *store.Step) (*store.Pathway, error) {
	return required(loadRef(ctx, loadersFrom(ctx).Pathway, obj.ID, *obj, func(st store.Step) *uuid.UUID { return &st.PathwayID }))
}

func (r *stepResolver) From(ctx context.Context, obj *store.Step) (*store.Service, error) {
	return required(loadRef(ctx, loadersFrom(ctx).Service, obj.ID, *obj, func(st store.Step) *uuid.UUID { return &st.FromServiceID }))
}

func (r *stepResolver) To(ctx context.Context, obj *store.Step) (*store.Service, error) {
	return required(loadRef(ctx, loadersFrom(ctx).Service, obj.ID, *obj, func(st store.Step) *uuid.UUID { return &st.ToServiceID }))
}

func (r *stepResolver) Protocol(_ context.Context, obj *store.Step) (*store.Step, error) {
	return obj, nil
}
func (r *stepResolver) StudentCanExpect(_ context.Context, obj *store.Step) (*store.Step, error) {
	return obj, nil
}
func (r *stepResolver) DeadEnd(_ context.Context, obj *store.Step) (bool, error) {
	return obj.DeadEnd(), nil
}

// --- Protocol and StudentExpectation (views of a step) ---

func (r *protocolResolver) WhatToSend(_ context.Context, obj *store.Step) ([]string, error) {
	return obj.WhatToSend, nil
}
func (r *protocolResolver) Channel(_ context.Context, obj *store.Step) (*string, error) {
	return obj.Channel, nil
}
func (r *protocolResolver) TimeLimitHours(_ context.Context, obj *store.Step) (*int, error) {
	return obj.TimeLimitHours, nil
}
func (r *protocolResolver) ReceivingPurpose(_ context.Context, obj *store.Step) (*string, error) {
	return obj.ReceivingPurpose, nil
}
func (r *protocolResolver) Agreement(ctx context.Context, obj *store.Step) (*store.SharingAgreement, error) {
	// With the agreements of the step's siblings, so a list loads them in one batch.
	return loadRef(ctx, loadersFrom(ctx).Agreement, obj.ID, *obj, func(st store.Step) *uuid.UUID { return st.AgreementID })
}
func (r *protocolResolver) Notes(_ context.Context, obj *store.Step) (*string, error) {
	return obj.ProtocolNotes, nil
}

func (r *expectationResolver) FirstContactWithinDays(_ context.Context, obj *store.Step) (*int, error) {
	return obj.FirstContactDays, nil
}
func (r *expectationResolver) Sessions(_ context.Context, obj *store.Step) (*int, error) {
	return obj.Sessions, nil
}
func (r *expectationResolver) Description(_ context.Context, obj *store.Step) (*string, error) {
	return obj.StudentExpectation, nil
}

// --- HandoverPlan ---

func (r *handoverResolver) ShareWithConsent(_ context.Context, obj *store.HandoverPlan) (bool, error) {
	return obj.Shareable, nil
}
func (r *handoverResolver) Step(_ context.Context, obj *store.HandoverPlan) (*store.Step, error) {
	return obj.Step, nil
}
func (r *handoverResolver) ReceivingService(ctx context.Context, obj *store.HandoverPlan) (*store.Service, error) {
	if obj.Step == nil {
		return nil, nil
	}
	return loadOptional(ctx, loadersFrom(ctx).Service, &obj.Step.ToServiceID)
}

// Protocol is null when nothing identifying is to be shared.
func (r *handoverResolver) Protocol(_ context.Context, obj *store.HandoverPlan) (*store.Step, error) {
	if !obj.Shareable {
		return nil, nil
	}
	return obj.Step, nil
}
func (r *handoverResolver) ContactPoints(_ context.Context, obj *store.HandoverPlan) ([]store.CurrentContact, error) {
	return obj.Contacts, nil
}

// IfYouDecideToShare is who to contact, and how, if the clinician decides to
// share without consent; null unless an agreement permits that.
func (r *handoverResolver) IfYouDecideToShare(_ context.Context, obj *store.HandoverPlan) (*model.SharingWithoutConsentRoute, error) {
	rt := obj.IfSharing
	if rt == nil {
		return nil, nil
	}
	return &model.SharingWithoutConsentRoute{ReceivingPurpose: rt.Purpose, Channel: rt.Channel, Fallback: rt.Fallback,
		ContactPoints: rt.Contacts, Warnings: rt.Warnings}, nil
}

// StudentCanExpect is the step's expectation only when the step applies with
// the student's consent: a step shown for what is not being done ("because
// you agreed...") does not describe what happens to a student who refused.
func (r *handoverResolver) StudentCanExpect(_ context.Context, obj *store.HandoverPlan) (*store.Step, error) {
	if obj.Step == nil || !slices.Contains(obj.Step.Consents, obj.Consent) {
		return nil, nil
	}
	return obj.Step, nil
}
func (r *handoverResolver) Signposting(ctx context.Context, obj *store.HandoverPlan) ([]store.Signpost, error) {
	groupSignposts(ctx, obj.Signposts)
	return obj.Signposts, nil
}

// --- Route ---

func (r *routeResolver) ExpectedHours(_ context.Context, obj *store.Route) (int, error) {
	return obj.Hours, nil
}

// --- SignpostOption ---

func (r *signpostResolver) HowToAccess(_ context.Context, obj *store.Signpost) (*string, error) {
	return obj.Service.HowToAccess, nil
}

func (r *signpostResolver) OpenNow(ctx context.Context, obj *store.Signpost) (bool, error) {
	return (&serviceResolver{r.Resolver}).OpenNow(ctx, &obj.Service)
}

func (r *signpostResolver) WhatToExpect(_ context.Context, obj *store.Signpost) (*string, error) {
	return obj.Service.WhatToExpect, nil
}

func (r *signpostResolver) ExpectedWaitDays(_ context.Context, obj *store.Signpost) (*int, error) {
	return obj.Service.ExpectedWaitDays, nil
}
