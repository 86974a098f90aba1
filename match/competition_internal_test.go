package match

import (
	"math"
	"math/rand/v2"
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

// background is a session's many clear pairs, one per record, some
// uncertain ones without rivals, and a few that lose to clear pairs: what
// the factor k is learned from. The model on its own expects 200 × 0.999
// + 40 × 0.5 + 5 × 0.6 records linked on each side (every record's best
// pair); under competition the losing pairs count for little, so the pairs
// add up to that only with k > 1.
func background() competitionCase {
	var c competitionCase
	for i := range 200 {
		c = append(c, competingPair{int32(i), uint32(1000 + i), 0.999})
	}
	for i := range 40 {
		c = append(c, competingPair{int32(700 + i), uint32(1700 + i), 0.5})
	}
	for i := range 5 {
		// A record of ours with a clear partner, and a peer record with
		// nothing better than it; and the same the other way round.
		c = append(c, competingPair{int32(i), uint32(1300 + i), 0.6})
		c = append(c, competingPair{int32(300 + i), uint32(1100 + i), 0.6})
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
			competitionCase{{502, 1503, 0.95}, {502, 1504, 0.95}}, []bool{false, false}},
		{"a rival on the peer's side counts as one on ours",
			competitionCase{{503, 1505, 0.7}, {504, 1505, 0.999}}, []bool{false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := append(background(), tt.pairs...)
			scores, owns, peers := c.split()
			got, lifted, _ := compete(scores, owns, peers, allLiftable(len(c)))
			require.Len(t, got, len(c))
			for i := range c {
				assert.GreaterOrEqual(t, got[i], scores[i], "competition never lowers a pair")
				assert.Equal(t, got[i] > scores[i], lifted[i], "lifted says which pairs were raised")
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
			held, none, _ := compete(scores, owns, peers, make([]bool, len(c)))
			assert.Equal(t, scores, held)
			assert.NotContains(t, none, true)
		})
	}
}

// TestCompeteLiftsByTheLearnedFactor checks the size of the lift: a pair
// without rivals goes from odds o to k·o, with k the factor at which the
// pairs' probabilities under competition add up to the records the model
// expects linked.
func TestCompeteLiftsByTheLearnedFactor(t *testing.T) {
	c := append(background(), competingPair{500, 1500, 0.7})
	scores, owns, peers := c.split()
	got, _, _ := compete(scores, owns, peers, allLiftable(len(c)))

	odds := make([]float64, len(scores))
	for i, p := range scores {
		odds[i] = p / (1 - p)
	}
	rivals := rivalOdds(owns, peers, odds)
	target := bestPairsSum(owns, scores)
	k := competitionFactor(odds, rivals, target)
	require.Greater(t, k, 1.0, "the background's uncertain pairs have rivals: k must make up for them")
	var sum float64
	for i := range odds {
		o := k * odds[i] / (1 + k*rivals[i])
		sum += o / (1 + o)
	}
	assert.InDelta(t, target, sum, 1e-6, "k meets the target")
	want := k * (0.7 / 0.3) / (1 + k*(0.7/0.3))
	assert.InDelta(t, want, got[len(got)-1], 1e-6)
}

// TestCompetitionFactorIsBounded checks that a session cannot lift a pair
// by more than the bound, however far its pairs fall short of the target,
// and that a cluster of equally good pairs does not raise k.
func TestCompetitionFactorIsBounded(t *testing.T) {
	// Odds that no k within bounds brings to the target.
	assert.Equal(t, float64(competitionMax), competitionFactor([]float64{1e-6}, []float64{0}, 1))

	// A peer's records that each meet ten of ours at 0.6, and one lone
	// pair: the cluster adds up to what its best pairs expect already.
	var c competitionCase
	for p := range 100 {
		for j := range 10 {
			c = append(c, competingPair{int32(p*10 + j), uint32(5000 + p), 0.6})
		}
	}
	c = append(c, competingPair{2000, 9000, 0.2})
	scores, owns, peers := c.split()
	got, _, _ := compete(scores, owns, peers, allLiftable(len(c)))
	assert.Less(t, got[len(got)-1], 0.5, "a lone pair at 0.2 is not lifted far by a cluster elsewhere")
}

// TestCompeteIgnoresNaN checks that a score that is not a probability
// neither spreads to its rivals nor is lifted.
func TestCompeteIgnoresNaN(t *testing.T) {
	c := append(background(), competingPair{500, 1500, math.NaN()}, competingPair{500, 1501, 0.95})
	scores, owns, peers := c.split()
	got, lifted, _ := compete(scores, owns, peers, allLiftable(len(c)))
	assert.True(t, math.IsNaN(got[len(got)-2]))
	assert.False(t, lifted[len(got)-2])
	assert.False(t, math.IsNaN(got[len(got)-1]))
	assert.GreaterOrEqual(t, got[len(got)-1], 0.95)
}

// TestCompetitionSumsDoNotDependOnOrder checks the sums both parties
// must agree on to the last bit with values whose sum, in floating point,
// depends on the order they are added in.
func TestCompetitionSumsDoNotDependOnOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	odds := []float64{1e16, 1, 1, 3, 1e-3, 7}
	owns := []int32{1, 1, 1, 1, 2, 2}
	peers := []uint32{10, 10, 10, 11, 11, 12}
	scores := []float64{0.5, 0.25, 0.125, 0.1, 0.3, 0.7}
	for range 20 {
		perm := rng.Perm(len(odds))
		pOdds, pOwns, pPeers, pScores := make([]float64, len(odds)), make([]int32, len(odds)), make([]uint32, len(odds)), make([]float64, len(odds))
		for j, i := range perm {
			pOdds[j], pOwns[j], pPeers[j], pScores[j] = odds[i], owns[i], peers[i], scores[i]
		}
		want, got := rivalOdds(owns, peers, odds), rivalOdds(pOwns, pPeers, pOdds)
		// The peer holds the pairs with its own records first.
		swapped := rivalOdds(func() []int32 {
			o := make([]int32, len(pPeers))
			for j, p := range pPeers {
				o[j] = int32(p)
			}
			return o
		}(), func() []uint32 {
			o := make([]uint32, len(pOwns))
			for j, p := range pOwns {
				o[j] = uint32(p)
			}
			return o
		}(), pOdds)
		for j, i := range perm {
			require.Equal(t, math.Float64bits(want[i]), math.Float64bits(got[j]))
			require.Equal(t, math.Float64bits(want[i]), math.Float64bits(swapped[j]))
		}
		require.Equal(t, math.Float64bits(bestPairsSum(owns, scores)), math.Float64bits(bestPairsSum(pOwns, pScores)))
		require.Equal(t, math.Float64bits(competitionFactor(odds, want, 2)), math.Float64bits(competitionFactor(pOdds, got, 2)))
	}
	// The test means something: these values do sum differently by order.
	big, one := 1e16, 1.0
	assert.NotEqual(t, (big+one)+one, big+(one+one))
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
	want, wantLifted, _ := compete(scores, owns, peers, liftable)

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
	got, gotLifted, _ := compete(pScores, pOwns, pPeers, pLift)
	for j, i := range perm {
		require.Equal(t, math.Float64bits(want[i]), math.Float64bits(got[j]), "pair %d", i)
		require.Equal(t, wantLifted[i], gotLifted[j], "pair %d", i)
	}
	assert.Contains(t, wantLifted, true, "some pair was lifted")
}

