package psi_test

import (
	"context"
	"fmt"
	"net"

	"github.com/reunite-psi/reunite/psi"
)

// Both parties allow both suites; with sets this large the responder
// picks suite 2, the OT-extension suite (semi-honest only: see
// psi.SuiteOTExtension). Run drives each side over a connection.
func Example_fastSuite() {
	set := func(prefix string, n int) psi.Set {
		var s psi.Set
		for i := range n {
			s.Elements = append(s.Elements, fmt.Appendf(nil, "%s-%d", prefix, i))
		}
		return s
	}
	a, b := set("key", 3000), set("key", 1000) // b ⊂ a
	b.Elements = append(b.Elements, []byte("only-b"))

	suites := []psi.Suite{psi.SuiteOTExtension, psi.SuiteECDHRistretto255}
	cfg := psi.Config{Role: psi.RoleInitiator, Context: []byte("example"), Mode: psi.BothLearn, Suites: suites}
	ini, _ := psi.NewSession(cfg, a)
	cfg.Role = psi.RoleResponder
	resp, _ := psi.NewSession(cfg, b)

	c1, c2 := net.Pipe()
	defer c1.Close()
	defer c2.Close()
	done := make(chan *psi.Result)
	go func() {
		r, _ := psi.Run(context.Background(), c2, resp, nil)
		done <- r
	}()
	ri, err := psi.Run(context.Background(), c1, ini, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	rr := <-done
	fmt.Println("suite:", ri.Suite)
	fmt.Println("initiator matches:", len(ri.Matches), "responder matches:", len(rr.Matches))
	fmt.Println("same handle for key-0:", ri.Matches[0].Handle == rr.Matches[0].Handle)
	// Output:
	// suite: ot-extension
	// initiator matches: 1000 responder matches: 1000
	// same handle for key-0: true
}
