package psi

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/maphash"
	"io"
	"slices"
	"sync"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/internal/kkrt"
	"github.com/reunite-psi/reunite/internal/ristretto255"
)

// NewSession returns a session that plays cfg.Role with set under cfg.
// Drive it with Run over a connection, or call Send and Receive yourself
// (for example to carry frames as files). The set's slices are used in
// place until the session is done: do not modify them meanwhile.
func NewSession(cfg Config, set Set) (*Session, error) {
	return newSession(cfg, set, rand.Reader)
}

type state uint8

const (
	stInitSendHello state = iota + 1
	stInitRecvReply
	stInitSendBlinded
	stInitRecvAnswers // evaluated chunks, then tag chunks
	stInitSendReveal
	stInitSendFinish
	stInitRecvConfirm
	stRespRecvHello
	stRespSendReply
	stRespRecvBlinded
	stRespSendEvaluated
	stRespSendTags
	stRespRecvFinish // reveal chunks, then finish
	stRespSendConfirm
	stSendAlert
	stDone
	// Suite 2 (fast.go).
	stFastSendSetup
	stFastRecvOTReply
	stFastSendMatrix
	stFastRecvTags
	stFastRecvSetup
	stFastSendOTReply
	stFastRecvMatrix
	stFastSendTags
)

// chunkLen returns the number of elements in chunk k of a stream of n
// elements: every chunk is full except the last.
func chunkLen(n, k int) int {
	return min(encoding.MaxChunkElements, n-k*encoding.MaxChunkElements)
}

// Session is one party's side of one protocol run: a pure state machine
// that does no I/O. Turn says what it expects next; a transport moves
// frames from one party's Send to the other's Receive, one at a time, in
// order, until Turn returns TurnDone and Result holds what this party
// learned. The role decides which states it passes through (PROTOCOL.md
// §Message flow). A Session is not safe for concurrent use. In suite 2 it
// does some of its work in goroutines of its own between two calls (the
// engine's preparation from the end of the handshake to the first matrix
// chunk, the initiator's matches while its Finish is out); each ends by
// itself, and the call that needs its result, or the session's end,
// waits for it.
type Session struct {
	role  Role
	cfg   Config
	set   Set
	rand  io.Reader
	key   *ristretto255.Scalar // this party's secret: a (initiator) or b (responder)
	nonce [encoding.NonceSize]byte

	state      state
	err        error
	alert      encoding.AlertCode
	sendSeq    uint32
	recvSeq    uint32
	transcript hash.Hash
	helloFrame []byte // initiator's Hello frame, kept until the session ID is known
	sid        [32]byte
	agreedMax  int
	peerSize   int
	done       int // elements (or reveal entries) sent or received in the current phase

	// commit is the encoding of the responder's commitment B = b·G: the
	// responder's own, or the one the initiator received in HelloReply.
	commit [encoding.ElementSize]byte

	// Initiator.
	keyInv    *ristretto255.Scalar
	commitPt  *ristretto255.Element            // commit, decoded
	ownPoints []byte                           // a·H(x) per element until its evaluation arrives, then b·H(x)
	ownAffine [][]byte                         // per Blinded chunk, the affine forms of its a·H(x) until its proof is checked
	ownTags   map[[encoding.TagSize]byte]int32 // tag → index into ownPoints
	peerTags  map[[encoding.TagSize]byte]struct{}
	found     []found
	payloads  [][]byte // with payloads: the peer's payload of found[i], nil where its seal did not open
	revealed  int      // matches revealed to the responder
	entryBuf  []byte   // the entries of the Tags or Reveal chunk being made, reused
	// revealHits is set when suite 2 without payloads reveals the engine's
	// hits (found is then nil), a chunk at a time in revealFound.
	revealHits  bool
	revealFound []found
	badPayloads int // matched elements whose sealed payload did not open

	// Responder.
	evaluated  [][]byte // b·a·H(x), a chunk each, from its Blinded frame until it is sent
	proofs     []byte   // one DLEQ proof per evaluated chunk, except in cardinality-only mode
	tagOrder   []int32  // position in the tag stream → element index
	tagPoints  [][]byte // k_B·H(y) by tag position, a chunk each
	tagPrep    *tagPrep // the tag points' computation, from prepareTags until the last Tags chunk
	lastReveal int64
	// Matches revealed since the last flushRevealed: their tag positions
	// (a bit each, nil until the first), how many, and their payloads in
	// a session with payloads.
	revealedPos      bitset
	revealedCount    int
	revealedPayloads [][]byte

	matches     []Match
	cardinality int
	result      *Result

	// Suite 2: the negotiated suite (0 until the handshake picks one),
	// the engine of this party's role, its message layout, and the
	// responder's base-OT reply until it is sent.
	suite      Suite
	fastR      *kkrt.Receiver
	fastS      *kkrt.Sender
	fastLayout kkrt.Layout
	otReply    []byte
	// preparing, until the first matrix chunk, receives the result of the
	// engine's Prepare, which runs in a goroutine of its own from the end
	// of the handshake (fastPrepare); matching receives the initiator's
	// matches, made while its Finish is out (fastMatches).
	preparing chan error
	matching  chan []Match
	// background counts those goroutines, so that Run can leave none
	// behind (settle); nil until the first.
	background *sync.WaitGroup

	// reuseSend is set by Run, which has written a frame before it asks
	// for the next: the large chunk bodies are then built in sendBuf,
	// reused from frame to frame, instead of a new slice each.
	reuseSend bool
	sendBuf   []byte

	// skipProofs is set only by this package's benchmarks, to time the
	// same session without verifiable evaluation: the responder sends
	// all-zero proofs and the initiator does not verify them.
	skipProofs bool
}

