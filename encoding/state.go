package encoding

import (
	"bytes"
	"crypto/sha256"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
)

// SessionState is the saved state of a psi session, as psi.Session's
// MarshalState writes it and psi.ResumeSession reads it. This package lays
// the fields out and refuses bytes that are not laid out exactly right;
// package psi fills the fields and checks what they mean, and which are
// set in which state (psi/state.go). The layout below is its only
// specification: PROTOCOL.md §State between turns says only what it is
// bound to. It holds suite-1 sessions only. Most users never call it
// directly.
//
// The encoding is
//
//	magic "RNTS", StateVersion, role u8, state u8, payload size u16,
//	inputs digest (32), key (32), nonce (32), send seq u32, recv seq u32,
//	transcript (u8 length), hello frame (u16 length), session ID (32),
//	commitment (32), agreed max u32, peer size u32, done u32,
//	own points, peer tags (u32 length each), found count u32 and entries
//	(own u32, position u32, opened u8, payload size bytes), revealed u32,
//	bad payloads u32, proofs, evaluated, tag order, tag points (u32 length
//	each), last reveal u32, match count u32 and entries (index u32,
//	handle (32), payload size bytes), cardinality u32, learned u8,
//	result transcript (32), and last the SHA-256 of everything before it.
//
// It holds the session's secrets; see psi.Session.MarshalState.
type SessionState struct {
	// Role is the party's role as psi.Role numbers it (1 initiator, 2
	// responder); State is package psi's code for the point the session
	// was saved at, 1 to 7 (stateCodes in psi/state.go).
	Role, State uint8
	// PayloadSize is the session's payload size in bytes, 0 to
	// MaxPayloadSize; it fixes the size of every payload below.
	PayloadSize uint16
	// InputsDigest is the SHA-256 digest of the configuration and set the
	// session was created with (inputsDigest in psi/state.go); resuming
	// with other inputs is refused.
	InputsDigest [32]byte
	// Key is the party's secret scalar (a or b), 32 canonical
	// little-endian bytes, while the session still needs it; all zero
	// after.
	Key [32]byte
	// Nonce is the party's handshake nonce.
	Nonce [NonceSize]byte
	// SendSeq and RecvSeq are the sequence numbers of the next frame to
	// send and to receive.
	SendSeq, RecvSeq uint32
	// Transcript is the running transcript hash as SHA-256's
	// MarshalBinary writes it, at most 255 bytes.
	Transcript []byte
	// Hello is the initiator's encoded Hello frame, kept until the reply
	// arrives (at most 65535 bytes); empty otherwise.
	Hello []byte
	// SessionID is the session ID once the handshake has set it, zero
	// before.
	SessionID [SessionIDSize]byte
	// Commitment is the responder's commitment B as the initiator
	// received it, kept while it receives Evaluated and Tags chunks; zero
	// otherwise.
	Commitment [ElementSize]byte
	// AgreedMax is the agreed cap in elements once the handshake is
	// done, zero before.
	AgreedMax uint32
	// PeerSize is the peer's set size as its handshake message declared
	// it, zero before the handshake is done.
	PeerSize uint32
	// Done is how many elements of the current stream have been received
	// (a chunk boundary): the initiator counts Evaluated points, then
	// tags; the responder Blinded points.
	Done uint32

	// Initiator.

	// OwnPoints holds, ElementSize bytes per own element in set order,
	// b·H(x_i) for the elements whose evaluation has arrived and a·H(x_i)
	// for the rest.
	OwnPoints []byte
	// PeerTags holds the responder's tags received so far, TagSize bytes
	// each, in strictly increasing byte order.
	PeerTags []byte
	// Found lists the matches found so far, in increasing Position.
	Found []StateFound
	// Revealed is the number of Reveal entries sent, once they all are.
	Revealed uint32
	// BadPayloads counts the matches whose sealed payload did not open.
	BadPayloads uint32

	// Responder.

	// Proofs holds the proofs of the Evaluated chunks computed so far,
	// ProofSize bytes per chunk (none in cardinality-only mode).
	Proofs []byte
	// Evaluated holds the evaluations b·a·H(x_i) computed so far,
	// ElementSize bytes each.
	Evaluated []byte
	// TagOrder is the permutation π of the tags: for each tag position, the
	// index of the element in the responder's set, a big-endian u32.
	TagOrder []byte
	// TagPoints holds b·H(y) for each tag position, ElementSize bytes
	// each.
	TagPoints []byte
	// LastReveal is one more than the tag position of the last Reveal
	// entry accepted, 0 before the first.
	LastReveal uint32

	// Outputs.

	// Matches lists the matches established so far, or the result's once
	// the session is done.
	Matches []StateMatch
	// Cardinality is the intersection size found so far, or the
	// result's.
	Cardinality uint32
	// Learned is 1 when a done session's result says this party learned
	// the intersection (psi.Result.Learned), else 0.
	Learned uint8
	// ResultTranscript is a done session's final transcript hash, zero
	// before.
	ResultTranscript [HashSize]byte
}

