package reunite

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/internal/fsfile"
)

// ErrBudgetExceeded reports a reservation that would take a peer past its
// element budget for the current window.
var ErrBudgetExceeded = errors.New("reunite: peer's element budget for this window is exhausted")

// ErrBudgetCorrupt reports a budget file that cannot be read as one. The
// store refuses to open it rather than start afresh, which would reset
// every peer's budget.
var ErrBudgetCorrupt = errors.New("reunite: budget file is corrupt")

// ErrBudgetArgument reports an argument a BudgetStore cannot make sense
// of: a limit or window that is not positive, or a reservation of a
// negative number of elements.
var ErrBudgetArgument = errors.New("reunite: invalid budget argument")

// BudgetStore limits how many elements each peer may submit within a
// sliding time window, persisted so a restart does not reset it.
//
// It is the serving side's defence against a peer that probes its set with
// many guessed identities across sessions (a dictionary attack): give it
// to Match, MatchTLS or a FileExchange as MatchConfig.Budget, which
// reserves the peer's set size before evaluating its elements and refuses
// the session when that fails, or call Reserve yourself (from
// MatchConfig.Admit). Every session is charged, one with an
// empty set too: a session costs max(elements, 1), so a peer cannot open
// sessions without limit to watch this party's set size. A peer's usage at
// time now is the sum of its reservations made after now minus the window;
// reservations stamped later than now (after the clock went back) still
// count.
//
// Peers are named by opaque strings, such as the fingerprint of the
// peer's pinned certificate (CertFingerprint, under which MatchTLS
// charges) or signing key (SigningKeyFingerprint, under which FileExchange
// charges); names that differ only in invalid UTF-8 share a budget. The
// file is JSON (encoding.Budget has its format) and holds only peer names,
// times and counts. It must be created explicitly with CreateBudgetStore:
// OpenBudgetStore refuses a missing file, since starting afresh would
// reset every peer's budget.
//
// Several BudgetStores, in one process or several (an agency serving from
// two processes), may share one file: each Reserve takes an exclusive lock
// on the side file path+".lock", re-reads the file, and replaces it
// atomically before releasing the lock, so reservations from all of them
// add up. BudgetStore is safe for concurrent use.
type BudgetStore struct {
	mu     sync.Mutex // serializes this store's reservations before the file lock
	path   string
	limit  int
	window time.Duration
}

type reservation = encoding.BudgetReservation

// budgetLockWait bounds how long Reserve waits for another process's
// reservation to finish; one takes milliseconds.
const budgetLockWait = 10 * time.Second

// CreateBudgetStore creates an empty budget file at path, with mode 0600,
// and opens it as OpenBudgetStore does. It fails with an error wrapping
// os.ErrExist, and changes nothing, if the file already exists.
func CreateBudgetStore(path string, limit int, window time.Duration) (*BudgetStore, error) {
	b, err := newBudgetStore(path, limit, window)
	if err != nil {
		return nil, err
	}
	data, err := encodeBudget(map[string][]reservation{})
	if err != nil {
		return nil, err
	}
	if err := fsfile.CreateFile(path, data, 0o600); err != nil {
		return nil, fmt.Errorf("reunite: creating budget file: %w", err)
	}
	return b, nil
}

// OpenBudgetStore opens the budget file at path and allows each peer limit
// elements per window. A missing file is refused with an error wrapping
// os.ErrNotExist (create it with CreateBudgetStore), and a file that is
// not a valid budget file with an error wrapping ErrBudgetCorrupt.
func OpenBudgetStore(path string, limit int, window time.Duration) (*BudgetStore, error) {
	b, err := newBudgetStore(path, limit, window)
	if err != nil {
		return nil, err
	}
	if _, err := b.load(); err != nil {
		return nil, err
	}
	return b, nil
}

func newBudgetStore(path string, limit int, window time.Duration) (*BudgetStore, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("%w: the limit must be positive, not %d", ErrBudgetArgument, limit)
	}
	if window <= 0 {
		return nil, fmt.Errorf("%w: the window must be positive, not %v", ErrBudgetArgument, window)
	}
	return &BudgetStore{path: path, limit: limit, window: window}, nil
}

