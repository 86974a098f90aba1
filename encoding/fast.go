package encoding

import (
	"fmt"

	"golang.org/x/crypto/cryptobyte"
)

// Bodies of suite 2, the OT-extension suite (package psi, PROTOCOL.md
// §Suite 2). Their sizes are fixed by the handshake; these decoders check
// the layout and the ranges of every declared size, package psi checks
// each against the session.

// Sizes of suite 2 (PROTOCOL.md §Suite 2, §Roles and parameters), in
// bytes unless they say otherwise.
const (
	// OTCount is the number of base OTs, and the width in bits of a
	// matrix row and of the pseudorandom code.
	OTCount = 448
	// RowSize is the size of one row of the OT-extension matrix: 56
	// bytes, 7 little-endian u64 words.
	RowSize = OTCount / 8
	// PRCKeySize is the size of the pseudorandom code's AES-128 key κ.
	PRCKeySize = 16
	// OTSetupSize is the size of an OTSetup body.
	OTSetupSize = SessionIDSize + ElementSize
	// OTReplySize is the size of an OTReply body.
	OTReplySize = SessionIDSize + PRCKeySize + OTCount*ElementSize
	// MaxMatrixRows bounds the rows of one Matrix chunk; the count is a
	// multiple of 64, from 64 to 8192.
	MaxMatrixRows = 8192
	// MinTagsPerElement and MaxTagsPerElement bound the count of tags per
	// sender element, 3 + s: three hash functions plus a stash of s ≤ 8
	// slots.
	MinTagsPerElement, MaxTagsPerElement = 3, 11
	// MinTagLength and MaxTagLength bound the length ℓ of an OPRF tag in
	// bytes. The protocol uses 8 to 11; the format admits up to 16.
	MinTagLength, MaxTagLength = 8, 16
	// KeyWrapSize is the size of one key wrap in an OPRFTags chunk: a
	// 16-byte payload key XORed with a pad derived from one slot's secret.
	KeyWrapSize = 16
)

// OTSetup is the body of TypeOTSetup: the session ID and the initiator's
// base-OT element A (OTSetupSize bytes; PROTOCOL.md §Encoding, §Suite 2).
type OTSetup struct {
	// Session is the session ID; package psi refuses another session's.
	Session [SessionIDSize]byte
	// Point is the canonical encoding of A = a·G, a the initiator's
	// base-OT secret. Package psi refuses a non-canonical or identity
	// encoding (alert 7).
	Point [ElementSize]byte
}

// AppendBinary appends the encoding of m to b.
func (m *OTSetup) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, m.Session[:]...)
	return append(b, m.Point[:]...), nil
}

// UnmarshalBinary decodes m from exactly b.
func (m *OTSetup) UnmarshalBinary(b []byte) error {
	var v OTSetup
	if err := decodeExactly(b, "OT setup", func(s *cryptobyte.String) bool {
		return s.CopyBytes(v.Session[:]) && s.CopyBytes(v.Point[:])
	}); err != nil {
		return err
	}
	*m = v
	return nil
}

// decodeExactly runs read over b, which must consume b exactly.
func decodeExactly(b []byte, what string, read func(*cryptobyte.String) bool) error {
	s := cryptobyte.String(b)
	if !read(&s) {
		return fmt.Errorf("%w: %s", ErrTruncated, what)
	}
	if !s.Empty() {
		return fmt.Errorf("%w: %d bytes after %s", ErrTrailingData, len(s), what)
	}
	return nil
}

// OTReply is the body of TypeOTReply: the session ID, the responder's
// pseudorandom-code key and its OTCount base-OT elements (OTReplySize
// bytes; PROTOCOL.md §Encoding, §Suite 2).
type OTReply struct {
	// Session is the session ID; package psi refuses another session's.
	Session [SessionIDSize]byte
	// PRCKey is the code key κ, the AES-128 key of the pseudorandom code
	// C the initiator applies to its elements.
	PRCKey [PRCKeySize]byte
	// Points holds B_0 … B_447, B_i = b_i·G + s_i·A, back to back:
	// exactly OTCount × ElementSize bytes. Package psi checks each is
	// canonical and not the identity (alert 7).
	Points []byte
}

// AppendBinary appends the encoding of m to b.
func (m *OTReply) AppendBinary(b []byte) ([]byte, error) {
	if len(m.Points) != OTCount*ElementSize {
		return nil, fmt.Errorf("%w: OT reply with %d bytes of points (want %d)", ErrMalformed, len(m.Points), OTCount*ElementSize)
	}
	b = append(b, m.Session[:]...)
	b = append(b, m.PRCKey[:]...)
	return append(b, m.Points...), nil
}

// UnmarshalBinary decodes m from exactly b. Points aliases b.
func (m *OTReply) UnmarshalBinary(b []byte) error {
	var v OTReply
	if err := decodeExactly(b, "OT reply", func(s *cryptobyte.String) bool {
		return s.CopyBytes(v.Session[:]) && s.CopyBytes(v.PRCKey[:]) && s.ReadBytes(&v.Points, OTCount*ElementSize)
	}); err != nil {
		return err
	}
	*m = v
	return nil
}

