package kkrt

import (
	"fmt"
	"math"
)

const (
	// Width is the length in bits of the pseudorandom code (KKRT16 §4,
	// "d"): the number of base OTs and of columns of the OT-extension
	// matrix. With κ = 128, two distinct codewords are closer than κ with
	// probability 2^-66.5 (exact binomial tail, TestCodeWidth); a union
	// bound over the ≤ 3·2^24·(3+s) pairs a session compares keeps the
	// whole session below 2^-40 up to MaxSetSize.
	Width = 448
	// StatSec is the statistical security parameter σ (bits) for cuckoo
	// failure, code distance and false positives.
	StatSec = 40
	// MaxSetSize is the largest set either party may hold.
	MaxSetSize = 1 << 24

	rowWords = Width / 64 // 64-bit words per matrix row
	rowBytes = Width / 8  // bytes per matrix row on the wire
	// ChunkRows is the number of cuckoo bins (matrix rows) per matrix
	// chunk message: 8192 × 56 bytes = 448 KiB.
	ChunkRows = 8192
	// ChunkElements is the number of sender elements per tag chunk. It
	// matches the psi layer's chunk of 4096 elements, so that a tag chunk
	// with its key wraps and sealed payloads stays below the frame limit.
	ChunkElements = 4096
	// SecretSize is the size of the OPRF secret kept per evaluation:
	// bytes 16…31 of the OPRF output. The tag is a one-way function of it
	// (tagOf), so the parties keep no tags.
	SecretSize = 16
	// maxTagLen is the longest tag newLayout gives: ⌈(40 + log2(2^24 ·
	// 2^24))/8⌉ bytes.
	maxTagLen = 11
	// hashCount is the number of cuckoo hash functions.
	hashCount = 3
	// pointSize is the size of a ristretto255 encoding.
	pointSize = 32
	// seedSize is the size of the cuckoo seed and of the PRC key.
	seedSize = 16
	// SetupSize is the size of the receiver's setup message: its base-OT
	// element A.
	SetupSize = pointSize
	// MinContext and MaxContext bound the length of Params.Context.
	MinContext, MaxContext = 16, 1024
	// BaseOTSize is the size of the sender's base-OT reply: the PRC key
	// and one element B_i per column.
	BaseOTSize = seedSize + Width*pointSize
)

// Params are the sizes both parties agree on before the session (in the
// psi handshake), plus a context that binds the session: typically the
// session ID and the handshake transcript hash. Everything else (table
// size, stash, tag length, message sizes) is derived from them.
//
// Context must be unique per session: the cuckoo and OPRF input hashing
// is keyed by it, so two sessions with the same Context would hash the
// same element to the same bins.
type Params struct {
	// ReceiverSize is the number of elements in the receiver's set.
	ReceiverSize int
	// SenderSize is the number of elements in the sender's set.
	SenderSize int
	// Context binds the session: MinContext to MaxContext bytes, unique
	// per session.
	Context []byte
	// Secrets asks both parties to give out, after the matrix phase, the
	// OPRF output's second half (SecretSize bytes), which the peer never
	// sees: the receiver for each of its elements (Receiver.Secret), the
	// sender for each element and slot (Sender.Secret). The psi layer
	// derives match handles and payload keys from it. Both parties keep
	// the secrets either way (tags are derived from them); without it the
	// sender drops them after its last tag chunk.
	Secrets bool
	// Distinct says that the caller has already refused equal elements in
	// this party's set (psi.NewSession does), so Prepare skips its own
	// check. That check compares the OPRF inputs x̂, so it also refuses
	// distinct elements whose x̂ collide, with probability below
	// n²/2^129 (2^-81 at MaxSetSize): without it such a pair is two hits
	// for one element on the receiver's side and a repeated tag
	// (ErrRepeatedTag at the receiver) on the sender's.
	Distinct bool
}

// layout is everything derived from Params.
type layout struct {
	nR, nS int
	bins   int // cuckoo bins (excluding stash)
	stash  int // stash slots, at bins … bins+stash-1
	rows   int // matrix rows: bins+stash rounded up to a multiple of 64
	tagLen int // bytes per OPRF tag
	perElt int // tags per sender element: 3 + stash
	// secrets reports whether the parties give out OPRF secrets (Params.Secrets).
	secrets bool
	// distinct reports that the caller checked the set (Params.Distinct).
	distinct bool
}

