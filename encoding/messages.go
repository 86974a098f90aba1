package encoding

import (
	"fmt"

	"golang.org/x/crypto/cryptobyte"
)

// Limits on message contents. They are part of wire version 1: a peer that
// exceeds one is refused, whatever the two parties agreed.
const (
	// MaxChunkElements bounds the elements in one chunk frame.
	MaxChunkElements = 4096
	// MaxContextSize bounds the caller-supplied context identifier.
	MaxContextSize = 64
	// MaxPayloadSize bounds the per-element payload.
	MaxPayloadSize = 512
	// SealOverhead is the authentication overhead of a sealed payload.
	SealOverhead = 16
	// ElementSize is the size of an encoded group element.
	ElementSize = 32
	// TagSize is the size of an element tag.
	TagSize = 16
	// SessionIDSize is the size of a session ID.
	SessionIDSize = 32
	// NonceSize is the size of a handshake nonce.
	NonceSize = 32
	// HashSize is the size of a transcript hash.
	HashSize = 32
	// MaxSealedSize bounds a sealed payload.
	MaxSealedSize = MaxPayloadSize + SealOverhead
	// ProofSize is the size of a batched DLEQ proof (RFC 9497 §2.2.1):
	// two scalars.
	ProofSize = 64
	// PositionSize is the size of an element position in a reveal entry.
	PositionSize = 4
)

// Hello is the body of both handshake messages: the initiator's proposal
// (TypeHello) and the responder's answer (TypeHelloReply).
type Hello struct {
	Suite       uint16 // protocol suite; see package psi
	Mode        uint8  // output mode; see package psi
	PayloadSize uint16 // bytes of payload per element, at most MaxPayloadSize
	MaxSetSize  uint32 // largest set the sender accepts from its peer
	SetSize     uint32 // number of elements the sender will send
	Context     []byte // caller-supplied context identifier, 1..MaxContextSize bytes
	Nonce       [NonceSize]byte
}

// AppendBinary appends the encoding of h to b.
func (h *Hello) AppendBinary(b []byte) ([]byte, error) {
	if len(h.Context) == 0 || len(h.Context) > MaxContextSize {
		return nil, fmt.Errorf("%w: context of %d bytes (want 1..%d)", ErrMalformed, len(h.Context), MaxContextSize)
	}
	if h.PayloadSize > MaxPayloadSize {
		return nil, fmt.Errorf("%w: payload size %d (max %d)", ErrTooLarge, h.PayloadSize, MaxPayloadSize)
	}
	c := cryptobyte.NewBuilder(b)
	c.AddUint16(h.Suite)
	c.AddUint8(h.Mode)
	c.AddUint16(h.PayloadSize)
	c.AddUint32(h.MaxSetSize)
	c.AddUint32(h.SetSize)
	c.AddUint8LengthPrefixed(func(c *cryptobyte.Builder) { c.AddBytes(h.Context) })
	c.AddBytes(h.Nonce[:])
	return c.Bytes()
}

// UnmarshalBinary decodes h from exactly b. Context aliases b.
func (h *Hello) UnmarshalBinary(b []byte) error {
	s := cryptobyte.String(b)
	var ctx cryptobyte.String
	var v Hello
	if !s.ReadUint16(&v.Suite) || !s.ReadUint8(&v.Mode) || !s.ReadUint16(&v.PayloadSize) ||
		!s.ReadUint32(&v.MaxSetSize) || !s.ReadUint32(&v.SetSize) ||
		!s.ReadUint8LengthPrefixed(&ctx) || !s.CopyBytes(v.Nonce[:]) {
		return fmt.Errorf("%w: hello", ErrTruncated)
	}
	if !s.Empty() {
		return fmt.Errorf("%w: %d bytes after hello", ErrTrailingData, len(s))
	}
	if len(ctx) == 0 || len(ctx) > MaxContextSize {
		return fmt.Errorf("%w: hello context of %d bytes (want 1..%d)", ErrMalformed, len(ctx), MaxContextSize)
	}
	if v.PayloadSize > MaxPayloadSize {
		return fmt.Errorf("%w: hello payload size %d (max %d)", ErrTooLarge, v.PayloadSize, MaxPayloadSize)
	}
	v.Context = ctx
	*h = v
	return nil
}

// AlertCode says why a party aborted. The codes are listed in PROTOCOL.md;
// package psi maps them to its errors. Zero is not a valid code; a code this
// version does not know is still a valid alert, so newer peers can add codes.
type AlertCode uint8

// Alert is the body of TypeAlert.
type Alert struct {
	Code AlertCode
}

// AppendBinary appends the encoding of a to b.
func (a *Alert) AppendBinary(b []byte) ([]byte, error) {
	if a.Code == 0 {
		return nil, fmt.Errorf("%w: alert code 0", ErrMalformed)
	}
	return append(b, byte(a.Code)), nil
}

// UnmarshalBinary decodes a from exactly b.
func (a *Alert) UnmarshalBinary(b []byte) error {
	switch {
	case len(b) == 0:
		return fmt.Errorf("%w: alert", ErrTruncated)
	case len(b) > 1:
		return fmt.Errorf("%w: %d bytes after alert", ErrTrailingData, len(b)-1)
	case b[0] == 0:
		return fmt.Errorf("%w: alert code 0", ErrMalformed)
	}
	a.Code = AlertCode(b[0])
	return nil
}

// chunkHeader is the prefix shared by every chunk body: the session ID, the
// element count, and the per-entry size where entries are variable.
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

