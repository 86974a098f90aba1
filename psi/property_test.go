package psi

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sets builds two sets of the given sizes sharing exactly `common`
// elements, at random positions, with element lengths varying from 0 to 40
// bytes. Test data only: math/rand is fine here.
func sets(rng *rand.Rand, nA, nB, common int) (a, b [][]byte) {
	fresh := func(i int, side byte) []byte {
		e := make([]byte, rng.IntN(40))
		for j := range e {
			e[j] = byte(rng.Uint32())
		}
		// A unique prefix keeps elements distinct without a retry loop.
		return append(binary.AppendUvarint([]byte{side}, uint64(i)), e...)
	}
	for i := range common {
		e := fresh(i, 'c')
		a, b = append(a, e), append(b, e)
	}
	for i := common; i < nA; i++ {
		a = append(a, fresh(i, 'a'))
	}
	for i := common; i < nB; i++ {
		b = append(b, fresh(i, 'b'))
	}
	rng.Shuffle(len(a), func(i, j int) { a[i], a[j] = a[j], a[i] })
	rng.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
	return a, b
}

// payloadFor is what side attaches to element e: derived from both, so a
// payload delivered for the wrong element or from the wrong side shows.
func payloadFor(side string, e []byte, size int) []byte {
	p := make([]byte, size)
	copy(p, fmt.Sprintf("%s:%x", side, e))
	return p
}

func payloads(side string, elements [][]byte, size int) [][]byte {
	if size == 0 {
		return nil
	}
	out := make([][]byte, len(elements))
	for i, e := range elements {
		out[i] = payloadFor(side, e, size)
	}
	return out
}

// plainIntersection is the non-private reference: indices into a of the
// elements b also holds.
func plainIntersection(a, b [][]byte) []int {
	in := make(map[string]bool, len(b))
	for _, e := range b {
		in[string(e)] = true
	}
	var idx []int
	for i, e := range a {
		if in[string(e)] {
			idx = append(idx, i)
		}
	}
	return idx
}

func matchIndices(ms []Match) []int {
	var idx []int
	for _, m := range ms {
		idx = append(idx, m.Index)
	}
	return idx
}

// setShape is the shape of a pair of test sets: the initiator's size,
// the responder's, and how many elements they share.
type setShape struct {
	name           string
	nA, nB, common int
}

// edgeShapes are the empty and one-element shapes every suite is tested on.
func edgeShapes() []setShape {
	return []setShape{
		{"both empty", 0, 0, 0},
		{"initiator empty", 0, 5, 0},
		{"responder empty", 5, 0, 0},
		{"one each, equal", 1, 1, 1},
		{"one each, different", 1, 1, 0},
	}
}

// TestAgainstPlainIntersection runs the protocol on many random set shapes
// in every mode and checks each party's output against a plain set
// intersection, and the two parties' handles and payloads against each
// other.
func TestAgainstPlainIntersection(t *testing.T) {
	shapes := append(edgeShapes(),
		setShape{"disjoint", 50, 70, 0},
		setShape{"identical", 64, 64, 64},
		setShape{"initiator subset", 30, 90, 30},
		setShape{"responder subset", 90, 30, 30},
		setShape{"unequal sizes", 7, 300, 5},
		setShape{"chunk boundary", 4096, 4097, 4096},
		setShape{"large", largeSet, largeSet, largeSet / 2},
	)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, mode := range []Mode{BothLearn, InitiatorOnly, CardinalityOnly} {
		for _, sh := range shapes {
			if testing.Short() && sh.nA+sh.nB > 1000 {
				continue
			}
			// The biggest shapes run once, in the mode that checks most.
			if sh.nA+sh.nB > 8000 && mode != BothLearn {
				continue
			}
			payloadSize := 0
			if mode != CardinalityOnly {
				payloadSize = 24
			}
			t.Run(fmt.Sprintf("%v/%s", mode, sh.name), func(t *testing.T) {
				a, b := sets(rng, sh.nA, sh.nB, sh.common)
				cfg := Config{Context: []byte("property"), Mode: mode, PayloadSize: payloadSize}
				checkAgainstPlain(t, cfg, a, b, nil)
			})
		}
	}
}

// wantPayload is the payload a match should carry: side's payload for e,
// or nil in a session without payloads.
func wantPayload(side string, e []byte, size int) []byte {
	if size == 0 {
		return nil
	}
	return payloadFor(side, e, size)
}

