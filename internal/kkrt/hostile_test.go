package kkrt

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/internal/testrand"
)

// stage is a session advanced to some point, with the next honest message
// of each kind.
type stage struct {
	p        Params
	r        *Receiver
	s        *Sender
	setup    []byte
	reply    []byte
	matrix   [][]byte
	tagsSent [][]byte
}

// newStage builds a fresh session of nR × nS elements (overlap 1) that
// has run up to, but not including, step: "setup" (nothing sent),
// "baseot" (setup read by the sender), "matrix" (base OT done), "tags"
// (all matrix chunks read).
func newStage(t testing.TB, nR, nS int, step string) *stage {
	t.Helper()
	rnd := testrand.New("stage " + step)
	st := &stage{p: testParams(t, nR, nS, "stage")}
	rset := append(elements("r", 0, nR-1), elements("common", 0, 1)...)
	sset := append(elements("s", 0, nS-1), elements("common", 0, 1)...)
	var err error
	st.r, err = NewReceiver(st.p, rset, rnd)
	require.NoError(t, err)
	st.s, err = NewSender(st.p, sset, rnd)
	require.NoError(t, err)
	if step == "setup" {
		return st
	}
	st.setup, err = st.r.Setup()
	require.NoError(t, err)
	if step == "baseot" {
		return st
	}
	st.reply, err = st.s.ReadSetup(st.setup)
	require.NoError(t, err)
	if step == "matrix" {
		return st
	}
	require.NoError(t, st.r.ReadBaseOT(st.reply))
	for range st.r.MatrixChunks() {
		c, err := st.r.AppendMatrixChunk(nil)
		require.NoError(t, err)
		st.matrix = append(st.matrix, bytes.Clone(c))
		require.NoError(t, st.s.ReadMatrixChunk(c))
	}
	for range st.s.TagChunks() {
		c, err := st.s.TagChunk()
		require.NoError(t, err)
		st.tagsSent = append(st.tagsSent, bytes.Clone(c))
	}
	return st
}

// lengths returns short lengths and the lengths around want.
func lengths(want int) []int {
	var out []int
	for _, n := range []int{0, 1, 7, 8, 31, 32, 33, 55, 56, 57, 64} {
		if n != want {
			out = append(out, n)
		}
	}
	for _, n := range []int{want - 32, want - 1, want + 1, want + 32, 2 * want} {
		if n > 64 {
			out = append(out, n)
		}
	}
	return out
}

func TestHostileSetup(t *testing.T) {
	identity := make([]byte, pointSize)
	nonCanonical := bytes.Repeat([]byte{0xff}, pointSize)
	cases := map[string]struct {
		msg []byte
		err error
	}{
		"identity":      {identity, ErrBadPoint},
		"non-canonical": {nonCanonical, ErrBadPoint},
	}
	for _, n := range lengths(SetupSize) {
		cases["length "+itoa(n)] = struct {
			msg []byte
			err error
		}{make([]byte, n), ErrMessageSize}
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			st := newStage(t, 3, 3, "setup")
			_, err := st.s.ReadSetup(c.msg)
			require.ErrorIs(t, err, c.err)
			_, err = st.s.ReadSetup(c.msg)
			require.ErrorIs(t, err, ErrOrder, "a failed sender refuses further calls")
		})
	}
}

func TestHostileBaseOT(t *testing.T) {
	honest := newStage(t, 3, 3, "matrix").reply
	withPoint := func(i int, enc []byte) []byte {
		m := bytes.Clone(honest)
		copy(m[seedSize+i*pointSize:], enc)
		return m
	}
	cases := map[string]struct {
		msg []byte
		err error
	}{
		"identity B_0":        {withPoint(0, make([]byte, pointSize)), ErrBadPoint},
		"identity B_447":      {withPoint(Width-1, make([]byte, pointSize)), ErrBadPoint},
		"non-canonical B_100": {withPoint(100, bytes.Repeat([]byte{0xff}, pointSize)), ErrBadPoint},
		"setup instead":       {make([]byte, SetupSize), ErrMessageSize},
		"truncated":           {honest[:len(honest)-1], ErrMessageSize},
		"oversized":           {append(bytes.Clone(honest), 0), ErrMessageSize},
	}
	for _, n := range lengths(BaseOTSize) {
		cases["length "+itoa(n)] = struct {
			msg []byte
			err error
		}{make([]byte, n), ErrMessageSize}
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			st := newStage(t, 3, 3, "baseot")
			require.ErrorIs(t, st.r.ReadBaseOT(c.msg), c.err)
			_, err := st.r.AppendMatrixChunk(nil)
			require.ErrorIs(t, err, ErrOrder)
		})
	}
}

