package reunite

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// ErrAuditTampered reports an audit log whose hash chain does not verify:
// an entry was edited, removed, reordered, inserted or cut short. Errors
// that wrap it name the 1-based line and the check that failed, never the
// entry's contents.
var ErrAuditTampered = errors.New("reunite: audit log is not intact")

// AuditLog appends Audit records to a file, each entry chained to the
// previous by hash.
//
// The file is JSON Lines: one entry per line, each line ending in "\n".
// An entry line is exactly
//
//	{"seq":N,"prev":"<64 hex>","audit":{...},"hash":"<64 hex>"}
//
// with no other whitespace, where
//
//   - seq is 1 for the first entry and one more than the previous entry's
//     for each next one;
//   - prev is the previous entry's hash, or 64 zeros for the first entry;
//   - audit holds the Audit fields under the snake_case names time, peer,
//     role, mode, rule_set_id, records, local_keys, peer_keys, key_hits,
//     record_hits, session_id, transcript, outcome, unmatchable, truncated,
//     overfull, bad_payloads, alternatives and lower_bound, in that order,
//     alternatives only when it is not zero and lower_bound only when it
//     is true (entries written before they existed lack them; a verifier
//     older than one refuses entries that have it);
//     record_hits counts hits, not alternatives; time is RFC 3339 in UTC with exactly
//     nine fractional digits (2006-01-02T15:04:05.000000000Z), and strings
//     that are not valid UTF-8 have each invalid byte sequence replaced by
//     U+FFFD before they are written;
//   - hash is the lowercase hex SHA-256 of the line's bytes without the
//     hash member and without the newline, that is of
//     {"seq":N,"prev":"...","audit":{...}} as encoding/json marshals it.
//
// Because prev is the hash of everything in the previous line but its own
// hash member, which is a function of the rest, each entry commits to the
// whole log before it. A verifier splits off the hash member, recomputes
// the hash, decodes the rest and checks that marshaling it again gives back
// the same bytes, so each entry has exactly one valid encoding.
//
// The chain detects an edited byte anywhere, a removed, reordered,
// repeated or inserted entry, and a final line cut short by a partial
// write. It cannot detect the removal of the last entries: the log before
// the cut is itself a valid chain. Nor, since the hash is unkeyed, can it
// detect someone who can write the file rewriting it from some entry on
// and recomputing every later hash. Anchor the log against both by
// recording Head somewhere the log's writer cannot rewrite (the peer's
// audit log, a ticketing system, a signed daily report) and checking later
// that the log still holds an entry with that sequence number and hash:
// everything up to an anchored entry is then fixed.
//
// Only one AuditLog at a time may have a given file open; two writers on
// one file, in one process or two, would fork the chain.
type AuditLog struct {
	mu   sync.Mutex
	f    *os.File
	seq  uint64 // seq of the last entry, 0 if none
	head string // hash of the last entry, zeroHash if none
	err  error  // set when an append failed part-way; the log then refuses appends
}

// maxAuditLine bounds the length of one entry line, so that verifying a
// hostile file cannot exhaust memory. Append refuses longer entries.
const maxAuditLine = 1 << 20

// auditTimeLayout is RFC 3339 with exactly nine fractional digits.
const auditTimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

var zeroHash = strings.Repeat("0", 2*sha256.Size)

// hashMemberPrefix precedes the hash in an entry line; the line then ends
// with the 64 hex digits and `"}`.
const (
	hashMemberPrefix = `,"hash":"`
	hashSuffixLen    = len(hashMemberPrefix) + 2*sha256.Size + len(`"}`)
)

// auditJSON is Audit as written in the log. Its field order is part of the
// entry format.
type auditJSON struct {
	Time        string `json:"time"`
	Peer        string `json:"peer"`
	Role        string `json:"role"`
	Mode        string `json:"mode"`
	RuleSetID   string `json:"rule_set_id"`
	Records     int    `json:"records"`
	LocalKeys   int    `json:"local_keys"`
	PeerKeys    int    `json:"peer_keys"`
	KeyHits     int    `json:"key_hits"`
	RecordHits  int    `json:"record_hits"`
	SessionID   string `json:"session_id"`
	Transcript  string `json:"transcript"`
	Outcome     string `json:"outcome"`
	Unmatchable int    `json:"unmatchable"`
	Truncated   int    `json:"truncated"`
	Overfull    int    `json:"overfull"`
	BadPayloads int    `json:"bad_payloads"`
	// Added after the first entries were written: omitted when zero, so
	// older entries keep their canonical form.
	Alternatives int  `json:"alternatives,omitempty"`
	LowerBound   bool `json:"lower_bound,omitempty"`
}