// found is a match the initiator has seen in the responder's tag stream.
// Its payload, if the session carries payloads, is kept apart
// (Session.payloads), so that a session without them holds 8 bytes per
// match.
type found struct {
	own      int32  // index into ownPoints
	position uint32 // position in the tag stream
}

func newSession(cfg Config, set Set, random io.Reader) (*Session, error) {
	if err := checkInputs(cfg, set); err != nil {
		return nil, err
	}
	role := cfg.Role
	s := &Session{
		role:       role,
		cfg:        cfg,
		set:        set,
		rand:       bufio.NewReader(random),
		transcript: sha256.New(),
	}
	var err error
	if s.key, err = randomScalar(s.rand); err != nil {
		return nil, fmt.Errorf("psi: reading randomness: %w", err)
	}
	if _, err := io.ReadFull(s.rand, s.nonce[:]); err != nil {
		return nil, fmt.Errorf("psi: reading randomness: %w", err)
	}
	if role == RoleInitiator {
		s.keyInv = new(ristretto255.Scalar).Invert(s.key)
		s.state = stInitSendHello
	} else {
		s.setCommitment()
		s.state = stRespRecvHello
	}
	return s, nil
}

// checkInputs validates a configuration and a set before a session is
// created or resumed with them.
func checkInputs(cfg Config, set Set) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	if len(set.Elements) > cfg.maxSetSize() {
		return fmt.Errorf("%w: local set of %d elements exceeds the configured maximum of %d", ErrSetTooLarge, len(set.Elements), cfg.maxSetSize())
	}
	if cfg.PayloadSize > 0 {
		if len(set.Payloads) != len(set.Elements) {
			return fmt.Errorf("%w: %d payloads for %d elements", ErrConfig, len(set.Payloads), len(set.Elements))
		}
		for i, p := range set.Payloads {
			if len(p) != cfg.PayloadSize {
				return fmt.Errorf("%w: payload %d is %d bytes, want exactly %d", ErrConfig, i, len(p), cfg.PayloadSize)
			}
		}
	} else if len(set.Payloads) != 0 {
		return fmt.Errorf("%w: payloads given but Config.PayloadSize is 0", ErrConfig)
	}
	if i := duplicateIndex(set.Elements); i >= 0 {
		return fmt.Errorf("%w: element %d repeats an earlier one", ErrDuplicateElement, i)
	}
	return nil
}

