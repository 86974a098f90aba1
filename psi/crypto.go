package psi

import (
	"crypto/sha256"
	"encoding/binary"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/internal/ristretto255"
)

// Domain-separation strings. Each names the protocol, its version and the
// use, so no value computed for one purpose can be mistaken for another
// (PROTOCOL.md §Domain separation).
const (
	// hashToGroupDST is the RFC 9380 domain-separation tag; it ends with the
	// RFC 9380 suite ID of hash_to_ristretto255 with expand_message_xmd and
	// SHA-512.
	hashToGroupDST = "reunite-psi-v2-ECDH-ristretto255_XMD:SHA-512_R255MAP_RO_"
	labelSessionID = "reunite-psi-v2 session id"
	labelTag       = "reunite-psi-v2 tag"
	labelHandle    = "reunite-psi-v2 handle"
	labelSealR2I   = "reunite-psi-v2 seal responder to initiator"
	labelSealI2R   = "reunite-psi-v2 seal initiator to responder"
	// labelProof starts the contextString of the evaluation proofs (RFC
	// 9497 §2.2); the session ID follows it, so a proof holds in one
	// session only.
	labelProof = "reunite-psi-v2 DLEQ ristretto255-SHA512 "
)

var h2g = ristretto255.NewHasher(hashToGroupDST)

// hashToGroup computes H(e) = hash_to_ristretto255(sid || e) per RFC 9380
// §3 and RFC 9496 §4.3.4. The session ID in the input makes every session's
// hashes unrelated, so nothing computed in one session helps in another.
func hashToGroup(out *ristretto255.Element, scratch *[]byte, sid *[32]byte, element []byte) {
	msg := append(append((*scratch)[:0], sid[:]...), element...)
	*scratch = msg
	h2g.Hash(out, msg)
}

// derive returns SHA-256(label || 0x00 || sid || point): the tag, handle and
// seal keys all come from here, separated by label. Inputs after the label
// have fixed lengths, so the encoding is unambiguous.
func derive(label string, sid *[32]byte, point []byte) [32]byte {
	var buf [128]byte
	if n := len(label) + 1 + len(sid) + len(point); n <= len(buf) {
		// The common case, on the stack: a hash.Hash would be allocated
		// per call, and this runs once or twice per match.
		k := copy(buf[:], label)
		k++ // the 0x00 separator
		k += copy(buf[k:], sid[:])
		copy(buf[k:], point)
		return sha256.Sum256(buf[:n])
	}
	h := sha256.New()
	h.Write([]byte(label))
	h.Write([]byte{0})
	h.Write(sid[:])
	h.Write(point)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func tagOf(sid *[32]byte, point []byte) (tag [encoding.TagSize]byte) {
	d := derive(labelTag, sid, point)
	copy(tag[:], d[:])
	return tag
}

// seal encrypts payload under a key derived from the element's shared point.
// Each key is used for exactly one message, so a fixed nonce is safe.
func seal(dst []byte, label string, sid *[32]byte, point, payload []byte) []byte {
	key := derive(label, sid, point)
	aead, err := chacha20poly1305.New(key[:])
	if err != nil {
		panic(err) // the key length is fixed; unreachable
	}
	var nonce [chacha20poly1305.NonceSize]byte
	return aead.Seal(dst, nonce[:], payload, sid[:])
}

func open(label string, sid *[32]byte, point, sealed []byte) ([]byte, error) {
	key := derive(label, sid, point)
	aead, err := chacha20poly1305.New(key[:])
	if err != nil {
		panic(err)
	}
	var nonce [chacha20poly1305.NonceSize]byte
	out, err := aead.Open(nil, nonce[:], sealed, sid[:])
	if err != nil {
		return nil, ErrPayloadAuth
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

// randomScalar draws a uniformly random non-zero scalar from 64 bytes of r
// (RFC 9496 §4.4: reduce 512 bits modulo the group order).
func randomScalar(r io.Reader) (*ristretto255.Scalar, error) {
	var buf [64]byte
	zero := new(ristretto255.Scalar)
	for {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return nil, err
		}
		s, err := new(ristretto255.Scalar).SetUniformBytes(buf[:])
		if err != nil {
			return nil, err
		}
		if s.Equal(zero) == 0 {
			return s, nil
		}
	}
}

// uniformInt returns a uniform integer in [0, n) drawn from r by rejection
// sampling 64-bit big-endian words (PROTOCOL.md §Shuffles).
func uniformInt(r io.Reader, n uint64) (uint64, error) {
	limit := (^uint64(0) / n) * n
	var b [8]byte
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, err
		}
		if v := binary.BigEndian.Uint64(b[:]); v < limit {
			return v % n, nil
		}
	}
}

