package psi

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/encoding"
)

// fastHostileSessions are a suite-2 both-learn pair with 8-byte payloads;
// every responder element is also the initiator's, so every tag block of
// the responder's holds a hit.
func fastHostileSessions(t *testing.T) (*Session, *Session) {
	t.Helper()
	a := [][]byte{[]byte("alpha"), []byte("beta"), []byte("gamma"), []byte("delta")}
	b := [][]byte{[]byte("gamma"), []byte("alpha"), []byte("delta")}
	cfg := Config{Context: []byte("hostile"), Mode: BothLearn, PayloadSize: 8, Suites: fastOnly}
	ini, err := newInitiator(cfg, Set{Elements: a, Payloads: payloads("A", a, 8)})
	require.NoError(t, err)
	resp, err := newResponder(cfg, Set{Elements: b, Payloads: payloads("B", b, 8)})
	require.NoError(t, err)
	return ini, resp
}

// Frame indices of a fastHostileSessions session: one matrix chunk and
// one tag chunk at these sizes.
const (
	gHello = iota
	gReply
	gSetup
	gOTReply
	gMatrix
	gTags
	gReveal
	gFinish
	gConfirm
)

// Offsets in suite-2 bodies.
const (
	otPointsOffset = encoding.SessionIDSize + encoding.PRCKeySize
	matrixOffset   = encoding.SessionIDSize + 4
	oprfTagsOffset = encoding.OPRFTagsHeaderSize
)

func TestFastHostilePeer(t *testing.T) {
	nonCanonical := bytes.Repeat([]byte{0xff}, 32)
	nonCanonical[31] = 0x7f
	other, otherResp := fastHostileSessions(t)
	var otherFrames []encoding.Frame
	_, _ = relay(t, other, otherResp, func(i int, f encoding.Frame) encoding.Frame {
		otherFrames = append(otherFrames, f)
		return f
	})
	require.Len(t, otherFrames, 9)
	// The tag chunk's layout, from a clean run.
	var tags encoding.OPRFTags
	require.NoError(t, tags.UnmarshalBinary(otherFrames[gTags].Body))
	block := int(tags.PerElement) * int(tags.TagLength)
	seq := func(at int, f func(*encoding.Frame)) tamper {
		return func(i int, fr encoding.Frame) encoding.Frame {
			if i == at {
				f(&fr)
			}
			return fr
		}
	}

	tests := []struct {
		name    string
		tp      tamper
		victim  Role
		want    error
		viaPeer bool
	}{
		{"identity base-OT element A", editBody(gSetup, func(b []byte) []byte {
			clear(b[encoding.SessionIDSize:])
			return b
		}), RoleResponder, ErrInvalidElement, true},
		{"non-canonical A", editBody(gSetup, func(b []byte) []byte {
			copy(b[encoding.SessionIDSize:], nonCanonical)
			return b
		}), RoleResponder, ErrInvalidElement, true},
		{"identity B_i", editBody(gOTReply, func(b []byte) []byte {
			clear(b[otPointsOffset+5*32 : otPointsOffset+6*32])
			return b
		}), RoleInitiator, ErrInvalidElement, true},
		{"non-canonical B_i", editBody(gOTReply, func(b []byte) []byte {
			copy(b[otPointsOffset+447*32:], nonCanonical)
			return b
		}), RoleInitiator, ErrInvalidElement, true},
		{"truncated OT setup", editBody(gSetup, func(b []byte) []byte { return b[:len(b)-1] }), RoleResponder, ErrMalformed, true},
		{"oversized OT reply", editBody(gOTReply, func(b []byte) []byte { return append(b, 0) }), RoleInitiator, ErrMalformed, true},
		{"truncated matrix chunk", editBody(gMatrix, func(b []byte) []byte { return b[:len(b)-encoding.RowSize] }), RoleResponder, ErrMalformed, true},
		{"matrix chunk of fewer rows", editBody(gMatrix, func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[encoding.SessionIDSize:], 64)
			return b[:matrixOffset+64*encoding.RowSize]
		}), RoleResponder, ErrMalformed, true},
		{"matrix rows altered in flight", editBody(gMatrix, func(b []byte) []byte {
			b[matrixOffset+100] ^= 1
			return b
		}), RoleResponder, ErrTranscriptMismatch, true},
		{"code key altered in flight", editBody(gOTReply, func(b []byte) []byte {
			b[encoding.SessionIDSize] ^= 1
			return b
		}), RoleResponder, ErrTranscriptMismatch, true},
		{"tags of another length", editBody(gTags, func(b []byte) []byte {
			b[encoding.SessionIDSize+5]++
			return b
		}), RoleInitiator, ErrMalformed, true},
		{"more tag elements than declared", editBody(gTags, func(b []byte) []byte {
			b[encoding.SessionIDSize+3]++
			return b
		}), RoleInitiator, ErrMalformed, true},
		{"truncated tag chunk", editBody(gTags, func(b []byte) []byte { return b[:len(b)-1] }), RoleInitiator, ErrMalformed, true},
		{"repeated tag", editBody(gTags, func(b []byte) []byte {
			copy(b[oprfTagsOffset+block:oprfTagsOffset+2*block], b[oprfTagsOffset:oprfTagsOffset+block])
			return b
		}), RoleInitiator, ErrDuplicate, true},
		{"non-zero commitment in suite 2", editBody(gReply, func(b []byte) []byte {
			b[len(b)-1] = 1
			return b
		}), RoleInitiator, ErrMalformed, true},
		{"wrong message type", seq(gMatrix, func(f *encoding.Frame) { f.Type = encoding.TypeOTSetup }), RoleResponder, ErrUnexpectedMessage, true},
		{"suite-1 frame in suite 2", seq(gSetup, func(f *encoding.Frame) { f.Type = encoding.TypeBlinded }), RoleResponder, ErrUnexpectedMessage, true},
		{"replayed frame", seq(gMatrix, func(f *encoding.Frame) { f.Seq = 1 }), RoleResponder, ErrSequence, true},
		{"skipped frame", seq(gTags, func(f *encoding.Frame) { f.Seq++ }), RoleInitiator, ErrSequence, true},
		{"frame from another session", func(i int, f encoding.Frame) encoding.Frame {
			if i == gSetup {
				return otherFrames[gSetup]
			}
			return f
		}, RoleResponder, ErrWrongSession, true},
		{"matrix from another session", func(i int, f encoding.Frame) encoding.Frame {
			if i == gMatrix {
				return otherFrames[gMatrix]
			}
			return f
		}, RoleResponder, ErrWrongSession, true},
		{"fabricated reveal", editBody(gReveal, func(b []byte) []byte {
			b[len(b)-1] ^= 1
			return b
		}), RoleResponder, ErrPayloadAuth, true},
		{"one element revealed twice", editBody(gReveal, func(b []byte) []byte {
			entry := encoding.PositionSize + 8 + encoding.SealOverhead
			copy(b[sealedOffset+entry:sealedOffset+entry+4], b[sealedOffset:sealedOffset+4])
			return b
		}), RoleResponder, ErrMalformed, true},
		{"reveal position out of range", editBody(gReveal, func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[sealedOffset:], 1<<30)
			return b
		}), RoleResponder, ErrMalformed, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ini, resp := fastHostileSessions(t)
			checkHostile(t, ini, resp, tc.tp, tc.victim, tc.want, tc.viaPeer)
		})
	}
}

