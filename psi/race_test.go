//go:build race

package psi

// The race detector slows group arithmetic about tenfold; the largest
// property-test sets shrink under it, staying above one chunk.
const largeSet = 5000
