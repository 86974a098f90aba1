package encoding

import (
	"fmt"

	"golang.org/x/crypto/cryptobyte"
)

// Limits and sizes of message contents (PROTOCOL.md §Primitives and
// §Encoding). They are part of wire version 2: a peer that exceeds one is
// refused, whatever the two parties agreed. All sizes are in bytes except
// MaxChunkElements, a count.
const (
	// MaxChunkElements bounds the entries of one chunk body (Blinded,
	// Evaluated, Tags, Reveal, OPRFTags): 1 to 4096. Every chunk but the
	// last of a stream holds exactly this many (PROTOCOL.md §Message flow).
	MaxChunkElements = 4096
	// MaxContextSize bounds the caller-supplied context identifier, which
	// is 1 to 64 bytes on the wire.
	MaxContextSize = 64
	// MaxPayloadSize bounds the per-element payload, 0 to 512 bytes.
	MaxPayloadSize = 512
	// SealOverhead is what sealing adds to a payload: the 16-byte
	// ChaCha20-Poly1305 tag (RFC 8439; PROTOCOL.md §Primitives).
	SealOverhead = 16
	// ElementSize is the size of a canonical ristretto255 encoding
	// (RFC 9496 §4.3.2), the form of every group element on the wire.
	ElementSize = 32
	// TagSize is the size of a suite-1 element tag: the first 16 bytes of
	// D("reunite-psi-v2 tag", b·H(e)) (PROTOCOL.md §Primitives).
	TagSize = 16
	// SessionIDSize is the size of a session ID, a SHA-256 output
	// (PROTOCOL.md §Primitives), carried at the start of every chunk body.
	SessionIDSize = 32
	// NonceSize is the size of the random nonce each party puts in its
	// handshake message.
	NonceSize = 32
	// HashSize is the size of a transcript hash, a SHA-256 output
	// (PROTOCOL.md §Primitives).
	HashSize = 32
	// MaxSealedSize bounds a sealed payload: MaxPayloadSize plus
	// SealOverhead, 528 bytes.
	MaxSealedSize = MaxPayloadSize + SealOverhead
	// ProofSize is the size of a batched DLEQ proof (RFC 9497 §2.2.1):
	// two scalars c and s, 32 little-endian bytes each, c first
	// (PROTOCOL.md §Evaluation proofs).
	ProofSize = 64
	// PositionSize is the size of the tag position at the start of a
	// Reveal entry, a big-endian u32.
	PositionSize = 4
)

// Hello is the body of the initiator's handshake message (TypeHello), and
// the first part of the responder's (HelloReply). The encoding is
//
//	suite u16, mode u8, payload size u16, cap u32, set size u32,
//	context (u8 length, 1..MaxContextSize bytes), nonce (NonceSize)
//
// with integers big-endian (PROTOCOL.md §Encoding). This package checks
// only the context's length and the payload size; package psi checks the
// rest against its configuration (PROTOCOL.md §Handshake rules).
type Hello struct {
	// Suite is, in a Hello, the suites the initiator offers, bit s-1 for
	// suite s (1: suite 1 alone); in a HelloReply, the number of the suite
	// the responder chose (PROTOCOL.md §Suite negotiation).
	Suite uint16
	// Mode is the output mode's wire value: 1 both-learn, 2
	// initiator-only, 3 cardinality-only (psi.Mode; PROTOCOL.md §Parties,
	// inputs and outputs). This package does not check it.
	Mode uint8
	// PayloadSize is the size in bytes of every element's payload, the
	// same on both sides: 0 (no payloads) to MaxPayloadSize.
	PayloadSize uint16
	// MaxSetSize is the cap, in elements: in a Hello, the largest set the
	// initiator accepts from its peer; in a HelloReply, the agreed cap,
	// the smaller of both parties' caps (PROTOCOL.md §Handshake rules).
	MaxSetSize uint32
	// SetSize is the number of elements in the sender's set, m in a Hello
	// and n in a HelloReply.
	SetSize uint32
	// Context is the caller-supplied context identifier, 1 to
	// MaxContextSize bytes, which must be the same on both sides (in
	// package reunite, the rule-set ID). It is public.
	Context []byte
	// Nonce is the sender's NonceSize fresh random bytes. Both nonces are
	// hashed, with the whole handshake frames, into the session ID
	// (PROTOCOL.md §Primitives).
	Nonce [NonceSize]byte
}