// TestFastReplyOutsideOffer: a responder that answers with a suite the
// initiator did not offer is refused.
func TestFastReplyOutsideOffer(t *testing.T) {
	ini, resp := hostileSessions(t, BothLearn, 8) // suite 1 only
	checkHostile(t, ini, resp, editBody(fReply, func(b []byte) []byte {
		b[1] = byte(SuiteOTExtension)
		return b
	}), RoleInitiator, ErrUnsupported, true)
}

// TestFastMaxBody drives a multi-chunk suite-2 session by hand and checks
// that every frame is exactly as long as the receiver's MaxBody allows, so
// Run reads no more than each message needs; any other type gets 0.
func TestFastMaxBody(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	a, b := sets(rng, 5000, 9000, 100)
	cfg := Config{Context: []byte("maxbody"), Mode: BothLearn, PayloadSize: 40, Suites: fastOnly}
	ini, err := newInitiator(cfg, Set{Elements: a, Payloads: payloads("A", a, 40)})
	require.NoError(t, err)
	resp, err := newResponder(cfg, Set{Elements: b, Payloads: payloads("B", b, 40)})
	require.NoError(t, err)
	counts := map[encoding.MessageType]int{}
	p := [2]*Session{ini, resp}
	for p[0].Turn() != TurnDone || p[1].Turn() != TurnDone {
		for i, s := range p {
			for s.Turn() == TurnSend {
				f, err := s.Send()
				require.NoError(t, err)
				peer := p[1-i]
				require.Equal(t, TurnReceive, peer.Turn())
				if f.Type == encoding.TypeHello || f.Type == encoding.TypeHelloReply || f.Type == encoding.TypeReveal {
					// Contexts vary in length, and reveals in number.
					require.LessOrEqual(t, len(f.Body), peer.MaxBody(f.Type))
				} else {
					require.Equal(t, len(f.Body), peer.MaxBody(f.Type), "%v frame %d", f.Type, f.Seq)
				}
				for typ := encoding.TypeHello; typ <= encoding.TypeOPRFTags; typ++ {
					handshake := typ == encoding.TypeHello || typ == encoding.TypeHelloReply // the other is refused as a role mismatch
					if typ != f.Type && typ != encoding.TypeAlert && !handshake && !revealOrFinish(f.Type, typ) {
						assert.Zero(t, peer.MaxBody(typ), "%v accepted where %v is due", typ, f.Type)
					}
				}
				counts[f.Type]++
				require.NoError(t, peer.Receive(f))
			}
		}
	}
	assert.Equal(t, 2, counts[encoding.TypeMatrix], "5000 elements: 10048 rows, two chunks")
	assert.Equal(t, 3, counts[encoding.TypeOPRFTags], "9000 elements: 3 tag chunks")
	r, err := ini.Result()
	require.NoError(t, err)
	assert.Equal(t, plainIntersection(a, b), matchIndices(r.Matches))
}

