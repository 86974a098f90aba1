package reunite_test

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/internal/fsfile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// secretPeer marks entry contents; no error may quote it.
const secretPeer = "agency-SECRET-7f3a"

var zeros64 = strings.Repeat("0", 64)

// auditKey is the audit key of a fixed test agency, and otherKey another
// agency's.
var auditKey, otherKey = mustAuditKey(1), mustAuditKey(2)

func mustAuditKey(seed byte) *reunite.AuditKey {
	k, err := reunite.DeriveAuditKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize)))
	if err != nil {
		panic(err)
	}
	return k
}

// createAuditLog creates a new, empty log in a temporary directory.
func createAuditLog(t *testing.T) (*reunite.AuditLog, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := reunite.CreateAuditLog(path, auditKey)
	require.NoError(t, err)
	return l, path
}

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
		// The agreed rule set, as after a successful session.
		PeerRuleSetID:     "rules-v1",
		CompetitionFactor: 1.5 + float64(i)/4,
	}
}

// writeAuditLog creates a log of n entries and returns its path and lines,
// each with its newline: the header, then the entries.
func writeAuditLog(t *testing.T, n int) (string, [][]byte) {
	t.Helper()
	l, path := createAuditLog(t)
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

var hashMember = regexp.MustCompile(`,"hash":"([0-9a-f]{64})","mac":"([0-9a-f]{64})"}\n$`)

// lineHash returns the hash member of an entry line.
func lineHash(t *testing.T, line []byte) string {
	t.Helper()
	m := hashMember.FindSubmatch(line)
	require.NotNil(t, m, "line has no hash member")
	return string(m[1])
}

// reforge applies edit to the line's body (the line without its hash and
// mac members) and returns the line with a correct hash and MAC for the
// edited body, as a forger who knows the format and holds the key would.
func reforge(t *testing.T, line []byte, edit func(string) string) []byte {
	return reforgeKeyless(t, line, edit, auditKeyBytes)
}

// reforgeKeyless is reforge by a forger holding macKey instead of the
// agency's key.
func reforgeKeyless(t *testing.T, line []byte, edit func(string) string, macKey []byte) []byte {
	t.Helper()
	loc := hashMember.FindIndex(line)
	require.NotNil(t, loc)
	body := edit(string(line[:loc[0]]) + "}")
	sum := sha256.Sum256([]byte(body))
	m := hmac.New(sha256.New, macKey)
	m.Write([]byte(body))
	return fmt.Appendf(nil, `%s,"hash":"%s","mac":"%x"}`+"\n", body[:len(body)-1], hex.EncodeToString(sum[:]), m.Sum(nil))
}

func replaceOnce(t *testing.T, old, new string) func(string) string {
	return func(s string) string {
		require.Equal(t, 1, strings.Count(s, old), "%q must occur once", old)
		return strings.Replace(s, old, new, 1)
	}
}

// verifyBytes verifies a log with the agency's key and returns how many
// session entries it holds.
func verifyBytes(data []byte, anchors ...reunite.AuditHead) (int, error) {
	head, err := reunite.VerifyAuditLog(bytes.NewReader(data), auditKey, anchors...)
	return int(head.Seq), err
}

// auditKeyBytes is auditKey's HMAC key, derived as DeriveAuditKey
// documents.
var auditKeyBytes = func() []byte {
	k, err := hkdf.Key(sha256.New, bytes.Repeat([]byte{1}, ed25519.SeedSize), nil, "reunite-audit-v2 HMAC key", 32)
	if err != nil {
		panic(err)
	}
	return k
}()

// entryLine is the 1-based line of the i-th (0-based) session entry.
func entryLine(i int) int { return i + 2 }

func TestAuditLogRoundTrip(t *testing.T) {
	const n = 5
	path, lines := writeAuditLog(t, n)
	require.Len(t, lines, n+1)

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	entries, err := verifyBytes(data)
	require.NoError(t, err)
	assert.Equal(t, n, entries)

	// The header.
	assert.Regexp(t, `^\{"seq":0,"prev":"`+zeros64+`","log":\{"format":"reunite-audit-v2","created":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z"\},"hash":"[0-9a-f]{64}","mac":"[0-9a-f]{64}"\}`+"\n$", string(lines[0]))

	prev := lineHash(t, lines[0])
	for i, line := range lines[1:] {
		want := sampleAudit(i)
		// Exact layout and member order of the documented format.
		prefix := fmt.Sprintf(`{"seq":%d,"prev":"%s","audit":{"time":"%s","peer":`,
			i+1, prev, want.Time.UTC().Format("2006-01-02T15:04:05.000000000Z"))
		assert.True(t, bytes.HasPrefix(line, []byte(prefix)), "line %d: %s", i+2, line)

		// The hash is SHA-256, and the MAC HMAC-SHA-256 under the derived
		// key, of the line without its hash and mac members.
		m := hashMember.FindSubmatch(line)
		require.NotNil(t, m)
		body := append(bytes.Clone(line[:len(line)-len(m[0])]), '}')
		sum := sha256.Sum256(body)
		assert.Equal(t, hex.EncodeToString(sum[:]), string(m[1]), "line %d", i+2)
		mac := hmac.New(sha256.New, auditKeyBytes)
		mac.Write(body)
		assert.Equal(t, hex.EncodeToString(mac.Sum(nil)), string(m[2]), "line %d", i+2)

		var got struct {
			Seq   uint64         `json:"seq"`
			Prev  string         `json:"prev"`
			Audit map[string]any `json:"audit"`
			Hash  string         `json:"hash"`
			MAC   string         `json:"mac"`
		}
		require.NoError(t, json.Unmarshal(line, &got))
		assert.Equal(t, uint64(i+1), got.Seq)
		assert.Equal(t, prev, got.Prev)
		assert.Equal(t, string(m[1]), got.Hash)
		assert.Equal(t, map[string]any{
			"time": want.Time.UTC().Format("2006-01-02T15:04:05.000000000Z"), "peer": want.Peer,
			"role": want.Role, "mode": want.Mode, "rule_set_id": want.RuleSetID,
			"records": float64(want.Records), "local_keys": float64(want.LocalKeys),
			"peer_keys": float64(want.PeerKeys), "key_hits": float64(want.KeyHits),
			"record_hits": float64(want.RecordHits), "session_id": want.SessionID,
			"transcript": want.Transcript, "outcome": want.Outcome,
			"unmatchable": float64(want.Unmatchable), "truncated": float64(want.Truncated),
			"overfull":           float64(want.Overfull),
			"bad_payloads":       float64(want.BadPayloads),
			"alternatives":       float64(want.Alternatives),
			"charged":            float64(want.Charged),
			"lower_bound":        want.LowerBound,
			"peer_rule_set_id":   want.PeerRuleSetID,
			"competition_factor": want.CompetitionFactor,
		}, got.Audit, "line %d", i+2)
		ts, err := time.Parse(time.RFC3339Nano, got.Audit["time"].(string))
		require.NoError(t, err)
		assert.True(t, ts.Equal(want.Time), "time keeps nanoseconds")
		prev = got.Hash
	}
}

func TestAuditLogReopenContinuesChain(t *testing.T) {
	path, lines := writeAuditLog(t, 3)

	l, err := reunite.OpenAuditLog(path, auditKey)
	require.NoError(t, err)
	head := l.Head()
	assert.Equal(t, uint64(3), head.Seq)
	assert.Equal(t, lineHash(t, lines[3]), head.Hash)
	for i := 3; i < 6; i++ {
		require.NoError(t, l.Append(sampleAudit(i)))
	}
	head = l.Head()
	require.NoError(t, l.Close())

	lines = readLines(t, path)
	require.Len(t, lines, 7)
	assert.Equal(t, uint64(6), head.Seq)
	assert.Equal(t, lineHash(t, lines[6]), head.Hash)
	assert.Contains(t, string(lines[4]), `"prev":"`+lineHash(t, lines[3])+`"`)

	got, err := reunite.VerifyAuditLogFile(path, auditKey)
	require.NoError(t, err)
	assert.Equal(t, head, got)
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

	// Indices below are into orig, whose line 0 is the header: orig[i] is
	// the file's line i+1 and holds entry seq i.
	tests := []struct {
		name   string
		lines  func() [][]byte
		line   int    // 1-based line the error must name
		reason string // part of the error message
	}{
		{"edited value", func() [][]byte {
			return with(3, bytes.Replace(orig[3], []byte(`"records":102`), []byte(`"records":902`), 1))
		}, 4, "hash does not match"},
		{"edited peer", func() [][]byte {
			return with(2, bytes.Replace(orig[2], []byte(secretPeer), []byte("agency-SECRET-0000"), 1))
		}, 3, "hash does not match"},
		{"edited hash", func() [][]byte {
			l := bytes.Clone(orig[4])
			i := len(l) - 4 - 64 - len(`","mac":"`)
			if l[i] == '0' { // change one hex digit of the hash
				l[i] = '1'
			} else {
				l[i] = '0'
			}
			return with(4, l)
		}, 5, "hash"},
		{"edited mac", func() [][]byte {
			l := bytes.Clone(orig[4])
			i := len(l) - 4
			if l[i] == '0' {
				l[i] = '1'
			} else {
				l[i] = '0'
			}
			return with(4, l)
		}, 5, "MAC does not verify"},
		{"edited and rehashed without the key", func() [][]byte {
			return with(3, reforgeKeyless(t, orig[3], replaceOnce(t, `"records":102`, `"records":902`), []byte("guess")))
		}, 4, "MAC does not verify"},
		{"whole log rewritten without the key", func() [][]byte {
			out := [][]byte{reforgeKeyless(t, orig[0], func(s string) string { return s }, []byte("guess"))}
			for i := 1; i < len(orig); i++ {
				prev := lineHash(t, out[i-1])
				out = append(out, reforgeKeyless(t, orig[i], replaceOnce(t, `"prev":"`+hash(i-1), `"prev":"`+prev), []byte("guess")))
			}
			return out
		}, 1, "MAC does not verify"},
		{"edited and rehashed with the key", func() [][]byte {
			return with(3, reforge(t, orig[3], replaceOnce(t, `"records":102`, `"records":902`)))
		}, 5, "prev does not match the hash of line 4"},
		{"header removed", func() [][]byte { return without(0) }, 1, "the first line is not its header"},
		{"first entry removed", func() [][]byte { return without(1) }, 2, "sequence number out of order (want 1)"},
		{"middle removed", func() [][]byte { return without(3) }, 4, "sequence number out of order (want 3)"},
		{"last but one removed", func() [][]byte { return without(4) }, 5, "sequence number out of order (want 4)"},
		{"first entry removed, rest renumbered", func() [][]byte {
			return [][]byte{orig[0], reforge(t, orig[2], replaceOnce(t, `"seq":2,`, `"seq":1,`))}
		}, 2, "prev does not match the hash of line 1"},
		{"second header", func() [][]byte { return insert(2, orig[0]) }, 3, "a second header"},
		{"reordered", func() [][]byte {
			out := append([][]byte{}, orig...)
			out[2], out[3] = out[3], out[2]
			return out
		}, 3, "sequence number out of order (want 2)"},
		{"forged entry not chained", func() [][]byte {
			forged := reforge(t, orig[3], replaceOnce(t, `"prev":"`+hash(2), `"prev":"`+strings.Repeat("ab", 32)))
			return with(3, forged)
		}, 4, "prev does not match the hash of line 3"},
		{"forged entry inserted and chained", func() [][]byte {
			forged := reforge(t, orig[3], replaceOnce(t, `"records":102`, `"records":0`))
			return insert(3, forged)
		}, 5, "sequence number out of order (want 4)"},
		{"entry duplicated", func() [][]byte { return insert(3, orig[2]) }, 4, "sequence number out of order (want 3)"},
		{"seq duplicated", func() [][]byte {
			return with(3, reforge(t, orig[3], replaceOnce(t, `"seq":3,`, `"seq":2,`)))
		}, 4, "sequence number out of order (want 3)"},
		{"truncated final line", func() [][]byte {
			return with(n, orig[n][:len(orig[n])/2])
		}, n + 1, "incomplete final line"},
		{"final newline missing", func() [][]byte {
			return with(n, orig[n][:len(orig[n])-1])
		}, n + 1, "incomplete final line"},
		{"blank line", func() [][]byte { return insert(3, []byte("\n")) }, 4, "not an entry"},
		{"carriage return", func() [][]byte {
			return with(2, append(bytes.Clone(orig[2][:len(orig[2])-1]), '\r', '\n'))
		}, 3, "not an entry"},
		{"not canonical", func() [][]byte {
			return with(3, reforge(t, orig[3], replaceOnce(t, `"seq":3,`, `"seq": 3,`)))
		}, 4, "not in canonical form"},
		{"unknown member", func() [][]byte {
			return with(3, reforge(t, orig[3], replaceOnce(t, `"peer_rule_set_id":"rules-v1",`, `"peer_rule_set_id":"rules-v1","x":1,`)))
		}, 4, "not a well-formed entry"},
		{"competition factor written as 0", func() [][]byte {
			return with(3, reforge(t, orig[3], func(s string) string {
				return regexp.MustCompile(`"competition_factor":[0-9.]+`).ReplaceAllString(s, `"competition_factor":0`)
			}))
		}, 4, "not in canonical form"},
		{"header and audit in one entry", func() [][]byte {
			return with(3, reforge(t, orig[3], replaceOnce(t, `"audit":`, `"log":{"format":"reunite-audit-v2","created":"2026-01-01T00:00:00.000000000Z"},"audit":`)))
		}, 4, "exactly one of log and audit"},
		{"unknown format", func() [][]byte {
			return with(0, reforge(t, orig[0], replaceOnce(t, `reunite-audit-v2`, `reunite-audit-v3`)))
		}, 1, "unknown log format"},
		{"uppercase hex", func() [][]byte {
			return with(3, bytes.ToUpper(orig[3]))
		}, 4, "not an entry"},
		{"local time", func() [][]byte {
			return with(1, reforge(t, orig[1], func(s string) string {
				return regexp.MustCompile(`(\.\d{9})Z"`).ReplaceAllString(s, `$1+00:00"`)
			}))
		}, 2, "time is not RFC 3339 UTC"},
		{"empty file", func() [][]byte { return nil }, 1, "no header entry"},
		{"unauthenticated v1 log", func() [][]byte {
			return [][]byte{[]byte(`{"seq":1,"prev":"` + zeros64 + `","audit":{},"hash":"` + zeros64 + `"}` + "\n")}
		}, 1, "an audit log of version 1"},
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
			l, err := reunite.OpenAuditLog(path, auditKey)
			require.ErrorIs(t, err, reunite.ErrAuditTampered)
			assert.Nil(t, l)
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, data, after)
		})
	}
}

