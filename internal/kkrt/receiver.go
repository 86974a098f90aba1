package kkrt

import (
	"bytes"
	"cmp"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
)

type receiverState int

const (
	rSetup receiverState = iota
	rBaseOT
	rMatrix
	rTags
	rDone
	rFailed
)

// Receiver is the party that holds the cuckoo table and learns the
// intersection. Its methods must be called in protocol order: Setup,
// ReadBaseOT, AppendMatrixChunk for every chunk, ReadTagChunk for every chunk,
// then Intersection; a receiver from StartReceiver needs Prepare before the
// first matrix chunk. A Receiver is not safe for concurrent use, except
// that Prepare may run while Setup and ReadBaseOT do.
type Receiver struct {
	l     layout
	ctx   []byte
	rand  io.Reader
	state receiverState

	// set and walk (the seed of cuckoo insertion's random walk) wait for
	// Prepare, which sets prepared.
	set      [][]byte
	walk     [32]byte
	prepared bool

	// xs holds each own element's OPRF input x̂ until its bin's matrix
	// row is made, and from then on the element's OPRF secret (SecretSize
	// bytes, what Secret returns), from which its tag is derived (tagOf):
	// x̂ is read once, so the secret takes its place.
	xs     [][16]byte
	table  *cuckooTable // bin → own element; its memory becomes lookup
	slots  []uint8      // per own element, in the matrix phase: the slot of the tag stream its tag can appear in
	ot     *otSender
	prc    *prc
	coders prcs  // clones of prc, one per worker
	g0     []prg // PRG of k_i^0: column t_i
	g1     []prg // PRG of k_i^1
	chunk  int   // next matrix chunk
	tagK   int   // next tag chunk

	col0, col1 []byte // column buffers of one chunk
	t, d       []row  // rows of T and of T ⊕ T' for one chunk

	lookup   []uint32 // open addressing over own tags: entry(element, slot, tag)
	elemBits uint     // bits of a lookup entry that hold element + 1
	hit      []uint32 // per own element: 1 + the position of its tag in the tag stream, or 0
	order    []uint32 // the own elements hit so far, in the order of their tags' positions
	last     []Hit    // the hits of the last tag chunk
	local    [][]Hit  // per worker: its hits in the tag chunk being read
}

// A lookup entry packs an own element e+1 (elemBits bits, 0 is empty),
// the slot of the sender's tag stream its tag can appear in (0 … 10: its
// hash function, or 3 + its stash slot; 4 bits) and, in the bits left,
// the low bits of its tag (fingerprint), so that most probes are settled
// without deriving the own tag from its secret.
const slotBits = 4

func (r *Receiver) entry(e, slot int, tag uint64) uint32 {
	return uint32(e+1) | uint32(slot)<<r.elemBits | uint32(tag)<<(r.elemBits+slotBits)
}

// Hit is one of the receiver's elements found in the sender's set.
type Hit struct {
	// Element is the index of the element in the receiver's set.
	Element int
	// Position is the index of the matching tag in the sender's tag
	// stream: output position k of the sender's element times
	// (3 + stash), plus the slot. Sender.Element(Position / (3+stash))
	// is the sender's index of the same element.
	Position int64
}

// NewReceiver returns the receiver of a session with Params p over set,
// which must have exactly p.ReceiverSize distinct elements. rand must be a
// cryptographically secure source (crypto/rand.Reader in production). It
// hashes the set into the cuckoo table, so it fails with ErrDuplicate or,
// with probability below 2^-40, ErrCuckoo. It is StartReceiver followed by
// Prepare.
func NewReceiver(p Params, set [][]byte, rand io.Reader) (*Receiver, error) {
	r, err := StartReceiver(p, set, rand)
	if err != nil {
		return nil, err
	}
	if err := r.Prepare(); err != nil {
		return nil, err
	}
	return r, nil
}

