// Package encoding defines reunite's byte formats: the frame that carries
// every protocol message (frame.go), the bodies of those messages
// (messages.go), the saved state of a session (state.go), and the offline
// exchange's files: the encrypted message file and what its signatures,
// encryption and channel binding cover (offline_message.go), the state
// file kept between turns (offline_state.go) and the set of exchanges
// already answered (offline_seen.go); and the agency's own records: the
// lines of its audit log (audit_log.go) and its budget file (budget.go).
//
// It is the lowest of reunite's three layers. It knows how bytes are laid
// out and how to refuse bytes that are not laid out exactly right; it does
// not know what a message means or when it may be sent (that is package psi)
// and it does not own a connection (that is the root package). Most users
// never call it directly.
//
// # Frames
//
// Every message travels in one frame:
//
//	magic   4 bytes  "RNTE"
//	version 1 byte   Version
//	type    1 byte   MessageType
//	seq     4 bytes  big-endian sequence number, per direction, from 0
//	length  4 bytes  big-endian body length, at most MaxBodySize
//	body    length bytes
//
// Decoding is strict and bounded: the length is checked against MaxBodySize
// before anything is allocated, every count inside a body is checked against
// its limit before it is used, trailing bytes are an error, and every value
// that decodes re-encodes to the identical bytes. No strict prefix of a valid
// frame decodes. Large sets travel as many chunk frames of at most
// MaxChunkElements elements each, never as one giant frame.
//
// Errors are the sentinels below, wrapped with context; test them with
// errors.Is.
package encoding

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Version is the wire-format version this package reads and writes, the
// fifth byte of every frame (PROTOCOL.md §Encoding). A frame of another
// version is refused with ErrVersion; there is no fallback.
const Version = 2

// HeaderSize is the size of a frame header in bytes: magic (4), version
// (1), type (1), sequence number (4) and body length (4).
const HeaderSize = 14

// MaxBodySize bounds a frame body: 4 MiB (PROTOCOL.md §Encoding). It is
// above the largest body the protocol produces (a full suite-2 OPRFTags
// chunk with maximal payloads, about 3.1 MiB; a full suite-1 Tags chunk,
// about 2.1 MiB) and low enough that a hostile length cannot exhaust
// memory.
const MaxBodySize = 4 << 20

// magic identifies a reunite frame.
var magic = [4]byte{'R', 'N', 'T', 'E'}

// Errors returned by this package. Each is wrapped with context; use
// errors.Is to test for them.
var (
	// ErrBadMagic reports bytes that do not start with the magic of the
	// format read: "RNTE" for a frame, "RNTS", "RNTX" or "RNTR" for the
	// state and seen-exchanges files, or such a file too short to hold its
	// magic, version and checksum.
	ErrBadMagic = errors.New("encoding: bad magic (not a reunite frame or file of the expected kind)")
	// ErrVersion reports a frame, file or log of another version than the
	// one this package reads.
	ErrVersion = errors.New("encoding: unsupported wire version")
	// ErrUnknownType reports a frame whose type is not a MessageType of
	// this version.
	ErrUnknownType = errors.New("encoding: unknown message type")
	// ErrTooLarge reports a length or count above its limit, such as a
	// body longer than MaxBodySize or than the caller accepts next.
	ErrTooLarge = errors.New("encoding: length exceeds limit")
	// ErrTruncated reports input that ends before the value it starts.
	ErrTruncated = errors.New("encoding: truncated input")
	// ErrTrailingData reports bytes after a complete value.
	ErrTrailingData = errors.New("encoding: trailing bytes after message")
	// ErrMalformed reports any other violation of a format: a count or
	// size out of range, a non-zero padding, a bad checksum.
	ErrMalformed = errors.New("encoding: malformed message")
	// ErrUnauthenticated reports bytes whose MAC does not verify under
	// the key given (an audit log line).
	ErrUnauthenticated = errors.New("encoding: MAC does not verify")
)

// MessageType identifies the body carried by a frame, the sixth byte of
// its header (PROTOCOL.md §Encoding lists the types and their bodies).
type MessageType uint8

