package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/reunite-psi/reunite"
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
	return startServerFile(t, recordsB, keys, extraArgs...)
}

func startServerFile(t *testing.T, records, keys string, extraArgs ...string) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &server{addr: ln.Addr().String(), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	args := append([]string{"-records", records, "-keys", keys, "-listen", "unused"}, extraArgs...)
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
	for _, f := range []string{tlsKeyFile, auditFile, budgetFile} {
		info, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), f)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	// Only what serve, query and verify use: no key nothing reads.
	assert.ElementsMatch(t, []string{certFile, tlsKeyFile, auditFile, budgetFile, auditFile + ".lock"}, names)
	return dir
}

func runQuery(t *testing.T, keys, peer, addr string, extra ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runQueryFile(t, recordsA, keys, peer, addr, extra...)
}

func runQueryFile(t *testing.T, records, keys, peer, addr string, extra ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	args := append([]string{"query", "-records", records, "-keys", keys, "-peer", peer, "-connect", addr, "-timeout", "2m"}, extra...)
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// keyCount is how many keys an agency's file brings to a session.
func keyCount(t *testing.T, path string) int {
	t.Helper()
	recs, _, err := match.ReadFile(path, match.ReadOptions{})
	require.NoError(t, err)
	// Match sends every key and the element that carries the file's
	// statistics (match.RuleSet.StatisticsElement).
	return len(match.NewIndex(recs, match.DefaultRules()).Keys) + 1
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
	assert.Contains(t, errOut, "the peer refused our certificate: it has not pinned it", "D is told why")
	require.Eventually(t, func() bool { return strings.Contains(srv.stderr.String(), "not one we pinned") }, 10*time.Second, 10*time.Millisecond)

	// A with another rule set is refused on both sides with a clear reason.
	code, _, errOut = runQuery(t, a, b, srv.addr, "-rules-name", "some-other-rules")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "different rule set")
	require.Eventually(t, func() bool { return strings.Count(srv.stderr.String(), "different rule set") == 1 }, 10*time.Second, 10*time.Millisecond)
	assert.Contains(t, errOut, `ours "some-other-rules:`, "the query names both rule sets")
	assert.Contains(t, errOut, `the peer's "reunite-default-`, "the query names both rule sets")
	assert.Contains(t, srv.stderr.String(), `the peer's "some-other-rules:`, "the server names the query's rule set")
	assert.Contains(t, srv.stderr.String(), `ours "reunite-default-`, "the server names its own rule set")
	assert.Contains(t, srv.stderr.String(), "(rule set "+match.DefaultRules().ID()+")",
		"without -rules-name, serve runs the library's default rules, which a partner using match.DefaultRules() also runs")

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
			return run(context.Background(), []string{"verify", "-keys", filepath.Dir(log)}, &vout, &verr) == 0 && !strings.Contains(vout.String(), " 0 entries")
		}, 10*time.Second, 20*time.Millisecond, verr.String())
	}
	var vout, verr bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"verify", "-keys", a, filepath.Join(a, "audit.jsonl")}, &vout, &verr))
	assert.Contains(t, vout.String(), "intact, 4 entries") // ok, rule set, cap, ok (C and D keep their own logs)

	// Tampering with the log is detected.
	raw, err = os.ReadFile(filepath.Join(a, "audit.jsonl"))
	require.NoError(t, err)
	lines := strings.SplitAfter(string(raw), "\n")
	tampered := filepath.Join(t.TempDir(), "tampered.jsonl")
	require.NoError(t, os.WriteFile(tampered, []byte(lines[0]+lines[2]+lines[1]), 0o600))
	verr.Reset()
	assert.Equal(t, 1, run(context.Background(), []string{"verify", "-keys", a, tampered}, &vout, &verr))
	assert.Contains(t, verr.String(), "not intact")

	// B's log records what each session charged and what the peer
	// declared, the refused ones too.
	raw, err = os.ReadFile(filepath.Join(b, auditFile))
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"peer_keys":`+strconv.Itoa(keysA)+`,`)
	assert.Contains(t, string(raw), `"charged":`+strconv.Itoa(keysA)+`,"lower_bound":`)
	assert.Regexp(t, `"peer_keys":`+strconv.Itoa(keysA)+`,.*"outcome":"[^"]*budget[^"]*",.*"charged":0,"lower_bound":false,"peer_rule_set_id":""}`, string(raw), "C's refused third query")
}

func TestExitCodes(t *testing.T) {
	keys := keygenT(t, "agency-x")
	noLog := keygenT(t, "agency-y")
	require.NoError(t, os.Remove(filepath.Join(noLog, auditFile)))
	badCSV := filepath.Join(t.TempDir(), "bad.csv")
	require.NoError(t, os.WriteFile(badCSV, []byte("id,given_name\nA-1,Ana\n"), 0o600))
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"no command", nil, exitUsage},
		{"unknown command", []string{"frobnicate"}, exitUsage},
		{"query without flags", []string{"query", "-records", recordsA}, exitUsage},
		{"query with a bad record file", []string{"query", "-records", badCSV, "-keys", keys, "-peer", keys, "-connect", "127.0.0.1:1"}, exitUsage},
		{"query with a missing record file", []string{"query", "-records", "/nonexistent.csv", "-keys", keys, "-peer", keys, "-connect", "127.0.0.1:1"}, exitUsage},
		{"unknown flag", []string{"serve", "-frob"}, exitUsage},
		{"help", []string{"query", "-h"}, exitOK},
		{"keygen without name", []string{"keygen", "-out", t.TempDir()}, exitUsage},
		{"keygen over existing keys", []string{"keygen", "-name", "x", "-out", keys}, exitUsage},
		{"verify without keys", []string{"verify", "/nonexistent"}, exitUsage},
		{"verify with a bad anchor", []string{"verify", "-keys", keys, "-anchor", "3:xyz"}, exitUsage},
		{"verify a missing log named on the command line", []string{"verify", "-keys", keys, "/nonexistent"}, exitUsage},
		{"verify a deleted log", []string{"verify", "-keys", noLog}, exitFailure},
		{"verify", []string{"verify", "-keys", keys}, exitOK},
		{"query, nobody listening", []string{"query", "-records", recordsA, "-keys", keys, "-peer", keys, "-connect", "127.0.0.1:1", "-wait", "0s"}, exitFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			assert.Equal(t, tt.code, run(context.Background(), tt.args, &out, &errOut), errOut.String())
			if tt.code != exitOK {
				assert.NotEmpty(t, errOut.String(), "a failure says why")
			}
			if tt.name == "unknown command" {
				assert.Contains(t, errOut.String(), `unknown command "frobnicate"`)
			}
		})
	}
}

// TestServeAndQueryAtOnce has A and B each serve and query the other at
// the same time, from one key directory each: both audit logs stay one
// intact chain holding every session.
func TestServeAndQueryAtOnce(t *testing.T) {
	a, b := keygenT(t, "agency-a"), keygenT(t, "agency-b")
	srvA := startServerFile(t, recordsA, a, "-peer", b)
	srvB := startServer(t, b, "-peer", a)
	const rounds = 3
	var wg sync.WaitGroup
	for range rounds {
		wg.Go(func() {
			code, _, errOut := runQuery(t, a, b, srvB.addr)
			assert.Equal(t, 0, code, errOut)
		})
		wg.Go(func() {
			code, _, errOut := runQueryFile(t, recordsB, b, a, srvA.addr)
			assert.Equal(t, 0, code, errOut)
		})
	}
	wg.Wait()
	for _, keys := range []string{a, b} {
		require.Eventually(t, func() bool {
			var out, errOut bytes.Buffer
			code := run(context.Background(), []string{"verify", "-keys", keys}, &out, &errOut)
			return code == 0 && strings.Contains(out.String(), "intact, "+strconv.Itoa(2*rounds)+" entries, head ")
		}, 10*time.Second, 20*time.Millisecond, "each log holds its %d queries and %d served sessions", rounds, rounds)
	}
}

// TestMissingFilesNeedInit checks that a deleted audit log or budget file
// stops serve and query until -init creates a new one.
func TestMissingFilesNeedInit(t *testing.T) {
	a, b := keygenT(t, "agency-a"), keygenT(t, "agency-b")
	srv := startServer(t, b, "-peer", a)
	require.NoError(t, os.Remove(filepath.Join(a, auditFile)))
	code, _, errOut := runQuery(t, a, b, srv.addr)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "pass -init")
	code, _, errOut = runQuery(t, a, b, srv.addr, "-init")
	require.Equal(t, exitOK, code, errOut)

	require.NoError(t, os.Remove(filepath.Join(b, budgetFile)))
	o, err := parseOptions("serve", []string{"-records", recordsB, "-keys", b, "-peer", a, "-listen", "127.0.0.1:0"}, io.Discard)
	require.NoError(t, err)
	err = serve(context.Background(), o, io.Discard, io.Discard)
	require.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "pass -init")
}

// TestQueryWaitsForServer starts the query before the server, as the
// README's script does: the query retries until the server listens, and
// the server writes its -ready file once it does.
func TestQueryWaitsForServer(t *testing.T) {
	a, b := keygenT(t, "agency-a"), keygenT(t, "agency-b")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	type result struct {
		code   int
		stderr string
	}
	done := make(chan result, 1)
	go func() {
		code, _, errOut := runQuery(t, a, b, addr, "-wait", "20s")
		done <- result{code, errOut}
	}()
	time.Sleep(300 * time.Millisecond)
	ready := filepath.Join(t.TempDir(), "ready")
	var stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan int, 1)
	go func() {
		served <- run(ctx, []string{"serve", "-records", recordsB, "-keys", b, "-peer", a, "-listen", addr, "-ready", ready}, io.Discard, &stderr)
	}()
	r := <-done
	assert.Equal(t, exitOK, r.code, r.stderr)
	got, err := os.ReadFile(ready)
	require.NoError(t, err)
	assert.Equal(t, addr+"\n", string(got))
	assert.Contains(t, stderr.String(), "listening on "+addr)
	cancel()
	assert.Equal(t, exitOK, <-served)
}

// TestStopSignals checks that SIGTERM, as systemd and Kubernetes send it,
// stops serve as SIGINT does, and that a session in progress when serve
// stops is audited.
func TestStopSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		ctx, stop := signal.NotifyContext(context.Background(), stopSignals...)
		require.NoError(t, syscall.Kill(os.Getpid(), sig))
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
			t.Fatalf("%v did not stop the command", sig)
		}
		stop()
	}

	a, b := keygenT(t, "agency-a"), keygenT(t, "agency-b")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	o, err := parseOptions("serve", []string{"-records", recordsB, "-keys", b, "-peer", a, "-listen", "unused"}, io.Discard)
	require.NoError(t, err)
	o.listener = ln
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- serve(ctx, o, io.Discard, &stderr) }()

	// A client that completes the TLS handshake and then says nothing.
	certA, err := loadTLS(a)
	require.NoError(t, err)
	leafB, err := loadPeerCert(b)
	require.NoError(t, err)
	conn, err := tls.Dial("tcp", ln.Addr().String(), reunite.PinnedTLSConfig(certA, leafB))
	require.NoError(t, err)
	defer conn.Close()
	time.Sleep(200 * time.Millisecond) // let the session start
	cancel()
	require.NoError(t, <-done)

	raw, err := os.ReadFile(filepath.Join(b, auditFile))
	require.NoError(t, err)
	assert.Equal(t, 2, strings.Count(string(raw), "\n"), "the header and the interrupted session")
	assert.Contains(t, string(raw), "context canceled")
}

func TestHeaderOnlyFileWarns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.csv")
	require.NoError(t, os.WriteFile(path, []byte("id,given_names\n"), 0o600))
	var stderr bytes.Buffer
	recs, err := readRecords(path, &stderr)
	require.NoError(t, err)
	assert.Empty(t, recs)
	assert.Contains(t, stderr.String(), "holds no records")

	stderr.Reset()
	_, err = readRecords(recordsA, &stderr)
	require.NoError(t, err)
	assert.Empty(t, stderr.String())
}

// TestReadmeScript runs the README's two-process block as a script would,
// line by line and in order (the server in the background), in this
// process: it must work without any wait between starting the server and
// the query.
func TestReadmeScript(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	start := strings.Index(string(readme), "d=$(mktemp -d)\n")
	require.GreaterOrEqual(t, start, 0, "the README has the block")
	block := string(readme[start:])
	block = block[:strings.Index(block, "```")]

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	d := t.TempDir()

	var bg sync.WaitGroup
	var lastOut string
	lines := strings.Split(strings.TrimSpace(block), "\n")
	require.Len(t, lines, 7)
	for _, line := range lines {
		switch {
		case line == "d=$(mktemp -d)":
			continue
		case line == "wait":
			bg.Wait()
			continue
		}
		line = strings.ReplaceAll(line, "$d", d)
		line = strings.ReplaceAll(line, "127.0.0.1:7946", addr)
		background := strings.HasSuffix(line, " &")
		args := shellWords(t, strings.TrimSuffix(line, " &"))
		require.Equal(t, []string{"go", "run", "./examples/agency"}, args[:3], line)
		args = args[3:]
		for i, a := range args {
			if strings.HasPrefix(a, "testdata/") {
				args[i] = "../../" + a
			}
		}
		exec := func() string {
			var out, errOut bytes.Buffer
			code := run(context.Background(), args, &out, &errOut)
			assert.Equal(t, 0, code, "%s\n%s", line, errOut.String())
			return out.String()
		}
		if background {
			bg.Go(func() { exec() })
		} else {
			lastOut = exec()
		}
	}
	bg.Wait()
	assert.Contains(t, lastOut, "intact, 1 entries, head 1:")
}

