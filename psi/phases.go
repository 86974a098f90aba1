package psi

import (
	"cmp"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/internal/ristretto255"
)

// This file holds the protocol's data phases (PROTOCOL.md §Message flow):
//
//	initiator                                  responder
//	Blinded   a·H(x), in order           →     b·(a·H(x)), checked, stored
//	          unblinded to b·H(x), tagged  ←   Evaluated (shuffled if cardinality-only)
//	          tags matched                 ←   Tags: tag(b·H(y)) and sealed payloads, shuffled
//	Reveal    matched positions + seals  →     (both-learn only)
//	Finish    transcript hash            →
//	          transcript hash              ←   Finish (confirmation)

// --- Initiator: blinded elements out ---

func (s *Session) sendBlinded() (encoding.MessageType, []byte, error) {
	n := len(s.set.Elements)
	k := s.done / encoding.MaxChunkElements
	cnt := chunkLen(n, k)
	// The blinded points stay in ownPoints: the proof over their
	// evaluations is checked against them, and unblinding overwrites them.
	off := s.done * encoding.ElementSize
	c := encoding.PointChunk{Session: s.sid, Points: s.ownPoints[off : off+cnt*encoding.ElementSize]}
	var aff []byte
	if s.cfg.Mode != CardinalityOnly && !s.skipProofs {
		// The proof is checked against the points themselves too: their
		// affine forms come with the encodings for a few multiplications
		// each, where decoding the encodings again would cost an inverse
		// square root each. They are dropped chunk by chunk as the proofs
		// are checked.
		aff = make([]byte, cnt*ristretto255.AffineSize)
	}
	blindElements(c.Points, aff, &s.sid, s.key, s.set.Elements[s.done:s.done+cnt])
	s.ownAffine = append(s.ownAffine, aff)
	s.done += cnt
	s.progress("blind", s.done, n)
	if s.done == n {
		s.done = 0
		s.state = stInitRecvAnswers
	}
	body, err := c.AppendBinary(s.sendBuffer(encoding.PointChunkSize(cnt)))
	return encoding.TypeBlinded, body, err
}

// --- Responder: blinded elements in ---

func (s *Session) receiveBlinded(f encoding.Frame) error {
	if err := s.expect(f, encoding.TypeBlinded); err != nil {
		return err
	}
	var c encoding.PointChunk
	if err := decode(&c, f.Body); err != nil {
		return err
	}
	if err := s.checkSession(&c.Session); err != nil {
		return err
	}
	if want := chunkLen(s.peerSize, s.done/encoding.MaxChunkElements); c.Len() != want {
		return fmt.Errorf("%w: chunk of %d elements, expected %d of the declared %d", ErrMalformed, c.Len(), want, s.peerSize)
	}
	pts, err := decodePoints(c.Points)
	if err != nil {
		return err
	}
	// Each chunk's evaluations get their own array, allocated as the chunk
	// arrives (never from the declared size) and released once it is sent.
	out := make([]byte, len(c.Points))
	multiplyPoints(out, pts, s.key)
	s.evaluated = append(s.evaluated, out)
	if s.cfg.Mode != CardinalityOnly && !s.skipProofs {
		// The proof covers the chunk as it is sent: the outputs in the
		// order of the inputs. Cardinality-only mode shuffles them, which
		// this proof cannot cover (PROTOCOL.md §Evaluation proofs).
		r, err := randomScalar(s.rand)
		if err != nil {
			return fmt.Errorf("%w: reading randomness: %w", ErrAborted, err)
		}
		proof := proofContext(&s.sid).prove(s.key, s.commit[:], c.Points, out, pts, r)
		s.proofs = append(s.proofs, proof[:]...)
	}
	s.done += c.Len()
	s.progress("evaluate", s.done, s.peerSize)
	if s.done == s.peerSize {
		s.done = 0
		s.state = stRespSendEvaluated
		if s.cfg.Mode == CardinalityOnly {
			if err := s.shuffleEvaluated(); err != nil {
				return err
			}
		}
		if err := s.prepareTags(); err != nil {
			return err
		}
	}
	return nil
}

