//go:build !race

package psi

const largeSet = 10000
