package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/waymark/waymark/graph/model"
	"github.com/waymark/waymark/store"
)

// --- Sharing agreements ---

func (r *mutationResolver) CreateSharingAgreement(ctx context.Context, in model.CreateSharingAgreementInput, reason *string) (*store.SharingAgreement, error) {
	pid, err := parseOptionalID("input.partnershipId", typePartnership, in.PartnershipID)
	if err != nil {
		return nil, err
	}
	f := store.AgreementFields{Name: in.Name, LawfulBasis: in.LawfulBasis, LawfulBasisDetail: in.LawfulBasisDetail,
		PermitsSharingWithoutConsent: in.PermitsSharingWithoutConsent, ScopeOfData: in.ScopeOfData,
		SignedOn: in.SignedOn, ReviewOn: in.ReviewOn, Status: deref(in.Status)}
	if f.PartyIDs, err = parseIDs("input.partyIds", typeInstitution, in.PartyIds); err != nil {
		return nil, err
	}
	return named[store.SharingAgreement](typeAgreement)(r.Store.CreateAgreement(ctx, pid, f, reason))
}

func (r *mutationResolver) UpdateSharingAgreement(ctx context.Context, id string, expectedVersion int, in model.UpdateSharingAgreementInput, reason *string) (*store.SharingAgreement, error) {
	p := store.AgreementPatch{Name: opt(in.Name), LawfulBasis: opt(in.LawfulBasis), LawfulBasisDetail: opt(in.LawfulBasisDetail),
		PermitsSharingWithoutConsent: opt(in.PermitsSharingWithoutConsent), ScopeOfData: opt(in.ScopeOfData),
		SignedOn: opt(in.SignedOn), ReviewOn: opt(in.ReviewOn), Status: opt(in.Status)}
	var err error
	if p.PartyIDs, err = optIDs("input.partyIds", typeInstitution, in.PartyIds); err != nil {
		return nil, err
	}
	return onID(typeAgreement, id, func(uid uuid.UUID) (store.SharingAgreement, error) {
		return r.Store.UpdateAgreement(ctx, uid, expectedVersion, p, reason)
	})
}

func (r *mutationResolver) RetireSharingAgreement(ctx context.Context, id string, expectedVersion int, reason string) (*store.SharingAgreement, error) {
	return onID(typeAgreement, id, func(uid uuid.UUID) (store.SharingAgreement, error) {
		return r.Store.RetireAgreement(ctx, uid, expectedVersion, reason)
	})
}

// --- Pathways ---

func (r *mutationResolver) CreatePathway(ctx context.Context, in model.CreatePathwayInput, reason *string) (*store.Pathway, error) {
	pid, err := parseID("input.partnershipId", typePartnership, in.PartnershipID)
	if err != nil {
		return nil, err
	}
	return named[store.Pathway](typePathway)(r.Store.CreatePathway(ctx, pid, store.PathwayFields{Name: in.Name, Description: in.Description}, reason))
}

func (r *mutationResolver) UpdatePathway(ctx context.Context, id string, expectedVersion int, in model.UpdatePathwayInput, reason *string) (*store.Pathway, error) {
	return onID(typePathway, id, func(uid uuid.UUID) (store.Pathway, error) {
		return r.Store.UpdatePathway(ctx, uid, expectedVersion, opt(in.Name), opt(in.Description), reason)
	})
}

func (r *mutationResolver) RetirePathway(ctx context.Context, id string, expectedVersion int, reason string) (*store.Pathway, error) {
	return onID(typePathway, id, func(uid uuid.UUID) (store.Pathway, error) {
		return r.Store.RetirePathway(ctx, uid, expectedVersion, reason)
	})
}

// --- Pathway steps ---

func (r *mutationResolver) CreatePathwayStep(ctx context.Context, in model.CreatePathwayStepInput, reason *string) (*store.Step, error) {
	pathwayID, err := parseID("input.pathwayId", typePathway, in.PathwayID)
	if err != nil {
		return nil, err
	}
	f := store.StepFields{Situation: in.Situation, Consents: in.Consents, MinUrgency: deref(in.MinUrgency),
		MaxUrgency: deref(in.MaxUrgency), Eligibility: in.Eligibility, WhatToSend: in.WhatToSend, Channel: in.Channel,
		TimeLimitHours: in.TimeLimitHours, ReceivingPurpose: in.ReceivingPurpose, ProtocolNotes: in.ProtocolNotes,
		FirstContactDays: in.FirstContactWithinDays, Sessions: in.Sessions, StudentExpectation: in.StudentExpectation}
	if in.RequiresStudentStatus != nil {
		f.RequiresStudentStatus = *in.RequiresStudentStatus
	}
	if in.SortOrder != nil {
		f.SortOrder = *in.SortOrder
	}
	if f.FromServiceID, err = parseID("input.fromServiceId", typeService, in.FromServiceID); err != nil {
		return nil, err
	}
	if f.ToServiceID, err = parseID("input.toServiceId", typeService, in.ToServiceID); err != nil {
		return nil, err
	}
	if f.AgreementID, err = parseOptionalID("input.agreementId", typeAgreement, in.AgreementID); err != nil {
		return nil, err
	}
	return named[store.Step](typeStep)(r.Store.CreateStep(ctx, pathwayID, f, reason))
}

func (r *mutationResolver) UpdatePathwayStep(ctx context.Context, id string, expectedVersion int, in model.UpdatePathwayStepInput, reason *string) (*store.Step, error) {
	p := store.StepPatch{Situation: opt(in.Situation), RequiresStudentStatus: opt(in.RequiresStudentStatus),
		Consents: opt(in.Consents), MinUrgency: opt(in.MinUrgency), MaxUrgency: opt(in.MaxUrgency),
		Eligibility: opt(in.Eligibility), WhatToSend: opt(in.WhatToSend), Channel: opt(in.Channel),
		TimeLimitHours: opt(in.TimeLimitHours), ReceivingPurpose: opt(in.ReceivingPurpose),
		ProtocolNotes: opt(in.ProtocolNotes), FirstContactDays: opt(in.FirstContactWithinDays),
		Sessions: opt(in.Sessions), StudentExpectation: opt(in.StudentExpectation), SortOrder: opt(in.SortOrder)}
	var err error
	if p.FromServiceID, err = optID("input.fromServiceId", typeService, in.FromServiceID); err != nil {
		return nil, err
	}
	if p.ToServiceID, err = optID("input.toServiceId", typeService, in.ToServiceID); err != nil {
		return nil, err
	}
	if p.AgreementID, err = optID("input.agreementId", typeAgreement, in.AgreementID); err != nil {
		return nil, err
	}
	return onID(typeStep, id, func(uid uuid.UUID) (store.Step, error) {
		return r.Store.UpdateStep(ctx, uid, expectedVersion, p, reason)
	})
}

func (r *mutationResolver) RetirePathwayStep(ctx context.Context, id string, expectedVersion int, reason string) (*store.Step, error) {
	return onID(typeStep, id, func(uid uuid.UUID) (store.Step, error) {
		return r.Store.RetireStep(ctx, uid, expectedVersion, reason)
	})
}