// shuffleEvaluated permutes the evaluated elements so the initiator cannot
// tell which of its elements matched, only how many did.
func (s *Session) shuffleEvaluated() error {
	perm, err := randomPermutation(s.rand, s.peerSize)
	if err != nil {
		return fmt.Errorf("%w: reading randomness: %w", ErrAborted, err)
	}
	shuffled := make([][]byte, len(s.evaluated))
	for k := range shuffled {
		shuffled[k] = make([]byte, len(s.evaluated[k]))
	}
	for to, from := range perm {
		copy(chunkElement(shuffled, to), chunkElement(s.evaluated, int(from)))
	}
	s.evaluated = shuffled
	return nil
}

// chunkElement returns the encoding of element i of chunks, a stream of
// points kept a chunk each (the responder's evaluations and tag points).
func chunkElement(chunks [][]byte, i int) []byte {
	off := i % encoding.MaxChunkElements * encoding.ElementSize
	return chunks[i/encoding.MaxChunkElements][off : off+encoding.ElementSize]
}

// --- Responder: evaluated elements and tags out ---

func (s *Session) sendEvaluated() (encoding.MessageType, []byte, error) {
	k := s.done / encoding.MaxChunkElements
	cnt := chunkLen(s.peerSize, k)
	c := encoding.EvaluatedChunk{Session: s.sid, Points: s.evaluated[k]}
	if s.proofs != nil {
		copy(c.Proof[:], s.proofs[k*proofSize:])
	}
	s.done += cnt
	if s.done == s.peerSize {
		s.done = 0
		s.state = stRespSendTags
		if len(s.set.Elements) == 0 {
			s.state = stRespRecvFinish
		}
	}
	body, err := c.AppendBinary(s.sendBuffer(encoding.EvaluatedChunkSize(cnt)))
	s.evaluated[k] = nil // in the body now
	if s.state != stRespSendEvaluated {
		s.evaluated, s.proofs = nil, nil
	}
	return encoding.TypeEvaluated, body, err
}

func (s *Session) sendTags() (encoding.MessageType, []byte, error) {
	n := len(s.set.Elements)
	k := s.done / encoding.MaxChunkElements
	cnt := chunkLen(n, k)
	sealed := 0
	if s.cfg.PayloadSize > 0 {
		sealed = s.cfg.PayloadSize + encoding.SealOverhead
	}
	c := encoding.SealedChunk{Session: s.sid, PrefixSize: encoding.TagSize, SealedSize: uint16(sealed)}
	s.entryBuf = slices.Grow(s.entryBuf[:0], cnt*c.EntrySize())[:cnt*c.EntrySize()]
	c.Entries = s.entryBuf
	base := s.done
	s.waitTagPoints(k)
	points := s.tagPoints[k]
	_ = parallel(cnt, func(lo, hi int) error {
		for i := lo; i < hi; i++ {
			point := points[i*encoding.ElementSize : (i+1)*encoding.ElementSize]
			entry := c.Entries[i*c.EntrySize() : i*c.EntrySize()]
			tag := tagOf(&s.sid, point)
			entry = append(entry, tag[:]...)
			if sealed > 0 {
				seal(entry, labelSealR2I, &s.sid, point, s.set.Payloads[s.tagOrder[base+i]])
			}
		}
		return nil
	})
	s.done += cnt
	s.progress("tags", s.done, n)
	if s.done == n {
		s.done = 0
		s.state = stRespRecvFinish
		s.stopTagPoints()
		s.tagPrep, s.entryBuf = nil, nil
	}
	body, err := c.AppendBinary(s.sendBuffer(encoding.SealedChunkSize(cnt, encoding.TagSize, sealed)))
	return encoding.TypeTags, body, err
}

// tagPrep is the responder's computation of its tag points k_B·H(y), in
// tag order, a chunk at a time, in a goroutine of its own (prepareTags).
type tagPrep struct {
	ready []chan struct{} // ready[k] is closed once chunk k's points are in
	stop  chan struct{}   // closed to make the goroutine return after its current chunk
	done  chan struct{}   // closed when the goroutine has returned
}

