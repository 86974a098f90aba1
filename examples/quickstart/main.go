// Command quickstart runs one private record-matching session between two
// agencies, in this process, over a real loopback TCP connection, on a few
// embedded synthetic child records, and prints what each agency learned.
//
//	go run ./examples/quickstart
//
// Agency A (a missing-children unit) writes names in Cyrillic and Greek;
// agency B (another country's police) writes them in Latin, with other
// spellings, swapped fields, a day/month swap, an estimated birth year and
// a false identity that keeps the real name as an alias. The files also
// hold a twin, a sibling and a namesake who must not be linked. Neither
// agency sees the other's records: each learns only which of its own
// records match, with a score, the rules that matched, and a handle both
// share for the formal request that follows.
package main

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
)

//go:embed data/agency-a.csv data/agency-b.csv
var data embed.FS

func main() {
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
	report(out, "Agency A (missing-children unit)", recsA, resA)
	report(out, "Agency B (police, destination country)", recsB, resB)
	fmt.Fprintln(out, "Each agency saw only its own records. Matching handles name the same pair on both")
	fmt.Fprintln(out, "sides: each agency quotes its handle in the formal request for the other's file.")
	return nil
}

func report(out io.Writer, name string, recs []match.Record, r *reunite.MatchResult) {
	au := r.Audit
	fmt.Fprintf(out, "%s: %d records → %d keys; peer sent %d keys; %d keys in common; %d matching records\n",
		name, au.Records, au.LocalKeys, au.PeerKeys, au.KeyHits, au.RecordHits)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  own record\tname as recorded here\tborn\tscore\thandle\trules")
	for _, h := range r.Hits {
		rec := recs[h.Record]
		fmt.Fprintf(tw, "  %s\t%s %s\t%s\t%.3f\t%s…\t%s\n", h.RecordID, rec.GivenNames, rec.FamilyNames,
			rec.BirthDate, h.Score, h.Handle.String()[:12], strings.Join(h.Rules, ", "))
	}
	// Lower-ranked candidates: a better pair exists for one of their
	// records. Listed for review, not for a formal request.
	for _, h := range r.Alternatives {
		rec := recs[h.Record]
		fmt.Fprintf(tw, "  %s (alternative)\t%s %s\t%s\t%.3f\t%s…\t%s\n", h.RecordID, rec.GivenNames, rec.FamilyNames,
			rec.BirthDate, h.Score, h.Handle.String()[:12], strings.Join(h.Rules, ", "))
	}
	tw.Flush()
	fmt.Fprintln(out)
}
