package match_test

import (
	"testing"

	"github.com/reunite-psi/reunite/internal/synth"
	"github.com/reunite-psi/reunite/match"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatisticsRoundTrip(t *testing.T) {
	rs := match.DefaultRules()
	d := synth.Generate(synth.DefaultConfig(5, 200))
	st := match.NewIndex(d.A, rs).Statistics()
	p, err := st.MarshalBinary()
	require.NoError(t, err)
	require.Len(t, p, match.PayloadSize, "statistics travel as an element's payload")
	back, err := rs.ParseStatistics(p)
	require.NoError(t, err)
	assert.Equal(t, st, back)
	_, err = match.DecodePayload(p)
	assert.ErrorIs(t, err, match.ErrPayload, "statistics are never mistaken for a record payload")
	assert.Len(t, rs.StatisticsElement(), match.KeySize)
	other, err := match.NewRuleSet("other", rs.Blocks(), rs.Comparisons(), 0)
	require.NoError(t, err)
	assert.NotEqual(t, rs.StatisticsElement(), other.StatisticsElement(), "bound to the rule set")
}

func TestParseStatisticsIsStrict(t *testing.T) {
	rs := match.DefaultRules()
	good, err := match.NewIndex([]match.Record{{ID: "x", GivenNames: "Anna"}}, rs).Statistics().MarshalBinary()
	require.NoError(t, err)
	mutate := func(i int, v byte) []byte { b := append([]byte(nil), good...); b[i] = v; return b }
	for name, p := range map[string][]byte{
		"empty":        nil,
		"short":        good[:len(good)-1],
		"long":         append(append([]byte(nil), good...), 0),
		"no marker":    mutate(0, 1),
		"non-zero pad": mutate(len(good)-1, 1),
	} {
		_, err := rs.ParseStatistics(p)
		assert.ErrorIs(t, err, match.ErrStatistics, name)
	}
}

// FuzzParseStatistics decodes arbitrary peer statistics: never a panic,
// and what decodes encodes back to the same bytes.
func FuzzParseStatistics(f *testing.F) {
	rs := match.DefaultRules()
	good, err := match.NewIndex([]match.Record{{ID: "x", GivenNames: "Anna", BirthDate: match.Date{Year: 2010}}}, rs).Statistics().MarshalBinary()
	require.NoError(f, err)
	f.Add(good)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, p []byte) {
		st, err := rs.ParseStatistics(p)
		if err != nil {
			require.ErrorIs(t, err, match.ErrStatistics)
			return
		}
		again, err := st.MarshalBinary()
		require.NoError(t, err)
		require.Equal(t, p, again)
	})
}