// TestLiftable checks which pairs competition may lift: not those whose
// given names say sibling, and not those that disagree on a field a child
// keeps; where it lives now does not count.
func TestLiftable(t *testing.T) {
	rs := DefaultRules()
	tests := []struct {
		comparison string
		liftable   bool
	}{
		{"given", false},
		{"family", false},
		{"date", false},
		{"estimated-date", false},
		{"sex", false},
		{"birth-place", false},
		{"parents", false},
		{"document", false},
		{"postcode", true},
		{"locality", true},
		{"nationality", true},
		{"address", true},
	}
	vectorWith := func(comparison string, level func(Comparison) byte) vector {
		v := make([]byte, len(rs.comps)+len(rs.blocks))
		for i := range v {
			v[i] = missing
		}
		found := false
		for c, comp := range rs.comps {
			if comp.Name == comparison {
				v[c] = level(comp)
				found = true
			}
		}
		require.True(t, found, comparison)
		return vector(v)
	}
	for _, tt := range tests {
		t.Run(tt.comparison, func(t *testing.T) {
			disagree := vectorWith(tt.comparison, func(c Comparison) byte { return byte(len(c.Levels)) })
			assert.Equal(t, tt.liftable, rs.liftable(disagree, false), "disagreement")
			agree := vectorWith(tt.comparison, func(Comparison) byte { return 0 })
			assert.True(t, rs.liftable(agree, false), "agreement at the best level")
			assert.False(t, rs.liftable(agree, true), "kin-only pairs are never lifted")
		})
	}
}

// TestCompeteWithoutPairs checks that a session without candidate pairs
// learns no competition factor (0, which the audit leaves out), rather than
// the bisection's lower bound.
func TestCompeteWithoutPairs(t *testing.T) {
	out, lifted, k := compete(nil, nil, nil, nil)
	assert.Empty(t, out)
	assert.Empty(t, lifted)
	assert.Zero(t, k)
}
