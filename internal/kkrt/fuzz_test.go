package kkrt

import (
	"bytes"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every decoder of a peer message is fuzzed: whatever the bytes, the call
// returns nil or a typed error, and never panics.

func FuzzSenderReadSetup(f *testing.F) {
	st := newStage(f, 3, 3, "baseot")
	f.Add(st.setup)
	f.Add(make([]byte, SetupSize))
	f.Add(bytes.Repeat([]byte{0xff}, SetupSize))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, msg []byte) {
		s := newStage(t, 3, 3, "setup").s
		_, err := s.ReadSetup(msg)
		require.True(t, isTyped(err), "untyped error %v", err)
	})
}

func FuzzReceiverReadBaseOT(f *testing.F) {
	st := newStage(f, 3, 3, "matrix")
	f.Add(st.reply)
	bad := bytes.Clone(st.reply)
	copy(bad[seedSize+5*pointSize:], make([]byte, pointSize))
	f.Add(bad)
	f.Add(st.reply[:100])
	f.Fuzz(func(t *testing.T, msg []byte) {
		r := newStage(t, 3, 3, "baseot").r
		err := r.ReadBaseOT(msg)
		require.True(t, isTyped(err), "untyped error %v", err)
	})
}

func FuzzSenderReadMatrixChunk(f *testing.F) {
	st := newStage(f, 10, 10, "tags")
	f.Add(st.matrix[0])
	f.Add(st.matrix[0][:rowBytes])
	f.Add([]byte{})
	prepared := newStage(f, 10, 10, "matrix").s
	f.Fuzz(func(t *testing.T, msg []byte) {
		s := *prepared // the PRG streams are shared; only robustness is checked
		s.secrets, s.done = bytes.Clone(prepared.secrets), slices.Clone(prepared.done)
		err := s.ReadMatrixChunk(msg)
		require.True(t, isTyped(err), "untyped error %v", err)
	})
}

func FuzzReceiverReadTagChunk(f *testing.F) {
	st := newStage(f, 10, 10, "tags")
	f.Add(st.tagsSent[0])
	f.Add(st.tagsSent[0][:7])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, msg []byte) {
		r := *st.r
		r.hit = slices.Clone(st.r.hit)
		err := r.ReadTagChunk(msg)
		require.True(t, isTyped(err), "untyped error %v", err)
	})
}