// duplicateIndex returns the index of the first element equal to an earlier
// one, or -1. Each element's maphash picks its start in an open-addressing
// table of indices at load at most 1/2 (4 bytes per slot, no map): a hash
// collision costs a byte comparison, never a wrong answer.
func duplicateIndex(elements [][]byte) int {
	n := len(elements)
	if n < 2 {
		return -1
	}
	seed := maphash.MakeSeed()
	size := 1
	for size < 2*n {
		size <<= 1
	}
	slots := make([]uint32, size) // element index + 1; 0 is empty
	mask := uint64(size - 1)
	// The slots where a batch of elements starts are read first, in a
	// loop with nothing else to do, so that their cache misses overlap.
	const batch = 32
	var homes [batch]uint64
	var sink uint32
	for lo := 0; lo < n; lo += batch {
		hi := min(n, lo+batch)
		for i := lo; i < hi; i++ {
			homes[i-lo] = maphash.Bytes(seed, elements[i]) & mask
			sink |= slots[homes[i-lo]]
		}
		for i := lo; i < hi; i++ {
			e := elements[i]
			for k := homes[i-lo]; ; k = (k + 1) & mask {
				j := slots[k]
				if j == 0 {
					slots[k] = uint32(i + 1)
					break
				}
				if bytes.Equal(elements[j-1], e) {
					return i
				}
			}
		}
	}
	_ = sink
	return -1
}

// Role says which side of the protocol s plays.
func (s *Session) Role() Role { return s.role }

// SessionID returns the session ID (PROTOCOL.md §Primitives), the value
// Result.SessionID reports, and true once the handshake has derived it:
// the responder's when it sends HelloReply, the initiator's when it accepts
// one. It stays available after the session fails, so that a caller can
// record which session a failure belongs to, and the peer, if it got as
// far, holds the same value. Before the handshake it returns false.
func (s *Session) SessionID() ([32]byte, bool) {
	return s.sid, s.sid != [32]byte{}
}

// Turn reports what the session expects next.
func (s *Session) Turn() Turn {
	switch s.state {
	case stInitRecvReply, stInitRecvAnswers, stInitRecvConfirm, stRespRecvHello, stRespRecvBlinded, stRespRecvFinish,
		stFastRecvOTReply, stFastRecvTags, stFastRecvSetup, stFastRecvMatrix:
		return TurnReceive
	case stDone:
		return TurnDone
	}
	return TurnSend
}

// Result returns what this party learned once Turn returns TurnDone, or
// the error that ended the session.
func (s *Session) Result() (*Result, error) {
	if s.err != nil {
		return nil, s.err
	}
	if s.state != stDone {
		return nil, fmt.Errorf("%w: result requested while the session expects to %v", ErrWrongTurn, s.Turn())
	}
	return s.result, nil
}

// fail ends the session with err. Unless the peer already aborted, an alert
// is queued so the peer learns why.
func (s *Session) fail(err error) error {
	if s.err != nil {
		return s.err
	}
	s.err = err
	s.dropState()
	if errors.Is(err, ErrPeerAborted) {
		s.state = stDone
	} else {
		s.alert = alertCodeFor(err)
		s.state = stSendAlert
	}
	return err
}

// abort ends the session with err and sends no alert: Run uses it when
// the peer already knows why (both sides see a role mismatch alike).
func (s *Session) abort(err error) error {
	if s.err != nil {
		return s.err
	}
	s.err = err
	s.dropState()
	s.state = stDone
	return err
}

