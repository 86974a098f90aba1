package match

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestResolveOneToOne checks one-to-one resolution on pairs given best
// first: which pairs lose, and which share a record with another pair of
// the same score, in whatever order the tie-break put them.
func TestResolveOneToOne(t *testing.T) {
	type pair struct {
		record int
		peer   uint32
		score  float64
	}
	tests := []struct {
		name              string
		pairs             []pair
		alternative, tied []bool
	}{
		{
			name:        "disjoint pairs",
			pairs:       []pair{{0, 10, 0.99}, {1, 11, 0.99}},
			alternative: []bool{false, false},
			tied:        []bool{false, false},
		},
		{
			name:        "a better pair takes the record",
			pairs:       []pair{{0, 10, 0.99}, {0, 11, 0.95}},
			alternative: []bool{false, true},
			tied:        []bool{false, false},
		},
		{
			name:        "equal scores for one local record",
			pairs:       []pair{{0, 10, 0.95}, {0, 11, 0.95}},
			alternative: []bool{false, true},
			tied:        []bool{true, true},
		},
		{
			name:        "equal scores for one peer record",
			pairs:       []pair{{0, 10, 0.95}, {1, 10, 0.95}},
			alternative: []bool{false, true},
			tied:        []bool{true, true},
		},
		{
			// A0–B10 kept, A0–B11 lost to it, A1–B11 kept after: which
			// of A0 and A1 has B11 was the order's choice too.
			name:        "a chain of equal scores",
			pairs:       []pair{{0, 10, 0.95}, {0, 11, 0.95}, {1, 11, 0.95}},
			alternative: []bool{false, true, false},
			tied:        []bool{true, true, true},
		},
		{
			name:        "the chain's last pair scores lower",
			pairs:       []pair{{0, 10, 0.95}, {0, 11, 0.95}, {1, 11, 0.93}},
			alternative: []bool{false, true, false},
			tied:        []bool{true, true, false},
		},
		{
			// A1–B1 would be kept whichever way the tie went, B2 being
			// taken by a better pair, but the score does not tell A1's
			// two candidates apart.
			name:        "equal candidates, one of them blocked by a better pair",
			pairs:       []pair{{3, 12, 0.95}, {1, 11, 0.9}, {1, 12, 0.9}},
			alternative: []bool{false, false, true},
			tied:        []bool{false, true, true},
		},
		{
			name:        "both records taken by better pairs",
			pairs:       []pair{{0, 10, 0.99}, {1, 11, 0.98}, {0, 11, 0.95}},
			alternative: []bool{false, false, true},
			tied:        []bool{false, false, false},
		},
	}
	resolve := func(pairs []pair) (alternative, tied []bool) {
		links := make([]Link, len(pairs))
		for i, p := range pairs {
			links[i] = Link{Record: p.record, Peer: p.peer, Score: p.score}
		}
		resolveOneToOne(links)
		for _, l := range links {
			alternative, tied = append(alternative, l.Alternative), append(tied, l.Tied)
		}
		return alternative, tied
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			alternative, tied := resolve(tt.pairs)
			assert.Equal(t, tt.alternative, alternative, "alternative")
			assert.Equal(t, tt.tied, tied, "tied")
			// Tied depends on the scores, not on the order the tie-break
			// gave equal pairs: reversing the pairs of each equal score
			// leaves every pair's mark as it was.
			reversed := slices.Clone(tt.pairs)
			for i := 0; i < len(reversed); {
				j := i
				for j < len(reversed) && reversed[j].score == reversed[i].score {
					j++
				}
				slices.Reverse(reversed[i:j])
				i = j
			}
			_, tiedReversed := resolve(reversed)
			for i, p := range reversed {
				assert.Equal(t, tt.tied[slices.Index(tt.pairs, p)], tiedReversed[i], "pair %v in the reversed order", p)
			}
		})
	}
}
