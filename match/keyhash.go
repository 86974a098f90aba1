package match

import (
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"hash"
)

// keyHasher computes the SHA-256 of short messages, the keys, with less
// work per message than hash.Hash's Reset, Write and Sum: the message is
// written with its padding (FIPS 180-4 §5.1.1) into blocks, a digest takes
// them whole, and the state after the last block, which is the hash, is
// read from the digest's binary form. Sum would copy the digest and pad
// it, a second Write; Sum256 would also set up a digest per message.
//
// A message written into the blocks directly (msg) is not copied. The binary form of crypto/sha256's digest ("sha\x03", the eight
// state words big-endian, then the buffer and the length) has been stable
// since Go 1.8, as it must be for state saved by one release to load in
// the next; still, the first use checks it against sha256.Sum256 and falls
// back to Sum if it differs.
type keyHasher struct {
	h      hash.Hash
	app    encoding.BinaryAppender
	direct bool // the digest's binary form holds its state as expected
	blocks [2 * sha256.BlockSize]byte
	out    []byte
}

// maxPadded is the longest message keyHasher hashes from its blocks: a
// message, its 0x80 and its 8-byte length fill at most two blocks.
const maxPadded = 2*sha256.BlockSize - 9

// msg returns the room for a message in the blocks.
func (k *keyHasher) msg() []byte { return k.blocks[:0:maxPadded] }

// sum sets dst to the SHA-256 of m: best k.msg() with the message
// appended, but any slice will do.
func (k *keyHasher) sum(dst *[KeySize]byte, m []byte) {
	if k.h == nil {
		k.init()
	}
	n := len(m)
	if !k.direct || n > maxPadded {
		k.h.Reset()
		k.h.Write(m)
		k.out = k.h.Sum(k.out[:0])
		copy(dst[:], k.out)
		return
	}
	if n > 0 && &m[0] != &k.blocks[0] {
		copy(k.blocks[:], m)
	}
	size := sha256.BlockSize
	if n > sha256.BlockSize-9 {
		size *= 2
	}
	b := k.blocks[:size]
	b[n] = 0x80
	clear(b[n+1 : size-8])
	binary.BigEndian.PutUint64(b[size-8:], uint64(n)*8)
	k.h.Reset()
	k.h.Write(b)
	k.out, _ = k.app.AppendBinary(k.out[:0])
	copy(dst[:], k.out[4:4+KeySize])
}

// init makes k's digest and checks that reading its state gives the hash.
func (k *keyHasher) init() {
	k.h = sha256.New()
	k.app, k.direct = k.h.(encoding.BinaryAppender)
	if !k.direct {
		return
	}
	for _, n := range []int{0, 55, 56, maxPadded} {
		m := k.msg()[:n]
		for i := range m {
			m[i] = byte(i*7 + n)
		}
		want := sha256.Sum256(m)
		var got [KeySize]byte
		k.sum(&got, m)
		if got != want {
			k.direct = false
			return
		}
	}
}
