package encoding

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// BudgetVersion is the version of the budget file format this package
// reads and writes, the JSON member version.
const BudgetVersion = 1

// MaxBudgetFile bounds the size of a budget file, so that reading a
// hostile one cannot exhaust memory. A file of 16 MiB holds some 300,000
// reservations.
const MaxBudgetFile = 16 << 20

// BudgetReservation is one session's charge to a peer's budget: when it
// was made and how many elements it charged (at least one). The root
// package's BudgetStore makes and counts them.
type BudgetReservation struct {
	// Time is when the reservation was made, the member time in RFC 3339
	// (as time.Time marshals to JSON); it must not be zero. BudgetStore
	// counts a reservation until its window has passed since Time.
	Time time.Time `json:"time"`
	// N is the number of elements charged, the member n: max(set size, 1),
	// always positive.
	N int `json:"n"`
}

// Budget is the content of a budget file, the reservations of each peer,
// which the root package's BudgetStore keeps. The encoding is JSON,
//
//	{"version":1,"peers":{"<peer>":[{"time":"<RFC 3339>","n":<elements>},...]}}
//
// as encoding/json marshals it: peers in sorted order, peer names that are
// not valid UTF-8 with U+FFFD in place of each invalid sequence, times in
// RFC 3339 with as many fractional digits as they need. It holds only peer
// names, times and counts. The format is an agency's own record, not part
// of the protocol; PROTOCOL.md does not specify it.
type Budget struct {
	// Peers maps each peer's name (an opaque string, such as the
	// fingerprint of its pinned certificate) to its reservations, the
	// member peers. A nil map encodes as an empty object.
	Peers map[string][]BudgetReservation
}

type budgetJSON struct {
	Version *int                           `json:"version"`
	Peers   map[string][]BudgetReservation `json:"peers"`
}

// AppendBinary appends the encoding of b to dst. A nil Peers is written as
// an empty set of peers.
func (b *Budget) AppendBinary(dst []byte) ([]byte, error) {
	peers := b.Peers
	if peers == nil {
		peers = map[string][]BudgetReservation{}
	}
	version := BudgetVersion
	data, err := json.Marshal(budgetJSON{Version: &version, Peers: peers})
	if err != nil {
		return nil, fmt.Errorf("%w: budget file: %w", ErrMalformed, err)
	}
	if len(data) > MaxBudgetFile {
		return nil, fmt.Errorf("%w: a budget file of %d bytes (at most %d)", ErrTooLarge, len(data), MaxBudgetFile)
	}
	return append(dst, data...), nil
}

// UnmarshalBinary decodes b from exactly data: one JSON object with the
// members version (BudgetVersion) and peers and no others, in which every
// reservation has a time and a positive count. Other versions are refused
// with ErrVersion, data longer than MaxBudgetFile with ErrTooLarge, data
// after the object with ErrTrailingData and everything else with
// ErrMalformed; errors quote no peer name.
func (b *Budget) UnmarshalBinary(data []byte) error {
	if len(data) > MaxBudgetFile {
		return fmt.Errorf("%w: a budget file of more than %d bytes", ErrTooLarge, MaxBudgetFile)
	}
	var f struct {
		Version *int            `json:"version"`
		Peers   json.RawMessage `json:"peers"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("%w: budget file: not a JSON object of the budget file's members", ErrMalformed)
	}
	if dec.Decode(&struct{}{}) != io.EOF {
		return fmt.Errorf("%w: data after the budget file's JSON value", ErrTrailingData)
	}
	switch {
	case f.Version == nil:
		return fmt.Errorf("%w: budget file has no version member", ErrMalformed)
	case *f.Version != BudgetVersion:
		return fmt.Errorf("%w: budget file version %d (this build reads %d)", ErrVersion, *f.Version, BudgetVersion)
	}
	if len(f.Peers) == 0 || string(f.Peers) == "null" {
		return fmt.Errorf("%w: budget file has no peers member", ErrMalformed)
	}
	peers, err := decodeBudgetPeers(f.Peers)
	if err != nil {
		return err
	}
	b.Peers = peers
	return nil
}

// decodeBudgetPeers decodes the peers member, a JSON object of peer names
// and their reservations, refusing a name given twice, which a map would
// silently keep once (the last), losing the charges of the first.
func decodeBudgetPeers(raw json.RawMessage) (map[string][]BudgetReservation, error) {
	malformed := fmt.Errorf("%w: budget file: the peers member is not an object of reservation lists", ErrMalformed)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, malformed
	}
	peers := map[string][]BudgetReservation{}
	for dec.More() {
		tok, err := dec.Token()
		name, isName := tok.(string)
		if err != nil || !isName {
			return nil, malformed
		}
		if _, dup := peers[name]; dup {
			return nil, fmt.Errorf("%w: budget file names a peer twice", ErrMalformed)
		}
		var rs []BudgetReservation
		if err := dec.Decode(&rs); err != nil {
			return nil, malformed
		}
		for _, r := range rs {
			if r.N <= 0 || r.Time.IsZero() {
				return nil, fmt.Errorf("%w: a budget reservation has no time or a count that is not positive", ErrMalformed)
			}
		}
		peers[name] = rs
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, malformed
	}
	return peers, nil
}

// ReadBudget reads a budget file from r to its end, reading at most
// MaxBudgetFile+1 bytes, and decodes it as UnmarshalBinary does.
func ReadBudget(r io.Reader) (*Budget, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBudgetFile+1))
	if err != nil {
		return nil, err
	}
	b := new(Budget)
	if err := b.UnmarshalBinary(data); err != nil {
		return nil, err
	}
	return b, nil
}