// TestAuditLogKeylessVerify checks that a reader without the key checks
// the chain but not the MACs.
func TestAuditLogKeylessVerify(t *testing.T) {
	_, orig := writeAuditLog(t, 3)
	data := bytes.Join(orig, nil)
	head, err := reunite.VerifyAuditLog(bytes.NewReader(data), nil)
	require.NoError(t, err)
	assert.Equal(t, uint64(3), head.Seq)

	forged := append(bytes.Join(orig[:3], nil), reforgeKeyless(t, orig[3], replaceOnce(t, `"records":102`, `"records":902`), []byte("guess"))...)
	_, err = reunite.VerifyAuditLog(bytes.NewReader(forged), nil)
	require.NoError(t, err, "without the key, a rewrite of the last entry passes")
	_, err = reunite.VerifyAuditLog(bytes.NewReader(forged), auditKey)
	require.ErrorIs(t, err, reunite.ErrAuditTampered, "with it, it does not")

	_, err = reunite.VerifyAuditLog(bytes.NewReader(data), otherKey)
	require.ErrorIs(t, err, reunite.ErrAuditTampered, "another agency's key")
	assert.Contains(t, err.Error(), ": line 1: ")
	_, err = reunite.OpenAuditLog(writeBytes(t, data), otherKey)
	require.ErrorIs(t, err, reunite.ErrAuditTampered, "opening with the wrong key")
}

