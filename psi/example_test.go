package psi_test

import (
	"fmt"

	"github.com/reunite-psi/reunite/psi"
)

// Sessions are state machines: a transport moves frames from one party's
// Send to the other's Receive. Here the "transport" is a loop, as a test or
// a file-exchange tool would drive it; psi.Run does the same over a
// connection.
func Example() {
	cfg := psi.Config{Role: psi.RoleInitiator, Context: []byte("example"), Mode: psi.InitiatorOnly}
	ini, _ := psi.NewSession(cfg, psi.Set{Elements: [][]byte{[]byte("k1"), []byte("k2"), []byte("k3")}})
	cfg.Role = cfg.Role.Peer()
	resp, _ := psi.NewSession(cfg, psi.Set{Elements: [][]byte{[]byte("k3"), []byte("k9")}})

	sender, receiver := ini, resp
	for sender.Turn() == psi.TurnSend {
		frame, err := sender.Send()
		if err != nil {
			fmt.Println(err)
			return
		}
		if err := receiver.Receive(frame); err != nil {
			fmt.Println(err)
			return
		}
		if sender.Turn() != psi.TurnSend { // the other side's turn to talk
			sender, receiver = receiver, sender
		}
	}

	ri, _ := ini.Result()
	rr, _ := resp.Result()
	fmt.Println("initiator learned:", ri.Learned, "matches at", ri.Matches[0].Index)
	fmt.Println("responder learned:", rr.Learned, "peer set size", rr.PeerSetSize)
	// Output:
	// initiator learned: true matches at 2
	// responder learned: false peer set size 3
}
