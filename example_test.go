package reunite_test

import (
	"context"
	"fmt"
	"net"

	"github.com/reunite-psi/reunite/psi"
)

// Two parties learn which elements they share over an in-memory
// connection, one psi.Session each driven by psi.Run (Match does this for
// records). Each learns only its own matching elements and the size of the
// other's set.
func Example_psiRun() {
	cfg := psi.Config{Role: psi.RoleInitiator, Context: []byte("example-rules-v1"), Mode: psi.BothLearn}
	ini, _ := psi.NewSession(cfg, psi.Set{Elements: [][]byte{[]byte("alice"), []byte("bob"), []byte("carol")}})
	cfg.Role = cfg.Role.Peer()
	resp, _ := psi.NewSession(cfg, psi.Set{Elements: [][]byte{[]byte("carol"), []byte("dave"), []byte("alice")}})

	connA, connB := net.Pipe()
	defer connA.Close()
	defer connB.Close()
	done := make(chan *psi.Result)
	go func() {
		r, err := psi.Run(context.Background(), connB, resp, nil)
		if err != nil {
			fmt.Println("responder:", err)
		}
		done <- r
	}()
	ra, err := psi.Run(context.Background(), connA, ini, nil)
	if err != nil {
		fmt.Println("initiator:", err)
		return
	}
	rb := <-done

	for _, m := range ra.Matches {
		fmt.Println("initiator's element", m.Index, "is shared")
	}
	for _, m := range rb.Matches {
		fmt.Println("responder's element", m.Index, "is shared")
	}
	fmt.Println("same handle on both sides:", ra.Matches[0].Handle == rb.Matches[1].Handle)
	// Output:
	// initiator's element 0 is shared
	// initiator's element 2 is shared
	// responder's element 0 is shared
	// responder's element 2 is shared
	// same handle on both sides: true
}
