package ristretto255

import (
	"crypto"
	_ "crypto/sha512" // registers crypto.SHA512, which the expander looks up at run time

	"github.com/cloudflare/circl/expander"
)

// Hasher hashes byte strings to group elements with RFC 9380's
// hash_to_ristretto255 under one domain-separation tag: expand_message_xmd
// with SHA-512 (RFC 9380 §5.3.1) to 64 bytes, then element derivation
// (RFC 9496 §4.3.4). It is safe for concurrent use.
type Hasher struct {
	exp expander.Expander
}

// NewHasher returns a Hasher for the domain-separation tag dst, which RFC
// 9380 §3.1 asks to name the protocol, its version and the suite.
func NewHasher(dst string) *Hasher {
	return &Hasher{exp: expander.NewExpanderMD(crypto.SHA512, []byte(dst))}
}

// Hash sets out to hash_to_ristretto255(msg) and returns out.
func (h *Hasher) Hash(out *Element, msg []byte) *Element {
	return out.FromUniformBytes(h.exp.Expand(msg, UniformSize))
}

// ScalarHasher hashes byte strings to scalars as RFC 9497 §4.1 specifies
// HashToScalar for ristretto255: expand_message_xmd with SHA-512 to 64
// bytes under one domain-separation tag, read as a little-endian integer
// and reduced modulo the group order. It is safe for concurrent use.
type ScalarHasher struct {
	exp expander.Expander
}

// NewScalarHasher returns a ScalarHasher for the domain-separation tag dst.
func NewScalarHasher(dst []byte) *ScalarHasher {
	return &ScalarHasher{exp: expander.NewExpanderMD(crypto.SHA512, dst)}
}

// Hash sets out to HashToScalar(msg) and returns out.
func (h *ScalarHasher) Hash(out *Scalar, msg []byte) *Scalar {
	// SetUniformBytes fails only on a length other than 64, which Expand
	// never returns here.
	_, _ = out.SetUniformBytes(h.exp.Expand(msg, UniformSize))
	return out
}
