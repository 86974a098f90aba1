package psi

import (
	"bytes"
	"errors"
	"testing"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func hostileSessions(t *testing.T, mode Mode, payload int) (*Session, *Session) {
	t.Helper()
	a := [][]byte{[]byte("alpha"), []byte("beta"), []byte("gamma"), []byte("delta")}
	b := [][]byte{[]byte("gamma"), []byte("alpha"), []byte("omega")}
	cfg := Config{Context: []byte("hostile"), Mode: mode, PayloadSize: payload}
	ini, err := newInitiator(cfg, Set{Elements: a, Payloads: payloads("A", a, payload)})
	require.NoError(t, err)
	resp, err := newResponder(cfg, Set{Elements: b, Payloads: payloads("B", b, payload)})
	require.NoError(t, err)
	return ini, resp
}

// Frame indices in a both-learn session of hostileSessions: 0 Hello,
// 1 HelloReply, 2 Blinded, 3 Evaluated, 4 Tags, 5 Reveal, 6 Finish,
// 7 the responder's confirming Finish.
const (
	fHello = iota
	fReply
	fBlinded
	fEvaluated
	fTags
	fReveal
	fFinish
	fConfirm
)

const (
	pointsOffset    = encoding.SessionIDSize + 4         // session ID and count precede the points
	evaluatedOffset = pointsOffset + encoding.ProofSize  // and the proof precedes evaluated points
	sealedOffset    = encoding.SessionIDSize + 4 + 1 + 2 // session ID, count, prefix and seal sizes
)

func editBody(at int, edit func(body []byte) []byte) tamper {
	return func(i int, f encoding.Frame) encoding.Frame {
		if i == at {
			f.Body = edit(bytes.Clone(f.Body))
		}
		return f
	}
}

func TestHostilePeer(t *testing.T) {
	nonCanonical := bytes.Repeat([]byte{0xff}, 32)
	nonCanonical[31] = 0x7f
	other, otherResp := hostileSessions(t, BothLearn, 8) // a second session, for its frames
	var otherFrames []encoding.Frame
	_, _ = relay(t, other, otherResp, func(i int, f encoding.Frame) encoding.Frame {
		otherFrames = append(otherFrames, f)
		return f
	})
	require.Len(t, otherFrames, 8)

	tests := []struct {
		name    string
		tp      tamper
		victim  Role  // who detects the deviation
		want    error // the victim's error; the other side gets it via an alert
		viaPeer bool  // false when the victim cannot alert (it received an alert)
	}{
		{"identity point in blinded set", editBody(fBlinded, func(b []byte) []byte {
			clear(b[pointsOffset : pointsOffset+32])
			return b
		}), RoleResponder, ErrInvalidElement, true},
		{"non-canonical point in blinded set", editBody(fBlinded, func(b []byte) []byte {
			copy(b[pointsOffset:], nonCanonical)
			return b
		}), RoleResponder, ErrInvalidElement, true},
		{"identity point in evaluated set", editBody(fEvaluated, func(b []byte) []byte {
			clear(b[evaluatedOffset+32 : evaluatedOffset+64])
			return b
		}), RoleInitiator, ErrInvalidElement, true},
		{"blinded point replaced in flight", editBody(fBlinded, func(b []byte) []byte {
			copy(b[pointsOffset+32:pointsOffset+64], b[pointsOffset:pointsOffset+32])
			return b
		}), RoleInitiator, ErrBadProof, true},
		{"duplicate point in evaluated set", editBody(fEvaluated, func(b []byte) []byte {
			copy(b[evaluatedOffset+32:evaluatedOffset+64], b[evaluatedOffset:evaluatedOffset+32])
			return b
		}), RoleInitiator, ErrBadProof, true},
		{"proof altered", editBody(fEvaluated, func(b []byte) []byte {
			b[pointsOffset] ^= 1
			return b
		}), RoleInitiator, ErrBadProof, true},
		{"duplicate tag", editBody(fTags, func(b []byte) []byte {
			off, size := sealedOffset, encoding.TagSize+8+encoding.SealOverhead
			copy(b[off+size:off+size+encoding.TagSize], b[off:off+encoding.TagSize])
			return b
		}), RoleInitiator, ErrDuplicate, true},
		{"more elements than declared", editBody(fBlinded, func(b []byte) []byte {
			b[pointsOffset-1]++
			return append(b, b[pointsOffset:pointsOffset+32]...)
		}), RoleResponder, ErrMalformed, true},
		{"truncated chunk body", editBody(fBlinded, func(b []byte) []byte { return b[:len(b)-1] }), RoleResponder, ErrMalformed, true},
		{"wrong message type", func(i int, f encoding.Frame) encoding.Frame {
			if i == fBlinded {
				f.Type = encoding.TypeEvaluated
			}
			return f
		}, RoleResponder, ErrUnexpectedMessage, true},
		{"replayed frame", func(i int, f encoding.Frame) encoding.Frame {
			if i == fEvaluated {
				f.Seq = 0
			}
			return f
		}, RoleInitiator, ErrSequence, true},
		{"skipped frame", func(i int, f encoding.Frame) encoding.Frame {
			if i == fTags {
				f.Seq++
			}
			return f
		}, RoleInitiator, ErrSequence, true},
		{"frame from another session", func(i int, f encoding.Frame) encoding.Frame {
			if i == fBlinded {
				return otherFrames[fBlinded]
			}
			return f
		}, RoleResponder, ErrWrongSession, true},
		{"fabricated reveal", editBody(fReveal, func(b []byte) []byte {
			b[len(b)-1] ^= 1
			return b
		}), RoleResponder, ErrPayloadAuth, true},
		{"reveal out of order", editBody(fReveal, func(b []byte) []byte {
			entry := 4 + 8 + encoding.SealOverhead
			off := sealedOffset
			first := bytes.Clone(b[off : off+entry])
			copy(b[off:], b[off+entry:off+2*entry])
			copy(b[off+entry:], first)
			return b
		}), RoleResponder, ErrMalformed, true},
		{"transcript mismatch", editBody(fFinish, func(b []byte) []byte {
			b[len(b)-1] ^= 1
			return b
		}), RoleResponder, ErrTranscriptMismatch, true},
		{"confirmation mismatch", editBody(fConfirm, func(b []byte) []byte {
			b[len(b)-1] ^= 1
			return b
		}), RoleInitiator, ErrTranscriptMismatch, false},
		{"garbage body", editBody(fReply, func(b []byte) []byte { return []byte("garbage") }), RoleInitiator, ErrMalformed, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ini, resp := hostileSessions(t, BothLearn, 8)
			checkHostile(t, ini, resp, tc.tp, tc.victim, tc.want, tc.viaPeer)
		})
	}
}