// prepareTags draws the order of the tag stream and starts computing the
// tag points, once the responder has every Blinded chunk (or, when the
// initiator's set is empty, at the start of the data phases). That work
// needs nothing from the peer, and it now runs while the initiator checks
// and unblinds the Evaluated chunks: before, the responder waited for the
// initiator to read them (a large set's Evaluated stream is longer than
// the connection's buffers hold) and only then computed its tags, while
// the initiator waited for those, so each party's work ran alone, and
// every pause in it (a frame read, a join of the cores' shares) left a
// core idle. The order is drawn from the session's randomness where
// sendTags used to draw it, after the last proof's, so the frames are the
// same. sendTags waits for each chunk's points (waitTagPoints).
func (s *Session) prepareTags() error {
	n := len(s.set.Elements)
	if n == 0 {
		return nil
	}
	// Tags go out in a random order, so the positions the initiator
	// reveals in both-learn mode say nothing about the local order.
	perm, err := randomPermutation(s.rand, n)
	if err != nil {
		return fmt.Errorf("%w: reading randomness: %w", ErrAborted, err)
	}
	s.tagOrder = perm
	// Each chunk's points get their own array when they are computed: the
	// initiator's blinded points' affine forms are released chunk by chunk
	// meanwhile, so the two do not add up.
	s.tagPoints = make([][]byte, (n+encoding.MaxChunkElements-1)/encoding.MaxChunkElements)
	chunks := (n + encoding.MaxChunkElements - 1) / encoding.MaxChunkElements
	p := &tagPrep{ready: make([]chan struct{}, chunks), stop: make(chan struct{}), done: make(chan struct{})}
	for k := range p.ready {
		p.ready[k] = make(chan struct{})
	}
	s.tagPrep = p
	s.inBackground(func() {
		defer close(p.done)
		for k := range chunks {
			select {
			case <-p.stop:
				return
			default:
			}
			s.computeTagPoints(k)
			close(p.ready[k])
		}
	})
	return nil
}

// computeTagPoints writes the tag points of chunk k of the tag stream to
// tagPoints[k]: k_B·H(y) for the element at each of its positions. It
// reads only what stays unchanged while the tags are sent.
func (s *Session) computeTagPoints(k int) {
	base, cnt := k*encoding.MaxChunkElements, chunkLen(len(s.set.Elements), k)
	points := make([]byte, cnt*encoding.ElementSize)
	multiplyEncode(points, nil, cnt, s.key, func(i int, p *ristretto255.Element, scratch *[]byte) {
		hashToGroup(p, scratch, &s.sid, s.set.Elements[s.tagOrder[base+i]])
	})
	s.tagPoints[k] = points
}

// waitTagPoints returns once chunk k's tag points are in, computing them
// itself if prepareTags' goroutine was stopped before it got to them.
func (s *Session) waitTagPoints(k int) {
	p := s.tagPrep
	select {
	case <-p.ready[k]:
		return
	case <-p.done:
	}
	select {
	case <-p.ready[k]:
	default:
		s.computeTagPoints(k)
	}
}

// stopTagPoints stops prepareTags' goroutine, if one is running, after the
// chunk it is on, and waits for it.
func (s *Session) stopTagPoints() {
	p := s.tagPrep
	if p == nil {
		return
	}
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	<-p.done
}

// --- Initiator: evaluated elements and tags in ---

func (s *Session) receiveAnswer(f encoding.Frame) error {
	nI := len(s.set.Elements)
	if s.done < nI {
		return s.receiveEvaluated(f)
	}
	return s.receiveTags(f)
}

func (s *Session) receiveEvaluated(f encoding.Frame) error {
	if err := s.expect(f, encoding.TypeEvaluated); err != nil {
		return err
	}
	var c encoding.EvaluatedChunk
	if err := decode(&c, f.Body); err != nil {
		return err
	}
	if err := s.checkSession(&c.Session); err != nil {
		return err
	}
	nI := len(s.set.Elements)
	if want := chunkLen(nI, s.done/encoding.MaxChunkElements); c.Len() != want {
		return fmt.Errorf("%w: chunk of %d evaluated elements, expected %d", ErrMalformed, c.Len(), want)
	}
	off := s.done * encoding.ElementSize
	own := s.ownPoints[off : off+len(c.Points)]
	evaluated, err := decodePoints(c.Points)
	if err != nil {
		return err
	}
	if s.cfg.Mode == CardinalityOnly {
		if c.Proof != [proofSize]byte{} {
			return fmt.Errorf("%w: a proof in cardinality-only mode", ErrMalformed)
		}
	} else if !s.skipProofs {
		// Verify before unblinding: a responder that evaluated any element
		// with another scalar, or moved or replaced one, could otherwise
		// forge matches and open this party's payloads.
		blinded, err := s.ownBlinded(own)
		if err != nil {
			return fmt.Errorf("%w: own blinded points", ErrAborted) // unreachable: this party made them
		}
		if !proofContext(&s.sid).verify(s.commitPt, s.commit[:], own, c.Points, blinded, evaluated, c.Proof[:]) {
			return fmt.Errorf("%w: evaluated chunk %d", ErrBadProof, s.done/encoding.MaxChunkElements)
		}
	}
	// Unblinding with 1/a turns b·a·H(x) into b·H(x), the value the
	// responder's tags are computed from.
	multiplyPoints(own, evaluated, s.keyInv)
	tags := make([][encoding.TagSize]byte, c.Len())
	_ = parallel(c.Len(), func(lo, hi int) error {
		for i := lo; i < hi; i++ {
			o := off + i*encoding.ElementSize
			tags[i] = tagOf(&s.sid, s.ownPoints[o:o+encoding.ElementSize])
		}
		return nil
	})
	for i, t := range tags {
		if _, dup := s.ownTags[t]; dup {
			return fmt.Errorf("%w: evaluated element %d repeats an earlier one", ErrDuplicate, s.done+i)
		}
		s.ownTags[t] = int32(s.done + i)
	}
	s.done += c.Len()
	s.progress("unblind", s.done, nI)
	if s.done == nI && s.peerSize == 0 {
		s.finishAnswers()
	}
	return nil
}

