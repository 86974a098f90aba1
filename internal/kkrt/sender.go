package kkrt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"sync/atomic"
)

type senderState int

const (
	sSetup senderState = iota
	sMatrix
	sTags
	sDone
	sFailed
)

// Sender is the party that simple-hashes its set and sends OPRF tags; it
// learns nothing about the receiver's set beyond its agreed size. Its
// methods must be called in protocol order: ReadSetup, ReadMatrixChunk for
// every chunk, then TagChunk for every chunk; a sender from StartSender
// needs Prepare before the first matrix chunk. A Sender is not safe for
// concurrent use, except that Prepare may run while ReadSetup does.
type Sender struct {
	l     layout
	ctx   []byte
	rand  io.Reader
	state senderState

	// set and shuffle (the seed of the output order and of the random
	// secrets) wait for Prepare, which sets prepared.
	set      [][]byte
	shuffle  [32]byte
	prepared bool

	simple *simpleTable // entries index output positions
	choice row          // s: the base-OT choice bits, one per column
	prcKey [seedSize]byte
	prc    *prc
	coders prcs  // clones of prc, one per worker
	g      []prg // PRG of k_i^{s_i}
	chunk  int
	tagK   int

	col []byte
	q   []row
	// secrets holds, for each element in output order (a uniformly random
	// order) and each of its perElt slots, the slot's OPRF secret
	// (SecretSize bytes), from which the tag is derived as its chunk is
	// sent. Until the matrix phase computes it, one slot of each element
	// (inputSlot) holds the element's OPRF input x̂ instead: the sender
	// keeps no other copy of its inputs.
	secrets []byte
	// Without a stash, the input slot is last[k], the hash index of the
	// element's highest bin, so the input is read in every chunk that
	// needs it before it is overwritten; done marks the elements whose
	// input is gone. (With a stash, the input is in the last stash slot,
	// whose bin comes after all others.)
	last    []uint8
	done    []uint64
	pending [][]pendingSecret // per worker: input slots' secrets of the chunk, written after it
	// perm maps an output position to the element's index in the set.
	perm []int32
}

// pendingSecret is the secret of slot t (element·perElt + slot), kept
// until its chunk has read every input it needs.
type pendingSecret struct {
	t      int
	secret [SecretSize]byte
}

// NewSender returns the sender of a session with Params p over set, which
// must have exactly p.SenderSize distinct elements. rand must be a
// cryptographically secure source (crypto/rand.Reader in production). It
// fails with ErrDuplicate on equal elements. It is StartSender followed by
// Prepare.
func NewSender(p Params, set [][]byte, rand io.Reader) (*Sender, error) {
	s, err := StartSender(p, set, rand)
	if err != nil {
		return nil, err
	}
	if err := s.Prepare(); err != nil {
		return nil, err
	}
	return s, nil
}

// StartSender is NewSender without the work on the set: it checks the
// sizes and reads the randomness the sender needs before the matrix
// phase, in the same order, and leaves the hashing to Prepare. The sender
// keeps set until Prepare, and reads it nowhere else.
func StartSender(p Params, set [][]byte, rand io.Reader) (*Sender, error) {
	l, err := newLayout(p)
	if err != nil {
		return nil, err
	}
	if len(set) != p.SenderSize {
		return nil, fmt.Errorf("%w: set has %d elements, Params say %d", ErrSetSize, len(set), p.SenderSize)
	}
	s := &Sender{l: l, ctx: bytes.Clone(p.Context), rand: rand, set: set}
	if _, err := io.ReadFull(rand, s.shuffle[:]); err != nil {
		return nil, fmt.Errorf("kkrt: reading randomness: %w", err)
	}
	if _, err := io.ReadFull(rand, s.prcKey[:]); err != nil {
		return nil, fmt.Errorf("kkrt: reading randomness: %w", err)
	}
	s.prc = newPRC(s.prcKey[:])
	return s, nil
}