// StartReceiver is NewReceiver without the work on the set: it checks the
// sizes and reads the randomness the receiver needs, in the same order,
// and leaves the cuckoo table to Prepare. The receiver does not read set
// before Prepare, nor keep it after.
func StartReceiver(p Params, set [][]byte, rand io.Reader) (*Receiver, error) {
	l, err := newLayout(p)
	if err != nil {
		return nil, err
	}
	if len(set) != p.ReceiverSize {
		return nil, fmt.Errorf("%w: set has %d elements, Params say %d", ErrSetSize, len(set), p.ReceiverSize)
	}
	r := &Receiver{l: l, ctx: bytes.Clone(p.Context), rand: rand, set: set}
	if _, err := io.ReadFull(rand, r.walk[:]); err != nil {
		return nil, fmt.Errorf("kkrt: reading randomness: %w", err)
	}
	return r, nil
}

// Prepare hashes the set into the cuckoo table; it fails with
// ErrDuplicate or, with probability below 2^-40, ErrCuckoo. A receiver
// from StartReceiver needs it once, before its first AppendMatrixChunk.
// It needs no message and touches nothing that Setup and ReadBaseOT do,
// so it may run in another goroutine while they do (and while the peer
// works): the caller must wait for it to return before any other call.
func (r *Receiver) Prepare() error {
	if r.prepared || r.set == nil && r.l.nR > 0 {
		return fmt.Errorf("%w: Prepare called twice", ErrOrder)
	}
	set := r.set
	r.set = nil
	seed := sessionSeed(r.ctx)
	xs := hashSet(&seed, set)
	// The cuckoo table is the duplicate check's table first.
	table := newCuckooTable(r.l.bins, r.l.stash)
	if !r.l.distinct {
		if i, j, ok := distinct(inputSlice(xs), words(table.slots)); !ok {
			return errDuplicate(i, j)
		}
		clear(table.slots)
	}
	if err := buildCuckoo(table, xs, newRand(r.walk)); err != nil {
		return err
	}
	r.xs, r.table, r.elemBits = xs, table, uint(bits.Len(uint(len(xs))))
	r.slots = make([]uint8, len(xs))
	r.prepared = true
	return nil
}

func newRand(seed [32]byte) *rand.Rand { return rand.New(rand.NewChaCha8(seed)) }

func (r *Receiver) fail(err error) error {
	r.state = rFailed
	return err
}

func (r *Receiver) expect(s receiverState, what string) error {
	if r.state != s {
		return fmt.Errorf("%w: %s in receiver state %d", ErrOrder, what, r.state)
	}
	return nil
}

// Setup returns the first message: the receiver's base-OT element A.
func (r *Receiver) Setup() ([]byte, error) {
	if err := r.expect(rSetup, "Setup"); err != nil {
		return nil, err
	}
	ot, err := newOTSender(r.rand)
	if err != nil {
		return nil, r.fail(err)
	}
	r.ot = ot
	r.state = rBaseOT
	return bytes.Clone(ot.aBytes), nil
}

// ReadBaseOT reads the sender's base-OT reply (the PRC key and Width
// elements B_i) and derives both keys of every column. After it, the
// receiver sends MatrixChunks() matrix chunks.
func (r *Receiver) ReadBaseOT(msg []byte) error {
	if err := r.expect(rBaseOT, "ReadBaseOT"); err != nil {
		return err
	}
	if len(msg) != BaseOTSize {
		return r.fail(fmt.Errorf("%w: base-OT reply of %d bytes, want %d", ErrMessageSize, len(msg), BaseOTSize))
	}
	k0, k1, err := r.ot.keys(r.ctx, msg[seedSize:])
	if err != nil {
		return r.fail(err)
	}
	r.prc = newPRC(msg[:seedSize])
	r.g0, r.g1 = make([]prg, Width), make([]prg, Width)
	for i := range Width {
		r.g0[i], r.g1[i] = newPRG(k0[i][:]), newPRG(k1[i][:])
	}
	n := min(ChunkRows, r.l.rows)
	r.col0, r.col1 = make([]byte, Width*n/8), make([]byte, Width*n/8)
	r.t, r.d = make([]row, n), make([]row, n)
	r.ot = nil
	r.state = rMatrix
	return nil
}

// MatrixChunks returns the number of matrix chunks the receiver sends.
func (r *Receiver) MatrixChunks() int { return r.l.matrixChunks() }

// TagChunks returns the number of tag chunks the receiver reads.
func (r *Receiver) TagChunks() int { return r.l.tagChunks() }