// ownBlinded returns the initiator's blinded points of the Evaluated chunk
// it is receiving, whose encodings are own: from their affine forms, kept
// since they were sent, or, in a session resumed from a saved state, which
// does not hold them, decoded again.
func (s *Session) ownBlinded(own []byte) ([]*ristretto255.Element, error) {
	k := s.done / encoding.MaxChunkElements
	if k >= len(s.ownAffine) || s.ownAffine[k] == nil {
		return decodePoints(own)
	}
	aff := s.ownAffine[k]
	s.ownAffine[k] = nil
	return affinePoints(aff)
}

func (s *Session) receiveTags(f encoding.Frame) error {
	if err := s.expect(f, encoding.TypeTags); err != nil {
		return err
	}
	var c encoding.SealedChunk
	if err := decode(&c, f.Body); err != nil {
		return err
	}
	if c.PrefixSize != encoding.TagSize {
		return fmt.Errorf("%w: tags of %d bytes, expected %d", ErrMalformed, c.PrefixSize, encoding.TagSize)
	}
	if err := s.checkSession(&c.Session); err != nil {
		return err
	}
	nI := len(s.set.Elements)
	received := s.done - nI
	if want := chunkLen(s.peerSize, received/encoding.MaxChunkElements); c.Len() != want {
		return fmt.Errorf("%w: chunk of %d tags, expected %d of the declared %d", ErrMalformed, c.Len(), want, s.peerSize)
	}
	wantSealed := 0
	if s.cfg.PayloadSize > 0 {
		wantSealed = s.cfg.PayloadSize + encoding.SealOverhead
	}
	if int(c.SealedSize) != wantSealed {
		return fmt.Errorf("%w: sealed payloads of %d bytes, expected %d", ErrMalformed, c.SealedSize, wantSealed)
	}
	for i := range c.Len() {
		tagBytes, sealedPayload := c.Entry(i)
		tag := [encoding.TagSize]byte(tagBytes)
		if _, dup := s.peerTags[tag]; dup {
			return fmt.Errorf("%w: tag %d repeats an earlier one", ErrDuplicate, received+i)
		}
		s.peerTags[tag] = struct{}{}
		own, ok := s.ownTags[tag]
		if !ok {
			continue
		}
		var payload []byte
		if wantSealed > 0 && s.cfg.Mode != CardinalityOnly {
			point := s.ownPoints[int(own)*encoding.ElementSize : int(own+1)*encoding.ElementSize]
			// A seal that fails to open must not end the session: the
			// responder would learn that the initiator holds the element it
			// corrupted. The match stands, without its payload, and the
			// failure is counted in the result only.
			var err error
			if payload, err = open(labelSealR2I, &s.sid, point, sealedPayload); err != nil {
				payload = nil
				s.badPayloads++
			}
		}
		s.addFound(found{own: own, position: uint32(received + i)}, payload)
	}
	s.done += c.Len()
	s.progress("match", s.done-nI, s.peerSize)
	if s.done == nI+s.peerSize {
		s.finishAnswers()
	}
	return nil
}

