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

	"golang.org/x/crypto/cryptobyte"

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
	stateVersion = 2
	stateMagic   = "RNTS"
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
// The format is versioned, length-checked binary with a SHA-256 checksum;
// it binds the state to a digest of the session's Config and Set, which
// resuming checks. Callbacks (Config.Admit, Config.Progress) are not saved:
// the Config passed to resume supplies them.
func (s *Session) MarshalState() ([]byte, error) {
	if s.err != nil {
		return nil, fmt.Errorf("psi: a failed session cannot be saved: %w", s.err)
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
	digest := inputsDigest(&s.cfg, &s.set)
	p := s.cfg.PayloadSize

	b := cryptobyte.NewBuilder(nil)
	b.AddBytes([]byte(stateMagic))
	b.AddUint8(stateVersion)
	b.AddUint8(uint8(s.role))
	b.AddUint8(code)
	b.AddBytes(digest[:])
	var key [32]byte
	if stateNeedsKey(s.state) {
		copy(key[:], s.key.Bytes())
	}
	b.AddBytes(key[:])
	b.AddBytes(s.nonce[:])
	b.AddUint32(s.sendSeq)
	b.AddUint32(s.recvSeq)
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(transcript) })
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(s.helloFrame) })
	b.AddBytes(s.sid[:])
	var commit [32]byte // the peer's commitment, while its proofs are still to come
	if s.state == stInitRecvAnswers {
		commit = s.commit
	}
	b.AddBytes(commit[:])
	b.AddUint32(uint32(s.agreedMax))
	b.AddUint32(uint32(s.peerSize))
	done := 0 // progress through a stream matters only while receiving one
	if s.state == stInitRecvAnswers || s.state == stRespRecvBlinded {
		done = s.done
	}
	b.AddUint32(uint32(done))

	// Initiator: unblinded points, the peer's tags so far (sorted, so the
	// encoding is canonical), matches found so far, reveal count.
	var ownPoints, peerTags []byte
	var found []found
	if s.state == stInitRecvAnswers {
		ownPoints, peerTags, found = s.ownPoints, sortedKeys(s.peerTags), s.found
	}
	addBytes32(b, ownPoints)
	addBytes32(b, peerTags)
	b.AddUint32(uint32(len(found)))
	for _, m := range found {
		b.AddUint32(uint32(m.own))
		b.AddUint32(m.position)
		payload, opened := m.payload, uint8(1)
		if payload == nil {
			payload = make([]byte, p)
			if p > 0 {
				opened = 0 // a seal that did not open; see badPayloads
			}
		}
		b.AddUint8(opened)
		b.AddBytes(payload[:p])
	}
	revealed := 0 // checked against the responder's Finish, then unused
	if s.state == stInitRecvConfirm {
		revealed = s.revealed
	}
	b.AddUint32(uint32(revealed))
	b.AddUint32(uint32(s.badPayloads))

	// Responder: evaluations and their proofs so far, tag order and
	// points, last revealed position.
	var proofs, evaluated, tagOrder, tagPoints []byte
	var lastReveal uint32
	switch s.state {
	case stRespRecvBlinded:
		proofs, evaluated = s.proofs, s.evaluated
		lastReveal = uint32(s.lastReveal + 1)
	case stRespRecvFinish:
		tagOrder = make([]byte, 0, 4*len(s.tagOrder))
		for _, v := range s.tagOrder {
			tagOrder = binary.BigEndian.AppendUint32(tagOrder, uint32(v))
		}
		tagPoints = s.tagPoints
		lastReveal = uint32(s.lastReveal + 1)
	}
	addBytes32(b, proofs)
	addBytes32(b, evaluated)
	addBytes32(b, tagOrder)
	addBytes32(b, tagPoints)
	b.AddUint32(lastReveal)

	// Outputs.
	matches, cardinality := s.matches, s.cardinality
	var learned uint8
	var resultTranscript [32]byte
	if s.state == stDone {
		matches, cardinality = s.result.Matches, s.result.Cardinality
		if s.result.Learned {
			learned = 1
		}
		resultTranscript = s.result.Transcript
	}
	b.AddUint32(uint32(len(matches)))
	for _, m := range matches {
		b.AddUint32(uint32(m.Index))
		b.AddBytes(m.Handle[:])
		b.AddBytes(m.PeerPayload[:p])
	}
	b.AddUint32(uint32(cardinality))
	b.AddUint8(learned)
	b.AddBytes(resultTranscript[:])

	out, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("psi: encoding the state: %w", err)
	}
	sum := sha256.Sum256(out)
	return append(out, sum[:]...), nil
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
	const trailer = sha256.Size
	if len(saved) < len(stateMagic)+1+trailer || string(saved[:len(stateMagic)]) != stateMagic {
		return nil, corrupt("not a saved psi session")
	}
	if v := saved[len(stateMagic)]; v != stateVersion {
		return nil, corrupt("version %d, this build reads version %d", v, stateVersion)
	}
	body := saved[:len(saved)-trailer]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], saved[len(body):]) {
		return nil, corrupt("checksum does not match (truncated or altered)")
	}
	if err := checkInputs(cfg, set); err != nil {
		return nil, err
	}
	role := cfg.Role

	in := cryptobyte.String(body[len(stateMagic)+1:])
	var savedRole, code uint8
	var digest [32]byte
	if !in.ReadUint8(&savedRole) || !in.ReadUint8(&code) || !in.CopyBytes(digest[:]) {
		return nil, corrupt("header truncated")
	}
	if savedRole != uint8(RoleInitiator) && savedRole != uint8(RoleResponder) {
		return nil, corrupt("role %d", savedRole)
	}
	if Role(savedRole) != role {
		return nil, fmt.Errorf("%w: the state is a %v's, resumed as %v", ErrStateMismatch, Role(savedRole), role)
	}
	if want := inputsDigest(&cfg, &set); digest != want {
		return nil, fmt.Errorf("%w: the configuration or set differs from the one the session was created with", ErrStateMismatch)
	}
	st := state(0)
	for k, v := range stateCodes {
		if v == code {
			st = k
		}
	}
	initiatorState := st == stInitRecvReply || st == stInitRecvAnswers || st == stInitRecvConfirm
	responderState := st == stRespRecvHello || st == stRespRecvBlinded || st == stRespRecvFinish
	if st == 0 || (role == RoleInitiator && responderState) || (role == RoleResponder && initiatorState) {
		return nil, corrupt("state code %d is not a resumable %v state", code, role)
	}

	s := &Session{
		role:       role,
		cfg:        cfg,
		set:        set,
		rand:       bufio.NewReader(rand.Reader),
		transcript: sha256.New(),
		state:      st,
	}
	var (
		key                       [32]byte
		transcript, hello         cryptobyte.String
		agreedMax, peerSize, done uint32
		commit                    [32]byte
	)
	if !in.CopyBytes(key[:]) || !in.CopyBytes(s.nonce[:]) || !in.ReadUint32(&s.sendSeq) || !in.ReadUint32(&s.recvSeq) ||
		!in.ReadUint8LengthPrefixed(&transcript) || !in.ReadUint16LengthPrefixed(&hello) || !in.CopyBytes(s.sid[:]) ||
		!in.CopyBytes(commit[:]) || !in.ReadUint32(&agreedMax) || !in.ReadUint32(&peerSize) || !in.ReadUint32(&done) {
		return nil, corrupt("truncated")
	}

	// Secret scalar.
	if stateNeedsKey(st) {
		s.key = new(ristretto255.Scalar)
		if _, err := s.key.SetCanonicalBytes(key[:]); err != nil {
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
	} else if key != [32]byte{} {
		return nil, corrupt("secret scalar present in a state that no longer uses it")
	}

	// The responder's commitment, which the initiator needs until the
	// last proof has arrived.
	if st == stInitRecvAnswers {
		if s.setPeerCommitment(commit) != nil {
			return nil, corrupt("peer commitment is not a valid element")
		}
	} else if commit != [32]byte{} {
		return nil, corrupt("peer commitment in a state that does not use it")
	}

	// Transcript hash: it must re-encode to the same bytes, so that every
	// saved state has one encoding.
	if err := s.transcript.(stdencoding.BinaryUnmarshaler).UnmarshalBinary(transcript); err != nil {
		return nil, corrupt("transcript hash state")
	}
	if again, _ := s.transcript.(stdencoding.BinaryMarshaler).MarshalBinary(); !bytes.Equal(again, transcript) {
		return nil, corrupt("transcript hash state is not canonical")
	}

	// Initiator's Hello, kept until the reply arrives.
	if st == stInitRecvReply {
		f, err := encoding.ParseFrame(hello)
		if err != nil || f.Type != encoding.TypeHello || f.Seq != 0 {
			return nil, corrupt("saved Hello frame")
		}
		s.helloFrame = bytes.Clone(hello)
	} else if len(hello) != 0 {
		return nil, corrupt("saved Hello frame in a state past the handshake")
	}

	// Sizes agreed in the handshake.
	nI := len(set.Elements)
	handshakeDone := st != stInitRecvReply && st != stRespRecvHello
	if handshakeDone {
		if int64(agreedMax) > int64(cfg.maxSetSize()) || peerSize > agreedMax || int64(nI) > int64(agreedMax) {
			return nil, corrupt("set sizes exceed the agreed maximum")
		}
	} else if agreedMax != 0 || peerSize != 0 || s.sid != [32]byte{} {
		return nil, corrupt("handshake values in a state before the handshake")
	}
	s.agreedMax, s.peerSize, s.done = int(agreedMax), int(peerSize), int(done)
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

	p := cfg.PayloadSize
	if err := s.resumeInitiator(&in, nI, nP, p); err != nil {
		return nil, err
	}
	if err := s.resumeResponder(&in, nI, nP); err != nil {
		return nil, err
	}
	if err := s.resumeOutputs(&in, nI, nP, p); err != nil {
		return nil, err
	}
	return s, nil
}

