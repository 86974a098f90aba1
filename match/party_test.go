package match_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/internal/synth"
	"github.com/reunite-psi/reunite/match"
)

// shareInTheClear intersects two parties' sets as PSI would privately and
// returns what each side learns: its shared elements with the peer's
// payloads.
func shareInTheClear(a, b *match.Party) (forA, forB []match.SharedElement) {
	pos := map[string]int{}
	for j, e := range b.Elements {
		pos[string(e)] = j
	}
	for i, e := range a.Elements {
		if j, ok := pos[string(e)]; ok {
			forA = append(forA, match.SharedElement{Index: i, PeerPayload: b.Payloads[j]})
			forB = append(forB, match.SharedElement{Index: j, PeerPayload: a.Payloads[i]})
		}
	}
	return forA, forB
}

func pseudonyms(from uint32, n int) []uint32 {
	out := make([]uint32, n)
	for i := range out {
		out[i] = from + uint32(i)*7
	}
	return out
}

// TestPartiesLinkAlike runs the record-pseudonym protocol between two
// parties with a plain intersection standing in for PSI: both sides find
// the same pairs with the same probabilities, and the pairs are the ones
// Index.Link finds from the same hits.
func TestPartiesLinkAlike(t *testing.T) {
	d := synth.Generate(synth.DefaultConfig(4, 200))
	rs := match.DefaultRules()
	a, err := match.NewParty(d.A, rs, pseudonyms(1000, len(d.A)))
	require.NoError(t, err)
	b, err := match.NewParty(d.B, rs, pseudonyms(5, len(d.B)))
	require.NoError(t, err)

	// The set: every key once, each with a payload of PayloadSize, and
	// the statistics element last.
	require.Len(t, a.Elements, len(a.Index().Keys)+1)
	require.Len(t, a.Payloads, len(a.Elements))
	assert.Equal(t, rs.StatisticsElement(), a.Elements[len(a.Elements)-1])
	for _, p := range a.Payloads[:len(a.Payloads)-1] {
		require.Len(t, p, match.PayloadSize)
	}

	forA, forB := shareInTheClear(a, b)
	la, lb := a.Link(forA, rs.Threshold()), b.Link(forB, rs.Threshold())
	assert.True(t, la.StatisticsShared)
	assert.Zero(t, la.BadPayloads)
	assert.Equal(t, la.CompetitionFactor, lb.CompetitionFactor, "both parties learn the same factor, to the last bit")
	assert.GreaterOrEqual(t, la.CompetitionFactor, 1.0/1024)
	assert.LessOrEqual(t, la.CompetitionFactor, 64.0)
	require.NotEmpty(t, la.Links)
	type pair struct {
		a, b  uint32
		score float64
		alt   bool
	}
	seen := map[pair]bool{}
	for _, l := range la.Links {
		seen[pair{a.Pseudonyms()[l.Record], l.Peer, l.Score, l.Alternative}] = true
	}
	require.Len(t, lb.Links, len(la.Links))
	for _, l := range lb.Links {
		assert.True(t, seen[pair{l.Peer, b.Pseudonyms()[l.Record], l.Score, l.Alternative}], "B's pair %v not found by A", l)
	}

	// Both sides compute one handle per pair, and no two pairs share one;
	// another session ID gives other handles.
	sid, other := [32]byte{1}, [32]byte{2}
	handles := map[[32]byte]pair{}
	for _, l := range la.Links {
		h := a.Handle(sid, l, true)
		require.NotContains(t, handles, h)
		handles[h] = pair{a.Pseudonyms()[l.Record], l.Peer, l.Score, l.Alternative}
		assert.NotEqual(t, h, a.Handle(other, l, true))
	}
	for _, l := range lb.Links {
		assert.Equal(t, pair{l.Peer, b.Pseudonyms()[l.Record], l.Score, l.Alternative}, handles[b.Handle(sid, l, false)])
	}
}

// TestNewPseudonyms checks that drawn pseudonyms are distinct, and that
// NewParty draws them when given none.
func TestNewPseudonyms(t *testing.T) {
	p, err := match.NewPseudonyms(100000)
	require.NoError(t, err)
	seen := make(map[uint32]bool, len(p))
	for _, v := range p {
		require.False(t, seen[v])
		seen[v] = true
	}
	recs := synth.Generate(synth.DefaultConfig(4, 20)).A
	party, err := match.NewParty(recs, match.DefaultRules(), nil)
	require.NoError(t, err)
	require.Len(t, party.Pseudonyms(), len(recs))

}

// TestPartyCountsBadPayloads checks that a malformed peer payload and a
// missing statistics element are counted, not errors, and name no record.
func TestPartyCountsBadPayloads(t *testing.T) {
	rs := match.DefaultRules()
	recs := []match.Record{rec("a", "Anna", "Kovalenko", "2011-03-04"), rec("b", "Taras", "Shevchenko", "2012-01-02")}
	a, err := match.NewParty(recs, rs, pseudonyms(1, len(recs)))
	require.NoError(t, err)
	b, err := match.NewParty(recs[:1], rs, pseudonyms(100, 1))
	require.NoError(t, err)
	forA, _ := shareInTheClear(a, b)
	require.NotEmpty(t, forA)
	var withoutStats []match.SharedElement
	for _, e := range forA {
		if e.Index != len(a.Elements)-1 {
			withoutStats = append(withoutStats, e)
		}
	}
	bad := append([]match.SharedElement{}, withoutStats...)
	bad[0].PeerPayload = bytes.Repeat([]byte{0xff}, match.PayloadSize)
	bad = append(bad, match.SharedElement{Index: len(a.Elements) + 5, PeerPayload: make([]byte, match.PayloadSize)})
	l := a.Link(bad, rs.Threshold())
	assert.False(t, l.StatisticsShared)
	assert.Equal(t, 3, l.BadPayloads, "one malformed payload, one element out of range, no statistics")
	for _, link := range l.Links {
		assert.Equal(t, uint32(100), link.Peer)
	}
}

func TestNewPartyRefusesBadPseudonyms(t *testing.T) {
	rs := match.DefaultRules()
	recs := []match.Record{rec("a", "Anna", "Kovalenko", "2011-03-04"), rec("b", "Taras", "Shevchenko", "2012-01-02")}
	_, err := match.NewParty(recs, rs, []uint32{1})
	require.ErrorIs(t, err, match.ErrPseudonyms)
	_, err = match.NewParty(recs, rs, []uint32{9, 9})
	require.ErrorIs(t, err, match.ErrPseudonyms)
}
