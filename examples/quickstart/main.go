// Command quickstart runs one private set intersection between two
// agencies in this process, over a real loopback TCP connection, and prints
// what each learned.
//
//	go run ./examples/quickstart
//
// Each agency holds a few match keys (here, plain strings standing in for
// the keys package match derives from child records) and a small payload
// per key: its own case reference, which the other agency can read only
// for keys both hold. Neither agency learns anything about the other's
// non-matching keys beyond how many there are.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/psi"
)

type agency struct {
	name  string
	keys  []string
	cases []string // case reference per key, sent sealed to the peer
}

var (
	agencyA = agency{"Agency A (missing-children unit)",
		[]string{"oleksandr|kovalenko|2011-03-04", "maria|ionescu|2009-11-20", "amina|yusuf|2012-07-01", "li|wei|2010-10-10"},
		[]string{"A-2023-0117", "A-2024-0042", "A-2024-0311", "A-2025-0009"}}
	agencyB = agency{"Agency B (anti-trafficking police)",
		[]string{"amina|yusuf|2012-07-01", "jonas|berg|2008-02-29", "oleksandr|kovalenko|2011-03-04"},
		[]string{"B/77/2024", "B/12/2025", "B/03/2025"}}
)

// payloadSize fits every case reference; shorter ones are zero-padded so
// payload lengths reveal nothing.
const payloadSize = 16

func (a agency) set() psi.Set {
	s := psi.Set{}
	for i, k := range a.keys {
		s.Elements = append(s.Elements, []byte(k))
		p := make([]byte, payloadSize)
		copy(p, a.cases[i])
		s.Payloads = append(s.Payloads, p)
	}
	return s
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(out io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := psi.Config{Context: []byte("quickstart-rules-v1"), Mode: psi.BothLearn, PayloadSize: payloadSize}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()

	var wg sync.WaitGroup
	var resB *psi.Result
	var errB error
	wg.Add(1)
	go func() { // Agency B answers on the listener.
		defer wg.Done()
		conn, err := ln.Accept()
		if err != nil {
			errB = err
			return
		}
		defer conn.Close()
		resp, err := psi.NewResponder(cfg, agencyB.set())
		if err != nil {
			errB = err
			return
		}
		resB, errB = reunite.Run(ctx, conn, resp)
	}()

	// Agency A connects and opens the session.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return err
	}
	defer conn.Close()
	ini, err := psi.NewInitiator(cfg, agencyA.set())
	if err != nil {
		return err
	}
	resA, errA := reunite.Run(ctx, conn, ini)
	wg.Wait()
	if errA != nil {
		return fmt.Errorf("agency A: %w", errA)
	}
	if errB != nil {
		return fmt.Errorf("agency B: %w", errB)
	}
	report(out, agencyA, resA)
	report(out, agencyB, resB)
	fmt.Fprintf(out, "Both agencies hold the same match handles; each quotes its handle in the\nformal request for the other's file.\n")
	return nil
}

func report(out io.Writer, a agency, r *psi.Result) {
	fmt.Fprintf(out, "%s — %d own keys, peer has %d; %d in common:\n", a.name, r.LocalSetSize, r.PeerSetSize, r.Cardinality)
	for _, m := range r.Matches {
		peerCase := strings.TrimRight(string(m.PeerPayload), "\x00")
		fmt.Fprintf(out, "  own key %-32q own case %-12s peer case %-12s handle %s…\n", a.keys[m.Index], a.cases[m.Index], peerCase, m.Handle.String()[:16])
	}
	fmt.Fprintln(out)
}