// Prepare puts the set in output order and in simple hashing's counts; it
// fails with ErrDuplicate on equal elements. A sender from StartSender
// needs it once, before its first ReadMatrixChunk. It needs no message
// and touches nothing that ReadSetup does, so it may run in another
// goroutine while ReadSetup does (and while the peer works): the caller
// must wait for it to return before any other call.
func (s *Sender) Prepare() error {
	if s.prepared || s.set == nil && s.l.nS > 0 {
		return fmt.Errorf("%w: Prepare called twice", ErrOrder)
	}
	set, l := s.set, s.l
	s.set = nil
	// The receiver sees the sender's tags in output order, a uniformly
	// random shuffle of the set, so the order of hits says nothing about
	// the order of the sender's set.
	rng := newRand(s.shuffle)
	n, per := len(set), l.perElt
	s.perm = make([]int32, n)
	for i := range s.perm {
		s.perm[i] = int32(i)
	}
	rng.Shuffle(n, func(i, j int) { s.perm[i], s.perm[j] = s.perm[j], s.perm[i] })
	// Each element's input goes to slot 0 of its place in output order,
	// then to its input slot. The set is hashed in its own order into
	// slot 1 of the element's index, and then moved to output order in a
	// loop that does nothing else, so that its cache misses overlap:
	// hashing set[perm[k]] straight to slot 0 waited for two misses per
	// element (slice header, then bytes), and writing each input to its
	// output place as it is hashed waited for one.
	seed := sessionSeed(s.ctx)
	s.secrets = make([]byte, n*per*SecretSize)
	parallel(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			x := hashElement(&seed, set[i])
			copy(s.slot(i, 1), x[:])
		}
	})
	parallel(n, func(lo, hi int) {
		for k := lo; k < hi; k++ {
			x := s.slot(int(s.perm[k]), 1) // read once: perm is a permutation
			copy(s.slot(k, 0), x)
			clear(x)
		}
	})
	// Slots 1 and 2, free until the inputs are placed, are the duplicate
	// check's table.
	if !l.distinct {
		if i, j, ok := distinct(slotInputs{s}, freeSlots{s}); !ok {
			return errDuplicate(int(s.perm[i]), int(s.perm[j]))
		}
	}
	if l.stash == 0 {
		s.last = make([]uint8, n)
		s.done = make([]uint64, (n+63)/64)
	}
	parallel(n, func(lo, hi int) {
		for k := lo; k < hi; k++ {
			x := [16]byte(s.slot(k, 0))
			if s.last != nil {
				s.last[k] = uint8(lastIndex(binsOf(&x, l.bins)))
			}
			copy(s.slot(k, s.inputSlot(k)), x[:])
		}
	})
	// Simple hashing's windows hold a quarter of the 3n entries each.
	s.simple = newSimple(s, l.bins, make([]uint32, 3*n/4+1))
	for k := range n {
		// A hash index whose bin repeats an earlier one of the same
		// element gets a random secret instead of a second copy (never
		// the input slot: that is a first index or a stash slot).
		pos := binsOf(s.input(k), l.bins)
		for h := 1; h < hashCount; h++ {
			if !firstIndex(&pos, h) {
				b := s.slot(k, h)
				for i := range b {
					b[i] = byte(rng.Uint32())
				}
			}
		}
	}
	s.prepared = true
	return nil
}

// slot returns slot t of the element at output position k.
func (s *Sender) slot(k, t int) []byte {
	i := k*s.l.perElt + t
	return s.secrets[i*SecretSize : (i+1)*SecretSize]
}

// inputSlot returns the slot that holds the input of the element at
// output position k until the matrix phase overwrites it.
func (s *Sender) inputSlot(k int) int {
	if s.last != nil {
		return int(s.last[k])
	}
	return s.l.perElt - 1
}