// AppendMatrixChunk appends the next chunk of the OT-extension matrix to
// dst and returns the extended slice: for each bin j in the chunk,
// u_j = t_j ⊕ t'_j ⊕ C(x_j), where x_j is the element in bin j (a fixed
// dummy for an empty bin). Passing a reused buffer as dst[:0] keeps the
// matrix phase free of allocations.
func (r *Receiver) AppendMatrixChunk(dst []byte) ([]byte, error) {
	if err := r.expect(rMatrix, "AppendMatrixChunk"); err != nil {
		return nil, err
	}
	if !r.prepared {
		return nil, fmt.Errorf("%w: AppendMatrixChunk before Prepare", ErrOrder)
	}
	k := r.chunk
	n := r.l.chunkRows(k)
	stride := n / 8
	col0, col1 := r.col0[:Width*stride], r.col1[:Width*stride]
	parallel(Width, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			r.g0[i].fill(col0[i*stride : (i+1)*stride])
			r.g1[i].fill(col1[i*stride : (i+1)*stride])
		}
	})
	subtle.XORBytes(col1, col1, col0)
	transposeCols(r.t, col0, n)
	transposeCols(r.d, col1, n)
	dst = slices.Grow(dst, n*rowBytes)
	out := dst[len(dst) : len(dst)+n*rowBytes]
	used := r.l.bins + r.l.stash
	coders := r.coders.forWorkers(r.prc)
	parallelEach(n, len(coders), func(w, lo, hi int) {
		c := coders[w]
		const batch = 256
		var xs [batch][16]byte // x̂ of each row's element, 0 for an empty row
		var codes [batch]row
		for a := lo; a < hi; a += batch {
			m := min(batch, hi-a)
			for i := range m {
				xs[i] = [16]byte{}
				if j := k*ChunkRows + a + i; j < used && r.table.slots[j] != 0 {
					xs[i] = r.xs[r.table.slots[j]-1]
				}
			}
			c.encodeBatch(codes[:m], xs[:m])
			for b := range m {
				i, j := a+b, k*ChunkRows+a+b
				if j < used && r.table.slots[j] != 0 {
					h := tagHash(&r.t[i], j)
					e := int(r.table.slots[j] - 1)
					r.slots[e] = uint8(r.slotOf(&xs[b], j))
					r.xs[e] = [16]byte(h[32-SecretSize:])
				}
				for w := range rowWords {
					binary.LittleEndian.PutUint64(out[(i*rowWords+w)*8:], r.d[i][w]^codes[b][w])
				}
			}
		}
	})
	r.chunk++
	if r.chunk == r.l.matrixChunks() {
		r.col0, r.col1, r.t, r.d, r.g0, r.g1, r.coders = nil, nil, nil, nil, nil, nil, nil
		r.finishMatrix()
		r.state = rTags
		if r.l.tagChunks() == 0 {
			r.state = rDone
		}
	}
	return dst[:len(dst)+n*rowBytes], nil
}

// slotOf returns the slot of the sender's tag stream in which the tag of
// the own element with input x, placed in row j, can appear: the first
// hash function that maps x to bin j (the sender gives later ones a
// random tag), or 3 + i for stash slot i.
func (r *Receiver) slotOf(x *[16]byte, j int) int {
	if j >= r.l.bins {
		return hashCount + j - r.l.bins
	}
	pos := binsOf(x, r.l.bins)
	h := 0
	for int(pos[h]) != j {
		h++
	}
	return h
}

// finishMatrix makes the tag lookup, in the memory of the cuckoo table,
// which the tag phase no longer needs: each own element's tag, derived
// from its secret on all cores a block at a time, goes with its slot into
// an open-addressing table at load at most 2/3 (bins ≥ 1.5·n).
func (r *Receiver) finishMatrix() {
	r.lookup = r.table.slots
	clear(r.lookup)
	r.table = nil
	tl := r.l.tagLen
	first := make([]uint64, min(len(r.xs), ChunkRows)) // the first 8 bytes of each tag of a block
	for lo := 0; lo < len(r.xs); lo += len(first) {
		m := min(len(first), len(r.xs)-lo)
		parallel(m, func(a, b int) {
			var tag [maxTagLen]byte
			for i := a; i < b; i++ {
				tagOf(tag[:tl], r.xs[lo+i][:])
				first[i] = binary.LittleEndian.Uint64(tag[:])
			}
		})
		for i := range m {
			r.insert(lo+i, int(r.slots[lo+i]), first[i])
		}
	}
	r.slots = nil
	r.hit = make([]uint32, len(r.xs))
	// An honest sender's element hits at most one own element.
	r.order = make([]uint32, 0, min(len(r.xs), r.l.nS))
}