// HelloSize is the size in bytes of the largest encoded Hello (one with a
// context of MaxContextSize bytes); HelloReplySize that of the largest
// HelloReply. A receiver caps a handshake frame's body by them.
const (
	HelloSize      = 2 + 1 + 2 + 4 + 4 + 1 + MaxContextSize + NonceSize
	HelloReplySize = HelloSize + ElementSize
)

func (h *Hello) check() error {
	if len(h.Context) == 0 || len(h.Context) > MaxContextSize {
		return fmt.Errorf("%w: context of %d bytes (want 1..%d)", ErrMalformed, len(h.Context), MaxContextSize)
	}
	if h.PayloadSize > MaxPayloadSize {
		return fmt.Errorf("%w: payload size %d (max %d)", ErrTooLarge, h.PayloadSize, MaxPayloadSize)
	}
	return nil
}

func (h *Hello) add(c *cryptobyte.Builder) {
	c.AddUint16(h.Suite)
	c.AddUint8(h.Mode)
	c.AddUint16(h.PayloadSize)
	c.AddUint32(h.MaxSetSize)
	c.AddUint32(h.SetSize)
	c.AddUint8LengthPrefixed(func(c *cryptobyte.Builder) { c.AddBytes(h.Context) })
	c.AddBytes(h.Nonce[:])
}

// read decodes h from the front of s. Context aliases s.
func (h *Hello) read(s *cryptobyte.String) error {
	var ctx cryptobyte.String
	var v Hello
	if !s.ReadUint16(&v.Suite) || !s.ReadUint8(&v.Mode) || !s.ReadUint16(&v.PayloadSize) ||
		!s.ReadUint32(&v.MaxSetSize) || !s.ReadUint32(&v.SetSize) ||
		!s.ReadUint8LengthPrefixed(&ctx) || !s.CopyBytes(v.Nonce[:]) {
		return fmt.Errorf("%w: hello", ErrTruncated)
	}
	v.Context = ctx
	if err := v.check(); err != nil {
		return err
	}
	*h = v
	return nil
}

// AppendBinary appends the encoding of h to b.
func (h *Hello) AppendBinary(b []byte) ([]byte, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	c := cryptobyte.NewBuilder(b)
	h.add(c)
	return c.Bytes()
}

// UnmarshalBinary decodes h from exactly b. Context aliases b.
func (h *Hello) UnmarshalBinary(b []byte) error {
	s := cryptobyte.String(b)
	if err := h.read(&s); err != nil {
		return err
	}
	if !s.Empty() {
		return fmt.Errorf("%w: %d bytes after hello", ErrTrailingData, len(s))
	}
	return nil
}

// HelloReply is the body of the responder's handshake message
// (TypeHelloReply): the responder's Hello, then its commitment to the
// secret scalar it will evaluate with (B = b·G), against which every
// Evaluated chunk's proof is checked.
//
// The encoding is the Hello encoding, then the commitment (ElementSize
// bytes) (PROTOCOL.md §Encoding, §Evaluation proofs).
type HelloReply struct {
	// Hello holds the responder's values, with Suite the chosen suite and
	// MaxSetSize the agreed cap.
	Hello
	// Commitment is the canonical encoding of B = b·G, b the responder's
	// secret scalar and G the ristretto255 generator. It is all zero in
	// suite 2, which has no proofs; package psi refuses a non-zero one
	// there and an invalid or identity element in suite 1.
	Commitment [ElementSize]byte
}

// AppendBinary appends the encoding of h to b.
func (h *HelloReply) AppendBinary(b []byte) ([]byte, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	c := cryptobyte.NewBuilder(b)
	h.add(c)
	c.AddBytes(h.Commitment[:])
	return c.Bytes()
}

// UnmarshalBinary decodes h from exactly b. Context aliases b.
func (h *HelloReply) UnmarshalBinary(b []byte) error {
	s := cryptobyte.String(b)
	var v HelloReply
	if err := v.read(&s); err != nil {
		return err
	}
	if !s.CopyBytes(v.Commitment[:]) {
		return fmt.Errorf("%w: hello reply commitment", ErrTruncated)
	}
	if !s.Empty() {
		return fmt.Errorf("%w: %d bytes after hello reply", ErrTrailingData, len(s))
	}
	*h = v
	return nil
}

