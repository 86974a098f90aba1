package match

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFirstOccurrences checks firstOccurrences against a map, on keys
// drawn from a small pool so that many repeat, with keys that share their
// first eight bytes (or more) but differ after, and at the sizes where the
// number of buckets changes.
func TestFirstOccurrences(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for _, n := range []int{0, 1, 2, 3, 7, 64, 1000, 5000} {
		pool := make([][KeySize]byte, max(1, n/3))
		for i := range pool {
			for b := range pool[i] {
				pool[i][b] = byte(rng.Uint32())
			}
			switch i % 4 {
			case 1: // the first eight bytes of another key
				copy(pool[i][:8], pool[i-1][:8])
			case 2: // all but the last byte of another key
				copy(pool[i][:KeySize-1], pool[i-1][:KeySize-1])
				pool[i][KeySize-1] = pool[i-1][KeySize-1] + 1
			}
		}
		values := make([][KeySize]byte, n)
		for j := range values {
			values[j] = pool[rng.IntN(len(pool))]
		}
		got := firstOccurrences(asKeys(values))
		require.Len(t, got, n)
		seen := map[[KeySize]byte]int32{}
		for j, v := range values {
			want, ok := seen[v]
			if !ok {
				want = int32(j)
				seen[v] = want
			}
			assert.Equal(t, want, got[j], "n=%d, value %d", n, j)
		}
	}
}

// TestFirstOccurrencesCrowdedBucket checks keys that all fall into one
// bucket, as records crafted to share leading key bits would.
func TestFirstOccurrencesCrowdedBucket(t *testing.T) {
	values := make([][KeySize]byte, 300)
	for j := range values {
		values[j][KeySize-1] = byte(j % 100)
	}
	got := firstOccurrences(asKeys(values))
	for j := range values {
		assert.Equal(t, int32(j%100), got[j])
	}
}

func asKeys(values [][KeySize]byte) []Key {
	keys := make([]Key, len(values))
	for j, v := range values {
		keys[j].Value = v
	}
	return keys
}