// count and input make the sender's inputs, kept in their input slots,
// the inputs of simple hashing.
func (s *Sender) count() int { return len(s.perm) }

func (s *Sender) input(k int) *[16]byte {
	if s.done != nil && s.done[k/64]&(1<<(k%64)) != 0 {
		return nil
	}
	return (*[16]byte)(s.slot(k, s.inputSlot(k)))
}

// slotInputs are the inputs while they are in slot 0, for the duplicate
// check.
type slotInputs struct{ s *Sender }

func (in slotInputs) count() int            { return len(in.s.perm) }
func (in slotInputs) input(k int) *[16]byte { return (*[16]byte)(in.s.slot(k, 0)) }

// freeSlots are slots 1 and 2 of every element (8 entries of 4 bytes) as
// scratch, while the inputs are in slot 0.
type freeSlots struct{ s *Sender }

func (f freeSlots) size() int { return 8 * len(f.s.perm) }

func (f freeSlots) entry(k int) []byte {
	return f.s.slot(k/8, 1+k%8/4)[k%4*4:]
}

func (f freeSlots) get(k int) uint32    { return binary.LittleEndian.Uint32(f.entry(k)) }
func (f freeSlots) set(k int, v uint32) { binary.LittleEndian.PutUint32(f.entry(k), v) }

// lastIndex returns the hash index of the highest of the bins pos that is
// not a repeat.
func lastIndex(pos [hashCount]uint32) int {
	best := 0
	for h := 1; h < hashCount; h++ {
		if firstIndex(&pos, h) && pos[h] > pos[best] {
			best = h
		}
	}
	return best
}

func (s *Sender) fail(err error) error {
	s.state = sFailed
	return err
}

func (s *Sender) expect(st senderState, what string) error {
	if s.state != st {
		return fmt.Errorf("%w: %s in sender state %d", ErrOrder, what, s.state)
	}
	return nil
}

// MatrixChunks returns the number of matrix chunks the sender reads.
func (s *Sender) MatrixChunks() int { return s.l.matrixChunks() }

// TagChunks returns the number of tag chunks the sender sends.
func (s *Sender) TagChunks() int { return s.l.tagChunks() }

// ReadSetup reads the receiver's setup message and returns the base-OT
// reply: a fresh PRC key and the Width elements B_i for secret random
// choice bits s.
func (s *Sender) ReadSetup(msg []byte) ([]byte, error) {
	if err := s.expect(sSetup, "ReadSetup"); err != nil {
		return nil, err
	}
	if len(msg) != SetupSize {
		return nil, s.fail(fmt.Errorf("%w: setup of %d bytes, want %d", ErrMessageSize, len(msg), SetupSize))
	}
	var buf [rowBytes]byte
	if _, err := io.ReadFull(s.rand, buf[:]); err != nil {
		return nil, s.fail(fmt.Errorf("kkrt: reading randomness: %w", err))
	}
	for w := range rowWords {
		s.choice[w] = binary.LittleEndian.Uint64(buf[8*w:])
	}
	bs, keys, err := otReceive(s.ctx, msg, &s.choice, s.rand)
	if err != nil {
		return nil, s.fail(err)
	}
	s.g = make([]prg, Width)
	for i := range Width {
		s.g[i] = newPRG(keys[i][:])
	}
	n := min(ChunkRows, s.l.rows)
	s.col = make([]byte, Width*n/8)
	s.q = make([]row, n)
	out := make([]byte, 0, BaseOTSize)
	out = append(out, s.prcKey[:]...)
	out = append(out, bs...)
	s.state = sMatrix
	return out, nil
}

