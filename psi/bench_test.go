package psi

import (
	"encoding/binary"
	"fmt"
	"hash"
	"maps"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/internal/cputime"
	"github.com/reunite-psi/reunite/internal/ristretto255"
	"github.com/reunite-psi/reunite/internal/testrand"
)

// Benchmarks of the ECDH-PSI protocol, named protocol → party → step:
//
//	BenchmarkECDHPSI/initiator/blind-chunk         Send of one full Blinded chunk
//	BenchmarkECDHPSI/responder/evaluate-chunk      Receive of that chunk
//	BenchmarkECDHPSI/responder/send-evaluated-chunk
//	BenchmarkECDHPSI/responder/tags-chunk          Send of one full Tags chunk
//	BenchmarkECDHPSI/initiator/unblind-chunk       Receive of one Evaluated chunk
//	BenchmarkECDHPSI/initiator/match-tags-chunk    Receive of one Tags chunk
//	BenchmarkECDHPSI/initiator/reveal-chunk        Send of the Reveal chunk (n/2 entries)
//	BenchmarkECDHPSI/responder/open-reveal-chunk   Receive of it
//	BenchmarkECDHPSI/both/session-2^k              a whole session in memory
//	BenchmarkECDHPSI/primitives/...                single-core cost of each primitive
//
// Step benchmarks replay one call of a recorded session: a seeded session
// of benchChunk elements per side (one full chunk, 50% overlap) is run once,
// each party's state is deep-copied before every Send and Receive, and each
// iteration times that one call on a fresh copy of the state (the copy is
// made with the timer stopped). So a step is measured through the real
// Send/Receive path, decoding, checks and map updates included, without
// re-running the expensive phases before it. Metrics:
//
//	ns/element      time per element of the chunk (per entry for reveal steps;
//	                per element of both sets, 2n, for whole sessions)
//	B/element       wire bytes of the frame (header included) per element
//	allocs/element  heap allocations per element, measured around the timed call
//
// Sessions report i2r-B/element and r2i-B/element: bytes each way over n.

// benchChunk is the set size per side of recorded sessions: one full chunk.
const benchChunk = encoding.MaxChunkElements

// benchCall is one Send or Receive of a recorded session.
type benchCall struct {
	role   Role
	send   bool
	typ    encoding.MessageType
	before *Session       // deep copy of the caller's state before the call
	frame  encoding.Frame // the frame sent, or the parsed frame received
	wire   int            // encoded frame size in bytes
}

type benchRecording struct {
	n     int
	calls []benchCall
}

var (
	benchMu         sync.Mutex
	benchRecordings = map[string]*benchRecording{}
)

// benchElements returns n distinct 16-byte elements numbered from first.
func benchElements(first, n int) [][]byte {
	backing := make([]byte, 16*n)
	out := make([][]byte, n)
	for i := range out {
		e := backing[16*i : 16*(i+1)]
		copy(e, "psibench")
		binary.BigEndian.PutUint64(e[8:], uint64(first+i))
		out[i] = e
	}
	return out
}

func benchSets(n, payload int) (Set, Set) {
	a, b := Set{Elements: benchElements(0, n)}, Set{Elements: benchElements(n/2, n)}
	if payload > 0 {
		for range n {
			a.Payloads = append(a.Payloads, make([]byte, payload))
			b.Payloads = append(b.Payloads, make([]byte, payload))
		}
	}
	return a, b
}