// The message types of wire version 2. PROTOCOL.md in package psi says when
// each is sent (§Message flow; suite 2's in §Suite 2, §Messages) and lays
// out each body (§Encoding).
const (
	TypeHello      MessageType = 1 // initiator's handshake (Hello body)
	TypeHelloReply MessageType = 2 // responder's handshake (HelloReply body)
	TypeAlert      MessageType = 3 // either side aborts (Alert body)
	TypeBlinded    MessageType = 4 // initiator's blinded elements (PointChunk body)
	TypeEvaluated  MessageType = 5 // responder's evaluations of them and their proof (EvaluatedChunk body)
	TypeTags       MessageType = 6 // responder's element tags and sealed payloads (SealedChunk body)
	TypeReveal     MessageType = 7 // initiator reveals matches to the responder (SealedChunk body)
	TypeFinish     MessageType = 8 // each party's last frame, initiator first (Finish body)
	// TypeAnnounce is sent by both parties on a stream before the session
	// (Announce body); it is not a session frame (psi.Run, PROTOCOL.md
	// §Role announcement).
	TypeAnnounce   MessageType = 9
	TypeOTSetup    MessageType = 10 // suite 2: initiator's base-OT element (OTSetup body)
	TypeOTReply    MessageType = 11 // suite 2: responder's base OTs and code key (OTReply body)
	TypeMatrix     MessageType = 12 // suite 2: initiator's OT-extension matrix rows (MatrixChunk body)
	TypeOPRFTags   MessageType = 13 // suite 2: responder's OPRF tags, key wraps and seals (OPRFTags body)
	maxMessageType             = TypeOPRFTags
)

var typeNames = [...]string{
	TypeHello:      "Hello",
	TypeHelloReply: "HelloReply",
	TypeAlert:      "Alert",
	TypeBlinded:    "Blinded",
	TypeEvaluated:  "Evaluated",
	TypeTags:       "Tags",
	TypeReveal:     "Reveal",
	TypeFinish:     "Finish",
	TypeAnnounce:   "Announce",
	TypeOTSetup:    "OTSetup",
	TypeOTReply:    "OTReply",
	TypeMatrix:     "Matrix",
	TypeOPRFTags:   "OPRFTags",
}

// String returns the message type's name.
func (t MessageType) String() string {
	if t >= 1 && t <= maxMessageType {
		return typeNames[t]
	}
	return fmt.Sprintf("MessageType(%d)", uint8(t))
}

// Frame is one framed message (PROTOCOL.md §Encoding). Its encoding is the
// HeaderSize-byte header described in the package documentation, then the
// body.
type Frame struct {
	// Type identifies the body; only the types of this version encode.
	Type MessageType
	// Seq is the frame's sequence number, per direction, counting the
	// session frames each party sends from 0; the receiver refuses any
	// other than the next it expects. An Announce frame has Seq 0 and is
	// not counted (PROTOCOL.md §Role announcement).
	Seq uint32
	// Body holds the encoded message body, at most MaxBodySize bytes; its
	// length is the header's length field.
	Body []byte
}

// Size returns the encoded size of f in bytes, header included.
func (f Frame) Size() int { return HeaderSize + len(f.Body) }

// AppendBinary appends the encoding of f to b. It fails only if f's type is
// unknown or its body exceeds MaxBodySize.
func (f Frame) AppendBinary(b []byte) ([]byte, error) {
	if f.Type < 1 || f.Type > maxMessageType {
		return nil, fmt.Errorf("%w: %d", ErrUnknownType, uint8(f.Type))
	}
	if len(f.Body) > MaxBodySize {
		return nil, fmt.Errorf("%w: body of %d bytes", ErrTooLarge, len(f.Body))
	}
	return append(f.appendHeader(b), f.Body...), nil
}

// appendHeader appends f's header to b; f must be valid.
func (f Frame) appendHeader(b []byte) []byte {
	b = append(b, magic[:]...)
	b = append(b, Version, byte(f.Type))
	b = binary.BigEndian.AppendUint32(b, f.Seq)
	return binary.BigEndian.AppendUint32(b, uint32(len(f.Body)))
}

// MarshalBinary returns the encoding of f.
func (f Frame) MarshalBinary() ([]byte, error) {
	return f.AppendBinary(make([]byte, 0, f.Size()))
}

type header struct {
	typ    MessageType
	seq    uint32
	length uint32
}

