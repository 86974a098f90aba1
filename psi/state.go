package psi

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	stdencoding "encoding"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/internal/ristretto255"
)

// Errors returned by ResumeSession. Each is wrapped
// with context that names the field or check at fault, never its contents.
var (
	// ErrStateMismatch reports a saved state that is well formed but was
	// made by the other role, or under another Config (context, mode,
	// payload size, maximum set size, channel binding) or another Set
	// (elements or payloads) than the ones passed to resume it.
	ErrStateMismatch = errors.New("psi: saved state belongs to another role, configuration or set")
	// ErrStateCorrupt reports a saved state that is truncated, altered, of
	// an unknown version, or inconsistent with itself.
	ErrStateCorrupt = errors.New("psi: saved state is corrupt")
)

// Saved-state format (see MarshalState). The state codes are part of the
// format and independent of the session's internal state numbering.
const (
	// labelStateInputs separates the digest of a session's inputs from
	// every other hash of the protocol.
	labelStateInputs = "reunite-psi-v2 saved state inputs"
)

var stateCodes = map[state]uint8{
	stInitRecvReply:   1,
	stInitRecvAnswers: 2,
	stInitRecvConfirm: 3,
	stRespRecvHello:   4,
	stRespRecvBlinded: 5,
	stRespRecvFinish:  6,
	stDone:            7,
}

