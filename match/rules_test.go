package match_test

import (
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/reunite-psi/reunite/match"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/keys-golden.json")

func rec(id, given, family, date string) match.Record {
	d, err := match.ParseDate(date)
	if err != nil {
		panic(err)
	}
	return match.Record{ID: id, GivenNames: given, FamilyNames: family, BirthDate: d}
}

// score is what Link would give the pair (a, b) on its own: the score of
// the rules on which they share a key.
func score(t *testing.T, rs *match.RuleSet, a, b match.Record) (float64, []string) {
	t.Helper()
	ix := match.NewIndex([]match.Record{a}, rs)
	other := match.NewIndex([]match.Record{b}, rs)
	theirs := map[string]bool{}
	for _, k := range other.Keys {
		theirs[string(k)] = true
	}
	var hits []match.KeyHit
	for k, v := range ix.Keys {
		if theirs[string(v)] {
			hits = append(hits, match.KeyHit{Key: k, Peers: []match.PeerRecord{{Pseudonym: 7, ImpreciseDate: b.BirthDate.Precision() != match.PrecisionDay}}})
		}
	}
	links := ix.Link(hits, 1e-9)
	if len(links) == 0 {
		return 0, nil
	}
	require.Len(t, links, 1)
	return links[0].Score, links[0].Rules
}

func TestSameChildMatches(t *testing.T) {
	rs := match.DefaultRules()
	withPlace := func(r match.Record, place string) match.Record { r.BirthPlace = place; return r }
	withAlias := func(r match.Record, a ...string) match.Record { r.Aliases = a; return r }
	withDoc := func(r match.Record, d string) match.Record { r.DocumentNumber = d; return r }
	tests := []struct {
		name string
		a, b match.Record
	}{
		{"Cyrillic vs Latin (ICAO vs Russian-style)", rec("a", "Олександр", "Коваленко", "2011-03-04"), rec("b", "Aleksandr", "Kovalenko", "2011-03-04")},
		{"Ukrainian vs English transliteration", rec("a", "Дмитро", "Шевченко", "2013-02-10"), rec("b", "Dmytro", "Shevchenko", "2013-02-10")},
		{"Greek vs Latin", rec("a", "Νίκος", "Παπαδόπουλος", "2010-05-05"), rec("b", "Nikos", "Papadopoulos", "2010-05-05")},
		{"Muhammad spellings", rec("a", "Muhammad", "Hassan", "2012-07-01"), rec("b", "Mohamed", "Hassan", "2012-07-01")},
		{"Arabic script vs Latin", rec("a", "محمد", "حسن", "2012-07-01"), rec("b", "Muhammad", "Hasan", "2012-07-01")},
		{"fields swapped", rec("a", "Amina", "Yusuf", "2014-05-09"), rec("b", "Yusuf", "Amina", "2014-05-09")},
		{"day and month swapped", rec("a", "Oleksandr", "Kovalenko", "2011-03-04"), rec("b", "Oleksandr", "Kovalenko", "2011-04-03")},
		{"dropped middle name", rec("a", "Ana María", "García", "2009-11-20"), rec("b", "Ana", "García", "2009-11-20")},
		{"dropped second surname", rec("a", "Ana", "García López", "2009-11-20"), rec("b", "Ana", "García", "2009-11-20")},
		{"particle", rec("a", "Omar", "al-Rashid", "2015-01-30"), rec("b", "Omar", "Rashid", "2015-01-30")},
		{"year only, estimated ±1, same birth place", withPlace(rec("a", "Nikos", "Papadopoulos", "2010"), "Thessaloniki"), withPlace(rec("b", "Nikos", "Papadopoulos", "2011"), "Θεσσαλονίκη")},
		{"false identity, real name as alias", rec("a", "Dmytro", "Shevchenko", "2013-02-10"), withAlias(rec("b", "Ivan", "Petrenko", "2013-02-10"), "Dmitriy Shevchenko")},
		{"name in one field, family first, middle name dropped", rec("a", "Jana Frieda", "Weber", "2008-12-16"), rec("b", "Weber Jana", "", "2008-12-16")},
		{"Vietnamese, whole name in the family field", rec("a", "Văn Anh", "Lê", "2015-04-12"), rec("b", "", "Le Van Anh", "2015-04-12")},
		{"Greek passport spelling", rec("a", "Θεοδώρα", "Ντόκου", "2021-01-03"), rec("b", "Theodora", "Ntokou", "2021-01-03")},
		{"assimilated Arabic article", rec("a", "أحمد", "الزبيدي", "2024-02-10"), rec("b", "Ahmet", "Az-Zobaidi", "2024-02-10")},
		{"Fatimah", rec("a", "فاطمة", "حسن", "2016-06-06"), rec("b", "Fatimah", "Hassan", "2016-06-06")},
		{"document number with a typo", withDoc(rec("a", "Anna", "Smith", "2012-02-02"), "AB123456"), withDoc(rec("b", "Anna", "Smyth", "2012-02-02"), "AB123465")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, rules := score(t, rs, tc.a, tc.b)
			assert.GreaterOrEqual(t, s, rs.Threshold(), "rules %v", rules)
		})
	}
}

