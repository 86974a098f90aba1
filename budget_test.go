package reunite_test

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/psi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var budgetT0 = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

func openBudget(t *testing.T, limit int, window time.Duration) (*reunite.BudgetStore, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "budget.json")
	b, err := reunite.CreateBudgetStore(path, limit, window)
	require.NoError(t, err)
	return b, path
}

// reserve is Reserve without the charge.
func reserve(b *reunite.BudgetStore, peer string, elements int, now time.Time) error {
	_, err := b.Reserve(peer, elements, now)
	return err
}

// used is Used that fails the test on error.
func used(t *testing.T, b *reunite.BudgetStore, peer string, now time.Time) int {
	t.Helper()
	n, err := b.Used(peer, now)
	require.NoError(t, err)
	return n
}

func TestBudgetWithinAndOverLimit(t *testing.T) {
	const peerA, peerB = "sha256:aaaa", "sha256:bbbb"
	steps := []struct {
		peer     string
		elements int
		ok       bool
		usedA    int
		usedB    int
	}{
		{peerA, 40, true, 40, 0},
		{peerA, 60, true, 100, 0}, // exactly the limit
		{peerA, 1, false, 100, 0},
		{peerA, 0, false, 100, 0}, // an empty session costs one element too
		{peerB, 101, false, 100, 0},
		{peerB, 0, true, 100, 1},
		{peerB, 99, true, 100, 100}, // peers have separate budgets
		{peerB, 1, false, 100, 100},
	}
	b, _ := openBudget(t, 100, time.Hour)
	for i, s := range steps {
		err := reserve(b, s.peer, s.elements, budgetT0)
		if s.ok {
			require.NoError(t, err, "step %d", i)
		} else {
			require.ErrorIs(t, err, reunite.ErrBudgetExceeded, "step %d", i)
			assert.NotContains(t, err.Error(), "sha256:", "step %d: the error names no peer", i)
		}
		assert.Equal(t, s.usedA, used(t, b, peerA, budgetT0), "step %d", i)
		assert.Equal(t, s.usedB, used(t, b, peerB, budgetT0), "step %d", i)
	}

	err := reserve(b, peerA, 5, budgetT0)
	assert.EqualError(t, err, reunite.ErrBudgetExceeded.Error()+": 100 used + 5 requested > limit 100")
}

func TestBudgetWindowExpiry(t *testing.T) {
	const peer = "peer"
	b, _ := openBudget(t, 100, time.Hour)
	require.NoError(t, reserve(b, peer, 60, budgetT0))
	require.NoError(t, reserve(b, peer, 40, budgetT0.Add(30*time.Minute)))

	tests := []struct {
		at   time.Duration // after budgetT0
		used int
	}{
		{0, 100}, // the later reservation counts too: the clock may have gone back
		{30 * time.Minute, 100},
		{59*time.Minute + 59*time.Second, 100},
		{time.Hour, 40}, // the first reservation leaves the window
		{90*time.Minute - time.Nanosecond, 40},
		{90 * time.Minute, 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.used, used(t, b, peer, budgetT0.Add(tt.at)), "at %v", tt.at)
	}

	require.ErrorIs(t, reserve(b, peer, 1, budgetT0.Add(59*time.Minute)), reunite.ErrBudgetExceeded)
	require.NoError(t, reserve(b, peer, 60, budgetT0.Add(time.Hour)))
	require.ErrorIs(t, reserve(b, peer, 1, budgetT0.Add(time.Hour)), reunite.ErrBudgetExceeded)
	assert.Equal(t, 60, used(t, b, peer, budgetT0.Add(90*time.Minute)))
}

func TestBudgetPersistsAcrossReopen(t *testing.T) {
	const limit, window = 100, time.Hour
	b, path := openBudget(t, limit, window)
	require.NoError(t, reserve(b, "old", 10, budgetT0))
	require.NoError(t, reserve(b, "peer", 70, budgetT0.Add(time.Minute)))
	require.NoError(t, reserve(b, "peer", 25, budgetT0.Add(2*time.Minute)))

	// A restart does not reset the budget.
	b, err := reunite.OpenBudgetStore(path, limit, window)
	require.NoError(t, err)
	now := budgetT0.Add(3 * time.Minute)
	assert.Equal(t, 95, used(t, b, "peer", now))
	assert.Equal(t, 10, used(t, b, "old", now))
	require.ErrorIs(t, reserve(b, "peer", 6, now), reunite.ErrBudgetExceeded)
	require.NoError(t, reserve(b, "peer", 5, now))

	// Expired reservations are pruned from the file on the next Reserve.
	later := budgetT0.Add(time.Hour + 90*time.Second)
	require.NoError(t, reserve(b, "new", 1, later))
	var file struct {
		Version int `json:"version"`
		Peers   map[string][]struct {
			Time time.Time `json:"time"`
			N    int       `json:"n"`
		} `json:"peers"`
	}
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &file))
	assert.Equal(t, 1, file.Version)
	assert.NotContains(t, file.Peers, "old")
	require.Len(t, file.Peers["peer"], 2)
	assert.Equal(t, 25, file.Peers["peer"][0].N)
	assert.Equal(t, 5, file.Peers["peer"][1].N)

	b, err = reunite.OpenBudgetStore(path, limit, window)
	require.NoError(t, err)
	assert.Equal(t, 30, used(t, b, "peer", later))
	assert.Equal(t, 1, used(t, b, "new", later))
}