// dropState releases everything the session no longer needs, so secrets
// and large buffers do not outlive it.
func (s *Session) dropState() {
	_ = s.waitPrepared() // no goroutine outlives the session's end
	s.waitMatches()
	s.stopTagPoints()
	s.tagPrep = nil
	s.key, s.keyInv = nil, nil
	s.ownPoints, s.ownAffine, s.ownTags, s.peerTags, s.found, s.payloads = nil, nil, nil, nil, nil, nil
	s.evaluated, s.proofs, s.tagOrder, s.tagPoints = nil, nil, nil, nil
	s.revealedPos, s.revealedCount, s.revealedPayloads = nil, 0, nil
	s.entryBuf, s.revealHits, s.revealFound = nil, false, nil
	s.helloFrame = nil
	s.fastR, s.fastS, s.otReply, s.sendBuf = nil, nil, nil, nil
}

// Suite returns the suite the handshake chose, or 0 before it did.
func (s *Session) Suite() Suite { return s.suite }

// MaxBody returns the largest frame body of type t that the session can
// accept next: the exact size of the chunk it expects, the size of a
// handshake or Finish body, or 0 for a type it cannot accept now. An
// alert always fits. A transport passes it to encoding.ReadFrame, so a
// peer cannot make this party hold more than its next message can need.
func (s *Session) MaxBody(t encoding.MessageType) int {
	if t == encoding.TypeAlert {
		return encoding.AlertSize
	}
	if s.Turn() != TurnReceive {
		return 0
	}
	nI := len(s.set.Elements)
	chunk := func(n, done int) int { return chunkLen(n, done/encoding.MaxChunkElements) }
	sealed := 0
	if s.cfg.PayloadSize > 0 {
		sealed = s.cfg.PayloadSize + encoding.SealOverhead
	}
	switch {
	case s.state == stRespRecvHello && t == encoding.TypeHello,
		s.state == stInitRecvReply && t == encoding.TypeHello: // refused as a role mismatch
		return encoding.HelloSize
	case s.state == stInitRecvReply && t == encoding.TypeHelloReply,
		s.state == stRespRecvHello && t == encoding.TypeHelloReply: // refused as a role mismatch
		return encoding.HelloReplySize
	case s.state == stRespRecvBlinded && t == encoding.TypeBlinded:
		return encoding.PointChunkSize(chunk(s.peerSize, s.done))
	case s.state == stInitRecvAnswers && t == encoding.TypeEvaluated && s.done < nI:
		return encoding.EvaluatedChunkSize(chunk(nI, s.done))
	case s.state == stInitRecvAnswers && t == encoding.TypeTags && s.done >= nI:
		return encoding.SealedChunkSize(chunk(s.peerSize, s.done-nI), encoding.TagSize, sealed)
	case s.state == stFastRecvSetup && t == encoding.TypeOTSetup:
		return encoding.OTSetupSize
	case s.state == stFastRecvOTReply && t == encoding.TypeOTReply:
		return encoding.OTReplySize
	case s.state == stFastRecvMatrix && t == encoding.TypeMatrix:
		return encoding.MatrixChunkSize(s.matrixRows(s.done))
	case s.state == stFastRecvTags && t == encoding.TypeOPRFTags:
		return s.fastTagsSize(s.done)
	case s.state == stRespRecvFinish && t == encoding.TypeReveal && s.cfg.Mode == BothLearn:
		left := nI - int(s.lastReveal+1) // positions still possible, in increasing order
		prefix, sealed := s.revealSizes()
		return encoding.SealedChunkSize(min(left, encoding.MaxChunkElements), prefix, sealed)
	case (s.state == stRespRecvFinish || s.state == stInitRecvConfirm) && t == encoding.TypeFinish:
		return encoding.FinishSize
	}
	return 0
}

