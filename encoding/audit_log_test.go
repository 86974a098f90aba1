package encoding

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// auditMACKey is the audit key of the test agency whose Ed25519 seed is 32
// bytes of 1, derived as the root package's DeriveAuditKey documents: the
// key the logs in testdata/audit were written with.
var auditMACKey = func() []byte {
	k, err := hkdf.Key(sha256.New, bytes.Repeat([]byte{1}, ed25519.SeedSize), nil, AuditLogFormat+" HMAC key", AuditHashSize)
	if err != nil {
		panic(err)
	}
	return k
}()

func sampleRecord() *AuditRecord {
	return &AuditRecord{
		Time: time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.FixedZone("CET", 3600)),
		Peer: "agency \xff <&>", Role: "initiator", Mode: "both-learn", RuleSetID: "rules-v1",
		Records: 100, LocalKeys: 1000, PeerKeys: 2000, KeyHits: 10, RecordHits: 5,
		SessionID: "session-0", Transcript: strings.Repeat("ab", 32), Outcome: "ok",
		Unmatchable: 1, Truncated: 2, Overfull: 3, BadPayloads: 4, Alternatives: 5, Charged: 6,
		LowerBound: true, PeerRuleSetID: "rules-v1", Suite: "ecdh", CompetitionFactor: 2.2698041,
	}
}

// readLines returns the lines of a file in testdata, without newlines.
func readLines(t testing.TB, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(name)
	require.NoError(t, err)
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	require.NotEmpty(t, lines)
	return lines
}

func TestAuditLineRoundTrip(t *testing.T) {
	header := &AuditEntry{Header: &AuditHeader{Format: AuditLogFormat, Created: time.Date(2026, 12, 2, 11, 0, 0, 0, time.Local)}}
	line0, h0, err := AppendAuditLine(nil, header, auditMACKey)
	require.NoError(t, err)
	require.Equal(t, byte('\n'), line0[len(line0)-1])
	assert.Regexp(t, `^\{"seq":0,"prev":"0{64}","log":\{"format":"reunite-audit-v2","created":"2026-12-02T\d\d:00:00\.000000000Z"\},"hash":"[0-9a-f]{64}","mac":"[0-9a-f]{64}"\}`+"\n$", string(line0))

	e := &AuditEntry{Seq: 1, Prev: h0, Record: sampleRecord()}
	line1, h1, err := AppendAuditLine([]byte("prefix"), e, auditMACKey)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(line1, []byte("prefix")), "appends")
	line1 = line1[len("prefix"):]
	assert.Contains(t, string(line1), "\"peer\":\"agency \ufffd "+`\u003c\u0026\u003e"`, "invalid UTF-8 replaced, HTML escaped")
	assert.Contains(t, string(line1), `"time":"2026-03-14T14:09:26.535897000Z"`, "UTC, nine digits")
	assert.Contains(t, string(line1), `"peer_rule_set_id":"rules-v1","suite":"ecdh","competition_factor":2.2698041},"hash":"`+hex.EncodeToString(h1[:])+`","mac":"`)
	assert.Equal(t, "agency \xff <&>", e.Record.Peer, "the caller's record is not changed")

	for i, tc := range []struct {
		line []byte
		hash [AuditHashSize]byte
	}{{line0, h0}, {line1, h1}} {
		got, hash, err := ParseAuditLine(tc.line[:len(tc.line)-1], auditMACKey)
		require.NoError(t, err, "line %d", i)
		assert.Equal(t, tc.hash, hash)
		again, _, err := AppendAuditLine(nil, &got, auditMACKey)
		require.NoError(t, err)
		assert.Equal(t, string(tc.line), string(again), "line %d re-encodes byte for byte", i)
	}
	got, _, err := ParseAuditLine(line1[:len(line1)-1], nil)
	require.NoError(t, err, "without a key the MAC is not checked")
	assert.Equal(t, uint64(1), got.Seq)
	assert.Equal(t, h0, got.Prev)
	assert.Equal(t, "agency \ufffd <&>", got.Record.Peer)
	assert.True(t, got.Record.Time.Equal(sampleRecord().Time))

	assert.Equal(t, 2.2698041, got.Record.CompetitionFactor)

	// An entry without a suite or a competition factor (a session that
	// failed, or one written before they were added) leaves the members
	// out, so that such entries stay canonical; a member written as 0 is
	// not canonical.
	e.Record.Suite, e.Record.CompetitionFactor = "", 0
	line, _, err := AppendAuditLine(nil, e, auditMACKey)
	require.NoError(t, err)
	assert.NotContains(t, string(line), "suite")
	assert.NotContains(t, string(line), "competition_factor")
	parsed, _, err := ParseAuditLine(line[:len(line)-1], auditMACKey)
	require.NoError(t, err)
	assert.Zero(t, parsed.Record.CompetitionFactor)
}

