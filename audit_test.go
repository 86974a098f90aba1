package reunite_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reunite-psi/reunite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// secretPeer marks entry contents; no error may quote it.
const secretPeer = "agency-SECRET-7f3a"

var zeros64 = strings.Repeat("0", 64)

func sampleAudit(i int) reunite.Audit {
	return reunite.Audit{
		Time:        time.Date(2026, 3, 14, 15, 9, 26, 535897000+i, time.FixedZone("CET", 3600)),
		Peer:        secretPeer,
		Role:        "initiator",
		Mode:        "both-learn",
		RuleSetID:   "rules-v1",
		Records:     100 + i,
		LocalKeys:   1000 + i,
		PeerKeys:    2000 + i,
		KeyHits:     10 + i,
		RecordHits:  5 + i,
		SessionID:   fmt.Sprintf("session-%d", i),
		Transcript:  strings.Repeat("ab", 32),
		Outcome:     "ok",
		Unmatchable: 1,
		Truncated:   2,
		Overfull:    3,
	}
}

// writeAuditLog creates a log of n entries and returns its path and lines,
// each with its newline.
func writeAuditLog(t *testing.T, n int) (string, [][]byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := reunite.OpenAuditLog(path)
	require.NoError(t, err)
	for i := range n {
		require.NoError(t, l.Append(sampleAudit(i)))
	}
	require.NoError(t, l.Close())
	return path, readLines(t, path)
}

func readLines(t *testing.T, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return bytes.SplitAfter(data, []byte("\n"))[:bytes.Count(data, []byte("\n"))]
}

var hashMember = regexp.MustCompile(`,"hash":"([0-9a-f]{64})"}\n$`)

// lineHash returns the hash member of an entry line.
func lineHash(t *testing.T, line []byte) string {
	t.Helper()
	m := hashMember.FindSubmatch(line)
	require.NotNil(t, m, "line has no hash member")
	return string(m[1])
}

// reforge applies edit to the line's body (the line without its hash
// member) and returns the line with a correct hash for the edited body, as
// a forger who knows the format would.
func reforge(t *testing.T, line []byte, edit func(string) string) []byte {
	t.Helper()
	loc := hashMember.FindIndex(line)
	require.NotNil(t, loc)
	body := edit(string(line[:loc[0]]) + "}")
	sum := sha256.Sum256([]byte(body))
	return fmt.Appendf(nil, `%s,"hash":"%s"}`+"\n", body[:len(body)-1], hex.EncodeToString(sum[:]))
}

func replaceOnce(t *testing.T, old, new string) func(string) string {
	return func(s string) string {
		require.Equal(t, 1, strings.Count(s, old), "%q must occur once", old)
		return strings.Replace(s, old, new, 1)
	}
}

func verifyBytes(data []byte) (int, error) {
	return reunite.VerifyAuditLog(bytes.NewReader(data))
}

func TestAuditLogRoundTrip(t *testing.T) {
	const n = 5
	path, lines := writeAuditLog(t, n)
	require.Len(t, lines, n)

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	entries, err := verifyBytes(data)
	require.NoError(t, err)
	assert.Equal(t, n, entries)

	prev := zeros64
	for i, line := range lines {
		want := sampleAudit(i)
		// Exact layout and member order of the documented format.
		prefix := fmt.Sprintf(`{"seq":%d,"prev":"%s","audit":{"time":"%s","peer":`,
			i+1, prev, want.Time.UTC().Format("2006-01-02T15:04:05.000000000Z"))
		assert.True(t, bytes.HasPrefix(line, []byte(prefix)), "line %d: %s", i+1, line)

		// The hash is SHA-256 of the line without its hash member.
		hash := lineHash(t, line)
		body := append(bytes.Clone(line[:len(line)-len(`,"hash":"`)-64-len("\"}\n")]), '}')
		sum := sha256.Sum256(body)
		assert.Equal(t, hex.EncodeToString(sum[:]), hash, "line %d", i+1)

		var got struct {
			Seq   uint64         `json:"seq"`
			Prev  string         `json:"prev"`
			Audit map[string]any `json:"audit"`
			Hash  string         `json:"hash"`
		}
		require.NoError(t, json.Unmarshal(line, &got))
		assert.Equal(t, uint64(i+1), got.Seq)
		assert.Equal(t, prev, got.Prev)
		assert.Equal(t, hash, got.Hash)
		assert.Equal(t, map[string]any{
			"time": want.Time.UTC().Format("2006-01-02T15:04:05.000000000Z"), "peer": want.Peer,
			"role": want.Role, "mode": want.Mode, "rule_set_id": want.RuleSetID,
			"records": float64(want.Records), "local_keys": float64(want.LocalKeys),
			"peer_keys": float64(want.PeerKeys), "key_hits": float64(want.KeyHits),
			"record_hits": float64(want.RecordHits), "session_id": want.SessionID,
			"transcript": want.Transcript, "outcome": want.Outcome,
			"unmatchable": float64(want.Unmatchable), "truncated": float64(want.Truncated),
			"overfull":     float64(want.Overfull),
			"bad_payloads": float64(want.BadPayloads),
		}, got.Audit, "line %d", i+1)
		ts, err := time.Parse(time.RFC3339Nano, got.Audit["time"].(string))
		require.NoError(t, err)
		assert.True(t, ts.Equal(want.Time), "time keeps nanoseconds")
		prev = hash
	}
}