// home returns the lookup entry where the search for a tag whose first 8
// bytes are v starts (tags are uniform, so their first 64 bits scaled to
// the table are too).
func (r *Receiver) home(v uint64) uint64 {
	k, _ := bits.Mul64(v, uint64(len(r.lookup)))
	return k
}

// insert adds own element e, expected in slot, whose tag starts with v.
func (r *Receiver) insert(e, slot int, v uint64) {
	size := uint64(len(r.lookup))
	k := r.home(v)
	for r.lookup[k] != 0 {
		if k++; k == size {
			k = 0
		}
	}
	r.lookup[k] = r.entry(e, slot, v)
}

// find returns the own element whose tag is tag and expected in slot, or
// -1, searching from entry k, which holds s. Comparing within a slot only
// is what the tag length assumes (newLayout). An entry whose slot and
// fingerprint agree is checked against the whole tag, derived from the
// element's secret.
func (r *Receiver) find(tag []byte, slot int, k uint64, s uint32) int {
	size := uint64(len(r.lookup))
	want := r.entry(-1, slot, binary.LittleEndian.Uint64(tag)) >> r.elemBits
	var own [maxTagLen]byte
	for s != 0 {
		if s>>r.elemBits == want {
			e := int(s&(1<<r.elemBits-1)) - 1
			if tagOf(own[:len(tag)], r.xs[e][:]); bytes.Equal(own[:len(tag)], tag) {
				return e
			}
		}
		if k++; k == size {
			k = 0
		}
		s = r.lookup[k]
	}
	return -1
}

// ReadTagChunk reads the next chunk of the sender's OPRF tags and marks
// the own elements whose tag appears in it.
func (r *Receiver) ReadTagChunk(msg []byte) error {
	if err := r.expect(rTags, "ReadTagChunk"); err != nil {
		return err
	}
	tl := r.l.tagLen
	want := r.l.tagChunkElems(r.tagK) * r.l.perElt * tl
	if len(msg) != want {
		return r.fail(fmt.Errorf("%w: tag chunk %d of %d bytes, want %d", ErrMessageSize, r.tagK, len(msg), want))
	}
	first := int64(r.tagK) * ChunkElements * int64(r.l.perElt)
	per := r.l.perElt
	// Each worker collects its hits in a buffer of its own, kept across
	// chunks, and the hits of the chunk are gathered into r.last's array.
	for len(r.local) < runtime.GOMAXPROCS(0) {
		r.local = append(r.local, nil)
	}
	local := r.local
	parallelEach(len(msg)/tl, len(local), func(w, lo, hi int) {
		hits := local[w][:0]
		// The entries where a batch's searches start are read first, in
		// a loop with nothing else to do, so that their cache misses
		// overlap; most searches end there or in the same cache line.
		const batch = 64
		var homes [batch]uint64
		var starts [batch]uint32
		for a := lo; a < hi; a += batch {
			m := min(batch, hi-a)
			for b := range m {
				homes[b] = r.home(binary.LittleEndian.Uint64(msg[(a+b)*tl:]))
				starts[b] = r.lookup[homes[b]]
			}
			for b := range m {
				i := a + b
				if e := r.find(msg[i*tl:(i+1)*tl], i%per, homes[b], starts[b]); e >= 0 {
					hits = append(hits, Hit{Element: e, Position: first + int64(i)})
				}
			}
		}
		local[w] = hits
	})
	found := r.last[:0]
	for w, hits := range local {
		found = append(found, hits...)
		local[w] = hits[:0]
	}
	// An own element's tag can appear once in an honest tag stream (a
	// second copy would be a 2^-40 collision); a repeat is refused, so
	// every hit has exactly one position.
	slices.SortFunc(found, func(a, b Hit) int { return cmp.Compare(a.Position, b.Position) })
	for _, h := range found {
		if prev := r.hit[h.Element]; prev != 0 {
			return r.fail(fmt.Errorf("%w: tag at position %d repeats the tag at %d", ErrRepeatedTag, h.Position, prev-1))
		}
		r.hit[h.Element] = uint32(h.Position + 1)
		r.order = append(r.order, uint32(h.Element))
	}
	r.last = found
	r.tagK++
	if r.tagK == r.l.tagChunks() {
		r.state = rDone
		r.lookup, r.local = nil, nil // only hits and secrets are needed now
	}
	return nil
}

