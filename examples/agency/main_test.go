package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reunite-psi/reunite/match"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	recordsA = "../../testdata/agency-a.csv"
	recordsB = "../../testdata/agency-b.csv"
)

// server runs "agency serve" for B in-process on a loopback listener
// until the test ends, and returns its address and output.
type server struct {
	addr           string
	stdout, stderr *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startServer(t *testing.T, keys string, extraArgs ...string) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &server{addr: ln.Addr().String(), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	args := append([]string{"-records", recordsB, "-keys", keys, "-listen", "unused"}, extraArgs...)
	o, err := parseOptions("serve", args, s.stderr)
	require.NoError(t, err)
	o.listener = ln
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, o, s.stdout, s.stderr) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	return s
}

func keygenT(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"keygen", "-name", name, "-out", dir}, &out, &errOut), errOut.String())
	assert.Contains(t, out.String(), "fingerprint")
	info, err := os.Stat(filepath.Join(dir, tlsKeyFile))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	return dir
}

func runQuery(t *testing.T, keys, peer, addr string, extra ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runQueryFile(t, recordsA, keys, peer, addr, extra...)
}

func runQueryFile(t *testing.T, records, keys, peer, addr string, extra ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	args := append([]string{"query", "-records", records, "-keys", keys, "-peer", peer, "-connect", addr, "-timeout", "20s"}, extra...)
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// keyCount is how many keys an agency's file brings to a session.
func keyCount(t *testing.T, path string) int {
	t.Helper()
	recs, _, err := match.ReadFile(path, match.ReadOptions{})
	require.NoError(t, err)
	return len(match.NewIndex(recs, match.DefaultRules()).Keys)
}

func TestAgencies(t *testing.T) {
	a, b, c := keygenT(t, "agency-a"), keygenT(t, "agency-b"), keygenT(t, "agency-c")
	keysA, keysB := keyCount(t, recordsA), keyCount(t, recordsB)
	// For the cap test, a smaller file for A: its first four records.
	raw, err := os.ReadFile(recordsA)
	require.NoError(t, err)
	smallA := filepath.Join(t.TempDir(), "small-a.csv")
	require.NoError(t, os.WriteFile(smallA, []byte(strings.Join(strings.SplitAfter(string(raw), "\n")[:5], "")), 0o600))
	keysSmallA := keyCount(t, smallA)
	require.Greater(t, keysB, keysSmallA, "the cap test below needs B to bring more keys than A's small file")
	// A budget for two queries of A's records, not three.
	budget := strconv.Itoa(2*keysA + keysA/2)
	srv := startServer(t, b, "-peer", a, "-peer", c, "-budget", budget, "-window", "1h")

	// A queries B: both print the same handles.
	code, out, errOut := runQuery(t, a, b, srv.addr)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "6 matching records")
	for _, id := range []string{"A-001", "A-003", "A-007"} {
		assert.Contains(t, out, id)
	}
	var handles []string
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) == 4 && strings.HasPrefix(f[0], "A-") {
			handles = append(handles, f[1])
		}
	}
	require.Len(t, handles, 6)
	// B prints its summary line before its table: wait for the whole table.
	allPrinted := func() bool {
		got := srv.stdout.String()
		for _, h := range handles {
			if !strings.Contains(got, h) {
				return false
			}
		}
		return strings.Contains(got, "6 matching records")
	}
	assert.Eventually(t, allPrinted, 10*time.Second, 10*time.Millisecond, "B reports the same handles:\n%s", srv.stdout.String())

	// D, unknown to B, is refused at the TLS handshake; B keeps serving.
	d := keygenT(t, "agency-d")
	code, _, errOut = runQuery(t, d, b, srv.addr)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "refused or failed")
	require.Eventually(t, func() bool { return strings.Contains(srv.stderr.String(), "not one we pinned") }, 10*time.Second, 10*time.Millisecond)

	// A with another rule set is refused on both sides with a clear reason.
	code, _, errOut = runQuery(t, a, b, srv.addr, "-rules-name", "some-other-rules")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "different rule set")
	require.Eventually(t, func() bool { return strings.Count(srv.stderr.String(), "different rule set") == 1 }, 10*time.Second, 10*time.Millisecond)

	// A cap below B's key count is refused on both sides: the agreed
	// maximum is the smaller of the two caps.
	code, _, errOut = runQueryFile(t, smallA, a, b, srv.addr, "-max-keys", strconv.Itoa(keysSmallA))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "above the agreed maximum")
	require.Eventually(t, func() bool { return strings.Contains(srv.stderr.String(), "above the agreed maximum") }, 10*time.Second, 10*time.Millisecond)

	// C, pinned by B, may query until its budget is spent: the third query
	// is refused before any cryptographic work.
	for range 2 {
		code, _, errOut = runQuery(t, c, b, srv.addr)
		require.Equal(t, 0, code, errOut)
	}
	code, _, errOut = runQuery(t, c, b, srv.addr)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "budget")

	// And A still can (its second query): budgets are per peer.
	code, _, errOut = runQuery(t, a, b, srv.addr)
	require.Equal(t, 0, code, errOut)

	// Both audit logs are intact and record every session, failures included.
	for _, log := range []string{filepath.Join(a, "audit.jsonl"), filepath.Join(b, "audit.jsonl")} {
		var vout, verr bytes.Buffer
		require.Eventually(t, func() bool {
			vout.Reset()
			return run(context.Background(), []string{"verify", log}, &vout, &verr) == 0 && !strings.Contains(vout.String(), " 0 entries")
		}, 10*time.Second, 20*time.Millisecond, verr.String())
	}
	var vout, verr bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"verify", filepath.Join(a, "audit.jsonl")}, &vout, &verr))
	assert.Contains(t, vout.String(), "intact, 4 entries") // ok, rule set, cap, ok (C and D keep their own logs)

	// Tampering with the log is detected.
	raw, err = os.ReadFile(filepath.Join(a, "audit.jsonl"))
	require.NoError(t, err)
	lines := strings.SplitAfter(string(raw), "\n")
	tampered := filepath.Join(t.TempDir(), "tampered.jsonl")
	require.NoError(t, os.WriteFile(tampered, []byte(lines[0]+lines[2]+lines[1]), 0o600))
	verr.Reset()
	assert.Equal(t, 1, run(context.Background(), []string{"verify", tampered}, &vout, &verr))
	assert.Contains(t, verr.String(), "not intact")
}

func TestUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 2, run(context.Background(), nil, &out, &errOut))
	assert.Equal(t, 2, run(context.Background(), []string{"query", "-records", recordsA}, &out, &errOut))
	assert.Equal(t, 1, run(context.Background(), []string{"verify", "/nonexistent"}, &out, &errOut))
	dir := t.TempDir()
	assert.Equal(t, 0, run(context.Background(), []string{"keygen", "-name", "x", "-out", dir}, &out, &errOut))
	assert.Equal(t, 1, run(context.Background(), []string{"keygen", "-name", "x", "-out", dir}, &out, &errOut), "never overwrites keys")
}
