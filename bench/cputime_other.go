//go:build !unix

package main

import "time"

var start = time.Now()

// processCPU stands in for the process's CPU time where the platform does
// not report it: the wall time since the program started.
func processCPU() time.Duration { return time.Since(start) }

// cpuClock names what oneCoreRate measures, for the table's notes.
const cpuClock = "wall time (this platform does not report CPU time)"
