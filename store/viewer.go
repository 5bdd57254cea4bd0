package store

import (
	"context"

	"github.com/google/uuid"
)

// Role is what a caller may do. The zero value is an anonymous caller (a
// student using a signposting app).
type Role string

const (
	RoleAnonymous    Role = ""
	RoleProfessional Role = "professional"
	RoleLead         Role = "lead"
	RoleAdmin        Role = "admin"
)

// Viewer is who is asking. Visibility rules are applied in this package from
// the Viewer in the context, so every path to a record obeys them.
type Viewer struct {
	Subject      string
	Name         string
	Role         Role
	Partnerships []uuid.UUID // partnerships named in the caller's token
	Institutions []uuid.UUID // institutions named in the caller's token
}

type viewerKey struct{}

// WithViewer returns ctx carrying v.
func WithViewer(ctx context.Context, v Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the viewer in ctx; anonymous when there is none.
func ViewerFrom(ctx context.Context) Viewer {
	v, _ := ctx.Value(viewerKey{}).(Viewer)
	return v
}

// professional reports whether v may see PROFESSIONAL contact points.
func (v Viewer) professional() bool {
	return v.Role == RoleProfessional || v.Role == RoleLead || v.Role == RoleAdmin
}

// visibilityArgs are the named arguments used by visibleContact.
func visibilityArgs(ctx context.Context) map[string]any {
	v := ViewerFrom(ctx)
	ps := v.Partnerships
	if ps == nil {
		ps = []uuid.UUID{}
	}
	return map[string]any{
		"viewer_professional": v.professional(),
		"viewer_admin":        v.Role == RoleAdmin,
		"viewer_partnerships": ps,
	}
}

// visibleContact is the SQL condition, over contact_points aliased c, that
// a contact point may be seen by the viewer whose visibilityArgs are bound.
const visibleContact = `(c.visibility = 'PUBLIC'
	OR (c.visibility = 'PROFESSIONAL' AND @viewer_professional::boolean)
	OR (c.visibility = 'PARTNERSHIP' AND EXISTS (
		SELECT 1 FROM partnership_members m
		WHERE m.institution_id = c.institution_id
		  AND m.partnership_id = ANY(@viewer_partnerships::uuid[])))
	OR @viewer_admin::boolean)`