func TestAuditLogReopenContinuesChain(t *testing.T) {
	path, lines := writeAuditLog(t, 3)

	l, err := reunite.OpenAuditLog(path)
	require.NoError(t, err)
	seq, head := l.Head()
	assert.Equal(t, uint64(3), seq)
	assert.Equal(t, lineHash(t, lines[2]), head)
	for i := 3; i < 6; i++ {
		require.NoError(t, l.Append(sampleAudit(i)))
	}
	seq, head = l.Head()
	require.NoError(t, l.Close())

	lines = readLines(t, path)
	require.Len(t, lines, 6)
	assert.Equal(t, uint64(6), seq)
	assert.Equal(t, lineHash(t, lines[5]), head)
	assert.Contains(t, string(lines[3]), `"prev":"`+lineHash(t, lines[2])+`"`)

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	entries, err := reunite.VerifyAuditLog(f)
	require.NoError(t, err)
	assert.Equal(t, 6, entries)
}

func TestAuditLogTampering(t *testing.T) {
	const n = 5
	_, orig := writeAuditLog(t, n)
	hash := func(i int) string { return lineHash(t, orig[i]) }

	without := func(i int) [][]byte { return append(append([][]byte{}, orig[:i]...), orig[i+1:]...) }
	insert := func(i int, line []byte) [][]byte {
		return append(append(append([][]byte{}, orig[:i]...), line), orig[i:]...)
	}
	with := func(i int, line []byte) [][]byte {
		out := append([][]byte{}, orig...)
		out[i] = line
		return out
	}

	tests := []struct {
		name   string
		lines  func() [][]byte
		line   int    // 1-based line the error must name
		reason string // part of the error message
	}{
		{"edited value", func() [][]byte {
			return with(2, bytes.Replace(orig[2], []byte(`"records":102`), []byte(`"records":902`), 1))
		}, 3, "hash does not match"},
		{"edited peer", func() [][]byte {
			return with(1, bytes.Replace(orig[1], []byte(secretPeer), []byte("agency-SECRET-0000"), 1))
		}, 2, "hash does not match"},
		{"edited hash", func() [][]byte {
			l := bytes.Clone(orig[3])
			i := len(l) - 4
			if l[i] == '0' { // change one hex digit of the hash
				l[i] = '1'
			} else {
				l[i] = '0'
			}
			return with(3, l)
		}, 4, "hash"},
		{"edited and rehashed", func() [][]byte {
			return with(2, reforge(t, orig[2], replaceOnce(t, `"records":102`, `"records":902`)))
		}, 4, "prev does not match the hash of line 3"},
		{"first removed", func() [][]byte { return without(0) }, 1, "sequence number out of order (want 1)"},
		{"middle removed", func() [][]byte { return without(2) }, 3, "sequence number out of order (want 3)"},
		{"last but one removed", func() [][]byte { return without(3) }, 4, "sequence number out of order (want 4)"},
		{"first removed, rest renumbered", func() [][]byte {
			return [][]byte{reforge(t, orig[1], replaceOnce(t, `"seq":2,`, `"seq":1,`))}
		}, 1, "first entry's prev is not all zeros"},
		{"reordered", func() [][]byte {
			out := append([][]byte{}, orig...)
			out[1], out[2] = out[2], out[1]
			return out
		}, 2, "sequence number out of order (want 2)"},
		{"forged entry not chained", func() [][]byte {
			forged := reforge(t, orig[2], replaceOnce(t, `"prev":"`+hash(1), `"prev":"`+strings.Repeat("ab", 32)))
			return with(2, forged)
		}, 3, "prev does not match the hash of line 2"},
		{"forged entry inserted and chained", func() [][]byte {
			// Seq 3 chained to line 2: the real third entry no longer chains.
			forged := reforge(t, orig[2], replaceOnce(t, `"records":102`, `"records":0`))
			return insert(2, forged)
		}, 4, "sequence number out of order (want 4)"},
		{"forged entry inserted and chained, rest renumbered", func() [][]byte {
			forged := reforge(t, orig[2], replaceOnce(t, `"records":102`, `"records":0`))
			renumbered := reforge(t, orig[2], replaceOnce(t, `"seq":3,`, `"seq":4,`))
			return [][]byte{orig[0], orig[1], forged, renumbered}
		}, 4, "prev does not match the hash of line 3"},
		{"entry duplicated", func() [][]byte { return insert(2, orig[1]) }, 3, "sequence number out of order (want 3)"},
		{"seq duplicated", func() [][]byte {
			forged := reforge(t, orig[2], replaceOnce(t, `"seq":3,`, `"seq":2,`))
			return with(2, forged)
		}, 3, "sequence number out of order (want 3)"},
		{"truncated final line", func() [][]byte {
			return with(n-1, orig[n-1][:len(orig[n-1])/2])
		}, 5, "incomplete final line"},
		{"final newline missing", func() [][]byte {
			return with(n-1, orig[n-1][:len(orig[n-1])-1])
		}, 5, "incomplete final line"},
		{"blank line", func() [][]byte { return insert(2, []byte("\n")) }, 3, "not an entry"},
		{"carriage return", func() [][]byte {
			return with(1, append(bytes.Clone(orig[1][:len(orig[1])-1]), '\r', '\n'))
		}, 2, "not an entry"},
		{"not canonical", func() [][]byte {
			return with(2, reforge(t, orig[2], replaceOnce(t, `"seq":3,`, `"seq": 3,`)))
		}, 3, "not in canonical form"},
		{"unknown member", func() [][]byte {
			return with(2, reforge(t, orig[2], replaceOnce(t, `"bad_payloads":0}`, `"bad_payloads":0,"x":1}`)))
		}, 3, "not a well-formed entry"},
		{"uppercase hex", func() [][]byte {
			return with(2, bytes.ToUpper(orig[2]))
		}, 3, "not an entry"},
		{"local time", func() [][]byte {
			return with(0, reforge(t, orig[0], func(s string) string {
				return regexp.MustCompile(`(\.\d{9})Z"`).ReplaceAllString(s, `$1+00:00"`)
			}))
		}, 1, "time is not RFC 3339 UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := bytes.Join(tt.lines(), nil)
			_, err := verifyBytes(data)
			require.ErrorIs(t, err, reunite.ErrAuditTampered)
			assert.Contains(t, err.Error(), fmt.Sprintf(": line %d: ", tt.line))
			assert.Contains(t, err.Error(), tt.reason)
			assert.NotContains(t, err.Error(), "SECRET")
			assert.NotContains(t, err.Error(), "session-")

			// OpenAuditLog refuses the file and leaves it as it was.
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			require.NoError(t, os.WriteFile(path, data, 0o600))
			l, err := reunite.OpenAuditLog(path)
			require.ErrorIs(t, err, reunite.ErrAuditTampered)
			assert.Nil(t, l)
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, data, after)
		})
	}
}

