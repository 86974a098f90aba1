package synth

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/match"
)

// TestRegisterFiles checks GenerateRegister's output: deterministic, the
// configured numbers of people, every true pair and namesake naming
// records that exist, and files the strict CSV reader takes back as they
// were written.
func TestRegisterFiles(t *testing.T) {
	cfg := DefaultRegisterConfig(5, 800)
	ds := GenerateRegister(cfg)
	again := GenerateRegister(cfg)
	require.Equal(t, ds, again, "the same config must give the same data")
	assert.NotEqual(t, ds.A, GenerateRegister(DefaultRegisterConfig(6, 800)).A)

	assert.Len(t, ds.A, cfg.People+cfg.OnlyA)
	assert.Len(t, ds.B, cfg.People+cfg.OnlyB)
	assert.Len(t, ds.Truth, cfg.People)
	ids := map[string]bool{}
	for _, r := range append(append([]match.Record{}, ds.A...), ds.B...) {
		require.False(t, ids[r.ID], "duplicate ID %s", r.ID)
		ids[r.ID] = true
	}
	for _, p := range ds.Truth {
		assert.True(t, ids[p.AID] && ids[p.BID], "%v", p)
	}
	require.NotEmpty(t, ds.Confounders, "common names must give namesakes")
	for _, c := range ds.Confounders {
		assert.True(t, ids[c.AID] && ids[c.BID], "%v", c)
		assert.Equal(t, KindNamesake, c.Kind)
	}
	for _, side := range [][]match.Record{ds.A, ds.B} {
		var buf bytes.Buffer
		require.NoError(t, WriteCSV(&buf, side))
		got, rep, err := match.ReadCSV(&buf, "register.csv", match.ReadOptions{})
		require.NoError(t, err)
		assert.Empty(t, rep.Skipped)
		assert.Equal(t, side, got)
	}
}

// TestRegisterNoise checks that each kind of clerk's error the
// documentation lists occurs, at a rate near the one it gives.
func TestRegisterNoise(t *testing.T) {
	ds := GenerateRegister(DefaultRegisterConfig(9, 4000))
	var n, noDate, jan1, yearOnly, noGiven, title, noFamily, noSex int
	for _, r := range append(append([]match.Record{}, ds.A...), ds.B...) {
		n++
		switch d := r.BirthDate; {
		case d.IsZero():
			noDate++
		case d.Precision() == match.PrecisionYear:
			yearOnly++
		case d.Month == 1 && d.Day == 1:
			jan1++
		}
		switch {
		case r.GivenNames == "":
			noGiven++
		case registerTitleSet[r.GivenNames]:
			title++
		}
		if r.FamilyNames == "" {
			noFamily++
		}
		if r.Sex == match.SexUnknown {
			noSex++
		}
	}
	rate := func(k int) float64 { return float64(k) / float64(n) }
	assert.InDelta(t, 0.20, rate(noDate), 0.02, "dates left out")
	assert.InDelta(t, 0.10, rate(jan1), 0.02, "year-only dates written as 1 January")
	assert.InDelta(t, 0.05, rate(yearOnly), 0.01, "year-only dates")
	assert.InDelta(t, 0.05, rate(noGiven), 0.015, "given names left out")
	assert.InDelta(t, 0.05, rate(title), 0.015, "titles for given names")
	assert.InDelta(t, 0.07, rate(noFamily), 0.015, "family names left out")
	assert.InDelta(t, 0.20, rate(noSex), 0.02, "sex left out")
}

// TestRegisterUnevenNoise checks that the errors RegisterConfig.Uneven
// adds occur, and only with it: true pairs whose sexes disagree, whose
// full dates differ by a decade with day and month kept (a mistyped
// digit), and whose postcodes are of two districts.
func TestRegisterUnevenNoise(t *testing.T) {
	count := func(uneven bool) (pairs, sexSwapped, decade, moved int) {
		cfg := DefaultRegisterConfig(9, 4000)
		cfg.Uneven = uneven
		ds := GenerateRegister(cfg)
		if uneven {
			require.Equal(t, ds, GenerateRegister(cfg), "the same config must give the same data")
		}
		a, b := map[string]match.Record{}, map[string]match.Record{}
		for _, r := range ds.A {
			a[r.ID] = r
		}
		for _, r := range ds.B {
			b[r.ID] = r
		}
		district := func(p string) string { return strings.Fields(p)[0] }
		for _, p := range ds.Truth {
			x, y := a[p.AID], b[p.BID]
			pairs++
			if x.Sex != match.SexUnknown && y.Sex != match.SexUnknown && x.Sex != y.Sex {
				sexSwapped++
			}
			dx, dy := x.BirthDate, y.BirthDate
			if dx.Precision() == match.PrecisionDay && dy.Precision() == match.PrecisionDay &&
				dx.Month == dy.Month && dx.Day == dy.Day && (dx.Year-dy.Year)%10 == 0 && dx.Year != dy.Year {
				decade++
			}
			if x.Postcode != "" && y.Postcode != "" && district(x.Postcode) != district(y.Postcode) {
				moved++
			}
		}
		return pairs, sexSwapped, decade, moved
	}
	_, sex, decade, moved := count(false)
	assert.Zero(t, sex+decade+moved, "the clerk's model has none of these errors")
	pairs, sex, decade, moved := count(true)
	assert.Greater(t, sex, pairs/100, "sexes swapped")
	assert.Greater(t, decade, pairs/200, "a decade digit mistyped")
	assert.Greater(t, moved, pairs/20, "postcodes of another district")
}
