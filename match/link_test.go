package match_test

import (
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
