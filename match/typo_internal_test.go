package match

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func shareTypoVariant(a, b string) bool { return shareVariant(appendTypoVariants, a, b) }

func shareEndingVariant(a, b string) bool { return shareVariant(appendEndingVariants, a, b) }

// shareVariant reports whether names a and b share a value of variants.
func shareVariant(variants func(dst []string, tok string) []string, a, b string) bool {
	va := variants(nil, a)
	for _, v := range variants(nil, b) {
		if slices.Contains(va, v) {
			return true
		}
	}
	return false
}

func TestEndingVariants(t *testing.T) {
	assert.Equal(t, []string{"john", "joh"}, appendEndingVariants(nil, "john"))
	assert.Equal(t, []string{"joh"}, appendEndingVariants(nil, "joh"), "three letters: the name only")
	assert.Empty(t, appendEndingVariants(nil, "jo"), "shorter names have none")
	assert.Equal(t, []string{"zoë"}, appendEndingVariants(nil, "zoë"), "letters, not bytes")
	assert.Equal(t, []string{"zoëy", "zoë"}, appendEndingVariants(nil, "zoëy"))

	tests := []struct {
		a, b  string
		share bool
	}{
		{"sahro", "sahra", true},       // the last letter changed (a Somali and an Arabic spelling)
		{"louisa", "louisx", true},     // the last letter mistyped
		{"john", "joh", true},          // the last letter left out
		{"kayla", "kayl", true},        // the last letter left out
		{"ivan", "ivana", true},        // a letter more at the end: a brother and a sister, or a typo, as the pair's sexes say
		{"daniel", "daniela", true},    // the same
		{"james", "james", true},       // the same name
		{"james", "jmes", false},       // a letter left out inside: the typo level's
		{"anna", "hanna", false},       // the first letter differs
		{"joseph", "josephs", true},    // a letter more at the end
		{"joseph", "josephine", false}, // more than one letter
		{"to", "tom", false},           // too short
	}
	for _, tc := range tests {
		assert.Equal(t, tc.share, shareEndingVariant(tc.a, tc.b), "%s / %s", tc.a, tc.b)
		assert.Equal(t, tc.share, shareEndingVariant(tc.b, tc.a), "%s / %s", tc.b, tc.a)
	}
}

func TestTypoVariants(t *testing.T) {
	assert.Equal(t, []string{"james", "jmes", "jaes", "jams", "james jamse"}, appendTypoVariants(nil, "james"))
	assert.Equal(t, []string{"hilll", "hlll", "hill"}, appendTypoVariants(nil, "hilll"), "each variant once, no swap of two same letters")
	assert.Empty(t, appendTypoVariants(nil, "ana"), "short names have none")
	assert.Equal(t, []string{"zoëy", "zëy", "zoy", "zoyë zoëy"}, appendTypoVariants(nil, "zoëy"), "letters, not bytes")

	tests := []struct {
		a, b  string
		share bool
	}{
		{"james", "jmes", true},           // a letter left out
		{"charles", "charrles", true},     // a letter added
		{"lockstone", "lcokstone", true},  // two neighbours swapped
		{"penelope", "psnelope", true},    // a letter changed
		{"elizabeth", "elizabeh", true},   // the letter before the last left out
		{"james", "james", true},          // the same name
		{"anna", "hanna", false},          // the first letter differs
		{"emma", "gemma", false},          // the first letter differs
		{"daniel", "daniela", false},      // the ending differs
		{"ivan", "ivana", false},          // the ending differs
		{"yonas", "yonsa", true},          // the last two letters swapped
		{"joshua", "joshau", true},        // the last two letters swapped
		{"ivan", "ivna", true},            // the last two letters swapped; Ivna is also Ivana without its a, but Ivan and Ivana share nothing
		{"ivna", "ivana", true},           // a letter left out
		{"maria", "mario", false},         // the ending differs
		{"frances", "francis", true},      // a letter changed inside: two names, which GivenLengthOdd tells
		{"katherine", "catherine", false}, // the first letter differs
		{"jon", "john", false},            // too short
		{"joseph", "josephine", false},    // more than one letter
	}
	for _, tc := range tests {
		assert.Equal(t, tc.share, shareTypoVariant(tc.a, tc.b), "%s / %s", tc.a, tc.b)
		assert.Equal(t, tc.share, shareTypoVariant(tc.b, tc.a), "%s / %s", tc.b, tc.a)
	}
}

