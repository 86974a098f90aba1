package match_test

import (
	"testing"

	"github.com/reunite-psi/reunite/match"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPayloadRoundTrip(t *testing.T) {
	rs := match.DefaultRules()
	shared := rec("x", "Oleksandr", "Kovalenko", "2011")
	var records []match.Record
	for range match.MaxRecordsPerKey + 3 {
		records = append(records, shared)
	}
	records[1].BirthDate = match.Date{Year: 2011, Month: 3, Day: 4}
	ix := match.NewIndex(records, rs)
	pseudonyms := make([]uint32, len(records))
	for i := range pseudonyms {
		pseudonyms[i] = uint32(1000 + i)
	}
	// A key all records share is overfull; one only record 1 has is not.
	var sharedKey, ownKey = -1, -1
	for k, owners := range ix.Owners {
		switch len(owners) {
		case len(records):
			sharedKey = k
		case 1:
			ownKey = k
		}
	}
	require.NotEqual(t, -1, sharedKey)
	require.NotEqual(t, -1, ownKey)

	p, overfull := ix.Payload(sharedKey, pseudonyms)
	assert.True(t, overfull)
	require.Len(t, p, match.PayloadSize)
	peers, err := match.DecodePayload(p)
	require.NoError(t, err)
	require.Len(t, peers, match.MaxRecordsPerKey)
	assert.Equal(t, match.PeerRecord{Pseudonym: 1000, ImpreciseDate: true}, peers[0])
	assert.Equal(t, match.PeerRecord{Pseudonym: 1001, ImpreciseDate: false}, peers[1])

	p, overfull = ix.Payload(ownKey, pseudonyms)
	assert.False(t, overfull)
	peers, err = match.DecodePayload(p)
	require.NoError(t, err)
	assert.Equal(t, []match.PeerRecord{{Pseudonym: 1001}}, peers)
}

func TestDecodePayloadIsStrict(t *testing.T) {
	good := make([]byte, match.PayloadSize)
	good[0], good[4], good[5] = 1, 7, 1
	_, err := match.DecodePayload(good)
	require.NoError(t, err)
	mutate := func(i int, v byte) []byte { b := append([]byte(nil), good...); b[i] = v; return b }
	for name, p := range map[string][]byte{
		"empty":           nil,
		"short":           good[:match.PayloadSize-1],
		"zero count":      mutate(0, 0),
		"count too large": mutate(0, match.MaxRecordsPerKey+1),
		"unknown flag":    mutate(5, 2),
		"non-zero pad":    mutate(match.PayloadSize-1, 1),
	} {
		_, err := match.DecodePayload(p)
		assert.ErrorIs(t, err, match.ErrPayload, name)
	}
}

func FuzzDecodePayload(f *testing.F) {
	good := make([]byte, match.PayloadSize)
	good[0], good[4], good[5] = 1, 7, 1
	f.Add(good)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, p []byte) {
		peers, err := match.DecodePayload(p)
		if err != nil {
			return
		}
		require.NotEmpty(t, peers)
		require.LessOrEqual(t, len(peers), match.MaxRecordsPerKey)
	})
}

// TestYearRulesNeedAnImpreciseDate checks that two records with full,
// different birth dates are never linked on a shared year, while a record
// with only a year can be.
func TestYearRulesNeedAnImpreciseDate(t *testing.T) {
	rs := match.DefaultRules()
	place := func(r match.Record) match.Record { r.BirthPlace = "Mogadishu"; return r }
	s, rules := score(t, rs, place(rec("a", "Omar", "Jama", "2017-01-21")), place(rec("b", "Omar", "Jama", "2017-07-23")))
	assert.Less(t, s, rs.Threshold(), "namesakes born the same year in the same city: rules %v", rules)
	s, rules = score(t, rs, place(rec("a", "Omar", "Jama", "2017-01-21")), place(rec("b", "Omar", "Jama", "2017")))
	assert.GreaterOrEqual(t, s, rs.Threshold(), "rules %v", rules)
}

// FuzzKeys derives keys from arbitrary field values: never a panic, never
// more keys than the cap, and always the same keys for the same record.
func FuzzKeys(f *testing.F) {
	f.Add("Олександр", "Коваленко", "FE1234567", "Харків", "Ірина Коваленко", "", 2011, 3, 4)
	f.Add("", "", "", "", "", "", 0, 0, 0)
	f.Add("a", "b", "12", "x", "y", "z", 2011, 0, 0)
	rs := match.DefaultRules()
	f.Fuzz(func(t *testing.T, given, family, doc, place, parent, alias string, y, m, d int) {
		r := match.Record{ID: "x", GivenNames: given, FamilyNames: family, DocumentNumber: doc,
			BirthPlace: place, ParentNames: []string{parent}, Aliases: []string{alias},
			BirthDate: match.Date{Year: y, Month: m, Day: d}}
		keys, _ := rs.Keys(&r)
		require.LessOrEqual(t, len(keys), rs.MaxKeysPerRecord())
		again, _ := rs.Keys(&r)
		require.Equal(t, keys, again)
	})
}
