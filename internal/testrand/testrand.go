// Package testrand provides a deterministic, seeded source of "randomness"
// for known-answer tests. It is for tests only: nothing outside _test.go
// files may import it (a test in package psi enforces this), and the
// production API of reunite takes no randomness source at all.
package testrand

import (
	"crypto/sha3"
	"io"
)

// New returns an endless byte stream determined by seed: the SHAKE256 output
// for the input "reunite testrand v1" || seed. Another implementation can
// reproduce it to check reunite's test vectors.
func New(seed string) io.Reader {
	h := sha3.NewSHAKE256()
	h.Write([]byte("reunite testrand v1"))
	h.Write([]byte(seed))
	return h
}
