package match

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOneEdit(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"jules", "jues", true},    // deletion
		{"jules", "juless", true},  // insertion
		{"jules", "jutes", true},   // substitution
		{"jules", "jlues", true},   // swap
		{"jules", "jules", false},  // equal
		{"jules", "julien", false}, // two edits
		{"jules", "ljues", false},  // a swap and more
		{"anna", "naan", false},    // two swaps
		{"", "a", true},            // insertion into nothing
		{"abcd", "abdc", true},     // swap at the end
		{"abcd", "bacd", true},     // swap at the start
		{"abcd", "abc", true},      // deletion at the end
		{"abcd", "xbcdy", false},   // two edits, length differs by one
		{"aaaa", "aaaaaa", false},  // length differs by two
		{"kristina", "christina", false},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, oneEdit(tc.a, tc.b), "%q %q", tc.a, tc.b)
		assert.Equal(t, tc.want, oneEdit(tc.b, tc.a), "%q %q", tc.b, tc.a)
	}
}

func names(sex Sex, given ...string) []Record {
	var rs []Record
	for i, g := range given {
		rs = append(rs, Record{ID: fmt.Sprint(i), GivenNames: g, FamilyNames: fmt.Sprintf("Family%c", 'a'+i), Sex: sex})
	}
	return rs
}

func TestSpeller(t *testing.T) {
	file := append(names(SexMale, "Jules", "Jules", "Jules", "Julian", "Julien", "Thomas", "Thomas", "Thomas", "Evan", "Eva", "Eva", "Eva", "Gabriel"),
		names(SexFemale, "Maria", "Maria", "Maria", "Marta", "Marta", "Marta", "Gabriela", "Gabriela", "Gabriela")...)
	tests := []struct {
		given string
		sex   Sex
		want  string // "" for no correction
	}{
		{"Jues", SexMale, "jules"},      // rare, one edit from one frequent name of the same sex
		{"Julse", SexMale, "jules"},     // two letters swapped
		{"Jules", SexMale, ""},          // frequent: never corrected
		{"Jues", SexFemale, ""},         // Jules is frequent among boys only
		{"Mrata", SexFemale, "marta"},   // two letters swapped; two edits from Maria
		{"Julian", SexMale, ""},         // rare, but Julien is rare too
		{"Evan", SexMale, ""},           // too short
		{"Gabriel", SexMale, ""},        // Gabriela is frequent, but among girls, and ends otherwise
		{"Gabriel", SexUnknown, ""},     // ends otherwise than Gabriela
		{"Tomas", SexUnknown, "thomas"}, // sex unknown: all records count
	}
	for _, tc := range tests {
		r := Record{GivenNames: tc.given, FamilyNames: "Otherfamily", Sex: tc.sex}
		file := append(file, r)
		sp := spellerOf(file)
		given, _, ok := sp.correct(len(file)-1, &r)
		if tc.want == "" {
			assert.False(t, ok, "%s %v: %s", tc.given, tc.sex, given)
			continue
		}
		require.True(t, ok, "%s %v", tc.given, tc.sex)
		assert.Equal(t, tc.want, given)
	}
}

// TestSpellerLeavesTwinsAlone checks that a name is not corrected to that
// of another record of the same file with the same family name and birth
// date, nor when it is Vietnamese.
func TestSpellerLeavesTwinsAlone(t *testing.T) {
	date := Date{Year: 2019, Month: 4, Day: 2}
	file := names(SexMale, "Julien", "Julien", "Julien")
	twin := Record{GivenNames: "Julian", FamilyNames: "Silva", Sex: SexMale, BirthDate: date}
	other := Record{GivenNames: "Julien", FamilyNames: "Silva", Sex: SexMale, BirthDate: date}
	file = append(file, twin, other)
	sp := spellerOf(file)
	_, _, ok := sp.correct(len(file)-2, &twin)
	assert.False(t, ok, "the correction would be the twin's name and date")

	vn := append(names(SexFemale, "Linh", "Linh", "Linh"), Record{GivenNames: "Khánh Lihn", FamilyNames: "Lê", Sex: SexFemale})
	sp = spellerOf(vn)
	_, _, ok = sp.correct(3, &vn[3])
	assert.False(t, ok, "Vietnamese names are left alone")
}

