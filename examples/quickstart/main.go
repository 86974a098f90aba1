// Command quickstart runs one private record-matching session between two
// agencies, in this process, over a real loopback TCP connection, on a few
// embedded synthetic child records, and prints what each agency learned.
//
//	go run ./examples/quickstart
//
// Agency A (a missing-children unit) writes some names in Cyrillic;
// agency B (another country's police) writes them in Latin, with other
// spellings, swapped fields, a day/month swap, an estimated birth year and
// a false identity that keeps the real name as an alias. The files also
// hold a twin, a sibling and a namesake who must not be linked. Neither
// agency sees the other's records: each learns which of its own records
// match (and, of the rest, what SECURITY.md lists: the other's record
// count, key-set size and file-wide statistics), with a match probability, the evidence (which fields
// agree and how), and a handle both share for the formal request that
// follows.
package main

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/examples/internal/report"
	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
)

//go:embed data/agency-a.csv data/agency-b.csv
var data embed.FS

func main() {
	if code := report.NoArguments("quickstart", os.Args[1:], os.Stderr); code >= 0 {
		os.Exit(code)
	}
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func load(name string) ([]match.Record, error) {
	raw, err := data.ReadFile("data/" + name)
	if err != nil {
		return nil, err
	}
	recs, _, err := match.ReadCSV(bytes.NewReader(raw), name, match.ReadOptions{})
	return recs, err
}

func run(out io.Writer) error {
	recsA, err := load("agency-a.csv")
	if err != nil {
		return err
	}
	recsB, err := load("agency-b.csv")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()

	var wg sync.WaitGroup
	var resB *reunite.MatchResult
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
		resB, errB = reunite.Match(ctx, conn, recsB, reunite.MatchConfig{Role: psi.RoleResponder, Peer: "Agency A"})
	}()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return err
	}
	defer conn.Close()
	resA, errA := reunite.Match(ctx, conn, recsA, reunite.MatchConfig{Role: psi.RoleInitiator, Peer: "Agency B"})
	wg.Wait()
	if errA != nil {
		return fmt.Errorf("agency A: %w", errA)
	}
	if errB != nil {
		return fmt.Errorf("agency B: %w", errB)
	}
	report.Print(out, "Agency A (missing-children unit)", recsA, resA)
	report.Print(out, "Agency B (police, destination country)", recsB, resB)
	fmt.Fprintln(out, "Each agency saw only its own records. Matching handles name the same pair on both")
	fmt.Fprintln(out, "sides: each agency quotes its handle in the formal request for the other's file.")
	return nil
}
