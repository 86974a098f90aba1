package kkrt

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
)

// hashSet hashes every element of set (hashElement) and refuses
// duplicates. Equal elements have equal x̂; distinct elements collide on
// x̂ only with probability n²/2^129, which would be refused too.
func hashSet(seed *[seedSize]byte, set [][]byte) ([][16]byte, error) {
	xs := make([][16]byte, len(set))
	parallel(len(set), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xs[i] = hashElement(seed, set[i])
		}
	})
	if len(xs) < 2 {
		return xs, nil
	}
	// Open addressing on the first 64 bits of x̂, which are uniform.
	size := 1
	for size < 2*len(xs) {
		size <<= 1
	}
	slots := make([]uint32, size) // element index + 1; 0 is empty
	mask := uint64(size - 1)
	for i := range xs {
		h := binary.LittleEndian.Uint64(xs[i][:8])
		for k := h & mask; ; k = (k + 1) & mask {
			s := slots[k]
			if s == 0 {
				slots[k] = uint32(i + 1)
				break
			}
			if xs[s-1] == xs[i] {
				return nil, fmt.Errorf("%w: elements %d and %d", ErrDuplicate, s-1, i)
			}
		}
	}
	return xs, nil
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

// buildCuckoo places every element in one of its three bins (random-walk
// insertion) or in the stash. rng only chooses which occupant to evict,
// so it need not be secret.
func buildCuckoo(xs [][16]byte, bins, stash int, rng *rand.Rand) (*cuckooTable, error) {
	t := &cuckooTable{slots: make([]uint32, bins+stash), bins: bins, stash: stash}
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
				return nil, fmt.Errorf("%w: %d elements, %d bins, stash of %d full", ErrCuckoo, len(xs), bins, stash)
			}
			t.slots[bins+used] = cur
			used++
		}
	}
	return t, nil
}

// simpleTable is the sender's hashing, bucketed by matrix chunk: the
// entries of chunk k are entries[start[k]:start[k+1]], each
// element<<2 | hash index (the bin is recomputed from x̂). A pair whose bin
// repeats an earlier hash index of the same element is left out, so each
// element appears at most once per bin. Bucketing by chunk rather than by
// bin keeps construction a sequential pass per chunk, and a chunk's rows
// are what the sender holds in memory at a time anyway.
type simpleTable struct {
	start   []uint32
	entries []uint32
}

func buildSimple(xs [][16]byte, bins int) *simpleTable {
	chunks := (bins + ChunkRows - 1) / ChunkRows
	t := &simpleTable{start: make([]uint32, chunks+1)}
	for i := range xs {
		pos := binsOf(&xs[i], bins)
		for h, p := range pos {
			if firstIndex(&pos, h) {
				t.start[p/ChunkRows+1]++
			}
		}
	}
	for k := 1; k <= chunks; k++ {
		t.start[k] += t.start[k-1]
	}
	t.entries = make([]uint32, t.start[chunks])
	fill := append([]uint32(nil), t.start[:chunks]...)
	for i := range xs {
		pos := binsOf(&xs[i], bins)
		for h, p := range pos {
			if firstIndex(&pos, h) {
				k := p / ChunkRows
				t.entries[fill[k]] = uint32(i)<<2 | uint32(h)
				fill[k]++
			}
		}
	}
	return t
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
