package match

import (
	"cmp"
	"math"
	"slices"
)

// This file weighs a pair's rivals: the other candidate pairs of its two
// records.
//
// The model judges every candidate pair on its own, with one prior share of
// pairs of one child per block. But a child has at most one record in each
// file, so a pair whose records have no other plausible partner is likelier
// one child's than the block's average pair with the same evidence, and a
// pair whose record has a better partner less likely. On files where many
// children have a record on one side only, or where a pair's only evidence
// is an exact name with the date missing, the model on its own is
// calibrated over all candidate pairs but underrates the pairs that have
// no rival.
//
// One-to-one competition reads each pair's probability p (odds o) again
// under the assumption that each record has at most one partner, with the
// rivals' odds r (the sum of the odds of every other candidate pair of
// either record) and a factor k by which the prior of a pair without
// rivals exceeds the block's average:
//
//	o' = k·o / (1 + k·r)
//
// k is learned from the session, as the model's parameters are: it is the
// value for which the pairs' probabilities under competition add up to
// the number of records the model on its own expects to be linked, taken
// as the sum over records of their best pair's probability (on the side
// where that sum is smaller). Counting each record's best pair only, not
// all its pairs, keeps a cluster of equally good pairs (five copies of
// one record, or a peer's record that meets ten of ours) from driving k
// up: under competition such a cluster adds up to at most one record,
// and so does its best pair. k is bounded by 2^6, above every value the
// tuning sets gave (bench/README.md#history), so that no session can lift
// a pair by more than that factor in its odds.
//
// A pair keeps the higher of its two probabilities, and only a pair with
// nothing against it is lifted at all: competition weighs rivals, not
// evidence, so it may make a pair whose fields agree where both records
// have them likelier, but never outweighs a field both records have and
// disagree on (birth dates years apart in month or day as well, another
// sex) or given names that say sibling (RuleSet.kinOnly). Where the child
// lives now (postcode, locality, nationality, address) does not count
// against the lift: a missing child has moved. And it never lowers a pair: two records of
// one child in one file, each an equally good partner of a third record,
// keep their scores (and are marked Tied) instead of halving each other's.
//
// Both parties compute the same scores to the last bit: every sum is taken
// over values sorted first, so it does not depend on the order the pairs
// are held in, which differs between the parties.

// Bounds of the competition factor k and the rounds of the bisection
// that finds it (each halves the interval of log2 k: from 16 doublings to
// 2^-36 of one).
const (
	competitionMin    = 1.0 / (1 << 10)
	competitionMax    = 1 << 6
	competitionRounds = 40
)

// compete returns the scores of pairs under one-to-one competition: for
// each pair, scores[i], or where liftable[i] the higher of scores[i] and
// its probability given its rivals; lifted[i], whether that raised it;
// and k, the competition factor learned (0 when there are no pairs, which
// leave nothing to learn it from). owns[i] and peers[i] name pair i's two
// records; equal values name the same record. A score that is not a
// probability (NaN) is kept and counts for nothing.
func compete(scores []float64, owns []int32, peers []uint32, liftable []bool) (out []float64, lifted []bool, k float64) {
	n := len(scores)
	if n == 0 {
		return nil, nil, 0
	}
	odds := make([]float64, n)
	for i, p := range scores {
		if !(p >= 0 && p <= 1) {
			continue
		}
		p = min(max(p, 1e-7), 1-1e-7)
		odds[i] = p / (1 - p)
	}
	rivals := rivalOdds(owns, peers, odds)
	target := min(bestPairsSum(owns, scores), bestPairsSum(peers, scores))
	k = competitionFactor(odds, rivals, target)
	out, lifted = slices.Clone(scores), make([]bool, n)
	for i := range n {
		if !liftable[i] || odds[i] == 0 {
			continue
		}
		if p := math.Round(underCompetition(k, odds[i], rivals[i])*1e6) / 1e6; p > scores[i] {
			out[i], lifted[i] = p, true
		}
	}
	return out, lifted, k
}

// rivalOdds returns, per pair, the sum of the odds of the other pairs of
// its two records. Both parties get the same sums to the last bit: each
// record's sum is taken over its pairs' odds sorted, and the two records'
// sums are added in either order alike.
func rivalOdds(owns []int32, peers []uint32, odds []float64) []float64 {
	own, peer := sumsBy(owns, odds), sumsBy(peers, odds)
	rivals := make([]float64, len(odds))
	for i := range odds {
		// The sums include the pair itself once on each side.
		rivals[i] = max(0, own[owns[i]]-odds[i]+(peer[peers[i]]-odds[i]))
	}
	return rivals
}

// bestPairsSum returns the sum, over the records by names, of the highest
// probability among each record's pairs.
func bestPairsSum[K comparable](by []K, scores []float64) float64 {
	best := map[K]float64{}
	for i, k := range by {
		if p := scores[i]; p >= 0 && p <= 1 {
			best[k] = max(best[k], p)
		}
	}
	values := make([]float64, 0, len(best))
	for _, p := range best {
		values = append(values, p)
	}
	return sortedSum(values)
}

// competitionFactor returns the factor k, within its bounds, at which the
// probabilities under competition, o' = k·o / (1 + k·r) for pair odds o
// and rivals' odds r, sum to target; the upper bound where they fall short
// of it even there. The bisection halves the interval of log k with
// square roots, which IEEE 754 rounds exactly on every platform, and sums
// in one order fixed by the values, so both parties find the same k.
func competitionFactor(odds, rivals []float64, target float64) float64 {
	order := make([]int, len(odds))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(odds[a], odds[b]), cmp.Compare(rivals[a], rivals[b]))
	})
	sum := func(k float64) float64 {
		var s float64
		for _, i := range order {
			s += underCompetition(k, odds[i], rivals[i])
		}
		return s
	}
	lo, hi := competitionMin, float64(competitionMax)
	if sum(hi) < target {
		return hi
	}
	for range competitionRounds {
		mid := math.Sqrt(float64(lo * hi))
		if sum(mid) < target {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// underCompetition returns the probability of a pair with odds o and
// rivals' odds r under competition with factor k. Each product is
// converted explicitly so that no processor fuses it with the addition.
func underCompetition(k, o, r float64) float64 {
	lifted := float64(k*o) / (1 + float64(k*r))
	return lifted / (1 + lifted)
}

// sumsBy returns, per distinct value of by, the sum of the values of its
// pairs, each sum taken in ascending order of the values.
func sumsBy[K comparable](by []K, values []float64) map[K]float64 {
	groups := map[K][]float64{}
	for i, k := range by {
		groups[k] = append(groups[k], values[i])
	}
	sums := make(map[K]float64, len(groups))
	for k, g := range groups {
		sums[k] = sortedSum(g)
	}
	return sums
}

// sortedSum returns the sum of x taken in ascending order, which is the
// same whatever order x is in. It sorts x in place.
func sortedSum(x []float64) float64 {
	slices.Sort(x)
	var sum float64
	for _, v := range x {
		sum += v
	}
	return sum
}
