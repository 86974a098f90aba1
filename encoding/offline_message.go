package encoding

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"slices"

	"golang.org/x/crypto/cryptobyte"
)

// Offline message files (PROTOCOL.md in package psi, §Offline exchange).
//
// A message file is a clear envelope (OfflineFile) around an HPKE
// ciphertext whose plaintext is an OfflineMessage: the exchange ID, the
// frames of one turn, zero padding and the sender's signature. This file
// lays both out and refuses bytes that are not laid out exactly right; the
// root package seals, opens, signs and verifies them.

// Sizes of the offline message-file format.
const (
	// OfflineVersion is the version of the message-file format this
	// package reads and writes.
	OfflineVersion = 2
	// ExchangeIDSize is the size of an exchange ID.
	ExchangeIDSize = 16
	// OfflineEncSize is the size of the HPKE encapsulated key of
	// DHKEM(X25519, HKDF-SHA256) (RFC 9180 §7.1: Nenc = 32).
	OfflineEncSize = 32
	// OfflineHeaderSize is the size of a message file's clear header:
	// magic, version, message number, ciphertext length and encapsulated
	// key.
	OfflineHeaderSize = 4 + 1 + 4 + 8 + OfflineEncSize
	// OfflineAEADOverhead is the size of the AEAD tag the ciphertext adds
	// to the plaintext (ChaCha20-Poly1305, RFC 9180 §7.3: Nt = 16).
	OfflineAEADOverhead = 16
	// OfflineSignatureSize is the size of the sender's Ed25519 signature
	// at the end of the plaintext.
	OfflineSignatureSize = 64
	// OfflineMessageMinSize is the size of the smallest plaintext: an
	// exchange ID, a frame count, no frames, a padding length, no padding
	// and the signature. A valid message has at least one frame.
	OfflineMessageMinSize = ExchangeIDSize + 4 + 4 + OfflineSignatureSize
)

var offlineMagic = [4]byte{'R', 'N', 'T', 'M'}

// OfflineFile is a message file as a courier sees it: the clear header
// (message number and the ciphertext's length) and the ciphertext. The
// encoding is
//
//	magic "RNTM", OfflineVersion, message number u32, ciphertext length u64,
//	enc (OfflineEncSize), ciphertext (length bytes)
//
// all integers big-endian. The header is the HPKE additional data
// (AdditionalData), so none of it can be changed without the ciphertext
// failing to open.
type OfflineFile struct {
	Number     uint32
	Enc        [OfflineEncSize]byte
	Ciphertext []byte
}

// AdditionalData returns the clear header of f, which the sender passes to
// HPKE as additional data and which its signature covers.
func (f *OfflineFile) AdditionalData() []byte {
	return OfflineAdditionalData(f.Number, uint64(len(f.Ciphertext)), f.Enc)
}

// OfflineAdditionalData returns the clear header of a message file with
// the given number, ciphertext length and encapsulated key, which a sender
// needs before it has the ciphertext.
func OfflineAdditionalData(number uint32, length uint64, enc [OfflineEncSize]byte) []byte {
	b := make([]byte, 0, OfflineHeaderSize)
	b = append(b, offlineMagic[:]...)
	b = append(b, OfflineVersion)
	b = binary.BigEndian.AppendUint32(b, number)
	b = binary.BigEndian.AppendUint64(b, length)
	return append(b, enc[:]...)
}

// Size returns the encoded size of f.
func (f *OfflineFile) Size() int { return OfflineHeaderSize + len(f.Ciphertext) }

// AppendBinary appends the encoding of f to b.
func (f *OfflineFile) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, f.AdditionalData()...)
	return append(b, f.Ciphertext...), nil
}

// offlineHeader is a decoded clear header.
type offlineHeader struct {
	number uint32
	length uint64
	enc    [OfflineEncSize]byte
}

func parseOfflineHeader(h []byte) (offlineHeader, error) {
	s := cryptobyte.String(h)
	var m []byte
	var v uint8
	var hd offlineHeader
	if !s.ReadBytes(&m, len(offlineMagic)) || !s.ReadUint8(&v) {
		return hd, fmt.Errorf("%w: message file header", ErrTruncated)
	}
	if !bytes.Equal(m, offlineMagic[:]) {
		return hd, fmt.Errorf("%w: not a reunite message file", ErrBadMagic)
	}
	if v != OfflineVersion {
		return hd, fmt.Errorf("%w: message file version %d (this build reads %d)", ErrVersion, v, OfflineVersion)
	}
	if !s.ReadUint32(&hd.number) || !s.ReadUint64(&hd.length) || !s.CopyBytes(hd.enc[:]) {
		return hd, fmt.Errorf("%w: message file header", ErrTruncated)
	}
	if hd.length < OfflineMessageMinSize+OfflineAEADOverhead {
		return hd, fmt.Errorf("%w: message %d declares a ciphertext of %d bytes", ErrMalformed, hd.number, hd.length)
	}
	return hd, nil
}