func TestFamilyTypoVariants(t *testing.T) {
	assert.Equal(t, append(appendTypoVariants(nil, "walker"), "walke"), appendFamilyTypoVariants(nil, "walker"),
		"a given name's typo variants, then the name without its last letter")
	assert.Equal(t, appendTypoVariants(nil, "hill"), appendFamilyTypoVariants(nil, "hill"), "hil is already a variant: each once")
	assert.Empty(t, appendFamilyTypoVariants(nil, "lee"), "short names have none")
	assert.Equal(t, []string{"x", "walkër", "wlkër", "wakër", "walër", "walkr", "walkrë walkër", "walkë"}, appendFamilyTypoVariants([]string{"x"}, "walkër"),
		"appends after what dst holds; letters, not bytes")

	tests := []struct {
		a, b  string
		share bool
	}{
		{"hartton", "hartto", true},  // the last letter left out
		{"clarke", "clark", true},    // a letter more at the end
		{"walker", "walkes", true},   // the last letter changed
		{"ivanov", "ivanova", true},  // a gendered form: one family
		{"davies", "davis", true},    // a letter left out inside, as for given names
		{"smith", "smiths", true},    // a letter more at the end
		{"smith", "smithson", false}, // more than one letter
		{"walker", "talker", false},  // the first letter differs
		{"leek", "lee", false},       // too short for variants
		{"hartton", "hartt", false},  // two letters left out
		{"johnson", "johnsen", true}, // a letter changed inside
		{"nguyen", "nguyenn", true},  // a letter doubled at the end
		{"weber", "webber", true},    // a letter doubled inside
		{"okafor", "okafo", true},    // the last letter left out
		{"marin", "martin", true},    // a letter left out inside
		{"kowal", "kowalska", false}, // another ending
	}
	for _, tc := range tests {
		assert.Equal(t, tc.share, shareVariant(appendFamilyTypoVariants, tc.a, tc.b), "%s / %s", tc.a, tc.b)
		assert.Equal(t, tc.share, shareVariant(appendFamilyTypoVariants, tc.b, tc.a), "%s / %s", tc.b, tc.a)
	}
	// The file statistics count family names one typo apart with the
	// same variants as the keys.
	assert.Equal(t, float64(2), typoPairs(map[string]int{"hartton": 1, "hartto": 1}, typoVariants(FieldFamilyTypo)))
	assert.Equal(t, float64(0), typoPairs(map[string]int{"hartton": 1, "hartto": 1}, typoVariants(FieldGivenTypo)))
}

// TestTypoPairsCountsPairsOfRecords checks the chance agreement of a typo
// level against counting the pairs of records one by one, on random
// files.
func TestTypoPairsCountsPairsOfRecords(t *testing.T) {
	pool := []string{"james", "jmes", "jams", "jamse", "maria", "marta", "mario", "maiar", "anna", "hanna", "charles", "charrles", "ann", "ivan", "ivna", "ivana", "ivano", "joh", "john", "jon", "marin", "marit"}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, level := range []struct {
		variants func(dst []string, tok string) []string
		share    func(a, b string) bool
	}{{appendTypoVariants, shareTypoVariant}, {appendEndingVariants, shareEndingVariant}} {
		for range 50 {
			var names []string
			counts := map[string]int{}
			for range rng.IntN(30) {
				n := pool[rng.IntN(len(pool))]
				names = append(names, n)
				counts[n]++
			}
			want := 0
			for i, a := range names {
				for j, b := range names {
					// The rate is of agreeing at the level or better: the same
					// name counts, short or not.
					if i != j && (a == b || level.share(a, b)) {
						want++
					}
				}
			}
			require.InDelta(t, float64(want), typoPairs(counts, level.variants), 0, "%v", names)
		}
	}
}

