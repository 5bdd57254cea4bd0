package store

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
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

// withVisibility adds to args the named arguments that visibleTo's
// conditions use, for the viewer in ctx.
func withVisibility(ctx context.Context, args pgx.NamedArgs) pgx.NamedArgs {
	v := ViewerFrom(ctx)
	args["viewer_professional"] = v.professional()
	args["viewer_admin"] = v.Role == RoleAdmin
	args["viewer_partnerships"] = nonNil(v.Partnerships)
	return args
}

// visibleTo is the SQL condition that the row aliased a, which has
// visibility and institution_id columns, may be seen by the viewer whose
// arguments withVisibility bound. PUBLIC rows are seen by everyone;
// PROFESSIONAL by signed-in professionals, leads and admins; PARTNERSHIP by
// viewers whose token names a partnership the row's institution belongs to,
// and by admins.
func visibleTo(a string) string {
	return `(` + a + `.visibility = 'PUBLIC'
	OR (` + a + `.visibility = 'PROFESSIONAL' AND @viewer_professional::boolean)
	OR (` + a + `.visibility = 'PARTNERSHIP' AND EXISTS (
		SELECT 1 FROM partnership_members vm
		WHERE vm.institution_id = ` + a + `.institution_id AND vm.retired_at IS NULL
		  AND vm.partnership_id = ANY(@viewer_partnerships::uuid[])))
	OR @viewer_admin::boolean)`
}

// visibleContact is the condition that contact point c may be seen: its own
// visibility allows it and, when it is the contact for a service, so does the
// service's (the contact of a professionals-only MDT is not public).
var visibleContact = `(` + visibleTo("c") + ` AND (c.service_id IS NULL OR EXISTS (
	SELECT 1 FROM services vs WHERE vs.id = c.service_id AND ` + visibleTo("vs") + `)))`

// visibleService is visibleTo for services aliased s.
var visibleService = visibleTo("s")