// randomPermutation returns a uniformly random permutation of [0, n),
// Fisher–Yates from the top, drawing from r.
func randomPermutation(r io.Reader, n int) ([]int32, error) {
	perm := make([]int32, n)
	for i := range perm {
		perm[i] = int32(i)
	}
	for i := n - 1; i > 0; i-- {
		j, err := uniformInt(r, uint64(i+1))
		if err != nil {
			return nil, err
		}
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm, nil
}

// minParallel is the smallest batch worth splitting across cores, and
// the granularity of the split.
const minParallel = 64

// piecesPerWorker is how many pieces parallel cuts a batch into per core.
// The cores take pieces as they become free instead of a fixed share
// each, so a core that another goroutine held for a while (the peer's
// work when both parties share the machine, the collector, another
// process) delays the batch by a piece at most, not by its whole share.
const piecesPerWorker = 8

// parallel calls fn on disjoint sub-ranges covering [0, n), on all
// available cores, and returns the error of the lowest failing range. The
// ranges are pieces of a multiple of minParallel elements (the last may be
// shorter), which the calling goroutine and up to GOMAXPROCS−1 others take
// in increasing order as they become free; once a range has failed, the
// pieces not yet taken are skipped, since every one of them lies above it.
// It returns only after every call has returned, so it leaves no goroutine
// behind.
func parallel(n int, fn func(lo, hi int) error) error {
	workers := runtime.GOMAXPROCS(0)
	if n < 2*minParallel || workers == 1 {
		return fn(0, n)
	}
	piece := max(minParallel, n/(workers*piecesPerWorker)/minParallel*minParallel)
	pieces := (n + piece - 1) / piece
	workers = min(workers, pieces)
	errs := make([]error, pieces)
	var next atomic.Int64
	var failed atomic.Bool
	work := func() {
		for !failed.Load() {
			p := int(next.Add(1) - 1)
			if p >= pieces {
				return
			}
			if errs[p] = fn(p*piece, min(n, (p+1)*piece)); errs[p] != nil {
				failed.Store(true)
			}
		}
	}
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	return firstNonNil(errs)
}

func firstNonNil(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// encodeBlock is the number of points encoded together by
// ristretto255.AppendDoubledBytes, which shares one field inversion among
// them; it bounds each worker's scratch of points.
const encodeBlock = 64

// multiplyEncode writes, for i in [0, n), the encoding of k·P_i to
// out[i*ElementSize:], on all cores, where point(i, p, scratch) sets p to
// P_i (scratch is the worker's own); unless aff is nil, it also writes
// the affine form of k·P_i to aff[i*AffineSize:]. Each P_i is multiplied
// by k/2 in constant time and the encoding of its double is computed in
// blocks (ristretto255.AppendDoubledBytesAffine): the same bytes as
// encoding k·P_i, for an inversion shared by a block instead of an inverse
// square root each.
func multiplyEncode(out, aff []byte, n int, k *ristretto255.Scalar, point func(i int, p *ristretto255.Element, scratch *[]byte)) {
	var half ristretto255.Scalar
	ristretto255.HalveScalar(&half, k)
	_ = parallel(n, func(lo, hi int) error {
		var block [encodeBlock]ristretto255.Element
		var scratch []byte
		for b := lo; b < hi; b += encodeBlock {
			m := min(encodeBlock, hi-b)
			for j := range m {
				point(b+j, &block[j], &scratch)
				block[j].ScalarMult(&half, &block[j])
			}
			var affBlock []byte
			if aff != nil {
				affBlock = aff[b*ristretto255.AffineSize : b*ristretto255.AffineSize]
			}
			ristretto255.AppendDoubledBytesAffine(out[b*encoding.ElementSize:b*encoding.ElementSize], affBlock, block[:m])
		}
		return nil
	})
}

// blindElements writes, for each element, the encoding of k·H(element) to
// out (ElementSize bytes each) and, unless aff is nil, its affine form to
// aff (AffineSize bytes each).
func blindElements(out, aff []byte, sid *[32]byte, k *ristretto255.Scalar, elements [][]byte) {
	multiplyEncode(out, aff, len(elements), k, func(i int, p *ristretto255.Element, scratch *[]byte) {
		hashToGroup(p, scratch, sid, elements[i])
	})
}

// decodePoints decodes each point of in, refusing the identity and any
// non-canonical encoding.
func decodePoints(in []byte) ([]*ristretto255.Element, error) {
	return setPoints(in, encoding.ElementSize, func(p *ristretto255.Element, b []byte) error {
		if _, err := p.SetCanonicalBytes(b); err != nil || p.IsIdentity() == 1 {
			return ErrInvalidElement
		}
		return nil
	})
}

// affinePoints reads back this party's own points from their affine forms
// (multiplyEncode), without the inverse square root a decoding costs.
func affinePoints(in []byte) ([]*ristretto255.Element, error) {
	return setPoints(in, ristretto255.AffineSize, func(p *ristretto255.Element, b []byte) error {
		_, err := p.SetAffineBytes(b)
		return err
	})
}

// setPoints sets a point from each size bytes of in with set, on all
// cores, and returns the first error.
func setPoints(in []byte, size int, set func(p *ristretto255.Element, b []byte) error) ([]*ristretto255.Element, error) {
	n := len(in) / size
	pts := make([]*ristretto255.Element, n)
	backing := make([]ristretto255.Element, n)
	err := parallel(n, func(lo, hi int) error {
		for i := lo; i < hi; i++ {
			if err := set(&backing[i], in[i*size:(i+1)*size]); err != nil {
				return err
			}
			pts[i] = &backing[i]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return pts, nil
}

// multiplyPoints writes the encoding of k·p for each p of pts to out.
func multiplyPoints(out []byte, pts []*ristretto255.Element, k *ristretto255.Scalar) {
	multiplyEncode(out, nil, len(pts), k, func(i int, p *ristretto255.Element, _ *[]byte) {
		p.Set(pts[i])
	})
}

// proofContext is the contextString of this session's evaluation proofs.
func proofContext(sid *[32]byte) *dleq {
	return newDLEQ(append([]byte(labelProof), sid[:]...))
}
