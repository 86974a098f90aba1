package match

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// plantedRules is a rule set of three comparisons, with two, one and three
// levels, for the planted-model tests.
func plantedRules(t *testing.T) *RuleSet {
	rs, err := NewRuleSet("planted", []Block{{Name: "b", Fields: []Field{FieldDocument}}}, []Comparison{
		{Name: "given", Presence: HasGiven, Levels: []Level{{Name: "exact", Field: FieldGivenExact}, {Name: "sound", Field: FieldGivenSound}}},
		{Name: "sex", Presence: HasSex, Levels: []Level{{Name: "same", Field: FieldSex}}},
		{Name: "date", Presence: HasDate, Levels: []Level{{Name: "exact", Field: FieldDate}, {Name: "month", Field: FieldYearMonth}, {Name: "year", Field: FieldBirthYear}}},
	}, 0)
	require.NoError(t, err)
	return rs
}

// draw returns an outcome of the distribution p.
func draw(r *rand.Rand, p []float64) byte {
	x := r.Float64()
	for o, q := range p {
		if x < q {
			return byte(o)
		}
		x -= q
	}
	return byte(len(p) - 1)
}

// TestEMRecoversAPlantedModel draws comparison vectors from a known
// two-class model and checks that EM, without labels, finds its m
// probabilities and the share of matches to within 0.02.
func TestEMRecoversAPlantedModel(t *testing.T) {
	rs := plantedRules(t)
	// The last distribution is the block key's commonness, which EM
	// learns without a files' rate to start from.
	m := [][]float64{{0.85, 0.10, 0.05}, {0.97, 0.03}, {0.82, 0.10, 0.072, 0.008}, {0.7, 0.2, 0.07, 0.03}}
	u := [][]float64{{0.02, 0.08, 0.90}, {0.50, 0.50}, {0.002, 0.03, 0.07, 0.898}, {0.1, 0.2, 0.3, 0.4}}
	const lambda, n = 0.3, 20000
	r := rand.New(rand.NewPCG(1, 2))
	vectors := make([]vector, n)
	for i := range vectors {
		p := u
		if r.Float64() < lambda {
			p = m
		}
		v := make([]byte, len(p))
		for c := range p {
			v[c] = draw(r, p[c])
		}
		vectors[i] = vector(v)
	}
	chance := clone2(u[:3])
	gotLambda, gotM, gotU := em(rs, vectors, 0b111, 0, chance, []uint8{noLevel, noLevel, noLevel}, nil)
	for c := range m {
		for o := range m[c] {
			assert.InDelta(t, m[c][o], gotM[c][o], 0.02, "m of comparison %d outcome %d", c, o)
			assert.InDelta(t, u[c][o], gotU[c][o], 0.02, "u of comparison %d outcome %d", c, o)
		}
	}
	assert.InDelta(t, lambda, gotLambda, 0.02)
}

// TestFitModelIgnoresOrder checks that both parties, which list the same
// candidate pairs in different orders, learn the same model to the last
// bit.
func TestFitModelIgnoresOrder(t *testing.T) {
	rs := DefaultRules()
	r := rand.New(rand.NewPCG(3, 4))
	n := 3000
	vectors, blocks := make([]vector, n), make([]uint32, n)
	for i := range vectors {
		v := make([]byte, len(rs.comps))
		for c, comp := range rs.comps {
			v[c] = byte(r.IntN(len(comp.Levels) + 1))
			if r.IntN(5) == 0 {
				v[c] = missing
			}
		}
		blocks[i] = uint32(1 + r.IntN(1<<len(rs.blocks)-1))
		for b := range rs.blocks {
			common := byte(missing)
			if blocks[i]&(1<<b) != 0 {
				common = byte(r.IntN(commonnessLevels))
			}
			v = append(v, common)
		}
		vectors[i] = vector(v)
	}
	var a, b Statistics
	a.records, b.records = 1000, 1200
	a.agree, b.agree = make([][]uint16, len(rs.comps)), make([][]uint16, len(rs.comps))
	for c, comp := range rs.comps {
		for range comp.Levels {
			a.agree[c] = append(a.agree[c], uint16(r.IntN(2600)))
			b.agree[c] = append(b.agree[c], uint16(r.IntN(2600)))
		}
	}
	first := fitModel(rs, vectors, blocks, a, b)
	perm := r.Perm(n)
	pv, pb := make([]vector, n), make([]uint32, n)
	for i, j := range perm {
		pv[i], pb[i] = vectors[j], blocks[j]
	}
	// The peer computes with the two files' statistics the other way round.
	second := fitModel(rs, pv, pb, b, a)
	assert.Equal(t, first, second)
}

