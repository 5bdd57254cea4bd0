package store

import (
	"errors"
	"fmt"
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