func withDocs(r match.Record, doc string) match.Record { r.DocumentNumber = doc; return r }

func TestDifferentChildrenDoNotMatch(t *testing.T) {
	rs := match.DefaultRules()
	family := func(r match.Record) match.Record {
		r.ParentNames = []string{"Iryna Kovalenko", "Petro Kovalenko"}
		r.BirthPlace = "Kharkiv"
		r.Address, r.Locality, r.Postcode = "12 Sumska", "Kharkiv", "61000"
		return r
	}
	tests := []struct {
		name string
		a, b match.Record
	}{
		{"twins", family(rec("a", "Oleksandr", "Kovalenko", "2011-03-04")), family(rec("b", "Mariia", "Kovalenko", "2011-03-04"))},
		{"twins, one spelled in Cyrillic", family(rec("a", "Олександр", "Коваленко", "2011-03-04")), family(rec("b", "Taras", "Kovalenko", "2011-03-04"))},
		{"siblings", family(rec("a", "Oleksandr", "Kovalenko", "2011-03-04")), family(rec("b", "Iryna", "Kovalenko", "2014-09-30"))},
		{"boy-girl twins Daniel and Daniela", family(rec("a", "Daniel", "Kovalenko", "2011-03-04")), family(rec("b", "Daniela", "Kovalenko", "2011-03-04"))},
		{"boy-girl twins Ivan and Ivana", family(rec("a", "Ivan", "Kovalenko", "2011-03-04")), family(rec("b", "Ivana", "Kovalenko", "2011-03-04"))},
		{"boy-girl twins Mario and Maria", family(rec("a", "Mario", "Rossi", "2011-03-04")), family(rec("b", "Maria", "Rossi", "2011-03-04"))},
		{"Vietnamese siblings share the middle name Văn", rec("a", "Văn Phong", "Nguyễn", "2019-09-18"), rec("b", "Văn Anh", "Nguyễn", "2019-09-18")},
		{"twins with consecutive passport numbers", withDocs(family(rec("a", "Olena", "Kovalenko", "2012-05-07")), "FE1234567"), withDocs(family(rec("b", "Mykola", "Kovalenko", "2012-05-07")), "FE1234568")},
		{"twins, name in one field", family(rec("a", "Kovalenko Taras", "", "2011-03-04")), family(rec("b", "Kovalenko Mariia", "", "2011-03-04"))},
		{"namesakes, same year", rec("a", "Thomas", "Campbell", "1964-01-05"), rec("b", "Thomas", "Campbell", "1964-01-29")},
		{"namesakes, swapped fields, same year", rec("a", "Matthew", "Ryan", "1951-09-05"), rec("b", "Ryan", "Matthew", "1951-04-17")},
		{"same birthday, different names", rec("a", "Amina", "Yusuf", "2014-05-09"), rec("b", "Hodan", "Warsame", "2014-05-09")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, rules := score(t, rs, tc.a, tc.b)
			assert.Less(t, s, rs.Threshold(), "rules %v", rules)
		})
	}
}