// AlertCode says why a party aborted, one byte on the wire. The codes are
// listed in PROTOCOL.md §Alerts; package psi maps them to its errors. Zero is not a valid code; a code this
// version does not know is still a valid alert, so newer peers can add codes.
type AlertCode uint8

// AlertContextMismatch (2) is the alert code for a context mismatch, the
// only alert whose body carries more than its code: the sender's context,
// so that both parties can name both contexts (PROTOCOL.md §Alerts).
const AlertContextMismatch AlertCode = 2

// Alert is the body of TypeAlert: the code (u8), and for
// AlertContextMismatch the sender's context (u8 length, 1..MaxContextSize
// bytes) (PROTOCOL.md §Encoding, §Alerts).
type Alert struct {
	// Code says why the sender aborted. It is never zero; a code this
	// version does not know still decodes.
	Code AlertCode
	// Context is the sender's context, set exactly when Code is
	// AlertContextMismatch. The context is public by design (a rule-set
	// ID), so an alert may carry it in clear.
	Context []byte
}

func (a *Alert) check() error {
	switch {
	case a.Code == 0:
		return fmt.Errorf("%w: alert code 0", ErrMalformed)
	case a.Code == AlertContextMismatch && (len(a.Context) == 0 || len(a.Context) > MaxContextSize):
		return fmt.Errorf("%w: context mismatch alert with a context of %d bytes (want 1..%d)", ErrMalformed, len(a.Context), MaxContextSize)
	case a.Code != AlertContextMismatch && len(a.Context) != 0:
		return fmt.Errorf("%w: alert code %d carries a context", ErrMalformed, a.Code)
	}
	return nil
}

// AppendBinary appends the encoding of a to b.
func (a *Alert) AppendBinary(b []byte) ([]byte, error) {
	if err := a.check(); err != nil {
		return nil, err
	}
	b = append(b, byte(a.Code))
	if a.Code == AlertContextMismatch {
		b = append(b, byte(len(a.Context)))
		b = append(b, a.Context...)
	}
	return b, nil
}

// UnmarshalBinary decodes a from exactly b. Context aliases b.
func (a *Alert) UnmarshalBinary(b []byte) error {
	s := cryptobyte.String(b)
	var v Alert
	var code uint8
	if !s.ReadUint8(&code) {
		return fmt.Errorf("%w: alert", ErrTruncated)
	}
	v.Code = AlertCode(code)
	if v.Code == AlertContextMismatch {
		var ctx cryptobyte.String
		if !s.ReadUint8LengthPrefixed(&ctx) {
			return fmt.Errorf("%w: context mismatch alert", ErrTruncated)
		}
		v.Context = ctx
	}
	if !s.Empty() {
		return fmt.Errorf("%w: %d bytes after alert", ErrTrailingData, len(s))
	}
	if err := v.check(); err != nil {
		return err
	}
	*a = v
	return nil
}

// Announce is the body of TypeAnnounce. Both parties on a stream send it
// before the session, so that two parties configured for the same role
// find out at once (PROTOCOL.md §Role announcement).
type Announce struct {
	// Role is the role the sender plays, as psi.Role numbers it: 1
	// initiator, 2 responder. Other values are refused.
	Role uint8
}

// AnnounceSize is the size in bytes of an Announce body: the role byte.
const AnnounceSize = 1

// AppendBinary appends the encoding of a to b.
func (a *Announce) AppendBinary(b []byte) ([]byte, error) {
	if a.Role != 1 && a.Role != 2 {
		return nil, fmt.Errorf("%w: role %d", ErrMalformed, a.Role)
	}
	return append(b, a.Role), nil
}

// UnmarshalBinary decodes a from exactly b.
func (a *Announce) UnmarshalBinary(b []byte) error {
	switch {
	case len(b) == 0:
		return fmt.Errorf("%w: announce", ErrTruncated)
	case len(b) > AnnounceSize:
		return fmt.Errorf("%w: %d bytes after announce", ErrTrailingData, len(b)-AnnounceSize)
	case b[0] != 1 && b[0] != 2:
		return fmt.Errorf("%w: role %d", ErrMalformed, b[0])
	}
	a.Role = b[0]
	return nil
}