// StateFound is a match the initiator has seen but not yet reported. Its
// encoding is own u32, position u32, opened u8, payload (PayloadSize
// bytes).
type StateFound struct {
	// Own is the index of the matched element in the initiator's set;
	// Position the position of the responder's tag it matched.
	Own, Position uint32
	// Opened is 1 if the peer's sealed payload opened (always, without
	// payloads), else 0 (counted in BadPayloads).
	Opened uint8
	// Payload is the peer's payload, exactly PayloadSize bytes; all zero
	// when it did not open.
	Payload []byte
}

// StateMatch is a match already established. Its encoding is index u32,
// handle (32), peer payload (PayloadSize bytes).
type StateMatch struct {
	// Index is the index of the matched element in this party's set.
	Index uint32
	// Handle is the match handle D("reunite-psi-v2 handle", b·H(e))
	// (PROTOCOL.md §Primitives), the same on both sides.
	Handle [32]byte
	// PeerPayload is the peer's payload for the element, exactly
	// PayloadSize bytes.
	PeerPayload []byte
}

// StateVersion is the version of the saved-state format this package reads
// and writes, the byte after the magic "RNTS".
const StateVersion = 2

const stateMagic = "RNTS"

func (st *SessionState) check() error {
	p := int(st.PayloadSize)
	switch {
	case st.PayloadSize > MaxPayloadSize:
		return fmt.Errorf("%w: state payload size %d", ErrMalformed, st.PayloadSize)
	case len(st.Transcript) > 255 || len(st.Hello) > 65535:
		return fmt.Errorf("%w: state transcript or hello too long", ErrTooLarge)
	case len(st.OwnPoints)%ElementSize != 0, len(st.PeerTags)%TagSize != 0,
		len(st.Proofs)%ProofSize != 0, len(st.Evaluated)%ElementSize != 0,
		len(st.TagOrder)%4 != 0, len(st.TagPoints)%ElementSize != 0:
		return fmt.Errorf("%w: state field not a whole number of entries", ErrMalformed)
	case st.Learned > 1:
		return fmt.Errorf("%w: state learned flag %d", ErrMalformed, st.Learned)
	}
	for _, f := range st.Found {
		if f.Opened > 1 || len(f.Payload) != p {
			return fmt.Errorf("%w: state found entry", ErrMalformed)
		}
	}
	for _, m := range st.Matches {
		if len(m.PeerPayload) != p {
			return fmt.Errorf("%w: state match entry", ErrMalformed)
		}
	}
	return nil
}

