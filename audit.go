package reunite

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/reunite-psi/reunite/internal/fsfile"
)

// ErrAuditTampered reports an audit log that does not verify: an entry was
// edited, removed, reordered, inserted or cut short, an entry's MAC does
// not verify under the agency's key, or the log does not hold an anchored
// head. Errors that wrap it name the 1-based line and the check that
// failed, never the entry's contents.
var ErrAuditTampered = errors.New("reunite: audit log is not intact")

// ErrAuditKey reports a private key an audit key cannot be derived from.
var ErrAuditKey = errors.New("reunite: unsupported key for the audit log")

// auditFormat names the log format in its header entry.
const auditFormat = "reunite-audit-v2"

// AuditKey authenticates the entries of an agency's audit log. Derive it
// with DeriveAuditKey from the agency's long-term private key, so that
// only a holder of that key can write entries that verify.
type AuditKey struct {
	k [32]byte
}

// DeriveAuditKey derives the audit log key from an agency's private key:
// the TLS key keygen writes (crypto/ed25519, or an ECDSA or ECDH key).
// It is HKDF-SHA-256 (RFC 5869) of the private key's bytes (the seed for
// Ed25519), with no salt and the info string "reunite-audit-v2 HMAC key";
// the key is used for nothing else. Other key types are refused with an
// error wrapping ErrAuditKey.
func DeriveAuditKey(priv crypto.PrivateKey) (*AuditKey, error) {
	var secret []byte
	switch k := priv.(type) {
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("%w: Ed25519 key of %d bytes", ErrAuditKey, len(k))
		}
		secret = k.Seed()
	case *ecdsa.PrivateKey:
		b, err := k.Bytes()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrAuditKey, err)
		}
		secret = b
	case *ecdh.PrivateKey:
		secret = k.Bytes()
	default:
		return nil, fmt.Errorf("%w: %T (use Ed25519, ECDSA or ECDH)", ErrAuditKey, priv)
	}
	out, err := hkdf.Key(sha256.New, secret, nil, auditFormat+" HMAC key", 32)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAuditKey, err)
	}
	k := new(AuditKey)
	copy(k.k[:], out)
	return k, nil
}

