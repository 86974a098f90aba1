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
		"unknown flag":    mutate(5, 4),
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

// TestPayloadCarriesAliasOrigin checks that a key a record holds only
// through an alias is flagged as such for that record, and not for a record
// that holds it through its own name.
func TestPayloadCarriesAliasOrigin(t *testing.T) {
	rs := match.DefaultRules()
	own := rec("own", "Denis", "Zakharov", "2013-06-19")
	own.Sex = match.SexMale
	hidden := rec("false-identity", "Evgenii", "Novikov", "2011-06-19")
	hidden.Sex = match.SexMale
	hidden.Aliases = []string{"Denis Zakharov"}
	ix := match.NewIndex([]match.Record{own, hidden}, rs)
	shared := 0
	for k := range ix.Keys {
		owners := ix.Owners(k)
		if len(owners) != 2 {
			continue
		}
		p, _ := ix.Payload(k, []uint32{10, 11})
		peers, err := match.DecodePayload(p)
		require.NoError(t, err)
		rule := rs.Rules()[ix.Rule(k)]
		if !rule.ViaAlias {
			// Other rules do not need the flag, so the peer is not told.
			assert.Equal(t, []match.PeerRecord{{Pseudonym: 10}, {Pseudonym: 11}}, peers, rule.Name)
			continue
		}
		shared++
		assert.Equal(t, []match.PeerRecord{{Pseudonym: 10}, {Pseudonym: 11, ViaAlias: true}}, peers)
	}
	assert.Positive(t, shared, "the own name and the alias share an alias-rule key")
}

// TestViaAliasRulesNeedAnAlias checks that a rule marked ViaAlias never
// counts for two records' own names, and counts when one side's name is an
// alias of a record whose false birth date is a few years earlier.
func TestViaAliasRulesNeedAnAlias(t *testing.T) {
	rs := match.DefaultRules()
	withSex := func(r match.Record) match.Record { r.Sex = match.SexFemale; return r }
	real := withSex(rec("a", "Anna", "Morozova", "2015-09-16"))
	namesake := withSex(rec("b", "Anna", "Morozova", "2012-02-01"))
	s, rules := score(t, rs, real, namesake)
	assert.Less(t, s, rs.Threshold(), "two own names, other dates: rules %v", rules)

	falseID := withSex(rec("b", "Olga", "Nikolaeva", "2012-05-29"))
	falseID.Aliases = []string{"Anna Morozova"}
	s, rules = score(t, rs, real, falseID)
	assert.GreaterOrEqual(t, s, rs.Threshold(), "alias, false date three years earlier: rules %v", rules)

	tooFar := withSex(rec("b", "Olga", "Nikolaeva", "2003-05-29"))
	tooFar.Aliases = falseID.Aliases
	s, rules = score(t, rs, real, tooFar)
	assert.Less(t, s, rs.Threshold(), "alias of a child twelve years older: rules %v", rules)
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
	uncapped, err := match.NewRuleSet("uncapped", rs.Rules(), rs.Threshold(), 1024)
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

// TestLinkMarksAlternatives checks that a link scoring clearly below
// another link of its local record, or of its peer record, is marked
// Alternative, and that links scoring alike are not.
func TestLinkMarksAlternatives(t *testing.T) {
	rs, err := match.NewRuleSet("alternatives", []match.Rule{
		{Name: "document", Weight: 0.9, Fields: []match.Field{match.FieldDocument}},
		{Name: "name", Weight: 0.8, Fields: []match.Field{match.FieldName}},
	}, 0.5, 0)
	require.NoError(t, err)
	records := []match.Record{
		{ID: "0", GivenNames: "Anna", FamilyNames: "Smith", DocumentNumber: "D0000001"},
		{ID: "1", GivenNames: "Olga", FamilyNames: "Brown"},
		{ID: "2", DocumentNumber: "D0000003"},
		{ID: "3", DocumentNumber: "D0000003"},
	}
	ix := match.NewIndex(records, rs)
	keyOf := func(rule string, owner int32) int {
		for k := range ix.Keys {
			owners := ix.Owners(k)
			if rs.Rules()[ix.Rule(k)].Name == rule && owners[0] == owner {
				return k
			}
		}
		t.Fatalf("no %s key for record %d", rule, owner)
		return -1
	}
	peer := func(p uint32) []match.PeerRecord { return []match.PeerRecord{{Pseudonym: p}} }
	links := ix.Link([]match.KeyHit{
		{Key: keyOf("document", 0), Peers: peer(7)}, // 0–7: 0.9
		{Key: keyOf("name", 0), Peers: peer(8)},     // 0–8: 0.8, below 0–7
		{Key: keyOf("name", 1), Peers: peer(7)},     // 1–7: 0.8, below 0–7
		{Key: keyOf("document", 2), Peers: peer(9)}, // 2–9 and 3–9: 0.9 each
	}, rs.Threshold())
	got := map[[2]int]bool{}
	for _, l := range links {
		got[[2]int{l.Record, int(l.Peer)}] = l.Alternative
	}
	assert.Equal(t, map[[2]int]bool{{0, 7}: false, {0, 8}: true, {1, 7}: true, {2, 9}: false, {3, 9}: false}, got)
}