// cuckooParams returns the bin count factor e and the stash size for a
// receiver set of n elements (DESIGN.md, "Cuckoo hashing").
func cuckooParams(n int) (e float64, stash int) {
	switch {
	case n <= 1<<8:
		return 2.0, 8
	case n <= 1<<12:
		return 2.0, 5
	case n <= 1<<16:
		return 2.0, 3
	case n <= 1<<19:
		return 2.0, 2
	default:
		// Three hash functions without a stash: λ ≈ 125·e − 145
		// (cryptoTools' rule for n > 2^19, after Pinkas, Schneider,
		// Tkachenko and Yanai, Eurocrypt 2019) gives λ ≈ 42 at e = 1.5.
		return 1.5, 0
	}
}

func newLayout(p Params) (layout, error) {
	if p.ReceiverSize < 0 || p.ReceiverSize > MaxSetSize || p.SenderSize < 0 || p.SenderSize > MaxSetSize {
		return layout{}, fmt.Errorf("%w: sizes %d and %d, limit %d", ErrSetSize, p.ReceiverSize, p.SenderSize, MaxSetSize)
	}
	if len(p.Context) < MinContext || len(p.Context) > MaxContext {
		return layout{}, fmt.Errorf("%w: context of %d bytes, want %d to %d", ErrParams, len(p.Context), MinContext, MaxContext)
	}
	e, stash := cuckooParams(p.ReceiverSize)
	bins := int(math.Ceil(e * float64(p.ReceiverSize)))
	if bins < 64 {
		bins = 64
	}
	l := layout{nR: p.ReceiverSize, nS: p.SenderSize, bins: bins, stash: stash, secrets: p.Secrets, distinct: p.Distinct}
	l.rows = (bins + stash + 63) &^ 63
	l.perElt = hashCount + stash
	// The receiver compares a tag in slot h of the sender's stream only with
	// the tags of its own elements placed in slot h (by hash function h, or
	// in stash slot h-3), and each own element is in one slot: a false
	// positive needs one of at most nR·nS compared pairs to collide.
	pairs := math.Max(1, float64(p.ReceiverSize)) * math.Max(1, float64(p.SenderSize))
	bits := StatSec + math.Log2(pairs)
	l.tagLen = max(8, int(math.Ceil(bits/8)))
	return l, nil
}

// matrixChunks returns the number of matrix chunk messages the receiver
// sends.
func (l layout) matrixChunks() int { return (l.rows + ChunkRows - 1) / ChunkRows }

// chunkRows returns the number of rows in matrix chunk k.
func (l layout) chunkRows(k int) int { return min(ChunkRows, l.rows-k*ChunkRows) }

func (l layout) tagChunks() int { return (l.nS + ChunkElements - 1) / ChunkElements }

func (l layout) tagChunkElems(k int) int { return min(ChunkElements, l.nS-k*ChunkElements) }

// Layout describes the message sequence of a session with Params p, for
// transports that need to know it in advance (frame limits, progress).
type Layout struct {
	// MatrixChunks is the number of matrix chunk messages (receiver to
	// sender), MatrixChunkMax the size in bytes of the largest.
	MatrixChunks, MatrixChunkMax int
	// TagChunks is the number of tag chunk messages (sender to receiver),
	// TagChunkMax the size in bytes of the largest.
	TagChunks, TagChunkMax int
	// Bins, Stash and TagLen are the cuckoo table size, the stash size
	// and the OPRF tag length in bytes.
	Bins, Stash, TagLen int
	// Rows is the number of matrix rows in all (bins and stash, rounded
	// up to a multiple of 64); chunk k holds min(ChunkRows, Rows −
	// k·ChunkRows) of them.
	Rows int
	// TagsPerElement is the number of tags the sender sends per element:
	// one per hash function, and one per stash slot.
	TagsPerElement int
}

// LayoutOf returns the message layout of a session with Params p.
func LayoutOf(p Params) (Layout, error) {
	l, err := newLayout(p)
	if err != nil {
		return Layout{}, err
	}
	return Layout{
		MatrixChunks:   l.matrixChunks(),
		MatrixChunkMax: min(ChunkRows, l.rows) * rowBytes,
		TagChunks:      l.tagChunks(),
		TagChunkMax:    min(ChunkElements, l.nS) * l.perElt * l.tagLen,
		Bins:           l.bins,
		Stash:          l.stash,
		TagLen:         l.tagLen,
		TagsPerElement: l.perElt,
		Rows:           l.rows,
	}, nil
}
