// Package cputime reads the CPU time the running process has used, for the
// benchmarks (the bench tool and psi's benchmarks), which compare CPU
// seconds with CPU seconds because wall time on a shared machine depends on
// how much of it the process got.
package cputime

import "time"

// Process returns the CPU time (user + system, all threads) this process
// has used so far, to the microsecond where the platform reports it so
// (getrusage on Unix systems). It reports false where the platform does
// not report it.
func Process() (time.Duration, bool) {
	return process()
}