// resumeInitiator reads the initiator's working state: unblinded points,
// peer tags, matches found so far and the reveal count.
func (s *Session) resumeInitiator(in *cryptobyte.String, nI, nP, p int) error {
	var ownPoints, peerTags cryptobyte.String
	var nFound, revealed uint32
	if !readBytes32(in, &ownPoints) || !readBytes32(in, &peerTags) || !in.ReadUint32(&nFound) {
		return corrupt("truncated")
	}
	if s.state != stInitRecvAnswers {
		if len(ownPoints) != 0 || len(peerTags) != 0 || nFound != 0 {
			return corrupt("initiator answer state in another state")
		}
	} else {
		if len(ownPoints) != nI*encoding.ElementSize {
			return corrupt("unblinded points for %d elements, set has %d", len(ownPoints)/encoding.ElementSize, nI)
		}
		received := max(0, s.done-nI)
		if len(peerTags) != received*encoding.TagSize {
			return corrupt("peer tags do not match the progress")
		}
		if int64(nFound) > int64(received) {
			return corrupt("more matches than tags received")
		}
		s.ownPoints = bytes.Clone(ownPoints)
		s.ownTags = make(map[[encoding.TagSize]byte]int32, nI)
		for i := range min(s.done, nI) {
			t := tagOf(&s.sid, s.ownPoints[i*encoding.ElementSize:(i+1)*encoding.ElementSize])
			if _, dup := s.ownTags[t]; dup {
				return corrupt("unblinded points repeat")
			}
			s.ownTags[t] = int32(i)
		}
		s.peerTags = make(map[[encoding.TagSize]byte]struct{}, nP) // as advance does after the handshake
		var prev []byte
		for i := 0; i < len(peerTags); i += encoding.TagSize {
			t := peerTags[i : i+encoding.TagSize]
			if prev != nil && bytes.Compare(prev, t) >= 0 {
				return corrupt("peer tags not in strictly increasing order")
			}
			prev = t
			s.peerTags[[encoding.TagSize]byte(t)] = struct{}{}
		}
		if int64(nFound)*int64(9+p) > int64(len(*in)) {
			return corrupt("truncated")
		}
		owns := make(map[int32]struct{}, nFound)
		for i := range int(nFound) {
			var own, pos uint32
			var opened uint8
			var payload []byte
			if !in.ReadUint32(&own) || !in.ReadUint32(&pos) || !in.ReadUint8(&opened) || !in.ReadBytes(&payload, p) {
				return corrupt("truncated")
			}
			if opened > 1 || (opened == 0 && (p == 0 || !allZero(payload))) {
				return corrupt("payload flag")
			}
			if int64(own) >= int64(nI) || int64(pos) >= int64(received) || (i > 0 && pos <= s.found[i-1].position) {
				return corrupt("match found out of range or order")
			}
			if _, dup := owns[int32(own)]; dup {
				return corrupt("match found twice")
			}
			owns[int32(own)] = struct{}{}
			m := found{own: int32(own), position: pos}
			if p > 0 && opened == 1 {
				m.payload = bytes.Clone(payload)
			}
			s.found = append(s.found, m)
		}
	}
	var bad uint32
	if !in.ReadUint32(&revealed) || !in.ReadUint32(&bad) {
		return corrupt("truncated")
	}
	if int64(revealed) > int64(nI) || (revealed != 0 && s.state != stInitRecvConfirm) {
		return corrupt("reveal count")
	}
	if int64(bad) > int64(nFound) {
		return corrupt("bad payload count")
	}
	s.revealed = int(revealed)
	s.badPayloads = int(bad)
	return nil
}