func (k *AuditKey) mac(body []byte) string {
	m := hmac.New(sha256.New, k.k[:])
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// AuditHead identifies an audit log's last entry: its sequence number and
// hash. Record it somewhere the log's writer cannot rewrite (the peer's
// audit log, a ticketing system, a signed daily report) and pass it to
// VerifyAuditLog later as an anchor: the log must then still hold that
// entry, so everything up to it is fixed.
type AuditHead struct {
	Seq  uint64
	Hash string // 64 lowercase hex digits
}

// String returns the head as SEQ:HASH, the form ParseAuditHead reads.
func (h AuditHead) String() string { return strconv.FormatUint(h.Seq, 10) + ":" + h.Hash }

// ParseAuditHead parses a head in the form SEQ:HASH that String returns.
func ParseAuditHead(s string) (AuditHead, error) {
	seq, hash, ok := strings.Cut(s, ":")
	n, err := strconv.ParseUint(seq, 10, 64)
	if !ok || err != nil || !isLowerHex(hash) {
		return AuditHead{}, errors.New("reunite: an audit head is SEQ:HASH, a decimal sequence number and 64 lowercase hex digits")
	}
	return AuditHead{Seq: n, Hash: hash}, nil
}

// AuditLog appends Audit records to a file, each entry chained to the
// previous by hash and authenticated with the agency's AuditKey.
//
// The file is JSON Lines: one entry per line, each line ending in "\n".
// The first line is the log's header,
//
//	{"seq":0,"prev":"<64 zeros>","log":{"format":"reunite-audit-v2","created":"<time>"},"hash":"<64 hex>","mac":"<64 hex>"}
//
// and every later line an entry
//
//	{"seq":N,"prev":"<64 hex>","audit":{...},"hash":"<64 hex>","mac":"<64 hex>"}
//
// with no other whitespace, where
//
//   - seq is one more than the previous line's;
//   - prev is the previous line's hash;
//   - audit holds the Audit fields under the snake_case names time, peer,
//     role, mode, rule_set_id, records, local_keys, peer_keys, key_hits,
//     record_hits, session_id, transcript, outcome, unmatchable, truncated,
//     overfull, bad_payloads, alternatives, charged, lower_bound and
//     peer_rule_set_id, in that order;
//     times are RFC 3339 in UTC with exactly nine fractional digits
//     (2006-01-02T15:04:05.000000000Z), and strings that are not valid
//     UTF-8 have each invalid byte sequence replaced by U+FFFD;
//   - hash is the lowercase hex SHA-256, and mac the lowercase hex
//     HMAC-SHA-256 under the AuditKey, of the line's bytes without the hash
//     and mac members and without the newline, that is of
//     {"seq":N,"prev":"...","audit":{...}} as encoding/json marshals it.
//
// Each entry thus commits to the whole log before it, and each has exactly
// one valid encoding (a verifier re-marshals it and compares). The chain
// detects an edited byte anywhere, a removed, reordered, repeated or
// inserted entry, and a final line cut short by a partial write; the MAC
// detects a rewrite with recomputed hashes by anyone without the agency's
// key. What neither can detect is the removal of the last entries (the log
// before the cut is itself valid) or the replacement of the whole file by
// a new log created with the same key. Anchor the log against both: record
// its Head elsewhere and pass it to VerifyAuditLog later.
//
// A log must be created explicitly with CreateAuditLog; OpenAuditLog
// refuses a missing file, so a deleted log is noticed rather than silently
// restarted.
//
// Several AuditLogs, in one process or several (an agency that serves and
// queries at once), may append to one file: each Append takes an exclusive
// lock on the side file path+".lock", reads and verifies the entries other
// writers appended since, appends its own after them and syncs before
// releasing the lock. AuditLog is safe for concurrent use.
type AuditLog struct {
	mu   sync.Mutex
	path string
	key  *AuditKey
	f    *os.File
	off  int64     // bytes of the file verified so far
	head AuditHead // the last verified entry
	last []byte    // its line, newline included, which ends at off
	err  error     // set when an append failed part-way; the log then refuses appends
}

// maxAuditLine bounds the length of one entry line, so that verifying a
// hostile file cannot exhaust memory. Append refuses longer entries.
const maxAuditLine = 1 << 20

// auditLockWait bounds how long Append waits for another writer; one
// append takes milliseconds.
const auditLockWait = 10 * time.Second

// auditTimeLayout is RFC 3339 with exactly nine fractional digits.
const auditTimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

var zeroHash = strings.Repeat("0", 2*sha256.Size)

// trailerPrefix precedes the hash in an entry line; the line then ends
// with the 64 hex digits, macMember, 64 hex digits and `"}`.
const (
	trailerPrefix = `,"hash":"`
	macMember     = `","mac":"`
	trailerLen    = len(trailerPrefix) + 2*sha256.Size + len(macMember) + 2*sha256.Size + len(`"}`)
)

// auditJSON is Audit as written in the log. Its field order is part of the
// entry format.
type auditJSON struct {
	Time         string `json:"time"`
	Peer         string `json:"peer"`
	Role         string `json:"role"`
	Mode         string `json:"mode"`
	RuleSetID    string `json:"rule_set_id"`
	Records      int    `json:"records"`
	LocalKeys    int    `json:"local_keys"`
	PeerKeys     int    `json:"peer_keys"`
	KeyHits      int    `json:"key_hits"`
	RecordHits   int    `json:"record_hits"`
	SessionID    string `json:"session_id"`
	Transcript   string `json:"transcript"`
	Outcome      string `json:"outcome"`
	Unmatchable  int    `json:"unmatchable"`
	Truncated    int    `json:"truncated"`
	Overfull     int    `json:"overfull"`
	BadPayloads  int    `json:"bad_payloads"`
	Alternatives int    `json:"alternatives"`
	Charged      int    `json:"charged"`
	LowerBound   bool   `json:"lower_bound"`
	// PeerRuleSetID comes last: fields are only ever appended.
	PeerRuleSetID string `json:"peer_rule_set_id"`

	// Suite is appended after it, and left out when empty, so entries
	// written before it stay canonical.
	Suite string `json:"suite,omitempty"`
}

// logHeader is the content of the header entry.
type logHeader struct {
	Format  string `json:"format"`
	Created string `json:"created"`
}

// auditEntry is a line without its hash and mac members. Its field order
// is part of the entry format. Exactly one of Log (seq 0) and Audit is set.
type auditEntry struct {
	Seq   uint64     `json:"seq"`
	Prev  string     `json:"prev"`
	Log   *logHeader `json:"log,omitempty"`
	Audit *auditJSON `json:"audit,omitempty"`
}

func toAuditJSON(a Audit) *auditJSON {
	s := func(v string) string { return strings.ToValidUTF8(v, "\uFFFD") }
	return &auditJSON{
		Time: a.Time.UTC().Format(auditTimeLayout),
		Peer: s(a.Peer), Role: s(a.Role), Mode: s(a.Mode), RuleSetID: s(a.RuleSetID),
		Records: a.Records, LocalKeys: a.LocalKeys, PeerKeys: a.PeerKeys,
		KeyHits: a.KeyHits, RecordHits: a.RecordHits,
		SessionID: s(a.SessionID), Transcript: s(a.Transcript), Outcome: s(a.Outcome),
		Unmatchable: a.Unmatchable, Truncated: a.Truncated, Overfull: a.Overfull,
		BadPayloads: a.BadPayloads, Alternatives: a.Alternatives, Charged: a.Charged, LowerBound: a.LowerBound,
		PeerRuleSetID: s(a.PeerRuleSetID), Suite: s(a.Suite),
	}
}

// encodeAuditEntry returns the entry's line, newline included, and hash.
func encodeAuditEntry(key *AuditKey, e auditEntry) (line []byte, hash string, err error) {
	body, err := json.Marshal(e)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(body)
	hash = hex.EncodeToString(sum[:])
	line = make([]byte, 0, len(body)+trailerLen)
	line = append(line, body[:len(body)-1]...) // drop the closing brace
	line = append(line, trailerPrefix...)
	line = append(line, hash...)
	line = append(line, macMember...)
	line = append(line, key.mac(body)...)
	line = append(line, `"}`...)
	line = append(line, '\n')
	return line, hash, nil
}

// CreateAuditLog creates a new audit log at path, with mode 0600, holding
// only its header entry, and opens it for appending. It fails with an
// error wrapping os.ErrExist, and changes nothing, if the file exists.
func CreateAuditLog(path string, key *AuditKey) (*AuditLog, error) {
	if key == nil {
		return nil, fmt.Errorf("%w: no key", ErrAuditKey)
	}
	line, _, err := encodeAuditEntry(key, auditEntry{Prev: zeroHash,
		Log: &logHeader{Format: auditFormat, Created: time.Now().UTC().Format(auditTimeLayout)}})
	if err != nil {
		return nil, fmt.Errorf("reunite: encoding audit log header: %w", err)
	}
	if err := fsfile.CreateFile(path, line, 0o600); err != nil {
		return nil, fmt.Errorf("reunite: creating audit log: %w", err)
	}
	return OpenAuditLog(path, key)
}

// OpenAuditLog opens the audit log at path for appending. It verifies the
// whole log with key first and refuses, with an error wrapping
// ErrAuditTampered, a log that is not intact. A missing file is refused
// with an error wrapping os.ErrNotExist: create a log with CreateAuditLog.
func OpenAuditLog(path string, key *AuditKey) (*AuditLog, error) {
	if key == nil {
		return nil, fmt.Errorf("%w: no key", ErrAuditKey)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reunite: audit log %s does not exist; create it explicitly "+
			"(a missing log must not silently start a new chain): %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("reunite: opening audit log: %w", err)
	}
	l := &AuditLog{path: path, key: key, f: f}
	lock, err := fsfile.LockFile(path+".lock", auditLockWait)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("reunite: locking audit log: %w", err)
	}
	defer lock.Unlock()
	if err := l.catchUp(); err != nil {
		f.Close()
		return nil, err
	}
	return l, nil
}