// MarshalState returns the session's complete state, so that a process can
// stop between two messages and a later one can continue the session with
// ResumeSession (for example when messages travel as
// files by secure mail, days apart).
//
// THE STATE IS SECRET. Until the session is done it holds this party's
// secret scalar and the values derived from it, which together with the
// messages on the wire reveal which elements this party holds. Protect it
// like a private key: store it only where the agency keeps its signing keys
// (encrypted at rest, readable only by the service account), never log it,
// send it or keep copies of it, and delete it when the session is over. A
// done session's state holds no scalar but still holds the result.
//
// Continue each session along one line of states: never send messages
// from two sessions resumed from the same state, nor resume a state older
// than the last one from which this party sent a message. A peer that sees
// the same secret answer two different messages can test twice as many
// guesses as the session allowed. Save the state before delivering the
// frames produced since the last save, and continue from the newest one.
//
// MarshalState works only at a message boundary where nothing is owed to
// the peer: when Turn returns TurnReceive (the session waits for the peer)
// or TurnDone. At TurnSend it returns an error matching ErrWrongTurn: send
// the pending frames first. A failed session cannot be saved; MarshalState
// then returns the error that ended it. MarshalState does not change the
// session, which can go on being used.
//
// The format (encoding.SessionState) is versioned, length-checked binary
// with a SHA-256 checksum;
// it binds the state to a digest of the session's Config and Set, which
// resuming checks. Callbacks (Config.Admit, Config.Progress) are not saved:
// the Config passed to resume supplies them.
func (s *Session) MarshalState() ([]byte, error) {
	if s.err != nil {
		return nil, fmt.Errorf("psi: a failed session cannot be saved: %w", s.err)
	}
	if s.cfg.offersFast() {
		return nil, errFastState
	}
	code, ok := stateCodes[s.state]
	if !ok {
		return nil, fmt.Errorf("%w: MarshalState called while the session expects to %v; a session can be saved only when it waits for the peer or is done", ErrWrongTurn, s.Turn())
	}
	tm, ok := s.transcript.(stdencoding.BinaryMarshaler)
	if !ok {
		return nil, errors.New("psi: transcript hash cannot be saved") // crypto/sha256 always can
	}
	transcript, err := tm.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("psi: saving the transcript hash: %w", err)
	}
	st := encoding.SessionState{
		Role: uint8(s.role), State: code, PayloadSize: uint16(s.cfg.PayloadSize),
		InputsDigest: inputsDigest(&s.cfg, &s.set),
		Nonce:        s.nonce, SendSeq: s.sendSeq, RecvSeq: s.recvSeq,
		Transcript: transcript, Hello: s.helloFrame, SessionID: s.sid,
		AgreedMax: uint32(s.agreedMax), PeerSize: uint32(s.peerSize),
	}
	p := s.cfg.PayloadSize
	if stateNeedsKey(s.state) {
		copy(st.Key[:], s.key.Bytes())
	}
	switch s.state {
	case stInitRecvAnswers:
		// Progress through a stream matters only while receiving one; the
		// peer's commitment, while its proofs are still to come.
		st.Done, st.Commitment = uint32(s.done), s.commit
		// Unblinded (and still blinded) points, the peer's tags so far
		// (sorted, so the encoding is canonical), matches found so far.
		st.OwnPoints, st.PeerTags = s.ownPoints, sortedKeys(s.peerTags)
		for i, m := range s.found {
			f := encoding.StateFound{Own: uint32(m.own), Position: m.position, Opened: 1}
			if s.payloads != nil {
				f.Payload = s.payloads[i]
			}
			if f.Payload == nil {
				f.Payload = make([]byte, p)
				if p > 0 {
					f.Opened = 0 // a seal that did not open; see badPayloads
				}
			}
			st.Found = append(st.Found, f)
		}
	case stInitRecvConfirm:
		st.Revealed = uint32(s.revealed) // checked against the responder's Finish, then unused
	case stRespRecvBlinded:
		st.Done = uint32(s.done)
		st.Proofs, st.Evaluated = s.proofs, slices.Concat(s.evaluated...)
		st.LastReveal = uint32(s.lastReveal + 1)
	case stRespRecvFinish:
		st.TagOrder = make([]byte, 0, 4*len(s.tagOrder))
		for _, v := range s.tagOrder {
			st.TagOrder = binary.BigEndian.AppendUint32(st.TagOrder, uint32(v))
		}
		st.TagPoints = slices.Concat(s.tagPoints...)
		st.LastReveal = uint32(s.lastReveal + 1)
	}
	st.BadPayloads = uint32(s.badPayloads)

	s.flushRevealed()
	matches, cardinality := s.matches, s.cardinality
	if s.state == stDone {
		matches, cardinality = s.result.Matches, s.result.Cardinality
		if s.result.Learned {
			st.Learned = 1
		}
		st.ResultTranscript = s.result.Transcript
	}
	for _, m := range matches {
		payload := m.PeerPayload
		if payload == nil {
			payload = []byte{}
		}
		st.Matches = append(st.Matches, encoding.StateMatch{Index: uint32(m.Index), Handle: m.Handle, PeerPayload: payload[:p]})
	}
	st.Cardinality = uint32(cardinality)
	out, err := st.AppendBinary(nil)
	if err != nil {
		return nil, fmt.Errorf("psi: encoding the state: %w", err)
	}
	return out, nil
}

// ResumeSession continues a session from a state returned by MarshalState.
// cfg and set must be the ones the session was created with (the callbacks
// in cfg may differ): a state made under another configuration, with
// another set or by the other role (cfg.Role) is refused with an error
// matching ErrStateMismatch, and a truncated, altered or inconsistent state
// with one matching ErrStateCorrupt. The set's slices are used in place, as
// by NewSession. See MarshalState for how to keep the state safe, and why a
// state must be resumed only once.
func ResumeSession(cfg Config, set Set, state []byte) (*Session, error) {
	return resumeSession(cfg, set, state)
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrStateCorrupt}, args...)...)
}

// stateNeedsKey reports whether the session still uses its secret scalar
// in state st. Later states keep only values derived from it, so their saved
// state does not hold it.
func stateNeedsKey(st state) bool {
	switch st {
	case stInitRecvReply, stInitRecvAnswers, stRespRecvHello, stRespRecvBlinded:
		return true
	}
	return false
}

