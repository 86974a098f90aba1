package inprocess

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/internal/synth"
	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
)

// TestLinkFindsTruePairs runs both agencies on a small synthetic data set:
// every pair Link reports is one both sides reported under one handle, as
// records of the inputs, and most are true pairs.
func TestLinkFindsTruePairs(t *testing.T) {
	d := synth.Generate(synth.DefaultConfig(3, 60))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pairs, resA, resB, err := Link(ctx, d.A, d.B, reunite.MatchConfig{})
	require.NoError(t, err)
	require.NotEmpty(t, pairs)
	assert.Len(t, resB.Hits, len(resA.Hits), "both sides report the same pairs")

	truth := map[[2]string]bool{}
	for _, p := range d.Truth {
		truth[[2]string{p.AID, p.BID}] = true
	}
	right := 0
	for _, p := range pairs {
		assert.Equal(t, d.A[p.ARecord].ID, p.A)
		assert.Equal(t, d.B[p.BRecord].ID, p.B)
		assert.GreaterOrEqual(t, p.Score, match.DefaultThreshold)
		if truth[[2]string{p.A, p.B}] {
			right++
		}
	}
	assert.Greater(t, right, len(pairs)*9/10, "most reported pairs are true pairs")
}

// TestJoinPairsByHandle checks that Join keeps only hits both sides hold,
// in A's order.
func TestJoinPairsByHandle(t *testing.T) {
	h1, h2, h3 := psi.Handle{1}, psi.Handle{2}, psi.Handle{3}
	a := []reunite.Hit{{RecordID: "a1", Handle: h1}, {RecordID: "a2", Handle: h2}, {RecordID: "a3", Handle: h3}}
	b := []reunite.Hit{{RecordID: "b3", Record: 7, Handle: h3}, {RecordID: "b1", Record: 4, Handle: h1}}
	got := Join(a, b)
	require.Len(t, got, 2)
	assert.Equal(t, Pair{A: "a1", B: "b1", BRecord: 4, Handle: h1}, got[0])
	assert.Equal(t, Pair{A: "a3", B: "b3", BRecord: 7, Handle: h3}, got[1])
	assert.Empty(t, Join(a, nil))
}

// TestLinkConnsFailureUnblocksPeer checks that a side that fails closes
// its end, so that Link returns an error instead of hanging: agency B's
// records are invalid (a duplicate ID), so B fails before speaking.
func TestLinkConnsFailureUnblocksPeer(t *testing.T) {
	d := synth.Generate(synth.DefaultConfig(3, 10))
	b := append([]match.Record{}, d.B...)
	b[1].ID = b[0].ID
	connA, connB := net.Pipe()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, _, resB, err := LinkConns(ctx, connA, connB, d.A, b, reunite.MatchConfig{})
	require.Error(t, err, "A reports the connection B closed")
	assert.NoError(t, ctx.Err(), "Link must not wait for the deadline")
	require.NotNil(t, resB)
	assert.NotEqual(t, "ok", resB.Audit.Outcome, "B's audit record says it failed")
}
