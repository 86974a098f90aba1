// Command bench measures complete reunite PSI sessions end to end and
// compares them with the cost of the elliptic-curve work they cannot avoid.
//
// For n = 2^min … 2^max elements per side (50% overlap) it runs one session
// with both parties in this process, each driven by psi.Run in its own
// goroutine over a real loopback TCP connection, checks the result, and
// prints a Markdown table to stdout. Progress goes to stderr. See README.md
// for what the columns mean and how the floor is defined.
//
//	go run ./bench [-min 10] [-max 18] [-mode both|initiator|cardinality] [-payload 0]
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"net"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reunite-psi/reunite/internal/cputime"
	"github.com/reunite-psi/reunite/internal/ristretto255"
	"github.com/reunite-psi/reunite/psi"
)

const (
	elementSize = 16 // bytes per benchmark element
	// floorDST has the length of psi's hash-to-group DST, so the floor's
	// expand_message_xmd does exactly as much SHA-512 work as psi's.
	floorDST = "reunite-psi-v2-ECDH-ristretto255_XMD:SHA-512_R255MAP_RO_"
	// heapMetric is sampled for the peak-heap column.
	heapMetric = "/memory/classes/heap/objects:bytes"
	// sampleEvery is the peak-heap sampling period.
	sampleEvery = 5 * time.Millisecond
)

type options struct {
	min, max   int
	mode       psi.Mode
	modeName   string
	payload    int
	floorElems int
	floorRuns  int
	timeout    time.Duration
	cpuProfile string
	memProfile string

	suite      string // "ecdh" (suite 1) or "fast" (the KKRT engine)
	compareMax int    // with -suite fast: also run suite 1 up to 2^compareMax
	// suites is psi.Config.Suites of the sessions runSession runs (nil:
	// suite 1).
	suites []psi.Suite

	linkage    bool   // print linkage quality instead of throughput
	febrl      string // directory of the FEBRL4 files
	historical string // directory of the historical test set
	children   int    // synthetic children in both files
	seed       uint64
	seeds      int
	registers  int  // register-style synthetic data sets (synth.GenerateRegister)
	uneven     int  // register-style data sets with copies of uneven quality (RegisterConfig.Uneven)
	stress     int  // cross-border data sets shaped like the independent set (600 true pairs in 2,000 + 2,000)
	plain      bool // with -linkage: a plain intersection instead of PSI
}