func TestHostileMatrix(t *testing.T) {
	st := newStage(t, 100, 100, "tags")
	chunk := st.matrix[0]
	for _, n := range lengths(len(chunk)) {
		s := newStage(t, 100, 100, "matrix").s
		require.ErrorIs(t, s.ReadMatrixChunk(make([]byte, n)), ErrMessageSize, "length %d", n)
		_, err := s.TagChunk()
		require.ErrorIs(t, err, ErrOrder)
	}
	// One chunk too many.
	require.ErrorIs(t, st.s.ReadMatrixChunk(chunk), ErrOrder)
}

func TestHostileTags(t *testing.T) {
	st := newStage(t, 100, 100, "tags")
	chunk := st.tagsSent[0]
	for _, n := range lengths(len(chunk)) {
		r := newStage(t, 100, 100, "tags").r
		require.ErrorIs(t, r.ReadTagChunk(make([]byte, n)), ErrMessageSize, "length %d", n)
		_, err := r.Intersection()
		require.ErrorIs(t, err, ErrOrder)
	}
	require.NoError(t, st.r.ReadTagChunk(chunk))
	// One chunk too many, and a replay.
	require.ErrorIs(t, st.r.ReadTagChunk(chunk), ErrOrder)
	got, err := st.r.Intersection()
	require.NoError(t, err)
	require.Equal(t, []int{99}, got)
}

func TestOutOfOrder(t *testing.T) {
	t.Run("receiver", func(t *testing.T) {
		st := newStage(t, 3, 3, "setup")
		require.ErrorIs(t, st.r.ReadBaseOT(make([]byte, BaseOTSize)), ErrOrder)
		_, err := st.r.AppendMatrixChunk(nil)
		require.ErrorIs(t, err, ErrOrder)
		require.ErrorIs(t, st.r.ReadTagChunk(nil), ErrOrder)
		_, err = st.r.Intersection()
		require.ErrorIs(t, err, ErrOrder)
		_, err = st.r.Setup()
		require.NoError(t, err)
		_, err = st.r.Setup()
		require.ErrorIs(t, err, ErrOrder)
	})
	t.Run("sender", func(t *testing.T) {
		st := newStage(t, 3, 3, "baseot")
		require.ErrorIs(t, st.s.ReadMatrixChunk(nil), ErrOrder)
		_, err := st.s.TagChunk()
		require.ErrorIs(t, err, ErrOrder)
		_, err = st.s.ReadSetup(st.setup)
		require.NoError(t, err)
		_, err = st.s.ReadSetup(st.setup)
		require.ErrorIs(t, err, ErrOrder)
		_, err = st.s.TagChunk()
		require.ErrorIs(t, err, ErrOrder)
	})
}

func TestSetsRefused(t *testing.T) {
	p := testParams(t, 3, 3, "refused")
	dup := [][]byte{[]byte("a"), []byte("b"), []byte("a")}
	_, err := NewReceiver(p, dup, testrand.New("dup"))
	require.ErrorIs(t, err, ErrDuplicate)
	_, err = NewSender(p, dup, testrand.New("dup"))
	require.ErrorIs(t, err, ErrDuplicate)
	short := dup[:2]
	_, err = NewReceiver(p, short, testrand.New("short"))
	require.ErrorIs(t, err, ErrSetSize)
	_, err = NewSender(p, short, testrand.New("short"))
	require.ErrorIs(t, err, ErrSetSize)
	// Duplicates among many elements are found too.
	big := elements("x", 0, 5000)
	big[4321] = bytes.Clone(big[17])
	p = testParams(t, 5000, 5000, "refused")
	_, err = NewReceiver(p, big, testrand.New("big"))
	require.ErrorIs(t, err, ErrDuplicate)
	_, err = NewSender(p, big, testrand.New("big"))
	require.ErrorIs(t, err, ErrDuplicate)
}

func TestRandomnessFailure(t *testing.T) {
	p := testParams(t, 3, 3, "rand")
	set := elements("x", 0, 3)
	_, err := NewReceiver(p, set, bytes.NewReader(nil))
	require.Error(t, err)
	_, err = NewSender(p, set, bytes.NewReader(nil))
	require.Error(t, err)
}

// isTyped reports whether err is nil or one of the package's sentinels.
func isTyped(err error) bool {
	for _, s := range []error{ErrMessageSize, ErrBadPoint, ErrOrder, ErrRepeatedTag} {
		if errors.Is(err, s) {
			return true
		}
	}
	return err == nil
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
