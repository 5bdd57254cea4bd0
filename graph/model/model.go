// Package model holds the GraphQL-only types: scalars, connections and the
// input types gqlgen generates. Directory records themselves are the store's
// structs, bound in gqlgen.yml.
package model

import (
	"context"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"github.com/waymark/waymark/store"
)

// Node is any object with a global ID: a *store.Institution, *store.Service, ...
type Node any

// MarshalDateTime writes an instant in RFC 3339.
func MarshalDateTime(t time.Time) graphql.Marshaler { return graphql.MarshalTime(t) }

// UnmarshalDateTime reads an RFC 3339 instant; anything else is the
// caller's mistake (BAD_USER_INPUT), not ours.
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, store.BadInput("", "a DateTime must be a string in RFC 3339 form, e.g. 2026-03-01T09:30:00Z")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, store.BadInput("", "%q is not a DateTime in RFC 3339 form, e.g. 2026-03-01T09:30:00Z", s)
	}
	return t, nil
}

// MarshalDate writes a date as YYYY-MM-DD.
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.Format(time.DateOnly)))
	})
}

// UnmarshalDate reads a YYYY-MM-DD date.
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, store.BadInput("", "a Date must be a string in the form YYYY-MM-DD")
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, store.BadInput("", "%q is not a date in the form YYYY-MM-DD", s)
	}
	return t, nil
}

// MarshalJSON writes a JSON value as it is.
func MarshalJSON(v json.RawMessage) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		if len(v) == 0 {
			_, _ = io.WriteString(w, "null")
			return
		}
		_, _ = w.Write(v)
	})
}

// UnmarshalJSON reads any JSON value.
func UnmarshalJSON(v any) (json.RawMessage, error) {
	return json.Marshal(v)
}

// Viewer is the signed-in caller.
type Viewer struct {
	Subject        string
	Name           *string
	Role           string // PROFESSIONAL, LEAD or ADMIN
	PartnershipIDs []uuid.UUID
	InstitutionIDs []uuid.UUID
}

type AuditEntryConnection struct {
	Edges    []AuditEntryEdge
	PageInfo PageInfo
	Count    Counter
}

func (c *AuditEntryConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

type AuditEntryEdge struct {
	Cursor string
	Node   *store.AuditEntry
}

// ThresholdView is a threshold as seen at a moment: AsOf decides which
// version was in force.
type ThresholdView struct {
	store.Threshold
	AsOf time.Time
}

// WhoHandles is one partnership's answer to who handles an area.
type WhoHandles struct {
	PartnershipID uuid.UUID
	AreaID        uuid.UUID
	ThresholdID   *uuid.UUID
}

// PathwayMap is a partnership's pathways as a graph.
type PathwayMap struct {
	Nodes     []store.Service
	Edges     []store.Step
	DeadEnds  []store.Step
	Flowchart string
}

// Eligibility is who may use a service.
type Eligibility struct {
	ServiceID   uuid.UUID
	Description *string
	MinAge      *int
	MaxAge      *int
	Area        *string
}

// PageInfo is where a page sits in a connection.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// NewPageInfo describes a page whose items have the given cursors.
func NewPageInfo(cursors []string, hasNext, hasPrevious bool) PageInfo {
	p := PageInfo{HasNextPage: hasNext, HasPreviousPage: hasPrevious}
	if len(cursors) > 0 {
		p.StartCursor, p.EndCursor = &cursors[0], &cursors[len(cursors)-1]
	}
	return p
}

// Counter counts every item of a connection; it runs only when totalCount is asked for.
type Counter func(ctx context.Context) (int, error)

type InstitutionConnection struct {
	Edges    []InstitutionEdge
	PageInfo PageInfo
	Count    Counter
}

func (c *InstitutionConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

type InstitutionEdge struct {
	Cursor string
	Node   *store.Institution
}

type ServiceConnection struct {
	Edges    []ServiceEdge
	PageInfo PageInfo
	Count    Counter
}

func (c *ServiceConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

type ServiceEdge struct {
	Cursor     string
	Node       *store.Service
	DistanceKm *float64
}

type PartnershipConnection struct {
	Edges    []PartnershipEdge
	PageInfo PageInfo
	Count    Counter
}

func (c *PartnershipConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

type PartnershipEdge struct {
	Cursor string
	Node   *store.Partnership
}
