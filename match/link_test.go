package match_test

import (
	"slices"
	"testing"

	"github.com/reunite-psi/reunite/internal/synth"
	"github.com/reunite-psi/reunite/match"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLinkage links a synthetic pair of files end to end, with a plain
// intersection standing in for PSI, and checks the quality bench/ reports
// in full: high precision, most true pairs found, and no twin or sibling
// linked.
func TestLinkage(t *testing.T) {
	d := synth.Generate(synth.DefaultConfig(11, 600))
	rs := match.DefaultRules()
	ia, ib := match.NewIndex(d.A, rs), match.NewIndex(d.B, rs)
	pa, pb := make([]uint32, len(d.A)), make([]uint32, len(d.B))
	for i := range pa {
		pa[i] = uint32(i)
	}
	for i := range pb {
		pb[i] = uint32(1<<20 + i)
	}
	truth, kin := map[[2]string]bool{}, map[[2]string]string{}
	for _, p := range d.Truth {
		truth[[2]string{p.AID, p.BID}] = true
	}
	for _, c := range d.Confounders {
		kin[[2]string{c.AID, c.BID}] = c.Kind
	}
	tp, linked := 0, 0
	for _, l := range ia.Link(match.PlainHits(ia, ib, pb), ib.Statistics(), pa, rs.Threshold()) {
		if l.Alternative {
			continue
		}
		linked++
		pair := [2]string{d.A[l.Record].ID, d.B[l.Peer-1<<20].ID}
		if truth[pair] {
			tp++
		}
		kind := kin[pair]
		assert.NotContains(t, []string{synth.KindTwin, synth.KindSibling}, kind, "%v linked: %v", pair, l.Evidence)
	}
	require.Positive(t, linked)
	precision, recall := float64(tp)/float64(linked), float64(tp)/float64(len(truth))
	assert.GreaterOrEqual(t, precision, 0.98)
	assert.GreaterOrEqual(t, recall, 0.85)
}

// BenchmarkNewIndex indexes the FEBRL4 file as Match does: keys, spelling
// correction, statistics and the index of distinct keys.
func BenchmarkNewIndex(b *testing.B) {
	records, _, err := match.ReadFile("../../shared/data/febrl4/a.csv", match.ReadOptions{})
	if err != nil {
		b.Skip("FEBRL4 not found:", err)
	}
	rs := match.DefaultRules()
	b.ReportAllocs()
	for b.Loop() {
		_ = match.NewIndex(records, rs)
	}
	b.ReportMetric(float64(b.N*len(records))/b.Elapsed().Seconds(), "records/s")
}

// TestLinkResolvesTiesAlikeInEverySession checks that one-to-one
// resolution picks the same pair of two equally probable ones whatever
// pseudonyms the session drew: an audit that reruns a session gets its
// links back. Here a record with nothing but names meets two peer records
// with those names and different other fields, which it cannot weigh, so
// both pairs score alike: the pair's shared keys and the two records'
// fields order them, and only pairs that agree in both are left to the
// pseudonyms.
func TestLinkResolvesTiesAlikeInEverySession(t *testing.T) {
	rs := match.DefaultRules()
	a := []match.Record{{ID: "a", GivenNames: "John", FamilyNames: "Davies"}}
	b := []match.Record{
		{ID: "b1", GivenNames: "John", FamilyNames: "Davies", Sex: match.SexMale, Postcode: "OX15 0XD"},
		{ID: "b2", GivenNames: "John", FamilyNames: "Davies", BirthPlace: "Kendal"},
	}
	ia, ib := match.NewIndex(a, rs), match.NewIndex(b, rs)
	winner := func(pa, pb []uint32) string {
		links := ia.Link(match.PlainHits(ia, ib, pb), ib.Statistics(), pa, 0)
		require.Len(t, links, 2)
		require.Equal(t, links[0].Score, links[1].Score, "the test needs a tie")
		for _, l := range links {
			assert.True(t, l.Tied, "both tied pairs are marked, the kept one and the alternative")
		}
		for _, l := range links {
			if !l.Alternative {
				return b[slices.Index(pb, l.Peer)].ID
			}
		}
		return ""
	}
	// The peer, linking from its side, keeps the same pair.
	peerWinner := func(pa, pb []uint32) string {
		for _, l := range ib.Link(match.PlainHits(ib, ia, pa), ia.Statistics(), pb, 0) {
			if !l.Alternative {
				return b[l.Record].ID
			}
		}
		return ""
	}
	first := winner([]uint32{5}, []uint32{1, 2})
	require.NotEmpty(t, first)
	for _, pseudonyms := range [][2][]uint32{{{5}, {1, 2}}, {{5}, {2, 1}}, {{1}, {7, 3}}, {{9}, {3, 7}}} {
		assert.Equal(t, first, winner(pseudonyms[0], pseudonyms[1]), "pseudonyms %v", pseudonyms)
		assert.Equal(t, first, peerWinner(pseudonyms[0], pseudonyms[1]), "the peer's side, pseudonyms %v", pseudonyms)
	}
}

// TestLinkMarksTiesOnly checks that Tied marks pairs the evidence could not
// choose between, on both sides, and no pair that won or lost on its
// score.
func TestLinkMarksTiesOnly(t *testing.T) {
	rs := match.DefaultRules()
	date := func(s string) match.Date {
		d, err := match.ParseDate(s)
		require.NoError(t, err)
		return d
	}
	tests := []struct {
		name string
		a, b []match.Record
		tied int // links marked Tied on each side
	}{
		{
			name: "two copies of one record in the peer's file",
			a:    []match.Record{{ID: "a", GivenNames: "Amina", FamilyNames: "Warsame", BirthDate: date("2012-03-04"), Sex: match.SexFemale}},
			b: []match.Record{
				{ID: "b1", GivenNames: "Amina", FamilyNames: "Warsame", BirthDate: date("2012-03-04"), Sex: match.SexFemale},
				{ID: "b2", GivenNames: "Amina", FamilyNames: "Warsame", BirthDate: date("2012-03-04"), Sex: match.SexFemale},
			},
			tied: 2,
		},
		{
			name: "a better and a worse candidate",
			a:    []match.Record{{ID: "a", GivenNames: "Amina", FamilyNames: "Warsame", BirthDate: date("2012-03-04"), Sex: match.SexFemale}},
			b: []match.Record{
				{ID: "b1", GivenNames: "Amina", FamilyNames: "Warsame", BirthDate: date("2012-03-04"), Sex: match.SexFemale},
				{ID: "b2", GivenNames: "Amina", FamilyNames: "Warsame", BirthDate: date("2012"), Sex: match.SexFemale},
			},
			tied: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ia, ib := match.NewIndex(tt.a, rs), match.NewIndex(tt.b, rs)
			pa, pb := []uint32{7}, []uint32{3, 11}
			for side, links := range [][]match.Link{
				ia.Link(match.PlainHits(ia, ib, pb), ib.Statistics(), pa, 0),
				ib.Link(match.PlainHits(ib, ia, pa), ia.Statistics(), pb, 0),
			} {
				require.Len(t, links, 2, "side %d", side)
				tied, alternatives := 0, 0
				for _, l := range links {
					if l.Tied {
						tied++
					}
					if l.Alternative {
						alternatives++
					}
				}
				assert.Equal(t, tt.tied, tied, "side %d: %+v", side, links)
				assert.Equal(t, 1, alternatives, "side %d", side)
				if tt.tied == 0 {
					assert.NotEqual(t, links[0].Score, links[1].Score, "side %d", side)
				}
			}
		})
	}
}
