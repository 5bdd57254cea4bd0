package store

import (
	"github.com/jackc/pgx/v5"
)

// checkPage validates a page request for a list sorted in mode.
func checkPage(p Page, mode string) error {
	if p.First < 0 || p.First > MaxPageSize {
		return BadInput("first", "must be between 0 and %d", MaxPageSize)
	}
	if p.After != nil && p.After.Mode != mode {
		return BadInput("after", "is a cursor from a different list or ordering; start again without it")
	}
	return nil
}

// collectPage reads up to first+1 rows and reports whether there were more
// than first.
func collectPage[T any](rows pgx.Rows, first int, scan pgx.RowToFunc[T]) ([]T, bool, error) {
	items, err := pgx.CollectRows(rows, scan)
	if err != nil {
		return nil, false, err
	}
	if len(items) > first {
		return items[:first], true, nil
	}
	return items, false, nil
}
