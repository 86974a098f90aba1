package match_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/match"
)

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want match.Date
		prec match.DatePrecision
	}{
		{"2011-03-04", match.Date{Year: 2011, Month: 3, Day: 4}, match.PrecisionDay},
		{"2011-03", match.Date{Year: 2011, Month: 3}, match.PrecisionMonth},
		{"2011", match.Date{Year: 2011}, match.PrecisionYear},
		{"", match.Date{}, match.PrecisionNone},
		{"1900-01-01", match.Date{Year: 1900, Month: 1, Day: 1}, match.PrecisionDay},
		{"2100-12-31", match.Date{Year: 2100, Month: 12, Day: 31}, match.PrecisionDay},
		{"2000-02-29", match.Date{Year: 2000, Month: 2, Day: 29}, match.PrecisionDay},
		{"2024-02-29", match.Date{Year: 2024, Month: 2, Day: 29}, match.PrecisionDay},
		{"2023-04-30", match.Date{Year: 2023, Month: 4, Day: 30}, match.PrecisionDay},
	} {
		t.Run(tc.in, func(t *testing.T) {
			d, err := match.ParseDate(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, d)
			assert.Equal(t, tc.prec, d.Precision())
			assert.Equal(t, tc.in, d.String())
			assert.Equal(t, tc.in == "", d.IsZero())
		})
	}
}

func TestParseDateBad(t *testing.T) {
	for _, in := range []string{
		"2023-02-30", "2023-02-29", "1900-02-29", "2023-04-31", "2023-13-01",
		"2023-00-10", "2023-01-00", "2023-00", "2023-13", "1899", "2101",
		"1899-12-31", "2101-01-01", "0000", " 2011", "2011 ", " 2011-03-04",
		"2011-03-04 ", "11-03-04", "2011-3-4", "2011/03/04", "2011-03-4",
		"04.03.2011", "20110304", "+011", "-011", "２０１１", "2011-03-04T00:00",
		"2011-", "2011--", "2011-03-", "abcd", "2011-0a-01",
	} {
		t.Run(in, func(t *testing.T) {
			d, err := match.ParseDate(in)
			require.ErrorIs(t, err, match.ErrBadDate)
			assert.Zero(t, d)
			assert.NotContains(t, err.Error(), in)
		})
	}
}

func TestDateParts(t *testing.T) {
	// Dates not made by ParseDate still format by what is known.
	assert.Equal(t, match.PrecisionNone, match.Date{Month: 3, Day: 4}.Precision())
	assert.Equal(t, "", match.Date{Month: 3, Day: 4}.String())
	assert.False(t, match.Date{Month: 3}.IsZero())
	assert.Equal(t, match.PrecisionYear, match.Date{Year: 2011, Day: 4}.Precision())
	assert.Equal(t, "2011", match.Date{Year: 2011, Day: 4}.String())
	assert.Equal(t, "0999-01", match.Date{Year: 999, Month: 1}.String())

	for p, s := range map[match.DatePrecision]string{
		match.PrecisionNone: "none", match.PrecisionYear: "year",
		match.PrecisionMonth: "month", match.PrecisionDay: "day", 9: "DatePrecision(9)",
	} {
		assert.Equal(t, s, p.String())
	}
}

func TestParseSex(t *testing.T) {
	for in, want := range map[string]match.Sex{
		"": match.SexUnknown, "F": match.SexFemale, "M": match.SexMale, "X": match.SexX,
		"f": match.SexFemale, "m": match.SexMale, "x": match.SexX,
	} {
		s, err := match.ParseSex(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, s, in)
	}
	for _, s := range []match.Sex{match.SexUnknown, match.SexFemale, match.SexMale, match.SexX} {
		back, err := match.ParseSex(s.String())
		require.NoError(t, err)
		assert.Equal(t, s, back)
	}
	assert.Equal(t, "Sex(9)", match.Sex(9).String())

	for _, in := range []string{"female", "U", "FM", " F", "F ", "0", "1", "Ж", "♀"} {
		s, err := match.ParseSex(in)
		require.ErrorIs(t, err, match.ErrBadSex, in)
		assert.Equal(t, match.SexUnknown, s)
		if len(in) > 2 { // shorter inputs occur in the message by chance ("F ")
			assert.NotContains(t, err.Error(), in)
		}
	}
}

func TestReadNationalityAndLists(t *testing.T) {
	in := "id,nationality,aliases,parent_names\n" +
		"1,ua,\" Olena K ; ;Olena  Kovalenko;\",;\n" +
		"2,Ukr,,\"Petro K\"\n"
	recs, _, err := match.ReadCSV(strings.NewReader(in), "n.csv", match.ReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, []match.Record{
		// Internal double spaces are kept: cleaning text is normalization's job.
		{ID: "1", Nationality: "UA", Aliases: []string{"Olena K", "Olena  Kovalenko"}},
		{ID: "2", Nationality: "UKR", ParentNames: []string{"Petro K"}},
	}, recs)

	for _, bad := range []string{"U", "UKRA", "U1", "Ü A", "УК", "U-"} {
		_, _, err := match.ReadCSV(strings.NewReader("id,given_names,nationality\n1,a,"+bad+"\n"), "n.csv", match.ReadOptions{})
		assert.ErrorIs(t, err, match.ErrBadNationality, bad)
	}
}