// TestScoresArePerPair checks that keys shared with two different peer
// records never add up: one twin's key and the other twin's key stay two
// weak pairs, not one strong one.
func TestScoresArePerPair(t *testing.T) {
	rs := match.DefaultRules()
	r := rec("a", "Oleksandr", "Kovalenko", "2011")
	r.DocumentNumber = "UA998877"
	ix := match.NewIndex([]match.Record{r}, rs)
	rules := rs.Rules()
	keyOf := func(rule string) int {
		for k, ri := range ix.KeyRule {
			if rules[ri].Name == rule {
				return k
			}
		}
		t.Fatalf("no key for rule %s", rule)
		return -1
	}
	hits := []match.KeyHit{
		{Key: keyOf("name+year"), Peers: []match.PeerRecord{{Pseudonym: 1}}},
		{Key: keyOf("first-names+year"), Peers: []match.PeerRecord{{Pseudonym: 2}}},
	}
	assert.Empty(t, ix.Link(hits, rs.Threshold()), "0.7 and 0.5 from two different peer records must not combine")
	hits[1].Peers = []match.PeerRecord{{Pseudonym: 1}}
	links := ix.Link(hits, 0.1)
	require.Len(t, links, 1)
	assert.Equal(t, uint32(1), links[0].Peer)
	assert.InDelta(t, 0.85, links[0].Score, 1e-9)
	assert.Equal(t, []string{"name+year", "first-names+year"}, links[0].Rules)
}

func TestKeyCapAndDuplicates(t *testing.T) {
	rs := match.DefaultRules()
	r := rec("a", "Oleksandr", "Kovalenko", "2011-03-04")
	for i := range 40 {
		r.Aliases = append(r.Aliases, fmt.Sprintf("Alias%c Name%c", 'a'+i%26, 'a'+i/26))
	}
	keys, truncated := rs.Keys(&r)
	assert.Len(t, keys, match.DefaultMaxKeysPerRecord)
	assert.Positive(t, truncated)
	seen := map[[32]byte]bool{}
	for _, k := range keys {
		assert.False(t, seen[k.Value], "duplicate key")
		seen[k.Value] = true
	}
	// The primary name's strongest keys survive the cap.
	assert.Equal(t, "document", rs.Rules()[0].Name)
	empty := match.Record{ID: "x", Sex: match.SexFemale}
	keys, _ = rs.Keys(&empty)
	assert.Empty(t, keys)
	ix := match.NewIndex([]match.Record{empty, r}, rs)
	assert.Equal(t, []int{0}, ix.NoKeys)
	assert.Positive(t, ix.Truncated)
}

func TestSharedKeysAreOneElement(t *testing.T) {
	rs := match.DefaultRules()
	twinA := rec("1", "Oleksandr", "Kovalenko", "2011-03-04")
	dup := rec("2", "Oleksandr", "Kovalenko", "2011-03-04")
	ix := match.NewIndex([]match.Record{twinA, dup}, rs)
	for k := range ix.Keys {
		assert.Equal(t, []int32{0, 1}, ix.Owners[k])
	}
}