// resumeResponder reads the responder's working state: evaluations and
// their proofs so far, tag order and points, and the last revealed
// position.
func (s *Session) resumeResponder(in *cryptobyte.String, nI, nP int) error {
	var proofs, evaluated, tagOrder, tagPoints cryptobyte.String
	var lastReveal uint32
	if !readBytes32(in, &proofs) || !readBytes32(in, &evaluated) ||
		!readBytes32(in, &tagOrder) || !readBytes32(in, &tagPoints) || !in.ReadUint32(&lastReveal) {
		return corrupt("truncated")
	}
	switch s.state {
	case stRespRecvBlinded:
		wantProofs := s.done / encoding.MaxChunkElements * proofSize
		if s.cfg.Mode == CardinalityOnly {
			wantProofs = 0
		}
		if len(proofs) != wantProofs || len(evaluated) != s.done*encoding.ElementSize || len(tagOrder) != 0 || len(tagPoints) != 0 || lastReveal != 0 {
			return corrupt("evaluation state does not match the progress")
		}
		s.evaluated = bytes.Clone(evaluated)
		if len(proofs) > 0 {
			s.proofs = bytes.Clone(proofs)
		}
		s.lastReveal = -1
	case stRespRecvFinish:
		if len(proofs) != 0 || len(evaluated) != 0 || len(tagOrder) != 4*nI || len(tagPoints) != nI*encoding.ElementSize || int64(lastReveal) > int64(nI) {
			return corrupt("tag state does not match the set")
		}
		if nI > 0 {
			s.tagOrder = make([]int32, nI)
			used := make([]bool, nI)
			for i := range s.tagOrder {
				v := binary.BigEndian.Uint32(tagOrder[4*i:])
				if int64(v) >= int64(nI) || used[v] {
					return corrupt("tag order is not a permutation")
				}
				used[v] = true
				s.tagOrder[i] = int32(v)
			}
			s.tagPoints = bytes.Clone(tagPoints)
		}
		s.lastReveal = int64(lastReveal) - 1
	default:
		if len(proofs) != 0 || len(evaluated) != 0 || len(tagOrder) != 0 || len(tagPoints) != 0 || lastReveal != 0 {
			return corrupt("responder working state in another state")
		}
	}
	return nil
}

