package match

import (
	"encoding/binary"
	"math"
	"slices"
)

// vector is a candidate pair's comparison vector: per comparison of the
// rule set, the best level the two records agree at (0 the best), the
// number of levels for "both have the field and no level agrees", or
// missing.
type vector string

const missing = 0xff

// compare returns the comparison vector of a pair that agrees at levels
// agrees (noLevel where no shared key says anything) and whose records
// have fields a and b.
func (rs *RuleSet) compare(agrees []uint8, a, b Presence) vector {
	v := make([]byte, len(rs.comps))
	for c, comp := range rs.comps {
		switch {
		case agrees[c] != noLevel:
			v[c] = agrees[c]
		case a.has(comp.Presence) && b.has(comp.Presence):
			v[c] = byte(len(comp.Levels))
		default:
			v[c] = missing
		}
	}
	return vector(v)
}

// has reports whether p has the field of bit; HasDate means a date of any
// precision.
func (p Presence) has(bit Presence) bool {
	if bit == HasDate {
		return p.DatePrecision() != PrecisionNone
	}
	return p&bit != 0
}

// kinOnly reports whether a pair with vector v, between records with
// fields a and b, agrees on kin fields only (Comparison.Kin): both have given
// names, and they disagree, or agree only in their initial although
// neither is written as an initial.
func (rs *RuleSet) kinOnly(v vector, a, b Presence) bool {
	for c, comp := range rs.comps {
		if comp.Presence != HasGiven || v[c] == missing {
			continue
		}
		o := int(v[c])
		if o == len(comp.Levels) {
			return true
		}
		return comp.Levels[o].Field == FieldGivenInitial && a&GivenIsInitial == 0 && b&GivenIsInitial == 0
	}
	return false
}

// evidence names the outcomes of v that are not missing.
func (rs *RuleSet) evidence(v vector) []string {
	var out []string
	for c, comp := range rs.comps {
		switch o := v[c]; {
		case o == missing:
		case int(o) == len(comp.Levels):
			out = append(out, comp.Name+"=disagree")
		default:
			out = append(out, comp.Name+"="+comp.Levels[o].Name)
		}
	}
	return out
}

// Parameters of the expectation–maximisation.
const (
	// emPseudoCount is the weight, in pairs, of the prior each
	// comparison's m and u distributions start from: a session with a
	// handful of candidate pairs leans on the priors, a file-sized one on
	// its data.
	emPseudoCount = 10
	emMaxRounds   = 500
	emTolerance   = 1e-7
	// Probabilities are kept within [emFloor, 1 − emFloor], so that no
	// single outcome is taken as proof either way.
	emFloor = 1e-4
	// emPriorShare is the weight of the m prior, as a share of the
	// pairs.
	emPriorShare = 0
)

// monotone makes the weights log(m/u) of one comparison's outcomes
// non-increasing from the best level to disagreement, with agreement at the
// best level never evidence against and disagreement never evidence for a
// match, by adjusting m: a better level of agreement is never weaker
// evidence than a worse one. Violating runs are pooled (the
// pool-adjacent-violators algorithm, weighted by u).
func monotone(m, u []float64) {
	k := len(m)
	w := make([]float64, k)
	for i := range k {
		w[i] = math.Log(m[i] / u[i])
	}
	w[0] = max(w[0], 0)
	w[k-1] = min(w[k-1], 0)
	// Pool adjacent violators for a non-increasing sequence.
	type block struct {
		sum, weight float64
		n           int
	}
	var st []block
	for i := range k {
		st = append(st, block{w[i] * u[i], u[i], 1})
		for len(st) > 1 && st[len(st)-2].sum/st[len(st)-2].weight < st[len(st)-1].sum/st[len(st)-1].weight {
			a, b := st[len(st)-2], st[len(st)-1]
			st = append(st[:len(st)-2], block{a.sum + b.sum, a.weight + b.weight, a.n + b.n})
		}
	}
	i := 0
	var total float64
	for _, b := range st {
		for range b.n {
			m[i] = u[i] * math.Exp(b.sum/b.weight)
			total += m[i]
			i++
		}
	}
	for i := range m {
		m[i] = clamp(m[i] / total)
	}
}

// model is a fitted Fellegi–Sunter model: the prior log-odds that a
// candidate pair is one child, and per comparison and outcome the log of
// m/u, the outcome's weight of evidence.
type model struct {
	prior   float64
	weights [][]float64
	kin     []bool
}

