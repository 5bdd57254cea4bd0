package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/waymark/waymark/store"
)

// Error codes carried in extensions.code.
const (
	CodeBadUserInput     = "BAD_USER_INPUT"
	CodeUnauthenticated  = "UNAUTHENTICATED"
	CodeForbidden        = "FORBIDDEN"
	CodeNotFound         = "NOT_FOUND"
	CodeConflict         = "CONFLICT"
	CodeQueryTooComplex  = "QUERY_TOO_COMPLEX"
	CodeRateLimited      = "RATE_LIMITED"
	CodeTimeout          = "TIMEOUT"
	CodeInternal         = "INTERNAL"
	internalErrorMessage = "Something went wrong on our side. Please try again; if it keeps happening, tell the Waymark team."
	timeoutMessage       = "This request took too long and was stopped. Please try again; if it keeps happening, ask for less at once."
	busyMessage          = "Waymark is busy: nothing was changed. Please try again in a moment."
	lockedMessage        = "Someone else is changing this record right now: nothing was changed. Please try again in a moment."
)

// notFound is the error for a record that does not exist or may not be seen.
type notFound struct{ what string }

func (e notFound) Error() string { return fmt.Sprintf("No %s with that ID.", e.what) }

// notFoundBy is notFound for a lookup by something other than the ID, such
// as a UKPRN: "No institution with that UKPRN."
type notFoundBy struct{ what, by string }

func (e notFoundBy) Error() string { return fmt.Sprintf("No %s with that %s.", e.what, e.by) }

// errInternal is returned for recovered panics.
var errInternal = errors.New("internal error")

// presentError turns any error into a GraphQL error with a code from the
// list above and a message safe to show. Unexpected errors are logged and
// shown only as INTERNAL.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		out := &gqlerror.Error{Path: gerr.Path, Locations: gerr.Locations, Extensions: map[string]any{}}
		var (
			inputErr  *store.InputError
			nf        notFound
			nfBy      notFoundBy
			conflict  *store.ConflictError
			forbidden *store.ForbiddenError
		)
		switch {
		case errors.Is(err, store.ErrUnauthenticated):
			out.Message = "Sign in to do this: send a token in the Authorization header."
			out.Extensions["code"] = CodeUnauthenticated
		case errors.As(err, &forbidden):
			out.Message = "Not allowed: " + forbidden.Reason + "."
			out.Extensions["code"] = CodeForbidden
		case errors.Is(err, store.ErrRecordLocked):
			// Another edit held the row past lock_timeout. Like a version
			// conflict, the answer is to reload and try again; there is no
			// currentVersion, as the other edit had not finished.
			out.Message = lockedMessage
			out.Extensions["code"] = CodeConflict
		case errors.As(err, &conflict):
			out.Message = capitalise(conflict.Error()) + "."
			out.Extensions["code"] = CodeConflict
			out.Extensions["currentVersion"] = conflict.CurrentVersion
		case errors.As(err, &inputErr):
			out.Message = inputErr.Error()
			out.Extensions["code"] = CodeBadUserInput
			if inputErr.Field != "" {
				out.Extensions["field"] = inputErr.Field
			}
		case errors.As(err, &nf):
			out.Message = nf.Error()
			out.Extensions["code"] = CodeNotFound
		case errors.As(err, &nfBy):
			out.Message = nfBy.Error()
			out.Extensions["code"] = CodeNotFound
		case errors.Is(err, store.ErrNotFound):
			out.Message = "Not found."
			out.Extensions["code"] = CodeNotFound
		case gerr.Extensions["code"] == "COMPLEXITY_LIMIT_EXCEEDED":
			out.Message = gerr.Message + "; ask for fewer items or fewer nested fields."
			out.Extensions["code"] = CodeQueryTooComplex
		case gerr.Unwrap() == nil && (len(gerr.Path) == 0 || errcode.GetErrorKind(gqlerror.List{gerr}) == errcode.KindProtocol):
			// An error gqlgen raised about the request itself, before any
			// field ran: it could not be read or parsed, failed validation,
			// or its variables do not fit (those carry a "variable" path).
			out.Message = withoutControls(requestErrorMessage(gerr))
			out.Extensions["code"] = CodeBadUserInput
			if f := variableField(ctx, gerr.Path); f != "" {
				out.Extensions["field"] = f // see input.go
			} else if f := literalField(ctx, gerr); f != "" {
				out.Extensions["field"] = f
			}
		case errors.Is(err, store.ErrBusy):
			noteStop(ctx, log, err, gerr)
			out.Message = busyMessage
			out.Extensions["code"] = CodeTimeout
		case errors.Is(store.Classify(err), store.ErrTimeout) || ctx.Err() != nil:
			// The request's deadline passed, its client went away, or the
			// database stopped a statement: every field still running fails
			// alike, so this is logged once per request (noteStop), not
			// once per field.
			noteStop(ctx, log, err, gerr)
			out.Message = timeoutMessage
			out.Extensions["code"] = CodeTimeout
		default:
			if !errors.Is(err, errInternal) {
				log.ErrorContext(ctx, "graphql: unexpected error", "error", err, "path", gerr.Path.String())
			}
			out.Message = internalErrorMessage
			out.Extensions["code"] = CodeInternal
		}
		return out
	}
}

// requestErrorMessage is gqlgen's own message about a malformed request,
// without any echo of the request body.
func requestErrorMessage(e *gqlerror.Error) string {
	if strings.HasPrefix(e.Message, "json request body could not be decoded") ||
		strings.HasPrefix(e.Message, "could not read request body") {
		return "The request body is not valid JSON: send an object with a `query` string and optional `variables`."
	}
	if r := []rune(e.Message); len(r) > 500 {
		return string(r[:500]) + "…"
	}
	return e.Message
}

// recoverPanic logs a panic in a resolver with its stack and turns it into
// an INTERNAL error; the server keeps serving.
func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "graphql: panic in resolver", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return errInternal
	}
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Stops records, for one request, the fields that stopped because the
// request ran out of time, its client went away or the database was busy,
// so that the server logs the request once (see WithStops) instead of the
// error presenter logging every field.
type Stops struct {
	mu    sync.Mutex
	n     int
	first error
}

type stopsKey struct{}

// WithStops returns a context whose GraphQL errors about time are counted
// in the returned Stops rather than logged one by one.
func WithStops(ctx context.Context) (context.Context, *Stops) {
	s := &Stops{}
	return context.WithValue(ctx, stopsKey{}, s), s
}

// Count is how many fields stopped; First is the first one's error (nil if none).
func (s *Stops) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// First is the error of the first field that stopped, nil if none did.
func (s *Stops) First() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}

// noteStop counts a stopped field in the request's Stops; without one (the
// handler used on its own) it logs the field at info.
func noteStop(ctx context.Context, log *slog.Logger, err error, gerr *gqlerror.Error) {
	s, _ := ctx.Value(stopsKey{}).(*Stops)
	if s == nil {
		log.InfoContext(ctx, "graphql: stopped", "error", err, "path", gerr.Path.String())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == 0 {
		s.first = err
	}
	s.n++
}