// readChunkHeader reads the prefix shared by every chunk body but
// MatrixChunk's, the session ID and the element count, and checks the count
// is 1..MaxChunkElements. Sizes that follow it are the caller's to read.
func readChunkHeader(s *cryptobyte.String, what string, session *[SessionIDSize]byte, count *uint32) error {
	if !s.CopyBytes(session[:]) || !s.ReadUint32(count) {
		return fmt.Errorf("%w: %s chunk header", ErrTruncated, what)
	}
	if *count == 0 || *count > MaxChunkElements {
		return fmt.Errorf("%w: %s chunk of %d elements (want 1..%d)", ErrMalformed, what, *count, MaxChunkElements)
	}
	return nil
}

// readEntries reads exactly count entries of size bytes, the rest of s.
func readEntries(s *cryptobyte.String, what string, count uint32, size int) ([]byte, error) {
	want := int(count) * size
	if len(*s) < want {
		return nil, fmt.Errorf("%w: %s chunk needs %d entry bytes, have %d", ErrTruncated, what, want, len(*s))
	}
	if len(*s) > want {
		return nil, fmt.Errorf("%w: %d bytes after %s chunk", ErrTrailingData, len(*s)-want, what)
	}
	return []byte(*s), nil
}

func checkEntries(what string, n, size int) (uint32, error) {
	if size <= 0 || n%size != 0 {
		return 0, fmt.Errorf("%w: %s entries of %d bytes are not a multiple of %d", ErrMalformed, what, n, size)
	}
	count := n / size
	if count == 0 || count > MaxChunkElements {
		return 0, fmt.Errorf("%w: %s chunk of %d elements (want 1..%d)", ErrMalformed, what, count, MaxChunkElements)
	}
	return uint32(count), nil
}

// PointChunk is the body of TypeBlinded: the session ID, a count u32 (1 to
// MaxChunkElements) and that many encoded group elements (PROTOCOL.md
// §Encoding). This package checks sizes, package psi checks the points.
// (Evaluated frames carry a proof as well: EvaluatedChunk.)
type PointChunk struct {
	// Session is the session ID; package psi refuses a chunk of another
	// session (alert 10).
	Session [SessionIDSize]byte
	// Points holds the encoded elements a·H(x_i), in the order of the
	// initiator's set, back to back, ElementSize bytes each. The count is
	// len(Points)/ElementSize and is not stored apart.
	Points []byte
}

// Len returns the number of points in c.
func (c *PointChunk) Len() int { return len(c.Points) / ElementSize }

// Point returns the i-th encoded point.
func (c *PointChunk) Point(i int) []byte { return c.Points[i*ElementSize : (i+1)*ElementSize] }

// AppendBinary appends the encoding of c to b.
func (c *PointChunk) AppendBinary(b []byte) ([]byte, error) {
	count, err := checkEntries("point", len(c.Points), ElementSize)
	if err != nil {
		return nil, err
	}
	b = append(b, c.Session[:]...)
	b = appendUint32(b, count)
	return append(b, c.Points...), nil
}

// UnmarshalBinary decodes c from exactly b. Points aliases b.
func (c *PointChunk) UnmarshalBinary(b []byte) error {
	s := cryptobyte.String(b)
	var v PointChunk
	var count uint32
	if err := readChunkHeader(&s, "point", &v.Session, &count); err != nil {
		return err
	}
	pts, err := readEntries(&s, "point", count, ElementSize)
	if err != nil {
		return err
	}
	v.Points = pts
	*c = v
	return nil
}

// EvaluatedChunk is the body of TypeEvaluated: the responder's
// evaluations of one Blinded chunk, in the same order, and a batched DLEQ
// proof (RFC 9497 §2.2) that all of them used the scalar committed to in
// HelloReply. The encoding is the session ID, a count u32 (1 to
// MaxChunkElements), the proof, then the points (PROTOCOL.md §Encoding,
// §Evaluation proofs).
type EvaluatedChunk struct {
	// Session is the session ID; package psi refuses a chunk of another
	// session (alert 10).
	Session [SessionIDSize]byte
	// Proof is the chunk's batched DLEQ proof (c ‖ s, ProofSize bytes).
	// It is all zero in cardinality-only mode, where package psi refuses a
	// non-zero one.
	Proof [ProofSize]byte
	// Points holds the encoded evaluations b·a·H(x_i), back to back,
	// ElementSize bytes each (shuffled in cardinality-only mode).
	Points []byte
}

