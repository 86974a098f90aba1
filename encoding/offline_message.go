package encoding

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/cryptobyte"
)

// Offline message files (PROTOCOL.md in package psi, §Offline exchange).
//
// A message file is a clear header (OfflineHeader: the ciphertext's length
// and the HPKE encapsulated key) and a ciphertext in chunks. The
// plaintexts of the chunks, each without its trailing signature, make up
// one message stream (OfflineMessage: message number, exchange ID, time,
// the frames of one turn and zero padding). Everything but the length is
// inside the encryption, so a file shows its size and nothing else. This
// file lays the bytes out and refuses bytes that are not laid out exactly
// right; the root package seals, opens, signs and verifies the chunks.

// Sizes of the offline message-file format (PROTOCOL.md §Message file),
// in bytes.
const (
	// OfflineVersion is the version of the message-file format this
	// package reads and writes. It is not written in the file: the root
	// package puts it in the labels of the encryption and the signatures,
	// so a file of another version does not decrypt.
	OfflineVersion = 3
	// ExchangeIDSize is the size of an exchange ID, which the initiator
	// draws at random for message 0.
	ExchangeIDSize = 16
	// OfflineEncSize is the size of the HPKE encapsulated key of
	// DHKEM(X25519, HKDF-SHA256) (RFC 9180 §7.1: Nenc = 32).
	OfflineEncSize = 32
	// OfflineHeaderSize is the size of a message file's clear header: the
	// ciphertext length and the encapsulated key.
	OfflineHeaderSize = 8 + OfflineEncSize
	// OfflineAEADOverhead is the size of the AEAD tag each chunk's
	// ciphertext adds to its plaintext (ChaCha20-Poly1305, RFC 9180 §7.3:
	// Nt = 16).
	OfflineAEADOverhead = 16
	// OfflineSignatureSize is the size of the sender's Ed25519 signature
	// at the end of each chunk's plaintext.
	OfflineSignatureSize = 64
	// OfflineChunkSize is how many bytes of the message stream one chunk
	// carries; the last chunk carries the rest (at least one byte).
	OfflineChunkSize = 64 << 10
	// OfflineChunkOverhead is what a chunk's ciphertext adds to its piece
	// of the message stream: the signature and the AEAD tag.
	OfflineChunkOverhead = OfflineSignatureSize + OfflineAEADOverhead
	// OfflineMessageHeaderSize is the size of the message stream's fixed
	// start: message number, exchange ID, time and frame count.
	OfflineMessageHeaderSize = 4 + ExchangeIDSize + 8 + 4
	// OfflineMessageMinSize is the size of the smallest message stream:
	// its fixed start, no frames and the padding length. A valid message
	// has at least one frame.
	OfflineMessageMinSize = OfflineMessageHeaderSize + 4
	// MaxOfflineCiphertext bounds the ciphertext length a header may
	// declare (64 TiB, so that chunk indices fit 32 bits); callers bound
	// it far lower by message number.
	MaxOfflineCiphertext = 1 << 46
)

// OfflineCiphertextSize returns the size of the ciphertext that carries a
// message stream of n bytes (n ≥ 1): n and each chunk's overhead.
func OfflineCiphertextSize(n uint64) uint64 {
	return n + (n+OfflineChunkSize-1)/OfflineChunkSize*OfflineChunkOverhead
}

// OfflineHeader is the clear header of a message file, all that a courier
// sees besides the ciphertext (PROTOCOL.md §Message file). The encoding
// is
//
//	ciphertext length u64 (big-endian), enc (OfflineEncSize)
//
// The length is the file's size less the header, so it shows nothing the
// size does not. Enc is the HPKE encapsulated key, whose most significant
// bit the sender sets at random (X25519 ignores it, RFC 7748 §5) so that
// every bit of it looks random; the whole header is the additional data of
// every chunk, so none of it can be changed.
type OfflineHeader struct {
	// Length is the size in bytes of the ciphertext after the header: the
	// file's size less OfflineHeaderSize, OfflineCiphertextSize of some
	// stream of at least one byte, at most MaxOfflineCiphertext.
	Length uint64
	// Enc is the HPKE encapsulated key with its most significant bit (bit
	// 7 of the last byte) set at random; KEMEnc clears it.
	Enc [OfflineEncSize]byte
}

// AppendBinary appends the encoding of h to b.
func (h OfflineHeader) AppendBinary(b []byte) ([]byte, error) {
	b = binary.BigEndian.AppendUint64(b, h.Length)
	return append(b, h.Enc[:]...), nil
}

