package synth

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/match"
)

// big is the 5000-child default dataset the rate tests share.
var big = sync.OnceValue(func() Dataset { return Generate(DefaultConfig(42, 5000)) })

func csvBytes(t testing.TB, ds Dataset) (a, b, truth []byte) {
	var wa, wb, wt bytes.Buffer
	require.NoError(t, WriteCSV(&wa, ds.A))
	require.NoError(t, WriteCSV(&wb, ds.B))
	require.NoError(t, WriteTruthCSV(&wt, ds.Truth))
	return wa.Bytes(), wb.Bytes(), wt.Bytes()
}

func TestDeterminism(t *testing.T) {
	cfg := DefaultConfig(7, 300)
	x, y := Generate(cfg), Generate(cfg)
	xa, xb, xt := csvBytes(t, x)
	ya, yb, yt := csvBytes(t, y)
	assert.Equal(t, xa, ya)
	assert.Equal(t, xb, yb)
	assert.Equal(t, xt, yt)
	assert.Equal(t, x.Confounders, y.Confounders)
	assert.Equal(t, x.Variations, y.Variations)

	cfg.Seed = 8
	z := Generate(cfg)
	za, zb, zt := csvBytes(t, z)
	assert.NotEqual(t, xa, za)
	assert.NotEqual(t, xb, zb)
	assert.NotEqual(t, xt, zt)
}

func TestSizes(t *testing.T) {
	tests := []struct {
		name                   string
		children, onlyA, onlyB int
	}{
		{"empty", 0, 0, 0},
		{"one child", 1, 0, 0},
		{"distractors only", 0, 5, 7},
		{"small", 10, 3, 0},
		{"default shape", 500, 500, 500},
		{"unbalanced", 200, 1000, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig(1, tt.children)
			cfg.OnlyA, cfg.OnlyB = tt.onlyA, tt.onlyB
			ds := Generate(cfg)
			assert.Len(t, ds.A, tt.children+tt.onlyA)
			assert.Len(t, ds.B, tt.children+tt.onlyB)
			assert.Len(t, ds.Truth, tt.children)
			checkReferences(t, ds)
		})
	}
}

// checkReferences checks IDs, Truth and Confounders for internal consistency.
func checkReferences(t *testing.T, ds Dataset) {
	t.Helper()
	ids := func(recs []match.Record, prefix string) map[string]bool {
		m := make(map[string]bool, len(recs))
		for _, r := range recs {
			require.True(t, strings.HasPrefix(r.ID, prefix), r.ID)
			require.False(t, m[r.ID], "duplicate id %s", r.ID)
			m[r.ID] = true
		}
		return m
	}
	aIDs, bIDs := ids(ds.A, "A-"), ids(ds.B, "B-")
	assert.True(t, slices.IsSortedFunc(ds.A, func(x, y match.Record) int { return strings.Compare(x.ID, y.ID) }))
	assert.True(t, slices.IsSortedFunc(ds.B, func(x, y match.Record) int { return strings.Compare(x.ID, y.ID) }))

	truth := make(map[Pair]bool)
	usedA, usedB := make(map[string]bool), make(map[string]bool)
	for _, p := range ds.Truth {
		require.True(t, aIDs[p.AID], p.AID)
		require.True(t, bIDs[p.BID], p.BID)
		require.False(t, usedA[p.AID], "A record %s in two true pairs", p.AID)
		require.False(t, usedB[p.BID], "B record %s in two true pairs", p.BID)
		usedA[p.AID], usedB[p.BID] = true, true
		truth[p] = true
	}
	for p := range ds.Variations {
		require.True(t, truth[p], "variations for a pair not in Truth: %v", p)
	}
	seen := make(map[Pair]bool)
	for _, c := range ds.Confounders {
		p := Pair{c.AID, c.BID}
		require.True(t, aIDs[c.AID], c.AID)
		require.True(t, bIDs[c.BID], c.BID)
		require.False(t, truth[p], "confounder %v is a true pair", c)
		require.False(t, seen[p], "confounder %v listed twice", c)
		seen[p] = true
		require.Contains(t, []string{KindTwin, KindSibling, KindNamesake}, c.Kind)
	}
}

