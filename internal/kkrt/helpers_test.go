package kkrt

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/internal/testrand"
)

// runSession plays both parties in memory and returns the receiver's
// intersection.
func runSession(t testing.TB, p Params, rset, sset [][]byte, rnd io.Reader) []int {
	t.Helper()
	r, err := NewReceiver(p, rset, rnd)
	require.NoError(t, err)
	s, err := NewSender(p, sset, rnd)
	require.NoError(t, err)
	setup, err := r.Setup()
	require.NoError(t, err)
	reply, err := s.ReadSetup(setup)
	require.NoError(t, err)
	require.NoError(t, r.ReadBaseOT(reply))
	require.Equal(t, r.MatrixChunks(), s.MatrixChunks())
	for range r.MatrixChunks() {
		chunk, err := r.AppendMatrixChunk(nil)
		require.NoError(t, err)
		require.NoError(t, s.ReadMatrixChunk(chunk))
	}
	require.Equal(t, r.TagChunks(), s.TagChunks())
	for range s.TagChunks() {
		chunk, err := s.TagChunk()
		require.NoError(t, err)
		require.NoError(t, r.ReadTagChunk(chunk))
	}
	got, err := r.Intersection()
	require.NoError(t, err)
	return got
}

// elements returns n distinct 16-byte elements numbered from start.
func elements(tag string, start, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		b := make([]byte, 16)
		copy(b, tag)
		binary.BigEndian.PutUint64(b[8:], uint64(start+i))
		out[i] = b
	}
	return out
}

// plainIntersection returns the indices of rset's elements found in sset.
func plainIntersection(rset, sset [][]byte) []int {
	in := make(map[string]bool, len(sset))
	for _, x := range sset {
		in[string(x)] = true
	}
	out := []int{}
	for i, x := range rset {
		if in[string(x)] {
			out = append(out, i)
		}
	}
	return out
}

func testParams(t testing.TB, nR, nS int, seed string) Params {
	t.Helper()
	ctx := make([]byte, 32)
	_, err := io.ReadFull(testrand.New("ctx "+seed), ctx)
	require.NoError(t, err)
	return Params{ReceiverSize: nR, SenderSize: nS, Context: ctx}
}

func shuffled(rnd io.Reader, xs [][]byte) [][]byte {
	var s [32]byte
	_, _ = io.ReadFull(rnd, s[:])
	out := slices.Clone(xs)
	newRand(s).Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func name(nR, nS, overlap int) string { return fmt.Sprintf("R%d_S%d_overlap%d", nR, nS, overlap) }

func digestOf(b []byte) [16]byte { d := sha256.Sum256(b); return [16]byte(d[:16]) }
