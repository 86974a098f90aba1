package match

import (
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestKeyHasher checks keyHasher against sha256.Sum256 for messages built
// in its buffer and beyond it, and for messages that share a start, as the
// comparison keys do.
func TestKeyHasher(t *testing.T) {
	var k keyHasher
	for n := range 3 * sha256.BlockSize {
		other := make([]byte, n)
		for i := range other {
			other[i] = byte(i*31 + n)
		}
		var got [KeySize]byte
		k.sum(&got, append(k.msg(), other...))
		require.Equal(t, sha256.Sum256(other), got, "length %d", n)
	}
	start := append(k.msg(), "0123456789abcdef\x05\x1f"...)
	for _, v := range []string{"", "x", "a longer value that takes the message into a second block of SHA-256"} {
		var got [KeySize]byte
		k.sum(&got, append(start, v...))
		require.Equal(t, sha256.Sum256([]byte("0123456789abcdef\x05\x1f"+v)), got, "value %q", v)
	}
}
