package encoding

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"

	"golang.org/x/crypto/cryptobyte"
)

// ExchangeStateVersion is the version of the offline exchange state-file
// format this package reads and writes, the byte after the magic "RNTX"
// (PROTOCOL.md §State between turns). Version 4 adds, after the peer's
// size, what the exchange charged the peer's budget; version 3 had
// version 2's layout, with a pending message file of message-file version
// 3 and a session bound with the v3 labels, so a version-2 state cannot go
// on. A version-3 state is refused too: it does not say whether its
// exchange was charged.
const ExchangeStateVersion = 4

// MaxFailureSize bounds the failure text of a failed exchange's state, in
// bytes (4096).
const MaxFailureSize = 1 << 12

// OfflineKeySize is the size of every public key an exchange state holds:
// Ed25519 signing keys (RFC 8032) and X25519 encryption keys (RFC 7748).
const OfflineKeySize = 32

const exchangeStateMagic = "RNTX"

// ExchangeState is the state file of one party's side of an offline
// exchange, as the root package's FileExchange saves it between turns
// (PROTOCOL.md §State between turns).
// This package lays the fields out and refuses bytes that are not laid
// out exactly right; the root package checks what they mean. The encoding
// is
//
//	magic "RNTX", ExchangeStateVersion, role u8, status u8, have ID u8,
//	exchange ID (ExchangeIDSize), next message number u32,
//	own signing key, peer signing key, own encryption key, peer encryption
//	key (OfflineKeySize each), start time (Unix nanoseconds) u64,
//	peer size known u8, peer size u32, budget charged u32,
//	outgoing message file (u32 length),
//	failure text (u16 length, at most MaxFailureSize), pseudonym count u32
//	and pseudonyms (u32 each, distinct), session state (u32 length),
//	and last the SHA-256 of everything before it.
//
// It holds secrets (the session state); see the root package's SaveState.
type ExchangeState struct {
	// Role is the party's role as psi.Role numbers it (1 initiator, 2
	// responder); Status is 1 for an active exchange, 2 for a failed one.
	// The root package checks both.
	Role, Status uint8
	// HaveID reports whether Exchange is set (a u8, 0 or 1): false only
	// for a responder before message 0.
	HaveID bool
	// Exchange is the exchange ID, zero while HaveID is false.
	Exchange [ExchangeIDSize]byte
	// Next is the number of the next message to read.
	Next uint32
	// OwnSigningKey is this agency's Ed25519 public key. The root package
	// refuses to continue the exchange with other keys than these four.
	OwnSigningKey [OfflineKeySize]byte
	// PeerSigningKey is the peer's pinned Ed25519 public key.
	PeerSigningKey [OfflineKeySize]byte
	// OwnEncryptionKey is this agency's X25519 public key.
	OwnEncryptionKey [OfflineKeySize]byte
	// PeerEncryptionKey is the peer's pinned X25519 public key.
	PeerEncryptionKey [OfflineKeySize]byte
	// Started is when the exchange started, in Unix nanoseconds, for the
	// audit record's Time.
	Started int64
	// PeerSizeKnown reports whether the peer's handshake has arrived (a
	// u8, 0 or 1).
	PeerSizeKnown bool
	// PeerSize is the set size the peer's handshake declared, 0 until it
	// arrived; the root package uses it for padding and the audit record.
	PeerSize uint32
	// Charged is what the exchange has charged the peer's budget so far
	// (the root package's BudgetStore), 0 when it charged nothing; the
	// root package puts it in the audit record.
	Charged uint32
	// Outgoing is the pending outgoing message file, header and
	// ciphertext, this party's message just before Next; empty if none.
	Outgoing []byte
	// Failure is why a failed exchange failed, at most MaxFailureSize
	// bytes; empty while active.
	Failure string
	// Pseudonyms are the records' per-session pseudonyms, distinct, in
	// record order; none if failed.
	Pseudonyms []uint32
	// Session is the PSI session state (SessionState's encoding, from
	// psi.Session.MarshalState); empty if failed.
	Session []byte
}