func TestAuditLogEveryByteEditDetected(t *testing.T) {
	path, lines := writeAuditLog(t, 4)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	start := len(lines[0]) + len(lines[1])
	for i := start; i < start+len(lines[2]); i++ {
		for _, b := range []byte{data[i] ^ 0x01, data[i] ^ 0x20, ' '} {
			if b == data[i] {
				continue
			}
			edited := bytes.Clone(data)
			edited[i] = b
			_, err := verifyBytes(edited)
			require.ErrorIs(t, err, reunite.ErrAuditTampered, "byte %d set to %q", i-start, b)
			require.Contains(t, err.Error(), ": line 3: ", "byte %d set to %q", i-start, b)
		}
	}
}

func TestAuditLogRemovedLastEntryNeedsAnchor(t *testing.T) {
	path, lines := writeAuditLog(t, 3)
	l, err := reunite.OpenAuditLog(path)
	require.NoError(t, err)
	anchorSeq, anchorHash := l.Head()
	require.NoError(t, l.Close())

	// The chain alone cannot tell: the cut log is a valid, shorter chain.
	cut := bytes.Join(lines[:2], nil)
	entries, err := verifyBytes(cut)
	require.NoError(t, err)
	assert.Equal(t, 2, entries)

	// The recorded head can.
	require.NoError(t, os.WriteFile(path, cut, 0o600))
	l, err = reunite.OpenAuditLog(path)
	require.NoError(t, err)
	defer l.Close()
	seq, hash := l.Head()
	assert.Less(t, seq, anchorSeq)
	assert.NotEqual(t, anchorHash, hash)
}

