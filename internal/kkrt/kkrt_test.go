package kkrt

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/internal/testrand"
)

func TestIntersection(t *testing.T) {
	type tc struct{ nR, nS, overlap int }
	var cases []tc
	for _, n := range []int{0, 1, 2, 3, 63, 64, 65, 255, 256, 257, 4095, 4097, 8193} {
		cases = append(cases, tc{n, n, n / 2}, tc{n, n, n}, tc{n, n, 0})
	}
	cases = append(cases, tc{100, 3000, 37}, tc{3000, 100, 99})
	if !testing.Short() {
		cases = append(cases, tc{1, 1 << 16, 1}, tc{1 << 16, 1, 1}, tc{1, 1 << 16, 0}, tc{1 << 16, 1 << 16, 1 << 15})
		// Above 2^19 receiver elements the table has no stash, and the
		// sender keeps each input in its highest bin's slot
		// (Sender.inputSlot) over several windows of simple hashing.
		cases = append(cases, tc{1<<19 + 1, 1 << 15, 1 << 14})
	}
	for _, c := range cases {
		t.Run(name(c.nR, c.nS, c.overlap), func(t *testing.T) {
			t.Parallel()
			rnd := testrand.New(name(c.nR, c.nS, c.overlap))
			common := elements("common", 0, c.overlap)
			rset := shuffled(rnd, append(elements("recv", 0, c.nR-c.overlap), common...))
			sset := shuffled(rnd, append(elements("send", 0, c.nS-c.overlap), common...))
			p := testParams(t, c.nR, c.nS, name(c.nR, c.nS, c.overlap))
			got := runSession(t, p, rset, sset, rnd)
			want := plainIntersection(rset, sset)
			require.Len(t, want, c.overlap)
			require.Equal(t, want, got)
		})
	}
}

// TestRandomSets compares the engine with a plain intersection over many
// random set pairs: random sizes, random overlap, random element lengths.
func TestRandomSets(t *testing.T) {
	rnd := testrand.New("random sets")
	iters := 40
	if testing.Short() {
		iters = 8
	}
	var b [8]byte
	next := func(n int) int {
		_, _ = rnd.Read(b[:])
		return int(binary.LittleEndian.Uint64(b[:]) % uint64(n))
	}
	for i := range iters {
		nR, nS := next(3000), next(3000)
		overlap := next(min(nR, nS) + 1)
		universe := make(map[string]bool)
		fresh := func() []byte {
			for {
				x := make([]byte, 1+next(64))
				_, _ = rnd.Read(x)
				if !universe[string(x)] {
					universe[string(x)] = true
					return x
				}
			}
		}
		var rset, sset [][]byte
		for range overlap {
			x := fresh()
			rset, sset = append(rset, x), append(sset, x)
		}
		for len(rset) < nR {
			rset = append(rset, fresh())
		}
		for len(sset) < nS {
			sset = append(sset, fresh())
		}
		rset, sset = shuffled(rnd, rset), shuffled(rnd, sset)
		p := testParams(t, nR, nS, "random "+itoa(i))
		require.Equal(t, plainIntersection(rset, sset), runSession(t, p, rset, sset, rnd), "iteration %d: %d × %d, overlap %d", i, nR, nS, overlap)
	}
}

// TestQueuedMessages produces every message of a phase before the peer
// reads any, as a transport with deep buffers does: no message may alias
// state that a later call changes.
func TestQueuedMessages(t *testing.T) {
	n := 3*ChunkRows/2 + 5 // several matrix and tag chunks
	p := testParams(t, n, n, "queued")
	rset := append(elements("r", 0, n/2), elements("c", 0, n-n/2)...)
	sset := append(elements("s", 0, n/2), elements("c", 0, n-n/2)...)
	rnd := testrand.New("queued")
	r, err := NewReceiver(p, rset, rnd)
	require.NoError(t, err)
	s, err := NewSender(p, sset, rnd)
	require.NoError(t, err)
	setup, err := r.Setup()
	require.NoError(t, err)
	reply, err := s.ReadSetup(setup)
	require.NoError(t, err)
	require.NoError(t, r.ReadBaseOT(reply))
	var matrix, tags [][]byte
	for range r.MatrixChunks() {
		c, err := r.AppendMatrixChunk(nil)
		require.NoError(t, err)
		matrix = append(matrix, c)
	}
	require.Greater(t, len(matrix), 1)
	for _, c := range matrix {
		require.NoError(t, s.ReadMatrixChunk(c))
	}
	for range s.TagChunks() {
		c, err := s.TagChunk()
		require.NoError(t, err)
		tags = append(tags, c)
	}
	require.Greater(t, len(tags), 1)
	for _, c := range tags {
		require.NoError(t, r.ReadTagChunk(c))
	}
	got, err := r.Intersection()
	require.NoError(t, err)
	require.Equal(t, plainIntersection(rset, sset), got)
}
