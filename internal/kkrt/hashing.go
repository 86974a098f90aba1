package kkrt

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
)

// hashSet hashes every element of set (hashElement).
func hashSet(seed *[seedSize]byte, set [][]byte) [][16]byte {
	xs := make([][16]byte, len(set))
	parallel(len(set), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xs[i] = hashElement(seed, set[i])
		}
	})
	return xs
}

// inputs are a party's OPRF inputs x̂, wherever it keeps them.
type inputs interface {
	count() int
	// input returns input i, or nil once the party no longer keeps it.
	input(i int) *[16]byte
}

// inputSlice is inputs kept in a slice of their own.
type inputSlice [][16]byte

func (xs inputSlice) count() int            { return len(xs) }
func (xs inputSlice) input(i int) *[16]byte { return &xs[i] }

// scratch is memory a party lends to the duplicate check: a table of
// uint32 entries, all 0 to begin with.
type scratch interface {
	size() int
	get(k int) uint32
	set(k int, v uint32)
}

// words is scratch kept as a slice.
type words []uint32

func (w words) size() int           { return len(w) }
func (w words) get(k int) uint32    { return w[k] }
func (w words) set(k int, v uint32) { w[k] = v }

// distinct refuses equal inputs, using table, which must be longer than
// the set, for open addressing (it is left in disorder). Equal elements
// have equal x̂; distinct elements collide on x̂ only with probability
// n²/2^129, which would be refused too. A party lends memory it needs
// later anyway, so the check allocates nothing. It returns the indices of
// the first equal pair.
func distinct(xs inputs, table scratch) (int, int, bool) {
	if xs.count() < 2 {
		return 0, 0, true
	}
	size := uint64(table.size())
	if size <= uint64(xs.count()) {
		panic("kkrt: distinct needs a table longer than the set")
	}
	for i := range xs.count() {
		x := xs.input(i)
		// x̂ is uniform, so its first 64 bits scaled to [0, size) are too.
		k, _ := bits.Mul64(binary.LittleEndian.Uint64(x[:8]), size)
		for ; ; k = (k + 1) % size {
			s := table.get(int(k)) // element index + 1; 0 is empty
			if s == 0 {
				table.set(int(k), uint32(i+1))
				break
			}
			if *xs.input(int(s - 1)) == *x {
				return int(s - 1), i, false
			}
		}
	}
	return 0, 0, true
}

func errDuplicate(i, j int) error {
	return fmt.Errorf("%w: elements %d and %d", ErrDuplicate, min(i, j), max(i, j))
}

// maxKicks bounds the random walk of one cuckoo insertion before the
// element goes to the stash.
const maxKicks = 500

// cuckooTable is the receiver's table: slot j holds element index + 1 (0
// is empty). Slots bins … bins+stash-1 are the stash.
type cuckooTable struct {
	slots []uint32
	bins  int
	stash int
}

func newCuckooTable(bins, stash int) *cuckooTable {
	return &cuckooTable{slots: make([]uint32, bins+stash), bins: bins, stash: stash}
}

// buildCuckoo places every element in one of its three bins (random-walk
// insertion) or in the stash of t, which must be empty. rng only chooses
// which occupant to evict, so it need not be secret.
func buildCuckoo(t *cuckooTable, xs [][16]byte, rng *rand.Rand) error {
	bins, stash := t.bins, t.stash
	used := 0
	for i := range xs {
		cur := uint32(i + 1)
		prev := -1 // bin cur was just evicted from
		placed := false
		for range maxKicks {
			pos := binsOf(&xs[cur-1], bins)
			for _, p := range pos {
				if t.slots[p] == 0 {
					t.slots[p] = cur
					placed = true
					break
				}
			}
			if placed {
				break
			}
			// Evict the occupant of a random one of cur's bins, other than
			// the one cur was just evicted from.
			var p uint32
			for {
				p = pos[rng.IntN(hashCount)]
				if int(p) != prev || pos[0] == pos[1] && pos[1] == pos[2] {
					break
				}
			}
			cur, t.slots[p] = t.slots[p], cur
			prev = int(p)
		}
		if !placed {
			if used == stash {
				return fmt.Errorf("%w: %d elements, %d bins, stash of %d full", ErrCuckoo, len(xs), bins, stash)
			}
			t.slots[bins+used] = cur
			used++
		}
	}
	return nil
}

