package match

import (
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
// value for which the pairs' probabilities under competition add up to the
// number of records the model on its own expects to be linked (on the side
// with fewer: per record, the probability that at least one of its pairs is
// one child's).
//
// A pair keeps the higher of its two probabilities, and only a pair with
// nothing against it is lifted at all: competition weighs rivals, not
// evidence, so it may make a pair whose fields agree where both records
// have them likelier, but never outweighs a field both records have and
// disagree on (birth dates ten years apart, another sex) or given names
// that say sibling (RuleSet.kinOnly). Where the child lives now (postcode,
// locality, nationality, address) does not count against the lift: a
// missing child has moved. And it never lowers a pair: two records of
// one child in one file, each an equally good partner of a third record,
// keep their scores (and are marked Tied) instead of halving each other's.
//
// Both parties compute the same scores to the last bit: every sum is taken
// over values sorted first, so it does not depend on the order the pairs
// are held in, which differs between the parties.

// Bounds of the competition factor k, as powers of two, and the rounds of
// the bisection that finds it (each halves the interval of log2 k).
const (
	competitionMinLog2 = -10
	competitionMaxLog2 = 20
	competitionRounds  = 48
)

// compete returns the scores of pairs under one-to-one competition: for
// each pair, scores[i], or where liftable[i] the higher of scores[i] and
// its probability given its rivals. owns[i] and peers[i] name pair i's two
// records; equal values name the same record.
func compete(scores []float64, owns []int32, peers []uint32, liftable []bool) []float64 {
	n := len(scores)
	if n == 0 {
		return nil
	}
	odds := make([]float64, n)
	for i, p := range scores {
		p = min(max(p, 1e-7), 1-1e-7)
		odds[i] = p / (1 - p)
	}
	ownOdds, peerOdds := sumsBy(owns, odds), sumsBy(peers, odds)
	rivals := make([]float64, n)
	for i := range n {
		// The sums include the pair itself once on each side.
		rivals[i] = max(0, ownOdds[owns[i]]-odds[i]+(peerOdds[peers[i]]-odds[i]))
	}
	// The number of records expected to be linked, on the side with fewer.
	notLinked := make([]float64, n)
	for i, p := range scores {
		notLinked[i] = math.Log1p(-min(p, 1-1e-12))
	}
	target := min(expectedLinked(sumsBy(owns, notLinked)), expectedLinked(sumsBy(peers, notLinked)))

	lifted := underCompetition(odds, rivals, target)
	out := make([]float64, n)
	for i := range n {
		out[i] = scores[i]
		if liftable[i] {
			out[i] = max(scores[i], math.Round(lifted[i]*1e6)/1e6)
		}
	}
	return out
}

// underCompetition returns the pairs' probabilities under competition,
// o' = k·o / (1 + k·r) for pair odds o and rivals' odds r, with k the
// factor, within its bounds (2^-10 to 2^20), at which they sum to target.
func underCompetition(odds, rivals []float64, target float64) []float64 {
	trial := make([]float64, len(odds))
	lifted := func(k float64) {
		for i := range odds {
			o := float64(k*odds[i]) / (1 + float64(k*rivals[i]))
			trial[i] = o / (1 + o)
		}
	}
	lo, hi := float64(competitionMinLog2), float64(competitionMaxLog2)
	for range competitionRounds {
		mid := (lo + hi) / 2
		lifted(math.Exp2(mid))
		if sortedSum(trial) < target {
			lo = mid
		} else {
			hi = mid
		}
	}
	lifted(math.Exp2(lo))
	return trial
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

// expectedLinked returns the expected number of records with a pair of
// one child, from each record's sum of log(1 − p) over its pairs.
func expectedLinked[K comparable](notLinked map[K]float64) float64 {
	linked := make([]float64, 0, len(notLinked))
	for _, s := range notLinked {
		linked = append(linked, -math.Expm1(s))
	}
	return sortedSum(linked)
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
