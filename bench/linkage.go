package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/internal/cputime"
	"github.com/reunite-psi/reunite/internal/inprocess"
	"github.com/reunite-psi/reunite/internal/synth"
	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
)

// linkageCase is one data set to link: two agencies' records, the true
// pairs, and pairs that must never be linked.
type linkageCase struct {
	name        string
	a, b        []match.Record
	truth       map[[2]string]bool
	confounders map[[2]string]string // pair → kind
	variations  map[[2]string][]synth.Variation
	// noise names the generator's noise model for the calibration table
	// ("cross-border", "register", "uneven copies"); empty for the
	// converted benchmarks, which get none.
	noise string
}

// calibrationCounts counts, per bin of calibrationBins, the pairs kept and
// the true ones among them.
type calibrationCounts [len(calibrationBins) - 1]struct{ pairs, true int }

func runLinkage(o options, out io.Writer) error {
	rules := match.DefaultRules()
	fmt.Fprintf(out, "# reunite linkage quality\n\n")
	fmt.Fprintln(out, machineLine())
	fmt.Fprintf(out, "- pipeline: records → match keys (rule set %s) → ECDH-PSI both-learn with sealed record pseudonyms, presence masks and file statistics → Fellegi–Sunter match probabilities learned per session (EM), one-to-one, threshold %.2f; both agencies in this process over an in-memory connection\n", rules.ID(), rules.Threshold())
	fmt.Fprintf(out, "- tuning: the rule set and the model were tuned on the synthetic data (both generators, all three noise models) and FEBRL4 only; the historical set is a test set, never tuned on\n\n")

	var cases []*linkageCase
	for _, ds := range []struct{ name, dir, flag string }{{"FEBRL4", o.febrl, "-febrl"}, {"historical (test set)", o.historical, "-historical"}} {
		c, err := loadTruthSet(ds.name, ds.dir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			fmt.Fprintf(out, "%s skipped: %s not found (pass %s DIR).\n\n", ds.name, ds.dir, ds.flag)
		case err != nil:
			return err
		default:
			cases = append(cases, c)
		}
	}
	for i := range o.seeds {
		cases = append(cases, synthetic(o.children, o.seed+uint64(i)))
	}
	for i := range o.registers {
		cases = append(cases, register(o.children, o.seed+uint64(i), false))
	}
	for i := range o.uneven {
		cases = append(cases, register(o.children, o.seed+uint64(i), true))
	}
	for i := range o.stress {
		cases = append(cases, stress(o.seed+uint64(i)))
	}

	fmt.Fprintln(out, "| data set | records A / B | true pairs | linked | precision | recall | F1 | twins / siblings / namesakes linked | keys per record | wire bytes per record | keys/s per core | indexed/s per core | wall (s) |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	var synthMissed map[[2]string]bool
	var synthCase *linkageCase
	var synthP, synthR []float64
	calibration := map[string]*calibrationCounts{}
	var noiseModels []string
	for _, c := range cases {
		progress("linkage: %s: %d + %d records…", c.name, len(c.a), len(c.b))
		rate, indexRate := keyRate(rules, c.a), indexRate(rules, c.a)
		start := time.Now()
		// Linked down to the lowest calibration bin: one-to-one resolution
		// goes best first, so the pairs at or above the threshold are the
		// same as with the threshold itself.
		link := linkCounted
		if o.plain {
			link = linkPlain
		}
		if c.noise != "" && calibration[c.noise] == nil {
			calibration[c.noise] = new(calibrationCounts)
			noiseModels = append(noiseModels, c.noise)
		}
		all, localKeys, wire, err := link(c.a, c.b, calibrationBins[0])
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		wall := time.Since(start)
		tp, confounded := 0, map[string]int{}
		linked := map[[2]string]bool{}
		var pairs []inprocess.Pair
		for _, p := range all {
			k := [2]string{p.A, p.B}
			if cal := calibration[c.noise]; cal != nil {
				for i := range cal {
					if p.Score >= calibrationBins[i] && p.Score < calibrationBins[i+1] {
						cal[i].pairs++
						if c.truth[k] {
							cal[i].true++
						}
					}
				}
			}
			if p.Score < rules.Threshold() {
				continue
			}
			pairs = append(pairs, p)
			linked[k] = true
			if c.truth[k] {
				tp++
			}
			if kind, ok := c.confounders[k]; ok {
				confounded[kind]++
			}
		}
		precision, recall := ratio(tp, len(pairs)), ratio(tp, len(c.truth))
		f1 := 0.0
		if precision+recall > 0 {
			f1 = 2 * precision * recall / (precision + recall)
		}
		conf := "n/a"
		if c.confounders != nil {
			conf = fmt.Sprintf("%d / %d / %d", confounded[synth.KindTwin], confounded[synth.KindSibling], confounded[synth.KindNamesake])
		}
		records := len(c.a) + len(c.b)
		fmt.Fprintf(out, "| %s | %d / %d | %d | %d | %.4f | %.4f | %.4f | %s | %.1f | %.0f | %.0f | %.0f | %.1f |\n",
			c.name, len(c.a), len(c.b), len(c.truth), len(pairs), precision, recall, f1, conf,
			float64(localKeys)/float64(len(c.a)), float64(wire)/float64(records), rate, indexRate, wall.Seconds())
		if c.variations != nil {
			synthP, synthR = append(synthP, precision), append(synthR, recall)
		}
		if c.variations != nil && synthCase == nil {
			synthCase, synthMissed = c, map[[2]string]bool{}
			for k := range c.truth {
				if !linked[k] {
					synthMissed[k] = true
				}
			}
		}
	}
	if len(synthR) > 1 {
		fmt.Fprintf(out, "\nSynthetic data, %d seeds from %d: precision mean %.4f (lowest %.4f), recall mean %.4f (lowest %.4f).\n",
			len(synthR), o.seed, mean(synthP), slices.Min(synthP), mean(synthR), slices.Min(synthR))
	}
	printCalibration(out, calibration, noiseModels)
	if synthCase != nil {
		printVariationRecall(out, synthCase, synthMissed)
	}
	fmt.Fprintln(out, "\n- twins / siblings / namesakes linked: confounder pairs (different children in the two files) that were wrongly linked; confounder counts are in the synthetic data's own summary (`go test -v -run Summary ./internal/synth/`).")
	fmt.Fprintln(out, "- keys per record: agency A's PSI set (its distinct match keys and the statistics element) over its records; wire bytes per record: every byte both agencies sent, over the records of both.")
	fmt.Fprintln(out, "- keys/s per core: records per second through RuleSet.Keys over every agency-A record, normalization included, with GOMAXPROCS=1 so that garbage collection is counted (median of five passes run back to back), timed by the CPU time (user + system) of the process where the platform reports it, else by the wall clock.")
	fmt.Fprintln(out, "- indexed/s per core: the same through match.NewIndex, as Match derives keys: with the file's spelling correction, statistics and the index of distinct keys.")
	return nil
}

// printCalibration writes the calibration table, a pair of columns per
// noise model in the order the cases ran.
func printCalibration(out io.Writer, calibration map[string]*calibrationCounts, noiseModels []string) {
	if len(noiseModels) == 0 {
		return
	}
	fmt.Fprintf(out, "\nCalibration on the synthetic data, per noise model (every pair of every seed that one-to-one resolution kept, down to probability %.2f, by the match probability both agencies computed; pairs kept, and the share of them that are true):\n\n", calibrationBins[0])
	header, rule := "| match probability |", "|---|"
	for _, m := range noiseModels {
		header += fmt.Sprintf(" %s: pairs | %s: precision |", m, m)
		rule += "---:|---:|"
	}
	fmt.Fprintln(out, header)
	fmt.Fprintln(out, rule)
	for i := range len(calibrationBins) - 1 {
		row := fmt.Sprintf("| [%.3f, %.3f) |", calibrationBins[i], min(calibrationBins[i+1], 1))
		for _, m := range noiseModels {
			b := calibration[m][i]
			if b.pairs == 0 {
				row += " 0 | — |"
				continue
			}
			row += fmt.Sprintf(" %d | %.3f |", b.pairs, ratio(b.true, b.pairs))
		}
		fmt.Fprintln(out, row)
	}
}

// calibrationBins bound the probability bins of the calibration table;
// the last bin holds 1.
var calibrationBins = [...]float64{0.5, 0.7, 0.9, 0.95, 0.99, 0.999, 1.0001}

// linkCounted plays both agencies with inprocess.LinkConns, over an
// in-memory connection that counts the bytes both send, and returns the
// pairs both report at or above threshold, agency A's result and the bytes
// on the wire.
func linkCounted(a, b []match.Record, threshold float64) (pairs []inprocess.Pair, localKeys int, wire int64, err error) {
	connA, connB := net.Pipe()
	countA, countB := &countingConn{Conn: connA}, &countingConn{Conn: connB}
	defer connA.Close()
	defer connB.Close()
	pairs, resA, _, err := inprocess.LinkConns(context.Background(), countA, countB, a, b,
		reunite.MatchConfig{MaxKeys: psi.MaxSetSizeLimit, Threshold: threshold})
	if err != nil {
		return nil, 0, 0, err
	}
	return pairs, resA.Audit.LocalKeys, countA.written.Load() + countB.written.Load(), nil
}

// linkPlain links a and b as linkCounted does, with a plain intersection of
// the two parties' sets in place of PSI: the same keys, payloads,
// statistics element and model, so the same pairs, without the
// cryptography's cost. Nothing goes on a wire.
func linkPlain(a, b []match.Record, threshold float64) (pairs []inprocess.Pair, localKeys int, wire int64, err error) {
	rules := match.DefaultRules()
	pa, pb := make([]uint32, len(a)), make([]uint32, len(b))
	for i := range pa {
		pa[i] = uint32(i)
	}
	for i := range pb {
		pb[i] = uint32(len(a) + i)
	}
	partyA, err := match.NewParty(a, rules, pa)
	if err != nil {
		return nil, 0, 0, err
	}
	partyB, err := match.NewParty(b, rules, pb)
	if err != nil {
		return nil, 0, 0, err
	}
	at := map[string]int{}
	for j, e := range partyB.Elements {
		at[string(e)] = j
	}
	var shared []match.SharedElement
	for i, e := range partyA.Elements {
		if j, ok := at[string(e)]; ok {
			shared = append(shared, match.SharedElement{Index: i, PeerPayload: partyB.Payloads[j]})
		}
	}
	for _, l := range partyA.Link(shared, threshold).Links {
		if l.Alternative {
			continue
		}
		j := int(l.Peer) - len(a)
		pairs = append(pairs, inprocess.Pair{A: a[l.Record].ID, B: b[j].ID, ARecord: l.Record, BRecord: j, Score: l.Score, Evidence: l.Evidence})
	}
	return pairs, len(partyA.Elements), 0, nil
}

// indexRate measures match.NewIndex, in records per second on one core:
// key derivation as Match does it, with the file's spelling correction and
// the index of distinct keys.
func indexRate(rules *match.RuleSet, records []match.Record) float64 {
	return oneCoreRate(len(records), func() { _ = match.NewIndex(records, rules) })
}

func mean(xs []float64) float64 {
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// keyRate measures key derivation (RuleSet.Keys), in records per second
// on one core.
func keyRate(rules *match.RuleSet, records []match.Record) float64 {
	return oneCoreRate(len(records), func() {
		for i := range records {
			_, _ = rules.Keys(&records[i])
		}
	})
}

// oneCoreRate times pass, which handles n records, with GOMAXPROCS at 1 so
// that the garbage collector's work is counted too rather than done on
// another core, and returns the records per second of the median of five
// passes run back to back, so that each pays for the garbage of the one
// before as a long run would. It times the process's CPU where it can, not
// the wall clock: one pass takes tens of milliseconds, and on a shared
// machine the wall clock also counts the wait for a core.
func oneCoreRate(n int, pass func()) float64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var times [5]time.Duration
	for i := range times {
		start, cpuOK := cputime.Process()
		wall := time.Now()
		pass()
		times[i] = time.Since(wall)
		if end, ok := cputime.Process(); ok && cpuOK {
			times[i] = end - start
		}
	}
	slices.Sort(times[:])
	return float64(n) / times[len(times)/2].Seconds()
}

func printVariationRecall(out io.Writer, c *linkageCase, missed map[[2]string]bool) {
	total, miss := map[synth.Variation]int{}, map[synth.Variation]int{}
	clean, cleanMiss := 0, 0
	for k := range c.truth {
		vs := c.variations[k]
		if len(vs) == 0 {
			clean++
			if missed[k] {
				cleanMiss++
			}
		}
		for _, v := range vs {
			total[v]++
			if missed[k] {
				miss[v]++
			}
		}
	}
	fmt.Fprintf(out, "\nRecall on the synthetic data by variation (a pair counts under every variation it carries):\n\n")
	fmt.Fprintln(out, "| variation | true pairs with it | recall |")
	fmt.Fprintln(out, "|---|---:|---:|")
	if clean > 0 {
		fmt.Fprintf(out, "| (none) | %d | %.3f |\n", clean, 1-ratio(cleanMiss, clean))
	}
	for _, v := range synth.AllVariations() {
		if total[v] > 0 {
			fmt.Fprintf(out, "| %s | %d | %.3f |\n", v, total[v], 1-ratio(miss[v], total[v]))
		}
	}
}

func synthetic(children int, seed uint64) *linkageCase {
	d := synth.Generate(synth.DefaultConfig(seed, children))
	c := fromDataset(fmt.Sprintf("synthetic cross-border (%d children, seed %d)", children, seed), d)
	c.variations = map[[2]string][]synth.Variation{}
	c.noise = "cross-border"
	for _, p := range d.Truth {
		c.variations[[2]string{p.AID, p.BID}] = slices.Clone(d.Variations[p])
	}
	return c
}

// stress is a cross-border data set of synth.Generate shaped like the
// independent set the project is also measured on, which it never sees
// (600 true pairs in 2,000 + 2,000 records): most records have no
// partner, and namesakes, missing dates and years alone are five times as
// common as in the default configuration (the name pools stay the
// generator's; the independent set's are smaller). It is left
// out of the synthetic means and the calibration table, which describe
// the default configuration.
func stress(seed uint64) *linkageCase {
	cfg := synth.DefaultConfig(seed, 600)
	cfg.OnlyA, cfg.OnlyB = 1400, 1400
	cfg.Namesakes, cfg.DateMissing, cfg.YearOnly = 0.15, 0.15, 0.15
	return fromDataset(fmt.Sprintf("synthetic cross-border, stress (600 children in both, seed %d)", seed), synth.Generate(cfg))
}

// register is a data set of synth.GenerateRegister, the second noise
// model, or with uneven its third: its namesakes are the confounders.
func register(people int, seed uint64, uneven bool) *linkageCase {
	cfg := synth.DefaultRegisterConfig(seed, people)
	cfg.Uneven = uneven
	name := "synthetic register"
	if uneven {
		name = "synthetic register, uneven copies"
	}
	c := fromDataset(fmt.Sprintf("%s (%d people, seed %d)", name, people, seed), synth.GenerateRegister(cfg))
	c.noise = "register"
	if uneven {
		c.noise = "uneven copies"
	}
	return c
}

// fromDataset is a generated data set as a linkage case.
func fromDataset(name string, d synth.Dataset) *linkageCase {
	c := &linkageCase{name: name, a: d.A, b: d.B, truth: map[[2]string]bool{}, confounders: map[[2]string]string{}}
	for _, p := range d.Truth {
		c.truth[[2]string{p.AID, p.BID}] = true
	}
	for _, cf := range d.Confounders {
		c.confounders[[2]string{cf.AID, cf.BID}] = cf.Kind
	}
	return c
}

// loadTruthSet reads a converted benchmark: a.csv and b.csv in the record
// contract and truth.csv, the true pairs.
func loadTruthSet(name, dir string) (*linkageCase, error) {
	truthFile := filepath.Join(dir, "truth.csv")
	f, err := os.Open(truthFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", truthFile, err)
	}
	c := &linkageCase{name: name, truth: map[[2]string]bool{}}
	for i, r := range rows {
		if i == 0 || len(r) != 2 {
			continue
		}
		c.truth[[2]string{r[0], r[1]}] = true
	}
	// Strict, as examples/link reads them: the converted files are clean.
	if c.a, _, err = match.ReadFile(filepath.Join(dir, "a.csv"), match.ReadOptions{}); err != nil {
		return nil, err
	}
	if c.b, _, err = match.ReadFile(filepath.Join(dir, "b.csv"), match.ReadOptions{}); err != nil {
		return nil, err
	}
	return c, nil
}