// fitModel learns the model's parameters from the candidate pairs'
// vectors by expectation–maximisation, under the usual assumption that
// comparisons are independent given the class, with missing outcomes left
// out. It is deterministic: distinct vectors are visited in sorted order,
// so the same vectors give the same model to the last bit, whatever their
// order. The m distributions start from a prior in which pairs of one
// child mostly agree at the best level, the u distributions from the
// outcomes' frequencies over all candidates (most of which are pairs of two
// children).
func fitModel(rs *RuleSet, vectors []vector, fixed []uint32) *model {
	// A distinct vector is the outcomes followed by the fixed mask.
	counts := map[vector]float64{}
	for i, v := range vectors {
		counts[v+vector(binary.BigEndian.AppendUint32(nil, fixed[i]))]++
	}
	distinct := make([]vector, 0, len(counts))
	for v := range counts {
		distinct = append(distinct, v)
	}
	slices.Sort(distinct)
	nc := len(rs.comps)
	free := func(v vector, c int) bool {
		return binary.BigEndian.Uint32([]byte(v[nc:]))&(1<<c) == 0
	}

	outcomes := func(c int) int { return len(rs.comps[c].Levels) + 1 }
	mPrior, uPrior := make([][]float64, nc), make([][]float64, nc)
	for c := range nc {
		k := outcomes(c)
		mPrior[c], uPrior[c] = make([]float64, k), make([]float64, k)
		// m: 0.8 at the best level, 0.15 shared by the other levels
		// (all on the best if it is the only one), 0.05 on disagreement.
		mPrior[c][0], mPrior[c][k-1] = 0.8, 0.05
		for l := 1; l < k-1; l++ {
			mPrior[c][l] = 0.15 / float64(k-2)
		}
		if k == 2 {
			mPrior[c][0] = 0.95
		}
		// u: the outcomes' frequencies, with one pair of each for
		// outcomes never seen.
		total := float64(k)
		for l := range k {
			uPrior[c][l] = 1
		}
		for _, v := range distinct {
			if o := v[c]; o != missing && free(v, c) {
				uPrior[c][o] += counts[v]
				total += counts[v]
			}
		}
		for l := range k {
			uPrior[c][l] /= total
		}
	}
	m, u := clone2(mPrior), clone2(uPrior)
	lambda := 0.1
	// The m prior weighs as much as a share of the pairs themselves: pairs
	// of different children that a block gathers share structure of their
	// own (siblings share an address), and an unanchored EM would take that
	// structure for the match class.
	mWeight := max(emPseudoCount, emPriorShare*float64(len(vectors)))
	post := make([]float64, len(distinct))
	for range emMaxRounds {
		// Expectation: the probability that each distinct vector is one
		// child's pair.
		for i, v := range distinct {
			lm, lu := math.Log(lambda), math.Log(1-lambda)
			for c := range nc {
				if o := v[c]; o != missing {
					lm += math.Log(m[c][o])
					lu += math.Log(u[c][o])
				}
			}
			post[i] = 1 / (1 + math.Exp(lu-lm))
		}
		// Maximisation, with the priors as pseudo-counts.
		var matches, all float64
		mNext, uNext := scaled(mPrior, mWeight), scaled(uPrior, emPseudoCount)
		for i, v := range distinct {
			n := counts[v]
			pm := float64(n * post[i])
			pu := float64(n - pm)
			matches += pm
			all += n
			for c := range nc {
				if o := v[c]; o != missing && free(v, c) {
					mNext[c][o] += pm
					uNext[c][o] += pu
				}
			}
		}
		change := 0.0
		next := clamp(matches / max(all, 1))
		change = math.Abs(next - lambda)
		lambda = next
		for c := range nc {
			change = max(change, normalizeInto(m[c], mNext[c]), normalizeInto(u[c], uNext[c]))
			monotone(m[c], u[c])
		}
		if change < emTolerance {
			break
		}
	}
	md := &model{prior: math.Log(lambda / (1 - lambda)), weights: make([][]float64, nc), kin: make([]bool, nc)}
	for c := range nc {
		md.kin[c] = rs.comps[c].Kin
		md.weights[c] = make([]float64, outcomes(c))
		for o := range md.weights[c] {
			md.weights[c][o] = math.Log(m[c][o] / u[c][o])
		}
	}
	return md
}

// probability returns the probability that a pair with vector v is one
// child's, rounded to six decimals. kinOnly says that the pair's given names
// disagree (see Comparison.Kin): agreement on kin fields then counts for
// nothing, disagreement still against.
func (md *model) probability(v vector, kinOnly bool) float64 {
	odds := md.prior
	for c, w := range md.weights {
		if o := v[c]; o != missing {
			if kinOnly && md.kin[c] && w[o] > 0 {
				continue
			}
			odds += w[o]
		}
	}
	p := 1 / (1 + math.Exp(-odds))
	return math.Round(p*1e6) / 1e6
}

// normalizeInto writes counts, scaled to sum to one and kept off 0 and 1,
// into dst and returns the largest change.
func normalizeInto(dst, counts []float64) float64 {
	var sum float64
	for _, x := range counts {
		sum += x
	}
	change := 0.0
	for i, x := range counts {
		p := clamp(x / sum)
		change = max(change, math.Abs(p-dst[i]))
		dst[i] = p
	}
	return change
}

func clamp(p float64) float64 { return min(max(p, emFloor), 1-emFloor) }

func clone2(x [][]float64) [][]float64 {
	out := make([][]float64, len(x))
	for i := range x {
		out[i] = slices.Clone(x[i])
	}
	return out
}

func scaled(x [][]float64, by float64) [][]float64 {
	out := clone2(x)
	for i := range out {
		for j := range out[i] {
			out[i][j] = float64(out[i][j] * by)
		}
	}
	return out
}