// revealOrFinish reports whether a and b are Reveal and Finish, which a
// responder accepts alike until the Finish arrives.
func revealOrFinish(a, b encoding.MessageType) bool {
	r, f := encoding.TypeReveal, encoding.TypeFinish
	return a == r && b == f || a == f && b == r
}

// fastSentinels are every error a suite-2 session may end with.
var fastSentinels = []error{
	ErrMalformed, ErrInvalidElement, ErrDuplicate, ErrUnexpectedMessage, ErrWrongSession,
	ErrSequence, ErrTranscriptMismatch, ErrPayloadAuth, ErrUnsupported, ErrModeMismatch,
	ErrContextMismatch, ErrPayloadMismatch, ErrSetTooLarge, ErrRoleMismatch, ErrAborted,
}

// TestFastRandomCorruption corrupts one frame of a suite-2 session at a
// time, at random positions and lengths: no panic, and every failure
// matches a sentinel. A corruption that leaves the frame valid is caught
// at the latest by the transcript check.
func TestFastRandomCorruption(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for frame := gHello; frame <= gConfirm; frame++ {
		for range 12 {
			ini, resp := fastHostileSessions(t)
			erra, errb := relay(t, ini, resp, func(i int, f encoding.Frame) encoding.Frame {
				if i != frame {
					return f
				}
				b := bytes.Clone(f.Body)
				switch rng.IntN(3) {
				case 0:
					b = b[:rng.IntN(len(b))]
				case 1:
					b = append(b, byte(rng.Uint32()))
				default:
					b[rng.IntN(len(b))] ^= byte(1 + rng.IntN(255))
				}
				f.Body = b
				return f
			})
			require.False(t, erra == nil && errb == nil, "frame %d corrupted, both succeeded", frame)
			for _, err := range []error{erra, errb} {
				if err == nil {
					continue // the alert-less side of a final Finish
				}
				typed := false
				for _, s := range fastSentinels {
					typed = typed || errors.Is(err, s)
				}
				require.True(t, typed, "frame %d: untyped error %v", frame, err)
			}
		}
	}
}

// FuzzFastSessionReceive feeds arbitrary frames to suite-2 sessions in
// every receiving state (FuzzSessionReceive for suite 2).
func FuzzFastSessionReceive(f *testing.F) { fuzzReceive(f, fastOnly, 9) }

// TestFastRevealProof: without payloads a suite-2 Reveal entry is the
// position and a 5-byte proof of the OPRF secret; a changed proof, or a
// proof moved to another element's position, is refused.
func TestFastRevealProof(t *testing.T) {
	newPair := func(t *testing.T) (*Session, *Session) {
		a := [][]byte{[]byte("alpha"), []byte("beta"), []byte("gamma"), []byte("delta")}
		b := [][]byte{[]byte("gamma"), []byte("alpha"), []byte("delta")}
		cfg := Config{Context: []byte("hostile"), Mode: BothLearn, Suites: fastOnly}
		ini, err := newInitiator(cfg, Set{Elements: a})
		require.NoError(t, err)
		resp, err := newResponder(cfg, Set{Elements: b})
		require.NoError(t, err)
		return ini, resp
	}
	entry := encoding.PositionSize + fastRevealProofSize
	t.Run("clean", func(t *testing.T) {
		ini, resp := newPair(t)
		var reveal encoding.SealedChunk
		erra, errb := relay(t, ini, resp, func(i int, f encoding.Frame) encoding.Frame {
			if i == gReveal {
				require.NoError(t, reveal.UnmarshalBinary(f.Body))
			}
			return f
		})
		require.NoError(t, erra)
		require.NoError(t, errb)
		assert.Equal(t, entry, int(reveal.PrefixSize))
		assert.Zero(t, reveal.SealedSize)
		assert.Equal(t, 3, reveal.Len())
	})
	t.Run("changed proof", func(t *testing.T) {
		ini, resp := newPair(t)
		checkHostile(t, ini, resp, editBody(gReveal, func(b []byte) []byte {
			b[sealedOffset+entry+encoding.PositionSize] ^= 1
			return b
		}), RoleResponder, ErrPayloadAuth, true)
	})
	t.Run("proofs swapped between elements", func(t *testing.T) {
		ini, resp := newPair(t)
		checkHostile(t, ini, resp, editBody(gReveal, func(b []byte) []byte {
			p0 := b[sealedOffset+encoding.PositionSize : sealedOffset+entry]
			p1 := b[sealedOffset+entry+encoding.PositionSize : sealedOffset+2*entry]
			tmp := bytes.Clone(p0)
			copy(p0, p1)
			copy(p1, tmp)
			return b
		}), RoleResponder, ErrPayloadAuth, true)
	})
}