func writeBytes(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path
}

func TestAuditLogEveryByteEditDetected(t *testing.T) {
	path, lines := writeAuditLog(t, 4)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, li := range []int{0, 3} { // the header and an entry
		start := 0
		for _, l := range lines[:li] {
			start += len(l)
		}
		for i := start; i < start+len(lines[li]); i++ {
			for _, b := range []byte{data[i] ^ 0x01, data[i] ^ 0x20, ' '} {
				if b == data[i] {
					continue
				}
				edited := bytes.Clone(data)
				edited[i] = b
				_, err := verifyBytes(edited)
				require.ErrorIs(t, err, reunite.ErrAuditTampered, "line %d byte %d set to %q", li+1, i-start, b)
				require.Contains(t, err.Error(), fmt.Sprintf(": line %d: ", li+1), "byte %d set to %q", i-start, b)
			}
		}
	}
}

// TestAuditLogAnchors checks that a recorded head detects what the chain
// alone cannot: the removal of the last entries, the deletion and
// re-creation of the log, and a rewrite by a holder of the key.
func TestAuditLogAnchors(t *testing.T) {
	path, lines := writeAuditLog(t, 3)
	l, err := reunite.OpenAuditLog(path, auditKey)
	require.NoError(t, err)
	anchor := l.Head()
	require.NoError(t, l.Close())
	early := reunite.AuditHead{Seq: 1, Hash: lineHash(t, lines[1])}

	parsed, err := reunite.ParseAuditHead(anchor.String())
	require.NoError(t, err)
	assert.Equal(t, anchor, parsed)

	recreated := func() []byte {
		l, p := createAuditLog(t)
		for i := range 3 {
			require.NoError(t, l.Append(sampleAudit(i)))
		}
		require.NoError(t, l.Close())
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		return data
	}
	tests := []struct {
		name    string
		data    []byte
		anchors []reunite.AuditHead
		reason  string // "" if intact
	}{
		{"intact", bytes.Join(lines, nil), []reunite.AuditHead{early, anchor}, ""},
		{"two anchors for one entry", bytes.Join(lines, nil), []reunite.AuditHead{early, {Seq: 1, Hash: anchor.Hash}}, "line 2: entry 1 is not the anchored one"},
		{"the header anchored", bytes.Join(lines, nil), []reunite.AuditHead{{Seq: 0, Hash: lineHash(t, lines[0])}}, ""},
		{"intact, longer", append(bytes.Join(lines, nil), reforge(t, lines[3], func(s string) string {
			s = replaceOnce(t, `"seq":3,`, `"seq":4,`)(s)
			return replaceOnce(t, `"prev":"`+lineHash(t, lines[2]), `"prev":"`+anchor.Hash)(s)
		})...), []reunite.AuditHead{anchor}, ""},
		{"last entry removed", bytes.Join(lines[:3], nil), []reunite.AuditHead{anchor}, "anchored entry 3 is missing"},
		{"all entries removed", bytes.Join(lines[:1], nil), []reunite.AuditHead{anchor}, "anchored entry 3 is missing"},
		{"deleted and recreated", recreated(), []reunite.AuditHead{early}, "line 2: entry 1 is not the anchored one"},
		{"rewritten with the key", append(bytes.Join(lines[:1], nil), reforge(t, lines[1], replaceOnce(t, `"records":100`, `"records":0`))...),
			[]reunite.AuditHead{early}, "line 2: entry 1 is not the anchored one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := verifyBytes(tt.data)
			if !strings.HasPrefix(tt.name, "rewritten") && !strings.HasPrefix(tt.name, "two anchors") {
				require.NoError(t, err, "without anchors the chain alone cannot tell")
			}
			_, err = verifyBytes(tt.data, tt.anchors...)
			if tt.reason == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, reunite.ErrAuditTampered)
			assert.Contains(t, err.Error(), tt.reason)
		})
	}
}

