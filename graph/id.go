package graph

import (
	"encoding/base64"
	"strings"

	"github.com/google/uuid"

	"github.com/waymark/waymark/store"
)

// Type names used in global IDs; they are the GraphQL type names.
const (
	typeInstitution  = "Institution"
	typeSite         = "Site"
	typePartnership  = "Partnership"
	typeForum        = "GovernanceForum"
	typeService      = "Service"
	typeContactPoint = "ContactPoint"
	typeArea         = "ResponsibilityArea"
	typeThreshold    = "Threshold"
	typeAgreement    = "SharingAgreement"
	typePathway      = "Pathway"
	typeStep         = "PathwayStep"
)

var knownTypes = map[string]bool{
	typeInstitution: true, typeSite: true, typePartnership: true,
	typeForum: true, typeService: true, typeContactPoint: true,
	typeArea: true, typeThreshold: true, typeAgreement: true, typePathway: true, typeStep: true,
}

// GlobalID makes the opaque Relay ID of a record of the given GraphQL type.
func GlobalID(typ string, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + id.String()))
}

// parseGlobalID splits an ID made by globalID. field names the argument for
// the error message.
func parseGlobalID(field, s string) (string, uuid.UUID, error) {
	bad := store.BadInput(field, "is not a Waymark ID")
	if len(s) > 200 {
		return "", uuid.Nil, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", uuid.Nil, bad
	}
	typ, raw, ok := strings.Cut(string(b), ":")
	if !ok || !knownTypes[typ] {
		return "", uuid.Nil, bad
	}
	id, err := uuid.Parse(raw)
	if err != nil {
		return "", uuid.Nil, bad
	}
	return typ, id, nil
}

// parseID parses a global ID that must be of type want.
func parseID(field, want, s string) (uuid.UUID, error) {
	typ, id, err := parseGlobalID(field, s)
	if err != nil {
		return uuid.Nil, err
	}
	if typ != want {
		return uuid.Nil, store.BadInput(field, "is the ID of a %s, not of a %s", typ, want)
	}
	return id, nil
}

// parseOptionalID parses a global ID that may be absent.
func parseOptionalID(field, want string, s *string) (*uuid.UUID, error) {
	if s == nil {
		return nil, nil
	}
	id, err := parseID(field, want, *s)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// ParseID parses the global ID of a record of GraphQL type want, for callers
// outside the GraphQL layer (the server reads IDs from sign-in tokens).
func ParseID(want, s string) (uuid.UUID, error) { return parseID("id", want, s) }