// Send returns the next frame to deliver to the peer. It is valid only
// when Turn returns TurnSend; otherwise it returns an error matching
// ErrWrongTurn and changes nothing.
func (s *Session) Send() (encoding.Frame, error) {
	if s.Turn() != TurnSend {
		return encoding.Frame{}, fmt.Errorf("%w: Send called while the session expects to %v", ErrWrongTurn, s.Turn())
	}
	var (
		typ  encoding.MessageType
		body []byte
		err  error
	)
	switch s.state {
	case stSendAlert:
		s.state = stDone
		a := encoding.Alert{Code: s.alert}
		if a.Code == encoding.AlertContextMismatch {
			a.Context = s.cfg.Context // so the peer can name both contexts
		}
		body, _ = a.AppendBinary(nil)
		return s.frame(encoding.TypeAlert, body), nil
	case stInitSendHello, stRespSendReply:
		typ, body, err = s.sendHello()
	case stInitSendBlinded:
		typ, body, err = s.sendBlinded()
	case stRespSendEvaluated:
		typ, body, err = s.sendEvaluated()
	case stRespSendTags:
		typ, body, err = s.sendTags()
	case stInitSendReveal:
		typ, body, err = s.sendReveal()
	case stInitSendFinish:
		typ, body, err = s.sendFinish()
	case stRespSendConfirm:
		typ, body, err = s.sendConfirm()
	case stFastSendSetup:
		typ, body, err = s.sendOTSetup()
	case stFastSendMatrix:
		typ, body, err = s.sendMatrix()
	case stFastSendOTReply:
		typ, body, err = s.sendOTReply()
	case stFastSendTags:
		typ, body, err = s.sendOPRFTags()
	}
	if err != nil {
		return encoding.Frame{}, s.fail(err)
	}
	f := s.frame(typ, body)
	if typ == encoding.TypeHelloReply {
		s.deriveSessionID(f)
		if err := s.advance(); err != nil {
			// The reply is out; the alert follows it.
			s.fail(err)
		}
	}
	return f, nil
}

// sendBuffer returns an empty slice with room for a body of size bytes:
// the session's reused buffer when its driver allows it (reuseSend), a new
// one otherwise, so that a frame returned by Send stays valid for a caller
// that keeps it.
func (s *Session) sendBuffer(size int) []byte {
	if !s.reuseSend {
		return make([]byte, 0, size)
	}
	if cap(s.sendBuf) < size {
		s.sendBuf = make([]byte, 0, size)
	}
	return s.sendBuf[:0]
}

// frame wraps body in the next outgoing frame and adds it to the transcript.
func (s *Session) frame(typ encoding.MessageType, body []byte) encoding.Frame {
	f := encoding.Frame{Type: typ, Seq: s.sendSeq, Body: body}
	s.sendSeq++
	s.record(f)
	return f
}

// asyncRecordSize is the smallest frame body that Receive adds to the
// transcript while the frame is handled: hashing a matrix chunk (448 KiB)
// takes about 0.3 ms, starting a goroutine about a microsecond.
const asyncRecordSize = 64 << 10

func (s *Session) record(f encoding.Frame) {
	var hdr [encoding.HeaderSize]byte
	b, _ := encoding.Frame{Type: f.Type, Seq: f.Seq}.AppendBinary(hdr[:0])
	binary.BigEndian.PutUint32(b[10:14], uint32(len(f.Body)))
	s.transcript.Write(b)
	s.transcript.Write(f.Body)
}