// UnmarshalBinary decodes h from exactly b and checks that its length is
// one a message stream can have (OfflineCiphertextSize of some n ≥ 1, at
// most MaxOfflineCiphertext).
func (h *OfflineHeader) UnmarshalBinary(b []byte) error {
	if v, ok := earlierOfflineVersion(b); ok {
		return fmt.Errorf("%w: a message file of format version %d, written by an earlier build; this build reads version %d only: ask the sender to update and send it again", ErrVersion, v, OfflineVersion)
	}
	s := cryptobyte.String(b)
	var v OfflineHeader
	if !s.ReadUint64(&v.Length) || !s.CopyBytes(v.Enc[:]) {
		return fmt.Errorf("%w: message file header", ErrTruncated)
	}
	if !s.Empty() {
		return fmt.Errorf("%w: after the message file header", ErrTrailingData)
	}
	if err := v.check(); err != nil {
		return err
	}
	*h = v
	return nil
}

// offlineMagicV2 started message files of format versions 1 and 2, whose
// header was in the clear: the magic, then the version byte. No file of
// this version starts so, since a length of 2^46 or less begins with a
// byte below 0x40 ('R' is 0x52).
const offlineMagicV2 = "RNTM"

// earlierOfflineVersion reports whether b starts like a message file of
// an earlier format version, and which.
func earlierOfflineVersion(b []byte) (version byte, ok bool) {
	if len(b) < len(offlineMagicV2)+1 || string(b[:len(offlineMagicV2)]) != offlineMagicV2 {
		return 0, false
	}
	v := b[len(offlineMagicV2)]
	return v, v >= 1 && v < OfflineVersion
}

func (h OfflineHeader) check() error {
	switch {
	case h.Length > MaxOfflineCiphertext:
		return fmt.Errorf("%w: message file declares %d bytes", ErrTooLarge, h.Length)
	case h.Length == 0 || h.lastChunk() <= OfflineChunkOverhead:
		return fmt.Errorf("%w: no message stream has a ciphertext of %d bytes", ErrMalformed, h.Length)
	}
	return nil
}

// Chunks returns the number of chunks of the ciphertext.
func (h OfflineHeader) Chunks() uint64 {
	const full = OfflineChunkSize + OfflineChunkOverhead
	return (h.Length + full - 1) / full
}

// lastChunk returns the ciphertext size of the last chunk.
func (h OfflineHeader) lastChunk() uint64 {
	const full = OfflineChunkSize + OfflineChunkOverhead
	return h.Length - (h.Chunks()-1)*full
}

// SetEnc sets h.Enc to enc, the HPKE encapsulated key, with its most
// significant bit, which X25519 ignores (RFC 7748 §5), taken from random's:
// so that every bit of the clear header looks random. enc must be
// OfflineEncSize bytes with that bit clear, as X25519 writes it.
func (h *OfflineHeader) SetEnc(enc []byte, random byte) error {
	if len(enc) != OfflineEncSize || enc[OfflineEncSize-1]&0x80 != 0 {
		return fmt.Errorf("%w: not an X25519 encapsulated key", ErrMalformed)
	}
	copy(h.Enc[:], enc)
	h.Enc[OfflineEncSize-1] |= random & 0x80
	return nil
}

// KEMEnc returns the encapsulated key as HPKE reads it: Enc with the bit
// SetEnc set at random cleared.
func (h OfflineHeader) KEMEnc() []byte {
	enc := h.Enc
	enc[OfflineEncSize-1] &= 0x7f
	return enc[:]
}

// The labels of message files. Each starts what it labels, followed by a
// zero byte and both agencies' keys (AppendOfflineContext), so that a
// signature, an encryption or a binding made for one purpose, version or
// pair of agencies means nothing in another.
const (
	// OfflineLabelSignature starts what each chunk's signature covers.
	OfflineLabelSignature = "reunite-offline-v3 message file signature"
	// OfflineLabelEncryption starts the HPKE info string of a file.
	OfflineLabelEncryption = "reunite-offline-v3 message file encryption"
	// OfflineLabelBinding starts what the PSI channel binding of an
	// exchange hashes.
	OfflineLabelBinding = "reunite-offline-v3 channel binding"
)

// OfflineIdentity is an agency's identity in a file exchange: its Ed25519
// signing key (RFC 8032) and its X25519 encryption key (RFC 7748), both
// public.
type OfflineIdentity struct {
	// Sign is the Ed25519 public key and Enc the X25519 public key, 32
	// bytes each as their RFCs encode them.
	Sign, Enc [OfflineKeySize]byte
}

