package encoding

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Audit log lines (the root package's AuditLog holds the chain, the file
// and its lock; this file lays out and checks one line at a time). The
// format is an agency's own record, not part of the protocol: PROTOCOL.md
// does not specify it, this comment does.
//
// The log is JSON Lines: one entry per line, each line ending in "\n".
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
//   - audit holds AuditRecord's fields under the snake_case names time,
//     peer, role, mode, rule_set_id, records, local_keys, peer_keys,
//     key_hits, record_hits, session_id, transcript, outcome, unmatchable,
//     truncated, overfull, bad_payloads, alternatives, charged,
//     lower_bound, peer_rule_set_id, suite (left out when empty) and
//     competition_factor (left out when 0), in that order; times are RFC
//     3339 in UTC with exactly nine fractional digits
//     (2006-01-02T15:04:05.000000000Z), and strings that are not
//     valid UTF-8 have each invalid byte sequence replaced by U+FFFD;
//   - hash is the lowercase hex SHA-256, and mac the lowercase hex
//     HMAC-SHA-256 under the log's key, of the line's bytes without the
//     hash and mac members and without the newline, that is of
//     {"seq":N,"prev":"...","audit":{...}} as encoding/json marshals it.
//
// Each entry has exactly one valid encoding: ParseAuditLine re-marshals it
// and compares. Version 1 logs (reunite before the MAC, with no header
// and no mac member) are recognized and refused with ErrVersion.

// Sizes and names of the audit log format.
const (
	// AuditLogFormat names the format in a log's header entry.
	AuditLogFormat = "reunite-audit-v2"
	// MaxAuditLine bounds the length of one line in bytes (1 MiB),
	// newline excluded, so that reading a hostile log cannot exhaust
	// memory.
	MaxAuditLine = 1 << 20
	// AuditHashSize is the size in bytes of an entry's hash (SHA-256), of
	// its MAC (HMAC-SHA-256) and of the MAC key.
	AuditHashSize = sha256.Size
)

// auditTimeLayout is RFC 3339 with exactly nine fractional digits.
const auditTimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// The line ends with trailerPrefix, 64 hex digits, macMember, 64 hex
// digits and `"}`.
const (
	trailerPrefix = `,"hash":"`
	macMember     = `","mac":"`
	trailerLen    = len(trailerPrefix) + 2*AuditHashSize + len(macMember) + 2*AuditHashSize + len(`"}`)
	trailerV1Len  = len(trailerPrefix) + 2*AuditHashSize + len(`"}`)
	notAnEntry    = "not an entry: no hash and mac members at the end"
)

// AuditEntry is one line of an audit log: the header (Seq 0, Header set)
// or a session's entry (Record set).
type AuditEntry struct {
	// Seq is the line's sequence number, the member seq: 0 for the
	// header, one more than the previous line's for every later line.
	// ParseAuditLine does not check the chain; the root package does.
	Seq uint64
	// Prev is the previous line's hash, the member prev in lowercase hex;
	// zero in the header.
	Prev [AuditHashSize]byte
	// Header is the log's header, the member log; nil in an entry.
	Header *AuditHeader
	// Record is the session's record, the member audit; nil in the
	// header. Exactly one of Header and Record is set.
	Record *AuditRecord
}

// AuditHeader is the content of a log's first line, the member log.
type AuditHeader struct {
	// Format names the format, the member format: AuditLogFormat, the
	// only value ParseAuditLine accepts.
	Format string
	// Created is when the log was created, the member created, written in
	// UTC with nine fractional digits.
	Created time.Time
}

// AuditRecord is one session as its audit entry holds it. The root
// package's Audit fills the fields and defines what they mean (each field
// below is the Audit field of the same name); this package only lays them
// out. Its field order is the order of the members in the line, and each
// field's member name is in its JSON tag.
type AuditRecord struct {
	// Time is when the session started (Audit.Time), the first member,
	// time, written in UTC with nine fractional digits.
	Time time.Time `json:"-"`
	// Peer is the peer agency's name as the caller gave it (Audit.Peer).
	Peer string `json:"peer"`
	// Role is this party's role as psi.Role.String writes it,
	// "initiator" or "responder" (Audit.Role).
	Role string `json:"role"`
	// Mode is the session's mode as psi.Mode.String writes it
	// (Audit.Mode).
	Mode string `json:"mode"`
	// RuleSetID is the local rule set's ID (Audit.RuleSetID).
	RuleSetID string `json:"rule_set_id"`
	// Records is the number of local records (Audit.Records).
	Records int `json:"records"`
	// LocalKeys is the local PSI set size, statistics element included
	// (Audit.LocalKeys).
	LocalKeys int `json:"local_keys"`
	// PeerKeys is the peer's PSI set size as it declared it
	// (Audit.PeerKeys).
	PeerKeys int `json:"peer_keys"`
	// KeyHits is the number of local match keys in the intersection
	// (Audit.KeyHits).
	KeyHits int `json:"key_hits"`
	// RecordHits is the number of hits reported (Audit.RecordHits).
	RecordHits int `json:"record_hits"`
	// SessionID is the session ID in hex, empty if the handshake did not
	// settle it (Audit.SessionID).
	SessionID string `json:"session_id"`
	// Transcript is the session's transcript hash in hex
	// (Audit.Transcript).
	Transcript string `json:"transcript"`
	// Outcome is "ok" or the error that ended the session
	// (Audit.Outcome).
	Outcome string `json:"outcome"`
	// Unmatchable is the number of local records that produced no key
	// (Audit.Unmatchable).
	Unmatchable int `json:"unmatchable"`
	// Truncated is the number of keys the per-record cap dropped
	// (Audit.Truncated).
	Truncated int `json:"truncated"`
	// Overfull is the number of keys shared by more local records than a
	// payload can name (Audit.Overfull).
	Overfull int `json:"overfull"`
	// BadPayloads is the number of shared keys whose peer payload did not
	// open or parse (Audit.BadPayloads).
	BadPayloads int `json:"bad_payloads"`
	// Alternatives is the number of pairs reported as alternatives to
	// better ones (Audit.Alternatives).
	Alternatives int `json:"alternatives"`
	// Charged is what the session cost the peer's budget, in elements
	// (Audit.Charged).
	Charged int `json:"charged"`
	// LowerBound reports whether the hits are only those the peer chose to
	// reveal (Audit.LowerBound).
	LowerBound bool `json:"lower_bound"`
	// PeerRuleSetID is the peer's rule-set ID where it is known
	// (Audit.PeerRuleSetID).
	PeerRuleSetID string `json:"peer_rule_set_id"`
	// Suite names the PSI suite the session ran, empty if none was chosen
	// (Audit.Suite). It was added last, and is left out when empty, so
	// that entries written before it stay canonical.
	Suite string `json:"suite,omitempty"`
	// CompetitionFactor is the factor one-to-one competition learned
	// (Audit.CompetitionFactor), left out when 0 (no pair was a candidate,
	// or the entry was written before it was added), like Suite.
	CompetitionFactor float64 `json:"competition_factor,omitempty"`
}

// auditRecordJSON is an AuditRecord as the line holds it: the time first,
// as a string, then the record's own members in their order.
type auditRecordJSON struct {
	Time string `json:"time"`
	*AuditRecord
}

type auditHeaderJSON struct {
	Format  string `json:"format"`
	Created string `json:"created"`
}

// auditLineJSON is a line without its hash and mac members. Its field
// order is part of the format.
type auditLineJSON struct {
	Seq   uint64           `json:"seq"`
	Prev  string           `json:"prev"`
	Log   *auditHeaderJSON `json:"log,omitempty"`
	Audit *auditRecordJSON `json:"audit,omitempty"`
}

// AppendAuditLine appends e's line, newline included, to b, and returns
// it with the line's hash. macKey is the log's HMAC key (AuditHashSize
// bytes). Strings that are not valid UTF-8 are written with U+FFFD in
// place of each invalid sequence, and times in UTC. A line longer than
// MaxAuditLine is refused with ErrTooLarge.
func AppendAuditLine(b []byte, e *AuditEntry, macKey []byte) ([]byte, [AuditHashSize]byte, error) {
	var hash [AuditHashSize]byte
	if (e.Header == nil) == (e.Record == nil) {
		return nil, hash, fmt.Errorf("%w: an audit entry holds exactly one of a header and a record", ErrMalformed)
	}
	if len(macKey) != AuditHashSize {
		return nil, hash, fmt.Errorf("%w: an audit MAC key of %d bytes", ErrMalformed, len(macKey))
	}
	line := auditLineJSON{Seq: e.Seq, Prev: hex.EncodeToString(e.Prev[:])}
	if e.Header != nil {
		line.Log = &auditHeaderJSON{Format: e.Header.Format, Created: formatAuditTime(e.Header.Created)}
	} else {
		r := *e.Record
		for _, s := range []*string{&r.Peer, &r.Role, &r.Mode, &r.RuleSetID, &r.SessionID,
			&r.Transcript, &r.Outcome, &r.PeerRuleSetID, &r.Suite} {
			*s = strings.ToValidUTF8(*s, "\uFFFD")
		}
		line.Audit = &auditRecordJSON{Time: formatAuditTime(r.Time), AuditRecord: &r}
	}
	body, err := json.Marshal(line)
	if err != nil {
		return nil, hash, fmt.Errorf("%w: audit entry: %w", ErrMalformed, err)
	}
	if len(body)-1+trailerLen > MaxAuditLine {
		return nil, hash, fmt.Errorf("%w: an audit entry of %d bytes (at most %d)", ErrTooLarge, len(body)-1+trailerLen, MaxAuditLine)
	}
	hash = sha256.Sum256(body)
	b = append(b, body[:len(body)-1]...) // drop the closing brace
	b = append(b, trailerPrefix...)
	b = hex.AppendEncode(b, hash[:])
	b = append(b, macMember...)
	b = hex.AppendEncode(b, auditMAC(macKey, body))
	b = append(b, `"}`...)
	return append(b, '\n'), hash, nil
}

func formatAuditTime(t time.Time) string { return t.UTC().Format(auditTimeLayout) }

func auditMAC(key, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return m.Sum(nil)
}

// ParseAuditLine checks one line of an audit log, without its newline:
// its hash, its MAC under macKey (nil: the MAC is not checked, for a
// reader without the key), its canonical form, and that it is a
// well-formed header or entry; not how it chains to the lines before it.
// It returns the entry and the line's hash. Errors describe what failed
// and quote nothing from the line: ErrVersion for a version 1 line,
// ErrUnauthenticated for a MAC that does not verify, ErrMalformed for
// everything else.
func ParseAuditLine(line []byte, macKey []byte) (AuditEntry, [AuditHashSize]byte, error) {
	var e AuditEntry
	var hash [AuditHashSize]byte
	malformed := func(what string) (AuditEntry, [AuditHashSize]byte, error) {
		return AuditEntry{}, [AuditHashSize]byte{}, fmt.Errorf("%w: %s", ErrMalformed, what)
	}
	n := len(line)
	if n < trailerLen+2 || !bytes.HasPrefix(line[n-trailerLen:], []byte(trailerPrefix)) ||
		!bytes.HasSuffix(line, []byte(`"}`)) {
		if isAuditV1Line(line) {
			return AuditEntry{}, hash, fmt.Errorf("%w: an audit log of version 1 (no header, no MAC: written before %s); "+
				"archive it and create a new log", ErrVersion, AuditLogFormat)
		}
		return malformed(notAnEntry)
	}
	trailer := line[n-trailerLen+len(trailerPrefix) : n-2]
	hashHex, macHex := trailer[:2*AuditHashSize], trailer[2*AuditHashSize+len(macMember):]
	if string(trailer[2*AuditHashSize:2*AuditHashSize+len(macMember)]) != macMember {
		return malformed(notAnEntry)
	}
	var mac [AuditHashSize]byte
	if !decodeLowerHex(hash[:], hashHex) || !decodeLowerHex(mac[:], macHex) {
		return malformed("hash or mac is not 64 lowercase hex digits")
	}
	body := make([]byte, 0, n-trailerLen+1)
	body = append(body, line[:n-trailerLen]...)
	body = append(body, '}')
	if sha256.Sum256(body) != hash {
		return malformed("entry hash does not match its contents")
	}
	if macKey != nil && !hmac.Equal(auditMAC(macKey, body), mac[:]) {
		return AuditEntry{}, hash, fmt.Errorf("%w: rewritten without the agency's key, or checked with the wrong key", ErrUnauthenticated)
	}
	var j auditLineJSON
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil || dec.More() {
		return malformed("not a well-formed entry")
	}
	if j.Audit != nil && j.Audit.AuditRecord == nil {
		j.Audit.AuditRecord = new(AuditRecord) // "audit":{"time":…} alone
	}
	if again, err := json.Marshal(j); err != nil || !bytes.Equal(again, body) {
		return malformed("entry is not in canonical form")
	}
	if !decodeLowerHex(e.Prev[:], []byte(j.Prev)) {
		return malformed("prev is not 64 lowercase hex digits")
	}
	e.Seq = j.Seq
	var ts string
	switch {
	case (j.Log == nil) == (j.Audit == nil):
		return malformed("an entry holds exactly one of log and audit")
	case j.Log != nil && j.Log.Format != AuditLogFormat:
		return malformed("unknown log format in the header")
	case j.Log != nil:
		ts = j.Log.Created
		e.Header = &AuditHeader{Format: j.Log.Format}
	default:
		ts = j.Audit.Time
		e.Record = j.Audit.AuditRecord
	}
	t, err := time.Parse(auditTimeLayout, ts)
	if err != nil || formatAuditTime(t) != ts {
		return malformed("time is not RFC 3339 UTC with nine fractional digits")
	}
	if e.Header != nil {
		e.Header.Created = t
	} else {
		e.Record.Time = t
	}
	return e, hash, nil
}

// isAuditV1Line reports whether line ends as a version 1 entry did: a
// hash member and no mac.
func isAuditV1Line(line []byte) bool {
	n := len(line)
	var h [AuditHashSize]byte
	return n >= trailerV1Len+2 && bytes.HasPrefix(line, []byte(`{"seq":`)) &&
		bytes.HasPrefix(line[n-trailerV1Len:], []byte(trailerPrefix)) && bytes.HasSuffix(line, []byte(`"}`)) &&
		decodeLowerHex(h[:], line[n-trailerV1Len+len(trailerPrefix):n-2])
}

// ParseAuditHead parses an audit log's head in the form SEQ:HASH, a
// decimal sequence number and the entry's hash as 64 lowercase hex digits
// (what AppendAuditHead writes), strictly: no sign, no leading zeros, no
// spaces, nothing after the hash. Its errors wrap ErrAuditHead.
func ParseAuditHead(s string) (seq uint64, hash [AuditHashSize]byte, err error) {
	digits, hexHash, ok := strings.Cut(s, ":")
	if !ok || digits == "" || len(digits) > 1 && digits[0] == '0' ||
		strings.ContainsFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) ||
		!decodeLowerHex(hash[:], []byte(hexHash)) {
		return 0, hash, ErrAuditHead
	}
	seq, perr := strconv.ParseUint(digits, 10, 64)
	if perr != nil {
		return 0, hash, fmt.Errorf("%w: the sequence number is out of range", ErrAuditHead)
	}
	return seq, hash, nil
}