// addFound records a match the initiator found, with the payload that
// came with it when the session carries payloads (nil if its seal did not
// open).
func (s *Session) addFound(m found, payload []byte) {
	if s.found == nil {
		// At most one per own element; a set of up to 2^16 gets it all at
		// once, a larger one starts there and doubles.
		s.found = make([]found, 0, min(len(s.set.Elements), s.peerSize, 1<<16))
	}
	if len(s.found) == cap(s.found) {
		s.found = slices.Grow(s.found, len(s.found))
	}
	s.found = append(s.found, m)
	if s.cfg.PayloadSize > 0 && s.cfg.Mode != CardinalityOnly {
		s.payloads = append(s.payloads, payload)
	}
}

// finishAnswers computes the initiator's result once every answer is in.
func (s *Session) finishAnswers() {
	s.cardinality = len(s.found)
	if s.suite == SuiteOTExtension && s.cfg.PayloadSize == 0 {
		// The engine lists the hits in position order: found stays nil.
		s.cardinality = s.fastR.HitCount()
		s.revealHits = s.cfg.Mode == BothLearn
	}
	s.peerTags, s.ownTags = nil, nil
	// Suite 2 makes its matches, or derives their handles, once its Finish
	// is out (fastMatches); without payloads, from the engine's hits.
	later := s.suite == SuiteOTExtension
	if s.cfg.Mode != CardinalityOnly && !(later && s.cfg.PayloadSize == 0) {
		// In the other modes evaluated elements come back in the order they
		// were sent, so ownPoints index = element index.
		handle, _, _ := s.labels()
		s.matches = nil // stays nil without matches, as a resumed session's
		if len(s.found) > 0 {
			s.matches = make([]Match, len(s.found))
		}
		var order []uint64 // none needed when found is in own order already
		if !slices.IsSortedFunc(s.found, func(a, b found) int { return cmp.Compare(a.own, b.own) }) {
			order = indexOrder(len(s.found), func(i int) int { return int(s.found[i].own) })
		}
		_ = parallel(len(s.found), func(lo, hi int) error {
			for k := lo; k < hi; k++ {
				i := k
				if order != nil {
					i = int(uint32(order[k]))
				}
				m := s.found[i]
				s.matches[k] = Match{Index: int(m.own)}
				if !later {
					s.matches[k].Handle = derive(handle, &s.sid, s.ownKey(m.own))
				}
				if s.payloads != nil {
					s.matches[k].PeerPayload = s.payloads[i]
				}
			}
			return nil
		})
		s.payloads = nil
	}
	s.done = 0
	if s.cfg.Mode == BothLearn && s.revealTotal() > 0 {
		if !s.revealHits {
			slices.SortFunc(s.found, func(a, b found) int { return cmp.Compare(a.position, b.position) })
		}
		s.state = stInitSendReveal
	} else {
		s.found = nil
		s.state = stInitSendFinish
	}
}

// --- Initiator: reveal and finish out ---

func (s *Session) sendReveal() (encoding.MessageType, []byte, error) {
	total := s.revealTotal()
	cnt := min(encoding.MaxChunkElements, total-s.done)
	prefix, sealed := s.revealSizes()
	c := encoding.SealedChunk{Session: s.sid, PrefixSize: uint8(prefix), SealedSize: uint16(sealed)}
	size := c.EntrySize()
	s.entryBuf = slices.Grow(s.entryBuf[:0], cnt*size)[:cnt*size]
	c.Entries = s.entryBuf
	s.fillReveal(c.Entries, s.revealBatch(s.done, cnt), size, sealed)
	s.done += cnt
	s.progress("reveal", s.done, total)
	if s.done == total {
		s.state = stInitSendFinish
	}
	body, err := c.AppendBinary(s.sendBuffer(encoding.SealedChunkSize(cnt, prefix, sealed)))
	return encoding.TypeReveal, body, err
}