// resumeOutputs reads the matches, cardinality and, for a done session, the
// result; it checks them against the state and the set sizes.
func (s *Session) resumeOutputs(in *cryptobyte.String, nI, nP, p int) error {
	var nMatches uint32
	if !in.ReadUint32(&nMatches) {
		return corrupt("truncated")
	}
	if int64(nMatches) > int64(nI) || int64(nMatches)*int64(4+32+p) > int64(len(*in)) {
		return corrupt("more matches than elements")
	}
	var matches []Match
	seen := make(map[int]struct{}, nMatches)
	for range int(nMatches) {
		var idx uint32
		var m Match
		var payload []byte
		if !in.ReadUint32(&idx) || !in.CopyBytes(m.Handle[:]) || !in.ReadBytes(&payload, p) {
			return corrupt("truncated")
		}
		if int64(idx) >= int64(nI) {
			return corrupt("match index out of range")
		}
		if _, dup := seen[int(idx)]; dup {
			return corrupt("match index repeats")
		}
		seen[int(idx)] = struct{}{}
		m.Index = int(idx)
		if p > 0 {
			m.PeerPayload = bytes.Clone(payload)
		}
		matches = append(matches, m)
	}
	var cardinality uint32
	var learned uint8
	var transcript [32]byte
	if !in.ReadUint32(&cardinality) || !in.ReadUint8(&learned) || !in.CopyBytes(transcript[:]) {
		return corrupt("truncated")
	}
	if !in.Empty() {
		return corrupt("%d bytes after the state", len(*in))
	}
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
		if (learned == 1) != wantLearned || learned > 1 {
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
			Role: s.role, Mode: mode, Learned: wantLearned, LowerBound: wantLearned && s.role == RoleResponder,
			Matches: matches, Cardinality: int(cardinality),
			LocalSetSize: nI, PeerSetSize: nP, SessionID: s.sid, Transcript: transcript,
		}
	default:
		if len(matches) != 0 || cardinality != 0 {
			return corrupt("matches in a state that has none yet")
		}
	}
	if s.state != stDone && (learned != 0 || transcript != [32]byte{}) {
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

// readBytes32 reads a value with a 32-bit big-endian length prefix.
func readBytes32(in *cryptobyte.String, out *cryptobyte.String) bool {
	var n uint32
	var v []byte
	if !in.ReadUint32(&n) || !in.ReadBytes(&v, int(n)) {
		return false
	}
	*out = v
	return true
}

func addBytes32(b *cryptobyte.Builder, v []byte) {
	b.AddUint32LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(v) })
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