// catchUp verifies what other writers appended since this log last read
// the file. The caller holds the file lock.
func (l *AuditLog) catchUp() error {
	if l.off > 0 {
		// The line verified last must still be there, unchanged: a file
		// cut or rewritten under this writer is not appended to.
		start := l.off - int64(len(l.last))
		got := make([]byte, len(l.last)+1)
		n, err := l.f.ReadAt(got, start)
		if err != nil && err != io.EOF {
			return fmt.Errorf("reunite: reading audit log: %w", err)
		}
		if n < len(l.last) || !bytes.Equal(got[:len(l.last)], l.last) {
			return fmt.Errorf("%w: line %d: entry %d changed or the log was cut since this writer last read it",
				ErrAuditTampered, l.head.Seq+1, l.head.Seq)
		}
	}
	if _, err := l.f.Seek(l.off, io.SeekStart); err != nil {
		return fmt.Errorf("reunite: reading audit log: %w", err)
	}
	st := chainState{key: l.key, head: l.head, started: l.off > 0, last: l.last}
	n, err := st.verify(l.f)
	if err != nil {
		return err
	}
	if !st.started {
		return fmt.Errorf("%w: line 1: the log is empty; it has no header entry", ErrAuditTampered)
	}
	l.off += n
	l.head, l.last = st.head, st.last
	return nil
}