func TestBudgetConcurrentReserveNeverExceedsLimit(t *testing.T) {
	const limit, goroutines, attempts, size = 100, 16, 10, 3
	b, path := openBudget(t, limit, time.Hour)
	var granted atomic.Int64
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range attempts {
				switch err := reserve(b, "peer", size, budgetT0); {
				case err == nil:
					granted.Add(size)
				default:
					assert.ErrorIs(t, err, reunite.ErrBudgetExceeded)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(limit/size*size), granted.Load())
	assert.Equal(t, limit/size*size, used(t, b, "peer", budgetT0))

	b, err := reunite.OpenBudgetStore(path, limit, time.Hour)
	require.NoError(t, err)
	assert.Equal(t, limit/size*size, used(t, b, "peer", budgetT0))
}

func TestBudgetCorruptFileRefused(t *testing.T) {
	tests := []struct {
		name, content string
	}{
		{"empty", ""},
		{"truncated", `{"version":1,"peers":{"p":[{"time":"2026-05-01T09:00:00Z","n":5}`},
		{"null", "null"},
		{"array", "[]"},
		{"no version", `{"peers":{}}`},
		{"future version", `{"version":2,"peers":{}}`},
		{"no peers", `{"version":1}`},
		{"unknown member", `{"version":1,"peers":{},"reset":true}`},
		{"negative count", `{"version":1,"peers":{"p":[{"time":"2026-05-01T09:00:00Z","n":-50}]}}`},
		{"zero count", `{"version":1,"peers":{"p":[{"time":"2026-05-01T09:00:00Z","n":0}]}}`},
		{"no time", `{"version":1,"peers":{"p":[{"n":5}]}}`},
		{"bad time", `{"version":1,"peers":{"p":[{"time":"yesterday","n":5}]}}`},
		{"trailing data", `{"version":1,"peers":{}}{}`},
		{"trailing garbage", `{"version":1,"peers":{}} x`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "budget.json")
			require.NoError(t, os.WriteFile(path, []byte(tt.content), 0o600))
			b, err := reunite.OpenBudgetStore(path, 100, time.Hour)
			require.ErrorIs(t, err, reunite.ErrBudgetCorrupt)
			assert.Nil(t, b)
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, tt.content, string(data), "the file is left as it was")
		})
	}
}

func TestBudgetFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	b, path := openBudget(t, 100, time.Hour)
	mode := func() os.FileMode {
		info, err := os.Stat(path)
		require.NoError(t, err)
		return info.Mode().Perm()
	}
	assert.Equal(t, os.FileMode(0o600), mode(), "on creation")
	require.NoError(t, reserve(b, "peer", 1, budgetT0))
	assert.Equal(t, os.FileMode(0o600), mode(), "after an update")

	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	require.Len(t, entries, 2, "no temporary file is left behind")
	assert.Equal(t, "budget.json", entries[0].Name())
	assert.Equal(t, "budget.json.lock", entries[1].Name())
}

func TestBudgetInvalidArguments(t *testing.T) {
	path := filepath.Join(t.TempDir(), "budget.json")
	_, err := reunite.OpenBudgetStore(path, 0, time.Hour)
	require.Error(t, err)
	_, err = reunite.OpenBudgetStore(path, 10, 0)
	require.Error(t, err)
	_, err = os.Stat(path)
	require.ErrorIs(t, err, os.ErrNotExist, "invalid arguments create no file")

	b, _ := openBudget(t, 10, time.Hour)
	require.Error(t, reserve(b, "peer", -5, budgetT0))
	assert.Zero(t, used(t, b, "peer", budgetT0))
	require.NoError(t, reserve(b, "peer", 10, budgetT0))
}

func TestBudgetPersistFailureRecordsNothing(t *testing.T) {
	b, path := openBudget(t, 10, time.Hour)
	require.NoError(t, reserve(b, "peer", 2, budgetT0))
	// A directory in the lock file's place makes Reserve fail before it
	// writes anything.
	require.NoError(t, os.Remove(path+".lock"))
	require.NoError(t, os.Mkdir(path+".lock", 0o700))

	require.Error(t, reserve(b, "peer", 5, budgetT0))
	assert.Equal(t, 2, used(t, b, "peer", budgetT0), "a reservation that was not persisted is not recorded")
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no temporary file is left behind")
}

func TestBudgetMissingFileRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "budget.json")
	b, err := reunite.OpenBudgetStore(path, 100, time.Hour)
	require.ErrorIs(t, err, os.ErrNotExist)
	assert.Nil(t, b)
	assert.Contains(t, err.Error(), "create it explicitly")
	_, err = os.Stat(path)
	require.ErrorIs(t, err, os.ErrNotExist, "opening creates nothing")

	// Deleting the file under an open store does not reset budgets either.
	b, path = openBudget(t, 100, time.Hour)
	require.NoError(t, reserve(b, "peer", 90, budgetT0))
	require.NoError(t, os.Remove(path))
	require.ErrorIs(t, reserve(b, "peer", 5, budgetT0), os.ErrNotExist)
	_, err = os.Stat(path)
	require.ErrorIs(t, err, os.ErrNotExist, "Reserve does not recreate the file")

	// Creating over an existing file is refused and changes nothing.
	b, path = openBudget(t, 100, time.Hour)
	require.NoError(t, reserve(b, "peer", 7, budgetT0))
	_, err = reunite.CreateBudgetStore(path, 100, time.Hour)
	require.ErrorIs(t, err, os.ErrExist)
	assert.Equal(t, 7, used(t, b, "peer", budgetT0))
}

func TestBudgetChargesEverySession(t *testing.T) {
	tests := []struct {
		elements, charged int
	}{{0, 1}, {1, 1}, {2, 2}, {1000, 1000}}
	for _, tt := range tests {
		b, _ := openBudget(t, 5000, time.Hour)
		charged, err := b.Reserve("peer", tt.elements, budgetT0)
		require.NoError(t, err)
		assert.Equal(t, tt.charged, charged, "%d elements", tt.elements)
		assert.Equal(t, tt.charged, reunite.SessionCharge(tt.elements))
		assert.Equal(t, tt.charged, used(t, b, "peer", budgetT0), "%d elements", tt.elements)
	}
	b, _ := openBudget(t, 5000, time.Hour)
	_, err := b.Reserve("peer", -1, budgetT0)
	require.ErrorIs(t, err, reunite.ErrBudgetArgument)
	path := filepath.Join(t.TempDir(), "budget.json")
	_, err = reunite.CreateBudgetStore(path, 0, time.Hour)
	require.ErrorIs(t, err, reunite.ErrBudgetArgument, "zero limit")
	_, err = reunite.CreateBudgetStore(path, 10, 0)
	require.ErrorIs(t, err, reunite.ErrBudgetArgument, "zero window")
}

// TestBudgetSharedByTwoStores has two stores on one file, as two processes
// of one agency would: their reservations add up and never exceed the
// limit together.
func TestBudgetSharedByTwoStores(t *testing.T) {
	const limit, attempts, size = 100, 40, 3
	b1, path := openBudget(t, limit, time.Hour)
	b2, err := reunite.OpenBudgetStore(path, limit, time.Hour)
	require.NoError(t, err)
	var granted atomic.Int64
	var wg sync.WaitGroup
	for _, b := range []*reunite.BudgetStore{b1, b2} {
		wg.Go(func() {
			for range attempts {
				switch err := reserve(b, "peer", size, budgetT0); {
				case err == nil:
					granted.Add(size)
				default:
					assert.ErrorIs(t, err, reunite.ErrBudgetExceeded)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(limit/size*size), granted.Load())
	assert.Equal(t, limit/size*size, used(t, b1, "peer", budgetT0))
	assert.Equal(t, limit/size*size, used(t, b2, "peer", budgetT0))
}

func TestBudgetHugeCountsSaturate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "budget.json")
	huge := `{"time":"2026-05-01T09:00:00Z","n":9223372036854775807}`
	require.NoError(t, os.WriteFile(path, []byte(`{"version":1,"peers":{"p":[`+huge+`,`+huge+`]}}`), 0o600))
	b, err := reunite.OpenBudgetStore(path, 100, time.Hour)
	require.NoError(t, err)
	assert.Equal(t, math.MaxInt, used(t, b, "p", budgetT0))
	require.ErrorIs(t, reserve(b, "p", 1, budgetT0), reunite.ErrBudgetExceeded, "no wrap-around to a small usage")
}

// TestBudgetStoreEarlierFiles opens budget files that earlier versions
// wrote (encoding/testdata/budget; names give the commit): an operator's
// budgets carry over, and a reservation adds to them.
func TestBudgetStoreEarlierFiles(t *testing.T) {
	for _, tc := range []struct {
		file string
		now  time.Time
		used int
	}{
		{"v1-c813884.json", time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC), 40},
		{"v1-1341e2a.json", time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), 41},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("encoding", "testdata", "budget", tc.file))
			require.NoError(t, err)
			path := filepath.Join(t.TempDir(), "budget.json")
			require.NoError(t, os.WriteFile(path, data, 0o600))
			b, err := reunite.OpenBudgetStore(path, 100, 24*time.Hour)
			require.NoError(t, err)
			assert.Equal(t, tc.used, used(t, b, "sha256:aa", tc.now))
			_, err = b.Reserve("sha256:aa", 5, tc.now)
			require.NoError(t, err)
			assert.Equal(t, tc.used+5, used(t, b, "sha256:aa", tc.now))
		})
	}
}