// TestChanceRatesAreSymmetric checks that the chance of each outcome does
// not depend on which file is whose, and that each comparison's outcomes
// sum to one.
func TestChanceRatesAreSymmetric(t *testing.T) {
	rs := DefaultRules()
	d := []Record{
		{ID: "1", GivenNames: "Anna", FamilyNames: "Smith", BirthDate: Date{Year: 2010, Month: 1, Day: 2}},
		{ID: "2", GivenNames: "Anna", FamilyNames: "Smyth", BirthDate: Date{Year: 2010, Month: 1, Day: 3}},
		{ID: "3", GivenNames: "Omar", FamilyNames: "Smith", BirthDate: Date{Year: 2011}},
	}
	e := []Record{
		{ID: "1", GivenNames: "Bill", FamilyNames: "Jones", Sex: SexMale},
		{ID: "2", GivenNames: "William", FamilyNames: "Jones", Sex: SexMale},
	}
	a, b := NewIndex(d, rs).Statistics(), NewIndex(e, rs).Statistics()
	ab, ba := rs.chanceRates(a, b), rs.chanceRates(b, a)
	assert.Equal(t, ab, ba)
	for c := range ab {
		var sum float64
		for _, p := range ab[c] {
			sum += p
		}
		assert.InDelta(t, 1, sum, 0.01, rs.comps[c].Name)
	}
	// In the first file two of three records share a given name: one pair
	// in three.
	assert.InDelta(t, 1.0/3, decodeRate(a.agree[0][1]), 0.001)
}

// TestMonthDayChanceIsNotCumulative checks the chance of the date's
// month-day level, whose pairs are not nested in the levels before it: it
// is the rate of sharing month and day less that of sharing the full date,
// not what is left of it after the same year and month (which, on the
// dates of children, is nothing, and would leave the floor).
func TestMonthDayChanceIsNotCumulative(t *testing.T) {
	rs := DefaultRules()
	r := rand.New(rand.NewPCG(7, 7))
	var recs []Record
	for i := range 3000 {
		recs = append(recs, Record{ID: strconv.Itoa(i), GivenNames: "Anna", FamilyNames: "Smith",
			BirthDate: Date{Year: 2005 + r.IntN(12), Month: 1 + r.IntN(12), Day: 2 + r.IntN(27)}})
	}
	st := NewIndex(recs, rs).Statistics()
	u := rs.chanceRates(st, st)
	c := slices.IndexFunc(rs.comps, func(c Comparison) bool { return c.Name == "date" })
	require.GreaterOrEqual(t, c, 0)
	level := func(name string) int {
		return slices.IndexFunc(rs.comps[c].Levels, func(l Level) bool { return l.Name == name })
	}
	md, exact, month := level("month-day"), level("exact"), level("month")
	require.Positive(t, md)
	rate := func(l int) float64 { return decodeRate(st.agree[c][l]) }
	require.Greater(t, rate(month), rate(md), "children's dates share year and month more often than month and day")
	assert.InEpsilon(t, rate(md)-rate(exact), u[c][md], 1e-9)
	assert.InDelta(t, 1.0/(12*27), u[c][md], 0.001, "about one pair in 324 shares month and day")
	var sum float64
	for _, p := range u[c] {
		sum += p
	}
	assert.InDelta(t, 1, sum, 0.01, "the outcomes still sum to one")
}