// AppendBinary appends the encoding of st, checksum included, to b.
func (st *SessionState) AppendBinary(b []byte) ([]byte, error) {
	if err := st.check(); err != nil {
		return nil, err
	}
	start := len(b)
	c := cryptobyte.NewBuilder(b)
	c.AddBytes([]byte(stateMagic))
	c.AddUint8(StateVersion)
	c.AddUint8(st.Role)
	c.AddUint8(st.State)
	c.AddUint16(st.PayloadSize)
	c.AddBytes(st.InputsDigest[:])
	c.AddBytes(st.Key[:])
	c.AddBytes(st.Nonce[:])
	c.AddUint32(st.SendSeq)
	c.AddUint32(st.RecvSeq)
	c.AddUint8LengthPrefixed(func(c *cryptobyte.Builder) { c.AddBytes(st.Transcript) })
	c.AddUint16LengthPrefixed(func(c *cryptobyte.Builder) { c.AddBytes(st.Hello) })
	c.AddBytes(st.SessionID[:])
	c.AddBytes(st.Commitment[:])
	c.AddUint32(st.AgreedMax)
	c.AddUint32(st.PeerSize)
	c.AddUint32(st.Done)
	addBytes32(c, st.OwnPoints)
	addBytes32(c, st.PeerTags)
	c.AddUint32(uint32(len(st.Found)))
	for _, f := range st.Found {
		c.AddUint32(f.Own)
		c.AddUint32(f.Position)
		c.AddUint8(f.Opened)
		c.AddBytes(f.Payload)
	}
	c.AddUint32(st.Revealed)
	c.AddUint32(st.BadPayloads)
	addBytes32(c, st.Proofs)
	addBytes32(c, st.Evaluated)
	addBytes32(c, st.TagOrder)
	addBytes32(c, st.TagPoints)
	c.AddUint32(st.LastReveal)
	c.AddUint32(uint32(len(st.Matches)))
	for _, m := range st.Matches {
		c.AddUint32(m.Index)
		c.AddBytes(m.Handle[:])
		c.AddBytes(m.PeerPayload)
	}
	c.AddUint32(st.Cardinality)
	c.AddUint8(st.Learned)
	c.AddBytes(st.ResultTranscript[:])
	out, err := c.Bytes()
	if err != nil {
		return nil, fmt.Errorf("%w: state: %w", ErrMalformed, err)
	}
	sum := sha256.Sum256(out[start:])
	return append(out, sum[:]...), nil
}

