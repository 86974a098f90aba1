package match_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/reunite-psi/reunite/internal/synth"
	"github.com/reunite-psi/reunite/match"
)

// BenchmarkKeysPerRecord derives the keys of every agency-A record of the
// data sets go run ./bench -linkage reports on (the synthetic cross-border
// and register sets at their default size, and FEBRL4 when present: Latin
// script, addresses and document numbers), one
// record per iteration, as the bench's keys/s column does. Run it with
// -cpu 1 for the rate per core, garbage collection included. Besides
// records/s (wall clock) it reports records/cpu-s, records per second of
// the process's CPU time, which holds on a machine that others share.
func BenchmarkKeysPerRecord(b *testing.B) {
	sets := []struct {
		name    string
		records func() ([]match.Record, error)
	}{
		{"synth", func() ([]match.Record, error) { return synth.Generate(synth.DefaultConfig(1, 2000)).A, nil }},
		{"register", func() ([]match.Record, error) {
			return synth.GenerateRegister(synth.DefaultRegisterConfig(1, 2000)).A, nil
		}},
		{"febrl4", func() ([]match.Record, error) {
			rr, _, err := match.ReadFile("../../shared/data/febrl4/a.csv", match.ReadOptions{})
			return rr, err
		}},
	}
	rs := match.DefaultRules()
	for _, set := range sets {
		b.Run(set.name, func(b *testing.B) {
			records, err := set.records()
			if err != nil {
				b.Skip("data set not present:", err)
			}
			b.ReportAllocs()
			cpu := cpuTime()
			i := 0
			for b.Loop() {
				_, _ = rs.Keys(&records[i%len(records)])
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(b.N)/(cpuTime()-cpu).Seconds(), "records/cpu-s")
		})
	}
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