// ErrAuditHead reports text that is not an audit log's head (see
// ParseAuditHead).
var ErrAuditHead = errors.New("encoding: an audit head is SEQ:HASH, a decimal sequence number and 64 lowercase hex digits")

// AppendAuditHead appends the head of an audit log, its last entry's
// sequence number and hash, in the form ParseAuditHead reads.
func AppendAuditHead(b []byte, seq uint64, hash [AuditHashSize]byte) []byte {
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, ':')
	return hex.AppendEncode(b, hash[:])
}

// decodeLowerHex decodes exactly len(dst) bytes from src, which must be
// lowercase hex digits only.
func decodeLowerHex(dst, src []byte) bool {
	if len(src) != 2*len(dst) {
		return false
	}
	for _, c := range src {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	_, err := hex.Decode(dst, src)
	return err == nil
}

// AuditLineReader reads the lines of an audit log, each at most
// MaxAuditLine bytes, holding at most one line and a 64 KiB buffer.
type AuditLineReader struct {
	br   *bufio.Reader
	line []byte
}

// NewAuditLineReader returns a reader of the lines of r.
func NewAuditLineReader(r io.Reader) *AuditLineReader {
	return &AuditLineReader{br: bufio.NewReaderSize(r, 64<<10)}
}

// Next returns the next line without its newline, valid until the next
// call. It returns io.EOF at a clean end, an error wrapping ErrTruncated
// for a final line without a newline (a partial write, or a file cut
// short), and one wrapping ErrTooLarge for a line longer than
// MaxAuditLine.
func (r *AuditLineReader) Next() ([]byte, error) {
	r.line = r.line[:0]
	for {
		frag, err := r.br.ReadSlice('\n')
		if len(r.line)+len(frag) > MaxAuditLine+1 {
			return nil, fmt.Errorf("%w: an audit log line longer than %d bytes", ErrTooLarge, MaxAuditLine)
		}
		r.line = append(r.line, frag...)
		switch {
		case err == nil:
			return r.line[:len(r.line)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF && len(r.line) == 0:
			return nil, io.EOF
		case err == io.EOF:
			return nil, fmt.Errorf("%w: incomplete final line (no newline; partial write or truncation)", ErrTruncated)
		default:
			return nil, err
		}
	}
}
