package main

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/reunite-psi/reunite/internal/cputime"
	"github.com/reunite-psi/reunite/internal/kkrt"
	"github.com/reunite-psi/reunite/psi"
)

// runFast measures the fast suite's engine (internal/kkrt, KKRT16 OPRF-PSI)
// over loopback TCP, beside its own AES and SHA-256 floor and, up to
// 2^compareMax, beside suite 1 (ECDH) run in the same process.
func runFast(o options, stdout io.Writer) error {
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	procs := runtime.GOMAXPROCS(0)
	fmt.Fprintf(w, "# reunite fast-suite benchmark (KKRT16 engine, internal/kkrt)\n\n")
	fmt.Fprintln(w, machineLine())
	fmt.Fprintf(w, "- engine: the kkrt engine alone (receiver learns the intersection; no psi handshake, handles or payloads), %d-byte elements, 50%% overlap, both parties in this process over loopback TCP, length-prefixed frames\n", elementSize)
	fmt.Fprintf(w, "- Session: the same sets through psi.Session as suite 2 (psi.SuiteOTExtension) driven by psi.Run, mode %v, %d-byte payloads, with handshake, handles, payload key wraps and seals, reveals and Finish, result verified\n", o.mode, o.payload)
	progress("measuring AES and SHA-256 throughput…")
	f := measurePrimitives(o.floorRuns)
	fmt.Fprintf(w, "- primitives on one core (best of %d): AES-128 single block %.1f ns, AES-128-CTR %.2f ns/byte, SHA-256 one-block message %.1f ns, two-block message %.1f ns\n",
		o.floorRuns, ns(f.aesBlock), f.ctrByte, ns(f.sha1), ns(f.sha2))
	fmt.Fprintf(w, "- floor(n) = the AES and SHA-256 work the protocol cannot avoid at these costs (PRG bytes, 4 AES blocks per code word, one SHA-256 per element and per tag), divided by GOMAXPROCS\n")
	fmt.Fprintf(w, "- suite 1 (ECDH, psi.Run, mode both) is run in the same process for n ≤ 2^%d\n\n", o.compareMax)
	fmt.Fprintln(w, "| n per side | wall (s) | elements/s | elements/s per core | bytes/element R→S | bytes/element S→R | bytes/element total | peak heap (MiB) | floor (s) | ratio to floor | suite 1 wall (s) | speed-up over suite 1 | Session wall (s) | Session bytes/element total | Session peak heap (MiB) | Session speed-up over suite 1 |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	w.Flush()
	for e := o.min; e <= o.max; e++ {
		n := 1 << e
		in := newInputs(n, o.payload)
		progress("n = 2^%d: running the fast engine…", e)
		m, err := runFastSession(in)
		if err != nil {
			return fmt.Errorf("n = 2^%d: %w", e, err)
		}
		progress("n = 2^%d: running suite 2 through psi.Session…", e)
		so := o
		so.suites = []psi.Suite{psi.SuiteOTExtension}
		stop, err := startProfile(o.cpuProfile, e == o.max)
		if err != nil {
			return err
		}
		sm, err := runSession(so, in)
		stop()
		if err == nil && o.memProfile != "" && e == o.max {
			err = writeHeapProfile(o.memProfile)
		}
		if err != nil {
			return fmt.Errorf("n = 2^%d: suite 2 session: %w", e, err)
		}
		if err := verify(so, in, sm.ri, sm.rr); err != nil {
			return fmt.Errorf("n = 2^%d: suite 2 session wrong result: %w", e, err)
		}
		if sm.ri.Suite != psi.SuiteOTExtension {
			return fmt.Errorf("n = 2^%d: the session ran %v", e, sm.ri.Suite)
		}
		sm.ri, sm.rr = nil, nil
		progress("n = 2^%d: Session ok in %.3fs (cores obtained %s, CPU %.2fs), peak heap %.1f MiB, %d GC cycles",
			e, sm.wall.Seconds(), coresText(sm.cores), sm.cores*sm.wall.Seconds(), float64(sm.peakHeap)/(1<<20), sm.gcCycles)
		floor, err := f.floor(n)
		if err != nil {
			return err
		}
		eps := 2 * float64(n) / m.wall.Seconds()
		ecdhWall, speedup, sessionSpeedup := "–", "–", "–"
		if e <= o.compareMax {
			progress("n = 2^%d: running suite 1 for comparison…", e)
			em, err := runSession(o, in)
			if err != nil {
				return fmt.Errorf("n = 2^%d: suite 1: %w", e, err)
			}
			if err := verify(o, in, em.ri, em.rr); err != nil {
				return fmt.Errorf("n = 2^%d: suite 1 wrong result: %w", e, err)
			}
			ecdhWall = fmt.Sprintf("%.3f", em.wall.Seconds())
			speedup = fmt.Sprintf("%.1f×", em.wall.Seconds()/m.wall.Seconds())
			sessionSpeedup = fmt.Sprintf("%.1f×", em.wall.Seconds()/sm.wall.Seconds())
		}
		progress("n = 2^%d: ok in %.3fs (cores obtained %s), heap %.1f MiB before (inputs), peak %.1f MiB",
			e, m.wall.Seconds(), coresText(m.cores), float64(m.heapBefore)/(1<<20), float64(m.peakHeap)/(1<<20))
		fmt.Fprintf(w, "| %d (2^%d) | %.3f | %.0f | %.0f | %.1f | %.1f | %.1f | %.1f | %.3f | %.2f | %s | %s | %.3f | %.1f | %.1f | %s |\n",
			n, e, m.wall.Seconds(), eps, eps/float64(procs),
			float64(m.sentI2R)/float64(n), float64(m.sentR2I)/float64(n), float64(m.sentI2R+m.sentR2I)/float64(n),
			float64(m.peakHeap)/(1<<20), floor.Seconds(), m.wall.Seconds()/floor.Seconds(), ecdhWall, speedup,
			sm.wall.Seconds(), float64(sm.sentI2R+sm.sentR2I)/float64(n), float64(sm.peakHeap)/(1<<20), sessionSpeedup)
		w.Flush()
	}
	fmt.Fprintf(w, "\n- peak heap includes both input sets (%d bytes of element data plus a 24-byte slice header per element and side)\n", elementSize)
	return nil
}

// startProfile starts a CPU profile to path when on is set and path is not
// empty, and returns the function that stops it.
func startProfile(path string, on bool) (func(), error) {
	if path == "" || !on {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// writeHeapProfile writes the allocation profile so far (go tool pprof
// -sample_index=alloc_space shows where the bytes were allocated).
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	runtime.GC() // the profile covers allocations up to the last GC
	return pprof.Lookup("allocs").WriteTo(f, 0)
}

type primitiveCosts struct {
	aesBlock, sha1, sha2 time.Duration
	ctrByte              float64 // nanoseconds
}

func ns(d time.Duration) float64 { return float64(d) }

func measurePrimitives(runs int) primitiveCosts {
	const n = 1 << 16
	best := func(f func()) time.Duration {
		b := time.Duration(1<<63 - 1)
		for range runs {
			start := time.Now()
			f()
			b = min(b, time.Since(start))
		}
		return b
	}
	var key [16]byte
	_, _ = rand.Read(key[:])
	blk, _ := aes.NewCipher(key[:])
	var c primitiveCosts
	buf := make([]byte, 16*n)
	c.aesBlock = best(func() {
		for i := 0; i < len(buf); i += 16 {
			blk.Encrypt(buf[i:i+16], buf[i:i+16])
		}
	}) / n
	c.ctrByte = float64(best(func() {
		s := cipher.NewCTR(blk, make([]byte, 16))
		s.XORKeyStream(buf, buf)
	})) / float64(len(buf))
	var sink byte
	for _, size := range []int{32, 60} {
		msg := make([]byte, size)
		d := best(func() {
			for i := range n {
				msg[0] = byte(i)
				h := sha256.Sum256(msg)
				sink ^= h[0]
			}
		}) / n
		if size == 32 {
			c.sha1 = d
		} else {
			c.sha2 = d
		}
	}
	_ = sink
	return c
}

// floor returns the AES and SHA-256 time a session of n × n cannot avoid,
// at the measured single-core costs, divided by GOMAXPROCS.
func (c primitiveCosts) floor(n int) (time.Duration, error) {
	l, err := kkrt.LayoutOf(kkrt.Params{ReceiverSize: n, SenderSize: n, Context: make([]byte, kkrt.MinContext)})
	if err != nil {
		return 0, err
	}
	rows := l.Bins + l.Stash
	prgBytes := 3 * rows * kkrt.Width / 8 // receiver expands two seeds per column, sender one
	codeWords := rows + (3+l.Stash)*n     // receiver: one per bin; sender: one per (element, bin)
	tagHashes := n + (3+l.Stash)*n        // receiver: one per element; sender: one per tag
	elemHashes := 2 * n                   // both parties hash their elements once
	total := time.Duration(float64(prgBytes)*c.ctrByte) + time.Duration(4*codeWords)*c.aesBlock +
		time.Duration(tagHashes)*c.sha2 + time.Duration(elemHashes)*c.sha1
	return total / time.Duration(runtime.GOMAXPROCS(0)), nil
}

// runFastSession runs the receiver (dialling side, holding the initiator's
// set) and the sender (accepting side, the responder's set) in two
// goroutines over a loopback TCP connection.
func runFastSession(in *inputs) (*measurement, error) {
	dc, ac, err := connect()
	if err != nil {
		return nil, fmt.Errorf("loopback connection: %w", err)
	}
	rconn, sconn := &countingConn{Conn: dc}, &countingConn{Conn: ac}
	defer rconn.Close()
	defer sconn.Close()
	p := kkrt.Params{ReceiverSize: in.n, SenderSize: in.n, Context: make([]byte, 32)}
	if _, err := rand.Read(p.Context); err != nil {
		return nil, err
	}
	lay, err := kkrt.LayoutOf(p)
	if err != nil {
		return nil, err
	}
	maxFrame := max(kkrt.BaseOTSize, lay.MatrixChunkMax, lay.TagChunkMax)

	var (
		wg     sync.WaitGroup
		got    []int
		re, se error
		m      measurement
	)
	runtime.GC()
	sampler := startHeapSampler(sampleEvery)
	m.heapBefore = sampler.first
	cpu0, cpuOK := cputime.Process()
	start := time.Now()
	wg.Go(func() {
		got, re = fastReceiver(rconn, p, in.initSet.Elements, maxFrame)
		if re != nil {
			rconn.Close()
		}
	})
	wg.Go(func() {
		se = fastSender(sconn, p, in.respSet.Elements, maxFrame)
		if se != nil {
			sconn.Close()
		}
	})
	wg.Wait()
	m.wall = time.Since(start)
	if cpu1, ok := cputime.Process(); ok && cpuOK {
		m.cores = float64(cpu1-cpu0) / float64(m.wall)
	}
	m.peakHeap = sampler.Stop()
	if err := errors.Join(re, se); err != nil {
		return nil, err
	}
	m.sentI2R, m.sentR2I = rconn.written.Load(), sconn.written.Load()
	// The intersection is counters n/2 … n-1, which the initiator's set
	// holds at the same indices.
	if len(got) != in.n/2 {
		return nil, fmt.Errorf("wrong result: %d matches, want %d", len(got), in.n/2)
	}
	for i, v := range got {
		if v != in.n/2+i {
			return nil, fmt.Errorf("wrong result: match %d is index %d", i, v)
		}
	}
	return &m, nil
}

func writeFrame(w *bufio.Writer, b []byte) error {
	var h [4]byte
	binary.BigEndian.PutUint32(h[:], uint32(len(b)))
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	_, err := w.Write(b)
	return err
}

func readFrame(r *bufio.Reader, buf []byte, maxLen int) ([]byte, error) {
	var h [4]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint32(h[:]))
	if n > maxLen {
		return nil, fmt.Errorf("frame of %d bytes, limit %d", n, maxLen)
	}
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	_, err := io.ReadFull(r, buf)
	return buf, err
}

func fastReceiver(c net.Conn, p kkrt.Params, set [][]byte, maxFrame int) ([]int, error) {
	bw, br := bufio.NewWriterSize(c, 1<<16), bufio.NewReaderSize(c, 1<<16)
	r, err := kkrt.NewReceiver(p, set, rand.Reader)
	if err != nil {
		return nil, err
	}
	setup, err := r.Setup()
	if err != nil {
		return nil, err
	}
	if err := writeFrame(bw, setup); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	reply, err := readFrame(br, nil, maxFrame)
	if err != nil {
		return nil, err
	}
	if err := r.ReadBaseOT(reply); err != nil {
		return nil, err
	}
	var chunk []byte
	for range r.MatrixChunks() {
		chunk, err = r.AppendMatrixChunk(chunk[:0])
		if err != nil {
			return nil, err
		}
		if err := writeFrame(bw, chunk); err != nil {
			return nil, err
		}
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	buf := make([]byte, 0, maxFrame)
	for range r.TagChunks() {
		if buf, err = readFrame(br, buf, maxFrame); err != nil {
			return nil, err
		}
		if err := r.ReadTagChunk(buf); err != nil {
			return nil, err
		}
	}
	return r.Intersection()
}

func fastSender(c net.Conn, p kkrt.Params, set [][]byte, maxFrame int) error {
	bw, br := bufio.NewWriterSize(c, 1<<16), bufio.NewReaderSize(c, 1<<16)
	s, err := kkrt.NewSender(p, set, rand.Reader)
	if err != nil {
		return err
	}
	setup, err := readFrame(br, nil, maxFrame)
	if err != nil {
		return err
	}
	reply, err := s.ReadSetup(setup)
	if err != nil {
		return err
	}
	if err := writeFrame(bw, reply); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	buf := make([]byte, 0, maxFrame)
	for range s.MatrixChunks() {
		if buf, err = readFrame(br, buf, maxFrame); err != nil {
			return err
		}
		if err := s.ReadMatrixChunk(buf); err != nil {
			return err
		}
	}
	var chunk []byte
	for range s.TagChunks() {
		chunk, err = s.AppendTagChunk(chunk[:0])
		if err != nil {
			return err
		}
		if err := writeFrame(bw, chunk); err != nil {
			return err
		}
	}
	return bw.Flush()
}
