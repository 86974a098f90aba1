package psi

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/internal/kkrt"
)

// This file holds suite 2 (SuiteOTExtension, PROTOCOL.md §Suite 2): the
// KKRT16 OPRF over IKNP OT extension of package internal/kkrt, run after
// the same handshake as suite 1 and closed by the same Reveal and Finish
// frames. The initiator is the OPRF receiver (it holds the cuckoo table
// and learns the intersection), the responder the OPRF sender.
//
//	initiator                                  responder
//	OTSetup   A = a·G                    →     base OTs as receiver
//	          base-OT keys               ←     OTReply: code key, B_0 … B_447
//	Matrix    rows u_j, chunk by chunk   →     q_j, OPRF of every own element
//	          tags matched, payloads     ←     OPRFTags: tags, key wraps, seals
//	Reveal, Finish                       →     (as in suite 1)
//	                                     ←     Finish

// Labels of suite 2's derivations, D(label, secret) as in suite 1 but over
// the 16-byte OPRF secret (kkrt.SecretSize) that only holders of the same
// element have.
const (
	labelFastHandle  = "reunite-psi-v2 suite 2 handle"
	labelFastWrap    = "reunite-psi-v2 suite 2 key wrap"
	labelFastSealR2I = "reunite-psi-v2 suite 2 seal responder to initiator"
	labelFastSealI2R = "reunite-psi-v2 suite 2 seal initiator to responder"
	// labelFastRevealProof derives the proof that replaces the seal of a
	// Reveal entry in a session without payloads.
	labelFastRevealProof = "reunite-psi-v2 suite 2 reveal proof"
)

// fastRevealProofSize is the size of that proof: a Reveal entry that does
// not come from the matching element passes with probability 2^-40, and
// the first that fails ends the session.
const fastRevealProofSize = 5

// FastSuiteMinElements is the combined size of both sets (m + n) from
// which a responder that may choose either suite chooses SuiteOTExtension:
// below it the 448 base OTs of suite 2 cost more than suite 1's
// per-element work saves.
const FastSuiteMinElements = 2048

// errFastState refuses to save or resume a session that may run suite 2:
// its state (base-OT keys, cuckoo table, OPRF secrets) has no saved form.
var errFastState = fmt.Errorf("%w: a session whose Config.Suites allows suite 2 cannot be saved or resumed; use suite 1 for the offline exchange", ErrUnsupported)

// suiteBit is the bit of a suite in a Hello's offer.
func suiteBit(s Suite) uint16 { return 1 << (s - 1) }

