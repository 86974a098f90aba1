package psi

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestDuplicateIndex checks duplicateIndex against a plain map on random
// sets with and without repeats, including empty and zero-length elements.
func TestDuplicateIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	naive := func(elements [][]byte) int {
		seen := map[string]bool{}
		for i, e := range elements {
			if seen[string(e)] {
				return i
			}
			seen[string(e)] = true
		}
		return -1
	}
	for _, n := range []int{0, 1, 2, 3, 100, 5000} {
		for trial := range 20 {
			elements := make([][]byte, n)
			for i := range elements {
				elements[i] = fmt.Appendf(nil, "e%d", rng.IntN(4*n+1))
			}
			if n > 0 && trial%5 == 0 {
				elements[rng.IntN(n)] = []byte{}
			}
			assert.Equal(t, naive(elements), duplicateIndex(elements), "n = %d, trial %d", n, trial)
		}
	}
}

// TestSortMatches checks the in-place cycle sort against slices.SortFunc.
func TestSortMatches(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 2, 7, 1000} {
		ms := make([]Match, n)
		for i, p := range rng.Perm(n) {
			ms[i] = Match{Index: p * 3, Handle: Handle{byte(p), byte(p >> 8)}}
		}
		want := slices.Clone(ms)
		slices.SortFunc(want, func(a, b Match) int { return cmp.Compare(a.Index, b.Index) })
		sortMatches(ms)
		assert.Equal(t, want, ms, "n = %d", n)
	}
}