func parseHeader(h []byte) (header, error) {
	if len(h) < HeaderSize {
		return header{}, fmt.Errorf("%w: frame header needs %d bytes, have %d", ErrTruncated, HeaderSize, len(h))
	}
	if [4]byte(h[:4]) != magic {
		return header{}, ErrBadMagic
	}
	if h[4] != Version {
		return header{}, fmt.Errorf("%w: %d (this build speaks %d)", ErrVersion, h[4], Version)
	}
	t := MessageType(h[5])
	if t < 1 || t > maxMessageType {
		return header{}, fmt.Errorf("%w: %d", ErrUnknownType, h[5])
	}
	hd := header{typ: t, seq: binary.BigEndian.Uint32(h[6:10]), length: binary.BigEndian.Uint32(h[10:14])}
	if hd.length > MaxBodySize {
		return header{}, fmt.Errorf("%w: %s body of %d bytes (max %d)", ErrTooLarge, t, hd.length, MaxBodySize)
	}
	return hd, nil
}

// ParseFrame decodes exactly one frame from b. The returned Body aliases b.
// A b shorter than the frame it starts is ErrTruncated; longer is
// ErrTrailingData.
func ParseFrame(b []byte) (Frame, error) {
	h, err := parseHeader(b)
	if err != nil {
		return Frame{}, err
	}
	rest := b[HeaderSize:]
	switch {
	case len(rest) < int(h.length):
		return Frame{}, fmt.Errorf("%w: %s body needs %d bytes, have %d", ErrTruncated, h.typ, h.length, len(rest))
	case len(rest) > int(h.length):
		return Frame{}, fmt.Errorf("%w: %d bytes after %s frame", ErrTrailingData, len(rest)-int(h.length), h.typ)
	}
	return Frame{Type: h.typ, Seq: h.seq, Body: rest}, nil
}

// readStep bounds each allocation of ReadFrame, so memory grows only with
// bytes that actually arrive, never with a length a peer merely declares.
const readStep = 64 << 10

// ReadFrame reads one frame from r. maxBody, if not nil, gives the largest
// body the caller accepts for each message type (a receiver passes what its
// state machine expects next, so a peer cannot make it hold more than the
// next message can need); a longer declared body is ErrTooLarge before any
// of it is read. Even within the limit the body is read in steps of at most
// 64 KiB, so a header that announces a body and then stalls costs little. A
// stream that ends inside a frame is ErrTruncated; one that ends cleanly
// before a frame starts is io.EOF.
func ReadFrame(r io.Reader, maxBody func(MessageType) int) (Frame, error) {
	return ReadFrameBuffer(r, maxBody, nil)
}

// ReadFrameBuffer is ReadFrame reading the body into buf's storage when it
// fits (growing it in the same 64 KiB steps when it does not), so a reader
// that passes the previous frame's body back in allocates nothing per frame
// once its buffer has grown to the largest frame. The returned Body aliases
// that storage: it is valid until buf is reused.
func ReadFrameBuffer(r io.Reader, maxBody func(MessageType) int, buf []byte) (Frame, error) {
	var hb [HeaderSize]byte
	if n, err := io.ReadFull(r, hb[:]); err != nil {
		if err == io.EOF {
			return Frame{}, io.EOF
		}
		if err == io.ErrUnexpectedEOF {
			return Frame{}, fmt.Errorf("%w: stream ended after %d header bytes", ErrTruncated, n)
		}
		return Frame{}, err
	}
	h, err := parseHeader(hb[:])
	if err != nil {
		return Frame{}, err
	}
	if maxBody != nil {
		if limit := maxBody(h.typ); int64(h.length) > int64(limit) {
			return Frame{}, fmt.Errorf("%w: %s body of %d bytes where at most %d can come next", ErrTooLarge, h.typ, h.length, max(limit, 0))
		}
	}
	body := buf[:0]
	if first := min(int(h.length), readStep); body == nil || cap(body) < first {
		body = make([]byte, 0, first)
	}
	for len(body) < int(h.length) {
		step := min(int(h.length)-len(body), readStep)
		body = slices.Grow(body, step)
		n, err := io.ReadFull(r, body[len(body):len(body)+step])
		body = body[:len(body)+n]
		if err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return Frame{}, fmt.Errorf("%w: stream ended after %d of %d %s body bytes", ErrTruncated, len(body), h.length, h.typ)
			}
			return Frame{}, err
		}
	}
	return Frame{Type: h.typ, Seq: h.seq, Body: body}, nil
}

// WriteFrame writes f to w in one Write call.
func WriteFrame(w io.Writer, f Frame) error {
	b, err := f.MarshalBinary()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