// TestMatchChargesBudget runs sessions with MatchConfig.Budget: the
// responder charges the initiator's declared key count to the peer it names
// and audits the charge; once the budget cannot hold another session, the
// peer is refused before any cryptographic work and nothing is charged; a
// peer that Admit refuses is not charged either.
func TestMatchChargesBudget(t *testing.T) {
	checkNoLeak(t)
	a := readRecords(t, "testdata/agency-a.csv")
	b := readRecords(t, "testdata/agency-b.csv")
	const peer = "agency A"
	initiator := reunite.MatchConfig{Role: psi.RoleInitiator, Peer: "agency B"}
	store, _ := openBudget(t, math.MaxInt32, time.Hour)
	ra, rb, errA, errB := matchBoth(t, a, b, initiator, reunite.MatchConfig{Role: psi.RoleResponder, Peer: peer, Budget: store})
	require.NoError(t, errA)
	require.NoError(t, errB)
	charge := reunite.SessionCharge(ra.Audit.LocalKeys)
	assert.Equal(t, charge, rb.Audit.Charged)
	assert.Zero(t, ra.Audit.Charged, "the initiator had no budget to charge")
	assert.Equal(t, charge, used(t, store, peer, time.Now()))

	// Room for one such session, not two.
	store, _ = openBudget(t, 2*charge-1, time.Hour)
	responder := reunite.MatchConfig{Role: psi.RoleResponder, Peer: peer, Budget: store}
	_, rb, errA, errB = matchBoth(t, a, b, initiator, responder)
	require.NoError(t, errA)
	require.NoError(t, errB)
	assert.Equal(t, charge, rb.Audit.Charged)
	ra, rb, errA, errB = matchBoth(t, a, b, initiator, responder)
	require.ErrorIs(t, errA, psi.ErrRefused)
	require.ErrorIs(t, errB, reunite.ErrBudgetExceeded)
	assert.Zero(t, rb.Audit.Charged)
	assert.Equal(t, ra.Audit.LocalKeys, rb.Audit.PeerKeys, "the refused peer's declared size is audited")
	assert.Empty(t, rb.Audit.SessionID, "refused before the session was settled")
	assert.Empty(t, rb.Hits)
	assert.Equal(t, charge, used(t, store, peer, time.Now()))

	// Admit runs first; a peer it refuses costs nothing.
	store, _ = openBudget(t, math.MaxInt32, time.Hour)
	errPolicy := errors.New("not today")
	_, rb, errA, errB = matchBoth(t, a, b, initiator, reunite.MatchConfig{
		Role: psi.RoleResponder, Peer: peer, Budget: store, Admit: func(int) error { return errPolicy },
	})
	require.ErrorIs(t, errA, psi.ErrRefused)
	require.ErrorIs(t, errB, errPolicy)
	assert.Zero(t, rb.Audit.Charged)
	assert.Zero(t, used(t, store, peer, time.Now()))

	// A session that fails after the responder admitted the peer (here the
	// initiator refuses the responder's size) keeps its charge.
	refusing := initiator
	refusing.Admit = func(int) error { return errPolicy }
	_, rb, errA, errB = matchBoth(t, a, b, refusing, reunite.MatchConfig{Role: psi.RoleResponder, Peer: peer, Budget: store})
	require.ErrorIs(t, errA, errPolicy)
	require.Error(t, errB)
	assert.Equal(t, charge, rb.Audit.Charged)
	assert.Equal(t, charge, used(t, store, peer, time.Now()))

	// A budget file that cannot be used refuses every session, charging
	// nothing.
	store, path := openBudget(t, math.MaxInt32, time.Hour)
	require.NoError(t, os.Remove(path))
	_, rb, errA, errB = matchBoth(t, a, b, initiator, reunite.MatchConfig{Role: psi.RoleResponder, Peer: peer, Budget: store})
	require.ErrorIs(t, errA, psi.ErrRefused)
	require.ErrorIs(t, errB, os.ErrNotExist)
	require.ErrorIs(t, errB, psi.ErrRefused)
	assert.Zero(t, rb.Audit.Charged)
}
