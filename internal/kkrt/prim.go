package kkrt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
)

// Domain-separation prefixes of the SHA-256 calls.
const (
	domainBaseOT = "reunite-kkrt-v1 base OT\x00"
	domainSeed   = "reunite-kkrt-v1 cuckoo seed\x00"
	domainTag    = "reunite-kkrt-v1 tag\x00"
)

// sessionSeed derives the element-hashing seed from the session context.
func sessionSeed(ctx []byte) [seedSize]byte {
	h := sha256.New()
	h.Write([]byte(domainSeed))
	h.Write(ctx)
	var sum [32]byte
	h.Sum(sum[:0])
	return [seedSize]byte(sum[:seedSize])
}

// hashElement returns x̂ = SHA-256(seed ‖ x)[:16], the element's OPRF
// input; its three cuckoo bins are disjoint bit fields of x̂ (binsOf). The
// seed is derived from the session context under its own domain
// (sessionSeed), so it both separates this hash from every other use of
// SHA-256 and makes inputs and bins unrelated across sessions; keeping
// the prefix at 16 bytes lets a 32-byte element hash in one SHA-256 block.
func hashElement(seed *[seedSize]byte, x []byte) [16]byte {
	var d [32]byte
	if len(x) <= 64-seedSize-9 {
		var buf [64 - 9]byte
		copy(buf[:], seed[:])
		n := copy(buf[seedSize:], x)
		d = sha256.Sum256(buf[:seedSize+n])
	} else {
		h := sha256.New()
		h.Write(seed[:])
		h.Write(x)
		h.Sum(d[:0])
	}
	return [16]byte(d[:16])
}

// binsOf returns the three cuckoo bins of x̂ in a table of m bins: three
// disjoint 42-bit fields v of x̂, each scaled to ⌊v·m/2^42⌋ ∈ [0, m)
// (bias below m/2^42). x̂ is a random-oracle output, so the three are
// independent and uniform. The product takes up to 67 bits, so it is
// formed as the high word of (v·2^22)·m.
func binsOf(x *[16]byte, m int) [hashCount]uint32 {
	lo := binary.LittleEndian.Uint64(x[0:])
	hi := binary.LittleEndian.Uint64(x[8:])
	const mask = 1<<42 - 1
	f := [hashCount]uint64{lo & mask, (lo>>42 | hi<<22) & mask, hi >> 20 & mask}
	var p [hashCount]uint32
	for i, v := range f {
		hi, _ := bits.Mul64(v<<22, uint64(m))
		p[i] = uint32(hi)
	}
	return p
}

// row is one row of the OT-extension matrix (Width bits). Bit k of the
// row is bit k%64 of word k/64; on the wire words are little-endian.
type row [rowWords]uint64

// prc is the pseudorandom code C of KKRT16 §4: the first Width bits of
// AES⁻¹_k(x̂ ⊕ 0) ‖ AES⁻¹_k(x̂ ⊕ 1) ‖ AES⁻¹_k(x̂ ⊕ 2) ‖ AES⁻¹_k(x̂ ⊕ 3)
// (x̂ ⊕ i flips the last byte), with the key k chosen by the sender after
// the receiver's inputs are fixed (KKRT16 instantiates the PRC with a PRF
// exactly this way). AES⁻¹ under a secret key is a pseudorandom permutation
// as AES is; it is used because the standard library's CBC decryption
// evaluates it on many independent blocks at once, where one Encrypt call
// per block pays its overhead and latency four times per code word
// (encodeBatch).
//
// A prc holds scratch space: each goroutine needs its own (clone).
type prc struct {
	b        cipher.Block
	dec      cipher.BlockMode // CBC decryption under b, used as a batch AES⁻¹
	last     [16]byte         // dec's chaining value: the last block it read
	src, dst []byte
}

func newPRC(key []byte) *prc {
	b, err := aes.NewCipher(key)
	if err != nil {
		panic("kkrt: " + err.Error()) // unreachable: key is always 16 bytes
	}
	return prcOf(b)
}

func prcOf(b cipher.Block) *prc {
	return &prc{b: b, dec: cipher.NewCBCDecrypter(b, make([]byte, aes.BlockSize))}
}

func (c *prc) clone() *prc { return prcOf(c.b) }

// prcs are the clones of one prc that the workers of parallelEach use,
// one each, kept across calls so that their scratch space is allocated
// once per session rather than once per chunk.
type prcs []*prc

// forWorkers returns a clone of c for each of runtime.GOMAXPROCS workers,
// made on first use.
func (p *prcs) forWorkers(c *prc) []*prc {
	for len(*p) < runtime.GOMAXPROCS(0) {
		*p = append(*p, c.clone())
	}
	return *p
}

