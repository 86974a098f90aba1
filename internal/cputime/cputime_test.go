package cputime

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProcessAdvances(t *testing.T) {
	before, ok := Process()
	if !ok {
		t.Skip("this platform does not report CPU time")
	}
	// Spin for 200 ms of wall time: some CPU time, however busy the machine.
	x := 0
	for start := time.Now(); time.Since(start) < 200*time.Millisecond; {
		x++
	}
	runtime.KeepAlive(x)
	after, ok := Process()
	require.True(t, ok)
	assert.Greater(t, after, before)
	assert.Less(t, after-before, 10*time.Second)
}