// benchRecord runs (once per configuration, then cached) a seeded session of
// n elements per side, snapshotting each party before each call.
func benchRecord(b *testing.B, mode Mode, payload, n int) *benchRecording {
	b.Helper()
	key := fmt.Sprintf("%v/%d/%d", mode, payload, n)
	benchMu.Lock()
	defer benchMu.Unlock()
	if rec := benchRecordings[key]; rec != nil {
		return rec
	}
	cfg := Config{Context: []byte("bench"), Mode: mode, PayloadSize: payload}
	setI, setR := benchSets(n, payload)
	ini, err := newInitiatorWithRand(cfg, setI, testrand.New("bench-i "+key))
	if err != nil {
		b.Fatal(err)
	}
	resp, err := newResponderWithRand(cfg, setR, testrand.New("bench-r "+key))
	if err != nil {
		b.Fatal(err)
	}
	rec := &benchRecording{n: n}
	for steps := 0; ini.Turn() != TurnDone || resp.Turn() != TurnDone; steps++ {
		if steps > 1<<16 {
			b.Fatal("recorded session does not terminate")
		}
		from, to := ini, resp
		if from.Turn() != TurnSend {
			from, to = to, from
		}
		if from.Turn() != TurnSend || to.Turn() != TurnReceive {
			b.Fatalf("recorded session stuck: %v %v, %v %v", from.role, from.Turn(), to.role, to.Turn())
		}
		before := benchClone(from)
		f, err := from.Send()
		if err != nil {
			b.Fatalf("%v Send: %v", from.role, err)
		}
		raw, err := f.MarshalBinary()
		if err != nil {
			b.Fatal(err)
		}
		rec.calls = append(rec.calls, benchCall{role: from.role, send: true, typ: f.Type, before: before, frame: f, wire: len(raw)})
		parsed, err := encoding.ParseFrame(raw)
		if err != nil {
			b.Fatal(err)
		}
		before = benchClone(to)
		if err := to.Receive(parsed); err != nil {
			b.Fatalf("%v Receive: %v", to.role, err)
		}
		rec.calls = append(rec.calls, benchCall{role: to.role, typ: f.Type, before: before, frame: parsed, wire: len(raw)})
	}
	ri, err := ini.Result()
	if err != nil {
		b.Fatal(err)
	}
	if ri.Cardinality != n/2 {
		b.Fatalf("recorded session found %d matches, want %d", ri.Cardinality, n/2)
	}
	benchRecordings[key] = rec
	return rec
}

// benchClone returns a copy of s that shares nothing mutable with it, so a
// call on the copy leaves s (and other copies) as they were. Maps keep the
// size hints the session gave them, so inserts cost what they cost in a real
// session. The randomness source stays shared: copies draw different bytes,
// which changes nothing a benchmark measures.
func benchClone(s *Session) *Session {
	c := *s
	t, err := s.transcript.(hash.Cloner).Clone()
	if err != nil {
		panic(err)
	}
	c.transcript = t.(hash.Hash)
	nOwn, nPeer := len(s.set.Elements), s.peerSize
	c.ownTags = benchCloneMap(s.ownTags, nOwn)
	c.peerTags = benchCloneMap(s.peerTags, nPeer)
	c.ownPoints = slices.Clone(s.ownPoints)
	c.found = slices.Clone(s.found)
	c.evaluated = slices.Clone(s.evaluated)
	c.proofs = slices.Clone(s.proofs)
	c.tagOrder = slices.Clone(s.tagOrder)
	if s.tagPrep != nil {
		// The copy computes its tag points in the Sends that need them
		// (waitTagPoints), so that the tags step times that work; the
		// original's goroutine must be done before its points are copied.
		<-s.tagPrep.done
		p := &tagPrep{ready: make([]chan struct{}, len(s.tagPrep.ready)), stop: make(chan struct{}), done: make(chan struct{})}
		for k := range p.ready {
			p.ready[k] = make(chan struct{})
		}
		close(p.stop)
		close(p.done)
		c.tagPrep = p
	}
	c.tagPoints = slices.Clone(s.tagPoints)
	c.ownAffine = slices.Clone(s.ownAffine)
	c.matches = slices.Clone(s.matches)
	c.helloFrame = slices.Clone(s.helloFrame)
	return &c
}

func benchCloneMap[K comparable, V any](m map[K]V, hint int) map[K]V {
	if m == nil {
		return nil
	}
	c := make(map[K]V, max(hint, len(m)))
	maps.Copy(c, m)
	return c
}

