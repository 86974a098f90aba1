package reunite_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/internal/synth"
	"github.com/reunite-psi/reunite/psi"
)

// pairsOf returns the linked record pairs of a both-learn session, from
// both sides, keyed by (A's record, B's record) with the score.
func pairsOf(t *testing.T, ra, rb *reunite.MatchResult) map[[2]string]float64 {
	t.Helper()
	byHandle := map[psi.Handle]reunite.Hit{}
	for _, h := range rb.Hits {
		byHandle[h.Handle] = h
	}
	out := map[[2]string]float64{}
	for _, h := range ra.Hits {
		hb, ok := byHandle[h.Handle]
		require.True(t, ok, "A's hit %s has no counterpart on B's side", h.RecordID)
		assert.Equal(t, h.Score, hb.Score)
		assert.Equal(t, h.Evidence, hb.Evidence)
		out[[2]string{h.RecordID, hb.RecordID}] = h.Score
	}
	assert.Len(t, rb.Hits, len(ra.Hits))
	return out
}

// TestMatchSuites runs Match on a synthetic pair of files large enough for
// the fast suite: by default suite 1 runs; with SuiteAuto on both sides the
// fast suite is chosen, and it links exactly the pairs suite 1 links with
// the same scores; with SuiteAuto on one side only, suite 1; forcing
// either suite works, as does refusing a peer that lacks the forced one.
func TestMatchSuites(t *testing.T) {
	d := synth.Generate(synth.DefaultConfig(5, 60))
	cfg := func(role psi.Role, suite psi.Suite) reunite.MatchConfig {
		return reunite.MatchConfig{Role: role, Suite: suite, MaxKeys: psi.MaxSetSizeLimit}
	}
	run := func(sa, sb psi.Suite) (map[[2]string]float64, *reunite.MatchResult, *reunite.MatchResult) {
		ra, rb, errA, errB := matchBoth(t, d.A, d.B, cfg(psi.RoleInitiator, sa), cfg(psi.RoleResponder, sb))
		require.NoError(t, errA)
		require.NoError(t, errB)
		return pairsOf(t, ra, rb), ra, rb
	}
	slow, ra, rb := run(0, 0)
	require.GreaterOrEqual(t, ra.Audit.LocalKeys+ra.Audit.PeerKeys, psi.FastSuiteMinElements, "the files must be large enough")
	assert.Equal(t, "ecdh-ristretto255", ra.Audit.Suite, "the default is the suite with evaluation proofs")
	assert.Equal(t, "ecdh-ristretto255", rb.Audit.Suite)
	require.NotEmpty(t, slow)
	for _, sides := range [][2]psi.Suite{{reunite.SuiteAuto, 0}, {0, reunite.SuiteAuto}, {psi.SuiteECDHRistretto255, reunite.SuiteAuto}} {
		pairs, ra, _ := run(sides[0], sides[1])
		assert.Equal(t, "ecdh-ristretto255", ra.Audit.Suite, "%v: only one side offers the fast suite", sides)
		assert.Equal(t, slow, pairs)
	}

	fast, ra, rb := run(reunite.SuiteAuto, reunite.SuiteAuto)
	assert.Equal(t, "ot-extension", ra.Audit.Suite)
	assert.Equal(t, "ot-extension", rb.Audit.Suite)
	assert.Equal(t, slow, fast, "both suites link the same pairs with the same scores")
	assert.Equal(t, ra.Audit.KeyHits, rb.Audit.KeyHits)
	assert.True(t, rb.Audit.LowerBound)

	forced, ra, _ := run(psi.SuiteOTExtension, psi.SuiteOTExtension)
	assert.Equal(t, "ot-extension", ra.Audit.Suite)
	assert.Equal(t, slow, forced)

	ra, rb, errA, errB := matchBoth(t, d.A, d.B, cfg(psi.RoleInitiator, psi.SuiteOTExtension), cfg(psi.RoleResponder, psi.SuiteECDHRistretto255))
	require.ErrorIs(t, errA, psi.ErrUnsupported)
	require.ErrorIs(t, errB, psi.ErrUnsupported)
	assert.Empty(t, ra.Hits)
	assert.Empty(t, rb.Audit.Suite)
}

// TestMatchSmallFilesUseSuite1: below psi.FastSuiteMinElements keys
// SuiteAuto stays with suite 1 and its evaluation proofs. Half of each demo
// file keeps the two sets below it whatever a rule set's key count.
func TestMatchSmallFilesUseSuite1(t *testing.T) {
	a := readRecords(t, "testdata/agency-a.csv")
	b := readRecords(t, "testdata/agency-b.csv")
	a, b = a[:len(a)/2], b[:len(b)/2]
	ra, rb, errA, errB := matchBoth(t, a, b,
		reunite.MatchConfig{Role: psi.RoleInitiator, Suite: reunite.SuiteAuto}, reunite.MatchConfig{Role: psi.RoleResponder, Suite: reunite.SuiteAuto})
	require.NoError(t, errA)
	require.NoError(t, errB)
	require.Less(t, ra.Audit.LocalKeys+ra.Audit.PeerKeys, psi.FastSuiteMinElements)
	assert.Equal(t, "ecdh-ristretto255", ra.Audit.Suite)
	assert.Equal(t, "ecdh-ristretto255", rb.Audit.Suite)
}

// TestMatchSuiteConfig: an unknown suite is a configuration error, and a
// file exchange cannot run the fast suite.
func TestMatchSuiteConfig(t *testing.T) {
	a := readRecords(t, "testdata/agency-a.csv")
	ca, _ := tcpPair(t)
	ra, err := reunite.Match(context.Background(), ca, a, reunite.MatchConfig{Role: psi.RoleInitiator, Suite: 7})
	require.ErrorIs(t, err, reunite.ErrMatchConfig)
	assert.NotEqual(t, "ok", ra.Audit.Outcome)

	fa, _ := fileParties(t)
	fa.cfg.Suite = psi.SuiteOTExtension
	_, err = reunite.StartFileExchange(fa.records, fa.cfg)
	require.ErrorIs(t, err, reunite.ErrMatchConfig)
	fa.cfg.Suite = reunite.SuiteAuto
	_, err = reunite.StartFileExchange(fa.records, fa.cfg)
	require.ErrorIs(t, err, reunite.ErrMatchConfig)
	assert.Contains(t, err.Error(), "SuiteAuto", "the error names the setting the caller wrote")
	fa.cfg.Suite = psi.SuiteECDHRistretto255
	_, err = reunite.StartFileExchange(fa.records, fa.cfg)
	require.NoError(t, err)
}