// ParseOfflineFile decodes exactly one message file from b. The returned
// Ciphertext aliases b.
func ParseOfflineFile(b []byte) (*OfflineFile, error) {
	if len(b) < OfflineHeaderSize {
		return nil, fmt.Errorf("%w: message file header needs %d bytes, have %d", ErrTruncated, OfflineHeaderSize, len(b))
	}
	h, err := parseOfflineHeader(b[:OfflineHeaderSize])
	if err != nil {
		return nil, err
	}
	rest := b[OfflineHeaderSize:]
	switch {
	case uint64(len(rest)) < h.length:
		return nil, fmt.Errorf("%w: message %d has %d of %d ciphertext bytes", ErrTruncated, h.number, len(rest), h.length)
	case uint64(len(rest)) > h.length:
		return nil, fmt.Errorf("%w: %d bytes after message %d", ErrTrailingData, uint64(len(rest))-h.length, h.number)
	}
	return &OfflineFile{Number: h.number, Enc: h.enc, Ciphertext: rest}, nil
}

// ReadOfflineFile reads one message file from r, which must end with it.
// maxLength gives the largest ciphertext the caller accepts for each
// message number (0 for a number that cannot come): a longer declared
// length is ErrTooLarge before any of the ciphertext is read, and even
// within the limit the ciphertext is read in steps of at most 64 KiB, so
// memory grows only with bytes that arrive. A stream that ends early is
// ErrTruncated; one with bytes after the ciphertext is ErrTrailingData.
func ReadOfflineFile(r io.Reader, maxLength func(number uint32) uint64) (*OfflineFile, error) {
	var hb [OfflineHeaderSize]byte
	if n, err := io.ReadFull(r, hb[:]); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("%w: message file ended after %d of %d header bytes", ErrTruncated, n, OfflineHeaderSize)
		}
		return nil, err
	}
	// Magic and version first: garbage is told apart from a truncated file.
	h, err := parseOfflineHeader(hb[:])
	if err != nil {
		return nil, err
	}
	if limit := maxLength(h.number); h.length > limit {
		return nil, fmt.Errorf("%w: message %d declares %d bytes, it may hold at most %d", ErrTooLarge, h.number, h.length, limit)
	}
	ct := make([]byte, 0, min(h.length, readStep))
	for uint64(len(ct)) < h.length {
		step := int(min(h.length-uint64(len(ct)), readStep))
		ct = slices.Grow(ct, step)
		n, err := io.ReadFull(r, ct[len(ct):len(ct)+step])
		ct = ct[:len(ct)+n]
		if err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil, fmt.Errorf("%w: message %d has %d of %d ciphertext bytes", ErrTruncated, h.number, len(ct), h.length)
			}
			return nil, err
		}
	}
	var extra [1]byte
	switch n, err := io.ReadFull(r, extra[:]); {
	case n > 0:
		return nil, fmt.Errorf("%w: bytes after message %d", ErrTrailingData, h.number)
	case err != io.EOF:
		return nil, err
	}
	return &OfflineFile{Number: h.number, Enc: h.enc, Ciphertext: ct}, nil
}

// OfflineMessage is the plaintext of a message file. The encoding is
//
//	exchange ID (ExchangeIDSize), frame count u32, frames (each as on the
//	wire, see Frame), padding length u32, padding (that many zero bytes),
//	signature (OfflineSignatureSize)
//
// all integers big-endian. The signature is the sender's; what it covers
// (SignedPart and the context the root package prepends) is in
// PROTOCOL.md. Padding makes the file's size independent of what the
// sender chooses not to show: its length is the sender's to choose, its
// bytes must be zero.
type OfflineMessage struct {
	Exchange  [ExchangeIDSize]byte
	Frames    []Frame
	Padding   uint32
	Signature [OfflineSignatureSize]byte
}

