package match

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestResolveOneToOne checks one-to-one resolution on pairs given best
// first: which pairs lose, and which the tie-break rather than the score
// decided.
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
			name:        "both records taken by better pairs",
			pairs:       []pair{{0, 10, 0.99}, {1, 11, 0.98}, {0, 11, 0.95}},
			alternative: []bool{false, false, true},
			tied:        []bool{false, false, false},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			links := make([]Link, len(tt.pairs))
			for i, p := range tt.pairs {
				links[i] = Link{Record: p.record, Peer: p.peer, Score: p.score}
			}
			resolveOneToOne(links)
			for i, l := range links {
				assert.Equal(t, tt.alternative[i], l.Alternative, "pair %d alternative", i)
				assert.Equal(t, tt.tied[i], l.Tied, "pair %d tied", i)
			}
		})
	}
}