// suitesFor returns the suites a configuration offers (initiator) or
// accepts (responder) in its mode, in its order of preference, or an
// error when none can run the mode.
func (c *Config) suitesFor() ([]Suite, error) {
	if len(c.Suites) == 0 {
		return []Suite{SuiteECDHRistretto255}, nil
	}
	var out []Suite
	for _, s := range c.Suites {
		if s == SuiteOTExtension && c.Mode == CardinalityOnly {
			continue // suite 2 cannot hide which elements matched
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %w: suite 2 has no cardinality-only mode", ErrConfig, ErrModeUnsupported)
	}
	return out, nil
}

// offersFast reports whether the configuration may run suite 2.
func (c *Config) offersFast() bool {
	suites, _ := c.suitesFor()
	for _, s := range suites {
		if s == SuiteOTExtension {
			return true
		}
	}
	return false
}

// chooseSuite is the responder's choice among the suites the initiator
// offers (a bit per suite) and this party accepts: the only common one,
// or, when both are, suite 2 for sets of FastSuiteMinElements in all.
func (s *Session) chooseSuite(offer uint16, peerSize uint32) (Suite, error) {
	accepted, err := s.cfg.suitesFor()
	if err != nil {
		return 0, err
	}
	var common []Suite
	for _, su := range accepted {
		if offer&suiteBit(su) != 0 {
			common = append(common, su)
		}
	}
	// The engine takes at most kkrt.MaxSetSize elements per set, below
	// the largest cap a Config may set.
	tooLarge := int64(peerSize) > kkrt.MaxSetSize || len(s.set.Elements) > kkrt.MaxSetSize
	switch {
	case len(common) == 0:
		return 0, fmt.Errorf("%w: the peer offers suites %#04x, this party accepts %v", ErrUnsupported, offer, accepted)
	case len(common) == 1 && common[0] == SuiteOTExtension && tooLarge:
		return 0, fmt.Errorf("%w: suite 2 takes at most %d elements per set", ErrSetTooLarge, kkrt.MaxSetSize)
	case len(common) == 1:
		return common[0], nil
	case !tooLarge && int64(peerSize)+int64(len(s.set.Elements)) >= FastSuiteMinElements:
		return SuiteOTExtension, nil
	}
	return SuiteECDHRistretto255, nil
}

// offer returns the initiator's Hello suite field.
func (s *Session) offer() uint16 {
	suites, _ := s.cfg.suitesFor() // validated by NewSession
	var bits uint16
	for _, su := range suites {
		bits |= suiteBit(su)
	}
	return bits
}

// fastParams are the engine parameters of this session.
func (s *Session) fastParams() kkrt.Params {
	nI, nR := len(s.set.Elements), s.peerSize
	if s.role == RoleResponder {
		nI, nR = nR, nI
	}
	// The initiator needs its secrets for handles; the responder needs
	// its own only to wrap payload keys and to check reveals.
	secrets := s.role == RoleInitiator || s.cfg.PayloadSize > 0 || s.cfg.Mode == BothLearn
	// NewSession has refused equal elements (checkInputs): the engine
	// need not check again.
	return kkrt.Params{ReceiverSize: nI, SenderSize: nR, Context: s.sid[:], Secrets: secrets, Distinct: true}
}

// fastError maps an engine error to the session's sentinels.
func fastError(err error) error {
	switch {
	case errors.Is(err, kkrt.ErrBadPoint):
		return fmt.Errorf("%w: %w", ErrInvalidElement, err)
	case errors.Is(err, kkrt.ErrMessageSize):
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	case errors.Is(err, kkrt.ErrRepeatedTag):
		return fmt.Errorf("%w: %w", ErrDuplicate, err)
	}
	// ErrCuckoo (probability below 2^-40: a new session succeeds),
	// randomness failures, and ErrOrder, which the session's own states
	// rule out.
	return fmt.Errorf("%w: %w", ErrAborted, err)
}

// advanceFast starts suite 2 once the session ID is known. With an empty
// set on either side the intersection is empty and no OT is run: both
// parties go straight to Finish.
func (s *Session) advanceFast() error {
	s.done = 0
	s.key, s.keyInv = nil, nil // suite 2 has no use for the scalar
	p := s.fastParams()
	if p.ReceiverSize == 0 || p.SenderSize == 0 {
		if s.role == RoleInitiator {
			s.state = stInitSendFinish
		} else {
			s.lastReveal = -1
			s.state = stRespRecvFinish
		}
		return nil
	}
	layout, err := kkrt.LayoutOf(p)
	if err != nil {
		return fastError(err)
	}
	s.fastLayout = layout
	if s.role == RoleInitiator {
		if s.fastR, err = kkrt.StartReceiver(p, s.set.Elements, s.rand); err != nil {
			return fastError(err)
		}
		s.fastPrepare(s.fastR.Prepare)
		s.state = stFastSendSetup
		return nil
	}
	if s.fastS, err = kkrt.StartSender(p, s.set.Elements, s.rand); err != nil {
		return fastError(err)
	}
	s.fastPrepare(s.fastS.Prepare)
	s.lastReveal = -1
	s.state = stFastRecvSetup
	return nil
}

// fastPrepare runs the engine's work on the own set (hashing, cuckoo or
// simple hashing) in a goroutine of its own, while the base OTs are
// exchanged: the two parties then prepare at the same time, each on its
// own core if need be, instead of one after the other (the responder's
// used to delay its HelloReply, the initiator's its OTSetup). The engine
// has read all the randomness it needs before the matrix phase, so the
// frames are the same. The first matrix chunk waits for it
// (waitPrepared), and so does a session that ends before.
func (s *Session) fastPrepare(prepare func() error) {
	done := make(chan error, 1)
	s.preparing = done
	s.inBackground(func() { done <- prepare() })
}

// inBackground runs f in a goroutine that settle waits for.
func (s *Session) inBackground(f func()) {
	if s.background == nil {
		s.background = new(sync.WaitGroup)
	}
	s.background.Go(f)
}

// settle waits for the session's goroutines (fastPrepare, fastMatches,
// prepareTags), if any is running, and leaves their results for the calls
// that take them. It stops the responder's tag points after the chunk they
// are on, rather than wait for all of them: a Send that needs a chunk they
// did not reach computes it itself.
func (s *Session) settle() {
	s.stopTagPoints()
	if s.background != nil {
		s.background.Wait()
	}
}

// waitPrepared waits for fastPrepare's goroutine, if one is running, and
// returns its error.
func (s *Session) waitPrepared() error {
	if s.preparing == nil {
		return nil
	}
	err := <-s.preparing
	s.preparing = nil
	if err != nil {
		return fastError(err)
	}
	return nil
}

// matrixRows returns the number of rows of matrix chunk k.
func (s *Session) matrixRows(k int) int {
	return min(encoding.MaxMatrixRows, s.fastLayout.Rows-k*encoding.MaxMatrixRows)
}

// fastSealed returns the sizes of one key wrap and one sealed payload in
// this session's OPRFTags chunks (both 0 without payloads).
func (s *Session) fastSealed() (wrap, sealed int) {
	if s.cfg.PayloadSize == 0 {
		return 0, 0
	}
	return encoding.KeyWrapSize, s.cfg.PayloadSize + encoding.SealOverhead
}

// fastTagsSize returns the exact size of the OPRFTags chunk that starts at
// the responder's element done.
func (s *Session) fastTagsSize(done int) int {
	wrap, sealed := s.fastSealed()
	return encoding.OPRFTagsSize(chunkLen(s.peerSize, done/encoding.MaxChunkElements), s.fastLayout.TagsPerElement, s.fastLayout.TagLen, wrap, sealed)
}

// --- Initiator (OPRF receiver) ---

func (s *Session) sendOTSetup() (encoding.MessageType, []byte, error) {
	a, err := s.fastR.Setup()
	if err != nil {
		return 0, nil, fastError(err)
	}
	m := encoding.OTSetup{Session: s.sid, Point: [encoding.ElementSize]byte(a)}
	s.state = stFastRecvOTReply
	body, err := m.AppendBinary(nil)
	return encoding.TypeOTSetup, body, err
}

func (s *Session) receiveOTReply(f encoding.Frame) error {
	if err := s.expect(f, encoding.TypeOTReply); err != nil {
		return err
	}
	var m encoding.OTReply
	if err := decode(&m, f.Body); err != nil {
		return err
	}
	if err := s.checkSession(&m.Session); err != nil {
		return err
	}
	// The engine reads the code key and the points as one message, which
	// is the body after the session ID.
	if err := s.fastR.ReadBaseOT(f.Body[encoding.SessionIDSize:]); err != nil {
		return fastError(err)
	}
	s.state = stFastSendMatrix
	return nil
}

func (s *Session) sendMatrix() (encoding.MessageType, []byte, error) {
	if err := s.waitPrepared(); err != nil {
		return 0, nil, err
	}
	// The engine writes the rows straight into the body, after its header.
	body := s.sendBuffer(encoding.MatrixChunkSize(s.matrixRows(s.done)))
	body, err := encoding.AppendMatrixHeader(body, &s.sid, s.matrixRows(s.done))
	if err != nil {
		return 0, nil, err
	}
	if body, err = s.fastR.AppendMatrixChunk(body); err != nil {
		return 0, nil, fastError(err)
	}
	s.done++
	s.progress("matrix", s.done, s.fastLayout.MatrixChunks)
	if s.done == s.fastLayout.MatrixChunks {
		s.done = 0
		s.state = stFastRecvTags
	}
	return encoding.TypeMatrix, body, nil
}

func (s *Session) receiveOPRFTags(f encoding.Frame) error {
	if err := s.expect(f, encoding.TypeOPRFTags); err != nil {
		return err
	}
	var m encoding.OPRFTags
	if err := decode(&m, f.Body); err != nil {
		return err
	}
	if err := s.checkSession(&m.Session); err != nil {
		return err
	}
	wrap, sealed := s.fastSealed()
	per := s.fastLayout.TagsPerElement
	want := chunkLen(s.peerSize, s.done/encoding.MaxChunkElements)
	if int(m.PerElement) != per || int(m.TagLength) != s.fastLayout.TagLen || int(m.WrapSize) != wrap || int(m.SealedSize) != sealed || m.Len() != want {
		return fmt.Errorf("%w: OPRF tag chunk of %d elements × %d tags of %d bytes, wraps %d, seals %d; expected %d × %d of %d, %d, %d",
			ErrMalformed, m.Len(), m.PerElement, m.TagLength, m.WrapSize, m.SealedSize, want, per, s.fastLayout.TagLen, wrap, sealed)
	}
	if err := s.fastR.ReadTagChunk(m.Tags); err != nil {
		return fastError(err)
	}
	// Without payloads the matches are read from the engine once every
	// chunk is in (fastFound); with them, each is recorded with its payload.
	first := int64(s.done) * int64(per)
	for _, h := range s.fastR.NewHits() {
		var payload []byte
		if sealed > 0 {
			k, slot := int(h.Position-first)/per, int(h.Position-first)%per
			w := m.Wraps[(k*per+slot)*wrap : (k*per+slot+1)*wrap]
			// As in suite 1, a payload that does not open is counted, not
			// fatal: aborting would tell the responder which element hit.
			var err error
			if payload, err = openWrapped(&s.sid, s.fastR.Secret(h.Element), w, m.Seals[k*sealed:(k+1)*sealed]); err != nil {
				payload = nil
				s.badPayloads++
			}
		}
		if sealed > 0 {
			s.addFound(found{own: int32(h.Element), position: uint32(h.Position)}, payload)
		}
	}
	s.done += m.Len()
	s.progress("match", s.done, s.peerSize)
	if s.done == s.peerSize {
		s.finishAnswers()
	}
	return nil
}

// revealTotal returns the number of matches the initiator reveals.
func (s *Session) revealTotal() int {
	if s.revealHits {
		return s.cardinality
	}
	return len(s.found)
}

// revealBatch returns the cnt matches to reveal from the from-th on, in
// position order: from found, or, in suite 2 without payloads, from the
// engine's hits, which it lists in that order (so they need no list or
// sort of their own).
func (s *Session) revealBatch(from, cnt int) []found {
	if !s.revealHits {
		return s.found[from : from+cnt]
	}
	s.revealFound = slices.Grow(s.revealFound[:0], cnt)[:cnt]
	for i, e := range s.fastR.HitOrder()[from : from+cnt] {
		pos, _ := s.fastR.Position(int(e))
		s.revealFound[i] = found{own: int32(e), position: uint32(pos)}
	}
	return s.revealFound
}

// fastMatches makes the initiator's matches in a goroutine of its own,
// once its Finish is out: without payloads from the engine's hits, in
// Index order; with them it derives the handles of the matches
// finishAnswers made. The responder, meanwhile, checks the last reveals
// and makes its own matches (flushRevealed), so the two parties' last
// work runs at the same time instead of one after the other.
// receiveConfirm waits for it (waitMatches) before the result is made, and
// so does a session that ends before.
func (s *Session) fastMatches() {
	r := s.fastR
	s.fastR = nil // the secrets are needed for the handles only
	if s.cardinality == 0 {
		return
	}
	done := make(chan []Match, 1)
	s.matching = done
	matches, sid := s.matches, &s.sid
	if matches == nil {
		matches = make([]Match, s.cardinality)
	}
	fromHits := s.cfg.PayloadSize == 0
	s.inBackground(func() {
		if fromHits {
			r.EachHit(func(k, e int) {
				matches[k] = Match{Index: e, Handle: derive(labelFastHandle, sid, r.Secret(e))}
			})
		} else {
			_ = parallel(len(matches), func(lo, hi int) error {
				for k := lo; k < hi; k++ {
					matches[k].Handle = derive(labelFastHandle, sid, r.Secret(matches[k].Index))
				}
				return nil
			})
		}
		done <- matches
	})
}

// waitMatches waits for fastMatches' goroutine, if one is running, and
// takes its matches.
func (s *Session) waitMatches() {
	if s.matching != nil {
		s.matches = <-s.matching
		s.matching = nil
	}
}

// --- Responder (OPRF sender) ---

func (s *Session) receiveOTSetup(f encoding.Frame) error {
	if err := s.expect(f, encoding.TypeOTSetup); err != nil {
		return err
	}
	var m encoding.OTSetup
	if err := decode(&m, f.Body); err != nil {
		return err
	}
	if err := s.checkSession(&m.Session); err != nil {
		return err
	}
	reply, err := s.fastS.ReadSetup(m.Point[:])
	if err != nil {
		return fastError(err)
	}
	s.otReply = reply
	s.state = stFastSendOTReply
	return nil
}

func (s *Session) sendOTReply() (encoding.MessageType, []byte, error) {
	m := encoding.OTReply{Session: s.sid, PRCKey: [encoding.PRCKeySize]byte(s.otReply), Points: s.otReply[encoding.PRCKeySize:]}
	s.otReply = nil
	s.state = stFastRecvMatrix
	body, err := m.AppendBinary(nil)
	return encoding.TypeOTReply, body, err
}

func (s *Session) receiveMatrix(f encoding.Frame) error {
	if err := s.expect(f, encoding.TypeMatrix); err != nil {
		return err
	}
	var m encoding.MatrixChunk
	if err := decode(&m, f.Body); err != nil {
		return err
	}
	if err := s.checkSession(&m.Session); err != nil {
		return err
	}
	if want := s.matrixRows(s.done); m.Len() != want {
		return fmt.Errorf("%w: matrix chunk of %d rows, expected %d", ErrMalformed, m.Len(), want)
	}
	if err := s.waitPrepared(); err != nil {
		return err
	}
	if err := s.fastS.ReadMatrixChunk(m.Rows); err != nil {
		return fastError(err)
	}
	s.done++
	s.progress("matrix", s.done, s.fastLayout.MatrixChunks)
	if s.done == s.fastLayout.MatrixChunks {
		s.done = 0
		s.state = stFastSendTags
	}
	return nil
}

func (s *Session) sendOPRFTags() (encoding.MessageType, []byte, error) {
	wrap, sealed := s.fastSealed()
	per := s.fastLayout.TagsPerElement
	n := len(s.set.Elements)
	cnt := chunkLen(n, s.done/encoding.MaxChunkElements)
	m := encoding.OPRFTags{
		Session: s.sid, PerElement: uint8(per), TagLength: uint8(s.fastLayout.TagLen),
		WrapSize: uint8(wrap), SealedSize: uint16(sealed),
	}
	// The header, then the engine's tags written straight into the body,
	// then the wraps and seals.
	body, err := m.AppendHeader(s.sendBuffer(encoding.OPRFTagsSize(cnt, per, s.fastLayout.TagLen, wrap, sealed)), cnt)
	if err != nil {
		return 0, nil, err
	}
	if body, err = s.fastS.AppendTagChunk(body); err != nil {
		return 0, nil, fastError(err)
	}
	if sealed > 0 {
		// Each element's payload is sealed once under a fresh key K, and K
		// is wrapped under every slot's OPRF secret: a receiver holding the
		// element in one of those bins unwraps K, nobody else can.
		keys := make([]byte, cnt*encoding.KeyWrapSize)
		if _, err := io.ReadFull(s.rand, keys); err != nil {
			return 0, nil, fmt.Errorf("%w: reading randomness: %w", ErrAborted, err)
		}
		wraps := len(body)
		body = body[:wraps+cnt*per*wrap]
		base := s.done
		for i := range cnt {
			key := keys[i*wrap : (i+1)*wrap]
			for slot := range per {
				mask := derive(labelFastWrap, &s.sid, s.fastS.Secret(base+i, slot))
				at := wraps + (i*per+slot)*wrap
				subtle.XORBytes(body[at:at+wrap], key, mask[:wrap])
			}
		}
		for i := range cnt {
			body = seal(body, labelFastSealR2I, &s.sid, keys[i*wrap:(i+1)*wrap], s.set.Payloads[s.fastS.Element(base+i)])
		}
	}
	s.done += cnt
	s.progress("tags", s.done, n)
	if s.done == n {
		s.done = 0
		s.state = stRespRecvFinish
	}
	return encoding.TypeOPRFTags, body, nil
}

// openWrapped unwraps a payload key with the OPRF secret and opens the
// payload sealed under it.
func openWrapped(sid *[32]byte, secret, wrap, sealed []byte) ([]byte, error) {
	mask := derive(labelFastWrap, sid, secret)
	var key [encoding.KeyWrapSize]byte
	subtle.XORBytes(key[:], wrap, mask[:len(key)])
	return open(labelFastSealR2I, sid, key[:], sealed)
}

// revealedElement returns the responder's element index and OPRF secret
// for a position in the tag stream of suite 2.
func (s *Session) revealedElement(pos uint32) (int, []byte) {
	per := uint32(s.fastLayout.TagsPerElement)
	k := int(pos / per)
	return s.fastS.Element(k), s.fastS.Secret(k, int(pos%per))
}