func TestReferencesBig(t *testing.T) {
	checkReferences(t, big())
}

func TestCSVRoundTrip(t *testing.T) {
	ds := Generate(DefaultConfig(3, 1000))
	for _, side := range []struct {
		name string
		recs []match.Record
	}{{"A", ds.A}, {"B", ds.B}} {
		t.Run(side.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, WriteCSV(&buf, side.recs))
			header, _, _ := strings.Cut(buf.String(), "\n")
			assert.Equal(t, "id,given_names,family_names,birth_date,sex,nationality,birth_place,"+
				"aliases,parent_names,document_number,address,locality,postcode", header)
			got, rep, err := match.ReadCSV(&buf, side.name+".csv", match.ReadOptions{})
			require.NoError(t, err)
			assert.Empty(t, rep.Skipped)
			require.Equal(t, side.recs, got)
		})
	}
}

func TestWriteTruthCSV(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteTruthCSV(&buf, []Pair{{"A-1", "B-9"}, {"A-2", "B,7"}}))
	assert.Equal(t, "a_id,b_id\nA-1,B-9\nA-2,\"B,7\"\n", buf.String())

	ds := Generate(DefaultConfig(5, 50))
	buf.Reset()
	require.NoError(t, WriteTruthCSV(&buf, ds.Truth))
	rows, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, len(ds.Truth)+1)
	for i, p := range ds.Truth {
		assert.Equal(t, []string{p.AID, p.BID}, rows[i+1])
	}
}

func TestWriteCSVRefuses(t *testing.T) {
	tests := []struct {
		name string
		rec  match.Record
	}{
		{"empty id", match.Record{GivenNames: "X"}},
		{"semicolon in alias", match.Record{ID: "1", Aliases: []string{"a;b"}}},
		{"empty parent", match.Record{ID: "1", ParentNames: []string{""}}},
		{"leading space", match.Record{ID: "1", GivenNames: " Anna"}},
		{"invalid UTF-8", match.Record{ID: "1", FamilyNames: "\xff"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			assert.Error(t, WriteCSV(&buf, []match.Record{{ID: "0", GivenNames: "ok"}, tt.rec}))
			assert.Zero(t, buf.Len(), "nothing is written before the check")
		})
	}
}

func TestGenerateRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
	}{
		{"negative children", func(c *Config) { c.Children = -1 }},
		{"negative OnlyB", func(c *Config) { c.OnlyB = -3 }},
		{"rate above 1", func(c *Config) { c.Typo = 1.5 }},
		{"negative rate", func(c *Config) { c.YearOnly = -0.1 }},
		{"NaN rate", func(c *Config) { c.Translit = math.NaN() }},
		{"groups above 1", func(c *Config) { c.Twins, c.Siblings, c.Namesakes = 0.5, 0.5, 0.5 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig(1, 10)
			tt.mod(&cfg)
			assert.Panics(t, func() { Generate(cfg) })
		})
	}
}

// With every rate zero the two records of a child agree on names (both in
// the documents' romanization), date and sex, and both have the birth
// place (A in the native form, B in its usual Latin one).
func TestZeroRatesGiveCleanPairs(t *testing.T) {
	ds := Generate(Config{Seed: 9, Children: 300})
	assert.Empty(t, ds.Variations)
	for _, c := range ds.Confounders {
		assert.Equal(t, KindNamesake, c.Kind, "only chance namesakes")
	}
	a := make(map[string]match.Record)
	for _, r := range ds.A {
		a[r.ID] = r
	}
	b := make(map[string]match.Record)
	for _, r := range ds.B {
		b[r.ID] = r
	}
	for _, p := range ds.Truth {
		ra, rb := a[p.AID], b[p.BID]
		assert.Equal(t, ra.GivenNames, rb.GivenNames)
		assert.Equal(t, ra.FamilyNames, rb.FamilyNames)
		assert.Equal(t, ra.BirthDate, rb.BirthDate)
		assert.Equal(t, ra.Sex, rb.Sex)
		assert.NotEmpty(t, ra.BirthPlace)
		assert.NotEmpty(t, rb.BirthPlace)
		assert.Empty(t, rb.Aliases)
	}
}