func resumeSession(cfg Config, set Set, saved []byte) (*Session, error) {
	// Format first, so that garbage is reported as corrupt rather than as
	// a mismatch.
	var in encoding.SessionState
	if err := in.UnmarshalBinary(saved); err != nil {
		return nil, corrupt("%v", err)
	}
	if err := checkInputs(cfg, set); err != nil {
		return nil, err
	}
	if cfg.offersFast() {
		return nil, errFastState
	}
	role := cfg.Role
	if in.Role != uint8(RoleInitiator) && in.Role != uint8(RoleResponder) {
		return nil, corrupt("role %d", in.Role)
	}
	if Role(in.Role) != role {
		return nil, fmt.Errorf("%w: the state is a %v's, resumed as %v", ErrStateMismatch, Role(in.Role), role)
	}
	if want := inputsDigest(&cfg, &set); in.InputsDigest != want {
		return nil, fmt.Errorf("%w: the configuration or set differs from the one the session was created with", ErrStateMismatch)
	}
	if int(in.PayloadSize) != cfg.PayloadSize {
		return nil, corrupt("payload size differs from the configuration's") // the digest covers it
	}
	st := state(0)
	for k, v := range stateCodes {
		if v == in.State {
			st = k
		}
	}
	initiatorState := st == stInitRecvReply || st == stInitRecvAnswers || st == stInitRecvConfirm
	responderState := st == stRespRecvHello || st == stRespRecvBlinded || st == stRespRecvFinish
	if st == 0 || (role == RoleInitiator && responderState) || (role == RoleResponder && initiatorState) {
		return nil, corrupt("state code %d is not a resumable %v state", in.State, role)
	}

	s := &Session{
		role:       role,
		cfg:        cfg,
		set:        set,
		rand:       bufio.NewReader(rand.Reader),
		transcript: sha256.New(),
		state:      st,
		nonce:      in.Nonce,
		sendSeq:    in.SendSeq,
		recvSeq:    in.RecvSeq,
		sid:        in.SessionID,
	}
	if st != stInitRecvReply && st != stRespRecvHello {
		s.suite = SuiteECDHRistretto255 // the only suite with saved state
	}

	// Secret scalar.
	if stateNeedsKey(st) {
		s.key = new(ristretto255.Scalar)
		if _, err := s.key.SetCanonicalBytes(in.Key[:]); err != nil {
			return nil, corrupt("secret scalar is not canonical")
		}
		if s.key.Equal(new(ristretto255.Scalar)) == 1 {
			return nil, corrupt("secret scalar is zero")
		}
		if role == RoleInitiator {
			s.keyInv = new(ristretto255.Scalar).Invert(s.key)
		} else {
			s.setCommitment()
		}
	} else if in.Key != [32]byte{} {
		return nil, corrupt("secret scalar present in a state that no longer uses it")
	}

	// The responder's commitment, which the initiator needs until the
	// last proof has arrived.
	if st == stInitRecvAnswers {
		if s.setPeerCommitment(in.Commitment) != nil {
			return nil, corrupt("peer commitment is not a valid element")
		}
	} else if in.Commitment != [32]byte{} {
		return nil, corrupt("peer commitment in a state that does not use it")
	}

	// Transcript hash: it must re-encode to the same bytes, so that every
	// saved state has one encoding.
	if err := s.transcript.(stdencoding.BinaryUnmarshaler).UnmarshalBinary(in.Transcript); err != nil {
		return nil, corrupt("transcript hash state")
	}
	if again, _ := s.transcript.(stdencoding.BinaryMarshaler).MarshalBinary(); !bytes.Equal(again, in.Transcript) {
		return nil, corrupt("transcript hash state is not canonical")
	}

	// Initiator's Hello, kept until the reply arrives.
	if st == stInitRecvReply {
		f, err := encoding.ParseFrame(in.Hello)
		if err != nil || f.Type != encoding.TypeHello || f.Seq != 0 {
			return nil, corrupt("saved Hello frame")
		}
		s.helloFrame = in.Hello
	} else if len(in.Hello) != 0 {
		return nil, corrupt("saved Hello frame in a state past the handshake")
	}

	// Sizes agreed in the handshake.
	nI := len(set.Elements)
	handshakeDone := st != stInitRecvReply && st != stRespRecvHello
	if handshakeDone {
		if int64(in.AgreedMax) > int64(cfg.maxSetSize()) || in.PeerSize > in.AgreedMax || int64(nI) > int64(in.AgreedMax) {
			return nil, corrupt("set sizes exceed the agreed maximum")
		}
	} else if in.AgreedMax != 0 || in.PeerSize != 0 || s.sid != [32]byte{} {
		return nil, corrupt("handshake values in a state before the handshake")
	}
	if int64(in.Done) > int64(nI)+int64(in.PeerSize) {
		return nil, corrupt("progress beyond the elements expected")
	}
	s.agreedMax, s.peerSize, s.done = int(in.AgreedMax), int(in.PeerSize), int(in.Done)
	nP := s.peerSize

	// Where the session is within a chunked stream: only chunk boundaries
	// are possible.
	switch st {
	case stInitRecvAnswers:
		switch {
		case nI+nP == 0 || s.done >= nI+nP:
			return nil, corrupt("progress beyond the answers expected")
		case s.done < nI && s.done%encoding.MaxChunkElements != 0,
			s.done >= nI && (s.done-nI)%encoding.MaxChunkElements != 0:
			return nil, corrupt("progress not at a chunk boundary")
		}
	case stRespRecvBlinded:
		if s.done >= nP || s.done%encoding.MaxChunkElements != 0 {
			return nil, corrupt("progress not at a chunk boundary")
		}
	default:
		if s.done != 0 {
			return nil, corrupt("progress in a state without a stream")
		}
	}

	if err := s.resumeInitiator(&in, nI, nP); err != nil {
		return nil, err
	}
	if err := s.resumeResponder(&in, nI, nP); err != nil {
		return nil, err
	}
	if err := s.resumeOutputs(&in, nI, nP); err != nil {
		return nil, err
	}
	return s, nil
}