func TestParseAuditHeadRejects(t *testing.T) {
	for _, s := range []string{"", "3", ":" + zeros64, "x:" + zeros64, "-1:" + zeros64, "3:" + zeros64[:63], "3:" + strings.ToUpper(strings.Repeat("ab", 32)), "3:" + zeros64 + ":"} {
		_, err := reunite.ParseAuditHead(s)
		assert.Error(t, err, "%q", s)
	}
}

func TestAuditLogConcurrentAppends(t *testing.T) {
	const goroutines, each = 8, 25
	l, path := createAuditLog(t)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				assert.NoError(t, l.Append(sampleAudit(g*each+i)))
			}
		})
	}
	wg.Wait()
	assert.Equal(t, uint64(goroutines*each), l.Head().Seq)
	require.NoError(t, l.Close())

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	entries, err := verifyBytes(data)
	require.NoError(t, err)
	assert.Equal(t, goroutines*each, entries)
}

// TestAuditLogTwoWriters has two AuditLogs on one file, as an agency that
// serves and queries at once has in two processes: both append, the chain
// stays one, and each sees the other's entries.
func TestAuditLogTwoWriters(t *testing.T) {
	const each = 30
	l1, path := createAuditLog(t)
	l2, err := reunite.OpenAuditLog(path, auditKey)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for w, l := range []*reunite.AuditLog{l1, l2} {
		wg.Go(func() {
			for i := range each {
				assert.NoError(t, l.Append(sampleAudit(w*each+i)))
			}
		})
	}
	wg.Wait()
	require.NoError(t, l1.Append(sampleAudit(99)))
	require.NoError(t, l2.Append(sampleAudit(98)))
	assert.Equal(t, uint64(2*each+2), l2.Head().Seq)
	require.NoError(t, l1.Close())
	require.NoError(t, l2.Close())

	head, err := reunite.VerifyAuditLogFile(path, auditKey)
	require.NoError(t, err)
	assert.Equal(t, uint64(2*each+2), head.Seq)

	// A writer notices what was done to the file under it, even when the
	// line it read last keeps its length and the new lines verify.
	lines := readLines(t, path)
	last := len(lines) - 1
	edits := map[string][]byte{
		"cut":           bytes.Join(lines[:last], nil),
		"cut, appended": append(bytes.Join(lines[:last], nil), reforge(t, lines[last], replaceOnce(t, `"records":198`, `"records":1`))...),
		"same length":   append(bytes.Join(lines[:last], nil), reforge(t, lines[last], replaceOnce(t, `"records":198`, `"records":197`))...),
	}
	for name, data := range edits {
		require.NoError(t, os.WriteFile(path, bytes.Join(lines, nil), 0o600))
		l, err := reunite.OpenAuditLog(path, auditKey)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, data, 0o600))
		err = l.Append(sampleAudit(0))
		require.ErrorIs(t, err, reunite.ErrAuditTampered, name)
		assert.Contains(t, err.Error(), fmt.Sprintf("line %d: entry %d changed", last+1, last), name)
		require.NoError(t, l.Close())
	}
}

