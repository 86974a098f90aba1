// Command link plays two agencies in one process and writes the record
// pairs they link, through the real private protocol.
//
//	go run ./examples/link -a A.csv -b B.csv [-threshold T]
//
// Agency A reads A.csv, agency B reads B.csv (the record CSV contract, or
// JSON Lines by extension). Each derives its match keys and runs
// reunite.Match over an in-memory connection; neither sees the other's
// records. Because this program plays both sides, it can join the two
// sides' hits on their shared pair handles and print them as
//
//	a_id,b_id,score,rules
//
// with rules separated by ";". Statistics go to stderr. Bad input exits
// with status 1 and a message naming file, line and column.
package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
)

func main() {
	fs := flag.NewFlagSet("link", flag.ContinueOnError)
	a := fs.String("a", "", "agency A's records (CSV or JSON Lines)")
	b := fs.String("b", "", "agency B's records (CSV or JSON Lines)")
	threshold := fs.Float64("threshold", 0, "score a pair needs to be linked, in (0, 1]; 0 means the rule set's default")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if *a == "" || *b == "" || fs.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: link -a A.csv -b B.csv [-threshold T]")
		os.Exit(2)
	}
	if err := run(os.Stdout, os.Stderr, *a, *b, *threshold); err != nil {
		fmt.Fprintln(os.Stderr, "link:", err)
		os.Exit(1)
	}
}

func run(stdout, stderr io.Writer, pathA, pathB string, threshold float64) error {
	if threshold < 0 || threshold > 1 {
		return errors.New("-threshold must be in [0, 1]")
	}
	recsA, repA, err := match.ReadFile(pathA, match.ReadOptions{})
	if err != nil {
		return err
	}
	recsB, repB, err := match.ReadFile(pathB, match.ReadOptions{})
	if err != nil {
		return err
	}
	_, _ = repA, repB // strict mode: nothing was skipped

	start := time.Now()
	resA, resB, err := linkInProcess(recsA, recsB, threshold)
	if err != nil {
		return err
	}
	pairs := join(resA, resB)

	w := csv.NewWriter(stdout)
	_ = w.Write([]string{"a_id", "b_id", "score", "rules"})
	for _, p := range pairs {
		_ = w.Write([]string{p.a, p.b, strconv.FormatFloat(p.score, 'f', 4, 64), strings.Join(p.rules, ";")})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	for _, r := range []*reunite.MatchResult{resA, resB} {
		au := r.Audit
		fmt.Fprintf(stderr, "%s: %d records, %d keys (peer %d), %d shared keys, %d record hits; %d records without keys, %d keys over the per-record cap, %d keys naming too many records\n",
			au.Peer, au.Records, au.LocalKeys, au.PeerKeys, au.KeyHits, au.RecordHits, au.Unmatchable, au.Truncated, au.Overfull)
	}
	fmt.Fprintf(stderr, "rule set %s; %d linked pairs in %v\n", resA.Audit.RuleSetID, len(pairs), time.Since(start).Round(time.Millisecond))
	return nil
}

// linkInProcess runs both agencies' sessions against each other over an
// in-memory connection.
func linkInProcess(recsA, recsB []match.Record, threshold float64) (resA, resB *reunite.MatchResult, err error) {
	ctx := context.Background()
	connA, connB := net.Pipe()
	defer connA.Close()
	defer connB.Close()
	var errB error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		resB, errB = reunite.Match(ctx, connB, recsB, reunite.MatchConfig{Role: psi.RoleResponder, Threshold: threshold, Peer: "agency A", MaxKeys: 1 << 24})
		if errB != nil {
			connB.Close() // unblock A
		}
	}()
	resA, errA := reunite.Match(ctx, connA, recsA, reunite.MatchConfig{Role: psi.RoleInitiator, Threshold: threshold, Peer: "agency B", MaxKeys: 1 << 24})
	if errA != nil {
		connA.Close()
	}
	wg.Wait()
	if errA != nil {
		return nil, nil, fmt.Errorf("agency A: %w", errA)
	}
	if errB != nil {
		return nil, nil, fmt.Errorf("agency B: %w", errB)
	}
	resA.Audit.Peer, resB.Audit.Peer = "agency A", "agency B"
	return resA, resB, nil
}

type pair struct {
	a, b  string
	score float64
	rules []string
}

// join pairs A's and B's hits by their shared handle; a hit only one side
// reports (possible when the two thresholds differ) is left out.
func join(resA, resB *reunite.MatchResult) []pair {
	bByHandle := make(map[psi.Handle]reunite.Hit, len(resB.Hits))
	for _, h := range resB.Hits {
		bByHandle[h.Handle] = h
	}
	var out []pair
	for _, h := range resA.Hits {
		if hb, ok := bByHandle[h.Handle]; ok {
			out = append(out, pair{a: h.RecordID, b: hb.RecordID, score: h.Score, rules: h.Rules})
		}
	}
	return out
}