// AppendOfflineContext appends to b
//
//	label ‖ 0x00 ‖ sender.Sign ‖ sender.Enc ‖ recipient.Sign ‖ recipient.Enc
//
// (PROTOCOL.md: label ‖ 0x00 ‖ ids), which binds a signature, an
// encryption or a session to both agencies.
func AppendOfflineContext(b []byte, label string, sender, recipient OfflineIdentity) []byte {
	b = append(b, label...)
	b = append(b, 0)
	b = append(b, sender.Sign[:]...)
	b = append(b, sender.Enc[:]...)
	b = append(b, recipient.Sign[:]...)
	return append(b, recipient.Enc[:]...)
}

// OfflineChannelBinding returns the PSI channel binding of an exchange
// between initiator and responder: SHA-256 of OfflineLabelBinding's
// context, the initiator in the sender's place.
func OfflineChannelBinding(initiator, responder OfflineIdentity) []byte {
	sum := sha256.Sum256(AppendOfflineContext(nil, OfflineLabelBinding, initiator, responder))
	return sum[:]
}

// OfflineSigned is what the sender of one message file signs, chunk by
// chunk:
//
//	OfflineLabelSignature ‖ 0x00 ‖ ids ‖ header ‖ u32(index) ‖ SHA-256(piece)
//
// where header is the file's clear header, whose Enc is this very file's
// encryption, and piece the chunk's piece of the message stream.
type OfflineSigned struct {
	prefix []byte // everything before the index
	buf    []byte
}

// NewOfflineSigned returns what sender signs for the chunks of the
// message file to recipient with clear header h.
func NewOfflineSigned(sender, recipient OfflineIdentity, h OfflineHeader) *OfflineSigned {
	prefix := AppendOfflineContext(nil, OfflineLabelSignature, sender, recipient)
	prefix, _ = h.AppendBinary(prefix) // never fails
	return &OfflineSigned{prefix: prefix}
}

// Chunk returns the bytes signed for chunk index, whose piece of the
// message stream is piece. They are valid until the next call.
func (s *OfflineSigned) Chunk(index uint32, piece []byte) []byte {
	s.buf = append(s.buf[:0], s.prefix...)
	s.buf = binary.BigEndian.AppendUint32(s.buf, index)
	sum := sha256.Sum256(piece)
	s.buf = append(s.buf, sum[:]...)
	return s.buf
}

// ReadOfflineHeader reads a message file's header from r and checks it as
// UnmarshalBinary does. A stream that ends inside it is ErrTruncated.
func ReadOfflineHeader(r io.Reader) (OfflineHeader, error) {
	var hb [OfflineHeaderSize]byte
	if n, err := io.ReadFull(r, hb[:]); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return OfflineHeader{}, fmt.Errorf("%w: message file ended after %d of %d header bytes", ErrTruncated, n, OfflineHeaderSize)
		}
		return OfflineHeader{}, err
	}
	var h OfflineHeader
	err := h.UnmarshalBinary(hb[:])
	return h, err
}

// ParseOfflineFile checks that b is exactly one message file, header and
// ciphertext, and returns its header.
func ParseOfflineFile(b []byte) (OfflineHeader, error) {
	var h OfflineHeader
	if len(b) < OfflineHeaderSize {
		return h, fmt.Errorf("%w: message file header needs %d bytes, have %d", ErrTruncated, OfflineHeaderSize, len(b))
	}
	if err := h.UnmarshalBinary(b[:OfflineHeaderSize]); err != nil {
		return h, err
	}
	switch rest := uint64(len(b) - OfflineHeaderSize); {
	case rest < h.Length:
		return h, fmt.Errorf("%w: message file has %d of %d ciphertext bytes", ErrTruncated, rest, h.Length)
	case rest > h.Length:
		return h, fmt.Errorf("%w: %d bytes after the message file", ErrTrailingData, rest-h.Length)
	}
	return h, nil
}

// OfflineChunkReader reads the ciphertext of one message file from a
// stream, a chunk at a time, so that memory holds one chunk however large
// the file.
type OfflineChunkReader struct {
	r    io.Reader
	h    OfflineHeader
	next uint64
	buf  []byte
}

// NewOfflineChunkReader returns a reader of the chunks that follow header
// h in r.
func NewOfflineChunkReader(r io.Reader, h OfflineHeader) *OfflineChunkReader {
	return &OfflineChunkReader{r: r, h: h}
}