// checkHostile relays a session through tp and checks that victim detects
// the deviation with an error matching want (not an alert), that the
// other side is told when viaPeer, and that neither side that knows
// reports a result.
func checkHostile(t *testing.T, ini, resp *Session, tp tamper, victim Role, want error, viaPeer bool) {
	t.Helper()
	erra, errb := relay(t, ini, resp, tp)
	victimErr, peerErr := erra, errb
	victimSession, peerSession := ini, resp
	if victim == RoleResponder {
		victimErr, peerErr = errb, erra
		victimSession, peerSession = resp, ini
	}
	require.ErrorIs(t, victimErr, want)
	var pae *PeerAbortError
	assert.False(t, errors.As(victimErr, &pae), "the victim detected it itself")
	if viaPeer {
		require.ErrorIs(t, peerErr, ErrPeerAborted, "the other side is told")
		assert.ErrorIs(t, peerErr, want)
	}
	// A failed session yields no result, on either side that knows.
	r, err := victimSession.Result()
	assert.Error(t, err)
	assert.Nil(t, r)
	if viaPeer {
		r, err = peerSession.Result()
		assert.Error(t, err)
		assert.Nil(t, r)
	}
}

func TestHandshakeRefusals(t *testing.T) {
	base := Config{Context: []byte("rules-v1"), Mode: BothLearn, PayloadSize: 8}
	elems := func(n int) Set {
		s := Set{}
		for i := range n {
			s.Elements = append(s.Elements, []byte{byte(i), byte(i >> 8)})
			s.Payloads = append(s.Payloads, make([]byte, 8))
		}
		return s
	}
	tests := []struct {
		name       string
		ini, resp  Config
		nIni, nRsp int
		want       error
	}{
		{"context mismatch", base, Config{Context: []byte("rules-v2"), Mode: BothLearn, PayloadSize: 8}, 3, 3, ErrContextMismatch},
		{"mode mismatch", base, Config{Context: []byte("rules-v1"), Mode: InitiatorOnly, PayloadSize: 8}, 3, 3, ErrModeMismatch},
		{"payload size mismatch", base, Config{Context: []byte("rules-v1"), Mode: BothLearn, PayloadSize: 9}, 3, 3, ErrPayloadMismatch},
		{"initiator set above responder cap", base, Config{Context: []byte("rules-v1"), Mode: BothLearn, PayloadSize: 8, MaxSetSize: 10}, 11, 3, ErrSetTooLarge},
		{"responder set above initiator cap", Config{Context: []byte("rules-v1"), Mode: BothLearn, PayloadSize: 8, MaxSetSize: 10}, base, 3, 11, ErrSetTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			respSet := elems(tc.nRsp)
			if tc.resp.PayloadSize == 9 {
				for i := range respSet.Payloads {
					respSet.Payloads[i] = make([]byte, 9)
				}
			}
			ini, err := newInitiator(tc.ini, elems(tc.nIni))
			require.NoError(t, err)
			resp, err := newResponder(tc.resp, respSet)
			require.NoError(t, err)
			var sent []encoding.MessageType
			erra, errb := relay(t, ini, resp, func(i int, f encoding.Frame) encoding.Frame {
				sent = append(sent, f.Type)
				return f
			})
			// Both sides report the same reason.
			assert.ErrorIs(t, erra, tc.want)
			assert.ErrorIs(t, errb, tc.want)
			// Refused during the handshake: no element ever left either side.
			assert.NotContains(t, sent, encoding.TypeBlinded)
			assert.NotContains(t, sent, encoding.TypeTags)
		})
	}
}