// Receive consumes the next frame from the peer. It is valid only when
// Turn returns TurnReceive. Any error ends the session: Turn then returns
// TurnSend if an alert should be delivered to the peer, and TurnDone after
// that; Result returns the error. Receive keeps no reference to f.Body
// once it returns, so a transport may reuse the body's storage for the
// next frame (Run does).
func (s *Session) Receive(f encoding.Frame) error {
	if s.Turn() != TurnReceive {
		return fmt.Errorf("%w: Receive called while the session expects to %v", ErrWrongTurn, s.Turn())
	}
	if f.Type == encoding.TypeAlert {
		var a encoding.Alert
		if err := a.UnmarshalBinary(f.Body); err != nil {
			return s.fail(fmt.Errorf("%w: %w", ErrMalformed, err))
		}
		abort := &PeerAbortError{Code: a.Code}
		if a.Code == encoding.AlertContextMismatch {
			return s.fail(&ContextMismatchError{Context: s.cfg.Context, PeerContext: bytes.Clone(a.Context), abort: abort})
		}
		return s.fail(abort)
	}
	if f.Seq != s.recvSeq {
		return s.fail(fmt.Errorf("%w: got %s frame %d, expected frame %d", ErrSequence, f.Type, f.Seq, s.recvSeq))
	}
	// A large frame is added to the transcript while it is handled, on
	// another core when one is free, instead of after: no handler of a
	// large frame reads the transcript (only a Finish's does, and it is
	// small). A frame that fails is in the transcript too, which no longer
	// matters.
	var recorded chan struct{}
	if len(f.Body) >= asyncRecordSize && f.Type != encoding.TypeFinish {
		recorded = make(chan struct{})
		go func() {
			s.record(f)
			close(recorded)
		}()
	}
	var err error
	switch s.state {
	case stRespRecvHello:
		err = s.receiveHello(f)
	case stInitRecvReply:
		err = s.receiveReply(f)
	case stRespRecvBlinded:
		err = s.receiveBlinded(f)
	case stInitRecvAnswers:
		err = s.receiveAnswer(f)
	case stRespRecvFinish:
		err = s.receiveRevealOrFinish(f)
	case stInitRecvConfirm:
		err = s.receiveConfirm(f)
	case stFastRecvOTReply:
		err = s.receiveOTReply(f)
	case stFastRecvTags:
		err = s.receiveOPRFTags(f)
	case stFastRecvSetup:
		err = s.receiveOTSetup(f)
	case stFastRecvMatrix:
		err = s.receiveMatrix(f)
	}
	if recorded != nil {
		<-recorded
	}
	if err != nil {
		return s.fail(fmt.Errorf("%w (in %s frame %d)", err, f.Type, f.Seq))
	}
	if recorded == nil {
		s.record(f)
	}
	s.recvSeq++
	return nil
}

func (s *Session) expect(f encoding.Frame, want ...encoding.MessageType) error {
	if !slices.Contains(want, f.Type) {
		return fmt.Errorf("%w: %s frame where %v was expected", ErrUnexpectedMessage, f.Type, want)
	}
	return nil
}

func (s *Session) checkSession(got *[encoding.SessionIDSize]byte) error {
	if *got != s.sid {
		return ErrWrongSession
	}
	return nil
}

func decode(what interface{ UnmarshalBinary([]byte) error }, body []byte) error {
	if err := what.UnmarshalBinary(body); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return nil
}

// --- Handshake ---

func (s *Session) sendHello() (encoding.MessageType, []byte, error) {
	h := encoding.Hello{
		Suite:       s.offer(),
		Mode:        uint8(s.cfg.Mode),
		PayloadSize: uint16(s.cfg.PayloadSize),
		MaxSetSize:  uint32(s.cfg.maxSetSize()),
		SetSize:     uint32(len(s.set.Elements)),
		Context:     s.cfg.Context,
		Nonce:       s.nonce,
	}
	if s.role == RoleResponder {
		h.Suite = uint16(s.suite)
		h.MaxSetSize = uint32(s.agreedMax)
		reply := encoding.HelloReply{Hello: h}
		if s.suite == SuiteECDHRistretto255 {
			reply.Commitment = s.commit // suite 2 has no commitment: all zero
		}
		body, err := reply.AppendBinary(nil)
		return encoding.TypeHelloReply, body, err
	}
	body, err := h.AppendBinary(nil)
	if err != nil {
		return 0, nil, err
	}
	s.state = stInitRecvReply
	s.helloFrame, _ = encoding.Frame{Type: encoding.TypeHello, Seq: s.sendSeq, Body: body}.MarshalBinary()
	return encoding.TypeHello, body, nil
}

