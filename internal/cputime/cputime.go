// Package cputime reads the CPU time the running process has used, for the
// benchmarks (the bench tool and psi's benchmarks), which compare CPU
// seconds with CPU seconds because wall time on a shared machine depends on
// how much of it the process got.
package cputime

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"time"
)

// Process returns the CPU time (user + system, all threads) this process
// has used so far, from /proc/self/stat, assuming the usual 100 clock ticks
// per second (so it moves in steps of 10 ms). It reports false where /proc
// is not available.
func Process() (time.Duration, bool) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, false
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3 of proc(5), state
	if len(f) < 13 {
		return 0, false
	}
	var ticks int64
	for _, s := range f[11:13] { // fields 14 and 15: utime and stime
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, false
		}
		ticks += v
	}
	return time.Duration(ticks) * (time.Second / 100), true
}