// benchStep times one recorded call: the first Send (send) or Receive by
// role of a frame of type typ, in a recorded session of benchChunk elements
// per side. Per-element metrics divide by the number of elements (or reveal
// entries) in that frame.
func benchStep(b *testing.B, mode Mode, payload int, role Role, send bool, typ encoding.MessageType) {
	rec := benchRecord(b, mode, payload, benchChunk)
	i := slices.IndexFunc(rec.calls, func(c benchCall) bool { return c.role == role && c.send == send && c.typ == typ })
	if i < 0 {
		b.Fatalf("no %v %v call in the recorded session", role, typ)
	}
	call := rec.calls[i]
	elements := benchFrameElements(b, call.frame)

	var m0, m1 runtime.MemStats
	var mallocs uint64
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		s := benchClone(call.before)
		runtime.ReadMemStats(&m0)
		b.StartTimer()
		var err error
		if send {
			_, err = s.Send()
		} else {
			err = s.Receive(call.frame)
		}
		b.StopTimer()
		runtime.ReadMemStats(&m1)
		mallocs += m1.Mallocs - m0.Mallocs
		if err != nil {
			b.Fatal(err)
		}
		// The last Blinded chunk starts the responder's tag points in a
		// goroutine of its own (prepareTags): not part of the step.
		s.stopTagPoints()
		b.StartTimer()
	}
	b.StopTimer()
	per := float64(b.N) * float64(elements)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/per, "ns/element")
	b.ReportMetric(float64(call.wire)/float64(elements), "B/element")
	b.ReportMetric(float64(mallocs)/per, "allocs/element")
}

// benchFrameElements returns the number of elements (or reveal entries) a
// chunk frame carries.
func benchFrameElements(b *testing.B, f encoding.Frame) int {
	var n int
	var err error
	switch f.Type {
	case encoding.TypeBlinded:
		var c encoding.PointChunk
		err = c.UnmarshalBinary(f.Body)
		n = c.Len()
	case encoding.TypeEvaluated:
		var c encoding.EvaluatedChunk
		err = c.UnmarshalBinary(f.Body)
		n = c.Len()
	case encoding.TypeTags, encoding.TypeReveal:
		var c encoding.SealedChunk
		err = c.UnmarshalBinary(f.Body)
		n = c.Len()
	default:
		b.Fatalf("%v is not a chunk frame", f.Type)
	}
	if err != nil || n == 0 {
		b.Fatalf("%v frame: %d elements, %v", f.Type, n, err)
	}
	return n
}

// benchSession runs whole sessions of n elements per side in memory through
// the public constructors, each frame through its byte encoding.
func benchSession(b *testing.B, mode Mode, payload, n int) {
	cfg := Config{Context: []byte("bench"), Mode: mode, PayloadSize: payload}
	setI, setR := benchSets(n, payload)
	var i2r, r2i int
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	b.ResetTimer()
	for range b.N {
		i2r, r2i = benchRun(b, cfg, setI, setR, n)
	}
	b.StopTimer()
	runtime.ReadMemStats(&m1)
	per := float64(b.N) * float64(2*n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/per, "ns/element")
	b.ReportMetric(float64(i2r)/float64(n), "i2r-B/element")
	b.ReportMetric(float64(r2i)/float64(n), "r2i-B/element")
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/per, "allocs/element")
}

// benchRun runs one session and returns the bytes sent each way.
func benchRun(b *testing.B, cfg Config, setI, setR Set, n int) (i2r, r2i int) {
	ini, resp := benchPair(b, cfg, setI, setR, true)
	for ini.Turn() != TurnDone || resp.Turn() != TurnDone {
		from, wire := benchFrame(b, ini, resp)
		if from == RoleInitiator {
			i2r += wire
		} else {
			r2i += wire
		}
	}
	benchCheck(b, ini, n)
	return i2r, r2i
}