// resumeInitiator takes the initiator's working state: unblinded points,
// peer tags, matches found so far and the reveal count.
func (s *Session) resumeInitiator(in *encoding.SessionState, nI, nP int) error {
	p := s.cfg.PayloadSize
	if s.state != stInitRecvAnswers {
		if len(in.OwnPoints) != 0 || len(in.PeerTags) != 0 || len(in.Found) != 0 {
			return corrupt("initiator answer state in another state")
		}
	} else {
		if len(in.OwnPoints) != nI*encoding.ElementSize {
			return corrupt("unblinded points for %d elements, set has %d", len(in.OwnPoints)/encoding.ElementSize, nI)
		}
		received := max(0, s.done-nI)
		if len(in.PeerTags) != received*encoding.TagSize {
			return corrupt("peer tags do not match the progress")
		}
		if len(in.Found) > received {
			return corrupt("more matches than tags received")
		}
		s.ownPoints = in.OwnPoints
		if s.ownPoints == nil {
			s.ownPoints = []byte{}
		}
		s.ownTags = make(map[[encoding.TagSize]byte]int32, nI)
		for i := range min(s.done, nI) {
			t := tagOf(&s.sid, s.ownPoints[i*encoding.ElementSize:(i+1)*encoding.ElementSize])
			if _, dup := s.ownTags[t]; dup {
				return corrupt("unblinded points repeat")
			}
			s.ownTags[t] = int32(i)
		}
		s.peerTags = make(map[[encoding.TagSize]byte]struct{}, min(nP, encoding.MaxChunkElements)) // as advance does after the handshake
		var prev []byte
		for i := 0; i < len(in.PeerTags); i += encoding.TagSize {
			t := in.PeerTags[i : i+encoding.TagSize]
			if prev != nil && bytes.Compare(prev, t) >= 0 {
				return corrupt("peer tags not in strictly increasing order")
			}
			prev = t
			s.peerTags[[encoding.TagSize]byte(t)] = struct{}{}
		}
		owns := make(map[int32]struct{}, len(in.Found))
		for i, f := range in.Found {
			if f.Opened == 0 && (p == 0 || !allZero(f.Payload)) {
				return corrupt("payload flag")
			}
			if int64(f.Own) >= int64(nI) || int64(f.Position) >= int64(received) || (i > 0 && f.Position <= s.found[i-1].position) {
				return corrupt("match found out of range or order")
			}
			if _, dup := owns[int32(f.Own)]; dup {
				return corrupt("match found twice")
			}
			owns[int32(f.Own)] = struct{}{}
			var payload []byte
			if p > 0 && f.Opened == 1 {
				payload = f.Payload
			}
			s.addFound(found{own: int32(f.Own), position: f.Position}, payload)
		}
	}
	if int64(in.Revealed) > int64(nI) || (in.Revealed != 0 && s.state != stInitRecvConfirm) {
		return corrupt("reveal count")
	}
	if int64(in.BadPayloads) > int64(len(in.Found)) {
		return corrupt("bad payload count")
	}
	s.revealed = int(in.Revealed)
	s.badPayloads = int(in.BadPayloads)
	return nil
}

