package kkrt

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/internal/testrand"
)

// TestSecrets checks what the psi layer builds handles and payload keys
// on: every hit names the sender's element and slot that matched, and both
// parties hold the same secret for it, while the sender's secrets of other
// elements differ from every receiver secret.
func TestSecrets(t *testing.T) {
	for _, n := range []int{1, 100, 5000} {
		rnd := testrand.New("secrets " + itoa(n))
		p := testParams(t, n, n+3, "secrets "+itoa(n))
		p.Secrets = true
		rset := elements("x", 0, n)
		sset := shuffled(rnd, elements("x", n/2, n+3))
		r, err := NewReceiver(p, rset, rnd)
		require.NoError(t, err)
		s, err := NewSender(p, sset, rnd)
		require.NoError(t, err)
		require.Nil(t, s.Secret(0, 0), "no secret before the matrix phase")
		setup, err := r.Setup()
		require.NoError(t, err)
		reply, err := s.ReadSetup(setup)
		require.NoError(t, err)
		require.NoError(t, r.ReadBaseOT(reply))
		for range r.MatrixChunks() {
			chunk, err := r.AppendMatrixChunk(nil)
			require.NoError(t, err)
			require.NoError(t, s.ReadMatrixChunk(chunk))
		}
		var stream []byte
		for range s.TagChunks() {
			chunk, err := s.TagChunk()
			require.NoError(t, err)
			require.NoError(t, r.ReadTagChunk(chunk))
			stream = append(stream, chunk...)
		}
		hits, err := r.Hits()
		require.NoError(t, err)
		require.Len(t, hits, len(plainIntersection(rset, sset)))
		l, err := LayoutOf(p)
		require.NoError(t, err)
		own := map[string]bool{}
		for e := range rset {
			own[string(r.Secret(e))] = true
		}
		matched := map[int64]bool{}
		for _, h := range hits {
			k, slot := int(h.Position)/l.TagsPerElement, int(h.Position)%l.TagsPerElement
			require.Equal(t, rset[h.Element], sset[s.Element(k)])
			require.Equal(t, r.Secret(h.Element), s.Secret(k, slot))
			require.Len(t, s.Secret(k, slot), SecretSize)
			// The tag sent is the one-way function of the secret.
			tl := int(r.l.tagLen)
			tag := make([]byte, tl)
			tagOf(tag, r.Secret(h.Element))
			require.Equal(t, tag, stream[int(h.Position)*tl:int(h.Position+1)*tl])
			matched[h.Position] = true
		}
		for k := range sset {
			for slot := range l.TagsPerElement {
				if !matched[int64(k*l.TagsPerElement+slot)] {
					require.False(t, own[string(s.Secret(k, slot))], "an unmatched slot's secret is one of the receiver's")
				}
			}
		}
	}
}

// TestRepeatedTag: a tag stream that holds one of the receiver's tags
// twice is refused, so every hit has one position.
func TestRepeatedTag(t *testing.T) {
	st := newStage(t, 100, 100, "tags")
	chunk := append([]byte(nil), st.tagsSent[0]...)
	l, err := LayoutOf(st.p)
	require.NoError(t, err)
	unit := l.TagsPerElement * l.TagLen
	// Find the element that matched (the stage shares one) and copy its
	// tags over another element's.
	r := *st.r
	r.hit = append([]uint32(nil), st.r.hit...)
	require.NoError(t, r.ReadTagChunk(chunk))
	hits, err := r.Hits()
	require.NoError(t, err)
	require.Len(t, hits, 1)
	k := int(hits[0].Position) / l.TagsPerElement
	other := (k + 1) % 100
	copy(chunk[other*unit:(other+1)*unit], chunk[k*unit:(k+1)*unit])
	require.ErrorIs(t, st.r.ReadTagChunk(chunk), ErrRepeatedTag)
}