func boolByte(v bool) uint8 {
	if v {
		return 1
	}
	return 0
}

// AppendBinary appends the encoding of st, checksum included, to b.
func (st *ExchangeState) AppendBinary(b []byte) ([]byte, error) {
	if len(st.Failure) > MaxFailureSize {
		return nil, fmt.Errorf("%w: exchange state failure text of %d bytes", ErrTooLarge, len(st.Failure))
	}
	start := len(b)
	c := cryptobyte.NewBuilder(b)
	c.AddBytes([]byte(exchangeStateMagic))
	c.AddUint8(ExchangeStateVersion)
	c.AddUint8(st.Role)
	c.AddUint8(st.Status)
	c.AddUint8(boolByte(st.HaveID))
	c.AddBytes(st.Exchange[:])
	c.AddUint32(st.Next)
	c.AddBytes(st.OwnSigningKey[:])
	c.AddBytes(st.PeerSigningKey[:])
	c.AddBytes(st.OwnEncryptionKey[:])
	c.AddBytes(st.PeerEncryptionKey[:])
	c.AddUint64(uint64(st.Started))
	c.AddUint8(boolByte(st.PeerSizeKnown))
	c.AddUint32(st.PeerSize)
	c.AddUint32(st.Charged)
	addBytes32(c, st.Outgoing)
	c.AddUint16LengthPrefixed(func(c *cryptobyte.Builder) { c.AddBytes([]byte(st.Failure)) })
	c.AddUint32(uint32(len(st.Pseudonyms)))
	for _, p := range st.Pseudonyms {
		c.AddUint32(p)
	}
	addBytes32(c, st.Session)
	out, err := c.Bytes()
	if err != nil {
		return nil, fmt.Errorf("%w: exchange state: %w", ErrMalformed, err)
	}
	sum := sha256.Sum256(out[start:])
	return append(out, sum[:]...), nil
}

// readBool reads a u8 that must be 0 or 1.
func readBool(s *cryptobyte.String, out *bool) bool {
	var v uint8
	if !s.ReadUint8(&v) || v > 1 {
		return false
	}
	*out = v == 1
	return true
}

// UnmarshalBinary decodes st from exactly b. It checks the magic, the
// version and the checksum before anything else; every count is checked
// against the bytes that remain before anything is allocated. The byte
// slices in st are copies, not aliases of b.
func (st *ExchangeState) UnmarshalBinary(b []byte) error {
	body, err := openChecksummed(b, exchangeStateMagic, ExchangeStateVersion, "exchange state")
	if err != nil {
		return err
	}
	s := cryptobyte.String(body)
	var v ExchangeState
	var started uint64
	var failure cryptobyte.String
	var nPseudonyms uint32
	if !s.ReadUint8(&v.Role) || !s.ReadUint8(&v.Status) || !readBool(&s, &v.HaveID) ||
		!s.CopyBytes(v.Exchange[:]) || !s.ReadUint32(&v.Next) ||
		!s.CopyBytes(v.OwnSigningKey[:]) || !s.CopyBytes(v.PeerSigningKey[:]) ||
		!s.CopyBytes(v.OwnEncryptionKey[:]) || !s.CopyBytes(v.PeerEncryptionKey[:]) ||
		!s.ReadUint64(&started) || !readBool(&s, &v.PeerSizeKnown) || !s.ReadUint32(&v.PeerSize) ||
		!s.ReadUint32(&v.Charged) || !readBytes32(&s, &v.Outgoing) || !s.ReadUint16LengthPrefixed(&failure) ||
		!s.ReadUint32(&nPseudonyms) {
		return fmt.Errorf("%w: exchange state header", ErrTruncated)
	}
	if len(failure) > MaxFailureSize {
		return fmt.Errorf("%w: exchange state failure text of %d bytes", ErrTooLarge, len(failure))
	}
	v.Started, v.Failure = int64(started), string(failure)
	if uint64(nPseudonyms)*4 > uint64(len(s)) {
		return fmt.Errorf("%w: exchange state pseudonyms", ErrTruncated)
	}
	if nPseudonyms > 0 {
		v.Pseudonyms = make([]uint32, nPseudonyms)
		seen := make(map[uint32]struct{}, nPseudonyms)
		for i := range v.Pseudonyms {
			s.ReadUint32(&v.Pseudonyms[i]) // the count was checked against the bytes left
			if _, dup := seen[v.Pseudonyms[i]]; dup {
				return fmt.Errorf("%w: exchange state pseudonyms repeat", ErrMalformed)
			}
			seen[v.Pseudonyms[i]] = struct{}{}
		}
	}
	if !readBytes32(&s, &v.Session) {
		return fmt.Errorf("%w: exchange state session", ErrTruncated)
	}
	if !s.Empty() {
		return fmt.Errorf("%w: %d bytes after the exchange state", ErrTrailingData, len(s))
	}
	*st = v
	return nil
}

