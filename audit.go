package reunite

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/reunite-psi/reunite/encoding"
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
	out, err := hkdf.Key(sha256.New, secret, nil, encoding.AuditLogFormat+" HMAC key", 32)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAuditKey, err)
	}
	k := new(AuditKey)
	copy(k.k[:], out)
	return k, nil
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
// Its errors wrap encoding.ErrAuditHead.
func ParseAuditHead(s string) (AuditHead, error) {
	seq, hash, err := encoding.ParseAuditHead(s)
	if err != nil {
		return AuditHead{}, err
	}
	return AuditHead{Seq: seq, Hash: hex.EncodeToString(hash[:])}, nil
}

// AuditLog appends Audit records to a file, each entry chained to the
// previous by hash and authenticated with the agency's AuditKey.
//
// The file is JSON Lines, a header line and then one line per session,
// each carrying the SHA-256 of its contents and their HMAC-SHA-256 under
// the AuditKey, and the hash of the line before it; package encoding
// (AppendAuditLine, ParseAuditLine) lays out and checks one line, this
// type the chain, the file and its lock.
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

// auditLockWait bounds how long Append waits for another writer; one
// append takes milliseconds.
const auditLockWait = 10 * time.Second

// toAuditRecord is a as its audit entry holds it.
func toAuditRecord(a Audit) *encoding.AuditRecord {
	return &encoding.AuditRecord{
		Time: a.Time, Peer: a.Peer, Role: a.Role, Mode: a.Mode, RuleSetID: a.RuleSetID,
		Records: a.Records, LocalKeys: a.LocalKeys, PeerKeys: a.PeerKeys,
		KeyHits: a.KeyHits, RecordHits: a.RecordHits,
		SessionID: a.SessionID, Transcript: a.Transcript, Outcome: a.Outcome,
		Unmatchable: a.Unmatchable, Truncated: a.Truncated, Overfull: a.Overfull,
		BadPayloads: a.BadPayloads, Alternatives: a.Alternatives, Charged: a.Charged, LowerBound: a.LowerBound,
		PeerRuleSetID: a.PeerRuleSetID, Suite: a.Suite, CompetitionFactor: a.CompetitionFactor,
	}
}

// macKey returns the key's bytes for encoding, nil for a nil key.
func (k *AuditKey) macKey() []byte {
	if k == nil {
		return nil
	}
	return k.k[:]
}

// CreateAuditLog creates a new audit log at path, with mode 0600, holding
// only its header entry, and opens it for appending. It fails with an
// error wrapping os.ErrExist, and changes nothing, if the file exists.
func CreateAuditLog(path string, key *AuditKey) (*AuditLog, error) {
	if key == nil {
		return nil, fmt.Errorf("%w: no key", ErrAuditKey)
	}
	line, _, err := encoding.AppendAuditLine(nil, &encoding.AuditEntry{
		Header: &encoding.AuditHeader{Format: encoding.AuditLogFormat, Created: time.Now()}}, key.macKey())
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
	e := &encoding.AuditEntry{Seq: l.head.Seq + 1, Record: toAuditRecord(a)}
	if _, err := hex.Decode(e.Prev[:], []byte(l.head.Hash)); err != nil {
		return fmt.Errorf("reunite: audit log head: %w", err)
	}
	line, hash, err := encoding.AppendAuditLine(nil, e, l.key.macKey())
	if err != nil {
		return fmt.Errorf("reunite: encoding audit entry: %w", err)
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
	l.head, l.last = AuditHead{Seq: l.head.Seq + 1, Hash: hex.EncodeToString(hash[:])}, line
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
	st := chainState{key: key, anchors: anchors}
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
	lines := encoding.NewAuditLineReader(r)
	for {
		lineNo := st.head.Seq + 2
		if !st.started {
			lineNo = 1
		}
		tampered := func(format string, args ...any) error {
			return fmt.Errorf("%w: line %d: %s", ErrAuditTampered, lineNo, fmt.Sprintf(format, args...))
		}
		line, err := lines.Next()
		switch {
		case err == io.EOF:
			return read, nil
		case errors.Is(err, encoding.ErrTooLarge), errors.Is(err, encoding.ErrTruncated):
			return read, fmt.Errorf("%w: line %d: %w", ErrAuditTampered, lineNo, err)
		case err != nil:
			return read, fmt.Errorf("reunite: reading audit log at line %d: %w", lineNo, err)
		}
		e, sum, err := encoding.ParseAuditLine(line, st.key.macKey())
		if err != nil {
			return read, fmt.Errorf("%w: line %d: %w", ErrAuditTampered, lineNo, err)
		}
		hash, prev := hex.EncodeToString(sum[:]), hex.EncodeToString(e.Prev[:])
		switch {
		case !st.started && (e.Seq != 0 || e.Header == nil):
			return read, tampered("not a %s log: the first line is not its header", encoding.AuditLogFormat)
		case !st.started && e.Prev != [encoding.AuditHashSize]byte{}:
			return read, tampered("the header's prev is not all zeros")
		case st.started && e.Header != nil:
			return read, tampered("a second header")
		case st.started && e.Seq != st.head.Seq+1:
			return read, tampered("sequence number out of order (want %d)", st.head.Seq+1)
		case st.started && prev != st.head.Hash:
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