// auditEntry is an entry without its hash member. Its field order is part
// of the entry format.
type auditEntry struct {
	Seq   uint64    `json:"seq"`
	Prev  string    `json:"prev"`
	Audit auditJSON `json:"audit"`
}

func toAuditJSON(a Audit) auditJSON {
	s := func(v string) string { return strings.ToValidUTF8(v, "\uFFFD") }
	return auditJSON{
		Time: a.Time.UTC().Format(auditTimeLayout),
		Peer: s(a.Peer), Role: s(a.Role), Mode: s(a.Mode), RuleSetID: s(a.RuleSetID),
		Records: a.Records, LocalKeys: a.LocalKeys, PeerKeys: a.PeerKeys,
		KeyHits: a.KeyHits, RecordHits: a.RecordHits,
		SessionID: s(a.SessionID), Transcript: s(a.Transcript), Outcome: s(a.Outcome),
		Unmatchable: a.Unmatchable, Truncated: a.Truncated, Overfull: a.Overfull,
		BadPayloads: a.BadPayloads, Alternatives: a.Alternatives, LowerBound: a.LowerBound,
	}
}

// encodeAuditEntry returns the entry's line, newline included, and hash.
func encodeAuditEntry(e auditEntry) (line []byte, hash string, err error) {
	body, err := json.Marshal(e)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(body)
	hash = hex.EncodeToString(sum[:])
	line = make([]byte, 0, len(body)+hashSuffixLen)
	line = append(line, body[:len(body)-1]...) // drop the closing brace
	line = append(line, hashMemberPrefix...)
	line = append(line, hash...)
	line = append(line, `"}`...)
	line = append(line, '\n')
	return line, hash, nil
}

// OpenAuditLog opens the audit log at path for appending, creating it with
// mode 0600 if it does not exist. It first verifies the whole existing
// chain and refuses, with an error wrapping ErrAuditTampered, to append to
// a log that is not intact.
func OpenAuditLog(path string) (*AuditLog, error) {
	created := true
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		created = false
		f, err = os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	}
	if err != nil {
		return nil, fmt.Errorf("reunite: opening audit log: %w", err)
	}
	if created {
		if err := syncDir(filepath.Dir(path)); err != nil {
			f.Close()
			return nil, fmt.Errorf("reunite: creating audit log: %w", err)
		}
	}
	// Read through the descriptor that will be written to, so the chain
	// verified is the one appended to.
	_, seq, head, err := verifyAuditChain(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &AuditLog{f: f, seq: seq, head: head}, nil
}

// Append writes a as the log's next entry and syncs the file to stable
// storage before returning. It is safe for concurrent use. If a write or
// sync fails, the log may end in a partial entry, so Append refuses all
// later appends; reopen the log to find out whether it is intact.
func (l *AuditLog) Append(a Audit) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return fmt.Errorf("reunite: audit log: %w", os.ErrClosed)
	}
	if l.err != nil {
		return fmt.Errorf("reunite: audit log unusable after a failed append: %w", l.err)
	}
	line, hash, err := encodeAuditEntry(auditEntry{Seq: l.seq + 1, Prev: l.head, Audit: toAuditJSON(a)})
	if err != nil {
		return fmt.Errorf("reunite: encoding audit entry: %w", err)
	}
	if len(line) > maxAuditLine {
		return fmt.Errorf("reunite: audit entry is %d bytes, more than the limit of %d", len(line), maxAuditLine)
	}
	if _, err := l.f.Write(line); err != nil {
		l.err = err
		return fmt.Errorf("reunite: writing audit entry: %w", err)
	}
	if err := l.f.Sync(); err != nil {
		l.err = err
		return fmt.Errorf("reunite: syncing audit log: %w", err)
	}
	l.seq, l.head = l.seq+1, hash
	return nil
}

// Head returns the sequence number and hash of the last entry, or 0 and 64
// zeros for an empty log. Record them outside the log to detect a later
// removal of its last entries.
func (l *AuditLog) Head() (seq uint64, hash string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seq, l.head
}