// Next returns the next chunk's index and ciphertext, valid until the
// next call. After the last chunk it returns io.EOF if r ends there too,
// and ErrTrailingData if it does not. A stream that ends inside a chunk is
// ErrTruncated.
func (c *OfflineChunkReader) Next() (uint32, []byte, error) {
	if err := c.h.check(); err != nil {
		return 0, nil, err
	}
	if c.next == c.h.Chunks() {
		var extra [1]byte
		switch n, err := io.ReadFull(c.r, extra[:]); {
		case n > 0:
			return 0, nil, fmt.Errorf("%w: bytes after the message file", ErrTrailingData)
		case err != io.EOF:
			return 0, nil, err
		}
		return 0, nil, io.EOF
	}
	size := OfflineChunkSize + OfflineChunkOverhead
	if c.next == c.h.Chunks()-1 {
		size = int(c.h.lastChunk())
	}
	if cap(c.buf) < size {
		c.buf = make([]byte, size)
	}
	n, err := io.ReadFull(c.r, c.buf[:size])
	if err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			read := c.next*(OfflineChunkSize+OfflineChunkOverhead) + uint64(n)
			return 0, nil, fmt.Errorf("%w: message file has %d of %d ciphertext bytes", ErrTruncated, read, c.h.Length)
		}
		return 0, nil, err
	}
	i := c.next
	c.next++
	return uint32(i), c.buf[:size], nil
}

// SplitOfflineChunk splits the plaintext of a chunk into its piece of the
// message stream (at least one byte) and the signature that ends it.
func SplitOfflineChunk(plaintext []byte) (piece, signature []byte, err error) {
	n := len(plaintext) - OfflineSignatureSize
	if n < 1 || n > OfflineChunkSize {
		return nil, nil, fmt.Errorf("%w: a chunk plaintext of %d bytes", ErrMalformed, len(plaintext))
	}
	return plaintext[:n], plaintext[n:], nil
}

// OfflineChunkPieces splits a message stream into the pieces the chunks
// carry, in order: OfflineChunkSize bytes each but the last. The pieces
// alias stream.
func OfflineChunkPieces(stream []byte) [][]byte {
	pieces := make([][]byte, 0, (len(stream)+OfflineChunkSize-1)/OfflineChunkSize)
	for len(stream) > 0 {
		n := min(len(stream), OfflineChunkSize)
		pieces = append(pieces, stream[:n:n])
		stream = stream[n:]
	}
	return pieces
}

// OfflineMessage is the message stream of a message file (PROTOCOL.md
// §Message file). The encoding is
//
//	message number u32, exchange ID (ExchangeIDSize), time u64 (Unix
//	seconds), frame count u32, frames (each as on the wire, see Frame),
//	padding length u32, padding (that many zero bytes)
//
// all integers big-endian. Padding makes the file's size independent of
// what the sender chooses not to show: its length is the sender's to
// choose, its bytes must be zero.
type OfflineMessage struct {
	// Number is the message number, counted from 0 over both directions:
	// even from the initiator, odd from the responder.
	Number uint32
	// Exchange is the exchange ID, drawn at random by the initiator for
	// message 0 and the same in every later file of the exchange.
	Exchange [ExchangeIDSize]byte
	// Time is when the sender wrote the message, in Unix seconds.
	Time uint64
	// Frames are the frames of the sender's turn, at least one, each
	// encoded as on the wire with sequence numbers continuing per
	// direction.
	Frames []Frame
	// Padding is the number of zero bytes after the frames. The root
	// package chooses it so that the stream's size depends only on the set
	// sizes and the message number (PROTOCOL.md §Message file, Padding).
	Padding uint32
}

// Size returns the encoded size of m in bytes.
func (m *OfflineMessage) Size() int {
	n := OfflineMessageMinSize + int(m.Padding)
	for _, f := range m.Frames {
		n += f.Size()
	}
	return n
}