// fillReveal writes the Reveal entries of batch to entries.
func (s *Session) fillReveal(entries []byte, batch []found, size, sealed int) {
	empty := make([]byte, 0)
	_, _, sealI2R := s.labels()
	cnt := len(batch)
	_ = parallel(cnt, func(lo, hi int) error {
		for i := lo; i < hi; i++ {
			m := batch[i]
			payload := empty
			if s.cfg.PayloadSize > 0 {
				payload = s.set.Payloads[m.own]
			}
			entry := entries[i*size : (i+1)*size]
			binary.BigEndian.PutUint32(entry, m.position)
			if sealed == 0 {
				// Suite 2 without payloads: a short proof instead of an
				// empty seal.
				p := derive(labelFastRevealProof, &s.sid, s.ownKey(m.own))
				copy(entry[encoding.PositionSize:], p[:fastRevealProofSize])
				continue
			}
			// The seal proves the initiator holds b·H(y) (suite 1) or the
			// OPRF secret (suite 2) for this position, which it can only
			// have computed from the same element. It fills the rest of
			// the entry in place.
			seal(entry[encoding.PositionSize:encoding.PositionSize], sealI2R, &s.sid, s.ownKey(m.own), payload)
		}
		return nil
	})
}

// sendFinish closes the initiator's side: it commits to the transcript so
// far, and then waits for the responder's confirmation, so neither party
// reports a result the other rejected.
func (s *Session) sendFinish() (encoding.MessageType, []byte, error) {
	s.revealed = s.revealTotal()
	s.found, s.revealHits, s.revealFound = nil, false, nil
	f := encoding.Finish{Session: s.sid, RevealCount: uint32(s.revealed)}
	s.transcript.Sum(f.Transcript[:0])
	body, err := f.AppendBinary(nil)
	s.state = stInitRecvConfirm
	if s.suite == SuiteOTExtension {
		s.fastMatches()
	}
	return encoding.TypeFinish, body, err
}

// receiveConfirm checks the responder's closing Finish: it must count the
// revealed matches the responder accepted and hash the whole transcript.
func (s *Session) receiveConfirm(f encoding.Frame) error {
	if err := s.expect(f, encoding.TypeFinish); err != nil {
		return err
	}
	fin, err := s.checkFinish(f, s.revealed)
	if err != nil {
		return err
	}
	s.waitMatches()
	s.complete(fin.Transcript, true) // the initiator learns in every mode
	return nil
}

// checkFinish decodes a Finish and checks it against this party's view.
func (s *Session) checkFinish(f encoding.Frame, revealed int) (*encoding.Finish, error) {
	var fin encoding.Finish
	if err := decode(&fin, f.Body); err != nil {
		return nil, err
	}
	if err := s.checkSession(&fin.Session); err != nil {
		return nil, err
	}
	if int64(fin.RevealCount) != int64(revealed) {
		return nil, fmt.Errorf("%w: finish counts %d revealed matches, this party has %d", ErrMalformed, fin.RevealCount, revealed)
	}
	var mine [32]byte
	s.transcript.Sum(mine[:0])
	if mine != fin.Transcript {
		return nil, ErrTranscriptMismatch
	}
	return &fin, nil
}

// sendConfirm is the responder's last frame: the hash of the whole
// transcript, including the initiator's Finish.
func (s *Session) sendConfirm() (encoding.MessageType, []byte, error) {
	s.flushRevealed()
	f := encoding.Finish{Session: s.sid, RevealCount: uint32(len(s.matches))}
	s.transcript.Sum(f.Transcript[:0])
	body, err := f.AppendBinary(nil)
	if err != nil {
		return 0, nil, err
	}
	s.cardinality = len(s.matches)
	sortMatches(s.matches)
	s.complete(f.Transcript, s.cfg.Mode == BothLearn)
	return encoding.TypeFinish, body, nil
}

// --- Responder: reveal and finish in ---

func (s *Session) receiveRevealOrFinish(f encoding.Frame) error {
	if s.cfg.Mode == BothLearn {
		if err := s.expect(f, encoding.TypeReveal, encoding.TypeFinish); err != nil {
			return err
		}
	} else if err := s.expect(f, encoding.TypeFinish); err != nil {
		return err
	}
	if f.Type == encoding.TypeReveal {
		return s.receiveReveal(f)
	}
	if _, err := s.checkFinish(f, s.revealCount()); err != nil {
		return err
	}
	s.state = stRespSendConfirm
	return nil
}