func TestAuditLineRefuses(t *testing.T) {
	good, _, err := AppendAuditLine(nil, &AuditEntry{Seq: 1, Record: sampleRecord()}, auditMACKey)
	require.NoError(t, err)
	good = good[:len(good)-1]
	_, _, err = ParseAuditLine(good, bytes.Repeat([]byte{2}, AuditHashSize))
	require.ErrorIs(t, err, ErrUnauthenticated)

	_, _, err = AppendAuditLine(nil, &AuditEntry{Seq: 1}, auditMACKey)
	require.ErrorIs(t, err, ErrMalformed, "neither header nor record")
	_, _, err = AppendAuditLine(nil, &AuditEntry{Seq: 1, Record: sampleRecord()}, auditMACKey[:16])
	require.ErrorIs(t, err, ErrMalformed, "short MAC key")
	big := sampleRecord()
	big.Outcome = strings.Repeat("e", MaxAuditLine)
	_, _, err = AppendAuditLine(nil, &AuditEntry{Seq: 1, Record: big}, auditMACKey)
	require.ErrorIs(t, err, ErrTooLarge)

	// Every truncation of a good line is refused.
	for n := range len(good) {
		_, _, err := ParseAuditLine(good[:n], nil)
		require.Error(t, err, "cut to %d bytes", n)
		assert.NotContains(t, err.Error(), "agency", "errors quote nothing from the line")
	}
}

// TestAuditLogFiles reads logs that earlier versions wrote (file names
// give the commit): a version-2 log must stay readable, line by line and
// chained, and a version-1 log is refused with ErrVersion, never taken
// for garbage or a tampered log without saying why. Never regenerate them.
func TestAuditLogFiles(t *testing.T) {
	lines := readLines(t, "testdata/audit/v2-1341e2a.jsonl")
	require.Len(t, lines, 4)
	var prev [AuditHashSize]byte
	for i, line := range lines {
		e, hash, err := ParseAuditLine(line, auditMACKey)
		require.NoError(t, err, "line %d", i+1)
		assert.Equal(t, uint64(i), e.Seq)
		assert.Equal(t, prev, e.Prev, "line %d chains", i+1)
		assert.Equal(t, i == 0, e.Header != nil)
		again, _, err := AppendAuditLine(nil, &e, auditMACKey)
		require.NoError(t, err)
		assert.Equal(t, string(line)+"\n", string(again), "line %d re-encodes byte for byte", i+1)
		prev = hash
	}
	assert.Equal(t, "0860ba74e71c1eae5771d2000e6c6dc03343ab5fe9316556d1ad2d63cad47e30", hex.EncodeToString(prev[:]))

	for _, line := range readLines(t, "testdata/audit/v1-c813884.jsonl") {
		_, _, err := ParseAuditLine(line, auditMACKey)
		require.ErrorIs(t, err, ErrVersion)
		assert.Contains(t, err.Error(), "version 1")
	}
}

