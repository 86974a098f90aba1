package reunite

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// ErrBudgetExceeded reports a reservation that would take a peer past its
// element budget for the current window.
var ErrBudgetExceeded = errors.New("reunite: peer's element budget for this window is exhausted")

// ErrBudgetCorrupt reports a budget file that cannot be read as one. The
// store refuses to open it rather than start afresh, which would reset
// every peer's budget.
var ErrBudgetCorrupt = errors.New("reunite: budget file is corrupt")

// BudgetStore limits how many elements each peer may submit within a
// sliding time window, persisted so a restart does not reset it.
//
// It is the serving side's defence against a peer that probes its set with
// many guessed identities across sessions (a dictionary attack): call
// Reserve with the peer's set size before evaluating its elements, and
// refuse the session when it fails. A peer's usage at time now is the sum
// of its reservations made after now minus the window; reservations stamped
// later than now (after the clock went back) still count.
//
// Peers are named by opaque strings, such as the fingerprint of the
// peer's pinned certificate; names that differ only in invalid UTF-8 share
// a budget. The file is JSON:
//
//	{"version":1,"peers":{"<peer>":[{"time":"<RFC 3339>","n":<elements>},...]}}
//
// It is replaced atomically on every reservation and holds only peer names,
// times and counts. Only one BudgetStore at a time may use a given file.
// BudgetStore is safe for concurrent use.
type BudgetStore struct {
	mu     sync.Mutex
	path   string
	limit  int
	window time.Duration
	peers  map[string][]reservation
}

type reservation struct {
	Time time.Time `json:"time"`
	N    int       `json:"n"`
}

type budgetFile struct {
	Version int                      `json:"version"`
	Peers   map[string][]reservation `json:"peers"`
}

const budgetVersion = 1

// OpenBudgetStore opens the budget file at path, creating it with mode 0600
// if it does not exist, and allows each peer limit elements per window. A
// file that exists but is not a valid budget file is refused with an error
// wrapping ErrBudgetCorrupt.
func OpenBudgetStore(path string, limit int, window time.Duration) (*BudgetStore, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("reunite: budget limit must be positive, not %d", limit)
	}
	if window <= 0 {
		return nil, fmt.Errorf("reunite: budget window must be positive, not %v", window)
	}
	b := &BudgetStore{path: path, limit: limit, window: window, peers: map[string][]reservation{}}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := b.persist(b.peers); err != nil {
			return nil, err
		}
		return b, nil
	case err != nil:
		return nil, fmt.Errorf("reunite: reading budget file: %w", err)
	}
	var f budgetFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: not valid JSON", ErrBudgetCorrupt)
	}
	if dec.Decode(&struct{}{}) != io.EOF {
		return nil, fmt.Errorf("%w: data after the JSON value", ErrBudgetCorrupt)
	}
	if f.Version != budgetVersion {
		return nil, fmt.Errorf("%w: version %d, want %d", ErrBudgetCorrupt, f.Version, budgetVersion)
	}
	if f.Peers == nil {
		return nil, fmt.Errorf("%w: no peers member", ErrBudgetCorrupt)
	}
	for _, rs := range f.Peers {
		for _, r := range rs {
			if r.N <= 0 || r.Time.IsZero() {
				return nil, fmt.Errorf("%w: a reservation has no time or a count that is not positive", ErrBudgetCorrupt)
			}
		}
	}
	b.peers = f.Peers
	return b, nil
}

// Reserve charges elements to peer's budget at time now. If the peer's
// usage in the window ending at now plus elements would exceed the limit,
// it records nothing and returns an error wrapping ErrBudgetExceeded.
// Otherwise it records the reservation and writes the store to stable
// storage before returning nil; if that fails, the reservation is not
// recorded and Reserve returns the error, so a caller that refuses the
// session on any error fails closed. Reserving 0 elements always succeeds
// and records nothing.
func (b *BudgetStore) Reserve(peer string, elements int, now time.Time) error {
	if elements < 0 {
		return fmt.Errorf("reunite: cannot reserve a negative number of elements (%d)", elements)
	}
	peer = strings.ToValidUTF8(peer, "\uFFFD") // as the file will store it
	b.mu.Lock()
	defer b.mu.Unlock()
	used := b.used(peer, now)
	if elements > b.limit-used {
		return fmt.Errorf("%w: %d used + %d requested > limit %d", ErrBudgetExceeded, used, elements, b.limit)
	}
	if elements == 0 {
		return nil
	}
	// Build the next state aside, pruning every peer's expired
	// reservations, and adopt it only once it is on disk.
	next := make(map[string][]reservation, len(b.peers)+1)
	for p, rs := range b.peers {
		if live := b.live(rs, now); len(live) > 0 {
			next[p] = live
		}
	}
	next[peer] = append(next[peer], reservation{Time: now.UTC(), N: elements})
	if err := b.persist(next); err != nil {
		return err
	}
	b.peers = next
	return nil
}

// Used returns how many elements peer has reserved in the window ending at
// now.
func (b *BudgetStore) Used(peer string, now time.Time) int {
	peer = strings.ToValidUTF8(peer, "\uFFFD")
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used(peer, now)
}

func (b *BudgetStore) used(peer string, now time.Time) int {
	n := 0
	for _, r := range b.live(b.peers[peer], now) {
		n += r.N
	}
	return n
}

// live returns a new slice of the reservations of rs still in the window
// ending at now.
func (b *BudgetStore) live(rs []reservation, now time.Time) []reservation {
	cutoff := now.Add(-b.window)
	var out []reservation
	for _, r := range rs {
		if r.Time.After(cutoff) {
			out = append(out, r)
		}
	}
	return out
}

// persist atomically replaces the budget file with peers: it writes a
// temporary file in the same directory, syncs it, renames it over the file
// and syncs the directory.
func (b *BudgetStore) persist(peers map[string][]reservation) error {
	data, err := json.Marshal(budgetFile{Version: budgetVersion, Peers: peers})
	if err != nil {
		return fmt.Errorf("reunite: encoding budget file: %w", err)
	}
	dir, base := filepath.Split(b.path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*") // mode 0600
	if err != nil {
		return fmt.Errorf("reunite: writing budget file: %w", err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), b.path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("reunite: writing budget file: %w", err)
	}
	if err = syncDir(dir); err != nil {
		return fmt.Errorf("reunite: syncing budget file's directory: %w", err)
	}
	return nil
}
