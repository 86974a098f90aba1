// Package report holds what the examples share with each other: printing
// one agency's side of a session as an operator sees it (a summary line,
// then a table of the matching records, with alternatives marked), and the
// command-line handling of the examples that take no arguments.
package report

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/match"
)

// Keys returns the number of match keys in a set of n PSI elements, as
// Audit.LocalKeys and Audit.PeerKeys count them: every set Match builds
// holds one more element, the file statistics.
func Keys(n int) int { return max(n-1, 0) }

// Print writes agency name's result r over its records recs to out.
func Print(out io.Writer, name string, recs []match.Record, r *reunite.MatchResult) {
	au := r.Audit
	fmt.Fprintf(out, "%s: %d records → %d keys; peer sent %d keys; %d keys in common; %d matching records\n",
		name, au.Records, Keys(au.LocalKeys), Keys(au.PeerKeys), au.KeyHits, au.RecordHits)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  own record\tname as recorded here\tborn\tprobability\thandle\tevidence")
	row := func(h reunite.Hit, mark string) {
		rec := recs[h.Record]
		fmt.Fprintf(tw, "  %s%s\t%s %s\t%s\t%.3f\t%s…\t%s\n", h.RecordID, mark, rec.GivenNames, rec.FamilyNames,
			rec.BirthDate, h.Score, h.Handle.String()[:12], strings.Join(h.Evidence, ", "))
	}
	// A tied hit shares a record with an equally probable alternative:
	// the score did not choose between them, and a formal request names
	// both.
	tie := func(h reunite.Hit, mark string) string {
		if h.Tied {
			return mark + " (tied)"
		}
		return mark
	}
	for _, h := range r.Hits {
		row(h, tie(h, ""))
	}
	// Lower-ranked candidates: a better pair exists for one of their
	// records. Listed for review, not for a formal request, unless tied.
	for _, h := range r.Alternatives {
		row(h, tie(h, " (alternative)"))
	}
	tw.Flush()
	fmt.Fprintln(out)
}

// NoArguments parses the command line of an example that takes no
// arguments (only -h): it returns -1 to go on, or the exit code to stop
// with, 0 after -h and 2 after anything else, which it names on stderr.
func NoArguments(name string, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintf(stderr, "usage: go run ./examples/%s (no arguments)\n", name) }
	switch err := fs.Parse(args); {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		return 2
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", name, fs.Arg(0))
		fs.Usage()
		return 2
	}
	return -1
}