// setCommitment computes the responder's commitment B = b·G to its
// secret, which every Evaluated chunk's proof refers to.
func (s *Session) setCommitment() {
	new(ristretto255.Element).ScalarBaseMult(s.key).AppendBytes(s.commit[:0])
}

// checkPeerHello applies the rules both roles share: same mode, context
// and payload size. The suite is checked before, by each role's rule.
func (s *Session) checkPeerHello(h *encoding.Hello) error {
	switch {
	case Mode(h.Mode) != s.cfg.Mode:
		return fmt.Errorf("%w: peer wants %v, this party is configured for %v", ErrModeMismatch, Mode(h.Mode), s.cfg.Mode)
	case !bytes.Equal(h.Context, s.cfg.Context):
		return &ContextMismatchError{Context: s.cfg.Context, PeerContext: bytes.Clone(h.Context)}
	case int(h.PayloadSize) != s.cfg.PayloadSize:
		return fmt.Errorf("%w: peer uses %d bytes, this party %d", ErrPayloadMismatch, h.PayloadSize, s.cfg.PayloadSize)
	}
	return nil
}

func (s *Session) receiveHello(f encoding.Frame) error {
	if f.Type == encoding.TypeHelloReply {
		return fmt.Errorf("%w: a HelloReply where a Hello was expected, so both parties are responders", ErrRoleMismatch)
	}
	if err := s.expect(f, encoding.TypeHello); err != nil {
		return err
	}
	var h encoding.Hello
	if err := decode(&h, f.Body); err != nil {
		return err
	}
	suite, err := s.chooseSuite(h.Suite, h.SetSize)
	if err != nil {
		return err
	}
	if err := s.checkPeerHello(&h); err != nil {
		return err
	}
	s.suite = suite
	// Sizes are compared as declared (uint32) against int64 limits, so no
	// conversion can wrap on a 32-bit platform.
	agreedMax := min(int64(h.MaxSetSize), int64(s.cfg.maxSetSize()))
	if err := s.checkSizes(int64(h.SetSize), agreedMax); err != nil {
		return err
	}
	s.agreedMax = int(agreedMax)
	if err := s.admit(int(h.SetSize)); err != nil {
		return err
	}
	s.peerSize = int(h.SetSize)
	s.helloFrame, _ = f.MarshalBinary()
	s.state = stRespSendReply
	return nil
}

// checkSizes refuses a peer set or a local set above the agreed maximum.
func (s *Session) checkSizes(peerSize, agreedMax int64) error {
	if peerSize > agreedMax {
		return fmt.Errorf("%w: peer declares %d elements, agreed maximum is %d", ErrSetTooLarge, peerSize, agreedMax)
	}
	if int64(len(s.set.Elements)) > agreedMax {
		return fmt.Errorf("%w: local set of %d elements exceeds the agreed maximum of %d", ErrSetTooLarge, len(s.set.Elements), agreedMax)
	}
	return nil
}

func (s *Session) receiveReply(f encoding.Frame) error {
	if f.Type == encoding.TypeHello {
		return fmt.Errorf("%w: a Hello where a HelloReply was expected, so both parties are initiators", ErrRoleMismatch)
	}
	if err := s.expect(f, encoding.TypeHelloReply); err != nil {
		return err
	}
	var h encoding.HelloReply
	if err := decode(&h, f.Body); err != nil {
		return err
	}
	s.suite = Suite(h.Suite)
	if h.Suite == 0 || h.Suite > 16 || s.offer()&suiteBit(s.suite) == 0 {
		return fmt.Errorf("%w: the peer chose suite %d, which this party did not offer", ErrUnsupported, h.Suite)
	}
	if err := s.checkPeerHello(&h.Hello); err != nil {
		return err
	}
	if int64(h.MaxSetSize) > int64(s.cfg.maxSetSize()) {
		return fmt.Errorf("%w: peer announces a maximum of %d, above this party's %d", ErrSetTooLarge, h.MaxSetSize, s.cfg.maxSetSize())
	}
	if err := s.checkSizes(int64(h.SetSize), int64(h.MaxSetSize)); err != nil {
		return err
	}
	if s.suite == SuiteOTExtension {
		if h.Commitment != [encoding.ElementSize]byte{} {
			return fmt.Errorf("%w: a commitment in suite 2", ErrMalformed)
		}
	} else if err := s.setPeerCommitment(h.Commitment); err != nil {
		return err
	}
	if err := s.admit(int(h.SetSize)); err != nil {
		return err
	}
	s.agreedMax = int(h.MaxSetSize)
	s.peerSize = int(h.SetSize)
	s.deriveSessionID(f)
	return s.advance()
}