func TestAuditLogMissingOrExisting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := reunite.OpenAuditLog(path, auditKey)
	require.ErrorIs(t, err, os.ErrNotExist)
	assert.Nil(t, l)
	assert.Contains(t, err.Error(), "create it explicitly")
	_, err = os.Stat(path)
	require.ErrorIs(t, err, os.ErrNotExist, "opening creates nothing")

	path, lines := writeAuditLog(t, 2)
	l, err = reunite.CreateAuditLog(path, auditKey)
	require.ErrorIs(t, err, os.ErrExist)
	assert.Nil(t, l)
	assert.Equal(t, lines, readLines(t, path), "the existing log is left alone")

	_, err = reunite.CreateAuditLog(filepath.Join(t.TempDir(), "a"), nil)
	require.ErrorIs(t, err, reunite.ErrAuditKey)
	_, err = reunite.OpenAuditLog(path, nil)
	require.ErrorIs(t, err, reunite.ErrAuditKey)
}

func TestDeriveAuditKey(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	xKey, err := ecdh.X25519().GenerateKey(rand.Reader)
	require.NoError(t, err)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	tests := []struct {
		name string
		key  any
		ok   bool
	}{
		{"ed25519", ed25519.NewKeyFromSeed(make([]byte, 32)), true},
		{"ecdsa", ecKey, true},
		{"ecdh", xKey, true},
		{"rsa", rsaKey, false},
		{"short ed25519", ed25519.PrivateKey(make([]byte, 10)), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := reunite.DeriveAuditKey(tt.key)
			if !tt.ok {
				require.ErrorIs(t, err, reunite.ErrAuditKey)
				return
			}
			require.NoError(t, err)
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			l, err := reunite.CreateAuditLog(path, k)
			require.NoError(t, err)
			require.NoError(t, l.Append(sampleAudit(0)))
			require.NoError(t, l.Close())
			_, err = reunite.VerifyAuditLogFile(path, k)
			require.NoError(t, err)
			_, err = reunite.VerifyAuditLogFile(path, auditKey)
			require.ErrorIs(t, err, reunite.ErrAuditTampered, "keys differ")
		})
	}
}

func TestAuditLogFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	l, path := createAuditLog(t)
	require.NoError(t, l.Append(sampleAudit(0)))
	require.NoError(t, l.Close())
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}

func TestAuditLogEmpty(t *testing.T) {
	l, path := createAuditLog(t)
	head := l.Head()
	assert.Zero(t, head.Seq)
	lines := readLines(t, path)
	require.Len(t, lines, 1)
	assert.Equal(t, lineHash(t, lines[0]), head.Hash, "a new log's head is its header")
	require.NoError(t, l.Append(sampleAudit(0)))
	require.NoError(t, l.Close())
	lines = readLines(t, path)
	require.Len(t, lines, 2)
	assert.Contains(t, string(lines[1]), `{"seq":1,"prev":"`+head.Hash+`",`)
}

func TestAuditLogAwkwardStrings(t *testing.T) {
	l, path := createAuditLog(t)
	a := sampleAudit(0)
	a.Outcome = "psi: bad frame \xff\xfe <&> \u2028 \"quoted\"\n"
	a.Peer = "Zoë \x00"
	a.Time = time.Time{}
	require.NoError(t, l.Append(a))
	require.NoError(t, l.Append(sampleAudit(1)))
	require.NoError(t, l.Close())

	lines := readLines(t, path)
	require.Len(t, lines, 3, "one line per entry")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	entries, err := verifyBytes(data)
	require.NoError(t, err)
	assert.Equal(t, 2, entries)

	l, err = reunite.OpenAuditLog(path, auditKey)
	require.NoError(t, err)
	require.NoError(t, l.Close())
}