// Intersection returns the indices, in increasing order, of the
// receiver's elements that are in the sender's set. It fails with
// ErrOrder before the last tag chunk was read.
func (r *Receiver) Intersection() ([]int, error) {
	hits, err := r.Hits()
	if err != nil {
		return nil, err
	}
	out := make([]int, len(hits))
	for i, h := range hits {
		out[i] = h.Element
	}
	return out, nil
}

// Hits returns the receiver's elements in the sender's set, in increasing
// element order, each with the position of its tag in the tag stream. It
// fails with ErrOrder before the last tag chunk was read.
func (r *Receiver) Hits() ([]Hit, error) {
	if err := r.expect(rDone, "Hits"); err != nil {
		return nil, err
	}
	out := make([]Hit, 0, r.hitCount())
	for i, h := range r.hit {
		if h != 0 {
			out = append(out, Hit{Element: i, Position: int64(h) - 1})
		}
	}
	return out, nil
}

func (r *Receiver) hitCount() int { return len(r.order) }

// HitCount returns the number of the receiver's elements in the sender's
// set, once the last tag chunk was read (0 before).
func (r *Receiver) HitCount() int {
	if r.state != rDone {
		return 0
	}
	return r.hitCount()
}

// Position reports whether the receiver's element e is in the sender's
// set and, if it is, the position of its tag in the tag stream (as
// Hit.Position). Unlike Hits, it allocates nothing. It is valid once the
// last tag chunk was read, and false before.
func (r *Receiver) Position(e int) (int64, bool) {
	if r.state != rDone || r.hit[e] == 0 {
		return 0, false
	}
	return int64(r.hit[e]) - 1, true
}

// EachHit calls f(k, e) for every element e of the receiver's in the
// sender's set, k being its rank among them in element order (the k-th
// of Hits), on all cores, and returns when all calls have; f must be
// safe for concurrent use. It does nothing before the last tag chunk was
// read.
func (r *Receiver) EachHit(f func(k, e int)) {
	if r.state != rDone {
		return
	}
	// Blocks of elements: their hits are counted first, so that each
	// block knows its first rank. The hits may crowd in part of the set,
	// so the workers take blocks in turn rather than a share each.
	const block = 1024
	n := len(r.hit)
	blocks := (n + block - 1) / block
	start := make([]int, blocks+1)
	parallelTake(blocks, func(b int) {
		for _, h := range r.hit[b*block : min(n, (b+1)*block)] {
			if h != 0 {
				start[b+1]++
			}
		}
	})
	for b := range blocks {
		start[b+1] += start[b]
	}
	parallelTake(blocks, func(b int) {
		k := start[b]
		for e := b * block; e < min(n, (b+1)*block); e++ {
			if r.hit[e] != 0 {
				f(k, e)
				k++
			}
		}
	})
}

// HitOrder returns the receiver's elements in the sender's set in the
// order of their tags in the tag stream (increasing Hit.Position), once
// the last tag chunk was read (nil before). The slice is the receiver's:
// the caller must not modify it.
func (r *Receiver) HitOrder() []uint32 {
	if r.state != rDone {
		return nil
	}
	return r.order
}

// NewHits returns the hits the last successful ReadTagChunk found, in
// increasing position order, so a caller can read what the sender sent
// beside those tags in the same message. The slice is valid until the
// next call of ReadTagChunk.
func (r *Receiver) NewHits() []Hit { return r.last }

// Secret returns the OPRF secret of the receiver's element e (the
// SecretSize bytes the sender holds for the same element in the slot of
// e's bin), or nil without Params.Secrets. It is valid once every matrix
// chunk was sent.
func (r *Receiver) Secret(e int) []byte {
	if !r.l.secrets || r.state < rTags || r.state == rFailed {
		return nil
	}
	return r.xs[e][:]
}