// shellWords splits a command line as sh would for the README's simple
// lines: on spaces, with double quotes grouping.
func shellWords(t *testing.T, line string) []string {
	var words []string
	var cur strings.Builder
	quoted, inWord := false, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	require.False(t, quoted, "unbalanced quotes in %q", line)
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// TestVerifyAnchor records the head verify prints and checks that a later
// verify with it as anchor detects the newest entry cut and the whole log
// replaced, which the chain alone cannot.
func TestVerifyAnchor(t *testing.T) {
	a, b := keygenT(t, "agency-a"), keygenT(t, "agency-b")
	srv := startServer(t, b, "-peer", a)
	for range 2 {
		code, _, errOut := runQuery(t, a, b, srv.addr)
		require.Equal(t, exitOK, code, errOut)
	}
	verifyA := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"verify", "-keys", a}, args...), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	code, out, errOut := verifyA()
	require.Equal(t, exitOK, code, errOut)
	m := regexp.MustCompile(`head (2:[0-9a-f]{64})\n`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	head := m[1]
	code, _, errOut = verifyA("-anchor", head)
	require.Equal(t, exitOK, code, errOut)

	log := filepath.Join(a, auditFile)
	orig, err := os.ReadFile(log)
	require.NoError(t, err)
	lines := strings.SplitAfter(string(orig), "\n")

	// The newest entry cut: still a valid chain, but not the anchored one.
	require.NoError(t, os.WriteFile(log, []byte(strings.Join(lines[:2], "")), 0o600))
	code, _, _ = verifyA()
	assert.Equal(t, exitOK, code, "the chain alone cannot tell")
	code, _, errOut = verifyA("-anchor", head)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "anchored entry 2 is missing")

	// The log deleted and created anew: refused until -init, then a new
	// chain that the anchor tells apart.
	require.NoError(t, os.Remove(log))
	code, _, errOut = runQuery(t, a, b, srv.addr)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "does not exist")
	for range 2 {
		code, _, errOut = runQuery(t, a, b, srv.addr, "-init")
		require.Equal(t, exitOK, code, errOut)
	}
	code, _, errOut = verifyA("-anchor", head)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "entry 2 is not the anchored one")
}
