package reunite

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPseudonymsAreDistinct(t *testing.T) {
	p, err := newPseudonyms(100000)
	require.NoError(t, err)
	seen := make(map[uint32]bool, len(p))
	for _, v := range p {
		require.False(t, seen[v])
		seen[v] = true
	}
}