// within reports whether k successes in n trials are consistent with
// probability p: within five standard deviations, plus one count of slack.
func within(k, n int, p float64) bool {
	sd := math.Sqrt(float64(n) * p * (1 - p))
	return math.Abs(float64(k)-float64(n)*p) <= 5*sd+1
}

func TestVariationRates(t *testing.T) {
	ds := big()
	cfg := DefaultConfig(42, 5000)
	rate := map[Variation]float64{
		Script: cfg.NativeScript, Orthography: cfg.SomaliOrthography, Patronymic: cfg.Patronymic,
		Cedilla: cfg.Cedilla, Translit: cfg.Translit, NameForm: cfg.NameForm,
		Diacritics: cfg.StripDiacritics, Case: cfg.UpperCase, SwapFields: cfg.SwapFields,
		FamilyFirst: cfg.FamilyFirst, DropMiddle: cfg.DropMiddle, DropSurname: cfg.DropSurname,
		Typo: cfg.Typo, DateSwap: cfg.DateSwap, YearOnly: cfg.YearOnly, YearOff: cfg.YearOff,
		DateMissing: cfg.DateMissing, PlaceMissing: cfg.PlaceMissing, PlaceVariant: cfg.PlaceVariant,
		SexMissing: cfg.SexMissing, FalseIdentity: cfg.FalseIdentity, NicknameAlias: cfg.NicknameAlias,
		DocFormat: cfg.DocFormat, DocTypo: cfg.DocTypo,
	}
	require.Len(t, rate, len(AllVariations()))
	listed := make(map[Variation]int)
	for _, vs := range ds.Variations {
		require.True(t, slices.IsSortedFunc(vs, func(x, y Variation) int {
			return slices.Index(AllVariations(), x) - slices.Index(AllVariations(), y)
		}))
		for _, v := range vs {
			listed[v]++
		}
	}
	for _, v := range AllVariations() {
		t.Run(string(v), func(t *testing.T) {
			n, k := ds.eligible[v], listed[v]
			assert.Equal(t, ds.drawn[v], k, "every draw is listed")
			require.Positive(t, k, "occurs")
			assert.True(t, within(k, n, rate[v]), "%d of %d eligible pairs, want rate %.3f", k, n, rate[v])
			// Eligibility must not shrink a variation to nothing.
			assert.Greater(t, n, 50, "eligible pairs")
		})
	}
}