func TestAuditLogClosed(t *testing.T) {
	l, _ := createAuditLog(t)
	require.NoError(t, l.Close())
	require.ErrorIs(t, l.Append(sampleAudit(0)), os.ErrClosed)
	require.ErrorIs(t, l.Close(), os.ErrClosed)
}

func TestAuditLogOverlongLine(t *testing.T) {
	data := append(bytes.Repeat([]byte("x"), 2<<20), '\n')
	entries, err := verifyBytes(data)
	require.ErrorIs(t, err, reunite.ErrAuditTampered)
	assert.Contains(t, err.Error(), ": line 1: ")
	assert.Contains(t, err.Error(), "longer than")
	assert.ErrorIs(t, err, encoding.ErrTooLarge)
	assert.Zero(t, entries)

	l, _ := createAuditLog(t)
	defer l.Close()
	a := sampleAudit(0)
	a.Outcome = strings.Repeat("e", 2<<20)
	require.Error(t, l.Append(a))
	require.NoError(t, l.Append(sampleAudit(1)), "a refused entry does not break the log")
}

// TestAuditLogTwoProcesses appends to one log from this process and a
// child process at once, as an agency serving and querying from one key
// directory does.
func TestAuditLogTwoProcesses(t *testing.T) {
	const each = 40
	if path := os.Getenv("REUNITE_AUDIT_CHILD"); path != "" {
		l, err := reunite.OpenAuditLog(path, auditKey)
		if err != nil {
			os.Exit(3)
		}
		for i := range each {
			a := sampleAudit(i)
			a.SessionID = fmt.Sprintf("child-%d", i)
			if l.Append(a) != nil {
				os.Exit(4)
			}
		}
		os.Exit(0)
	}
	if !fsfile.InterProcess {
		t.Skip("no inter-process lock on this system")
	}
	l, path := createAuditLog(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestAuditLogTwoProcesses$")
	cmd.Env = append(os.Environ(), "REUNITE_AUDIT_CHILD="+path)
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// Append until the child is done, so that the two overlap.
	var childErr error
	n := 0
	for waiting := true; waiting && n < 100000; n++ {
		require.NoError(t, l.Append(sampleAudit(n)))
		select {
		case childErr = <-done:
			waiting = false
		default:
		}
	}
	require.NoError(t, childErr, "the child appended all its entries")
	require.NoError(t, l.Append(sampleAudit(n)), "and this writer continues after them")
	require.NoError(t, l.Close())

	head, err := reunite.VerifyAuditLogFile(path, auditKey)
	require.NoError(t, err)
	assert.Equal(t, uint64(n+1+each), head.Seq)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, each, strings.Count(string(data), `"session_id":"child-`), "every child entry is there")
}

