// Command link plays two agencies in one process and writes the record
// pairs they link, through the real private protocol.
//
//	go run ./examples/link -a A.csv -b B.csv [-threshold P] [-all] [-lenient]
//
// Agency A reads A.csv, agency B reads B.csv (the record CSV contract, or
// JSON Lines by extension). Each derives its match keys and runs
// reunite.Match over an in-memory connection; neither sees the other's
// records. Because this program plays both sides, it can join the two
// sides' hits on their shared pair handles and print them as
//
//	a_id,b_id,score,evidence
//
// where score is the pair's match probability, which both agencies compute
// alike, and evidence the outcome of each field both records have (such
// as given=sound or date=disagree), separated by ";". Each
// record appears in at most one row; -all also writes the pairs that
// reached the threshold but lost to a better pair of one of their records.
// Files are read strictly: the first bad field stops the program. With
// -lenient, bad fields are dropped and rows without a usable field
// skipped (match.ReadOptions.Lenient), and stderr lists what was left out,
// by file, line and column, never by value. Statistics go to stderr. Exit codes, as in
// every example: 2 for a usage or input error (a record file that does not
// read exits with a message naming file, line and column), 1 for a failure
// at run time. A record file without records is read with a warning.
package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/examples/internal/report"
	"github.com/reunite-psi/reunite/internal/inprocess"
	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
)

func main() {
	os.Exit(command(os.Args[1:], os.Stdout, os.Stderr))
}

// command runs link with args and returns the exit code.
func command(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("link", flag.ContinueOnError)
	fs.SetOutput(stderr)
	a := fs.String("a", "", "agency A's records (CSV or JSON Lines)")
	b := fs.String("b", "", "agency B's records (CSV or JSON Lines)")
	threshold := fs.Float64("threshold", 0, "match probability a pair needs to be linked, in (0, 1]; 0 means the rule set's default (0.9)")
	all := fs.Bool("all", false, "also write the pairs that reached the threshold but lost one-to-one resolution to a better pair")
	lenient := fs.Bool("lenient", false, "drop bad fields and skip rows with no usable field, listing each on stderr, instead of stopping at the first")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *a == "" || *b == "" || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: link -a A.csv -b B.csv [-threshold P] [-all] [-lenient]")
		return 2
	}
	if err := run(stdout, stderr, options{a: *a, b: *b, threshold: *threshold, all: *all, lenient: *lenient}); err != nil {
		fmt.Fprintln(stderr, "link:", err)
		if errors.Is(err, errInput) {
			return 2
		}
		return 1
	}
	return 0
}

// errInput marks errors in the input, as opposed to failures at run time.
var errInput = errors.New("bad input")

// inputError marks err as an input error while keeping its text.
type inputError struct{ err error }

func (e inputError) Error() string   { return e.err.Error() }
func (e inputError) Unwrap() []error { return []error{errInput, e.err} }

// options are the command's flags.
type options struct {
	a, b         string  // the two agencies' record files
	threshold    float64 // 0 for the rule set's default
	all, lenient bool
}

// maxListedSkips bounds the lines -lenient writes per file; the rest are
// counted.
const maxListedSkips = 20

func run(stdout, stderr io.Writer, o options) error {
	threshold, all := o.threshold, o.all
	if !(threshold >= 0 && threshold <= 1) { // NaN fails both
		return inputError{errors.New("-threshold must be in (0, 1], or 0 for the rule set's default")}
	}
	// Strict reading unless -lenient: the first bad field is an error
	// naming file, line and column, and nothing is skipped.
	var recs [2][]match.Record
	for i, path := range []string{o.a, o.b} {
		r, rep, err := match.ReadFile(path, match.ReadOptions{Lenient: o.lenient})
		if err != nil {
			return inputError{err}
		}
		for j, issue := range rep.Skipped {
			if j == maxListedSkips {
				fmt.Fprintf(stderr, "link: warning: %s: %d more fields or rows left out\n", path, len(rep.Skipped)-j)
				break
			}
			fmt.Fprintf(stderr, "link: warning: %s\n", issue)
		}
		if rep.ControlStripped > 0 {
			fmt.Fprintf(stderr, "link: warning: %s: %d control characters stripped\n", path, rep.ControlStripped)
		}
		if len(r) == 0 {
			fmt.Fprintf(stderr, "link: warning: %s holds no records: nothing can match\n", path)
		}
		recs[i] = r
	}
	recsA, recsB := recs[0], recs[1]

	start := time.Now()
	pairs, resA, resB, err := inprocess.Link(context.Background(), recsA, recsB,
		reunite.MatchConfig{Threshold: threshold, MaxKeys: psi.MaxSetSizeLimit})
	if err != nil {
		return err
	}

	if all {
		pairs = append(pairs, inprocess.Join(resA.Alternatives, resB.Alternatives)...)
	}
	w := csv.NewWriter(stdout)
	_ = w.Write([]string{"a_id", "b_id", "score", "evidence"})
	for _, p := range pairs {
		_ = w.Write([]string{p.A, p.B, strconv.FormatFloat(p.Score, 'f', 4, 64), strings.Join(p.Evidence, ";")})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	listed := ", not listed; -all lists them"
	if all {
		listed = ", listed"
	}
	for i, r := range []*reunite.MatchResult{resA, resB} {
		au := r.Audit
		tied := 0
		for _, h := range r.Hits {
			if h.Tied {
				tied++
			}
		}
		fmt.Fprintf(stderr, "agency %c: %d records, %d keys (peer %d), %d shared keys, %d record hits, %d of them tied with an equally probable alternative (and %d alternatives: pairs that reached the threshold but lost to a better pair of one of their records%s); %d records without keys, %d keys over the per-record cap, %d keys naming too many records\n",
			"AB"[i], au.Records, report.Keys(au.LocalKeys), report.Keys(au.PeerKeys), au.KeyHits, au.RecordHits, tied, au.Alternatives, listed, au.Unmatchable, au.Truncated, au.Overfull)
	}
	fmt.Fprintf(stderr, "rule set %s; %d linked pairs in %v\n", resA.Audit.RuleSetID, len(pairs), time.Since(start).Round(time.Millisecond))
	return nil
}
