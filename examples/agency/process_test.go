package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/internal/fsfile"
)

// agencyArgsEnv carries a command line to this test binary run as the
// agency program, its words separated by 0x1f.
const agencyArgsEnv = "REUNITE_AGENCY_ARGS"

// agencyProcess returns the command that runs the agency program with
// args in a process of its own: this test binary, which then does what
// main does.
func agencyProcess(t *testing.T, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeAndQueryAtOnceProcesses$")
	cmd.Env = append(os.Environ(), agencyArgsEnv+"="+strings.Join(args, "\x1f"))
	return cmd
}

// TestServeAndQueryAtOnceProcesses is TestServeAndQueryAtOnce with every
// serve and query in a process of its own, as an agency runs them: A and
// B each serve and, at the same time, query the other three times from
// one key directory each. Both audit logs stay one intact chain holding
// all six sessions. (On systems where the file lock is in-process only,
// fsfile.InterProcess, the test is skipped.)
func TestServeAndQueryAtOnceProcesses(t *testing.T) {
	if args := os.Getenv(agencyArgsEnv); args != "" {
		ctx, stop := signal.NotifyContext(context.Background(), stopSignals...)
		code := run(ctx, strings.Split(args, "\x1f"), os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	if !fsfile.InterProcess {
		t.Skip("no inter-process file lock on this system")
	}
	if testing.Short() {
		t.Skip("starts eight processes")
	}
	const rounds = 3
	a, b := keygenT(t, "agency-a"), keygenT(t, "agency-b")
	dir := t.TempDir()
	type agency struct {
		keys, peer, records, ready string
		serve                      *exec.Cmd
		serveErr                   bytes.Buffer
	}
	agencies := []*agency{
		{keys: a, peer: b, records: recordsA, ready: filepath.Join(dir, "a.ready")},
		{keys: b, peer: a, records: recordsB, ready: filepath.Join(dir, "b.ready")},
	}
	for _, ag := range agencies {
		ag.serve = agencyProcess(t, "serve", "-records", ag.records, "-keys", ag.keys, "-peer", ag.peer,
			"-listen", "127.0.0.1:0", "-ready", ag.ready, "-sessions", strconv.Itoa(rounds))
		ag.serve.Stderr = &ag.serveErr
		require.NoError(t, ag.serve.Start())
		t.Cleanup(func() { _ = ag.serve.Process.Kill() })
	}
	addr := func(ag *agency) string {
		var got []byte
		require.Eventually(t, func() bool {
			var err error
			got, err = os.ReadFile(ag.ready)
			return err == nil && len(got) > 0
		}, 60*time.Second, 20*time.Millisecond, "%s's server is ready", ag.keys)
		return strings.TrimSpace(string(got))
	}
	addrs := []string{addr(agencies[0]), addr(agencies[1])}

	var wg sync.WaitGroup
	for range rounds {
		for i, ag := range agencies {
			wg.Go(func() {
				q := agencyProcess(t, "query", "-records", ag.records, "-keys", ag.keys, "-peer", ag.peer,
					"-connect", addrs[1-i], "-timeout", "60s")
				out, err := q.CombinedOutput()
				assert.NoError(t, err, "%s queries: %s", ag.keys, out)
			})
		}
	}
	wg.Wait()
	for _, ag := range agencies {
		require.NoError(t, ag.serve.Wait(), "%s serves %d sessions and stops: %s", ag.keys, rounds, ag.serveErr.String())
		var out, errOut bytes.Buffer
		require.Equal(t, exitOK, run(context.Background(), []string{"verify", "-keys", ag.keys}, &out, &errOut), errOut.String())
		assert.Contains(t, out.String(), "intact, "+strconv.Itoa(2*rounds)+" entries, head ", "%s's log holds its %d queries and %d served sessions", ag.keys, rounds, rounds)
	}
}
