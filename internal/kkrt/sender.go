package kkrt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
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
// every chunk, then TagChunk for every chunk. A Sender is not safe for
// concurrent use.
type Sender struct {
	l     layout
	ctx   []byte
	rand  io.Reader
	state senderState

	simple *simpleTable // entries index xs, i.e. output positions
	choice row          // s: the base-OT choice bits, one per column
	prcKey [seedSize]byte
	prc    *prc
	coders prcs  // clones of prc, one per worker
	g      []prg // PRG of k_i^{s_i}
	chunk  int
	tagK   int

	col []byte
	q   []row
	// xs are the elements' OPRF inputs in output order (shuffled).
	xs [][16]byte
	// For each element in that order and each of its perElt slots, the
	// OPRF secret (SecretSize bytes) when Params.Secrets is set, from which
	// the tag is derived as its chunk is sent; otherwise the tag itself.
	// Only one of the two is kept.
	secrets []byte
	tags    []byte
	// perm maps an output position to the element's index in the set.
	perm []int32
}

// NewSender returns the sender of a session with Params p over set, which
// must have exactly p.SenderSize distinct elements. rand must be a
// cryptographically secure source (crypto/rand.Reader in production).
func NewSender(p Params, set [][]byte, rand io.Reader) (*Sender, error) {
	l, err := newLayout(p)
	if err != nil {
		return nil, err
	}
	if len(set) != p.SenderSize {
		return nil, fmt.Errorf("%w: set has %d elements, Params say %d", ErrSetSize, len(set), p.SenderSize)
	}
	seed := sessionSeed(p.Context)
	xs, err := hashSet(&seed, set)
	if err != nil {
		return nil, err
	}
	var shuffle [32]byte
	if _, err := io.ReadFull(rand, shuffle[:]); err != nil {
		return nil, fmt.Errorf("kkrt: reading randomness: %w", err)
	}
	s := &Sender{l: l, ctx: bytes.Clone(p.Context), rand: rand}
	// The receiver sees the sender's tags in the order of xs after a
	// uniformly random shuffle, so the order of hits says nothing about
	// the order of the sender's set.
	rng := newRand(shuffle)
	s.perm = make([]int32, len(xs))
	for i := range s.perm {
		s.perm[i] = int32(i)
	}
	rng.Shuffle(len(xs), func(i, j int) {
		xs[i], xs[j] = xs[j], xs[i]
		s.perm[i], s.perm[j] = s.perm[j], s.perm[i]
	})
	if _, err := io.ReadFull(rand, s.prcKey[:]); err != nil {
		return nil, fmt.Errorf("kkrt: reading randomness: %w", err)
	}
	s.simple = buildSimple(xs, l.bins)
	s.prc = newPRC(s.prcKey[:])
	s.xs = xs
	if l.secrets {
		s.secrets = make([]byte, len(xs)*l.perElt*SecretSize)
	} else {
		s.tags = make([]byte, len(xs)*l.perElt*l.tagLen)
	}
	for e := range xs {
		// A hash index whose bin repeats an earlier one of the same
		// element gets a random secret (or, without secrets, a random
		// tag) instead of a second copy.
		pos := binsOf(&xs[e], l.bins)
		for h := 1; h < hashCount; h++ {
			if !firstIndex(&pos, h) {
				t := e*l.perElt + h
				var b []byte
				if l.secrets {
					b = s.secrets[t*SecretSize : (t+1)*SecretSize]
				} else {
					b = s.tags[t*l.tagLen : (t+1)*l.tagLen]
				}
				for k := range b {
					b[k] = byte(rng.Uint32())
				}
			}
		}
	}
	return s, nil
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
		s.col, s.q, s.g, s.simple, s.xs, s.coders = nil, nil, nil, nil, nil, nil
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
	if k < len(s.simple.start)-1 {
		entries := s.simple.entries[s.simple.start[k]:s.simple.start[k+1]]
		parallelEach(len(entries), len(coders), func(w, lo, hi int) {
			// Simple hashing reads the inputs of random elements:
			// gather a batch first, in a loop with nothing else to do,
			// so the cache misses overlap; then compute; then scatter.
			const batch = 512
			var xs [batch][16]byte
			var codes [batch]row
			var tags [batch][32]byte
			c := coders[w]
			for a := lo; a < hi; a += batch {
				ents := entries[a:min(hi, a+batch)]
				for i, ent := range ents {
					xs[i] = s.xs[ent>>2]
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
					s.keep(int(ent>>2)*per+int(ent&3), &tags[i])
				}
			}
		})
	}
	// Stash bins: every element is evaluated there.
	for i := range q {
		j := first + i
		if j < s.l.bins || j >= s.l.bins+s.l.stash {
			continue
		}
		parallelEach(len(s.xs), len(coders), func(w, lo, hi int) {
			c := coders[w]
			const batch = 256
			var codes [batch]row
			for a := lo; a < hi; a += batch {
				m := min(batch, hi-a)
				c.encodeBatch(codes[:m], s.xs[a:a+m])
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

// keep stores what the sender keeps of slot t's OPRF output h: its secret
// when the session keeps secrets, its tag otherwise.
func (s *Sender) keep(t int, h *[32]byte) {
	secret := h[32-SecretSize:]
	if s.secrets != nil {
		copy(s.secrets[t*SecretSize:(t+1)*SecretSize], secret)
		return
	}
	tl := s.l.tagLen
	tagOf(s.tags[t*tl:(t+1)*tl], secret)
}

// Element returns the index in the sender's set of the element at output
// position k (the k-th element of the tag stream). It is valid from
// NewSender on.
func (s *Sender) Element(k int) int { return int(s.perm[k]) }

// Secret returns the OPRF secret of slot t (0 ≤ t < 3 + stash) of the
// element at output position k: the SecretSize bytes a receiver holding
// that element in that slot's bin also holds (Receiver.Secret). It is
// valid once every matrix chunk was read, and only with Params.Secrets;
// otherwise it returns nil. A slot whose bin repeats an earlier one of
// the same element has a random secret, as it has a random tag.
func (s *Sender) Secret(k, t int) []byte {
	if s.secrets == nil || s.state < sTags || s.state == sFailed {
		return nil
	}
	i := k*s.l.perElt + t
	return s.secrets[i*SecretSize : (i+1)*SecretSize]
}

// TagChunk returns the next chunk of tags: for ChunkElements elements (in
// a random order), 3 + stash tags each, in a new slice.
func (s *Sender) TagChunk() ([]byte, error) { return s.AppendTagChunk(nil) }

// AppendTagChunk appends the next chunk of tags to dst and returns the
// extended slice, so a caller can write them straight into a message.
// With Params.Secrets the tags are derived from the kept secrets here, on
// all cores.
func (s *Sender) AppendTagChunk(dst []byte) ([]byte, error) {
	if err := s.expect(sTags, "TagChunk"); err != nil {
		return nil, err
	}
	tl := s.l.tagLen
	first := s.tagK * ChunkElements * s.l.perElt // first slot of the chunk
	slots := s.l.tagChunkElems(s.tagK) * s.l.perElt
	dst = slices.Grow(dst, slots*tl)
	out := dst[len(dst) : len(dst)+slots*tl]
	if s.secrets != nil {
		parallel(slots, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				t := first + i
				tagOf(out[i*tl:(i+1)*tl], s.secrets[t*SecretSize:(t+1)*SecretSize])
			}
		})
	} else {
		copy(out, s.tags[first*tl:])
	}
	s.tagK++
	if s.tagK == s.l.tagChunks() {
		s.state = sDone
		s.tags = nil
	}
	return dst[:len(dst)+slots*tl], nil
}
