package match_test

import (
	"slices"
	"testing"

	"github.com/reunite-psi/reunite/internal/synth"
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
	for k := range ix.Keys {
		owners := ix.Owners(k)
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
	// Oleksandr has nine letters: an odd length.
	yearOnly := match.HasGiven | match.HasFamily | match.GivenLengthOdd | match.Presence(match.PrecisionYear)<<10
	fullDate := match.HasGiven | match.HasFamily | match.GivenLengthOdd | match.Presence(match.PrecisionDay)<<10
	assert.Equal(t, match.PeerRecord{Pseudonym: 1000, Presence: yearOnly}, peers[0])
	assert.Equal(t, match.PeerRecord{Pseudonym: 1001, Presence: fullDate}, peers[1])
	assert.Equal(t, match.PrecisionYear, peers[0].Presence.DatePrecision())

	p, overfull = ix.Payload(ownKey, pseudonyms)
	assert.False(t, overfull)
	peers, err = match.DecodePayload(p)
	require.NoError(t, err)
	assert.Equal(t, []match.PeerRecord{{Pseudonym: 1001, Presence: fullDate}}, peers)
}

func TestDecodePayloadIsStrict(t *testing.T) {
	good := make([]byte, match.PayloadSize)
	good[0], good[4], good[6] = 1, 7, 1 // one record: pseudonym 7, a given name
	_, err := match.DecodePayload(good)
	require.NoError(t, err)
	all := match.HasGiven | match.GivenIsInitial | match.GivenLengthOdd | match.GivenIsRare | match.Presence(match.PrecisionDay)<<10
	peers, err := match.DecodePayload(withMask(good, all))
	require.NoError(t, err)
	assert.Equal(t, []match.PeerRecord{{Pseudonym: 7, Presence: all}}, peers)
	mutate := func(i int, v byte) []byte { b := append([]byte(nil), good...); b[i] = v; return b }
	for name, p := range map[string][]byte{
		"empty":           nil,
		"short":           good[:match.PayloadSize-1],
		"zero count":      mutate(0, 0),
		"count too large": mutate(0, match.MaxRecordsPerKey+1),
		"non-zero pad":    mutate(match.PayloadSize-1, 1),
		// Bits that describe a given name, on a record without one.
		"initial without given": withMask(good, match.GivenIsInitial),
		"odd without given":     withMask(good, match.GivenLengthOdd),
		"rare without given":    withMask(good, match.GivenIsRare|match.HasFamily),
	} {
		_, err := match.DecodePayload(p)
		assert.ErrorIs(t, err, match.ErrPayload, name)
	}
}

// withMask returns a copy of the one-record payload p with the record's
// presence mask set to mask.
func withMask(p []byte, mask match.Presence) []byte {
	b := append([]byte(nil), p...)
	b[5], b[6] = byte(mask>>8), byte(mask)
	return b
}

func FuzzDecodePayload(f *testing.F) {
	good := make([]byte, match.PayloadSize)
	good[0], good[4], good[6] = 1, 7, 1 // one record: pseudonym 7, a given name
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

// TestPayloadCarriesAliasOrigin checks that a key a record holds only
// through an alias is flagged as such for that record, and not for a record
// TestPresenceTellsDisagreementFromMissing checks the comparison vector
// the presence masks give: two records that both have a birth place and
// share no key on it disagree on it, and a record without one leaves the
// comparison missing, which weighs nothing either way.
func TestPresenceTellsDisagreementFromMissing(t *testing.T) {
	a := rec("a", "Oleksandr", "Kovalenko", "2011-03-04")
	a.BirthPlace = "Kharkiv"
	b := a
	b.BirthPlace = "Odesa"
	_, evidence := score(t, nil, a, b)
	assert.Contains(t, evidence, "birth-place=disagree")
	assert.Contains(t, evidence, "given=exact")
	assert.Contains(t, evidence, "date=exact")

	b.BirthPlace = ""
	_, evidence = score(t, nil, a, b)
	for _, e := range evidence {
		assert.NotContains(t, e, "birth-place", "a missing birth place is not evidence")
	}
	sameMissing, _ := score(t, nil, a, b)
	b.BirthPlace = "Odesa"
	differs, _ := score(t, nil, a, b)
	assert.Greater(t, sameMissing, differs, "disagreement must weigh against the pair, missing data not")
}

// TestConflictingYearsDoNotLink checks negative evidence on the date: the
// same names with birth years far apart, or a year-only record whose year
// is far from the other's, are not linked. Dates that share their month
// and day ten years apart (a year's digit mistyped) agree at the month-day
// level, which the names alone, with no other field, do not lift to a
// link either.
func TestConflictingYearsDoNotLink(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"2011-03-04", "2001-08-19", "date=disagree"},
		{"2011-03-04", "2001-03-04", "date=month-day"},
		{"2011", "1999", "estimated-date=disagree"},
		{"2011-03-04", "2019", "estimated-date=disagree"},
	} {
		s, evidence := score(t, nil, rec("a", "Amina", "Yusuf", tc.a), rec("b", "Amina", "Yusuf", tc.b))
		assert.Less(t, s, match.DefaultThreshold, "%s vs %s: %v", tc.a, tc.b, evidence)
		assert.Contains(t, evidence, tc.want)
	}
}