// simpleTable is the sender's simple hashing, bucketed by matrix chunk
// and streamed: the entries of chunk k (each element<<2 | hash index; the
// bin is recomputed from x̂) are made when the chunk's rows arrive, a
// window of chunks at a time, in a buffer the size of the set, not of the
// 3·n entries in all. A pair whose bin repeats an earlier hash index of the
// same element is left out, so each element appears at most once per bin.
// Bucketing by chunk rather than by bin keeps each window a sequential
// pass over the inputs, and a chunk's rows are what the sender holds in
// memory at a time anyway. The inputs are counted and placed a stripe
// (a range of at least simpleStripe inputs, at most maxStripes of them)
// at a time on all cores, each stripe in its own part of each chunk's
// entries, so that a chunk's entries are still in input order.
type simpleTable struct {
	bins, n int
	stripe  int      // inputs per stripe
	start   []uint32 // entries of the chunks before chunk k, over all chunks
	counts  []uint32 // entries of stripe s in chunk k, at s·chunks + k
	buf     []uint32 // the entries of chunks lo … hi-1
	fill    []uint32 // per stripe and chunk of the window: next free entry in buf
	// lo, hi is the window: the chunks whose entries buf holds.
	lo, hi int
}

// simpleStripe and maxStripes bound the stripes of simple hashing: the
// counts take 4 bytes per stripe and chunk (0.2 MiB at 2^20, 3 MiB at
// 2^24).
const (
	simpleStripe = 4096
	maxStripes   = 256
)

// newSimple counts the entries of every chunk. buf is the window buffer
// (grown when a single chunk does not fit it).
func newSimple(xs inputs, bins int, buf []uint32) *simpleTable {
	chunks := (bins + ChunkRows - 1) / ChunkRows
	n := xs.count()
	stripe := max(simpleStripe, (n+maxStripes-1)/maxStripes)
	stripes := (n + stripe - 1) / stripe
	t := &simpleTable{bins: bins, n: n, stripe: stripe, start: make([]uint32, chunks+1), counts: make([]uint32, stripes*chunks), buf: buf}
	parallelTake(stripes, func(st int) {
		counts := t.counts[st*chunks : (st+1)*chunks]
		for i := st * stripe; i < min(n, (st+1)*stripe); i++ {
			pos := binsOf(xs.input(i), bins)
			for h, p := range pos {
				if firstIndex(&pos, h) {
					counts[p/ChunkRows]++
				}
			}
		}
	})
	for st := range stripes {
		for k, c := range t.counts[st*chunks : (st+1)*chunks] {
			t.start[k+1] += c
		}
	}
	for k := 1; k <= chunks; k++ {
		t.start[k] += t.start[k-1]
	}
	return t
}

// chunks returns the number of chunks that hold bins (not only stash).
func (t *simpleTable) chunks() int { return len(t.start) - 1 }

// entries returns the entries of chunk k < chunks(). Chunks are asked for
// in increasing order; a chunk past the window starts the next window,
// with one pass over xs, which may have dropped the inputs whose bins all
// lie in earlier chunks.
func (t *simpleTable) entries(xs inputs, k int) []uint32 {
	if k < t.lo || k >= t.hi {
		t.window(xs, k)
	}
	base := t.start[t.lo]
	return t.buf[t.start[k]-base : t.start[k+1]-base]
}

// window fills buf with the entries of chunk lo and as many chunks after
// it as fit.
func (t *simpleTable) window(xs inputs, lo int) {
	hi := lo + 1
	for hi < t.chunks() && int(t.start[hi+1]-t.start[lo]) <= len(t.buf) {
		hi++
	}
	if need := int(t.start[hi] - t.start[lo]); need > len(t.buf) {
		t.buf = make([]uint32, need)
	}
	// Stripe st's entries of chunk k follow those of the stripes before.
	chunks, w, stripes := t.chunks(), hi-lo, (t.n+t.stripe-1)/t.stripe
	t.fill = slices.Grow(t.fill[:0], stripes*w)[:stripes*w]
	base := t.start[lo]
	for k := lo; k < hi; k++ {
		at := t.start[k] - base
		for st := range stripes {
			t.fill[st*w+k-lo] = at
			at += t.counts[st*chunks+k]
		}
	}
	parallelTake(stripes, func(st int) {
		fill := t.fill[st*w : (st+1)*w]
		for i := st * t.stripe; i < min(t.n, (st+1)*t.stripe); i++ {
			x := xs.input(i)
			if x == nil {
				continue
			}
			pos := binsOf(x, t.bins)
			for h, p := range pos {
				k := int(p / ChunkRows)
				if k >= lo && k < hi && firstIndex(&pos, h) {
					t.buf[fill[k-lo]] = uint32(i)<<2 | uint32(h)
					fill[k-lo]++
				}
			}
		}
	})
	t.lo, t.hi = lo, hi
}

// firstIndex reports whether pos[h] differs from every earlier position.
func firstIndex(pos *[hashCount]uint32, h int) bool {
	for k := range h {
		if pos[k] == pos[h] {
			return false
		}
	}
	return true
}