func TestAuditLogConcurrentAppends(t *testing.T) {
	const goroutines, each = 8, 25
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := reunite.OpenAuditLog(path)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				assert.NoError(t, l.Append(sampleAudit(g*each+i)))
			}
		})
	}
	wg.Wait()
	seq, _ := l.Head()
	assert.Equal(t, uint64(goroutines*each), seq)
	require.NoError(t, l.Close())

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	entries, err := verifyBytes(data)
	require.NoError(t, err)
	assert.Equal(t, goroutines*each, entries)
}

func TestAuditLogFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := reunite.OpenAuditLog(path)
	require.NoError(t, err)
	require.NoError(t, l.Append(sampleAudit(0)))
	require.NoError(t, l.Close())
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}

func TestAuditLogEmpty(t *testing.T) {
	entries, err := verifyBytes(nil)
	require.NoError(t, err)
	assert.Zero(t, entries)

	// A new log and an existing empty file both start the chain at zero.
	dir := t.TempDir()
	for _, path := range []string{filepath.Join(dir, "new.jsonl"), filepath.Join(dir, "empty.jsonl")} {
		if strings.HasSuffix(path, "empty.jsonl") {
			require.NoError(t, os.WriteFile(path, nil, 0o600))
		}
		l, err := reunite.OpenAuditLog(path)
		require.NoError(t, err)
		seq, hash := l.Head()
		assert.Zero(t, seq)
		assert.Equal(t, zeros64, hash)
		require.NoError(t, l.Append(sampleAudit(0)))
		require.NoError(t, l.Close())
		lines := readLines(t, path)
		require.Len(t, lines, 1)
		assert.Contains(t, string(lines[0]), `{"seq":1,"prev":"`+zeros64+`",`)
	}
}

func TestAuditLogAwkwardStrings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := reunite.OpenAuditLog(path)
	require.NoError(t, err)
	a := sampleAudit(0)
	a.Outcome = "psi: bad frame \xff\xfe <&> \u2028 \"quoted\"\n"
	a.Peer = "Zoë \x00"
	a.Time = time.Time{}
	require.NoError(t, l.Append(a))
	require.NoError(t, l.Append(sampleAudit(1)))
	require.NoError(t, l.Close())

	lines := readLines(t, path)
	require.Len(t, lines, 2, "one line per entry")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	entries, err := verifyBytes(data)
	require.NoError(t, err)
	assert.Equal(t, 2, entries)

	l, err = reunite.OpenAuditLog(path)
	require.NoError(t, err)
	require.NoError(t, l.Close())
}

func TestAuditLogClosed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := reunite.OpenAuditLog(path)
	require.NoError(t, err)
	require.NoError(t, l.Close())
	require.ErrorIs(t, l.Append(sampleAudit(0)), os.ErrClosed)
	require.ErrorIs(t, l.Close(), os.ErrClosed)
}

func TestAuditLogOverlongLine(t *testing.T) {
	data := append(bytes.Repeat([]byte("x"), 2<<20), '\n')
	entries, err := verifyBytes(data)
	require.ErrorIs(t, err, reunite.ErrAuditTampered)
	assert.Contains(t, err.Error(), ": line 1: longer than")
	assert.Zero(t, entries)

	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := reunite.OpenAuditLog(path)
	require.NoError(t, err)
	defer l.Close()
	a := sampleAudit(0)
	a.Outcome = strings.Repeat("e", 2<<20)
	require.Error(t, l.Append(a))
	require.NoError(t, l.Append(sampleAudit(1)), "a refused entry does not break the log")
}
