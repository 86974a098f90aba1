package reunite

import (
	"context"
	"fmt"
	"net"
	"sync"

	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
)

// LinkedPair is a pair of records, one per agency, that a session linked.
type LinkedPair struct {
	A, B             string // the records' IDs
	ARecord, BRecord int    // the records' indices in the inputs
	Score            float64
	Rules            []string
	Handle           psi.Handle
}

// LinkInProcess plays both agencies in this process: it runs Match for a
// (as initiator) and b (as responder) over an in-memory connection, through
// the real protocol, and joins the two sides' hits on their shared handles.
//
// It is for evaluation, demos and tests, where one operator legitimately
// holds both files. In production each agency runs Match on its own
// machine and sees only its own side.
//
// cfg applies to both sides; its Role is ignored. A pair is returned only
// when both sides report it as a hit; alternatives (lower-ranked pairs) are
// in resA.Alternatives and resB.Alternatives.
func LinkInProcess(ctx context.Context, a, b []match.Record, cfg MatchConfig) (pairs []LinkedPair, resA, resB *MatchResult, err error) {
	connA, connB := net.Pipe()
	defer connA.Close()
	defer connB.Close()
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
		resB, errB = Match(ctx, connB, b, cfgB)
		if errB != nil {
			connB.Close() // a failed side must not leave the other blocked
		}
	}()
	resA, errA := Match(ctx, connA, a, cfgA)
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
	byHandle := make(map[psi.Handle]Hit, len(resB.Hits))
	for _, h := range resB.Hits {
		byHandle[h.Handle] = h
	}
	for _, h := range resA.Hits {
		if hb, ok := byHandle[h.Handle]; ok {
			pairs = append(pairs, LinkedPair{
				A: h.RecordID, B: hb.RecordID, ARecord: h.Record, BRecord: hb.Record,
				Score: h.Score, Rules: h.Rules, Handle: h.Handle,
			})
		}
	}
	return pairs, resA, resB, nil
}