// UnmarshalBinary decodes st from exactly b. It checks the magic, the
// version and the checksum before anything else, so garbage and damaged
// states are told apart from states of another version; every count is
// checked against the bytes that remain before anything is allocated. The
// byte slices in st are copies, not aliases of b.
func (st *SessionState) UnmarshalBinary(b []byte) error {
	body, err := openChecksummed(b, stateMagic, StateVersion, "saved session state")
	if err != nil {
		return err
	}
	s := cryptobyte.String(body)
	var v SessionState
	var transcript, hello cryptobyte.String
	if !s.ReadUint8(&v.Role) || !s.ReadUint8(&v.State) || !s.ReadUint16(&v.PayloadSize) ||
		!s.CopyBytes(v.InputsDigest[:]) || !s.CopyBytes(v.Key[:]) || !s.CopyBytes(v.Nonce[:]) ||
		!s.ReadUint32(&v.SendSeq) || !s.ReadUint32(&v.RecvSeq) ||
		!s.ReadUint8LengthPrefixed(&transcript) || !s.ReadUint16LengthPrefixed(&hello) ||
		!s.CopyBytes(v.SessionID[:]) || !s.CopyBytes(v.Commitment[:]) ||
		!s.ReadUint32(&v.AgreedMax) || !s.ReadUint32(&v.PeerSize) || !s.ReadUint32(&v.Done) {
		return fmt.Errorf("%w: saved state header", ErrTruncated)
	}
	if v.PayloadSize > MaxPayloadSize {
		return fmt.Errorf("%w: saved state payload size %d", ErrMalformed, v.PayloadSize)
	}
	v.Transcript, v.Hello = bytes.Clone(transcript), bytes.Clone(hello)
	p := int(v.PayloadSize)
	var nFound uint32
	if !readBytes32(&s, &v.OwnPoints) || !readBytes32(&s, &v.PeerTags) || !s.ReadUint32(&nFound) {
		return fmt.Errorf("%w: saved state", ErrTruncated)
	}
	if int64(nFound)*int64(9+p) > int64(len(s)) {
		return fmt.Errorf("%w: saved state found entries", ErrTruncated)
	}
	for range nFound {
		f := StateFound{}
		var payload []byte
		if !s.ReadUint32(&f.Own) || !s.ReadUint32(&f.Position) || !s.ReadUint8(&f.Opened) || !s.ReadBytes(&payload, p) {
			return fmt.Errorf("%w: saved state found entries", ErrTruncated)
		}
		f.Payload = bytes.Clone(payload)
		v.Found = append(v.Found, f)
	}
	var nMatches uint32
	if !s.ReadUint32(&v.Revealed) || !s.ReadUint32(&v.BadPayloads) ||
		!readBytes32(&s, &v.Proofs) || !readBytes32(&s, &v.Evaluated) ||
		!readBytes32(&s, &v.TagOrder) || !readBytes32(&s, &v.TagPoints) ||
		!s.ReadUint32(&v.LastReveal) || !s.ReadUint32(&nMatches) {
		return fmt.Errorf("%w: saved state", ErrTruncated)
	}
	if int64(nMatches)*int64(4+32+p) > int64(len(s)) {
		return fmt.Errorf("%w: saved state matches", ErrTruncated)
	}
	for range nMatches {
		m := StateMatch{}
		var payload []byte
		if !s.ReadUint32(&m.Index) || !s.CopyBytes(m.Handle[:]) || !s.ReadBytes(&payload, p) {
			return fmt.Errorf("%w: saved state matches", ErrTruncated)
		}
		m.PeerPayload = bytes.Clone(payload)
		v.Matches = append(v.Matches, m)
	}
	if !s.ReadUint32(&v.Cardinality) || !s.ReadUint8(&v.Learned) || !s.CopyBytes(v.ResultTranscript[:]) {
		return fmt.Errorf("%w: saved state outputs", ErrTruncated)
	}
	if !s.Empty() {
		return fmt.Errorf("%w: %d bytes after the saved state", ErrTrailingData, len(s))
	}
	if err := v.check(); err != nil {
		return err
	}
	*st = v
	return nil
}

// readBytes32 reads a copy of a value with a 32-bit big-endian length
// prefix; an empty value reads as nil.
func readBytes32(s *cryptobyte.String, out *[]byte) bool {
	var n uint32
	var v []byte
	if !s.ReadUint32(&n) || !s.ReadBytes(&v, int(n)) {
		return false
	}
	if n > 0 {
		*out = bytes.Clone(v)
	}
	return true
}

func addBytes32(c *cryptobyte.Builder, v []byte) {
	c.AddUint32LengthPrefixed(func(c *cryptobyte.Builder) { c.AddBytes(v) })
}

// openChecksummed checks the magic, the version and the trailing SHA-256
// of a file format named what, in that order (so garbage, other versions
// and damaged files are told apart), and returns the bytes between the
// version and the checksum.
func openChecksummed(b []byte, magic string, version uint8, what string) ([]byte, error) {
	const trailer = sha256.Size
	if len(b) < len(magic)+1+trailer {
		return nil, fmt.Errorf("%w: not a reunite %s", ErrBadMagic, what)
	}
	if err := checkMagic(b, magic, version, what); err != nil {
		return nil, err
	}
	body := b[:len(b)-trailer]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], b[len(body):]) {
		return nil, fmt.Errorf("%w: %s checksum does not match (truncated or altered)", ErrMalformed, what)
	}
	return body[len(magic)+1:], nil
}

// checkMagic checks the magic and the version at the start of b, which
// holds at least both.
func checkMagic(b []byte, magic string, version uint8, what string) error {
	if string(b[:len(magic)]) != magic {
		return fmt.Errorf("%w: not a reunite %s", ErrBadMagic, what)
	}
	if v := b[len(magic)]; v != version {
		return fmt.Errorf("%w: %s version %d (this build reads %d)", ErrVersion, what, v, version)
	}
	return nil
}