func TestAuditLineReader(t *testing.T) {
	long := bytes.Repeat([]byte("x"), MaxAuditLine)
	for _, tc := range []struct {
		name string
		in   []byte
		want []string
		err  error
	}{
		{"empty", nil, nil, io.EOF},
		{"lines", []byte("a\n\nbc\n"), []string{"a", "", "bc"}, io.EOF},
		{"no final newline", []byte("a\nbc"), []string{"a"}, ErrTruncated},
		{"longest line", append(bytes.Clone(long), '\n'), []string{string(long)}, io.EOF},
		{"line too long", append(append(bytes.Clone(long), 'x'), '\n'), nil, ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewAuditLineReader(bytes.NewReader(tc.in))
			var got []string
			for {
				line, err := r.Next()
				if err != nil {
					require.ErrorIs(t, err, tc.err)
					break
				}
				got = append(got, string(line))
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// FuzzAuditLine reads any bytes as an audit log, line by line: nothing
// panics, and every line that parses (without the key, since random bytes
// carry no valid MAC) re-encodes to the same bytes up to its MAC.
func FuzzAuditLine(f *testing.F) {
	n := 0
	for _, name := range []string{"testdata/audit/v2-1341e2a.jsonl", "testdata/audit/v1-c813884.jsonl"} {
		data, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(data)
		for _, line := range readLines(f, name) {
			f.Add(append(line, '\n'))
			f.Add(line)
			n++
		}
	}
	line, _, err := AppendAuditLine(nil, &AuditEntry{Seq: 7, Record: &AuditRecord{}}, auditMACKey)
	require.NoError(f, err)
	f.Add(line)
	f.Add([]byte("\n\n"))
	require.Greater(f, n, 4, "seeds loaded")

	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewAuditLineReader(bytes.NewReader(in))
		for {
			line, err := r.Next()
			if err != nil {
				return
			}
			e, hash, err := ParseAuditLine(line, nil)
			if err != nil {
				continue
			}
			again, hash2, err := AppendAuditLine(nil, &e, auditMACKey)
			require.NoError(t, err)
			require.Equal(t, hash, hash2)
			cut := len(line) - (len(macMember) + 2*AuditHashSize + 2)
			require.Equal(t, string(line[:cut]), string(again[:cut]))
		}
	})
}

func TestAuditHeadRoundTrip(t *testing.T) {
	var hash [AuditHashSize]byte
	for i := range hash {
		hash[i] = byte(i * 7)
	}
	for _, seq := range []uint64{0, 1, 42, 1<<64 - 1} {
		s := string(AppendAuditHead(nil, seq, hash))
		gotSeq, gotHash, err := ParseAuditHead(s)
		require.NoError(t, err, s)
		assert.Equal(t, seq, gotSeq)
		assert.Equal(t, hash, gotHash)
	}
}

func TestParseAuditHeadRefuses(t *testing.T) {
	zeros := strings.Repeat("0", 2*AuditHashSize)
	tests := []struct{ name, head string }{
		{"empty", ""},
		{"no hash", "3"},
		{"no sequence number", ":" + zeros},
		{"letters", "x:" + zeros},
		{"sign", "-1:" + zeros},
		{"plus sign", "+1:" + zeros},
		{"leading zero", "03:" + zeros},
		{"space", " 3:" + zeros},
		{"sequence number overflows", "18446744073709551616:" + zeros},
		{"short hash", "3:" + zeros[:63]},
		{"long hash", "3:" + zeros + "0"},
		{"uppercase hash", "3:" + strings.ToUpper(strings.Repeat("ab", AuditHashSize))},
		{"trailing colon", "3:" + zeros + ":"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ParseAuditHead(tt.head)
			require.ErrorIs(t, err, ErrAuditHead)
		})
	}
}

// FuzzAuditHead checks that ParseAuditHead never panics and accepts only
// what AppendAuditHead writes.
func FuzzAuditHead(f *testing.F) {
	f.Add("3:" + strings.Repeat("ab", AuditHashSize))
	f.Add("0:" + strings.Repeat("0", 2*AuditHashSize))
	f.Add("18446744073709551615:" + strings.Repeat("f", 2*AuditHashSize))
	f.Add("03:x")
	f.Fuzz(func(t *testing.T, s string) {
		seq, hash, err := ParseAuditHead(s)
		if err != nil {
			require.ErrorIs(t, err, ErrAuditHead)
			return
		}
		require.Equal(t, s, string(AppendAuditHead(nil, seq, hash)))
	})
}