// PointChunk is the body of TypeBlinded and TypeEvaluated: consecutive
// encoded group elements. Points holds them back to back, ElementSize bytes
// each; the encoding layer checks sizes, package psi checks the points.
type PointChunk struct {
	Session [SessionIDSize]byte
	Points  []byte
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

// TagChunk is the body of TypeTags: per element, a TagSize-byte tag followed
// by SealedSize bytes of sealed payload (SealedSize is 0 when the session
// carries no payloads).
type TagChunk struct {
	Session    [SessionIDSize]byte
	SealedSize uint16
	Entries    []byte
}

// EntrySize returns the size of one entry of c.
func (c *TagChunk) EntrySize() int { return TagSize + int(c.SealedSize) }

// Len returns the number of entries in c.
func (c *TagChunk) Len() int { return len(c.Entries) / c.EntrySize() }

// Entry returns the tag and sealed payload of the i-th entry.
func (c *TagChunk) Entry(i int) (tag, sealed []byte) {
	e := c.Entries[i*c.EntrySize() : (i+1)*c.EntrySize()]
	return e[:TagSize], e[TagSize:]
}

// AppendBinary appends the encoding of c to b.
func (c *TagChunk) AppendBinary(b []byte) ([]byte, error) {
	if c.SealedSize > MaxSealedSize {
		return nil, fmt.Errorf("%w: sealed size %d (max %d)", ErrTooLarge, c.SealedSize, MaxSealedSize)
	}
	count, err := checkEntries("tag", len(c.Entries), c.EntrySize())
	if err != nil {
		return nil, err
	}
	b = append(b, c.Session[:]...)
	b = appendUint32(b, count)
	b = appendUint16(b, c.SealedSize)
	return append(b, c.Entries...), nil
}

// UnmarshalBinary decodes c from exactly b. Entries aliases b.
func (c *TagChunk) UnmarshalBinary(b []byte) error {
	s := cryptobyte.String(b)
	var v TagChunk
	var count uint32
	if err := readChunkHeader(&s, "tag", &v.Session, &count); err != nil {
		return err
	}
	if !s.ReadUint16(&v.SealedSize) {
		return fmt.Errorf("%w: tag chunk header", ErrTruncated)
	}
	if v.SealedSize > MaxSealedSize || (v.SealedSize != 0 && v.SealedSize < SealOverhead) {
		return fmt.Errorf("%w: tag chunk sealed size %d", ErrMalformed, v.SealedSize)
	}
	entries, err := readEntries(&s, "tag", count, v.EntrySize())
	if err != nil {
		return err
	}
	v.Entries = entries
	*c = v
	return nil
}

// RevealChunk is the body of TypeReveal: per revealed match, the 4-byte
// big-endian position of the responder's tag it matched, followed by
// SealedSize bytes of sealed payload (always at least SealOverhead: the seal
// proves the initiator holds the matching element).
type RevealChunk struct {
	Session    [SessionIDSize]byte
	SealedSize uint16
	Entries    []byte
}

// EntrySize returns the size of one entry of c.
func (c *RevealChunk) EntrySize() int { return PositionSize + int(c.SealedSize) }

// Len returns the number of entries in c.
func (c *RevealChunk) Len() int { return len(c.Entries) / c.EntrySize() }

// Entry returns the position and sealed payload of the i-th entry.
func (c *RevealChunk) Entry(i int) (position uint32, sealed []byte) {
	e := c.Entries[i*c.EntrySize() : (i+1)*c.EntrySize()]
	return uint32(e[0])<<24 | uint32(e[1])<<16 | uint32(e[2])<<8 | uint32(e[3]), e[PositionSize:]
}

// AppendBinary appends the encoding of c to b.
func (c *RevealChunk) AppendBinary(b []byte) ([]byte, error) {
	if c.SealedSize < SealOverhead || c.SealedSize > MaxSealedSize {
		return nil, fmt.Errorf("%w: reveal sealed size %d", ErrMalformed, c.SealedSize)
	}
	count, err := checkEntries("reveal", len(c.Entries), c.EntrySize())
	if err != nil {
		return nil, err
	}
	b = append(b, c.Session[:]...)
	b = appendUint32(b, count)
	b = appendUint16(b, c.SealedSize)
	return append(b, c.Entries...), nil
}

// UnmarshalBinary decodes c from exactly b. Entries aliases b.
func (c *RevealChunk) UnmarshalBinary(b []byte) error {
	s := cryptobyte.String(b)
	var v RevealChunk
	var count uint32
	if err := readChunkHeader(&s, "reveal", &v.Session, &count); err != nil {
		return err
	}
	if !s.ReadUint16(&v.SealedSize) {
		return fmt.Errorf("%w: reveal chunk header", ErrTruncated)
	}
	if v.SealedSize < SealOverhead || v.SealedSize > MaxSealedSize {
		return fmt.Errorf("%w: reveal sealed size %d", ErrMalformed, v.SealedSize)
	}
	entries, err := readEntries(&s, "reveal", count, v.EntrySize())
	if err != nil {
		return err
	}
	v.Entries = entries
	*c = v
	return nil
}

// Finish is the body of TypeFinish, the last message of every session: the
// number of reveal entries sent and the hash of the transcript up to this
// frame, which the receiver checks against its own.
type Finish struct {
	Session     [SessionIDSize]byte
	RevealCount uint32
	Transcript  [HashSize]byte
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