// resumeResponder takes the responder's working state: evaluations and
// their proofs so far, tag order and points, and the last revealed
// position.
func (s *Session) resumeResponder(in *encoding.SessionState, nI, nP int) error {
	switch s.state {
	case stRespRecvBlinded:
		wantProofs := s.done / encoding.MaxChunkElements * proofSize
		if s.cfg.Mode == CardinalityOnly {
			wantProofs = 0
		}
		if len(in.Proofs) != wantProofs || len(in.Evaluated) != s.done*encoding.ElementSize || len(in.TagOrder) != 0 || len(in.TagPoints) != 0 || in.LastReveal != 0 {
			return corrupt("evaluation state does not match the progress")
		}
		s.proofs = in.Proofs
		s.evaluated = splitChunks(in.Evaluated)
		s.lastReveal = -1
	case stRespRecvFinish:
		if len(in.Proofs) != 0 || len(in.Evaluated) != 0 || len(in.TagOrder) != 4*nI || len(in.TagPoints) != nI*encoding.ElementSize || int64(in.LastReveal) > int64(nI) {
			return corrupt("tag state does not match the set")
		}
		if nI > 0 {
			s.tagOrder = make([]int32, nI)
			used := make([]bool, nI)
			for i := range s.tagOrder {
				v := binary.BigEndian.Uint32(in.TagOrder[4*i:])
				if int64(v) >= int64(nI) || used[v] {
					return corrupt("tag order is not a permutation")
				}
				used[v] = true
				s.tagOrder[i] = int32(v)
			}
			s.tagPoints = splitChunks(in.TagPoints)
		}
		s.lastReveal = int64(in.LastReveal) - 1
	default:
		if len(in.Proofs) != 0 || len(in.Evaluated) != 0 || len(in.TagOrder) != 0 || len(in.TagPoints) != 0 || in.LastReveal != 0 {
			return corrupt("responder working state in another state")
		}
	}
	return nil
}

// splitChunks cuts a saved stream of points into the chunks a session
// keeps them in (Session.evaluated, Session.tagPoints).
func splitChunks(b []byte) [][]byte {
	var chunks [][]byte
	for len(b) > 0 {
		k := min(len(b), encoding.MaxChunkElements*encoding.ElementSize)
		chunks = append(chunks, b[:k:k])
		b = b[k:]
	}
	return chunks
}

