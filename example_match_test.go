package reunite_test

import (
	"context"
	"fmt"
	"net"
	"slices"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
)

// Two agencies match their records over an in-memory connection, one
// Match call each (over a network, MatchTLS with pinned certificates).
// Each learns which of its own records match one of the other's, with a
// match probability, the evidence and a handle both share. Of the other's
// records that share no match key with its own, each learns nothing but
// their number, within the other's record count, key-set size and
// file-wide statistics (SECURITY.md, "What each party learns").
func ExampleMatch() {
	recordsA, _, err := match.ReadFile("testdata/agency-a.csv", match.ReadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	recordsB, _, err := match.ReadFile("testdata/agency-b.csv", match.ReadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	connA, connB := net.Pipe()
	defer connA.Close()
	defer connB.Close()
	done := make(chan *reunite.MatchResult, 1)
	go func() {
		res, err := reunite.Match(context.Background(), connB, recordsB, reunite.MatchConfig{Role: psi.RoleResponder, Peer: "agency A"})
		if err != nil {
			fmt.Println("B:", err)
		}
		done <- res
	}()
	resA, err := reunite.Match(context.Background(), connA, recordsA, reunite.MatchConfig{Role: psi.RoleInitiator, Peer: "agency B"})
	if err != nil {
		fmt.Println("A:", err)
		return
	}
	resB := <-done

	handlesB := map[psi.Handle]string{}
	for _, h := range resB.Hits {
		handlesB[h.Handle] = h.RecordID
	}
	for _, h := range resA.Hits {
		// h.Score is the probability both compute, h.Evidence the evidence.
		how := ""
		if slices.Contains(h.Evidence, "via=alias") {
			how = ", through an alias (a false identity)"
		}
		fmt.Printf("A's %s is B's %s%s\n", h.RecordID, handlesB[h.Handle], how)
	}
	fmt.Println("outcomes:", resA.Audit.Outcome, resB.Audit.Outcome)
	// Output:
	// A's A-001 is B's B-101
	// A's A-003 is B's B-103
	// A's A-004 is B's B-104
	// A's A-005 is B's B-105
	// A's A-006 is B's B-106
	// A's A-007 is B's B-107, through an alias (a false identity)
	// outcomes: ok ok
}