// setPeerCommitment decodes the responder's commitment B; the identity
// would make every proof trivial, so it is refused like any other
// invalid element.
func (s *Session) setPeerCommitment(b [encoding.ElementSize]byte) error {
	p, err := new(ristretto255.Element).SetCanonicalBytes(b[:])
	if err != nil || p.IsIdentity() == 1 {
		return fmt.Errorf("%w: commitment", ErrInvalidElement)
	}
	s.commit, s.commitPt = b, p
	return nil
}

// admit applies the caller's admission policy to the peer's declared set
// size, before any work on elements.
func (s *Session) admit(peerSize int) error {
	if s.cfg.Admit == nil {
		return nil
	}
	if err := s.cfg.Admit(peerSize); err != nil {
		return fmt.Errorf("%w: %w", ErrRefused, err)
	}
	return nil
}

// progress reports a phase's progress to the caller, if it asked.
func (s *Session) progress(phase string, done, total int) {
	if s.cfg.Progress != nil {
		s.cfg.Progress(Progress{Phase: phase, Done: done, Total: total})
	}
}

// deriveSessionID computes the session ID from both handshake frames
// (PROTOCOL.md §Primitives, "Session ID") and starts the transcript with them.
func (s *Session) deriveSessionID(reply encoding.Frame) {
	replyBytes, _ := reply.MarshalBinary()
	h := sha256.New()
	h.Write([]byte(labelSessionID))
	h.Write([]byte{0})
	h.Write(s.helloFrame)
	h.Write(replyBytes)
	// The binding is fixed-length after hashing, so it cannot run into
	// the frames before it.
	binding := sha256.Sum256(s.cfg.ChannelBinding)
	h.Write(binding[:])
	h.Sum(s.sid[:0])
	s.helloFrame = nil
}

// advance moves past the handshake into the first phase with work in it;
// phases with no elements have no frames, so both parties skip them alike.
func (s *Session) advance() error {
	if s.suite == SuiteOTExtension {
		return s.advanceFast()
	}
	nI, nR := len(s.set.Elements), s.peerSize
	if s.role == RoleResponder {
		nI, nR = s.peerSize, len(s.set.Elements)
	}
	s.done = 0
	switch s.role {
	case RoleInitiator:
		// Local sizes only: the peer's declared size buys it no memory here.
		s.ownPoints = make([]byte, nI*encoding.ElementSize)
		s.ownTags = make(map[[encoding.TagSize]byte]int32, nI)
		s.peerTags = make(map[[encoding.TagSize]byte]struct{}, min(nR, encoding.MaxChunkElements))
		switch {
		case nI > 0:
			s.state = stInitSendBlinded
		case nR > 0:
			s.state = stInitRecvAnswers
		default:
			s.finishAnswers()
		}
	case RoleResponder:
		// Evaluations and proofs grow as Blinded chunks arrive.
		s.evaluated, s.proofs = nil, nil
		s.lastReveal = -1
		switch {
		case nI > 0:
			s.state = stRespRecvBlinded
		case nR > 0:
			s.state = stRespSendTags
			if err := s.prepareTags(); err != nil {
				return err
			}
		default:
			s.state = stRespRecvFinish
		}
	}
	return nil
}
