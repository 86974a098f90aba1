//go:build race

package reunite

// raceEnabled reports whether the race detector is on: it makes PSI on
// large sets ten times slower and weighs on the heap, so tests of memory
// bounds on large exchanges run without it.
const raceEnabled = true
