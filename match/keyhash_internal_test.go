package match

import (
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestKeyHasher checks keyHasher against sha256.Sum256 for messages of
// every length up to past its blocks' room, written into its blocks or
// not, and for messages that share a start, as the comparison keys do.
func TestKeyHasher(t *testing.T) {
	var k keyHasher
	for n := range 2*maxPadded + 2 {
		other := make([]byte, n)
		for i := range other {
			other[i] = byte(i*31 + n)
		}
		var got [KeySize]byte
		k.sum(&got, other)
		require.Equal(t, sha256.Sum256(other), got, "length %d, own slice", n)
		require.True(t, k.direct, "the digest's state is read directly")

		in := append(k.msg(), other...)
		k.sum(&got, in)
		require.Equal(t, sha256.Sum256(other), got, "length %d, in the blocks", n)
	}
	start := append(k.msg(), "0123456789abcdef\x05\x1f"...)
	for _, v := range []string{"", "x", "a longer value that takes the message into a second block of SHA-256"} {
		var got [KeySize]byte
		k.sum(&got, append(start, v...))
		require.Equal(t, sha256.Sum256([]byte("0123456789abcdef\x05\x1f"+v)), got, "value %q", v)
	}
}