// MatrixChunk is the body of TypeMatrix: the session ID, a row count u32
// (a multiple of 64, 64 to MaxMatrixRows) and that many consecutive rows
// of the OT-extension matrix (PROTOCOL.md §Encoding, §Suite 2).
type MatrixChunk struct {
	// Session is the session ID; package psi refuses another session's.
	Session [SessionIDSize]byte
	// Rows holds the initiator's rows u_j = t_j ⊕ t'_j ⊕ C(x̂_j) back to
	// back, RowSize bytes each; the count is len(Rows)/RowSize.
	Rows []byte
}

// Len returns the number of rows in m.
func (m *MatrixChunk) Len() int { return len(m.Rows) / RowSize }

func checkRows(rows uint32) error {
	if rows == 0 || rows > MaxMatrixRows || rows%64 != 0 {
		return fmt.Errorf("%w: matrix chunk of %d rows (want a multiple of 64 up to %d)", ErrMalformed, rows, MaxMatrixRows)
	}
	return nil
}

// AppendBinary appends the encoding of m to b.
func (m *MatrixChunk) AppendBinary(b []byte) ([]byte, error) {
	if len(m.Rows)%RowSize != 0 {
		return nil, fmt.Errorf("%w: matrix rows of %d bytes", ErrMalformed, len(m.Rows))
	}
	b, err := AppendMatrixHeader(b, &m.Session, len(m.Rows)/RowSize)
	if err != nil {
		return nil, err
	}
	return append(b, m.Rows...), nil
}

// AppendMatrixHeader appends the header of a MatrixChunk body of rows
// rows to b; the caller appends the rows (RowSize bytes each) after it.
// It lets a producer write the rows straight into the body.
func AppendMatrixHeader(b []byte, session *[SessionIDSize]byte, rows int) ([]byte, error) {
	if rows < 0 || rows > MaxMatrixRows {
		return nil, fmt.Errorf("%w: matrix chunk of %d rows", ErrMalformed, rows)
	}
	if err := checkRows(uint32(rows)); err != nil {
		return nil, err
	}
	b = append(b, session[:]...)
	return appendUint32(b, uint32(rows)), nil
}

// UnmarshalBinary decodes m from exactly b. Rows aliases b.
func (m *MatrixChunk) UnmarshalBinary(b []byte) error {
	s := cryptobyte.String(b)
	var v MatrixChunk
	var rows uint32
	if !s.CopyBytes(v.Session[:]) || !s.ReadUint32(&rows) {
		return fmt.Errorf("%w: matrix chunk header", ErrTruncated)
	}
	if err := checkRows(rows); err != nil {
		return err
	}
	rest, err := readEntries(&s, "matrix", rows, RowSize)
	if err != nil {
		return err
	}
	v.Rows = rest
	*m = v
	return nil
}

// MatrixChunkSize returns the size in bytes of a MatrixChunk body of rows
// rows.
func MatrixChunkSize(rows int) int { return chunkHeaderSize + rows*RowSize }

// OPRFTags is the body of TypeOPRFTags: for Count sender elements, in the
// sender's (random) output order, PerElement tags of TagLength bytes each,
// then PerElement key wraps of WrapSize bytes each, then one sealed
// payload of SealedSize bytes each. The three parts are stored apart
// (all tags, all wraps, all seals), so the tag part is one contiguous
// block. WrapSize is 0 or KeyWrapSize, SealedSize 0 or SealOverhead …
// MaxSealedSize, and both are 0 or both non-zero.
//
// The encoding is the session ID, Count u32 (1 to MaxChunkElements),
// PerElement u8, TagLength u8, WrapSize u8, SealedSize u16, then the tags,
// the wraps and the seals (PROTOCOL.md §Encoding; their meaning is in
// §Suite 2, §Messages). Count is not a field: Len derives it from Tags.
// Package psi checks every size against the session.
type OPRFTags struct {
	// Session is the session ID; package psi refuses another session's.
	Session [SessionIDSize]byte
	// PerElement is the number of tags per element, 3 + s (s the stash
	// size), MinTagsPerElement to MaxTagsPerElement.
	PerElement uint8
	// TagLength is the length ℓ of each tag in bytes, MinTagLength to
	// MaxTagLength.
	TagLength uint8
	// WrapSize is the size in bytes of each key wrap: KeyWrapSize with
	// payloads, 0 without.
	WrapSize uint8
	// SealedSize is the size in bytes of each element's sealed payload:
	// the payload size plus SealOverhead with payloads, 0 without.
	SealedSize uint16
	// Tags holds Count × PerElement tags of TagLength bytes, element by
	// element in the sender's order, each element's slots in order.
	Tags []byte
	// Wraps holds Count × PerElement key wraps of WrapSize bytes, in the
	// order of the tags: K ⊕ D(key wrap, secret)[:16] for each slot.
	Wraps []byte
	// Seals holds Count sealed payloads of SealedSize bytes, one per
	// element.
	Seals []byte
}

