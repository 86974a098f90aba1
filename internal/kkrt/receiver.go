package kkrt

import (
	"bytes"
	"cmp"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"io"
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
// then Intersection. A Receiver is not safe for concurrent use.
type Receiver struct {
	l     layout
	ctx   []byte
	rand  io.Reader
	state receiverState

	xs     [][16]byte // OPRF input x̂ of each own element
	table  *cuckooTable
	ot     *otSender
	prc    *prc
	coders prcs  // clones of prc, one per worker
	g0     []prg // PRG of k_i^0: column t_i
	g1     []prg // PRG of k_i^1
	chunk  int   // next matrix chunk
	tagK   int   // next tag chunk

	col0, col1 []byte // column buffers of one chunk
	t, d       []row  // rows of T and of T ⊕ T' for one chunk

	tags    []byte   // tagLen bytes per own element
	secrets []byte   // SecretSize bytes per own element, with Params.Secrets
	lookup  []uint32 // open addressing over tags: lookupEntry(element, slot), 0 is empty
	hit     []uint32 // per own element: 1 + the position of its tag in the tag stream, or 0
	last    []Hit    // the hits of the last tag chunk
	local   [][]Hit  // per worker: its hits in the tag chunk being read
}

// A lookup entry packs an own element e (e+1 < 2^25, as MaxSetSize = 2^24),
// the slot of the sender's tag stream its tag can appear in (0 … 10: its
// hash function, or 3 + its stash slot; 4 bits) and 3 more bits of its tag
// (fingerprint), so that most probes are settled without reading the tag.
const (
	slotShift = 25
	fpShift   = 29
	elemMask  = 1<<slotShift - 1
)

func lookupEntry(e, slot int, tag []byte) uint32 {
	return uint32(e+1) | uint32(slot)<<slotShift | fingerprint(tag)<<fpShift
}

// fingerprint is the top 3 bits of the tag's first 8 bytes (little-endian);
// the table index takes the low bits.
func fingerprint(tag []byte) uint32 { return uint32(tag[7] >> 5) }

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
// with probability below 2^-40, ErrCuckoo.
func NewReceiver(p Params, set [][]byte, rand io.Reader) (*Receiver, error) {
	l, err := newLayout(p)
	if err != nil {
		return nil, err
	}
	if len(set) != p.ReceiverSize {
		return nil, fmt.Errorf("%w: set has %d elements, Params say %d", ErrSetSize, len(set), p.ReceiverSize)
	}
	seed := sessionSeed(p.Context)
	xs, err := hashSet(&seed, set)
	if err != nil {
		return nil, err
	}
	var walk [32]byte
	if _, err := io.ReadFull(rand, walk[:]); err != nil {
		return nil, fmt.Errorf("kkrt: reading randomness: %w", err)
	}
	table, err := buildCuckoo(xs, l.bins, l.stash, newRand(walk))
	if err != nil {
		return nil, err
	}
	return &Receiver{l: l, ctx: bytes.Clone(p.Context), rand: rand, xs: xs, table: table}, nil
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
	r.tags = make([]byte, len(r.xs)*r.l.tagLen)
	if r.l.secrets {
		r.secrets = make([]byte, len(r.xs)*SecretSize)
	}
	// Linear probing at load at most 0.8.
	size := 1
	for size < len(r.xs)+len(r.xs)/4+1 {
		size <<= 1
	}
	r.lookup = make([]uint32, size)
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
	tl := r.l.tagLen
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
					secret := h[32-SecretSize:]
					tagOf(r.tags[e*tl:(e+1)*tl], secret)
					if r.secrets != nil {
						copy(r.secrets[e*SecretSize:(e+1)*SecretSize], secret)
					}
				}
				for w := range rowWords {
					binary.LittleEndian.PutUint64(out[(i*rowWords+w)*8:], r.d[i][w]^codes[b][w])
				}
			}
		}
	})
	for i := range n {
		if j := k*ChunkRows + i; j < used && r.table.slots[j] != 0 {
			e := int(r.table.slots[j] - 1)
			r.insert(e, r.slotOf(e, j))
		}
	}
	r.chunk++
	if r.chunk == r.l.matrixChunks() {
		r.col0, r.col1, r.t, r.d, r.g0, r.g1, r.coders = nil, nil, nil, nil, nil, nil, nil
		r.xs, r.table = nil, nil
		r.hit = make([]uint32, len(r.tags)/r.l.tagLen)
		r.state = rTags
		if r.l.tagChunks() == 0 {
			r.state = rDone
		}
	}
	return dst[:len(dst)+n*rowBytes], nil
}

// slotOf returns the slot of the sender's tag stream in which the tag of
// own element e, placed in row j, can appear: the first hash function that
// maps e to bin j (the sender gives later ones a random tag), or 3 + i for
// stash slot i.
func (r *Receiver) slotOf(e, j int) int {
	if j >= r.l.bins {
		return hashCount + j - r.l.bins
	}
	pos := binsOf(&r.xs[e], r.l.bins)
	h := 0
	for int(pos[h]) != j {
		h++
	}
	return h
}

// insert adds own element e's tag, expected in slot, to the lookup table.
func (r *Receiver) insert(e, slot int) {
	mask := uint64(len(r.lookup) - 1)
	tl := r.l.tagLen
	for k := binary.LittleEndian.Uint64(r.tags[e*tl:]) & mask; ; k = (k + 1) & mask {
		if r.lookup[k] == 0 {
			r.lookup[k] = lookupEntry(e, slot, r.tags[e*tl:(e+1)*tl])
			return
		}
	}
}

// find returns the own element whose tag is tag and expected in slot, or
// -1. Comparing within a slot only is what the tag length assumes
// (newLayout).
func (r *Receiver) find(tag []byte, slot int) int {
	mask := uint64(len(r.lookup) - 1)
	tl := r.l.tagLen
	want := uint32(slot) | fingerprint(tag)<<(fpShift-slotShift)
	for k := binary.LittleEndian.Uint64(tag) & mask; ; k = (k + 1) & mask {
		s := r.lookup[k]
		if s == 0 {
			return -1
		}
		if s>>slotShift != want {
			continue
		}
		if e := int(s&elemMask) - 1; bytes.Equal(r.tags[e*tl:(e+1)*tl], tag) {
			return e
		}
	}
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
		for i := lo; i < hi; i++ {
			if e := r.find(msg[i*tl:(i+1)*tl], i%per); e >= 0 {
				hits = append(hits, Hit{Element: e, Position: first + int64(i)})
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
	}
	r.last = found
	r.tagK++
	if r.tagK == r.l.tagChunks() {
		r.state = rDone
		r.tags, r.lookup, r.local = nil, nil, nil // only hits and secrets are needed now
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
	out := []Hit{}
	for i, h := range r.hit {
		if h != 0 {
			out = append(out, Hit{Element: i, Position: int64(h) - 1})
		}
	}
	return out, nil
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
	if r.secrets == nil || r.state < rTags || r.state == rFailed {
		return nil
	}
	return r.secrets[e*SecretSize : (e+1)*SecretSize]
}