// checkAgainstPlain runs a session of cfg between an initiator holding a
// and a responder holding b, through run (exchange when nil), and checks
// each party's output against a plain set intersection, and the two
// parties' handles and payloads against each other. It returns both
// results.
func checkAgainstPlain(t *testing.T, cfg Config, a, b [][]byte, run func(t *testing.T, ini, resp *Session) (ra, rb *Result)) (*Result, *Result) {
	t.Helper()
	mode, payloadSize := cfg.Mode, cfg.PayloadSize
	ini, err := newInitiator(cfg, Set{Elements: a, Payloads: payloads("A", a, payloadSize)})
	require.NoError(t, err)
	resp, err := newResponder(cfg, Set{Elements: b, Payloads: payloads("B", b, payloadSize)})
	require.NoError(t, err)
	var ra, rb *Result
	if run != nil {
		ra, rb = run(t, ini, resp)
	} else {
		var erra, errb error
		_, ra, rb, erra, errb = exchange(t, ini, resp)
		require.NoError(t, erra)
		require.NoError(t, errb)
	}

	wantA, wantB := plainIntersection(a, b), plainIntersection(b, a)
	common := len(wantA)
	assert.Equal(t, len(b), ra.PeerSetSize)
	assert.Equal(t, len(a), rb.PeerSetSize)
	assert.Equal(t, ra.SessionID, rb.SessionID)
	assert.Equal(t, ra.Transcript, rb.Transcript)
	assert.Equal(t, ra.Suite, rb.Suite)
	assert.True(t, ra.Learned)
	assert.Equal(t, common, ra.Cardinality)

	switch mode {
	case CardinalityOnly:
		assert.Empty(t, ra.Matches)
		assert.False(t, rb.Learned)
		assert.Empty(t, rb.Matches)
	case InitiatorOnly:
		assert.Equal(t, wantA, matchIndices(ra.Matches))
		assert.False(t, rb.Learned)
		assert.Empty(t, rb.Matches)
		assert.Zero(t, rb.Cardinality)
	case BothLearn:
		assert.Equal(t, wantA, matchIndices(ra.Matches))
		assert.Equal(t, wantB, matchIndices(rb.Matches))
		assert.Equal(t, common, rb.Cardinality)
		// Same element ⇒ same handle on both sides, and each
		// side got the other's payload for exactly it.
		handleA := map[string]Handle{}
		for _, m := range ra.Matches {
			handleA[string(a[m.Index])] = m.Handle
			assert.Equal(t, wantPayload("B", a[m.Index], payloadSize), m.PeerPayload)
		}
		for _, m := range rb.Matches {
			assert.Equal(t, handleA[string(b[m.Index])], m.Handle)
			assert.Equal(t, wantPayload("A", b[m.Index], payloadSize), m.PeerPayload)
		}
	}
	if mode != CardinalityOnly {
		for _, m := range ra.Matches {
			require.Equal(t, wantPayload("B", a[m.Index], payloadSize), m.PeerPayload)
		}
		// Handles are distinct.
		hs := make([]Handle, 0, len(ra.Matches))
		for _, m := range ra.Matches {
			hs = append(hs, m.Handle)
		}
		slices.SortFunc(hs, func(x, y Handle) int { return slices.Compare(x[:], y[:]) })
		assert.Len(t, slices.Compact(hs), len(ra.Matches))
	}
	return ra, rb
}

// TestSessionsAreUnlinkable checks two sessions over the same sets share no
// session ID, handle or blinded element: fresh secrets per session.
func TestSessionsAreUnlinkable(t *testing.T) {
	a := [][]byte{[]byte("x"), []byte("y")}
	cfg := Config{Context: []byte("unlinkable"), Mode: BothLearn}
	run := func() ([]wireFrame, *Result) {
		ini, err := newInitiator(cfg, Set{Elements: a})
		require.NoError(t, err)
		resp, err := newResponder(cfg, Set{Elements: a})
		require.NoError(t, err)
		frames, ra, _, erra, errb := exchange(t, ini, resp)
		require.NoError(t, erra)
		require.NoError(t, errb)
		return frames, ra
	}
	f1, r1 := run()
	f2, r2 := run()
	assert.NotEqual(t, r1.SessionID, r2.SessionID)
	for i := range r1.Matches {
		assert.NotEqual(t, r1.Matches[i].Handle, r2.Matches[i].Handle)
	}
	// Frame 2 is the initiator's blinded elements: nothing in common.
	assert.NotEqual(t, f1[2].Bytes[50:], f2[2].Bytes[50:])
}
