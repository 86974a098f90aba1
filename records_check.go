package reunite

import (
	"errors"
	"fmt"

	"github.com/reunite-psi/reunite/match"
)

// ErrRecords reports a record set a session refuses: nil (most likely the
// result of a read whose error was ignored), or holding a record with an
// empty ID or an ID an earlier record has. The readers of package match
// never return such a set; an empty, non-nil set is allowed.
var ErrRecords = errors.New("reunite: invalid record set")

// checkRecords returns an error wrapping ErrRecords if records is not a
// set a session may run on. It names records by position, never by ID.
//
// Match, MatchTLS, StartFileExchange and OpenFileExchange call it first
// thing.
func checkRecords(records []match.Record) error {
	if records == nil {
		return fmt.Errorf("%w: nil (was a read error ignored?)", ErrRecords)
	}
	seen := make(map[string]int, len(records))
	for i, r := range records {
		if r.ID == "" {
			return fmt.Errorf("%w: record %d has no id", ErrRecords, i+1)
		}
		if first, dup := seen[r.ID]; dup {
			return fmt.Errorf("%w: records %d and %d have the same id", ErrRecords, first+1, i+1)
		}
		seen[r.ID] = i
	}
	return nil
}