// FuzzKeys derives keys from arbitrary field values: never a panic, never
// more keys than the cap, and always the same keys for the same record.
func FuzzKeys(f *testing.F) {
	f.Add("Олександр", "Коваленко", "FE1234567", "Харків", "Ірина Коваленко", "", 2011, 3, 4)
	f.Add("", "", "", "", "", "", 0, 0, 0)
	f.Add("a", "b", "12", "x", "y", "z", 2011, 0, 0)
	// Shapes rule set v11 reads as swapped or run together.
	f.Add("Lê", "Văn Tùng", "", "", "", "Lê Khánh Trang", 2008, 5, 23)
	f.Add("VAN DER VEEN", "Iris", "", "", "", "", 2022, 4, 18)
	f.Add("ALHASAN", "Hamzah", "", "", "", "Al", 2015, 4, 4)
	f.Add("", "DE LA CRUZ GARCÍA Martina", "", "", "", "van de", 2015, 3, 18)
	rs := match.DefaultRules()
	uncapped, err := match.NewRuleSet("uncapped", rs.Blocks(), rs.Comparisons(), 1024)
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, given, family, doc, place, parent, alias string, y, m, d int) {
		r := match.Record{ID: "x", GivenNames: given, FamilyNames: family, DocumentNumber: doc,
			BirthPlace: place, ParentNames: []string{parent}, Aliases: []string{alias},
			BirthDate: match.Date{Year: y, Month: m, Day: d}}
		keys, truncated := rs.Keys(&r)
		require.LessOrEqual(t, len(keys), rs.MaxKeysPerRecord())
		again, _ := rs.Keys(&r)
		require.Equal(t, keys, again)
		all, none := uncapped.Keys(&r)
		require.Zero(t, none)
		require.Equal(t, len(all), len(keys)+truncated, "truncated counts what the cap dropped")
	})
}

// TestLinkResolvesOneToOne checks that each record links at most once, its
// best pair winning, and that a pair that reaches the threshold but loses
// is kept as an Alternative; the two sides' results agree.
func TestLinkResolvesOneToOne(t *testing.T) {
	d := synth.Generate(synth.DefaultConfig(2, 300))
	rs := match.DefaultRules()
	// B holds each record twice: every true pair has a twin pair with the
	// same probability, and exactly one of them must win.
	b := append(slices.Clone(d.B), d.B...)
	for i := len(d.B); i < len(b); i++ {
		b[i].ID += "-copy"
	}
	ia, ib := match.NewIndex(d.A, rs), match.NewIndex(b, rs)
	pa, pb := make([]uint32, len(d.A)), make([]uint32, len(b))
	for i := range pa {
		pa[i] = uint32(i)
	}
	for i := range pb {
		pb[i] = uint32(1<<20 + i)
	}
	fromA := ia.Link(match.PlainHits(ia, ib, pb), ib.Statistics(), pa, rs.Threshold())
	fromB := ib.Link(match.PlainHits(ib, ia, pa), ia.Statistics(), pb, rs.Threshold())
	require.NotEmpty(t, fromA)
	ownSeen, peerSeen := map[int]bool{}, map[uint32]bool{}
	alternatives := 0
	for _, l := range fromA {
		assert.GreaterOrEqual(t, l.Score, rs.Threshold())
		if l.Alternative {
			alternatives++
			continue
		}
		assert.False(t, ownSeen[l.Record], "record %d linked twice", l.Record)
		assert.False(t, peerSeen[l.Peer], "peer %d linked twice", l.Peer)
		ownSeen[l.Record], peerSeen[l.Peer] = true, true
	}
	assert.Positive(t, alternatives, "the copies must show up as alternatives")
	// Both sides see the same pairs with the same scores and resolutions.
	type view struct {
		score float64
		alt   bool
	}
	seenA, seenB := map[[2]uint32]view{}, map[[2]uint32]view{}
	for _, l := range fromA {
		seenA[[2]uint32{pa[l.Record], l.Peer}] = view{l.Score, l.Alternative}
	}
	for _, l := range fromB {
		seenB[[2]uint32{l.Peer, pb[l.Record]}] = view{l.Score, l.Alternative}
	}
	assert.Equal(t, seenA, seenB)
}