// ReadMatrixChunk reads the next chunk of the matrix U. For bin j it
// forms q_j = t_j ⊕ (C(x_j) ∧ s) and computes, for every own element y
// hashed to j, the tag H(q_j ⊕ (C(y) ∧ s), j), which equals the
// receiver's H(t_j, j) exactly when y = x_j.
func (s *Sender) ReadMatrixChunk(msg []byte) error {
	if err := s.expect(sMatrix, "ReadMatrixChunk"); err != nil {
		return err
	}
	if !s.prepared {
		return fmt.Errorf("%w: ReadMatrixChunk before Prepare", ErrOrder)
	}
	k := s.chunk
	n := s.l.chunkRows(k)
	if len(msg) != n*rowBytes {
		return s.fail(fmt.Errorf("%w: matrix chunk %d of %d bytes, want %d", ErrMessageSize, k, len(msg), n*rowBytes))
	}
	stride := n / 8
	col := s.col[:Width*stride]
	parallel(Width, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			s.g[i].fill(col[i*stride : (i+1)*stride])
		}
	})
	transposeCols(s.q, col, n)
	for i := range n {
		for w := range rowWords {
			s.q[i][w] ^= binary.LittleEndian.Uint64(msg[(i*rowWords+w)*8:]) & s.choice[w]
		}
	}
	s.tagRows(k, s.q[:n])
	s.chunk++
	if s.chunk == s.l.matrixChunks() {
		s.col, s.q, s.g, s.simple, s.coders = nil, nil, nil, nil, nil
		s.last, s.done, s.pending = nil, nil, nil
		s.state = sTags
		if s.l.tagChunks() == 0 {
			s.state = sDone
		}
	}
	return nil
}

// tagRows computes the tags of every (element, hash index) whose bin is
// one of the rows of chunk k, whose rows q holds.
func (s *Sender) tagRows(k int, q []row) {
	per := s.l.perElt
	first := k * ChunkRows
	coders := s.coders.forWorkers(s.prc)
	if k < s.simple.chunks() {
		entries := s.simple.entries(s, k)
		for len(s.pending) < len(coders) {
			s.pending = append(s.pending, nil)
		}
		parallelEach(len(entries), len(coders), func(w, lo, hi int) {
			// Simple hashing reads the inputs of random elements:
			// gather a batch first, in a loop with nothing else to do,
			// so the cache misses overlap; then compute; then scatter.
			const batch = 512
			var xs [batch][16]byte
			var codes [batch]row
			var tags [batch][32]byte
			c := coders[w]
			pending := s.pending[w][:0]
			for a := lo; a < hi; a += batch {
				ents := entries[a:min(hi, a+batch)]
				for i, ent := range ents {
					// An entry's input is still there (not s.input,
					// which reads done, whose bits other workers set).
					k := int(ent >> 2)
					xs[i] = [16]byte(s.slot(k, s.inputSlot(k)))
				}
				c.encodeBatch(codes[:len(ents)], xs[:len(ents)])
				for i := range ents {
					code := &codes[i]
					bin := int(binsOf(&xs[i], s.l.bins)[ents[i]&3]) - first
					qj := &q[bin]
					for w := range rowWords {
						code[w] = qj[w] ^ code[w]&s.choice[w]
					}
					tags[i] = tagHash(code, first+bin)
				}
				for i, ent := range ents {
					e, h := int(ent>>2), int(ent&3)
					if s.last != nil && h == int(s.last[e]) {
						// The element's input slot. The chunk's entries
						// of an element are next to each other: those
						// in this batch have read the input already, but
						// one in another batch may not have yet, and then
						// the secret waits for the end of the chunk.
						if s.straddles(entries, a+i, a, a+len(ents)) {
							pending = append(pending, pendingSecret{t: e*per + h, secret: [SecretSize]byte(tags[i][32-SecretSize:])})
							continue
						}
						atomic.OrUint64(&s.done[e/64], 1<<(e%64))
					}
					s.keep(e*per+h, &tags[i])
				}
			}
			s.pending[w] = pending
		})
		for _, pending := range s.pending {
			for _, p := range pending {
				copy(s.secrets[p.t*SecretSize:], p.secret[:])
				e := p.t / per
				s.done[e/64] |= 1 << (e % 64)
			}
		}
	}
	// Stash bins: every element is evaluated there.
	for i := range q {
		j := first + i
		if j < s.l.bins || j >= s.l.bins+s.l.stash {
			continue
		}
		parallelEach(len(s.perm), len(coders), func(w, lo, hi int) {
			c := coders[w]
			const batch = 256
			var xs [batch][16]byte
			var codes [batch]row
			for a := lo; a < hi; a += batch {
				m := min(batch, hi-a)
				// The inputs are in the last stash slot, which the last
				// stash bin overwrites: read the batch first.
				for b := range m {
					xs[b] = *s.input(a + b)
				}
				c.encodeBatch(codes[:m], xs[:m])
				for b := range m {
					code := &codes[b]
					for w := range rowWords {
						code[w] = q[i][w] ^ code[w]&s.choice[w]
					}
					h := tagHash(code, j)
					s.keep((a+b)*per+hashCount+j-s.l.bins, &h)
				}
			}
		})
	}
}

