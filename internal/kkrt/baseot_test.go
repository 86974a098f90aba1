package kkrt

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/internal/testrand"
)

func TestBaseOT(t *testing.T) {
	rnd := testrand.New("base OT")
	ctx := []byte("base OT test context")
	snd, err := newOTSender(rnd)
	require.NoError(t, err)
	var choice row
	for w := range choice {
		choice[w] = 0x9e3779b97f4a7c15 * uint64(w+1)
	}
	bs, chosen, err := otReceive(ctx, snd.aBytes, &choice, rnd)
	require.NoError(t, err)
	require.Len(t, bs, Width*pointSize)
	k0, k1, err := snd.keys(ctx, bs)
	require.NoError(t, err)
	for i := range Width {
		c := choice[i/64] >> (i % 64) & 1
		want, other := k0[i], k1[i]
		if c == 1 {
			want, other = k1[i], k0[i]
		}
		require.Equal(t, want, chosen[i], "column %d", i)
		require.NotEqual(t, other, chosen[i], "column %d", i)
	}
	// Known-answer digest of every key, for this seeded randomness: pins
	// the key derivation (context, index, A, B_i, point) against silent
	// change. There are no published vectors for Chou–Orlandi on
	// ristretto255; the agreement check above is the functional test.
	h := sha256.New()
	for i := range Width {
		h.Write(k0[i][:])
		h.Write(k1[i][:])
	}
	assert.Equal(t, baseOTDigest, hex.EncodeToString(h.Sum(nil)))
}

// baseOTDigest is SHA-256 over k_0^0 ‖ k_0^1 ‖ … ‖ k_447^1 in TestBaseOT.
const baseOTDigest = "545f031246ef5a98d4ef8766d31e08b5921dc7e913fa38d12556e18b9d68cceb"

func TestBaseOTContextSeparates(t *testing.T) {
	rnd := testrand.New("base OT context")
	snd, err := newOTSender(rnd)
	require.NoError(t, err)
	var choice row
	bs, chosen, err := otReceive([]byte("context one"), snd.aBytes, &choice, rnd)
	require.NoError(t, err)
	k0, _, err := snd.keys([]byte("context two"), bs)
	require.NoError(t, err)
	assert.NotEqual(t, k0[0], chosen[0])
}
