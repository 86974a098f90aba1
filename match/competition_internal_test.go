package match

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// competingPair is a candidate pair for compete: its local record, its
// peer record and its probability.
type competingPair struct {
	own   int32
	peer  uint32
	score float64
}

// competitionCase is a set of candidate pairs.
type competitionCase []competingPair

func (c competitionCase) split() (scores []float64, owns []int32, peers []uint32) {
	for _, p := range c {
		scores = append(scores, p.score)
		owns = append(owns, p.own)
		peers = append(peers, p.peer)
	}
	return scores, owns, peers
}

func allLiftable(n int) []bool {
	l := make([]bool, n)
	for i := range l {
		l[i] = true
	}
	return l
}

// background is a session's many clear pairs, one per record, and a few
// uncertain ones, some of them false: what the factor k is learned from.
func background() competitionCase {
	var c competitionCase
	for i := range 200 {
		c = append(c, competingPair{int32(i), uint32(1000 + i), 0.999})
	}
	for i := range 40 {
		// Pairs of records that also have a clear partner: namesakes.
		c = append(c, competingPair{int32(i), uint32(1000 + 100 + i), 0.3})
	}
	return c
}

func TestCompete(t *testing.T) {
	tests := []struct {
		name  string
		pairs competitionCase
		// lifted[i] says whether pair i (of pairs, after the background)
		// must come out above its score; otherwise it must keep it.
		lifted []bool
	}{
		{"a pair without rivals is lifted", competitionCase{{500, 1500, 0.7}}, []bool{true}},
		{"a pair with a strong rival keeps its score",
			competitionCase{{501, 1501, 0.7}, {501, 1502, 0.999}}, []bool{false, false}},
		{"two records of one child in the peer's file keep their scores",
			competitionCase{{502, 1503, 1}, {502, 1504, 1}}, []bool{false, false}},
		{"a rival on the peer's side counts as one on ours",
			competitionCase{{503, 1505, 0.7}, {504, 1505, 0.999}}, []bool{false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := append(background(), tt.pairs...)
			scores, owns, peers := c.split()
			got := compete(scores, owns, peers, allLiftable(len(c)))
			require.Len(t, got, len(c))
			for i := range c {
				assert.GreaterOrEqual(t, got[i], scores[i], "competition never lowers a pair")
			}
			base := len(c) - len(tt.pairs)
			for i, want := range tt.lifted {
				if want {
					assert.Greater(t, got[base+i], scores[base+i], "pair %d", i)
				} else {
					assert.Equal(t, scores[base+i], got[base+i], "pair %d", i)
				}
			}
			// A pair not liftable keeps its score whatever its rivals.
			held := compete(scores, owns, peers, make([]bool, len(c)))
			assert.Equal(t, scores, held)
		})
	}
	assert.Nil(t, compete(nil, nil, nil, nil))
}

// TestCompeteSameForBothParties checks that the two parties, which hold
// the pairs in different orders and each with its own record first, get
// the same scores to the last bit.
func TestCompeteSameForBothParties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	c := background()
	for range 300 {
		c = append(c, competingPair{int32(rng.IntN(400)), uint32(1000 + rng.IntN(400)), math.Round(rng.Float64()*1e6) / 1e6})
	}
	scores, owns, peers := c.split()
	liftable := make([]bool, len(c))
	for i := range liftable {
		liftable[i] = rng.IntN(4) != 0
	}
	want := compete(scores, owns, peers, liftable)

	// The peer: the same pairs in another order, its records as owns.
	perm := rng.Perm(len(c))
	var pScores []float64
	var pOwns []int32
	var pPeers []uint32
	var pLift []bool
	for _, i := range perm {
		pScores = append(pScores, scores[i])
		pOwns = append(pOwns, int32(peers[i]))
		pPeers = append(pPeers, uint32(owns[i]))
		pLift = append(pLift, liftable[i])
	}
	got := compete(pScores, pOwns, pPeers, pLift)
	for j, i := range perm {
		require.Equal(t, math.Float64bits(want[i]), math.Float64bits(got[j]), "pair %d", i)
	}
	assert.False(t, slices.Equal(want, scores), "some pair was lifted")
}

// TestUnderCompetitionMeetsTarget checks that the factor k is found: the
// probabilities under competition sum to the target, from below and above
// the sum at k = 1.
func TestUnderCompetitionMeetsTarget(t *testing.T) {
	odds := []float64{999, 999, 0.5, 2, 0.1, 3}
	rivals := []float64{0, 0.5, 999, 0, 3, 0.1}
	for _, target := range []float64{1.5, 2.5, 3.5} {
		got := underCompetition(odds, rivals, target)
		var sum float64
		for _, p := range got {
			sum += p
		}
		assert.InDelta(t, target, sum, 1e-6, "target %v", target)
	}
}

// TestDisagreesLeavesOutWhereTheChildLivesNow checks which disagreements
// keep a pair from being lifted: those on a field a child keeps, not on
// where it lives now.
func TestDisagreesLeavesOutWhereTheChildLivesNow(t *testing.T) {
	rs := DefaultRules()
	tests := []struct {
		comparison string
		disagrees  bool
	}{
		{"date", true},
		{"sex", true},
		{"birth-place", true},
		{"given", true},
		{"postcode", false},
		{"locality", false},
		{"nationality", false},
		{"address", false},
	}
	for _, tt := range tests {
		t.Run(tt.comparison, func(t *testing.T) {
			v := make([]byte, len(rs.comps)+len(rs.blocks))
			for i := range v {
				v[i] = missing
			}
			found := false
			for c, comp := range rs.comps {
				if comp.Name == tt.comparison {
					v[c] = byte(len(comp.Levels))
					found = true
				}
			}
			require.True(t, found)
			assert.Equal(t, tt.disagrees, rs.disagrees(vector(v)))
			// Agreement at the best level is never disagreement.
			for c, comp := range rs.comps {
				if comp.Name == tt.comparison {
					v[c] = 0
				}
			}
			assert.False(t, rs.disagrees(vector(v)))
		})
	}
}