// encodeBatch writes C(xs[i]) to out[i] for every i. CBC decryption gives
// block j as AES⁻¹(src_j) ⊕ src_{j-1} (the chaining value before the
// first), so XORing the previous input block back leaves AES⁻¹(src_j).
func (c *prc) encodeBatch(out []row, xs [][16]byte) {
	n := 64 * len(xs)
	if cap(c.src) < n {
		c.src, c.dst = make([]byte, n), make([]byte, n)
	}
	src, dst := c.src[:n], c.dst[:n]
	for i := range xs {
		for j := range 4 {
			b := src[64*i+16*j : 64*i+16*j+16]
			copy(b, xs[i][:])
			b[15] ^= byte(j)
		}
	}
	c.dec.CryptBlocks(dst, src)
	subtle.XORBytes(dst[:16], dst[:16], c.last[:])
	subtle.XORBytes(dst[16:], dst[16:], src[:n-16])
	copy(c.last[:], src[n-16:])
	for i := range out[:len(xs)] {
		for w := range rowWords {
			out[i][w] = binary.LittleEndian.Uint64(dst[64*i+8*w:])
		}
	}
}

// tagHash is the random oracle H of KKRT16 applied to a matrix row in bin
// j: SHA-256(row ‖ j), the OPRF output. Its last SecretSize bytes are the
// secret, and the tag is derived from them (tagOf).
func tagHash(r *row, j int) [32]byte {
	var buf [rowBytes + 4]byte
	for w := range rowWords {
		binary.LittleEndian.PutUint64(buf[8*w:], r[w])
	}
	binary.BigEndian.PutUint32(buf[rowBytes:], uint32(j))
	return sha256.Sum256(buf[:])
}

// tagOf writes to dst (at most 32 bytes) the tag of an OPRF output whose
// secret half is secret: SHA-256("reunite-kkrt-v1 tag" ‖ 0x00 ‖ secret),
// one block. The tag is a one-way function of the secret, so a party that
// sees a tag learns nothing of the secret that handles and payload keys
// come from, and a party that keeps secrets need not keep tags as well.
func tagOf(dst, secret []byte) {
	var buf [len(domainTag) + SecretSize]byte
	copy(buf[:], domainTag)
	copy(buf[len(domainTag):], secret)
	h := sha256.Sum256(buf[:])
	copy(dst, h[:len(dst)])
}

// prg expands a base-OT seed into one matrix column: AES-128-CTR keyed by
// the seed, zero IV, read in order across chunks.
type prg struct{ s cipher.Stream }

func newPRG(seed []byte) prg {
	b, err := aes.NewCipher(seed)
	if err != nil {
		panic("kkrt: " + err.Error()) // unreachable: seeds are 16 bytes
	}
	return prg{cipher.NewCTR(b, make([]byte, aes.BlockSize))}
}

// fill overwrites dst with the next len(dst) bytes of the stream.
func (g prg) fill(dst []byte) {
	clear(dst)
	g.s.XORKeyStream(dst, dst)
}

// transpose64 transposes a 64×64 bit matrix in place: bit r of a[c]
// becomes bit c of a[r] (recursive block swap, Hacker's Delight §7-3,
// least-significant-bit-first).
func transpose64(a *[64]uint64) {
	m := uint64(0x00000000FFFFFFFF)
	for j := 32; j != 0; j, m = j>>1, m^(m<<(j>>1)) {
		for k := 0; k < 64; k = (k + j + 1) &^ j {
			t := (a[k]>>j ^ a[k+j]) & m
			a[k+j] ^= t
			a[k] ^= t << j
		}
	}
}

// transposeCols turns Width columns of n bits (column c at
// cols[c*n/8 : (c+1)*n/8], bit r of the column = byte r/8, bit r%8) into
// n rows. n is a multiple of 64.
func transposeCols(rows []row, cols []byte, n int) {
	parallel(n/64, func(lo, hi int) { transposeBlocks(rows, cols, n, lo, hi) })
}

// transposeBlocks transposes the row blocks lo … hi-1 (64 rows each).
func transposeBlocks(rows []row, cols []byte, n, lo, hi int) {
	stride := n / 8
	var a [64]uint64
	for rb := lo; rb < hi; rb++ {
		for cb := range rowWords {
			for c := range 64 {
				a[c] = binary.LittleEndian.Uint64(cols[(cb*64+c)*stride+rb*8:])
			}
			transpose64(&a)
			for r := range 64 {
				rows[rb*64+r][cb] = a[r]
			}
		}
	}
}

// parallelTake calls f(i) for every i in [0, n) on all CPUs
// (runtime.GOMAXPROCS), each worker taking the next i when it is done
// with one, and returns when all are done; no goroutine outlives the
// call.
func parallelTake(n int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		})
	}
	wg.Wait()
}

// parallel runs f over [0, n) split into one contiguous range per CPU
// (runtime.GOMAXPROCS) and returns when all are done; no goroutine
// outlives the call.
func parallel(n int, f func(lo, hi int)) {
	parallelEach(n, runtime.GOMAXPROCS(0), func(_, lo, hi int) { f(lo, hi) })
}

// parallelEach is parallel with at most maxWorkers workers, and tells f
// which worker (0 … maxWorkers-1) runs it, so that workers can keep
// scratch space across calls.
func parallelEach(n, maxWorkers int, f func(w, lo, hi int)) {
	if n <= 0 {
		return
	}
	w := min(runtime.GOMAXPROCS(0), maxWorkers, max(1, n/64))
	if w <= 1 {
		f(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for k := range w {
		lo, hi := k*n/w, (k+1)*n/w
		wg.Go(func() { f(k, lo, hi) })
	}
	wg.Wait()
}