// Close closes the log's file. Entries are already on stable storage.
func (l *AuditLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return fmt.Errorf("reunite: audit log: %w", os.ErrClosed)
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// VerifyAuditLog reads an audit log to its end and checks its whole hash
// chain (see AuditLog for the format). It returns the number of entries.
// An empty log is intact and has 0 entries. If the chain is broken, the
// error wraps ErrAuditTampered and entries counts the intact entries before
// the first bad line. A log cut after a complete entry verifies: compare
// the result with a recorded Head to detect that.
func VerifyAuditLog(r io.Reader) (entries int, err error) {
	entries, _, _, err = verifyAuditChain(r)
	return entries, err
}

func verifyAuditChain(r io.Reader) (entries int, seq uint64, head string, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head = zeroHash
	for lineNo := 1; ; lineNo++ {
		line, err := readAuditLine(br)
		if err == io.EOF {
			return entries, seq, head, nil
		}
		tampered := func(format string, args ...any) error {
			return fmt.Errorf("%w: line %d: %s", ErrAuditTampered, lineNo, fmt.Sprintf(format, args...))
		}
		switch {
		case errors.Is(err, errLineTooLong):
			return entries, seq, head, tampered("longer than %d bytes", maxAuditLine)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return entries, seq, head, tampered("incomplete final line (no newline; partial write or truncation)")
		case err != nil:
			return entries, seq, head, fmt.Errorf("reunite: reading audit log at line %d: %w", lineNo, err)
		}
		e, hash, what := parseAuditLine(line)
		if what != "" {
			return entries, seq, head, tampered("%s", what)
		}
		if e.Seq != seq+1 {
			return entries, seq, head, tampered("sequence number out of order (want %d)", seq+1)
		}
		if e.Prev != head {
			if lineNo == 1 {
				return entries, seq, head, tampered("first entry's prev is not all zeros")
			}
			return entries, seq, head, tampered("prev does not match the hash of line %d", lineNo-1)
		}
		entries, seq, head = entries+1, e.Seq, hash
	}
}

var errLineTooLong = errors.New("line too long")

// readAuditLine returns the next line without its newline; io.EOF at a
// clean end, io.ErrUnexpectedEOF for a final line without a newline.
func readAuditLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		frag, err := br.ReadSlice('\n')
		if len(line)+len(frag) > maxAuditLine+1 {
			return nil, errLineTooLong
		}
		line = append(line, frag...)
		switch {
		case err == nil:
			return line[:len(line)-1], nil
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && len(line) == 0:
			return nil, io.EOF
		case err == io.EOF:
			return nil, io.ErrUnexpectedEOF
		default:
			return nil, err
		}
	}
}

// parseAuditLine checks one line's own integrity and canonical form. It
// returns the entry and its hash, or a description of what failed that
// quotes nothing from the line.
func parseAuditLine(line []byte) (e auditEntry, hash string, what string) {
	n := len(line)
	if n < hashSuffixLen+2 || !bytes.HasPrefix(line[n-hashSuffixLen:], []byte(hashMemberPrefix)) ||
		!bytes.HasSuffix(line, []byte(`"}`)) {
		return e, "", "not an entry: no hash member at the end"
	}
	hash = string(line[n-hashSuffixLen+len(hashMemberPrefix) : n-2])
	if !isLowerHex(hash) {
		return e, "", "hash is not 64 lowercase hex digits"
	}
	body := make([]byte, 0, n-hashSuffixLen+1)
	body = append(body, line[:n-hashSuffixLen]...)
	body = append(body, '}')
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != hash {
		return e, "", "entry hash does not match its contents"
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || dec.More() {
		return e, "", "not a well-formed entry"
	}
	if again, err := json.Marshal(e); err != nil || !bytes.Equal(again, body) {
		return e, "", "entry is not in canonical form"
	}
	if !isLowerHex(e.Prev) {
		return e, "", "prev is not 64 lowercase hex digits"
	}
	if t, err := time.Parse(auditTimeLayout, e.Audit.Time); err != nil || t.UTC().Format(auditTimeLayout) != e.Audit.Time {
		return e, "", "time is not RFC 3339 UTC with nine fractional digits"
	}
	return e, hash, ""
}

func isLowerHex(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// syncDir makes a file's creation or renaming in dir durable. Windows
// cannot sync a directory and does not need to.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
