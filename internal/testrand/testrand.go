// Package testrand provides a deterministic, seeded source of "randomness"
// for known-answer tests, and the byte helpers tests of several packages
// share. It is for tests only: nothing outside _test.go files may import
// it (a test in package psi enforces this), and the production API of
// reunite takes no randomness source at all.
package testrand

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha3"
	"io"
)

// WithChecksum returns a copy of b whose last 32 bytes are replaced with
// the SHA-256 of the rest, so that a test or fuzzer reaches the fields
// behind the checksum of reunite's file formats (saved session state,
// exchange state, seen exchanges). A b shorter than a checksum is returned
// as it is.
func WithChecksum(b []byte) []byte {
	if len(b) < sha256.Size {
		return b
	}
	out := bytes.Clone(b)
	sum := sha256.Sum256(out[:len(out)-sha256.Size])
	copy(out[len(out)-sha256.Size:], sum[:])
	return out
}

// New returns an endless byte stream determined by seed: the SHAKE256 output
// for the input "reunite testrand v1" || seed. Another implementation can
// reproduce it to check reunite's test vectors.
func New(seed string) io.Reader {
	h := sha3.NewSHAKE256()
	h.Write([]byte("reunite testrand v1"))
	h.Write([]byte(seed))
	return h
}