// AppendBinary appends the encoding of m to b.
func (m *OfflineMessage) AppendBinary(b []byte) ([]byte, error) {
	if len(m.Frames) == 0 {
		return nil, fmt.Errorf("%w: a message file holds at least one frame", ErrMalformed)
	}
	b = binary.BigEndian.AppendUint32(b, m.Number)
	b = append(b, m.Exchange[:]...)
	b = binary.BigEndian.AppendUint64(b, m.Time)
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

// UnmarshalBinary decodes m from exactly b, as an OfflineMessageReader
// over b would.
func (m *OfflineMessage) UnmarshalBinary(b []byte) error {
	v, err := readOfflineMessage(bytes.NewReader(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// readOfflineMessage decodes a whole message stream from r.
func readOfflineMessage(r io.Reader) (OfflineMessage, error) {
	mr := NewOfflineMessageReader(r)
	h, err := mr.Header()
	if err != nil {
		return OfflineMessage{}, err
	}
	v := OfflineMessage{Number: h.Number, Exchange: h.Exchange, Time: h.Time}
	for {
		f, err := mr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return OfflineMessage{}, err
		}
		v.Frames = append(v.Frames, f)
	}
	if v.Padding, err = mr.Finish(); err != nil {
		return OfflineMessage{}, err
	}
	return v, nil
}

// OfflineMessageHeader is the fixed start of a message stream,
// OfflineMessageHeaderSize bytes: message number u32, exchange ID, time
// u64 and frame count u32, big-endian.
type OfflineMessageHeader struct {
	// Number is the message number, as in OfflineMessage.
	Number uint32
	// Exchange is the exchange ID, as in OfflineMessage.
	Exchange [ExchangeIDSize]byte
	// Time is when the sender wrote the message, in Unix seconds.
	Time uint64
	// Frames is the number of frames that follow, at least one.
	Frames uint32
}

// OfflineMessageReader decodes a message stream as it arrives: Header,
// then Next until io.EOF, then Finish. It holds one frame at a time.
type OfflineMessageReader struct {
	r    io.Reader
	h    OfflineMessageHeader
	read uint32 // frames returned so far
	step int    // 0 before Header, 1 reading frames, 2 finished
}

// NewOfflineMessageReader returns a decoder of the message stream r.
func NewOfflineMessageReader(r io.Reader) *OfflineMessageReader {
	return &OfflineMessageReader{r: r}
}

// errStep reports a call of an OfflineMessageReader out of order.
var errStep = errors.New("encoding: OfflineMessageReader methods called out of order")

// Header reads the stream's fixed start. The frame count must be at
// least one.
func (mr *OfflineMessageReader) Header() (OfflineMessageHeader, error) {
	if mr.step != 0 {
		return OfflineMessageHeader{}, errStep
	}
	var hb [OfflineMessageHeaderSize]byte
	if err := mr.readFull(hb[:], "message header"); err != nil {
		return OfflineMessageHeader{}, err
	}
	s := cryptobyte.String(hb[:])
	var h OfflineMessageHeader
	s.ReadUint32(&h.Number)
	s.CopyBytes(h.Exchange[:])
	s.ReadUint64(&h.Time)
	s.ReadUint32(&h.Frames)
	if h.Frames == 0 {
		return OfflineMessageHeader{}, fmt.Errorf("%w: a message file holds at least one frame", ErrMalformed)
	}
	mr.h, mr.step = h, 1
	return h, nil
}

// Next reads the next frame, and returns io.EOF once the header's count
// of frames is read.
func (mr *OfflineMessageReader) Next() (Frame, error) {
	if mr.step != 1 {
		return Frame{}, errStep
	}
	if mr.read == mr.h.Frames {
		return Frame{}, io.EOF
	}
	f, err := ReadFrame(mr.r, nil)
	if err == io.EOF {
		err = fmt.Errorf("%w: message ends before frame %d of %d", ErrTruncated, mr.read, mr.h.Frames)
	}
	if err != nil {
		return Frame{}, fmt.Errorf("frame %d: %w", mr.read, err)
	}
	mr.read++
	return f, nil
}

// Finish reads the padding after the last frame, checks that it is zero
// and that the stream ends with it, and returns its length.
func (mr *OfflineMessageReader) Finish() (uint32, error) {
	if mr.step != 1 || mr.read != mr.h.Frames {
		return 0, errStep
	}
	mr.step = 2
	var lb [4]byte
	if err := mr.readFull(lb[:], "message padding"); err != nil {
		return 0, err
	}
	padding := binary.BigEndian.Uint32(lb[:])
	var buf [4096]byte
	for left := padding; left > 0; {
		p := buf[:min(left, uint32(len(buf)))]
		if err := mr.readFull(p, "message padding"); err != nil {
			return 0, err
		}
		for _, c := range p {
			if c != 0 {
				return 0, fmt.Errorf("%w: message padding is not zero", ErrMalformed)
			}
		}
		left -= uint32(len(p))
	}
	switch n, err := io.ReadFull(mr.r, buf[:1]); {
	case n > 0:
		return 0, fmt.Errorf("%w: bytes after the message padding", ErrTrailingData)
	case err != io.EOF:
		return 0, err
	}
	return padding, nil
}

// readFull fills p from the stream; an end of stream is ErrTruncated.
func (mr *OfflineMessageReader) readFull(p []byte, what string) error {
	if _, err := io.ReadFull(mr.r, p); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return fmt.Errorf("%w: %s", ErrTruncated, what)
		}
		return err
	}
	return nil
}