// observable checks, on the records themselves, that the variations listed
// for a pair are there.
func TestVariationsVisible(t *testing.T) {
	ds := big()
	a := make(map[string]match.Record, len(ds.A))
	for _, r := range ds.A {
		a[r.ID] = r
	}
	b := make(map[string]match.Record, len(ds.B))
	for _, r := range ds.B {
		b[r.ID] = r
	}
	for p, vs := range ds.Variations {
		ra, rb := a[p.AID], b[p.BID]
		for _, v := range vs {
			switch v {
			case DateMissing:
				assert.True(t, rb.BirthDate.IsZero(), p)
			case YearOnly:
				assert.Equal(t, match.PrecisionYear, rb.BirthDate.Precision(), p)
				if !slices.Contains(vs, YearOff) {
					assert.Equal(t, ra.BirthDate.Year, rb.BirthDate.Year, p)
				}
			case YearOff:
				assert.Equal(t, 1, abs(ra.BirthDate.Year-rb.BirthDate.Year), p)
			case DateSwap:
				assert.Equal(t, match.Date{Year: ra.BirthDate.Year, Month: ra.BirthDate.Day, Day: ra.BirthDate.Month}, rb.BirthDate, p)
			case SexMissing:
				assert.Equal(t, match.SexUnknown, rb.Sex, p)
			case PlaceMissing:
				assert.Empty(t, rb.BirthPlace, p)
			case FamilyFirst:
				assert.True(t, rb.GivenNames == "" || rb.FamilyNames == "", p)
			case Case:
				fam := rb.FamilyNames
				if slices.Contains(vs, SwapFields) {
					fam = rb.GivenNames
				}
				if !slices.Contains(vs, FamilyFirst) {
					assert.Equal(t, strings.ToUpper(fam), fam, p)
				}
			case FalseIdentity:
				assert.NotEmpty(t, rb.Aliases, p)
				assert.Less(t, rb.BirthDate.Year, ra.BirthDate.Year, p)
			case NicknameAlias:
				assert.NotEmpty(t, rb.Aliases, p)
			case Patronymic:
				assert.GreaterOrEqual(t, len(strings.Fields(ra.GivenNames)), 2, p)
			case DocFormat, DocTypo:
				assert.NotEqual(t, ra.DocumentNumber, rb.DocumentNumber, p)
				assert.NotEmpty(t, rb.DocumentNumber, p)
			case Diacritics:
				assert.True(t, isASCII(rb.GivenNames+rb.FamilyNames), p)
			case Script:
				assert.True(t, hasScript(ra.GivenNames+ra.FamilyNames, unicode.Cyrillic, unicode.Greek, unicode.Arabic), p)
			}
		}
		if !slices.Contains(vs, DocFormat) && !slices.Contains(vs, DocTypo) && ra.DocumentNumber != "" && rb.DocumentNumber != "" && !slices.Contains(vs, FalseIdentity) {
			assert.Equal(t, ra.DocumentNumber, rb.DocumentNumber, "same number on both sides when both have it")
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func hasScript(s string, tabs ...*unicode.RangeTable) bool {
	for _, r := range s {
		if unicode.In(r, tabs...) {
			return true
		}
	}
	return false
}

func TestScriptsPresent(t *testing.T) {
	ds := big()
	var names strings.Builder
	for _, r := range ds.A {
		names.WriteString(r.GivenNames + " " + r.FamilyNames + " ")
	}
	s := strings.ToLower(names.String())
	for _, tab := range []struct {
		name string
		t    *unicode.RangeTable
	}{{"Cyrillic", unicode.Cyrillic}, {"Greek", unicode.Greek}, {"Arabic", unicode.Arabic}} {
		assert.True(t, hasScript(s, tab.t), tab.name)
	}
	for _, c := range []string{"і", "ї", "є", "ґ", "ễ", "ș", "ñ", "ü"} {
		assert.True(t, strings.Contains(s, c), "no %q in A's names", c)
	}
	for _, r := range ds.B {
		assert.False(t, hasScript(r.GivenNames+r.FamilyNames+r.BirthPlace+strings.Join(r.ParentNames, ""),
			unicode.Cyrillic, unicode.Greek, unicode.Arabic), "B writes in Latin: %v", r)
	}
}

func TestConfounderKinds(t *testing.T) {
	ds := big()
	a := make(map[string]match.Record, len(ds.A))
	for _, r := range ds.A {
		a[r.ID] = r
	}
	truthB := make(map[string]string) // B ID → A ID of the same child
	for _, p := range ds.Truth {
		truthB[p.BID] = p.AID
	}
	kinds := make(map[string]int)
	oneInitial := 0
	initial := func(r match.Record) string {
		first, _, _ := strings.Cut(strings.ToLower(r.GivenNames), " ")
		return string([]rune(first + " ")[0])
	}
	for _, c := range ds.Confounders {
		kinds[c.Kind]++
		other, ok := truthB[c.BID]
		if !ok {
			continue // a B-only namesake
		}
		x, y := a[c.AID].BirthDate, a[other].BirthDate
		switch c.Kind {
		case KindTwin:
			assert.Equal(t, x, y, "twins share a birth date")
			if initial(a[c.AID]) == initial(a[other]) {
				oneInitial++
			}
		case KindSibling:
			gap := math.Abs(toTime(x).Sub(toTime(y)).Hours() / 24)
			assert.True(t, gap >= 365 && gap <= 6*365+1, "siblings %v %v", x, y)
		case KindNamesake:
			assert.NotEqual(t, x, y, "namesakes differ in birth date")
		}
	}
	for _, k := range []string{KindTwin, KindSibling, KindNamesake} {
		assert.Positive(t, kinds[k], k)
	}
	cfg := DefaultConfig(42, 5000)
	// Every twin pair gives two cross-file confounders.
	assert.Equal(t, 2*(count(cfg.Children, cfg.Twins)/2), kinds[KindTwin])
	// About twinInitial of twin pairs share an initial, a few more by
	// chance; written with Vietnamese order or in another script, fewer
	// show it in the first letter of the field.
	assert.InDelta(t, twinInitial, float64(oneInitial)/float64(kinds[KindTwin]), 0.15, "twins with one initial")
}

func TestIDOrderLeaksNothing(t *testing.T) {
	ds := big()
	// Truth is in A order; B IDs should go up about half the time.
	up := 0
	for i := 1; i < len(ds.Truth); i++ {
		if ds.Truth[i].BID > ds.Truth[i-1].BID {
			up++
		}
	}
	assert.True(t, within(up, len(ds.Truth)-1, 0.5), "%d of %d", up, len(ds.Truth)-1)
	// True pairs are spread over A, not first.
	first := 0
	for _, p := range ds.Truth {
		if p.AID <= ds.A[len(ds.A)/2].ID {
			first++
		}
	}
	assert.True(t, within(first, len(ds.Truth), 0.5), "%d of %d in A's first half", first, len(ds.Truth))
}

func TestDocumentShare(t *testing.T) {
	ds := big()
	cfg := DefaultConfig(42, 5000)
	for _, recs := range [][]match.Record{ds.A, ds.B} {
		n := 0
		for _, r := range recs {
			if r.DocumentNumber != "" {
				n++
			}
		}
		assert.True(t, within(n, len(recs), cfg.Document*cfg.DocumentKnown), "%d of %d", n, len(recs))
	}
}

// Share of true pairs with at least one variation that changes a name or a
// date (not only case, diacritics, the script, or added aliases).
func nameOrDateShare(ds Dataset) float64 {
	nameOrDate := map[Variation]bool{
		Orthography: true, Patronymic: true, Translit: true, NameForm: true, SwapFields: true,
		FamilyFirst: true, DropMiddle: true, DropSurname: true, Typo: true, DateSwap: true,
		YearOnly: true, DateMissing: true, FalseIdentity: true,
	}
	n := 0
	for _, vs := range ds.Variations {
		if slices.ContainsFunc(vs, func(v Variation) bool { return nameOrDate[v] }) {
			n++
		}
	}
	return float64(n) / float64(len(ds.Truth))
}

func TestEnoughVariation(t *testing.T) {
	ds := big()
	assert.GreaterOrEqual(t, float64(len(ds.Variations))/float64(len(ds.Truth)), 0.40)
	assert.GreaterOrEqual(t, nameOrDateShare(ds), 0.40)
}

// TestSummary logs the table the package documentation quotes (go test -v
// -run Summary).
func TestSummary(t *testing.T) {
	ds := Generate(DefaultConfig(1, 2000))
	listed := make(map[Variation]int)
	for _, vs := range ds.Variations {
		for _, v := range vs {
			listed[v]++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nA %d records, B %d, true pairs %d\n", len(ds.A), len(ds.B), len(ds.Truth))
	fmt.Fprintf(&b, "%-15s %6s %9s %7s %7s\n", "variation", "pairs", "eligible", "rate", "of all")
	for _, v := range AllVariations() {
		fmt.Fprintf(&b, "%-15s %6d %9d %7.3f %7.3f\n", v, listed[v], ds.eligible[v],
			float64(listed[v])/float64(max(1, ds.eligible[v])), float64(listed[v])/float64(len(ds.Truth)))
	}
	fmt.Fprintf(&b, "pairs with any variation: %.3f; with a name or date variation: %.3f\n",
		float64(len(ds.Variations))/float64(len(ds.Truth)), nameOrDateShare(ds))
	kinds := make(map[string]int)
	for _, c := range ds.Confounders {
		kinds[c.Kind]++
	}
	fmt.Fprintf(&b, "confounders: twin %d, sibling %d, namesake %d\n", kinds[KindTwin], kinds[KindSibling], kinds[KindNamesake])
	t.Log(b.String())
}

func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			cfg := DefaultConfig(1, n)
			b.ReportAllocs()
			for b.Loop() {
				Generate(cfg)
			}
			b.ReportMetric(float64(3*n), "records/op")
		})
	}
}