// Len returns the number of points in c.
func (c *EvaluatedChunk) Len() int { return len(c.Points) / ElementSize }

// AppendBinary appends the encoding of c to b.
func (c *EvaluatedChunk) AppendBinary(b []byte) ([]byte, error) {
	count, err := checkEntries("evaluated", len(c.Points), ElementSize)
	if err != nil {
		return nil, err
	}
	b = append(b, c.Session[:]...)
	b = appendUint32(b, count)
	b = append(b, c.Proof[:]...)
	return append(b, c.Points...), nil
}

// UnmarshalBinary decodes c from exactly b. Points aliases b.
func (c *EvaluatedChunk) UnmarshalBinary(b []byte) error {
	s := cryptobyte.String(b)
	var v EvaluatedChunk
	var count uint32
	if err := readChunkHeader(&s, "evaluated", &v.Session, &count); err != nil {
		return err
	}
	if !s.CopyBytes(v.Proof[:]) {
		return fmt.Errorf("%w: evaluated chunk proof", ErrTruncated)
	}
	pts, err := readEntries(&s, "evaluated", count, ElementSize)
	if err != nil {
		return err
	}
	v.Points = pts
	*c = v
	return nil
}

// SealedChunk is the body of TypeTags and TypeReveal: the session ID, a
// count u32 (1 to MaxChunkElements), the prefix size u8, the sealed size
// u16, then per entry a PrefixSize-byte prefix followed by SealedSize bytes
// (PROTOCOL.md §Encoding).
//
// In Tags the prefix is an element tag (TagSize bytes) and the rest the
// payload sealed to the initiator, or nothing when the session carries no
// payloads. In Reveal the prefix starts with the PositionSize-byte
// big-endian position of the responder's tag the initiator matched; the
// rest is the initiator's payload sealed under a key only a holder of the
// element can derive (SealOverhead bytes or more), except in suite 2
// without payloads, where the prefix is the position and a 5-byte proof
// (9 bytes) and SealedSize is 0 (PROTOCOL.md §Suite 2, §Messages).
// Package psi checks both sizes against the session.
type SealedChunk struct {
	// Session is the session ID; package psi refuses a chunk of another
	// session (alert 10).
	Session [SessionIDSize]byte
	// PrefixSize is the size in bytes of each entry's prefix, 1 to
	// MaxPrefixSize: TagSize in Tags, PositionSize in Reveal (9 in suite 2
	// without payloads).
	PrefixSize uint8
	// SealedSize is the size in bytes of each entry's sealed payload: 0,
	// or SealOverhead to MaxSealedSize (the payload size plus
	// SealOverhead).
	SealedSize uint16
	// Entries holds the entries back to back, EntrySize bytes each; the
	// count is len(Entries)/EntrySize and is not stored apart.
	Entries []byte
}

// Sizes a SealedChunk may declare.
const (
	// MaxPrefixSize bounds SealedChunk.PrefixSize, in bytes.
	MaxPrefixSize = 32
)

// EntrySize returns the size of one entry of c.
func (c *SealedChunk) EntrySize() int { return int(c.PrefixSize) + int(c.SealedSize) }

// Len returns the number of entries in c.
func (c *SealedChunk) Len() int { return len(c.Entries) / c.EntrySize() }

// Entry returns the prefix and sealed payload of the i-th entry.
func (c *SealedChunk) Entry(i int) (prefix, sealed []byte) {
	e := c.Entries[i*c.EntrySize() : (i+1)*c.EntrySize()]
	return e[:c.PrefixSize], e[c.PrefixSize:]
}

func (c *SealedChunk) checkSizes() error {
	if c.PrefixSize == 0 || c.PrefixSize > MaxPrefixSize {
		return fmt.Errorf("%w: sealed chunk prefix of %d bytes (want 1..%d)", ErrMalformed, c.PrefixSize, MaxPrefixSize)
	}
	if c.SealedSize > MaxSealedSize || (c.SealedSize != 0 && c.SealedSize < SealOverhead) {
		return fmt.Errorf("%w: sealed chunk seals of %d bytes", ErrMalformed, c.SealedSize)
	}
	return nil
}