// exchangeStateOutgoingAt is where the outgoing message file's u32 length
// starts in an exchange state: after the magic, the version, role, status,
// have ID, the exchange ID, the next message number, the four keys, the
// start time, peer size known, the peer size and the budget charged.
const exchangeStateOutgoingAt = len(exchangeStateMagic) + 1 + 3 + ExchangeIDSize + 4 + 4*OfflineKeySize + 8 + 1 + 4 + 4

// ExchangeStateOutgoing returns a reader of the outgoing message file
// that the exchange state in r, of size bytes, holds, without holding the
// state in memory: it checks the magic, the version and the checksum of
// the whole state a block at a time, then where the message file lies and
// its clear header (as ParseOfflineFile does), and returns the section of
// r that holds it, empty when the state holds none. The rest of the state
// is not decoded: UnmarshalBinary does that.
func ExchangeStateOutgoing(r io.ReaderAt, size int64) (*io.SectionReader, error) {
	const what = "exchange state"
	var head [exchangeStateOutgoingAt + 4]byte
	if size < int64(len(head))+sha256.Size {
		return nil, fmt.Errorf("%w: %s of %d bytes", ErrTruncated, what, size)
	}
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return nil, err
	}
	if err := checkMagic(head[:], exchangeStateMagic, ExchangeStateVersion, what); err != nil {
		return nil, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(r, 0, size-sha256.Size)); err != nil {
		return nil, err
	}
	var sum [sha256.Size]byte
	if _, err := r.ReadAt(sum[:], size-sha256.Size); err != nil {
		return nil, err
	}
	if !bytes.Equal(h.Sum(nil), sum[:]) {
		return nil, fmt.Errorf("%w: %s checksum does not match (truncated or altered)", ErrMalformed, what)
	}
	n := int64(binary.BigEndian.Uint32(head[exchangeStateOutgoingAt:]))
	start := int64(len(head))
	if start+n > size-sha256.Size {
		return nil, fmt.Errorf("%w: %s outgoing message file", ErrTruncated, what)
	}
	out := io.NewSectionReader(r, start, n)
	if n == 0 {
		return out, nil
	}
	var hb [OfflineHeaderSize]byte
	if _, err := out.ReadAt(hb[:], 0); err != nil {
		return nil, fmt.Errorf("%w: %s outgoing message file header", ErrTruncated, what)
	}
	var oh OfflineHeader
	if err := oh.UnmarshalBinary(hb[:]); err != nil {
		return nil, err
	}
	if oh.Length != uint64(n)-OfflineHeaderSize {
		return nil, fmt.Errorf("%w: %s outgoing message file of %d bytes declares %d", ErrMalformed, what, n, oh.Length)
	}
	return out, nil
}
