package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNotFound means the record does not exist, has been retired, or is not
// visible to the caller: the three are deliberately indistinguishable.
var ErrNotFound = errors.New("not found")

// InputError is a request the caller must fix. Field names the offending
// input ("filter.near.latitude"); Message is safe to show to the caller.
type InputError struct {
	Field   string
	Message string
}

func (e *InputError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Message)
}

// BadInput returns an *InputError.
func BadInput(field, format string, args ...any) error {
	return &InputError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrUnauthenticated means the change needs a signed-in caller.
var ErrUnauthenticated = errors.New("sign in to make changes")

// ErrForbidden means the caller may not do this to this record.
var ErrForbidden = errors.New("forbidden")

// ForbiddenError is ErrForbidden with a reason safe to show.
type ForbiddenError struct{ Reason string }

func (e *ForbiddenError) Error() string { return e.Reason }
func (e *ForbiddenError) Is(target error) bool {
	return target == ErrForbidden
}

func forbidden(format string, args ...any) error {
	return &ForbiddenError{Reason: fmt.Sprintf(format, args...)}
}

// ConflictError means the record changed since the version the caller based
// their edit on: nothing was changed. CurrentVersion is the record's version now.
type ConflictError struct {
	Entity         string
	CurrentVersion int
	// Message, when set, says what conflicts (otherwise: a newer version).
	Message string
}

func (e *ConflictError) Error() string {
	if e.Message != "" {
		return e.Message
	}
	return fmt.Sprintf("this %s has been changed by someone else since the version you edited (it is now at version %d): reload it and apply your change again",
		e.Entity, e.CurrentVersion)
}

// ErrRecordLocked means another edit held the record for longer than the
// database's lock_timeout: nothing was changed, and trying again in a moment
// will usually work.
var ErrRecordLocked = errors.New("someone else is changing this record right now; nothing was changed: try again in a moment")

// ErrTimeout means the work ran out of time: the request's deadline passed,
// its client went away, or a statement ran past the database's
// statement_timeout (or a transaction sat idle past
// idle_in_transaction_session_timeout).
var ErrTimeout = errors.New("ran out of time")

// ErrBusy means no database connection (or, for a change, no write slot)
// came free within the acquire timeout: the database is busy, not down.
var ErrBusy = errors.New("the directory is busy")

// SQLSTATEs mapped to domain errors by Classify.
const (
	sqlstateLockNotAvailable   = "55P03" // lock_not_available: lock_timeout, or NOWAIT
	sqlstateQueryCanceled      = "57014" // query_canceled: statement_timeout, or a cancel request
	sqlstateIdleInTxTimeout    = "25P03" // idle_in_transaction_session_timeout
	sqlstateIdleSessionTimeout = "57P05" // idle_session_timeout
)

// Classify turns database errors that are about time into the domain errors
// above: a lock wait past lock_timeout is ErrRecordLocked; a cancelled or
// timed-out statement, a context that ended (deadline or client gone), and
// a transaction closed for idling are ErrTimeout. Any other error is
// returned as it is. The result wraps the original, so errors.Is still finds
// context.Canceled or context.DeadlineExceeded.
func Classify(err error) error {
	if err == nil || errors.Is(err, ErrRecordLocked) || errors.Is(err, ErrTimeout) || errors.Is(err, ErrBusy) {
		return err
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case sqlstateLockNotAvailable:
			return classified{ErrRecordLocked, err}
		case sqlstateQueryCanceled, sqlstateIdleInTxTimeout, sqlstateIdleSessionTimeout:
			return classified{ErrTimeout, err}
		}
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
		return classified{ErrTimeout, err}
	}
	return err
}

// classified is a database error with the domain error it means.
type classified struct{ domain, cause error }

func (c classified) Error() string   { return c.domain.Error() + ": " + c.cause.Error() }
func (c classified) Unwrap() []error { return []error{c.domain, c.cause} }