// benchPair returns an initiator and a responder with fresh randomness, with
// or without proofs.
func benchPair(b *testing.B, cfg Config, setI, setR Set, proofs bool) (ini, resp *Session) {
	ini, err := newInitiator(cfg, setI)
	if err != nil {
		b.Fatal(err)
	}
	resp, err = newResponder(cfg, setR)
	if err != nil {
		b.Fatal(err)
	}
	ini.skipProofs, resp.skipProofs = !proofs, !proofs
	return ini, resp
}

// benchFrame moves one frame between ini and resp, through its byte
// encoding, and returns its sender and its size on the wire.
func benchFrame(b *testing.B, ini, resp *Session) (Role, int) {
	var from, to *Session = ini, resp
	if from.Turn() != TurnSend {
		from, to = to, from
	}
	if from.Turn() != TurnSend || to.Turn() != TurnReceive {
		b.Fatalf("session stuck: %v %v, %v %v", from.Role(), from.Turn(), to.Role(), to.Turn())
	}
	f, err := from.Send()
	if err != nil {
		b.Fatal(err)
	}
	raw, err := f.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	parsed, err := encoding.ParseFrame(raw)
	if err != nil {
		b.Fatal(err)
	}
	if err := to.Receive(parsed); err != nil {
		b.Fatal(err)
	}
	return from.Role(), len(raw)
}

// benchCheck checks that the initiator found the n/2 shared elements.
func benchCheck(b *testing.B, ini *Session, n int) {
	if r, err := ini.Result(); err != nil || r.Cardinality != n/2 {
		b.Fatalf("session result %+v, %v", r, err)
	}
}

// benchPrimitive times fn over benchChunk inputs on one goroutine.
func benchPrimitive(b *testing.B, fn func(i int)) {
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for i := range benchChunk {
			fn(i)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(b.N)*benchChunk), "ns/element")
}

