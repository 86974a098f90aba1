package match

import (
	"math"
	"slices"
)

// vector is a candidate pair's comparison vector: per comparison of the
// rule set, the best level the two records agree at (0 the best), the
// number of levels for "both have the field and no level agrees", or
// missing.
type vector string

const missing = 0xff

// identityPapers are the fields a false identity's papers give along with
// its name: the birth date, birth place, parents and document number.
const identityPapers = HasDate | HasBirthPlace | HasParents | HasDocument

// compare returns the comparison vector of a pair that agrees at levels
// agrees (noLevel where no shared key says anything) and whose records
// have fields a and b. A pair that meets only through an alias (alias) is
// a child under a false identity, whose birth date, birth place, parents
// and document are as false as its name and say nothing about the child
// the alias names (identityPapers): they are left out. (Sex stays: a false
// identity seldom changes it. Where the child lives now, nationality
// included, is left to the data.)
func (rs *RuleSet) compare(agrees []uint8, a, b Presence, alias bool) vector {
	v := make([]byte, len(rs.comps))
	estimated := min(a.DatePrecision(), b.DatePrecision()) == PrecisionYear
	for c, comp := range rs.comps {
		switch {
		case alias && comp.Presence&identityPapers != 0,
			comp.Presence == HasDate && comp.Estimated != estimated:
			v[c] = missing
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
// fields a and b, has nothing but kin fields (Comparison.Kin) to tell
// twins apart: the given names disagree, or agree only in their initial
// although neither is written as an initial, or agree at the typo level
// by a letter changed or two swapped (see GivenLengthOdd) while neither
// name is rare in its file (GivenIsRare), or agree at best at the ending
// level (a last letter changed, added or left out: Ivan and Ivana) while
// the two records do not both give the same sex, or agree less
// than exactly while the sexes differ, or one is missing while a household field
// (Comparison.Household) agrees; and no identifier
// (Comparison.Identifies) agrees.
func (rs *RuleSet) kinOnly(v vector, a, b Presence) bool {
	only, household, sexDiffers, sexSame := false, false, false, false
	for c, comp := range rs.comps {
		agrees := v[c] != missing && int(v[c]) < len(comp.Levels)
		household = household || comp.Household && agrees
		sexDiffers = sexDiffers || comp.Presence == HasSex && int(v[c]) == len(comp.Levels)
		sexSame = sexSame || comp.Presence == HasSex && agrees
	}
	for c, comp := range rs.comps {
		o := int(v[c])
		switch {
		case comp.Identifies && v[c] != missing && o < len(comp.Levels):
			return false // one child's own identifier agrees
		case comp.Presence != HasGiven:
		case v[c] == missing:
			only = household
		default:
			only = o == len(comp.Levels) ||
				comp.Levels[o].Field == FieldGivenInitial && a&GivenIsInitial == 0 && b&GivenIsInitial == 0 ||
				comp.Levels[o].Field == FieldGivenTypo && (a^b)&GivenLengthOdd == 0 && (a|b)&GivenIsRare == 0 ||
				// Names that differ at their end are a brother's and a
				// sister's (Daniel, Daniela) unless both records give the
				// same sex. A name unique in its file does not count here
				// as it does for the typo level: a gendered ending is how
				// many languages write a sister's name (Paolo, Paola), and
				// in a file of many origins many real names are unique.
				comp.Levels[o].Field == FieldGivenEnding && !sexSame ||
				// Names that only sound alike, on children of another
				// sex, are a brother's and a sister's (Daniel, Daniela).
				sexDiffers && comp.Levels[o].Field != FieldGivenExact
		}
	}
	return only
}

// commonnessLevels is the number of outcomes of commonness.
const commonnessLevels = 4

// commonness grades how common a block key is in the two files, from the
// number of records that hold it on each side (as many as its payload
// names, so both parties count alike): 0 when each side has one record
// with it, 1 for two, 2 for three or four, 3 for more. A pair that shares
// a key few records hold is likelier one child's than one that shares a
// key many hold (Nguyen Van Anh, John Smith): this is the term-frequency
// adjustment of a Fellegi–Sunter model, learned by EM like the
// comparisons, from counts the payloads already reveal.
func commonness(own, peer int) uint8 {
	switch n := max(own, peer); {
	case n <= 1:
		return 0
	case n == 2:
		return 1
	case n <= 4:
		return 2
	default:
		return 3
	}
}

// livesNow are the fields that say where a child lives now, which a
// child who went missing has changed: its postcode, locality, nationality
// and address.
const livesNow = HasPostcode | HasLocality | HasNationality | HasAddress

// liftable reports whether one-to-one competition may lift a pair with
// vector v (see compete): its given names do not say sibling (kinOnly)
// and it disagrees on no field a child keeps.
func (rs *RuleSet) liftable(v vector, kinOnly bool) bool {
	return !kinOnly && !rs.disagrees(v)
}

// disagrees reports whether v has a comparison of a field a child keeps
// (not one of livesNow) at which both records have the field and no level
// agrees.
func (rs *RuleSet) disagrees(v vector) bool {
	for c, comp := range rs.comps {
		if comp.Presence&livesNow == 0 && int(v[c]) == len(comp.Levels) {
			return true
		}
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
	// comparison's m distribution starts from, and of the share of pairs of
	// one child: a session with a handful of candidate pairs leans on the
	// priors, a file-sized one on its data.
	emPseudoCount = 10
	emMaxRounds   = 500
	emTolerance   = 1e-7
	// Probabilities are kept within [emFloor, 1 − emFloor], so that no
	// single outcome is taken as proof either way.
	emFloor = 1e-4
	// lambdaPrior is where the share of pairs of one child starts from,
	// with emPseudoCount pairs' weight.
	lambdaPrior = 0.5
	// uPseudoCount is the weight, in pairs, of the files' chance agreement
	// as the prior of u: a block with few pairs of different children (one
	// that gathers nearly only true pairs) keeps it, a block with many
	// learns its own.
	uPseudoCount = 100
)

// Products that feed sums are converted with float64() explicitly
// throughout: the Go compiler may otherwise fuse a multiplication and an
// addition on some processors, and both parties must compute the same
// model to the last bit.

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
		st = append(st, block{float64(w[i] * u[i]), u[i], 1})
		for len(st) > 1 && st[len(st)-2].sum/st[len(st)-2].weight < st[len(st)-1].sum/st[len(st)-1].weight {
			a, b := st[len(st)-2], st[len(st)-1]
			st = append(st[:len(st)-2], block{a.sum + b.sum, a.weight + b.weight, a.n + b.n})
		}
	}
	i := 0
	var total float64
	for _, b := range st {
		for range b.n {
			m[i] = float64(u[i] * math.Exp(b.sum/b.weight))
			total += m[i]
			i++
		}
	}
	for i := range m {
		m[i] = clamp(m[i] / total)
	}
}

// model is a fitted Fellegi–Sunter model per block: a block decides which
// pairs become candidates, and the pairs of different children it gathers
// differ from block to block (namesakes for a block on names, twins and
// siblings for one on family name and birth date), so each block has its
// own.
type model struct {
	blocks []blockModel
	kin    []bool
}

// blockModel is the model of one block's pairs: the prior log-odds that
// one of them is one child's, and per learned comparison and outcome the
// log of m/u, the outcome's weight of evidence.
type blockModel struct {
	prior   float64
	learns  uint32
	weights [][]float64
	// kin reports that the block rests on kin fields: it fixes a kin
	// field and the given name at most to its initial, so its prior, the
	// share of one child's pairs among its pairs, is kin evidence.
	kin bool
}

// fitModel learns, for each block, a Fellegi–Sunter model of its candidate
// pairs by expectation–maximisation, without labels: the share of pairs of
// one child, and for each comparison the block leaves open the probability
// of each outcome for pairs of one child (m) and of two children (u),
// assuming comparisons independent given the class and leaving missing
// outcomes out. A comparison the block settles at its best level says
// nothing about its pairs and is left out; one it settles partly (names in
// sound) has its priors restricted to the outcomes the block allows. u
// starts from the two files'
// chance agreement (Statistics) and leans on it with uPseudoCount pairs'
// weight, which anchors the model: a block whose pairs are nearly all of
// one child keeps chance agreement as u and learns m, where an unanchored
// EM would find two classes in it all the same (siblings who share an
// address, say) and take one of them for the match class.
//
// blocks[i] is the set of blocks (bits) pair i shares. fitModel is
// deterministic: distinct vectors are visited in sorted order, so the same
// pairs give the same model to the last bit, whatever their order and
// whichever party computes it.
func fitModel(rs *RuleSet, vectors []vector, blocks []uint32, own, peer Statistics) *model {
	chance := rs.chanceRates(own, peer)
	md := &model{blocks: make([]blockModel, len(rs.blocks)), kin: make([]bool, len(rs.comps))}
	for c, comp := range rs.comps {
		md.kin[c] = comp.Kin
	}
	nb := len(rs.blocks)
	in := make([][]vector, nb)
	implied := make([][]uint8, nb)
	for b := range nb {
		for i, v := range vectors {
			if blocks[i]&(1<<b) != 0 {
				in[b] = append(in[b], v)
			}
		}
		for _, r := range rs.rules {
			if r.block == b && r.level < 0 {
				implied[b] = r.agrees
			}
		}
	}
	// First pass: each block on its own.
	lambdas, ms := make([]float64, nb), make([][][]float64, nb)
	for b := range nb {
		lambdas[b], ms[b], _ = em(rs, in[b], rs.learns[b], b, chance, implied[b], nil)
	}
	// How one child's records vary (m) does not depend on the block that
	// brought two of them together; but a block whose pairs are mostly
	// of two children (namesakes, for a block on names) can mistake a
	// kind of pair of two children (namesakes of one origin) for the
	// match class. So each comparison takes its m from the purest block
	// that leaves it entirely open, the one with the largest share of
	// pairs of one child, and every block learns its share and its u
	// again with that m held. A block that rests on kin fields (family
	// name and postcode, say) is never the source, however pure: the
	// pairs of two children it gathers are relatives, a father and the
	// son named after him, whom EM can take for one person, and then
	// learns that a birth date twenty years off is common in a person's
	// records.
	shared := make([][]float64, len(rs.comps))
	for c := range rs.comps {
		best := -1
		for b := range nb {
			if rs.learns[b]&(1<<c) == 0 || implied[b][c] != noLevel || present(in[b], c) < minSourcePairs || rs.restsOnKin(implied[b]) {
				continue
			}
			if best < 0 || lambdas[b] > lambdas[best] {
				best = b
			}
		}
		if best >= 0 {
			shared[c] = ms[best][c]
		}
	}
	for b := range nb {
		lambda, m, u := em(rs, in[b], rs.learns[b], b, chance, implied[b], shared)
		md.blocks[b] = weigh(rs, lambda, m, u, rs.learns[b], b)
		md.blocks[b].kin = rs.restsOnKin(implied[b])
	}
	return md
}

// minSourcePairs is the fewest pairs with a comparison present that a
// block must have for its m of that comparison to be shared with the other
// blocks.
const minSourcePairs = 200

// present counts the vectors in which comparison c is not missing.
func present(vectors []vector, c int) int {
	n := 0
	for _, v := range vectors {
		if v[c] != missing {
			n++
		}
	}
	return n
}

// weigh turns a block's fitted model into its prior and weights, over the
// comparisons in include (bits) and the block's commonness.
func weigh(rs *RuleSet, lambda float64, m, u [][]float64, include uint32, block int) blockModel {
	nc := len(rs.comps)
	bm := blockModel{prior: math.Log(lambda / (1 - lambda)), learns: include, weights: make([][]float64, len(m))}
	for c := range m {
		if c < nc && include&(1<<c) == 0 || c >= nc && c != nc+block {
			continue
		}
		// A held m met this block's u only now: keep the weights
		// monotone here too.
		mc := slices.Clone(m[c])
		monotone(mc, u[c])
		bm.weights[c] = make([]float64, len(mc))
		for o := range mc {
			bm.weights[c][o] = math.Log(mc[o] / u[c][o])
		}
	}
	return bm
}

// em runs the expectation–maximisation of learn and returns the share of
// the match class and the m and u distributions.
//
// held, where not nil, gives per comparison an m to hold instead of
// learning it (restricted to the outcomes the block allows).
func em(rs *RuleSet, vectors []vector, include uint32, block int, chance [][]float64, implied []uint8, held [][]float64) (lambda float64, m, u [][]float64) {
	// Features 0 to nc-1 are the comparisons, nc+b the commonness of
	// block b's key; this block's model learns its own.
	nc := len(rs.comps)
	nf := nc + len(rs.blocks)
	distinct, counts := tally(vectors)
	used := func(v vector, c int) bool {
		return v[c] != missing && (c < nc && include&(1<<c) != 0 || c == nc+block)
	}
	mPrior, uPrior := make([][]float64, nf), make([][]float64, nf)
	for c := nc; c < nf; c++ {
		// Pairs of one child mostly share keys that are rare; pairs of
		// two children are spread over all grades.
		mPrior[c] = []float64{0.6, 0.2, 0.12, 0.08}
		uPrior[c] = []float64{0.25, 0.25, 0.25, 0.25}
	}
	for c := range nc {
		k := len(rs.comps[c].Levels) + 1
		mPrior[c] = defaultM(k)
		// u: the two files' chance agreement.
		uPrior[c] = slices.Clone(chance[c])
		if l := int(implied[c]); l < k {
			// The block's pairs agree at level l or better: both priors
			// are those of the outcomes it leaves.
			restrict(mPrior[c], l)
			restrict(uPrior[c], l)
		}
	}
	fixed := make([]bool, nf)
	for c := range held {
		if held[c] != nil {
			mPrior[c], fixed[c] = slices.Clone(held[c]), true
			if l := int(implied[c]); l < len(mPrior[c]) {
				restrict(mPrior[c], l)
			}
		}
	}
	m, u = clone2(mPrior), clone2(uPrior)
	lambda = 0.5
	uWeight := float64(uPseudoCount)
	post := make([]float64, len(distinct))
	for range emMaxRounds {
		// Expectation: the probability that each distinct vector is one
		// child's pair.
		for i, v := range distinct {
			odds := math.Log(lambda / (1 - lambda))
			for c := range nf {
				if used(v, c) {
					odds += math.Log(m[c][v[c]] / u[c][v[c]])
				}
			}
			post[i] = 1 / (1 + math.Exp(-odds))
		}
		// Maximisation, with the priors as pseudo-counts.
		var matches, all float64
		mNext, uNext := scaled(mPrior, emPseudoCount), scaled(uPrior, uWeight)
		for c := nc; c < nf; c++ {
			uNext[c] = scaled(uPrior[c:c+1], emPseudoCount)[0] // no files' rate to anchor on
		}
		for i, v := range distinct {
			pm := float64(counts[i] * post[i])
			matches += pm
			all += counts[i]
			for c := range nf {
				if used(v, c) {
					mNext[c][v[c]] += pm
					uNext[c][v[c]] += float64(counts[i] - pm)
				}
			}
		}
		next := clamp((matches + lambdaPrior*emPseudoCount) / (all + emPseudoCount))
		change := math.Abs(next - lambda)
		lambda = next
		for c := range nf {
			if fixed[c] {
				// The held m, made monotone against this block's u, as
				// weigh will score with it.
				change = max(change, normalizeInto(u[c], uNext[c]))
				copy(m[c], mPrior[c])
				monotone(m[c], u[c])
				continue
			}
			change = max(change, normalizeInto(m[c], mNext[c]), normalizeInto(u[c], uNext[c]))
			monotone(m[c], u[c])
		}
		if change < emTolerance {
			break
		}
	}
	return lambda, m, u
}

// restsOnKin reports whether a block whose own fields agree at levels
// implied (per comparison) rests on kin fields: it implies a kin field, and
// the given name not at all or only in its initial.
func (rs *RuleSet) restsOnKin(implied []uint8) bool {
	kin, given := false, false
	for c, comp := range rs.comps {
		l := int(implied[c])
		if l == noLevel {
			continue
		}
		kin = kin || comp.Kin
		given = given || comp.Presence == HasGiven && comp.Levels[l].Field != FieldGivenInitial
	}
	return kin && !given
}

// restrict keeps the probabilities of the outcomes up to l, scaled to sum
// to one, and leaves the rest at the floor.
func restrict(p []float64, l int) {
	var sum float64
	for o := range p {
		if o > l {
			p[o] = emFloor
		}
		sum += p[o]
	}
	for o := range p {
		p[o] /= sum
	}
}

// defaultM is the m distribution EM starts from and leans on: 0.8 at the
// best level, 0.15 shared by the other levels (all on the best if it is
// the only one), 0.05 on disagreement.
func defaultM(k int) []float64 {
	m := make([]float64, k)
	m[0], m[k-1] = 0.8, 0.05
	for l := 1; l < k-1; l++ {
		m[l] = 0.15 / float64(k-2)
	}
	if k == 2 {
		m[0] = 0.95
	}
	return m
}

// tally returns the distinct vectors, sorted, and how many times each
// occurs.
func tally(vectors []vector) ([]vector, []float64) {
	n := map[vector]float64{}
	for _, v := range vectors {
		n[v]++
	}
	distinct := make([]vector, 0, len(n))
	for v := range n {
		distinct = append(distinct, v)
	}
	slices.Sort(distinct)
	counts := make([]float64, len(distinct))
	for i, v := range distinct {
		counts[i] = n[v]
	}
	return distinct, counts
}

// probability returns the probability that a pair with vector v is one
// child's, rounded to six decimals: under the model of each block the pair
// shares (blocks, bits), the highest. kinOnly says that the pair's given names
// disagree (see Comparison.Kin): agreement on kin fields then counts for
// nothing, disagreement still against.
func (md *model) probability(v vector, blocks uint32, kinOnly bool) float64 {
	best := 0.0
	for b, bm := range md.blocks {
		if blocks&(1<<b) == 0 || kinOnly && bm.kin {
			continue
		}
		odds := bm.prior
		for c, w := range bm.weights {
			if o := v[c]; w != nil && o != missing {
				if kinOnly && c < len(md.kin) && md.kin[c] && w[o] > 0 {
					continue
				}
				odds += w[o]
			}
		}
		best = max(best, 1/(1+math.Exp(-odds)))
	}
	return math.Round(best*1e6) / 1e6
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
