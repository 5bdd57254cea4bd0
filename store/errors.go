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
