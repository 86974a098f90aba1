package reunite_test

import (
	"context"
	"testing"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/internal/inprocess"
	"github.com/reunite-psi/reunite/internal/synth"
	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLinkageEndToEnd links two synthetic files through the real protocol
// with records added that must not link — twins with identical family
// name, birth date, parents, birth place and address but different given
// names, and namesakes whose birth dates are ten years apart — and two
// that must: the same child with the name transliterated and day and month
// swapped, and one whose birth year has a digit mistyped (day and month
// agree: the date's month-day level).
func TestLinkageEndToEnd(t *testing.T) {
	d := synth.Generate(synth.DefaultConfig(21, 300))
	date := func(s string) match.Date {
		v, err := match.ParseDate(s)
		require.NoError(t, err)
		return v
	}
	family := func(id, given string) match.Record {
		return match.Record{ID: id, GivenNames: given, FamilyNames: "Tkachenko", BirthDate: date("2016-05-17"), Sex: match.SexFemale,
			BirthPlace: "Kharkiv", ParentNames: []string{"Iryna Tkachenko", "Petro Tkachenko"},
			Address: "12 Sumska", Locality: "Kharkiv", Postcode: "61000"}
	}
	a := append(d.A,
		family("twin-a", "Sofiia"),
		match.Record{ID: "year-a", GivenNames: "Amina", FamilyNames: "Warsame", BirthDate: date("2012-03-04"), Sex: match.SexFemale},
		match.Record{ID: "digit-a", GivenNames: "Zainab", FamilyNames: "Osman", BirthDate: date("2013-06-25"), Sex: match.SexFemale},
		match.Record{ID: "child-a", GivenNames: "Олександр", FamilyNames: "Коваленко", BirthDate: date("2011-03-04"), Sex: match.SexMale, BirthPlace: "Київ"},
	)
	b := append(d.B,
		family("twin-b", "Mariia"),
		match.Record{ID: "year-b", GivenNames: "Amina", FamilyNames: "Warsame", BirthDate: date("2002-09-21"), Sex: match.SexFemale},
		match.Record{ID: "digit-b", GivenNames: "Zainab", FamilyNames: "Osman", BirthDate: date("2003-06-25"), Sex: match.SexFemale},
		match.Record{ID: "child-b", GivenNames: "Aleksandr", FamilyNames: "Kovalenko", BirthDate: date("2011-04-03"), Sex: match.SexMale, BirthPlace: "Kyiv"},
	)
	cfg := reunite.MatchConfig{MaxKeys: psi.MaxSetSizeLimit}
	if reunite.RaceEnabled {
		// Under the race detector, ECDH on these 90,000 keys a side takes
		// minutes; the fast suite gives the same pairs in seconds (both
		// suites are checked against a plain intersection in psi).
		cfg.Suite = psi.SuiteOTExtension
	}
	pairs, resA, resB, err := inprocess.Link(context.Background(), a, b, cfg)
	require.NoError(t, err)
	linked := map[[2]string]float64{}
	for _, p := range pairs {
		linked[[2]string{p.A, p.B}] = p.Score
	}
	assert.NotContains(t, linked, [2]string{"twin-a", "twin-b"}, "twins")
	assert.NotContains(t, linked, [2]string{"year-a", "year-b"}, "birth dates ten years apart")
	assert.Contains(t, linked, [2]string{"digit-a", "digit-b"}, "one child, a digit of the birth year mistyped")
	assert.Contains(t, linked, [2]string{"child-a", "child-b"}, "one child, transliterated, day and month swapped")
	truth := 0
	for _, p := range d.Truth {
		if _, ok := linked[[2]string{p.AID, p.BID}]; ok {
			truth++
		}
	}
	assert.GreaterOrEqual(t, float64(truth), 0.85*float64(len(d.Truth)), "most true pairs of the background are found")
	// Both agencies weigh the same evidence the same way.
	for _, h := range resA.Hits {
		for _, hb := range resB.Hits {
			if h.Handle == hb.Handle {
				assert.Equal(t, h.Score, hb.Score)
				assert.Equal(t, h.Evidence, hb.Evidence)
			}
		}
	}
}