// load reads and checks the budget file.
func (b *BudgetStore) load() (map[string][]reservation, error) {
	f, err := os.Open(b.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("reunite: budget file %s does not exist; create it explicitly "+
			"(a missing file would reset every peer's budget): %w", b.path, err)
	case err != nil:
		return nil, fmt.Errorf("reunite: reading budget file: %w", err)
	}
	defer f.Close()
	budget, err := encoding.ReadBudget(f)
	switch {
	case errors.Is(err, encoding.ErrMalformed), errors.Is(err, encoding.ErrVersion),
		errors.Is(err, encoding.ErrTooLarge), errors.Is(err, encoding.ErrTrailingData):
		return nil, fmt.Errorf("%w: %w", ErrBudgetCorrupt, err)
	case err != nil:
		return nil, fmt.Errorf("reunite: reading budget file: %w", err)
	}
	return budget.Peers, nil
}

// SessionCharge is what Reserve charges for a session in which the peer
// brings elements elements: every session costs at least one.
func SessionCharge(elements int) int { return max(elements, 1) }

// Reserve charges a session in which peer brings elements elements to the
// peer's budget at time now, and returns what it charged,
// SessionCharge(elements). If the peer's usage in the window ending at now
// plus the charge would exceed the limit, it records nothing and returns
// an error wrapping ErrBudgetExceeded. Otherwise it records the
// reservation and writes the store to stable storage before returning; if
// that fails, the reservation is not recorded and Reserve returns the
// error, so a caller that refuses the session on any error fails closed.
func (b *BudgetStore) Reserve(peer string, elements int, now time.Time) (charged int, err error) {
	if elements < 0 {
		return 0, fmt.Errorf("%w: cannot reserve a negative number of elements (%d)", ErrBudgetArgument, elements)
	}
	charge := SessionCharge(elements)
	peer = strings.ToValidUTF8(peer, "\uFFFD") // as the file will store it
	b.mu.Lock()
	defer b.mu.Unlock()
	lock, err := fsfile.LockFile(b.path+".lock", budgetLockWait)
	if err != nil {
		return 0, fmt.Errorf("reunite: locking budget file: %w", err)
	}
	defer lock.Unlock()
	peers, err := b.load()
	if err != nil {
		return 0, err
	}
	used := b.used(peers[peer], now)
	if charge > b.limit-used {
		return 0, fmt.Errorf("%w: %d used + %d requested > limit %d", ErrBudgetExceeded, used, charge, b.limit)
	}
	// Prune every peer's expired reservations on the way.
	next := make(map[string][]reservation, len(peers)+1)
	for p, rs := range peers {
		if live := b.live(rs, now); len(live) > 0 {
			next[p] = live
		}
	}
	next[peer] = append(next[peer], reservation{Time: now.UTC(), N: charge})
	data, err := encodeBudget(next)
	if err != nil {
		return 0, err
	}
	if err := fsfile.WriteFile(b.path, data, 0o600); err != nil {
		return 0, fmt.Errorf("reunite: writing budget file: %w", err)
	}
	return charge, nil
}

// Used returns how many elements peer has reserved in the window ending at
// now, as the file holds them now (other processes' reservations
// included).
func (b *BudgetStore) Used(peer string, now time.Time) (int, error) {
	peer = strings.ToValidUTF8(peer, "\uFFFD")
	peers, err := b.load()
	if err != nil {
		return 0, err
	}
	return b.used(peers[peer], now), nil
}

// used sums the live reservations of rs, saturating: a file with huge
// counts (written by hand) must not wrap around to a small usage.
func (b *BudgetStore) used(rs []reservation, now time.Time) int {
	n := 0
	for _, r := range b.live(rs, now) {
		if r.N > math.MaxInt-n {
			return math.MaxInt
		}
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

func encodeBudget(peers map[string][]reservation) ([]byte, error) {
	data, err := (&encoding.Budget{Peers: peers}).AppendBinary(nil)
	if err != nil {
		return nil, fmt.Errorf("reunite: encoding budget file: %w", err)
	}
	return data, nil
}