// OPRFTagsHeaderSize is the size in bytes of an OPRFTags body before its
// entries: 41.
const OPRFTagsHeaderSize = chunkHeaderSize + 1 + 1 + 1 + 2

// OPRFTagsSize returns the size in bytes of an OPRFTags body of count
// elements with the given sizes (in bytes; see the OPRFTags fields).
func OPRFTagsSize(count, perElement, tagLength, wrapSize, sealedSize int) int {
	return OPRFTagsHeaderSize + count*(perElement*(tagLength+wrapSize)+sealedSize)
}

// Len returns the number of elements in m.
func (m *OPRFTags) Len() int { return len(m.Tags) / (int(m.PerElement) * int(m.TagLength)) }

func (m *OPRFTags) checkSizes() error {
	switch {
	case m.PerElement < MinTagsPerElement || m.PerElement > MaxTagsPerElement:
		return fmt.Errorf("%w: %d tags per element (want %d..%d)", ErrMalformed, m.PerElement, MinTagsPerElement, MaxTagsPerElement)
	case m.TagLength < MinTagLength || m.TagLength > MaxTagLength:
		return fmt.Errorf("%w: tags of %d bytes (want %d..%d)", ErrMalformed, m.TagLength, MinTagLength, MaxTagLength)
	case m.WrapSize != 0 && m.WrapSize != KeyWrapSize:
		return fmt.Errorf("%w: key wraps of %d bytes", ErrMalformed, m.WrapSize)
	case m.SealedSize > MaxSealedSize || (m.SealedSize != 0 && m.SealedSize < SealOverhead):
		return fmt.Errorf("%w: seals of %d bytes", ErrMalformed, m.SealedSize)
	case (m.WrapSize == 0) != (m.SealedSize == 0):
		return fmt.Errorf("%w: key wraps of %d bytes with seals of %d bytes", ErrMalformed, m.WrapSize, m.SealedSize)
	}
	return nil
}

// AppendBinary appends the encoding of m to b.
func (m *OPRFTags) AppendBinary(b []byte) ([]byte, error) {
	if err := m.checkSizes(); err != nil {
		return nil, err
	}
	per := int(m.PerElement)
	count, err := checkEntries("OPRF tag", len(m.Tags), per*int(m.TagLength))
	if err != nil {
		return nil, err
	}
	if len(m.Wraps) != int(count)*per*int(m.WrapSize) || len(m.Seals) != int(count)*int(m.SealedSize) {
		return nil, fmt.Errorf("%w: %d wrap and %d seal bytes for %d elements", ErrMalformed, len(m.Wraps), len(m.Seals), count)
	}
	b = m.appendHeader(b, count)
	b = append(b, m.Tags...)
	b = append(b, m.Wraps...)
	return append(b, m.Seals...), nil
}

func (m *OPRFTags) appendHeader(b []byte, count uint32) []byte {
	b = append(b, m.Session[:]...)
	b = appendUint32(b, count)
	b = append(b, m.PerElement, m.TagLength, m.WrapSize)
	return appendUint16(b, m.SealedSize)
}

// AppendHeader appends the header of m's encoding for count elements,
// taking the sizes from m and ignoring its Tags, Wraps and Seals; the
// caller appends count × PerElement × TagLength tag bytes, then the wraps
// and seals. It lets a producer write the tags straight into the body.
func (m *OPRFTags) AppendHeader(b []byte, count int) ([]byte, error) {
	if err := m.checkSizes(); err != nil {
		return nil, err
	}
	if count < 1 || count > MaxChunkElements {
		return nil, fmt.Errorf("%w: OPRF tag chunk of %d elements (want 1..%d)", ErrMalformed, count, MaxChunkElements)
	}
	return m.appendHeader(b, uint32(count)), nil
}

// UnmarshalBinary decodes m from exactly b. Tags, Wraps and Seals alias b.
func (m *OPRFTags) UnmarshalBinary(b []byte) error {
	s := cryptobyte.String(b)
	var v OPRFTags
	var count uint32
	if err := readChunkHeader(&s, "OPRF tag", &v.Session, &count); err != nil {
		return err
	}
	if !s.ReadUint8(&v.PerElement) || !s.ReadUint8(&v.TagLength) || !s.ReadUint8(&v.WrapSize) || !s.ReadUint16(&v.SealedSize) {
		return fmt.Errorf("%w: OPRF tag chunk header", ErrTruncated)
	}
	if err := v.checkSizes(); err != nil {
		return err
	}
	per := int(v.PerElement)
	entries, err := readEntries(&s, "OPRF tag", count, per*(int(v.TagLength)+int(v.WrapSize))+int(v.SealedSize))
	if err != nil {
		return err
	}
	n := int(count)
	tags, wraps := n*per*int(v.TagLength), n*per*int(v.WrapSize)
	v.Tags, v.Wraps, v.Seals = entries[:tags], entries[tags:tags+wraps], entries[tags+wraps:]
	*m = v
	return nil
}
