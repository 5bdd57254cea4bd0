package store

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Page asks for First rows after the row the cursor After points at.
type Page struct {
	First int
	After *Cursor
}

// MaxPageSize is the most rows one page may ask for.
const MaxPageSize = 100

// Cursor is a position in a keyset-ordered list: the sort mode the list was
// ordered by, the sort key of the row and its ID.
type Cursor struct {
	Mode string
	Key  string
	ID   uuid.UUID
}

// String encodes the cursor as an opaque string.
func (c Cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte("c1\x00" + c.Mode + "\x00" + c.Key + "\x00" + c.ID.String()))
}

// ParseCursor decodes a cursor made by Cursor.String.
func ParseCursor(field, s string) (*Cursor, error) {
	bad := BadInput(field, "is not a cursor from this API; pass the endCursor of the previous page")
	if len(s) > 2000 {
		return nil, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	parts := strings.Split(string(b), "\x00")
	if len(parts) != 4 || parts[0] != "c1" || !utf8.ValidString(parts[2]) {
		return nil, bad
	}
	id, err := uuid.Parse(parts[3])
	if err != nil {
		return nil, bad
	}
	return &Cursor{Mode: parts[1], Key: parts[2], ID: id}, nil
}
