package match

import "crypto/sha256"

// keyHasher computes the SHA-256 of the keys' short messages. It keeps a
// buffer that a message can be built in (msg), so that a comparison key's
// common start is written once for all of its values.
type keyHasher struct {
	buf [2 * sha256.BlockSize]byte
}

// msg returns the room for a message in the buffer.
func (k *keyHasher) msg() []byte { return k.buf[:0] }

// sum sets dst to the SHA-256 of m.
func (k *keyHasher) sum(dst *[KeySize]byte, m []byte) {
	*dst = sha256.Sum256(m)
}