// TestSpellerComparesDatesAsKnown checks that the guard against giving a
// record another record's name and date compares dates by the parts they
// know: a day without a month, or a month and day without a year, is no
// date at all, as Date.String writes it.
func TestSpellerComparesDatesAsKnown(t *testing.T) {
	for _, tc := range []struct{ taken, typo Date }{
		{Date{Year: 2010}, Date{Year: 2010, Day: 5}},
		{Date{}, Date{Month: 4, Day: 5}},
		{Date{Year: 2010, Month: 4}, Date{Year: 2010, Month: 4}},
	} {
		file := []Record{
			{GivenNames: "Jonathan", FamilyNames: "Smith", BirthDate: tc.taken},
			{GivenNames: "Jonathan", FamilyNames: "Brown", BirthDate: Date{Year: 2011, Month: 2, Day: 3}},
			{GivenNames: "Jonathan", FamilyNames: "Green", BirthDate: Date{Year: 2012, Month: 2, Day: 3}},
			{GivenNames: "Jonathxn", FamilyNames: "Smith", BirthDate: tc.typo},
		}
		_, _, ok := spellerOf(file).correct(3, &file[3])
		assert.False(t, ok, "%v is the date of %v: the correction is another record's name and date", tc.typo, tc.taken)
	}
	file := []Record{
		{GivenNames: "Jonathan", FamilyNames: "Smith", BirthDate: Date{Year: 2010}},
		{GivenNames: "Jonathan", FamilyNames: "Brown"},
		{GivenNames: "Jonathan", FamilyNames: "Green"},
		{GivenNames: "Jonathxn", FamilyNames: "Smith", BirthDate: Date{Year: 2011}},
	}
	given, _, ok := spellerOf(file).correct(3, &file[3])
	require.True(t, ok, "another year: the correction is made")
	assert.Equal(t, "jonathan", given)
}

// TestSpellingCorrectionKeepsAliases checks that the keys of a corrected
// name only fill the room the record's own keys leave under the cap.
func TestSpellingCorrectionKeepsAliases(t *testing.T) {
	rs := DefaultRules()
	r := Record{ID: "x", GivenNames: "Jues", FamilyNames: "Martin", Sex: SexMale, BirthDate: Date{Year: 2015, Month: 3, Day: 4},
		Aliases: []string{"Yusuf Karimi", "Youssef Karimi", "Yousef Karimi", "Jusuf Karimi"}}
	file := append(names(SexMale, "Jules", "Jules", "Jules"), r)
	plain, _ := rs.Keys(&r)
	d := newFileDeriver(rs)
	withSpelling, _ := d.keys(&r, newSpeller(file, d), len(file)-1, nil)
	require.GreaterOrEqual(t, len(withSpelling), len(plain))
	assert.Equal(t, plain, withSpelling[:len(plain)], "the record's own keys come first and are all kept")
}

// TestSpellingCorrectionLinksTypos checks that a typo in a given name, which
// no rule tolerates, links when the agency's own file shows the name as
// written is rare and one letter from a common one.
func TestSpellingCorrectionLinksTypos(t *testing.T) {
	rs := DefaultRules()
	a := names(SexMale, "Jules", "Jules", "Jules")
	a[0].FamilyNames, a[0].BirthDate = "Guérin", Date{Year: 2023, Month: 1, Day: 8}
	b := names(SexMale, "Jues", "Jules", "Jules", "Jules")
	b[0].FamilyNames, b[0].BirthDate = "Guerin", Date{Year: 2023, Month: 1, Day: 8}
	ia, ib := NewIndex(a, rs), NewIndex(b, rs)
	hits := PlainHits(ia, ib, []uint32{0, 1, 2, 3})
	t.Log(ia.Link(hits, ib.Statistics(), nil, 0.0001))
	links := ia.Link(hits, ib.Statistics(), nil, rs.Threshold())
	require.NotEmpty(t, links)
	assert.Equal(t, 0, links[0].Record)
	assert.Equal(t, uint32(0), links[0].Peer)
	assert.False(t, links[0].Alternative)
}

// spellerOf counts the name tokens of records as NewIndex does.
func spellerOf(records []Record) *speller {
	return newSpeller(records, newFileDeriver(DefaultRules()))
}