func benchPrimitives(b *testing.B) {
	var sid [32]byte
	copy(sid[:], "bench session id")
	k, err := randomScalar(testrand.New("bench-primitives"))
	if err != nil {
		b.Fatal(err)
	}
	elements := benchElements(0, benchChunk)
	points := make([]ristretto255.Element, benchChunk)
	encoded := make([]byte, benchChunk*encoding.ElementSize)
	var scratch []byte
	for i := range points {
		hashToGroup(&points[i], &scratch, &sid, elements[i])
		points[i].AppendBytes(encoded[i*encoding.ElementSize : i*encoding.ElementSize])
	}
	point := func(i int) []byte { return encoded[i*encoding.ElementSize : (i+1)*encoding.ElementSize] }
	var p ristretto255.Element
	b.Run("hash-to-group", func(b *testing.B) {
		benchPrimitive(b, func(i int) { hashToGroup(&p, &scratch, &sid, elements[i]) })
	})
	b.Run("scalar-mult", func(b *testing.B) {
		benchPrimitive(b, func(i int) { p.ScalarMult(k, &points[i]) })
	})
	b.Run("encode", func(b *testing.B) {
		out := make([]byte, 0, encoding.ElementSize)
		benchPrimitive(b, func(i int) { out = points[i].AppendBytes(out[:0]) })
	})
	b.Run("decode", func(b *testing.B) {
		benchPrimitive(b, func(i int) {
			if _, err := p.SetCanonicalBytes(point(i)); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("tag", func(b *testing.B) {
		benchPrimitive(b, func(i int) { _ = tagOf(&sid, point(i)) })
	})
	b.Run("seal-32", func(b *testing.B) {
		payload, out := make([]byte, 32), make([]byte, 0, 32+encoding.SealOverhead)
		benchPrimitive(b, func(i int) { out = seal(out[:0], labelSealR2I, &sid, point(i), payload) })
	})
}

func BenchmarkECDHPSI(b *testing.B) {
	step := func(role Role, send bool, typ encoding.MessageType, payload int) func(*testing.B) {
		return func(b *testing.B) { benchStep(b, BothLearn, payload, role, send, typ) }
	}
	b.Run("initiator", func(b *testing.B) {
		b.Run("blind-chunk", step(RoleInitiator, true, encoding.TypeBlinded, 0))
		b.Run("unblind-chunk", step(RoleInitiator, false, encoding.TypeEvaluated, 0))
		b.Run("match-tags-chunk", step(RoleInitiator, false, encoding.TypeTags, 0))
		b.Run("match-tags-chunk-payload-32", step(RoleInitiator, false, encoding.TypeTags, 32))
		b.Run("reveal-chunk", step(RoleInitiator, true, encoding.TypeReveal, 0))
		b.Run("reveal-chunk-payload-32", step(RoleInitiator, true, encoding.TypeReveal, 32))
	})
	b.Run("responder", func(b *testing.B) {
		b.Run("evaluate-chunk", step(RoleResponder, false, encoding.TypeBlinded, 0))
		b.Run("send-evaluated-chunk", step(RoleResponder, true, encoding.TypeEvaluated, 0))
		b.Run("tags-chunk", step(RoleResponder, true, encoding.TypeTags, 0))
		b.Run("tags-chunk-payload-32", step(RoleResponder, true, encoding.TypeTags, 32))
		b.Run("open-reveal-chunk", step(RoleResponder, false, encoding.TypeReveal, 0))
		b.Run("open-reveal-chunk-payload-32", step(RoleResponder, false, encoding.TypeReveal, 32))
	})
	b.Run("both", func(b *testing.B) {
		for _, k := range []int{12, 14} {
			b.Run(fmt.Sprintf("session-2^%d", k), func(b *testing.B) { benchSession(b, BothLearn, 0, 1<<k) })
		}
		b.Run("session-2^12-payload-32", func(b *testing.B) { benchSession(b, BothLearn, 32, 1<<12) })
		b.Run("session-2^12-cardinality", func(b *testing.B) { benchSession(b, CardinalityOnly, 0, 1<<12) })
	})
	b.Run("primitives", benchPrimitives)
}

// benchProofChunks returns, for n elements in full chunks, each chunk's
// blinded inputs and evaluated outputs (decoded and encoded) under k, and
// the blinded inputs' affine forms, which the initiator keeps.
func benchProofChunks(b *testing.B, n int, k *ristretto255.Scalar) (cEnc, dEnc, cAff [][]byte, cPts, dPts [][]*ristretto255.Element) {
	var sid [32]byte
	elements := benchElements(0, n)
	for lo := 0; lo < n; lo += encoding.MaxChunkElements {
		hi := min(n, lo+encoding.MaxChunkElements)
		c := make([]byte, (hi-lo)*encoding.ElementSize)
		aff := make([]byte, (hi-lo)*ristretto255.AffineSize)
		blindElements(c, aff, &sid, k, elements[lo:hi])
		cp, err := decodePoints(c)
		if err != nil {
			b.Fatal(err)
		}
		d := make([]byte, len(c))
		multiplyPoints(d, cp, k)
		dp, err := decodePoints(d)
		if err != nil {
			b.Fatal(err)
		}
		cEnc, dEnc, cAff = append(cEnc, c), append(dEnc, d), append(cAff, aff)
		cPts, dPts = append(cPts, cp), append(dPts, dp)
	}
	return cEnc, dEnc, cAff, cPts, dPts
}

// BenchmarkProofOverhead measures, in one run, what verifiable evaluation
// adds to a both-learn session of 2^16 elements per side. Each iteration
// runs two such sessions in memory, through the public API and each frame
// through its encoding: one with proofs, and the same session without them
// (skipProofs: the responder sends all-zero proofs and the initiator
// verifies nothing, everything else unchanged). The two run in lockstep,
// one frame of each in turn, the first of each pair alternating, and each
// frame's Send and Receive are timed by wall clock and by process CPU time
// and charged to its session: a machine whose load changes during the run
// then weighs on both alike. The responder's tag points, which a session
// computes in a goroutine of its own (prepareTags), are waited for in the
// frame that starts them, so that their work is charged to their own
// session too. Metrics:
//
//	session-s, noproof-s  wall time of a session with and without proofs
//	proof-%               session-s / noproof-s − 1
//	cpu-proof-%           the same ratio of CPU seconds (Linux only), which
//	                      time slices lost to other processes do not inflate
//	parts-%               the proof work alone (per 4096-element chunk,
//	                      GenerateProof, and the initiator's reading of its
//	                      blinded points from their affine forms and
//	                      VerifyProof), timed apart over
//	                      the same evaluations, ÷ noproof-s: a cross-check
//	cpu-parts-%           the same in CPU seconds (Linux only)
//
// Both sessions' garbage is collected by whichever frame is running when
// the collector starts, so the small extra garbage of the proofs is shared
// between them; parts-% includes none of it.
//
//	go test ./psi -run '^$' -bench ProofOverhead -benchtime 3x
func BenchmarkProofOverhead(b *testing.B) {
	const n = 1 << 16
	cfg := Config{Context: []byte("bench"), Mode: BothLearn}
	setI, setR := benchSets(n, 0)

	k, err := randomScalar(testrand.New("bench-proof"))
	if err != nil {
		b.Fatal(err)
	}
	commit := new(ristretto255.Element).ScalarBaseMult(k)
	bm := commit.Bytes()
	var sid [32]byte
	q := proofContext(&sid)
	cEnc, dEnc, cAff, cPts, dPts := benchProofChunks(b, n, k)
	r, err := randomScalar(testrand.New("bench-proof-r"))
	if err != nil {
		b.Fatal(err)
	}

	var wall, cpu [2]time.Duration // [with proofs, without]
	cpuOK := true
	var parts, cpuParts time.Duration
	b.ResetTimer()
	for range b.N {
		var pairs [2][2]*Session
		for j := range pairs {
			pairs[j][0], pairs[j][1] = benchPair(b, cfg, setI, setR, j == 0)
		}
		runtime.GC()
		for step := 0; ; step++ {
			moved := false
			for j := range 2 {
				j = (j + step) % 2
				ini, resp := pairs[j][0], pairs[j][1]
				if ini.Turn() == TurnDone && resp.Turn() == TurnDone {
					continue
				}
				moved = true
				c0, ok0 := cputime.Process()
				start := time.Now()
				benchFrame(b, ini, resp)
				if p := resp.tagPrep; p != nil {
					<-p.done // charged to this session, not to the other's frames
				}
				wall[j] += time.Since(start)
				c1, ok1 := cputime.Process()
				cpuOK = cpuOK && ok0 && ok1
				cpu[j] += c1 - c0
			}
			if !moved {
				break
			}
		}
		for j := range pairs {
			benchCheck(b, pairs[j][0], n)
		}
		pairs = [2][2]*Session{}

		runtime.GC()
		c0, ok0 := cputime.Process()
		start := time.Now()
		for c := range cEnc {
			p := q.prove(k, bm, cEnc[c], dEnc[c], cPts[c], r)
			own, err := affinePoints(cAff[c])
			if err != nil {
				b.Fatal(err)
			}
			if !q.verify(commit, bm, cEnc[c], dEnc[c], own, dPts[c], p[:]) {
				b.Fatal("proof does not verify")
			}
		}
		parts += time.Since(start)
		c1, ok1 := cputime.Process()
		cpuOK = cpuOK && ok0 && ok1
		cpuParts += c1 - c0
	}
	b.StopTimer()
	b.ReportMetric(wall[0].Seconds()/float64(b.N), "session-s")
	b.ReportMetric(wall[1].Seconds()/float64(b.N), "noproof-s")
	b.ReportMetric(100*(wall[0].Seconds()/wall[1].Seconds()-1), "proof-%")
	if cpuOK && cpu[1] > 0 {
		b.ReportMetric(100*(cpu[0].Seconds()/cpu[1].Seconds()-1), "cpu-proof-%")
	}
	b.ReportMetric(100*parts.Seconds()/wall[1].Seconds(), "parts-%")
	if cpuOK && cpu[1] > 0 {
		b.ReportMetric(100*cpuParts.Seconds()/cpu[1].Seconds(), "cpu-parts-%")
	}
}