// resumeOutputs takes the matches, cardinality and, for a done session, the
// result; it checks them against the state and the set sizes.
func (s *Session) resumeOutputs(in *encoding.SessionState, nI, nP int) error {
	p := s.cfg.PayloadSize
	if len(in.Matches) > nI {
		return corrupt("more matches than elements")
	}
	var matches []Match
	seen := make(map[int]struct{}, len(in.Matches))
	for _, im := range in.Matches {
		if int64(im.Index) >= int64(nI) {
			return corrupt("match index out of range")
		}
		if _, dup := seen[int(im.Index)]; dup {
			return corrupt("match index repeats")
		}
		seen[int(im.Index)] = struct{}{}
		m := Match{Index: int(im.Index), Handle: im.Handle}
		if p > 0 {
			m.PeerPayload = im.PeerPayload
		}
		matches = append(matches, m)
	}
	cardinality, learned := in.Cardinality, in.Learned
	sorted := func() bool {
		for i := 1; i < len(matches); i++ {
			if matches[i].Index <= matches[i-1].Index {
				return false
			}
		}
		return true
	}
	if int64(cardinality) > int64(min(nI, nP)) || int64(len(matches)) > int64(nP) {
		return corrupt("more matches than the smaller set")
	}
	mode := s.cfg.Mode
	switch s.state {
	case stInitRecvConfirm:
		want := 0
		if mode == BothLearn {
			want = int(cardinality)
		}
		if s.revealed != want {
			return corrupt("reveal count does not match the matches")
		}
		if (mode == CardinalityOnly && len(matches) != 0) || (mode != CardinalityOnly && len(matches) != int(cardinality)) || !sorted() {
			return corrupt("matches do not agree with the cardinality")
		}
	case stRespRecvFinish:
		if cardinality != 0 || (mode != BothLearn && len(matches) != 0) || int64(len(matches)) > s.lastReveal+1 {
			return corrupt("revealed matches do not agree with the reveal progress")
		}
	case stDone:
		wantLearned := s.role == RoleInitiator || mode == BothLearn
		if (learned == 1) != wantLearned {
			return corrupt("result's learned flag")
		}
		switch {
		case !wantLearned && (len(matches) != 0 || cardinality != 0),
			mode == CardinalityOnly && len(matches) != 0,
			wantLearned && mode != CardinalityOnly && len(matches) != int(cardinality),
			!sorted():
			return corrupt("result's matches do not agree with its cardinality")
		}
		s.result = &Result{
			Role: s.role, Mode: mode, Suite: SuiteECDHRistretto255, Learned: wantLearned, LowerBound: wantLearned && s.role == RoleResponder,
			Matches: matches, Cardinality: int(cardinality),
			LocalSetSize: nI, PeerSetSize: nP, SessionID: s.sid, Transcript: in.ResultTranscript,
		}
	default:
		if len(matches) != 0 || cardinality != 0 {
			return corrupt("matches in a state that has none yet")
		}
	}
	if s.state != stDone && (learned != 0 || in.ResultTranscript != [32]byte{}) {
		return corrupt("result in a state that is not done")
	}
	s.matches, s.cardinality = matches, int(cardinality)
	return nil
}

// inputsDigest is the SHA-256 of everything about a session's inputs that
// a saved state depends on, in an unambiguous encoding.
func inputsDigest(cfg *Config, set *Set) [32]byte {
	h := sha256.New()
	b := append([]byte(labelStateInputs), 0)
	b = binary.BigEndian.AppendUint16(b, uint16(SuiteECDHRistretto255))
	b = append(b, byte(cfg.Mode))
	b = binary.BigEndian.AppendUint16(b, uint16(cfg.PayloadSize))
	b = binary.BigEndian.AppendUint32(b, uint32(cfg.maxSetSize()))
	b = append(b, byte(len(cfg.Context)))
	b = append(b, cfg.Context...)
	b = append(b, byte(len(cfg.ChannelBinding)))
	b = append(b, cfg.ChannelBinding...)
	b = binary.BigEndian.AppendUint64(b, uint64(len(set.Elements)))
	h.Write(b)
	var l [8]byte
	for i, e := range set.Elements {
		binary.BigEndian.PutUint64(l[:], uint64(len(e)))
		h.Write(l[:])
		h.Write(e)
		if cfg.PayloadSize > 0 {
			h.Write(set.Payloads[i])
		}
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// sortedKeys returns the keys of m concatenated in increasing order, so the
// saved state does not depend on map iteration order.
func sortedKeys(m map[[16]byte]struct{}) []byte {
	keys := make([][16]byte, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [16]byte) int { return bytes.Compare(a[:], b[:]) })
	out := make([]byte, 0, len(keys)*16)
	for _, k := range keys {
		out = append(out, k[:]...)
	}
	return out
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
