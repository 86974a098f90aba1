package reunite

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPseudonymPayload(t *testing.T) {
	good := make([]byte, payloadSize)
	good[0] = 2
	good[4], good[8] = 7, 9
	got, err := decodePseudonyms(good)
	require.NoError(t, err)
	assert.Equal(t, []uint32{7, 9}, got)

	bad := map[string][]byte{
		"empty":           nil,
		"short":           good[:payloadSize-1],
		"zero count":      make([]byte, payloadSize),
		"count too large": append([]byte{pseudonymsPerKey + 1}, make([]byte, payloadSize-1)...),
		"non-zero pad":    func() []byte { b := append([]byte(nil), good...); b[payloadSize-1] = 1; return b }(),
	}
	for name, p := range bad {
		_, err := decodePseudonyms(p)
		assert.ErrorIs(t, err, ErrPayload, name)
	}
}

func TestPseudonymsAreDistinct(t *testing.T) {
	p, err := newPseudonyms(100000)
	require.NoError(t, err)
	seen := make(map[uint32]bool, len(p))
	for _, v := range p {
		require.False(t, seen[v])
		seen[v] = true
	}
}