func (s *Session) receiveReveal(f encoding.Frame) error {
	var c encoding.SealedChunk
	if err := decode(&c, f.Body); err != nil {
		return err
	}
	prefixSize, sealedSize := s.revealSizes()
	if int(c.PrefixSize) != prefixSize {
		return fmt.Errorf("%w: reveal prefixes of %d bytes, expected %d", ErrMalformed, c.PrefixSize, prefixSize)
	}
	if err := s.checkSession(&c.Session); err != nil {
		return err
	}
	if int(c.SealedSize) != sealedSize {
		return fmt.Errorf("%w: reveal seals of %d bytes, expected %d", ErrMalformed, c.SealedSize, sealedSize)
	}
	n := int64(len(s.set.Elements))
	_, _, sealI2R := s.labels()
	per := int64(1) // tag stream positions per element
	if s.suite == SuiteOTExtension {
		per = int64(s.fastLayout.TagsPerElement)
	}
	for i := range c.Len() {
		prefix, _ := c.Entry(i)
		// Strictly increasing elements: no repeats (in suite 2, not two
		// slots of one element either), one canonical order.
		elem := int64(binary.BigEndian.Uint32(prefix)) / per
		if elem <= s.lastReveal || elem >= n {
			return fmt.Errorf("%w: reveal position out of order or range", ErrMalformed)
		}
		s.lastReveal = elem
	}
	var payloads [][]byte
	if s.cfg.PayloadSize > 0 {
		payloads = make([][]byte, c.Len())
	}
	// Seals (or proofs) are checked on all cores; the first entry that
	// fails ends the session.
	err := parallel(c.Len(), func(lo, hi int) error {
		for i := lo; i < hi; i++ {
			prefix, sealedPayload := c.Entry(i)
			_, key := s.revealedAt(binary.BigEndian.Uint32(prefix))
			if sealedSize == 0 {
				p := derive(labelFastRevealProof, &s.sid, key)
				if subtle.ConstantTimeCompare(p[:fastRevealProofSize], prefix[encoding.PositionSize:]) != 1 {
					return fmt.Errorf("%w: reveal entry %d", ErrPayloadAuth, i)
				}
				continue
			}
			payload, err := open(sealI2R, &s.sid, key, sealedPayload)
			if err != nil {
				return fmt.Errorf("%w: reveal entry %d", err, i)
			}
			if payloads != nil {
				payloads[i] = payload
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The matches themselves (64 bytes each) are made once, at the end
	// (flushRevealed); until then a revealed match is a bit at its
	// position, and positions only increase.
	if s.revealedPos == nil {
		s.revealedPos = newBitset(int(n * per))
	}
	for i := range c.Len() {
		prefix, _ := c.Entry(i)
		s.revealedPos.set(int(binary.BigEndian.Uint32(prefix)))
	}
	s.revealedCount += c.Len()
	s.revealedPayloads = append(s.revealedPayloads, payloads...)
	return nil
}

// revealCount is the number of matches the responder has accepted.
func (s *Session) revealCount() int { return len(s.matches) + s.revealedCount }

// flushRevealed turns the responder's revealed positions into matches,
// with their handles, appended to s.matches in one allocation, in Index
// order: each goes straight to its rank among the revealed elements'
// indices (a bit per own element), with no sort.
func (s *Session) flushRevealed() {
	if s.revealedCount == 0 {
		return
	}
	handle, _, _ := s.labels()
	off := len(s.matches)
	s.matches = slices.Grow(s.matches, s.revealedCount)[:off+s.revealedCount]
	out := s.matches[off:]
	own := newBitset(len(s.set.Elements))
	for w, word := range s.revealedPos {
		for ; word != 0; word &= word - 1 {
			idx, _ := s.revealedAt(uint32(w*64 + bits.TrailingZeros64(word)))
			own.set(idx)
		}
	}
	ownRanks, posRanks := own.ranks(), s.revealedPos.ranks()
	_ = parallel(len(s.revealedPos), func(lo, hi int) error {
		for w := lo; w < hi; w++ {
			k := int(posRanks[w]) // the reveal's number, in position order
			for word := s.revealedPos[w]; word != 0; word &= word - 1 {
				idx, key := s.revealedAt(uint32(w*64 + bits.TrailingZeros64(word)))
				m := Match{Index: idx, Handle: derive(handle, &s.sid, key)}
				if s.revealedPayloads != nil {
					m.PeerPayload = s.revealedPayloads[k]
				}
				out[own.rank(idx, ownRanks)] = m
				k++
			}
		}
		return nil
	})
	s.revealedPos, s.revealedCount, s.revealedPayloads = nil, 0, nil
}

// bitset is a set of integers in [0, n), a bit each.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(i int) { b[i/64] |= 1 << (i % 64) }

// ranks returns, for each word, the number of members in the words before
// it.
func (b bitset) ranks() []uint32 {
	out := make([]uint32, len(b))
	var sum uint32
	for w, word := range b {
		out[w] = sum
		sum += uint32(bits.OnesCount64(word))
	}
	return out
}

// rank returns the number of members below i, given ranks().
func (b bitset) rank(i int, ranks []uint32) int {
	return int(ranks[i/64]) + bits.OnesCount64(b[i/64]&(1<<(i%64)-1))
}

// revealSizes returns the prefix and seal sizes of this session's Reveal
// entries: the tag position and the initiator's payload sealed to the
// responder; in suite 2 without payloads, the position and a short proof
// of the OPRF secret (PROTOCOL.md §Suite 2, Reveal) and no seal.
func (s *Session) revealSizes() (prefix, sealed int) {
	if s.suite == SuiteOTExtension && s.cfg.PayloadSize == 0 {
		return encoding.PositionSize + fastRevealProofSize, 0
	}
	return encoding.PositionSize, s.cfg.PayloadSize + encoding.SealOverhead
}

// labels returns the labels of this session's suite for match handles
// and for the payloads the responder seals to the initiator and the
// initiator to the responder.
func (s *Session) labels() (handle, sealR2I, sealI2R string) {
	if s.suite == SuiteOTExtension {
		return labelFastHandle, labelFastSealR2I, labelFastSealI2R
	}
	return labelHandle, labelSealR2I, labelSealI2R
}

// ownKey returns what the initiator derives an own element's handle and
// reveal seal from: b·H(x) in suite 1, the OPRF secret in suite 2.
func (s *Session) ownKey(own int32) []byte {
	if s.suite == SuiteOTExtension {
		return s.fastR.Secret(int(own))
	}
	return s.ownPoints[int(own)*encoding.ElementSize : int(own+1)*encoding.ElementSize]
}

// revealed returns the responder's element at a tag stream position and
// what its handle and reveal seal are derived from.
func (s *Session) revealedAt(pos uint32) (int, []byte) {
	if s.suite == SuiteOTExtension {
		return s.revealedElement(pos)
	}
	return int(s.tagOrder[pos]), chunkElement(s.tagPoints, int(pos))
}

// complete records the result and releases the session's secrets.
func (s *Session) complete(transcript [32]byte, learned bool) {
	s.result = &Result{
		Role:         s.role,
		Mode:         s.cfg.Mode,
		Suite:        s.suite,
		Learned:      learned,
		LowerBound:   learned && s.role == RoleResponder,
		Matches:      s.matches,
		Cardinality:  s.cardinality,
		BadPayloads:  s.badPayloads,
		LocalSetSize: len(s.set.Elements),
		PeerSetSize:  s.peerSize,
		SessionID:    s.sid,
		Transcript:   transcript,
	}
	if !learned {
		s.result.Matches, s.result.Cardinality = nil, 0
	}
	s.dropState()
	s.state = stDone
}

// indexOrder returns the positions 0 … n-1 ordered by index(i), which
// must be below 2^32 and distinct, each in the low 32 bits of its entry:
// matches can then be made in Index order instead of being sorted after
// (each is 64 bytes).
func indexOrder(n int, index func(i int) int) []uint64 {
	keys := make([]uint64, n)
	for i := range keys {
		keys[i] = uint64(index(i))<<32 | uint64(i)
	}
	slices.Sort(keys)
	return keys
}

// sortMatches sorts ms by Index (a no-op when they already are, as the
// matches a session makes are). Matches are 64 bytes, so it sorts (index,
// position) keys and then moves each match once, in place, along the
// cycles of the permutation: about twice as fast as sorting the structs,
// and without a second array.
func sortMatches(ms []Match) {
	if len(ms) < 2 || slices.IsSortedFunc(ms, func(a, b Match) int { return cmp.Compare(a.Index, b.Index) }) {
		return
	}
	keys := make([]uint64, len(ms)) // Index << 32 | position in ms
	for i, m := range ms {
		keys[i] = uint64(m.Index)<<32 | uint64(i)
	}
	slices.Sort(keys)
	const done = ^uint64(0)
	for k := range keys {
		if keys[k] == done {
			continue
		}
		tmp := ms[k]
		j := k
		for {
			src := int(uint32(keys[j]))
			keys[j] = done
			if src == k {
				ms[j] = tmp
				break
			}
			ms[j] = ms[src]
			j = src
		}
	}
}

func appendUint32(b []byte, v uint32) []byte {
	return append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}