// SignedPart appends to b the encoding of m up to its signature: the
// bytes the signature covers.
func (m *OfflineMessage) SignedPart(b []byte) ([]byte, error) {
	if len(m.Frames) == 0 {
		return nil, fmt.Errorf("%w: a message file holds at least one frame", ErrMalformed)
	}
	b = append(b, m.Exchange[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(m.Frames)))
	for _, f := range m.Frames {
		var err error
		if b, err = f.AppendBinary(b); err != nil {
			return nil, err
		}
	}
	b = binary.BigEndian.AppendUint32(b, m.Padding)
	return append(b, make([]byte, m.Padding)...), nil
}

// Digest returns the SHA-256 of SignedPart, computed without building it,
// so that a large message is not copied to be signed or verified.
func (m *OfflineMessage) Digest() ([sha256.Size]byte, error) {
	if len(m.Frames) == 0 {
		return [sha256.Size]byte{}, fmt.Errorf("%w: a message file holds at least one frame", ErrMalformed)
	}
	h := sha256.New()
	h.Write(m.Exchange[:])
	b := make([]byte, 0, HeaderSize) // scratch for the small fields
	h.Write(binary.BigEndian.AppendUint32(b, uint32(len(m.Frames))))
	for _, f := range m.Frames {
		if f.Type < 1 || f.Type > maxMessageType || len(f.Body) > MaxBodySize {
			return [sha256.Size]byte{}, fmt.Errorf("%w: frame of type %d with %d body bytes", ErrMalformed, f.Type, len(f.Body))
		}
		h.Write(f.appendHeader(b[:0]))
		h.Write(f.Body)
	}
	h.Write(binary.BigEndian.AppendUint32(b[:0], m.Padding))
	zeros := make([]byte, min(m.Padding, readStep))
	for left := int(m.Padding); left > 0; left -= len(zeros) {
		h.Write(zeros[:min(left, len(zeros))])
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum, nil
}

// Size returns the encoded size of m.
func (m *OfflineMessage) Size() int {
	n := OfflineMessageMinSize + int(m.Padding)
	for _, f := range m.Frames {
		n += f.Size()
	}
	return n
}

// AppendBinary appends the encoding of m, signature included, to b.
func (m *OfflineMessage) AppendBinary(b []byte) ([]byte, error) {
	b, err := m.SignedPart(b)
	if err != nil {
		return nil, err
	}
	return append(b, m.Signature[:]...), nil
}

// UnmarshalBinary decodes m from exactly b. Every count and length is
// checked against the bytes that remain before anything is allocated; the
// frames are copies, not aliases of b.
func (m *OfflineMessage) UnmarshalBinary(b []byte) error {
	s := cryptobyte.String(b)
	var v OfflineMessage
	var count uint32
	if !s.CopyBytes(v.Exchange[:]) || !s.ReadUint32(&count) {
		return fmt.Errorf("%w: message plaintext header", ErrTruncated)
	}
	if count == 0 {
		return fmt.Errorf("%w: a message file holds at least one frame", ErrMalformed)
	}
	if uint64(count)*HeaderSize > uint64(len(s)) {
		return fmt.Errorf("%w: %d frames cannot fit in %d bytes", ErrTruncated, count, len(s))
	}
	v.Frames = make([]Frame, 0, count)
	for i := range count {
		var hb, body []byte
		if !s.ReadBytes(&hb, HeaderSize) {
			return fmt.Errorf("%w: message ends inside frame %d", ErrTruncated, i)
		}
		h, err := parseHeader(hb)
		if err != nil {
			return fmt.Errorf("frame %d: %w", i, err)
		}
		if !s.ReadBytes(&body, int(h.length)) {
			return fmt.Errorf("%w: message ends inside frame %d", ErrTruncated, i)
		}
		v.Frames = append(v.Frames, Frame{Type: h.typ, Seq: h.seq, Body: bytes.Clone(body)})
	}
	var pad []byte
	if !s.ReadUint32(&v.Padding) || !s.ReadBytes(&pad, int(v.Padding)) {
		return fmt.Errorf("%w: message padding", ErrTruncated)
	}
	for _, c := range pad {
		if c != 0 {
			return fmt.Errorf("%w: message padding is not zero", ErrMalformed)
		}
	}
	if !s.CopyBytes(v.Signature[:]) {
		return fmt.Errorf("%w: message signature", ErrTruncated)
	}
	if !s.Empty() {
		return fmt.Errorf("%w: %d bytes after the message signature", ErrTrailingData, len(s))
	}
	*m = v
	return nil
}
