// Package inprocess plays both agencies of a session in one process, for
// evaluation, demos, benchmarks and tests, where one operator legitimately
// holds both files. In production each agency runs reunite.Match on its
// own machine and sees only its own side; nothing here belongs in that
// path, which is why it is internal.
package inprocess

import (
	"context"
	"fmt"
	"net"
	"sync"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
)

// Pair is a pair of records, one per agency, that both sides of a session
// reported under one handle.
type Pair struct {
	A, B             string // the records' IDs
	ARecord, BRecord int    // the records' indices in the inputs
	Score            float64
	Evidence         []string
	Handle           psi.Handle
}

// Link runs reunite.Match for a (as initiator, agency A) and b (as
// responder, agency B) over an in-memory connection, through the real
// protocol, and joins the two sides' hits on their shared handles.
//
// cfg applies to both sides; its Role is ignored. A pair is returned only
// when both sides report it as a hit; alternatives (lower-ranked pairs) are
// in resA.Alternatives and resB.Alternatives (Join pairs them up).
func Link(ctx context.Context, a, b []match.Record, cfg reunite.MatchConfig) (pairs []Pair, resA, resB *reunite.MatchResult, err error) {
	connA, connB := net.Pipe()
	defer connA.Close()
	defer connB.Close()
	return LinkConns(ctx, connA, connB, a, b, cfg)
}

// LinkConns is Link over the two ends of a connection the caller made
// (one that counts bytes, say): agency A speaks on connA and agency B on
// connB. A side that fails closes its end, so that the other is not left
// blocked.
func LinkConns(ctx context.Context, connA, connB net.Conn, a, b []match.Record, cfg reunite.MatchConfig) (pairs []Pair, resA, resB *reunite.MatchResult, err error) {
	cfgA, cfgB := cfg, cfg
	cfgA.Role, cfgB.Role = psi.RoleInitiator, psi.RoleResponder
	if cfg.Peer == "" {
		cfgA.Peer, cfgB.Peer = "agency B", "agency A"
	}
	var errB error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		resB, errB = reunite.Match(ctx, connB, b, cfgB)
		if errB != nil {
			connB.Close()
		}
	}()
	resA, errA := reunite.Match(ctx, connA, a, cfgA)
	if errA != nil {
		connA.Close()
	}
	wg.Wait()
	if errA != nil {
		return nil, resA, resB, fmt.Errorf("agency A: %w", errA)
	}
	if errB != nil {
		return nil, resA, resB, fmt.Errorf("agency B: %w", errB)
	}
	return Join(resA.Hits, resB.Hits), resA, resB, nil
}

// Join pairs agency A's hits with agency B's that carry the same handle,
// in the order of A's hits; hits without a counterpart are left out. Pass
// both sides' Hits, or both sides' Alternatives.
func Join(a, b []reunite.Hit) []Pair {
	byHandle := make(map[psi.Handle]reunite.Hit, len(b))
	for _, h := range b {
		byHandle[h.Handle] = h
	}
	var pairs []Pair
	for _, h := range a {
		if hb, ok := byHandle[h.Handle]; ok {
			pairs = append(pairs, Pair{
				A: h.RecordID, B: hb.RecordID, ARecord: h.Record, BRecord: hb.Record,
				Score: h.Score, Evidence: h.Evidence, Handle: h.Handle,
			})
		}
	}
	return pairs
}