// TestAuditLogEarlierFiles opens audit logs that earlier versions wrote
// (encoding/testdata/audit; names give the commit): a reunite-audit-v2 log
// verifies, keeps its head and takes new entries; a version-1 log (no
// MAC) is refused with a clear error, not silently accepted or continued.
func TestAuditLogEarlierFiles(t *testing.T) {
	dir := filepath.Join("encoding", "testdata", "audit")
	data, err := os.ReadFile(filepath.Join(dir, "v2-1341e2a.jsonl"))
	require.NoError(t, err)
	want, err := reunite.ParseAuditHead("3:0860ba74e71c1eae5771d2000e6c6dc03343ab5fe9316556d1ad2d63cad47e30")
	require.NoError(t, err)
	head, err := reunite.VerifyAuditLog(bytes.NewReader(data), auditKey, want)
	require.NoError(t, err)
	assert.Equal(t, want, head)

	path := filepath.Join(t.TempDir(), "audit.jsonl")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	l, err := reunite.OpenAuditLog(path, auditKey)
	require.NoError(t, err)
	require.NoError(t, l.Append(sampleAudit(3)))
	require.NoError(t, l.Close())
	head, err = reunite.VerifyAuditLogFile(path, auditKey, want)
	require.NoError(t, err)
	assert.Equal(t, uint64(4), head.Seq)

	data, err = os.ReadFile(filepath.Join(dir, "v1-c813884.jsonl"))
	require.NoError(t, err)
	path = filepath.Join(t.TempDir(), "audit.jsonl")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	_, err = reunite.OpenAuditLog(path, auditKey)
	require.ErrorIs(t, err, reunite.ErrAuditTampered)
	require.ErrorIs(t, err, encoding.ErrVersion)
	assert.Contains(t, err.Error(), "version 1")
	assert.Contains(t, err.Error(), "create a new log")
}