// AppendBinary appends the encoding of c to b.
func (c *SealedChunk) AppendBinary(b []byte) ([]byte, error) {
	if err := c.checkSizes(); err != nil {
		return nil, err
	}
	count, err := checkEntries("sealed", len(c.Entries), c.EntrySize())
	if err != nil {
		return nil, err
	}
	b = append(b, c.Session[:]...)
	b = appendUint32(b, count)
	b = append(b, c.PrefixSize)
	b = appendUint16(b, c.SealedSize)
	return append(b, c.Entries...), nil
}

// UnmarshalBinary decodes c from exactly b. Entries aliases b.
func (c *SealedChunk) UnmarshalBinary(b []byte) error {
	s := cryptobyte.String(b)
	var v SealedChunk
	var count uint32
	if err := readChunkHeader(&s, "sealed", &v.Session, &count); err != nil {
		return err
	}
	if !s.ReadUint8(&v.PrefixSize) || !s.ReadUint16(&v.SealedSize) {
		return fmt.Errorf("%w: sealed chunk header", ErrTruncated)
	}
	if err := v.checkSizes(); err != nil {
		return err
	}
	entries, err := readEntries(&s, "sealed", count, v.EntrySize())
	if err != nil {
		return err
	}
	v.Entries = entries
	*c = v
	return nil
}

// Body sizes in bytes, for a receiver that caps each frame by what it
// expects next (psi.Session.MaxBody; PROTOCOL.md §Encoding).
const (
	chunkHeaderSize = SessionIDSize + 4
	// FinishSize is the size of a Finish body: 68 bytes.
	FinishSize = SessionIDSize + 4 + HashSize
	// AlertSize is the size of the largest Alert body (a context mismatch
	// alert with a context of MaxContextSize bytes).
	AlertSize = 1 + 1 + MaxContextSize
)

// PointChunkSize returns the size in bytes of a PointChunk body of count
// points.
func PointChunkSize(count int) int { return chunkHeaderSize + count*ElementSize }

// EvaluatedChunkSize returns the size in bytes of an EvaluatedChunk body
// of count points.
func EvaluatedChunkSize(count int) int { return chunkHeaderSize + ProofSize + count*ElementSize }

// SealedChunkSize returns the size in bytes of a SealedChunk body of count
// entries with the given prefix and seal sizes (in bytes).
func SealedChunkSize(count, prefix, sealed int) int {
	return chunkHeaderSize + 3 + count*(prefix+sealed)
}

// Finish is the body of TypeFinish, the last message of each party in
// every session: the session ID, a count u32 and the transcript hash
// (FinishSize bytes; PROTOCOL.md §Encoding, §Message flow).
type Finish struct {
	// Session is the session ID; package psi refuses another session's.
	Session [SessionIDSize]byte
	// RevealCount is the number of matches revealed: in the initiator's
	// Finish the Reveal entries it sent, in the responder's the matches
	// it took from them; 0 outside both-learn mode. The receiver refuses a
	// count other than its own.
	RevealCount uint32
	// Transcript is the SHA-256 transcript hash of every session frame
	// before this one, which the receiver checks against its own (alert
	// 12; PROTOCOL.md §Primitives).
	Transcript [HashSize]byte
}

// AppendBinary appends the encoding of f to b.
func (f *Finish) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, f.Session[:]...)
	b = appendUint32(b, f.RevealCount)
	return append(b, f.Transcript[:]...), nil
}

// UnmarshalBinary decodes f from exactly b.
func (f *Finish) UnmarshalBinary(b []byte) error {
	s := cryptobyte.String(b)
	var v Finish
	if !s.CopyBytes(v.Session[:]) || !s.ReadUint32(&v.RevealCount) || !s.CopyBytes(v.Transcript[:]) {
		return fmt.Errorf("%w: finish", ErrTruncated)
	}
	if !s.Empty() {
		return fmt.Errorf("%w: %d bytes after finish", ErrTrailingData, len(s))
	}
	*f = v
	return nil
}

func appendUint32(b []byte, v uint32) []byte {
	return append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

func appendUint16(b []byte, v uint16) []byte {
	return append(b, byte(v>>8), byte(v))
}
