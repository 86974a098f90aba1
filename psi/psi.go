package psi

import (
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/reunite-psi/reunite/encoding"
)

// Mode says who learns what. Both parties must configure the same mode; the
// handshake refuses a mismatch.
type Mode uint8

const (
	// BothLearn: each party learns which of its own elements are in the
	// intersection, a match handle for each, and the peer's payload for each.
	// The exchange is not fair: the initiator learns first and then reveals
	// its matches, so the responder's result is a lower bound that the
	// initiator chose (Result.LowerBound).
	BothLearn Mode = 1
	// InitiatorOnly: the initiator learns what BothLearn gives it; the
	// responder learns only the initiator's set size.
	InitiatorOnly Mode = 2
	// CardinalityOnly: the initiator learns only the size of the
	// intersection (the responder shuffles its answers so the initiator
	// cannot tell which of its elements matched); the responder learns only
	// the initiator's set size. Payloads are not allowed in this mode.
	//
	// This mode is for semi-honest parties only. The shuffled answers
	// carry no evaluation proof (that would need a shuffle argument), so a
	// deviating responder can distort the count; and an initiator that
	// blinds each element with its own scalar can tell which elements
	// matched.
	CardinalityOnly Mode = 3
)

// String returns the mode's name.
func (m Mode) String() string {
	switch m {
	case BothLearn:
		return "both-learn"
	case InitiatorOnly:
		return "initiator-only"
	case CardinalityOnly:
		return "cardinality-only"
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// Suite identifies the protocol and its primitives on the wire.
type Suite uint16

// The suites of wire version 2. A Config lists the ones a party offers or
// accepts (Config.Suites); the handshake picks one (PROTOCOL.md
// §Suite negotiation) and Result.Suite says which ran.
const (
	// SuiteECDHRistretto255 is the ECDH-PSI protocol of PROTOCOL.md on
	// ristretto255 with SHA-512 hash-to-group, RFC 9497 evaluation proofs,
	// SHA-256 derivations and ChaCha20-Poly1305 payload seals. It is the
	// default, and the only suite with saved state and cardinality-only
	// mode. Its responder proves every evaluation, so a deviating
	// responder cannot forge matches.
	SuiteECDHRistretto255 Suite = 1

	// SuiteOTExtension is the fast suite for large sets (PROTOCOL.md
	// §Suite 2): the batched OPRF of Kolesnikov, Kumaresan, Rosulek and
	// Trieu (CCS 2016) over IKNP OT extension, with 448 Chou–Orlandi base
	// OTs on ristretto255, AES-128 and SHA-256, and cuckoo hashing; about
	// 2.5 µs of CPU per element instead of suite 1's 110 (measured at 2^20
	// elements per side, both parties on 2 cores: about 40 times faster).
	// It supports BothLearn and InitiatorOnly, match handles and payloads,
	// but not CardinalityOnly (ErrModeUnsupported) nor saved state.
	//
	// It is secure against SEMI-HONEST parties only: a party that
	// follows the protocol learns what suite 1 would tell it, but a
	// deviating responder can make the initiator report as a match any
	// element of the initiator's that the responder knows or guesses,
	// and hide real matches (there is no evaluation proof); a deviating
	// initiator can test as many chosen elements as its cuckoo table
	// has rows (bins and stash: about twice its declared set size up to
	// 2^19 elements, 1.5 times above, at least 72), more than its
	// declared size but no more than a larger set would give it. Choose
	// it only with peers you trust to run this library unmodified; see
	// SECURITY.md.
	SuiteOTExtension Suite = 2
)

// String returns the suite's name.
func (s Suite) String() string {
	switch s {
	case SuiteECDHRistretto255:
		return "ecdh-ristretto255"
	case SuiteOTExtension:
		return "ot-extension"
	}
	return fmt.Sprintf("Suite(%d)", uint16(s))
}

// Limits of this implementation.
const (
	// DefaultMaxSetSize is the cap on both set sizes when Config.MaxSetSize
	// is zero.
	DefaultMaxSetSize = 1 << 20
	// MaxSetSizeLimit is the largest cap a Config may set.
	MaxSetSizeLimit = 1 << 26
	// MaxPayloadSize is the largest per-element payload.
	MaxPayloadSize = encoding.MaxPayloadSize
	// MaxContextSize is the largest context identifier.
	MaxContextSize = encoding.MaxContextSize
)

// Config holds the parameters a party brings to a session. Both parties must
// use the same Context, Mode and PayloadSize, and opposite Roles; MaxSetSize may differ, and the
// session runs under the smaller of the two.
type Config struct {
	// Role says which side of the protocol this party plays: RoleInitiator
	// sends the first message, RoleResponder answers it. It must be set.
	Role Role

	// Context names what is being compared, for example the ID of the rule
	// set that turned records into elements: 1 to MaxContextSize bytes. The
	// handshake refuses a peer with a different context, and every hash in
	// the session is bound to it.
	Context []byte

	// Mode says who learns what. It must be set.
	Mode Mode

	// MaxSetSize is the largest set this party will accept from its peer,
	// and announces as the cap for both sets. A peer that declares a larger
	// set is refused before any cryptographic work. Zero means
	// DefaultMaxSetSize.
	MaxSetSize int

	// PayloadSize is the size in bytes of the payload attached to each
	// element, 0 to MaxPayloadSize. Every payload must be exactly this long
	// (pad it yourself), so payload lengths reveal nothing.
	PayloadSize int

	// ChannelBinding, if set, binds the session to the channel it runs on:
	// for TLS, keying material exported from the connection (RFC 5705 /
	// RFC 8446 §7.5), which both ends of one TLS connection share and no
	// other connection has. It is hashed into the session ID, so a relay
	// that forwards messages between two separate connections produces two
	// different session IDs and both parties refuse the spliced messages
	// (ErrWrongSession). At most MaxContextSize bytes; both parties must
	// supply the same value.
	ChannelBinding []byte

	// Suites lists the suites this party offers (initiator) or accepts
	// (responder), each at most once; nil means SuiteECDHRistretto255
	// only. When both parties have both suites, the responder chooses
	// SuiteOTExtension for sets of FastSuiteMinElements or more in all
	// and suite 1 below, or above the fast suite's limit of 2^24 elements
	// per set; a list of one suite forces it, and a peer that
	// does not have it is refused with ErrUnsupported. In
	// CardinalityOnly mode suite 2 is left out of the offer, and a list
	// of suite 2 alone is refused (ErrModeUnsupported). A session that
	// may run suite 2 cannot be saved (MarshalState).
	Suites []Suite

	// Admit, if set, is called with the peer's declared set size as soon as
	// the handshake reveals it, before any element is hashed, blinded or
	// sent. Returning an error refuses the session: the peer is told
	// ErrRefused and this party's error wraps the one Admit returned. Use it
	// for per-peer budgets against dictionary attacks. It is called for
	// every session, including one whose peer declares 0 elements: such a
	// session still costs the responder work on its whole set, so a budget
	// should charge it too.
	Admit func(peerSetSize int) error

	// Progress, if set, is called after each chunk of elements a session
	// sends or receives. It runs on the goroutine driving the session and
	// must not block.
	Progress func(Progress)
}

// Progress reports how far a session is through one phase.
type Progress struct {
	// Phase is "blind", "evaluate", "tags", "unblind", "match" or
	// "reveal"; suite 2 also reports "matrix", its OT-extension matrix.
	Phase string
	// Done and Total count the phase's elements, done so far and in all;
	// in suite 2's "matrix" phase they count the matrix's chunks instead.
	Done, Total int
}

func (c *Config) maxSetSize() int {
	if c.MaxSetSize == 0 {
		return DefaultMaxSetSize
	}
	return c.MaxSetSize
}

func (c *Config) validate() error {
	switch {
	case c.Role != RoleInitiator && c.Role != RoleResponder:
		return fmt.Errorf("%w: role %d is neither initiator nor responder", ErrConfig, c.Role)
	case len(c.Context) == 0 || len(c.Context) > MaxContextSize:
		return fmt.Errorf("%w: context must be 1 to %d bytes, got %d", ErrConfig, MaxContextSize, len(c.Context))
	case c.Mode < BothLearn || c.Mode > CardinalityOnly:
		return fmt.Errorf("%w: mode %d is not a known mode", ErrConfig, c.Mode)
	case c.MaxSetSize < 0 || c.MaxSetSize > MaxSetSizeLimit:
		return fmt.Errorf("%w: max set size %d outside 0..%d", ErrConfig, c.MaxSetSize, MaxSetSizeLimit)
	case c.PayloadSize < 0 || c.PayloadSize > MaxPayloadSize:
		return fmt.Errorf("%w: payload size %d outside 0..%d", ErrConfig, c.PayloadSize, MaxPayloadSize)
	case c.Mode == CardinalityOnly && c.PayloadSize != 0:
		return fmt.Errorf("%w: payloads are not allowed in cardinality-only mode", ErrConfig)
	case len(c.ChannelBinding) > MaxContextSize:
		return fmt.Errorf("%w: channel binding must be at most %d bytes", ErrConfig, MaxContextSize)
	}
	for i, su := range c.Suites {
		if su != SuiteECDHRistretto255 && su != SuiteOTExtension {
			return fmt.Errorf("%w: %w: %v", ErrConfig, ErrUnsupported, su)
		}
		if slices.Contains(c.Suites[:i], su) {
			return fmt.Errorf("%w: %v listed twice", ErrConfig, su)
		}
	}
	_, err := c.suitesFor()
	return err
}

// Set is one party's input: distinct elements and, when the session carries
// payloads, one payload per element.
type Set struct {
	// Elements are the byte strings to compare. They must be distinct. They
	// are never sent; only blinded group elements derived from them are.
	Elements [][]byte
	// Payloads, if Config.PayloadSize is non-zero, holds exactly one
	// payload of exactly Config.PayloadSize bytes per element, in the same
	// order. The peer can open a payload only if it holds the same element.
	Payloads [][]byte
}

// Turn says what a session expects next.
type Turn uint8

const (
	// TurnSend: call Send and deliver the frame to the peer.
	TurnSend Turn = iota + 1
	// TurnReceive: call Receive with the next frame from the peer.
	TurnReceive
	// TurnDone: the session is over; call Result.
	TurnDone
)

// String returns the turn's name.
func (t Turn) String() string {
	switch t {
	case TurnSend:
		return "send"
	case TurnReceive:
		return "receive"
	case TurnDone:
		return "done"
	}
	return fmt.Sprintf("Turn(%d)", uint8(t))
}

// Role names the two sides of the protocol.
type Role uint8

const (
	// RoleInitiator sends the first message.
	RoleInitiator Role = 1
	// RoleResponder answers it.
	RoleResponder Role = 2
)

// Peer returns the role of the other party: the responder's for the
// initiator and the other way round. An invalid role has no peer and gives
// itself.
func (r Role) Peer() Role {
	switch r {
	case RoleInitiator:
		return RoleResponder
	case RoleResponder:
		return RoleInitiator
	}
	return r
}

// String returns the role's name.
func (r Role) String() string {
	switch r {
	case RoleInitiator:
		return "initiator"
	case RoleResponder:
		return "responder"
	}
	return fmt.Sprintf("Role(%d)", uint8(r))
}

// Result is what one party learned from a completed session.
type Result struct {
	// Role is this party's role and Mode the session's mode.
	Role Role
	Mode Mode
	// Suite is the suite the session ran.
	Suite Suite
	// Learned reports whether this party learns the intersection (or its
	// size) in this mode. When false, Matches is empty and Cardinality is
	// zero because the protocol told this party nothing, not because the
	// sets are disjoint.
	Learned bool
	// Matches lists, in increasing Index order, the local elements in the
	// intersection. Empty in CardinalityOnly mode.
	Matches []Match
	// Cardinality is the size of the intersection, when Learned.
	Cardinality int
	// LowerBound reports that Matches and Cardinality are only what the
	// peer chose to reveal, so the intersection may be larger. It is set
	// for the responder in BothLearn mode: the initiator learns its result
	// first and then reveals its matches, and a deviating initiator can
	// reveal only some of them (or stop, and the responder's session
	// fails while the initiator keeps its result). Every match reported is
	// genuine (its seal proves the initiator holds the element), so the
	// result is a lower bound, never a forgery. The protocol does not
	// offer a fair exchange; see SECURITY.md.
	LowerBound bool
	// BadPayloads counts matches whose sealed payload from the peer did not
	// open; their PeerPayload is nil. An honest peer never causes this.
	// The session does not abort for it, because aborting would tell the
	// peer that this party holds the element whose seal it corrupted.
	BadPayloads int
	// LocalSetSize and PeerSetSize are the two set sizes, which both
	// parties always learn.
	LocalSetSize, PeerSetSize int
	// SessionID identifies the session; both parties hold the same value.
	SessionID [32]byte
	// Transcript is the hash of every frame of the session before the last;
	// both parties hold the same value, and each checked the other's.
	Transcript [32]byte
}

// Match is one local element found in the intersection.
type Match struct {
	// Index is the element's position in the local Set.Elements.
	Index int
	// Handle is the same for both parties and unique to this element in
	// this session: quote it in the follow-up request for the record.
	Handle Handle
	// PeerPayload is the payload the peer attached to this element, or nil
	// when the session carries no payloads or the peer sent none.
	PeerPayload []byte
}

// Handle is a match handle: a hash of the session ID and the element's
// jointly computed group element, so both parties derive it and no one else
// can.
type Handle [32]byte

// String returns the handle in hexadecimal.
func (h Handle) String() string { return hex.EncodeToString(h[:]) }

// Errors returned by sessions. Each is wrapped with context; use errors.Is.
// When the peer aborts, the error also matches ErrPeerAborted. The text of
// each says what it reports: a bad configuration (ErrConfig), a local set
// with a repeated element or over the cap, a peer that disagrees on the
// protocol version, suite, context, mode or payload size, a message that
// does not decode, holds an invalid or repeated group element, comes out
// of turn, from another session or out of sequence, transcripts that
// differ, a sealed payload that does not open, an abort on either side,
// a call out of turn (ErrWrongTurn), or an admission policy's refusal
// (ErrRefused: the refusing party's error also wraps its policy's error).
var (
	ErrConfig             = errors.New("psi: invalid configuration")
	ErrDuplicateElement   = errors.New("psi: duplicate element in local set")
	ErrSetTooLarge        = errors.New("psi: set larger than the agreed maximum")
	ErrUnsupported        = errors.New("psi: unsupported protocol version or suite")
	ErrContextMismatch    = errors.New("psi: peer uses a different context")
	ErrModeMismatch       = errors.New("psi: peer uses a different mode")
	ErrPayloadMismatch    = errors.New("psi: peer uses a different payload size")
	ErrMalformed          = errors.New("psi: malformed message")
	ErrInvalidElement     = errors.New("psi: invalid group element from peer")
	ErrDuplicate          = errors.New("psi: duplicate value from peer")
	ErrUnexpectedMessage  = errors.New("psi: unexpected message")
	ErrWrongSession       = errors.New("psi: message belongs to another session")
	ErrSequence           = errors.New("psi: message out of sequence (replayed, reordered or dropped)")
	ErrTranscriptMismatch = errors.New("psi: transcripts differ")
	ErrPayloadAuth        = errors.New("psi: sealed payload failed authentication")
	ErrAborted            = errors.New("psi: session aborted")
	ErrPeerAborted        = errors.New("psi: peer aborted the session")
	ErrWrongTurn          = errors.New("psi: call does not match the session's turn")
	ErrRefused            = errors.New("psi: session refused by an admission policy")
	// ErrBadProof reports an Evaluated chunk whose proof does not show that
	// every element was evaluated, in order, with the scalar the responder
	// committed to. Only a deviating responder causes it; the session ends
	// before any of that chunk's values is used.
	ErrBadProof = errors.New("psi: evaluation proof does not verify")
	// ErrRoleMismatch reports that the peer is configured for the same
	// role as this party (two initiators or two responders). Run detects
	// it from the role announcements before the session starts, on both
	// sides; a Session detects it when it receives the handshake message
	// of its own role.
	ErrRoleMismatch = errors.New("psi: peer plays the same role")
	// ErrModeUnsupported reports a mode that the only suite a party
	// allows cannot run: SuiteOTExtension has no CardinalityOnly mode
	// (its receiver maps every hit to its own element).
	ErrModeUnsupported = errors.New("psi: the suite does not support this mode")
)

// ContextMismatchError reports that the peer uses another context (in
// package reunite, another rule-set ID). It names both contexts, which are
// public by design, on both sides: the party that detects the mismatch
// sends its own context in the alert. It matches ErrContextMismatch, and
// also ErrPeerAborted when the peer detected the mismatch.
type ContextMismatchError struct {
	Context     []byte // this party's context
	PeerContext []byte // the peer's context
	abort       *PeerAbortError
}

func (e *ContextMismatchError) Error() string {
	msg := fmt.Sprintf("%v: this party uses %q, the peer %q", ErrContextMismatch, e.Context, e.PeerContext)
	if e.abort != nil {
		return fmt.Sprintf("%v: %s", ErrPeerAborted, msg)
	}
	return msg
}

// Unwrap returns ErrContextMismatch, or the PeerAbortError when the peer
// detected the mismatch (which matches ErrContextMismatch too).
func (e *ContextMismatchError) Unwrap() error {
	if e.abort != nil {
		return e.abort
	}
	return ErrContextMismatch
}

// alertCodes maps the wire alert codes (PROTOCOL.md §Alerts) to errors.
var alertCodes = []error{
	1:  ErrUnsupported,
	2:  ErrContextMismatch,
	3:  ErrModeMismatch,
	4:  ErrPayloadMismatch,
	5:  ErrSetTooLarge,
	6:  ErrMalformed,
	7:  ErrInvalidElement,
	8:  ErrDuplicate,
	9:  ErrUnexpectedMessage,
	10: ErrWrongSession,
	11: ErrSequence,
	12: ErrTranscriptMismatch,
	13: ErrPayloadAuth,
	14: ErrAborted,
	15: ErrRefused,
	16: ErrBadProof,
	17: ErrRoleMismatch,
}

func alertCodeFor(err error) encoding.AlertCode {
	for code, e := range alertCodes {
		if e != nil && errors.Is(err, e) {
			return encoding.AlertCode(code)
		}
	}
	return 14
}

// PeerAbortError is returned when the peer ends the session with an alert.
// It matches ErrPeerAborted and, for a known code, the error the peer
// reported (so errors.Is(err, ErrContextMismatch) holds on both sides).
type PeerAbortError struct {
	Code encoding.AlertCode
}

func (e *PeerAbortError) Error() string {
	if cause := e.cause(); cause != nil {
		return fmt.Sprintf("%v: %v", ErrPeerAborted, cause)
	}
	return fmt.Sprintf("%v: alert code %d", ErrPeerAborted, e.Code)
}

func (e *PeerAbortError) cause() error {
	if int(e.Code) < len(alertCodes) {
		return alertCodes[e.Code]
	}
	return nil
}

// Unwrap returns ErrPeerAborted and the error the alert code names.
func (e *PeerAbortError) Unwrap() []error {
	if cause := e.cause(); cause != nil {
		return []error{ErrPeerAborted, cause}
	}
	return []error{ErrPeerAborted}
}