// Append writes a as the log's next entry, after any that other writers
// appended, and syncs the file to stable storage before returning. It is
// safe for concurrent use. If the entries other writers appended do not
// verify, it appends nothing and returns an error wrapping
// ErrAuditTampered. If a write or sync fails, the log may end in a partial
// entry, so Append refuses all later appends; reopen the log to find out
// whether it is intact.
func (l *AuditLog) Append(a Audit) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return fmt.Errorf("reunite: audit log: %w", os.ErrClosed)
	}
	if l.err != nil {
		return fmt.Errorf("reunite: audit log unusable after a failed append: %w", l.err)
	}
	lock, err := fsfile.LockFile(l.path+".lock", auditLockWait)
	if err != nil {
		return fmt.Errorf("reunite: locking audit log: %w", err)
	}
	defer lock.Unlock()
	if err := l.catchUp(); err != nil {
		return err
	}
	line, hash, err := encodeAuditEntry(l.key, auditEntry{Seq: l.head.Seq + 1, Prev: l.head.Hash, Audit: toAuditJSON(a)})
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
	l.off += int64(len(line))
	l.head, l.last = AuditHead{Seq: l.head.Seq + 1, Hash: hash}, line
	return nil
}

// Head returns the log's last entry as this AuditLog last saw it (the
// header entry, sequence number 0, for a log with no session yet). Record
// it outside the log to detect a later removal of its last entries.
func (l *AuditLog) Head() AuditHead {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.head
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

// VerifyAuditLog reads an audit log to its end, checks its header, its
// whole hash chain and every entry's MAC under key, and returns its head.
// A log cut after a complete entry is a valid shorter log: pass heads
// recorded earlier as anchors, and VerifyAuditLog also checks that the
// log still holds each of them, which detects the removal of its last
// entries and its replacement by another log. Every failure wraps
// ErrAuditTampered.
//
// A nil key checks everything but the MACs, for a reader without the
// agency's key; only anchors then protect against a rewrite.
func VerifyAuditLog(r io.Reader, key *AuditKey, anchors ...AuditHead) (AuditHead, error) {
	st := chainState{key: key, head: AuditHead{Hash: zeroHash}, anchors: anchors}
	if _, err := st.verify(r); err != nil {
		return st.head, err
	}
	if !st.started {
		return st.head, fmt.Errorf("%w: line 1: the log is empty; it has no header entry", ErrAuditTampered)
	}
	for _, a := range anchors {
		if a.Seq > st.head.Seq {
			return st.head, fmt.Errorf("%w: anchored entry %d is missing: the log ends at entry %d (cut short, or replaced by a new log)",
				ErrAuditTampered, a.Seq, st.head.Seq)
		}
	}
	return st.head, nil
}

// VerifyAuditLogFile is VerifyAuditLog on the file at path, read under the
// writers' lock so that an append in progress is not mistaken for a cut
// line. A copy of a log where no lock file can be made (a read-only
// directory) is read without the lock.
func VerifyAuditLogFile(path string, key *AuditKey, anchors ...AuditHead) (AuditHead, error) {
	f, err := os.Open(path)
	if err != nil {
		return AuditHead{}, fmt.Errorf("reunite: opening audit log: %w", err)
	}
	defer f.Close()
	lock, err := fsfile.LockFile(path+".lock", auditLockWait)
	switch {
	case err == nil:
		defer lock.Unlock()
	case errors.Is(err, fsfile.ErrLocked):
		return AuditHead{}, fmt.Errorf("reunite: locking audit log: %w", err)
	}
	return VerifyAuditLog(f, key, anchors...)
}

// chainState is a verifier's position in a log.
type chainState struct {
	key     *AuditKey // nil: MACs are not checked
	started bool      // the header has been read
	head    AuditHead
	last    []byte // the line of head, newline included
	anchors []AuditHead
}

// verify reads lines from r to its end, continuing the chain from st, and
// returns how many bytes of intact entries it read.
func (st *chainState) verify(r io.Reader) (read int64, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		lineNo := st.head.Seq + 2
		if !st.started {
			lineNo = 1
		}
		line, err := readAuditLine(br)
		if err == io.EOF {
			return read, nil
		}
		tampered := func(format string, args ...any) error {
			return fmt.Errorf("%w: line %d: %s", ErrAuditTampered, lineNo, fmt.Sprintf(format, args...))
		}
		switch {
		case errors.Is(err, errLineTooLong):
			return read, tampered("longer than %d bytes", maxAuditLine)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return read, tampered("incomplete final line (no newline; partial write or truncation)")
		case err != nil:
			return read, fmt.Errorf("reunite: reading audit log at line %d: %w", lineNo, err)
		}
		e, hash, what := parseAuditLine(line, st.key)
		if what != "" {
			return read, tampered("%s", what)
		}
		switch {
		case !st.started && (e.Seq != 0 || e.Log == nil):
			return read, tampered("not a %s log: the first line is not its header (a log from before entries were authenticated? archive it and create a new one)", auditFormat)
		case !st.started && e.Prev != zeroHash:
			return read, tampered("the header's prev is not all zeros")
		case st.started && e.Log != nil:
			return read, tampered("a second header")
		case st.started && e.Seq != st.head.Seq+1:
			return read, tampered("sequence number out of order (want %d)", st.head.Seq+1)
		case st.started && e.Prev != st.head.Hash:
			return read, tampered("prev does not match the hash of line %d", lineNo-1)
		}
		for _, a := range st.anchors {
			if a.Seq == e.Seq && a.Hash != hash {
				return read, tampered("entry %d is not the anchored one (rewritten, or the log was replaced)", e.Seq)
			}
		}
		st.started = true
		st.head = AuditHead{Seq: e.Seq, Hash: hash}
		st.last = append(append(st.last[:0:0], line...), '\n')
		read += int64(len(line)) + 1
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

// parseAuditLine checks one line's own integrity, MAC (when key is not
// nil) and canonical form. It returns the entry and its hash, or a
// description of what failed that quotes nothing from the line.
func parseAuditLine(line []byte, key *AuditKey) (e auditEntry, hash string, what string) {
	n := len(line)
	if n < trailerLen+2 || !bytes.HasPrefix(line[n-trailerLen:], []byte(trailerPrefix)) ||
		!bytes.HasSuffix(line, []byte(`"}`)) {
		return e, "", "not an entry: no hash and mac members at the end"
	}
	trailer := line[n-trailerLen+len(trailerPrefix) : n-2]
	hash = string(trailer[:2*sha256.Size])
	if string(trailer[2*sha256.Size:2*sha256.Size+len(macMember)]) != macMember {
		return e, "", "not an entry: no hash and mac members at the end"
	}
	mac := string(trailer[2*sha256.Size+len(macMember):])
	if !isLowerHex(hash) || !isLowerHex(mac) {
		return e, "", "hash or mac is not 64 lowercase hex digits"
	}
	body := make([]byte, 0, n-trailerLen+1)
	body = append(body, line[:n-trailerLen]...)
	body = append(body, '}')
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != hash {
		return e, "", "entry hash does not match its contents"
	}
	if key != nil && !hmac.Equal([]byte(key.mac(body)), []byte(mac)) {
		return e, "", "entry MAC does not verify (rewritten without the agency's key, or the wrong key)"
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
	var ts string
	switch {
	case (e.Log == nil) == (e.Audit == nil):
		return e, "", "an entry holds exactly one of log and audit"
	case e.Log != nil && e.Log.Format != auditFormat:
		return e, "", "unknown log format in the header"
	case e.Log != nil:
		ts = e.Log.Created
	default:
		ts = e.Audit.Time
	}
	if t, err := time.Parse(auditTimeLayout, ts); err != nil || t.UTC().Format(auditTimeLayout) != ts {
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