// TestStatisticsAreReproducible derives the statistics of one file again
// and again: names that share a typo or ending variant three and four at a
// time (Maria, Mario, Marin, Marit) must give the same payload every time,
// whatever order Go's maps visit them in. (typoPairs once skipped pairs
// in such groups, depending on that order.)
func TestStatisticsAreReproducible(t *testing.T) {
	var records []Record
	for i, name := range []string{"Maria", "Mario", "Marin", "Marit", "Ivan", "Ivana", "Ivano", "Maria", "Ivan", "Anna"} {
		records = append(records, Record{ID: strconv.Itoa(i), GivenNames: name, FamilyNames: "Rossi", BirthDate: Date{Year: 2010 + i}})
	}
	want, err := NewIndex(records, DefaultRules()).Statistics().MarshalBinary()
	require.NoError(t, err)
	for range 30 {
		got, err := NewIndex(records, DefaultRules()).Statistics().MarshalBinary()
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
}

func TestAllVietnameseSyllables(t *testing.T) {
	for toks, want := range map[string]bool{
		"duc bao":     true,
		"phuong lan":  true,
		"gia tien":    true,
		"ngoc khanh":  true,
		"thi huong":   true,
		"ka wai":      false, // Cantonese: no k before a, no w
		"wing yee":    false,
		"ji hoon":     false, // Korean: no j
		"anna maria":  false, // a consonant after the final
		"john paul":   false,
		"chi nghiem":  true,
		"mai linh":    true,
		"sophie anne": false,
	} {
		assert.Equal(t, want, allVietnameseSyllables(strings.Fields(toks)), toks)
	}
}

// TestGivenIsRare checks that a record's given name is marked rare when no
// other record of a file of minRareFile records or more bears it, and
// never in a smaller file.
func TestGivenIsRare(t *testing.T) {
	records := make([]Record, minRareFile)
	for i := range records {
		records[i] = Record{ID: strconv.Itoa(i), GivenNames: "Maria", FamilyNames: "Rossi", BirthDate: Date{Year: 2000 + i%20}}
	}
	records[0].GivenNames = "Senpit"
	records[1].GivenNames = "Mrs Senait"
	records[2].GivenNames = "Senait"
	ix := NewIndex(records, DefaultRules())
	assert.NotZero(t, ix.presence[0]&GivenIsRare, "borne by one record")
	assert.Zero(t, ix.presence[1]&GivenIsRare, "borne by two, one of them with a title")
	assert.Zero(t, ix.presence[3]&GivenIsRare, "borne by many")

	small := NewIndex(records[:minRareFile-1], DefaultRules())
	assert.Zero(t, small.presence[0]&GivenIsRare, "a small file tells nothing")
}

// TestRareTypoIsNotTwins checks the twin rule against the rarity of names:
// given names a changed letter apart are two names (Marta and Maria) where
// both are common in their files, and a typo where one is rare.
func TestRareTypoIsNotTwins(t *testing.T) {
	rs := DefaultRules()
	vec := make([]byte, len(rs.comps)+len(rs.blocks))
	for c := range vec {
		vec[c] = missing
	}
	for c, comp := range rs.comps {
		vec[c] = missing
		switch comp.Name {
		case "given":
			vec[c] = uint8(slices.IndexFunc(comp.Levels, func(l Level) bool { return l.Field == FieldGivenTypo }))
		case "family", "date":
			vec[c] = 0
		}
	}
	common := HasGiven | HasFamily | Presence(PrecisionDay)<<dateShift
	v := vector(vec)
	assert.True(t, rs.kinOnly(v, common, common), "Marta and Maria")
	assert.False(t, rs.kinOnly(v, common|GivenIsRare, common), "Senpit and Senait")
	assert.False(t, rs.kinOnly(v, common|GivenLengthOdd, common), "Jmes and James")
}

// TestEndingIsKinUnlessSexAgrees checks the twin rule on given names that
// differ at their end: with family name and date agreeing, Ivan and Ivana
// are a brother and a sister unless both records give the same sex (Sahro
// and Sahra, two girls: one girl's name in two spellings). A name unique
// in its file does not change that (Mario and Maria, one of them rare),
// as it does at the typo level.
func TestEndingIsKinUnlessSexAgrees(t *testing.T) {
	rs := DefaultRules()
	vectorWith := func(sex uint8) vector {
		vec := make([]byte, len(rs.comps)+len(rs.blocks))
		for c := range vec {
			vec[c] = missing
		}
		for c, comp := range rs.comps {
			switch comp.Name {
			case "given":
				vec[c] = uint8(slices.IndexFunc(comp.Levels, func(l Level) bool { return l.Field == FieldGivenEnding }))
			case "family", "date":
				vec[c] = 0
			case "sex":
				vec[c] = sex
			}
		}
		return vector(vec)
	}
	common := HasGiven | HasFamily | Presence(PrecisionDay)<<dateShift
	withSex := common | HasSex
	assert.True(t, rs.kinOnly(vectorWith(missing), withSex, common), "Ivan and Ivana, one sex not recorded")
	assert.True(t, rs.kinOnly(vectorWith(1), withSex, withSex), "Ivan and Ivana, a boy and a girl")
	assert.False(t, rs.kinOnly(vectorWith(0), withSex, withSex), "Sahro and Sahra, two girls")
	assert.True(t, rs.kinOnly(vectorWith(missing), common|GivenIsRare, common), "Mario and Maria, Maria rare, no sexes")
	assert.True(t, rs.kinOnly(vectorWith(1), withSex|GivenIsRare, withSex), "a rare name does not outweigh two sexes")
}