func main() {
	opts, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	baseline := runtime.NumGoroutine()
	runFn := run
	if opts.linkage {
		runFn = runLinkage
	} else if opts.suite == "fast" {
		runFn = runFast
	}
	if err := runFn(opts, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench: FAIL:", err)
		os.Exit(1)
	}
	if err := checkGoroutines(baseline); err != nil {
		fmt.Fprintln(os.Stderr, "bench: FAIL:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.IntVar(&o.min, "min", 10, "smallest set size per side is 2^`min` (at least 1)")
	fs.IntVar(&o.max, "max", 18, "largest set size per side is 2^`max` (at most 26; 2^20 peaks near 0.5 GiB of heap)")
	fs.StringVar(&o.modeName, "mode", "both", "psi mode: both (BothLearn), initiator (InitiatorOnly) or cardinality (CardinalityOnly)")
	fs.IntVar(&o.payload, "payload", 0, "payload size in `bytes` per element (0 to 512; must be 0 with -mode cardinality)")
	fs.IntVar(&o.floorElems, "floor-elements", 1<<13, "elements per run when measuring the floor cost c")
	fs.IntVar(&o.floorRuns, "floor-runs", 3, "runs when measuring the floor cost c (the best is kept)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Minute, "abort a single session that takes longer than this")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the session at 2^max (with -suite fast, of its psi.Session run) to `file`")
	fs.StringVar(&o.memProfile, "memprofile", "", "with -suite fast: write the allocation profile, taken after the psi.Session run at 2^max, to `file`")
	fs.StringVar(&o.suite, "suite", "ecdh", "suite to measure: ecdh (suite 1) or fast (the OT-extension engine, beside suite 1 up to 2^-compare-max)")
	fs.IntVar(&o.compareMax, "compare-max", 16, "with -suite fast: also run suite 1 for n up to 2^`e`, in the same run")
	fs.BoolVar(&o.linkage, "linkage", false, "measure linkage quality (precision, recall, F1) of the full private pipeline instead of throughput")
	fs.StringVar(&o.febrl, "febrl", "../shared/data/febrl4", "with -linkage: `directory` holding FEBRL4's a.csv, b.csv and truth.csv (skipped with a message when absent)")
	fs.StringVar(&o.historical, "historical", "../shared/data/historical", "with -linkage: `directory` holding the historical test set's a.csv, b.csv and truth.csv (skipped with a message when absent)")
	fs.IntVar(&o.children, "children", 2000, "with -linkage: synthetic children present in both agencies' files")
	fs.Uint64Var(&o.seed, "seed", 1, "with -linkage: seed of the synthetic data")
	fs.BoolVar(&o.plain, "plain", false, "with -linkage: a plain (non-private) intersection of the same keys and payloads stands in for PSI, for quality on large files in seconds; no wire bytes are counted")
	fs.IntVar(&o.registers, "registers", 1, "with -linkage: register-style synthetic data sets (another noise model: adults, skewed name frequencies, titles, missing fields, 1 January for unknown dates), seeds as for -seeds")
	fs.IntVar(&o.uneven, "uneven", 1, "with -linkage: register-style data sets whose copies are of uneven quality (a third noise model, after the generator of Splink's historical-figures data: mistyped date digits, swapped sexes, moved postcodes, middle names for given or family names), seeds as for -seeds")
	fs.IntVar(&o.stress, "stress", 1, "with -linkage: cross-border data sets shaped like the independent set the project is also measured on (600 true pairs in 2,000 + 2,000 records; namesakes, missing dates and years alone five times as common), seeds as for -seeds")
	fs.IntVar(&o.seeds, "seeds", 1, "with -linkage: synthetic cross-border data sets to link (the default configuration), with seeds seed, seed+1, …; the per-variation table is for the first")
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprint(out, `usage: go run ./bench [flags]

Runs one complete PSI session per set size n = 2^min … 2^max elements per
side, 50% overlap, both parties in this process over loopback TCP, each driven
by psi.Run. Verifies the result (exits 1 if wrong) and prints a Markdown
table to stdout; progress goes to stderr.

With -linkage it instead runs both agencies' full pipeline (records → keys →
PSI → per-pair scores, through internal/inprocess) on FEBRL4, the historical
test set and synthetic data (cross-border child records, registers, registers
with copies of uneven quality, and the stress sets shaped like the
independent set), and prints precision, recall and F1.

Columns: wall time of the session; elements/s = 2n / wall; per core = that
divided by GOMAXPROCS; bytes/element in each direction (all frames, divided
by n); peak heap = max of `+heapMetric+` sampled every 5 ms;
floor = 2n × c, where c is the all-cores wall time per element of one
hash-to-group plus two variable-base scalar multiplications, measured before
and again after each session (the floor uses their mean); ratio = wall / floor.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() != 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.suite != "ecdh" && o.suite != "fast" {
		return o, fmt.Errorf("-suite %q: want ecdh or fast", o.suite)
	}
	switch o.modeName {
	case "both":
		o.mode = psi.BothLearn
	case "initiator":
		o.mode = psi.InitiatorOnly
	case "cardinality":
		o.mode = psi.CardinalityOnly
	default:
		return o, fmt.Errorf("-mode %q: want both, initiator or cardinality", o.modeName)
	}
	maxExp := 0
	for 1<<(maxExp+1) <= psi.MaxSetSizeLimit {
		maxExp++
	}
	switch {
	case o.min < 1:
		return o, fmt.Errorf("-min %d: must be at least 1 (the overlap is n/2)", o.min)
	case o.max < o.min:
		return o, fmt.Errorf("-max %d is below -min %d", o.max, o.min)
	case o.max > maxExp:
		return o, fmt.Errorf("-max %d: psi allows at most 2^%d elements", o.max, maxExp)
	case o.payload < 0 || o.payload > psi.MaxPayloadSize:
		return o, fmt.Errorf("-payload %d: want 0..%d", o.payload, psi.MaxPayloadSize)
	case o.payload > 0 && o.mode == psi.CardinalityOnly:
		return o, errors.New("-payload must be 0 with -mode cardinality")
	case o.suite == "fast" && o.mode == psi.CardinalityOnly:
		return o, errors.New("-suite fast has no cardinality-only mode")
	case o.floorElems < 1 || o.floorRuns < 1:
		return o, errors.New("-floor-elements and -floor-runs must be positive")
	case o.seeds < 0 || o.seeds > 100:
		return o, fmt.Errorf("-seeds %d: want 0..100", o.seeds)
	case o.registers < 0 || o.registers > 100:
		return o, fmt.Errorf("-registers %d: want 0..100", o.registers)
	case o.uneven < 0 || o.uneven > 100:
		return o, fmt.Errorf("-uneven %d: want 0..100", o.uneven)
	case o.stress < 0 || o.stress > 100:
		return o, fmt.Errorf("-stress %d: want 0..100", o.stress)
	case o.children < 1:
		return o, fmt.Errorf("-children %d: must be positive", o.children)
	}
	return o, nil
}

// machineLine describes the machine a table was measured on, as every
// mode prints it.
func machineLine() string {
	return fmt.Sprintf("- machine: %s, NumCPU %d, GOMAXPROCS %d, %s/%s, %s",
		cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version())
}

func run(o options, stdout io.Writer) error {
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	procs := runtime.GOMAXPROCS(0)

	fmt.Fprintf(w, "# reunite PSI benchmark\n\n")
	fmt.Fprintln(w, machineLine())
	fmt.Fprintf(w, "- session: mode %v, payload %d bytes, %d-byte elements, 50%% overlap, loopback TCP, psi.Run per party\n",
		o.mode, o.payload, elementSize)

	progress("measuring floor cost c (%d elements, %d workers, best of %d)…", o.floorElems, procs, o.floorRuns)
	c, cCores := measureFloor(o.floorElems, procs, o.floorRuns)
	comp := measureComponents(1<<11, o.floorRuns)
	fmt.Fprintf(w, "- floor cost c = %.2f µs per element before the first session, all-cores wall time of hash-to-group + 2 × ScalarMult over %d elements on %d workers (best of %d; cores obtained %s); c is measured again after every session, and floor(n) = 2n × the mean of c before and after it\n",
		us(c), o.floorElems, procs, o.floorRuns, coresText(cCores))
	fmt.Fprintf(w, "- for reference, single-core cost per operation: hash-to-group %.2f µs, ScalarMult %.2f µs, encode %.2f µs, decode %.2f µs, SHA-256 tag %.2f µs\n\n",
		us(comp.hash), us(comp.mult), us(comp.encode), us(comp.decode), us(comp.tag))
	fmt.Fprintln(w, "| n per side | wall time (s) | elements/s | elements/s per core | bytes/element initiator→responder | bytes/element responder→initiator | peak heap (MiB) | c before / after (µs) | floor (s) | ratio to floor |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	w.Flush()

	var notes []string // per-row cores obtained and CPU-time ratio
	for e := o.min; e <= o.max; e++ {
		n := 1 << e
		progress("n = 2^%d: building sets…", e)
		in := newInputs(n, o.payload)
		progress("n = 2^%d: running session…", e)
		stopProfile, err := startProfile(o.cpuProfile, e == o.max)
		if err != nil {
			return err
		}
		m, err := runSession(o, in)
		stopProfile()
		if err != nil {
			return fmt.Errorf("n = 2^%d: %w", e, err)
		}
		if err := verify(o, in, m.ri, m.rr); err != nil {
			return fmt.Errorf("n = 2^%d: wrong result: %w", e, err)
		}
		// The floor is measured again right after the session, and the
		// session is compared with the mean of the two measurements that
		// bracket it: on a shared machine c moves by tens of per cent within
		// minutes, more than the margin the ratio is read against, and one
		// measurement before a long session says little about the machine
		// the session ran on. Both are printed, so a reader can see how far
		// the machine moved.
		progress("n = 2^%d: re-measuring c…", e)
		cAfter, cAfterCores := measureFloor(o.floorElems, procs, o.floorRuns)
		floor := time.Duration(float64(n) * float64(c+cAfter))
		elemsPerSec := 2 * float64(n) / m.wall.Seconds()
		note := fmt.Sprintf("2^%d: %s cores", e, coresText(m.cores))
		if m.cores > 0 && cCores > 0 && cAfterCores > 0 {
			// CPU time of the session over CPU time of the floor work
			// (the mean of the two around it): unlike the wall-time ratio,
			// this hardly depends on how many cores other processes left
			// to each measurement.
			cpuFloor := float64(n) * (float64(c)*cCores + float64(cAfter)*cAfterCores)
			note += fmt.Sprintf(", CPU-time ratio %.2f", m.cores*float64(m.wall)/cpuFloor)
		}
		notes = append(notes, note)
		progress("n = 2^%d: ok in %.3fs (cores obtained %s); %.1f allocs and %.0f bytes allocated per element (2n), %d GC cycles; heap %.1f MiB before the session (inputs), peak %.1f MiB",
			e, m.wall.Seconds(), coresText(m.cores), float64(m.allocObjs)/float64(2*n), float64(m.allocBytes)/float64(2*n), m.gcCycles,
			float64(m.heapBefore)/(1<<20), float64(m.peakHeap)/(1<<20))
		fmt.Fprintf(w, "| %d (2^%d) | %.3f | %.0f | %.0f | %.1f | %.1f | %.1f | %.2f / %.2f | %.3f | %.2f |\n",
			n, e, m.wall.Seconds(), elemsPerSec, elemsPerSec/float64(procs),
			float64(m.sentI2R)/float64(n), float64(m.sentR2I)/float64(n),
			float64(m.peakHeap)/(1<<20), us(c), us(cAfter), floor.Seconds(), m.wall.Seconds()/floor.Seconds())
		w.Flush()
		c, cCores = cAfter, cAfterCores // the next session's floor before
	}
	fmt.Fprintf(w, "\n- cores obtained during each session (process CPU time / wall, out of %d), and CPU-time ratio (session CPU time / (2n × the mean of c × cores obtained, before and after)): %s\n", procs, strings.Join(notes, "; "))
	fmt.Fprintf(w, "- peak heap includes the two input sets (%d bytes of element data plus a %d-byte slice header per element and side, and the payloads)\n",
		elementSize, 24)
	return nil
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// cpuModel returns the first "model name" of /proc/cpuinfo, or "unknown CPU".
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// --- Floor ---

func randomScalar() *ristretto255.Scalar {
	var b [64]byte
	_, _ = rand.Read(b[:])
	s, err := new(ristretto255.Scalar).SetUniformBytes(b[:])
	if err != nil {
		panic(err)
	}
	return s
}

func floorElements(n int) [][]byte {
	backing := make([]byte, n*elementSize)
	out := make([][]byte, n)
	for i := range out {
		e := backing[i*elementSize : (i+1)*elementSize]
		copy(e, "floor-el")
		binary.BigEndian.PutUint64(e[8:], uint64(i))
		out[i] = e
	}
	return out
}

// measureFloor returns the all-cores wall time per element of
// hash-to-group(sid || element) followed by two variable-base scalar
// multiplications, on workers goroutines, best of runs, and the number of
// cores the process obtained during the best run (process CPU time / wall;
// 0 if unknown): on a shared machine it can fall short of workers.
func measureFloor(n, workers, runs int) (time.Duration, float64) {
	h := ristretto255.NewHasher(floorDST)
	var sid [32]byte
	_, _ = rand.Read(sid[:])
	k1, k2 := randomScalar(), randomScalar()
	elems := floorElements(n)
	workers = max(1, min(workers, n))
	sinks := make([]byte, workers)
	best, bestCores := time.Duration(1<<63-1), 0.0
	for range runs {
		var wg sync.WaitGroup
		cpu0, cpuOK := cputime.Process()
		start := time.Now()
		for w := range workers {
			lo, hi := w*n/workers, (w+1)*n/workers
			wg.Go(func() {
				var p ristretto255.Element
				msg := make([]byte, 0, len(sid)+elementSize)
				for _, e := range elems[lo:hi] {
					msg = append(append(msg[:0], sid[:]...), e...)
					h.Hash(&p, msg)
					p.ScalarMult(k1, &p)
					p.ScalarMult(k2, &p)
				}
				sinks[w] = p.Bytes()[0]
			})
		}
		wg.Wait()
		wall := time.Since(start)
		cpu1, cpuOK1 := cputime.Process()
		if wall < best {
			best, bestCores = wall, 0
			if cpuOK && cpuOK1 {
				bestCores = float64(cpu1-cpu0) / float64(wall)
			}
		}
	}
	return best / time.Duration(n), bestCores
}

// coresText formats a cores-obtained figure, or "n/a" when unknown.
func coresText(c float64) string {
	if c <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", c)
}

type componentCosts struct{ hash, mult, encode, decode, tag time.Duration }

// measureComponents times each primitive psi uses per element on one core,
// best of runs, for the reference line above the table.
func measureComponents(n, runs int) componentCosts {
	h := ristretto255.NewHasher(floorDST)
	var sid [32]byte
	_, _ = rand.Read(sid[:])
	k := randomScalar()
	elems := floorElements(n)
	points := make([]ristretto255.Element, n)
	encoded := make([]byte, n*ristretto255.ElementSize)
	best := func(f func()) time.Duration {
		b := time.Duration(1<<63 - 1)
		for range runs {
			start := time.Now()
			f()
			b = min(b, time.Since(start))
		}
		return b / time.Duration(n)
	}
	var c componentCosts
	c.hash = best(func() {
		msg := make([]byte, 0, len(sid)+elementSize)
		for i, e := range elems {
			msg = append(append(msg[:0], sid[:]...), e...)
			h.Hash(&points[i], msg)
		}
	})
	c.mult = best(func() {
		for i := range points {
			points[i].ScalarMult(k, &points[i])
		}
	})
	c.encode = best(func() {
		for i := range points {
			points[i].AppendBytes(encoded[i*ristretto255.ElementSize : i*ristretto255.ElementSize])
		}
	})
	c.decode = best(func() {
		for i := range points {
			if _, err := points[i].SetCanonicalBytes(encoded[i*ristretto255.ElementSize : (i+1)*ristretto255.ElementSize]); err != nil {
				panic(err)
			}
		}
	})
	c.tag = best(func() {
		// What psi's tagOf does: SHA-256(label || 0 || sid || point).
		for i := range points {
			d := sha256Sum("reunite-psi-v2 tag", sid[:], encoded[i*ristretto255.ElementSize:(i+1)*ristretto255.ElementSize])
			sid[0] ^= d[0]
		}
	})
	return c
}

func sha256Sum(label string, sid, point []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(label))
	h.Write([]byte{0})
	h.Write(sid)
	h.Write(point)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// --- Inputs ---

// inputs are the two parties' sets. Element counters 0 … n-1 belong to the
// initiator, n/2 … 3n/2-1 to the responder (in shuffled order), so counters
// n/2 … n-1 are shared.
type inputs struct {
	n        int
	initSet  psi.Set
	respSet  psi.Set
	respPos  []int32 // counter-n/2 → index in respSet.Elements
	initPays []byte  // payload backing, initiator, by counter
	respPays []byte  // payload backing, responder, by counter-n/2
}

func element(dst []byte, counter uint64) {
	copy(dst, "reunite\x00")
	binary.BigEndian.PutUint64(dst[8:], counter)
}

func counterOf(e []byte) uint64 { return binary.BigEndian.Uint64(e[8:]) }

// fillPayload writes the payload that party side attaches to counter.
func fillPayload(dst []byte, side byte, counter uint64) {
	var c [8]byte
	binary.BigEndian.PutUint64(c[:], counter)
	for i := range dst {
		dst[i] = side ^ c[i%8] ^ byte(i*31)
	}
}

func newInputs(n, payload int) *inputs {
	in := &inputs{n: n, respPos: make([]int32, n)}
	half := uint64(n / 2)

	ib := make([]byte, n*elementSize)
	in.initSet.Elements = make([][]byte, n)
	for i := range n {
		e := ib[i*elementSize : (i+1)*elementSize]
		element(e, uint64(i))
		in.initSet.Elements[i] = e
	}

	order := make([]int32, n) // responder index → counter-n/2
	for i := range order {
		order[i] = int32(i)
	}
	rng := mathrand.New(mathrand.NewPCG(uint64(n), 0x7265756e697465))
	rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	rb := make([]byte, n*elementSize)
	in.respSet.Elements = make([][]byte, n)
	for j, off := range order {
		e := rb[j*elementSize : (j+1)*elementSize]
		element(e, half+uint64(off))
		in.respSet.Elements[j] = e
		in.respPos[off] = int32(j)
	}

	if payload > 0 {
		in.initPays = make([]byte, n*payload)
		in.respPays = make([]byte, n*payload)
		in.initSet.Payloads = make([][]byte, n)
		in.respSet.Payloads = make([][]byte, n)
		for i := range n {
			p := in.initPays[i*payload : (i+1)*payload]
			fillPayload(p, 'I', uint64(i))
			in.initSet.Payloads[i] = p
			q := in.respPays[i*payload : (i+1)*payload]
			fillPayload(q, 'R', half+uint64(i))
		}
		for j, off := range order {
			in.respSet.Payloads[j] = in.respPays[int(off)*payload : int(off+1)*payload]
		}
	}
	return in
}

// --- Session ---

// countingConn counts the bytes read from and written to a net.Conn.
type countingConn struct {
	net.Conn
	read, written atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.written.Add(int64(n))
	return n, err
}

// heapSampler records the maximum of heapMetric, sampled periodically.
type heapSampler struct {
	stop, done chan struct{}
	first      uint64 // the sample taken when sampling started
	peak       uint64 // written by the sampling goroutine until Stop returns
}

func startHeapSampler(every time.Duration) *heapSampler {
	s := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	sample := []metrics.Sample{{Name: heapMetric}}
	read := func() {
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			s.peak = max(s.peak, sample[0].Value.Uint64())
		}
	}
	read()
	s.first = s.peak
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				read()
				return
			case <-t.C:
				read()
			}
		}
	}()
	return s
}

// Stop ends sampling and returns the peak.
func (s *heapSampler) Stop() uint64 {
	close(s.stop)
	<-s.done
	return s.peak
}

type measurement struct {
	wall                  time.Duration
	sentI2R, sentR2I      int64
	peakHeap              uint64
	allocObjs, allocBytes uint64
	gcCycles              uint64
	heapBefore            uint64
	cores                 float64 // process CPU time / wall during the session, 0 if unknown
	ri, rr                *psi.Result
}

// connect returns both ends of a fresh loopback TCP connection: the one the
// initiator dialled and the one the responder accepted.
func connect() (dialled, accepted net.Conn, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	defer ln.Close()
	type result struct {
		c   net.Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		ch <- result{c, err}
	}()
	dialled, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		ln.Close() // unblocks Accept
		<-ch
		return nil, nil, err
	}
	r := <-ch
	if r.err != nil {
		dialled.Close()
		return nil, nil, r.err
	}
	return dialled, r.c, nil
}

var allocMetrics = []string{"/gc/heap/allocs:objects", "/gc/heap/allocs:bytes", "/gc/cycles/total:gc-cycles"}

func readUint64s(names []string) []uint64 {
	s := make([]metrics.Sample, len(names))
	for i, name := range names {
		s[i].Name = name
	}
	metrics.Read(s)
	out := make([]uint64, len(names))
	for i := range s {
		if s[i].Value.Kind() == metrics.KindUint64 {
			out[i] = s[i].Value.Uint64()
		}
	}
	return out
}

func runSession(o options, in *inputs) (*measurement, error) {
	ic, rc, err := connect()
	if err != nil {
		return nil, fmt.Errorf("loopback connection: %w", err)
	}
	iconn, rconn := &countingConn{Conn: ic}, &countingConn{Conn: rc}
	defer iconn.Close()
	defer rconn.Close()

	cfg := psi.Config{
		Context:     []byte("reunite-bench"),
		Mode:        o.mode,
		MaxSetSize:  in.n,
		PayloadSize: o.payload,
		Suites:      o.suites,
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()

	var (
		wg       sync.WaitGroup
		ri, rr   *psi.Result
		ie, re   error
		m        measurement
		beforeGC = make([]uint64, len(allocMetrics))
	)
	runtime.GC()
	copy(beforeGC, readUint64s(allocMetrics))
	sampler := startHeapSampler(sampleEvery)
	m.heapBefore = sampler.first
	cpu0, cpuOK := cputime.Process()
	start := time.Now()
	wg.Go(func() {
		icfg := cfg
		icfg.Role = psi.RoleInitiator
		s, err := psi.NewSession(icfg, in.initSet)
		if err == nil {
			ri, err = psi.Run(ctx, iconn, s, nil)
		}
		if err != nil {
			ie = fmt.Errorf("initiator: %w", err)
			cancel() // the responder would otherwise wait for frames forever
		}
	})
	wg.Go(func() {
		rcfg := cfg
		rcfg.Role = psi.RoleResponder
		s, err := psi.NewSession(rcfg, in.respSet)
		if err == nil {
			rr, err = psi.Run(ctx, rconn, s, nil)
		}
		if err != nil {
			re = fmt.Errorf("responder: %w", err)
			cancel()
		}
	})
	wg.Wait()
	m.wall = time.Since(start)
	if cpu1, ok := cputime.Process(); ok && cpuOK {
		m.cores = float64(cpu1-cpu0) / float64(m.wall)
	}
	m.peakHeap = sampler.Stop()
	after := readUint64s(allocMetrics)
	m.allocObjs, m.allocBytes, m.gcCycles = after[0]-beforeGC[0], after[1]-beforeGC[1], after[2]-beforeGC[2]
	if err := errors.Join(ie, re); err != nil {
		return nil, err
	}
	m.sentI2R, m.sentR2I = iconn.written.Load(), rconn.written.Load()
	if got := rconn.read.Load(); got != m.sentI2R {
		return nil, fmt.Errorf("initiator wrote %d bytes but the responder read %d", m.sentI2R, got)
	}
	if got := iconn.read.Load(); got != m.sentR2I {
		return nil, fmt.Errorf("responder wrote %d bytes but the initiator read %d", m.sentR2I, got)
	}
	m.ri, m.rr = ri, rr
	return &m, nil
}

// --- Verification ---

func verify(o options, in *inputs, ri, rr *psi.Result) error {
	n, half := in.n, in.n/2
	switch {
	case ri == nil || rr == nil:
		return errors.New("missing result")
	case ri.Role != psi.RoleInitiator || rr.Role != psi.RoleResponder:
		return fmt.Errorf("roles %v, %v", ri.Role, rr.Role)
	case ri.Mode != o.mode || rr.Mode != o.mode:
		return fmt.Errorf("modes %v, %v, want %v", ri.Mode, rr.Mode, o.mode)
	case ri.LocalSetSize != n || ri.PeerSetSize != n || rr.LocalSetSize != n || rr.PeerSetSize != n:
		return fmt.Errorf("set sizes %d/%d and %d/%d, want %d", ri.LocalSetSize, ri.PeerSetSize, rr.LocalSetSize, rr.PeerSetSize, n)
	case ri.SessionID != rr.SessionID:
		return errors.New("session IDs differ")
	case ri.Transcript != rr.Transcript:
		return errors.New("transcripts differ")
	case !ri.Learned:
		return errors.New("initiator learned nothing")
	case ri.Cardinality != half:
		return fmt.Errorf("initiator cardinality %d, want %d", ri.Cardinality, half)
	}

	// Initiator's matches: every index a shared element, in increasing
	// order, so n/2 of them cover the whole intersection.
	var handles []psi.Handle // by counter-n/2
	if o.mode == psi.CardinalityOnly {
		if len(ri.Matches) != 0 {
			return fmt.Errorf("initiator got %d matches in cardinality-only mode", len(ri.Matches))
		}
	} else {
		if len(ri.Matches) != half {
			return fmt.Errorf("initiator got %d matches, want %d", len(ri.Matches), half)
		}
		handles = make([]psi.Handle, half)
		respIndex := func(c uint64) int { return int(in.respPos[c-uint64(half)]) }
		if err := checkMatches("initiator", ri.Matches, in.initSet, in.respSet, respIndex, handles, true, n, o.payload > 0); err != nil {
			return err
		}
	}

	if o.mode != psi.BothLearn {
		if rr.Learned || len(rr.Matches) != 0 || rr.Cardinality != 0 {
			return fmt.Errorf("responder learned something in %v mode", o.mode)
		}
		return nil
	}
	switch {
	case !rr.Learned:
		return errors.New("responder learned nothing in both-learn mode")
	case rr.Cardinality != half || len(rr.Matches) != half:
		return fmt.Errorf("responder cardinality %d with %d matches, want %d", rr.Cardinality, len(rr.Matches), half)
	}
	initIndex := func(c uint64) int { return int(c) }
	return checkMatches("responder", rr.Matches, in.respSet, in.initSet, initIndex, handles, false, n, o.payload > 0)
}

// checkMatches checks one party's matches: increasing indices, each a
// shared element (counter in [n/2, n)) that the peer holds at peerIndex,
// carrying the peer's payload for it. The initiator's pass records each
// handle by counter; the responder's pass checks its handles equal them.
func checkMatches(side string, ms []psi.Match, own, peer psi.Set, peerIndex func(uint64) int, handles []psi.Handle, record bool, n int, payload bool) error {
	half := n / 2
	prev := -1
	for _, m := range ms {
		if m.Index <= prev || m.Index >= n {
			return fmt.Errorf("%s match index %d out of order or range", side, m.Index)
		}
		prev = m.Index
		e := own.Elements[m.Index]
		c := counterOf(e)
		if c < uint64(half) || c >= uint64(n) {
			return fmt.Errorf("%s match %d is not a shared element", side, m.Index)
		}
		j := peerIndex(c)
		if !bytes.Equal(e, peer.Elements[j]) {
			return fmt.Errorf("%s match %d is not in the peer's set", side, m.Index)
		}
		if record {
			handles[c-uint64(half)] = m.Handle
		} else if m.Handle != handles[c-uint64(half)] {
			return fmt.Errorf("%s match %d has a handle the peer does not", side, m.Index)
		}
		var want []byte
		if payload {
			want = peer.Payloads[j]
		}
		if !bytes.Equal(m.PeerPayload, want) {
			return fmt.Errorf("%s match %d carries the wrong payload", side, m.Index)
		}
	}
	return nil
}

// checkGoroutines waits briefly for the goroutine count to fall back to
// baseline and reports a leak if it does not.
func checkGoroutines(baseline int) error {
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > baseline {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			buf = buf[:runtime.Stack(buf, true)]
			return fmt.Errorf("%d goroutines left, %d at start:\n%s", runtime.NumGoroutine(), baseline, buf)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}