func TestNewRuleSetValidation(t *testing.T) {
	ok := []match.Rule{{Name: "r", Weight: 0.9, Fields: []match.Field{match.FieldGiven, match.FieldDate}}}
	tests := []struct {
		name  string
		rules []match.Rule
		thr   float64
	}{
		{"no given-name signal", []match.Rule{{Name: "family+date", Weight: 0.9, Fields: []match.Field{match.FieldDate, match.FieldParents}}}, 0.8},
		{"unknown field", []match.Rule{{Name: "x", Weight: 0.9, Fields: []match.Field{"shoe-size", match.FieldGiven}}}, 0.8},
		{"weight 1", []match.Rule{{Name: "x", Weight: 1, Fields: []match.Field{match.FieldGiven}}}, 0.8},
		{"no fields", []match.Rule{{Name: "x", Weight: 0.5}}, 0.8},
		{"duplicate names", append(ok, ok...), 0.8},
		{"threshold 0", ok, 0},
		{"no rules", nil, 0.8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := match.NewRuleSet("custom", tc.rules, tc.thr, 0)
			assert.ErrorIs(t, err, match.ErrRuleSet)
		})
	}
	a, err := match.NewRuleSet("custom", ok, 0.8, 0)
	require.NoError(t, err)
	b, err := match.NewRuleSet("custom", []match.Rule{{Name: "r", Weight: 0.8, Fields: ok[0].Fields}}, 0.8, 0)
	require.NoError(t, err)
	assert.NotEqual(t, a.ID(), b.ID(), "a changed weight changes the ID")
	c, err := match.NewRuleSet("custom", ok, 0.9, 0)
	require.NoError(t, err)
	assert.Equal(t, a.ID(), c.ID(), "the threshold is local policy, not part of the ID")
	assert.LessOrEqual(t, len(match.DefaultRules().ID()), 64, "fits a psi context")
}

type goldenFile struct {
	RuleSetID string              `json:"rule_set_id"`
	Records   map[string][]string `json:"records"` // record ID → "rule:hexkey"
}

// TestGoldenKeys pins the keys of the fixture records. Any change to
// normalization or rules that changes a key must also change the rule-set
// ID (so parties on different versions refuse each other instead of
// silently matching nothing); regenerate with -update after checking that.
func TestGoldenKeys(t *testing.T) {
	rs := match.DefaultRules()
	var records []match.Record
	for _, f := range []string{"../testdata/agency-a.csv", "../testdata/agency-b.csv"} {
		rr, _, err := match.ReadFile(f, match.ReadOptions{})
		require.NoError(t, err)
		records = append(records, rr...)
	}
	got := goldenFile{RuleSetID: rs.ID(), Records: map[string][]string{}}
	for i := range records {
		keys, _ := rs.Keys(&records[i])
		for _, k := range keys {
			got.Records[records[i].ID] = append(got.Records[records[i].ID], rs.Rules()[k.Rule].Name+":"+hex.EncodeToString(k.Value[:]))
		}
	}
	const path = "testdata/keys-golden.json"
	if *updateGolden {
		raw, err := json.MarshalIndent(got, "", " ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, append(raw, '\n'), 0o644))
	}
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var want goldenFile
	require.NoError(t, json.Unmarshal(raw, &want))
	require.Len(t, want.Records, 16)
	if want.RuleSetID == got.RuleSetID {
		assert.Equal(t, want.Records, got.Records, "keys changed but the rule-set ID did not: bump NormalizationVersion or the rule set's name")
	} else {
		t.Errorf("rule-set ID changed from %s to %s: if intended, run go test ./match -run TestGoldenKeys -update", want.RuleSetID, got.RuleSetID)
	}
}

func BenchmarkKeys(b *testing.B) {
	rs := match.DefaultRules()
	r := rec("a", "Олександр Петрович", "Коваленко", "2011-03-04")
	r.BirthPlace = "Харків"
	r.ParentNames = []string{"Ірина Коваленко", "Петро Коваленко"}
	r.DocumentNumber = "FA123456"
	b.ReportAllocs()
	for b.Loop() {
		_, _ = rs.Keys(&r)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkKeysFEBRL derives keys for the FEBRL4 records (Latin script,
// addresses and document numbers) when the data set is present.
func BenchmarkKeysFEBRL(b *testing.B) {
	records, _, err := match.ReadFile("../../shared/data/febrl4/a.csv", match.ReadOptions{Lenient: true})
	if err != nil {
		b.Skip("FEBRL4 data not present:", err)
	}
	rs := match.DefaultRules()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, _ = rs.Keys(&records[i%len(records)])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
