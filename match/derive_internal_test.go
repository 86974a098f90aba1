package match

import (
	"strconv"
	"testing"

	"github.com/reunite-psi/reunite/match/internal/normalize"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeysRemembered checks that what the derivers of Keys remember of
// earlier records, and their forgetting it when it grows past
// maxRemembered, changes no key: every record's keys are those a deriver
// that has seen no other record derives.
func TestKeysRemembered(t *testing.T) {
	rs := DefaultRules()
	var records []Record
	for _, f := range []string{"../testdata/agency-a.csv", "../testdata/agency-b.csv"} {
		rr, _, err := ReadFile(f, ReadOptions{})
		require.NoError(t, err)
		records = append(records, rr...)
	}
	// Enough distinct names, in Latin and Cyrillic script, that the
	// derivers forget several times.
	syl := []string{"ka", "lo", "mi", "ne", "ru", "sha", "to", "vy"}
	cyr := []string{"ка", "ло", "ми", "не", "ру", "ша", "то", "вы"}
	for i := range maxRemembered {
		a, b, c, d := i%8, i/8%8, i/64%8, i/512%8
		r := records[i%len(records)]
		r.ID = "gen"
		r.GivenNames = syl[a] + syl[b] + syl[c] + syl[d]
		r.FamilyNames = cyr[d] + cyr[c] + cyr[a] + cyr[b]
		r.ParentNames = []string{cyr[b] + cyr[c] + " " + r.FamilyNames}
		r.BirthPlace = cyr[a] + cyr[c] + "град"
		records = append(records, r)
	}
	for range 2 {
		for i := range records {
			want, wantCut := newFileDeriver(rs).keys(&records[i], nil, 0, nil)
			got, gotCut := rs.Keys(&records[i])
			require.Equal(t, want, got, "record %d", i)
			require.Equal(t, wantCut, gotCut, "record %d", i)
		}
	}
}

// TestBandString checks bandString against the name it tables, the kind
// and the band's number, for every kind and every band of years 0 to 3000.
func TestBandString(t *testing.T) {
	untabled := func(kind byte, b int) string { return string(kind) + strconv.Itoa(b) }
	for _, kind := range []byte("abcd") {
		for b := -1; b <= 1501; b++ {
			require.Equal(t, untabled(kind, b), bandString(kind, b), "kind %c, band %d", kind, b)
		}
	}
}

func TestSwappedParticle(t *testing.T) {
	tests := []struct {
		given, family []string
		want          bool
	}{
		{[]string{"de", "jong"}, []string{"sanne"}, true},
		{[]string{"al", "ahmed"}, []string{"usama"}, true},
		{[]string{"von", "berg"}, []string{"anna"}, true},
		{[]string{"van", "tung"}, []string{"le"}, false},              // Văn, a Vietnamese middle name
		{[]string{"ben", "alexander"}, []string{"smith"}, false},      // Ben, a given name
		{[]string{"de"}, []string{"jong"}, false},                     // nothing after the particle
		{[]string{"de", "jong"}, []string{}, false},                   // no family name to swap with
		{[]string{"de", "la", "cruz"}, []string{"de", "jong"}, false}, // both start with one
		{[]string{"sanne"}, []string{"de", "jong"}, false},
		{[]string{"van", "der", "veen"}, []string{"iris"}, true},
		{[]string{"van", "de", "berg"}, []string{"nora"}, true},
		{[]string{"van", "dijk"}, []string{"isa"}, false},           // Văn Dijk could be a middle and a given name
		{[]string{"van", "den", "minh"}, []string{"nguyen"}, false}, // Văn Đến Minh, Vietnamese given names
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, swappedParticle(tc.given, tc.family), "%v | %v", tc.given, tc.family)
	}
}

func TestSwappedVietnamese(t *testing.T) {
	tests := []struct {
		given, family string
		want          bool
	}{
		{"Nguyễn", "Khánh Oanh", true},
		{"Nguyen", "Khanh Oanh", true},
		{"Lê", "Văn Tùng", true},    // Lê borne elsewhere too, Văn and the marks tell
		{"Le", "Van Binh", true},    // Van, the middle name
		{"LE", "Duc Cuong", true},   // Vietnamese syllables
		{"Lê", "Tùng", false},       // one token in the family field: a swap needs Vietnamese given names there
		{"Le", "José María", false}, // not Vietnamese syllables
		{"Kim", "Min Jun", false},   // j: not Vietnamese
		{"Nguyễn", "Trần Anh", false},
		{"Khánh Oanh", "Nguyễn", false},
		{"Le", "Nguyen Anh", false}, // the family field starts with a family name
		{"Quân", "Đỗ Minh", false},  // even one borne elsewhere too: in order
		{"Mai", "Hồ Thị", false},
		{"Kim", "van der Berg", false}, // van, but der and berg are no Vietnamese syllables
	}
	for _, tc := range tests {
		norm := func(s string) []string { return normalize.NameTokens(s) }
		given, raw := norm(tc.given), norm(tc.family)
		assert.Equal(t, tc.want, swappedVietnamese(given, normalize.DropParticles(raw), raw, tc.given, tc.family), "%s | %s", tc.given, tc.family)
	}
}

func TestIsBareName(t *testing.T) {
	for bare, want := range map[string]bool{
		"hasan": true, "omar": true, "ubaydi": true, "najjar": true, "fred": true,
		"ina": false, "anna": false, "isa": false, "ice": false, "ali": false, "ab": false, "": false,
	} {
		assert.Equal(t, want, isBareName(bare), bare)
	}
}