func TestDeclaredSizeAboveCapRefusedBeforeWork(t *testing.T) {
	resp, err := newResponder(Config{Context: []byte("c"), Mode: BothLearn, MaxSetSize: 100}, Set{})
	require.NoError(t, err)
	h := encoding.Hello{Suite: 1, Mode: uint8(BothLearn), MaxSetSize: 1 << 26, SetSize: 1 << 26, Context: []byte("c")}
	body, err := h.AppendBinary(nil)
	require.NoError(t, err)
	err = resp.Receive(encoding.Frame{Type: encoding.TypeHello, Body: body})
	require.ErrorIs(t, err, ErrSetTooLarge)
	assert.Equal(t, TurnSend, resp.Turn(), "an alert is owed")
	f, err := resp.Send()
	require.NoError(t, err)
	assert.Equal(t, encoding.TypeAlert, f.Type)
	assert.Equal(t, TurnDone, resp.Turn())
}

func TestConfigAndInputErrors(t *testing.T) {
	ok := Config{Context: []byte("c"), Mode: BothLearn}
	tests := []struct {
		name string
		cfg  Config
		set  Set
		want error
	}{
		{"no context", Config{Mode: BothLearn}, Set{}, ErrConfig},
		{"long context", Config{Context: make([]byte, 65), Mode: BothLearn}, Set{}, ErrConfig},
		{"no mode", Config{Context: []byte("c")}, Set{}, ErrConfig},
		{"payload in cardinality mode", Config{Context: []byte("c"), Mode: CardinalityOnly, PayloadSize: 4}, Set{}, ErrConfig},
		{"payload too large", Config{Context: []byte("c"), Mode: BothLearn, PayloadSize: 513}, Set{}, ErrConfig},
		{"negative cap", Config{Context: []byte("c"), Mode: BothLearn, MaxSetSize: -1}, Set{}, ErrConfig},
		{"set above own cap", Config{Context: []byte("c"), Mode: BothLearn, MaxSetSize: 1}, Set{Elements: [][]byte{{1}, {2}}}, ErrSetTooLarge},
		{"duplicate elements", ok, Set{Elements: [][]byte{{1}, {2}, {1}}}, ErrDuplicateElement},
		{"payloads without size", ok, Set{Elements: [][]byte{{1}}, Payloads: [][]byte{{1}}}, ErrConfig},
		{"missing payloads", Config{Context: []byte("c"), Mode: BothLearn, PayloadSize: 2}, Set{Elements: [][]byte{{1}}}, ErrConfig},
		{"short payload", Config{Context: []byte("c"), Mode: BothLearn, PayloadSize: 2}, Set{Elements: [][]byte{{1}}, Payloads: [][]byte{{1}}}, ErrConfig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newInitiator(tc.cfg, tc.set)
			assert.ErrorIs(t, err, tc.want)
			_, err = newResponder(tc.cfg, tc.set)
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

func TestWrongTurn(t *testing.T) {
	ini, resp := hostileSessions(t, BothLearn, 0)
	err := ini.Receive(encoding.Frame{Type: encoding.TypeHelloReply})
	assert.ErrorIs(t, err, ErrWrongTurn)
	_, err = resp.Send()
	assert.ErrorIs(t, err, ErrWrongTurn)
	_, err = ini.Result()
	assert.ErrorIs(t, err, ErrWrongTurn)
	// Misuse does not break the session.
	_, ra, rb, erra, errb := exchange(t, ini, resp)
	require.NoError(t, erra)
	require.NoError(t, errb)
	assert.Equal(t, 2, ra.Cardinality)
	assert.Equal(t, 2, rb.Cardinality)
}

// TestErrorsCarryNoSecrets checks error strings name no element bytes.
func TestErrorsCarryNoSecrets(t *testing.T) {
	secret := []byte("Oleksandr Kovalenko 2011-03-04")
	_, err := newInitiator(Config{Context: []byte("c"), Mode: BothLearn}, Set{Elements: [][]byte{secret, secret}})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), string(secret))
	assert.NotContains(t, err.Error(), "Oleksandr")
}

// TestBadSealDoesNotAbort checks that a responder who corrupts the seal of
// a guessed element cannot learn from the initiator's reaction whether the
// initiator holds it: the initiator reacts to bad seals exactly as to good
// ones, by sending its Finish. (Tampering in flight, as here, then shows up
// as a transcript mismatch at the responder; a responder that corrupts its
// own seals would see a normal end.)
func TestBadSealDoesNotAbort(t *testing.T) {
	for _, mode := range []Mode{InitiatorOnly, BothLearn} {
		ini, resp := hostileSessions(t, mode, 8)
		frames, _, _, _, errb := pump(t, ini, resp, editBody(fTags, func(b []byte) []byte {
			for i := sealedOffset + encoding.TagSize; i < len(b); i += encoding.TagSize + 8 + encoding.SealOverhead {
				b[i] ^= 1 // every seal, matching or not
			}
			return b
		}))
		var fromInitiator []encoding.MessageType
		for _, f := range frames {
			parsed, err := encoding.ParseFrame(f.Bytes)
			require.NoError(t, err)
			if f.From == RoleInitiator {
				fromInitiator = append(fromInitiator, parsed.Type)
			}
		}
		assert.NotContains(t, fromInitiator, encoding.TypeAlert, "%v: the initiator must not react to bad seals", mode)
		assert.Contains(t, fromInitiator, encoding.TypeFinish, "%v", mode)
		assert.ErrorIs(t, errb, ErrTranscriptMismatch, "%v", mode)
		assert.Equal(t, 2, ini.badPayloads, "%v", mode)
	}
}

// TestResponderResultIsLowerBound checks that the result says when it holds
// only what the peer chose to reveal: the responder's in both-learn mode.
func TestResponderResultIsLowerBound(t *testing.T) {
	tests := []struct {
		mode       Mode
		tp         tamper
		wantResp   bool
		wantLearns bool
	}{
		{BothLearn, nil, true, true},
		{InitiatorOnly, nil, false, false},
		{CardinalityOnly, nil, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.mode.String(), func(t *testing.T) {
			payload := 8
			if tc.mode == CardinalityOnly {
				payload = 0
			}
			ini, resp := hostileSessions(t, tc.mode, payload)
			_, ra, rb, erra, errb := pump(t, ini, resp, tc.tp)
			require.NoError(t, erra)
			require.NoError(t, errb)
			assert.False(t, ra.LowerBound, "the initiator's result is its own")
			assert.Equal(t, tc.wantResp, rb.LowerBound)
			assert.Equal(t, tc.wantLearns, rb.Learned)
		})
	}
}

// TestRoles checks that a session needs a valid role, and that Peer names
// the other side.
func TestRoles(t *testing.T) {
	tests := []struct {
		role, peer Role
		valid      bool
	}{
		{RoleInitiator, RoleResponder, true},
		{RoleResponder, RoleInitiator, true},
		{0, 0, false},
		{3, 3, false},
	}
	for _, tc := range tests {
		t.Run(tc.role.String(), func(t *testing.T) {
			assert.Equal(t, tc.peer, tc.role.Peer())
			s, err := NewSession(Config{Role: tc.role, Context: []byte("c"), Mode: BothLearn}, Set{})
			if !tc.valid {
				assert.ErrorIs(t, err, ErrConfig)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.role, s.Role())
		})
	}
}

// TestDeclaredSizesAtTheirLimit feeds handshakes whose declared sizes are
// the largest a uint32 holds. They are compared as declared, never through
// an int that could wrap on a 32-bit platform, and refused.
func TestDeclaredSizesAtTheirLimit(t *testing.T) {
	const huge = ^uint32(0)
	cfg := Config{Context: []byte("limits"), Mode: BothLearn}
	tests := []struct {
		name         string
		max, setSize uint32
		toInitiator  bool
	}{
		{"hello declares 2^32-1 elements", huge, huge, false},
		{"hello declares 2^31 elements", huge, 1 << 31, false},
		{"reply announces a cap of 2^32-1", huge, 1, true},
		{"reply declares 2^32-1 elements", DefaultMaxSetSize, huge, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ini, err := newInitiator(cfg, Set{})
			require.NoError(t, err)
			resp, err := newResponder(cfg, Set{})
			require.NoError(t, err)
			hello := encoding.Hello{Suite: uint16(SuiteECDHRistretto255), Mode: uint8(BothLearn), MaxSetSize: tc.max, SetSize: tc.setSize, Context: cfg.Context}
			if !tc.toInitiator {
				body, err := hello.AppendBinary(nil)
				require.NoError(t, err)
				require.ErrorIs(t, resp.Receive(encoding.Frame{Type: encoding.TypeHello, Body: body}), ErrSetTooLarge)
				return
			}
			_, err = ini.Send()
			require.NoError(t, err)
			reply := encoding.HelloReply{Hello: hello, Commitment: resp.commit}
			body, err := reply.AppendBinary(nil)
			require.NoError(t, err)
			require.ErrorIs(t, ini.Receive(encoding.Frame{Type: encoding.TypeHelloReply, Body: body}), ErrSetTooLarge)
		})
	}
}