// straddles reports whether the element of entries[g] has an entry in
// entries outside [lo, hi) (its entries are next to each other).
func (s *Sender) straddles(entries []uint32, g, lo, hi int) bool {
	e := entries[g] >> 2
	for j := g - 1; j >= 0 && entries[j]>>2 == e; j-- {
		if j < lo {
			return true
		}
	}
	for j := g + 1; j < len(entries) && entries[j]>>2 == e; j++ {
		if j >= hi {
			return true
		}
	}
	return false
}

// keep stores the secret of slot t's OPRF output h, from which its tag is
// derived when it is sent.
func (s *Sender) keep(t int, h *[32]byte) {
	copy(s.secrets[t*SecretSize:(t+1)*SecretSize], h[32-SecretSize:])
}

// Element returns the index in the sender's set of the element at output
// position k (the k-th element of the tag stream). It is valid from
// Prepare on.
func (s *Sender) Element(k int) int { return int(s.perm[k]) }

// Secret returns the OPRF secret of slot t (0 ≤ t < 3 + stash) of the
// element at output position k: the SecretSize bytes a receiver holding
// that element in that slot's bin also holds (Receiver.Secret). It is
// valid once every matrix chunk was read, and only with Params.Secrets;
// otherwise it returns nil. A slot whose bin repeats an earlier one of
// the same element has a random secret, as it has a random tag.
func (s *Sender) Secret(k, t int) []byte {
	if !s.l.secrets || s.state < sTags || s.state == sFailed {
		return nil
	}
	return s.slot(k, t)
}

// TagChunk returns the next chunk of tags: for ChunkElements elements (in
// a random order), 3 + stash tags each, in a new slice.
func (s *Sender) TagChunk() ([]byte, error) { return s.AppendTagChunk(nil) }

// AppendTagChunk appends the next chunk of tags to dst and returns the
// extended slice, so a caller can write them straight into a message.
// The tags are derived from the kept secrets here, on all cores.
func (s *Sender) AppendTagChunk(dst []byte) ([]byte, error) {
	if err := s.expect(sTags, "TagChunk"); err != nil {
		return nil, err
	}
	tl := s.l.tagLen
	first := s.tagK * ChunkElements * s.l.perElt // first slot of the chunk
	slots := s.l.tagChunkElems(s.tagK) * s.l.perElt
	dst = slices.Grow(dst, slots*tl)
	out := dst[len(dst) : len(dst)+slots*tl]
	parallel(slots, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			t := first + i
			tagOf(out[i*tl:(i+1)*tl], s.secrets[t*SecretSize:(t+1)*SecretSize])
		}
	})
	s.tagK++
	if s.tagK == s.l.tagChunks() {
		s.state = sDone
		if !s.l.secrets {
			s.secrets = nil
		}
	}
	return dst[:len(dst)+slots*tl], nil
}
