package psi

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/internal/ristretto255"
	"github.com/reunite-psi/reunite/internal/testrand"
)

// lie rewrites the points of one Evaluated chunk. blinded are the chunk's
// inputs as the responder received them, honest its honest outputs, and
// chunk the chunk's index. It returns the outputs to send and the scalar
// and commitment encoding the lying responder proves with (its best
// attempt at a proof that passes).
type lie func(t *testing.T, r *Session, chunk int, blinded, honest []*ristretto255.Element) (out []*ristretto255.Element, k *ristretto255.Scalar, bm []byte)

// lyingResponder returns a tamper that plays the responder's side of the
// attacks of issue 10: it sees the Blinded frames in flight and replaces
// each Evaluated frame's points and proof, using the responder's own
// secret, as a responder running modified code would.
func lyingResponder(t *testing.T, r *Session, l lie) tamper {
	var blinded [][]*ristretto255.Element
	chunk := 0
	return func(_ int, f encoding.Frame) encoding.Frame {
		switch f.Type {
		case encoding.TypeBlinded:
			var c encoding.PointChunk
			require.NoError(t, c.UnmarshalBinary(f.Body))
			pts, err := decodePoints(c.Points)
			require.NoError(t, err)
			blinded = append(blinded, pts)
		case encoding.TypeEvaluated:
			var c encoding.EvaluatedChunk
			require.NoError(t, c.UnmarshalBinary(f.Body))
			honest, err := decodePoints(c.Points)
			require.NoError(t, err)
			out, k, bm := l(t, r, chunk, blinded[chunk], honest)
			var cEnc, dEnc []byte
			for i := range out {
				cEnc = append(cEnc, blinded[chunk][i].Bytes()...)
				dEnc = append(dEnc, out[i].Bytes()...)
			}
			rnd, err := randomScalar(testrand.New(fmt.Sprint("lie", chunk)))
			require.NoError(t, err)
			c.Proof = proofContext(&r.sid).prove(k, bm, cEnc, dEnc, blinded[chunk], rnd)
			c.Points = dEnc
			f.Body, err = c.AppendBinary(nil)
			require.NoError(t, err)
			chunk++
		}
		return f
	}
}

// TestLyingResponderIsCaught runs the proofs of concept of issue 10 against
// the verifiable evaluation: each would, without the proof, make the
// initiator report elements the responder does not hold as matches and
// reveal its payloads for them. Each must end the session at the
// initiator with ErrBadProof before any match is computed: no forged
// match, no Reveal frame, no payload opened on either side.
func TestLyingResponderIsCaught(t *testing.T) {
	const payload = 8
	permute := func(t *testing.T, r *Session, _ int, _, honest []*ristretto255.Element) ([]*ristretto255.Element, *ristretto255.Scalar, []byte) {
		out := append([]*ristretto255.Element(nil), honest...)
		out[0], out[2] = out[2], out[0]
		return out, r.key, r.commit[:]
	}
	// A responder that knows the initiator's element j is shared returns
	// multiples of its evaluation for every element, and could then send
	// tags for the same multiples of b·H(y_j).
	multiples := func(t *testing.T, r *Session, _ int, _, honest []*ristretto255.Element) ([]*ristretto255.Element, *ristretto255.Scalar, []byte) {
		out := make([]*ristretto255.Element, len(honest))
		for i := range out {
			var b [64]byte
			b[0] = byte(i + 1)
			d, err := new(ristretto255.Scalar).SetUniformBytes(b[:])
			require.NoError(t, err)
			out[i] = new(ristretto255.Element).ScalarMult(d, honest[0])
		}
		return out, r.key, r.commit[:]
	}
	// A responder that evaluates one chunk with a second scalar, and
	// proves that chunk correctly for that scalar's own commitment.
	secondScalar := func(t *testing.T, r *Session, chunk int, blinded, honest []*ristretto255.Element) ([]*ristretto255.Element, *ristretto255.Scalar, []byte) {
		if chunk != 1 {
			return honest, r.key, r.commit[:]
		}
		k2, err := randomScalar(testrand.New("second scalar"))
		require.NoError(t, err)
		out := make([]*ristretto255.Element, len(blinded))
		for i, c := range blinded {
			out[i] = new(ristretto255.Element).ScalarMult(k2, c)
		}
		return out, k2, new(ristretto255.Element).ScalarBaseMult(k2).Bytes()
	}
	// The same, proving with the committed key's encoding.
	secondScalarSameCommitment := func(t *testing.T, r *Session, chunk int, blinded, honest []*ristretto255.Element) ([]*ristretto255.Element, *ristretto255.Scalar, []byte) {
		out, k2, _ := secondScalar(t, r, chunk, blinded, honest)
		return out, k2, r.commit[:]
	}

	cases := []struct {
		name   string
		lie    lie
		chunks int
	}{
		{"permuted evaluations", permute, 1},
		{"multiples of one evaluation", multiples, 1},
		{"second scalar for a chunk, its own commitment", secondScalar, 2},
		{"second scalar for a chunk, the session's commitment", secondScalarSameCommitment, 2},
	}
	for _, tc := range cases {
		for _, mode := range []Mode{BothLearn, InitiatorOnly} {
			t.Run(fmt.Sprintf("%s/%v", tc.name, mode), func(t *testing.T) {
				n := 3 + (tc.chunks-1)*encoding.MaxChunkElements
				a := words("shared", n)
				b := append(words("shared", 2), words("responder-only", 5)...)
				cfg := Config{Context: []byte("lying responder"), Mode: mode, PayloadSize: payload}
				ini, err := newInitiator(cfg, Set{Elements: a, Payloads: payloads("A", a, payload)})
				require.NoError(t, err)
				resp, err := newResponder(cfg, Set{Elements: b, Payloads: payloads("B", b, payload)})
				require.NoError(t, err)

				frames, ra, rb, erra, errb := pump(t, ini, resp, lyingResponder(t, resp, tc.lie))
				require.ErrorIs(t, erra, ErrBadProof, "the initiator catches the lie")
				assert.Contains(t, erra.Error(), fmt.Sprintf("evaluated chunk %d", tc.chunks-1), "in the chunk that lies")
				require.ErrorIs(t, errb, ErrPeerAborted, "and tells the responder")
				assert.ErrorIs(t, errb, ErrBadProof)
				assert.Nil(t, ra, "no forged match")
				assert.Nil(t, rb, "no payload opened")
				for _, f := range frames {
					parsed, err := encoding.ParseFrame(f.Bytes)
					require.NoError(t, err)
					if f.From == RoleInitiator {
						assert.NotEqual(t, encoding.TypeReveal, parsed.Type, "the initiator reveals nothing")
					}
				}
			})
		}
	}
}

// TestCardinalityOnlyRefusesProof checks that cardinality-only mode, whose
// shuffled evaluations no proof covers, refuses an Evaluated chunk that
// claims one rather than ignoring it.
func TestCardinalityOnlyRefusesProof(t *testing.T) {
	ini, resp := hostileSessions(t, CardinalityOnly, 0)
	erra, errb := relay(t, ini, resp, editBody(fEvaluated, func(b []byte) []byte {
		b[pointsOffset] = 1
		return b
	}))
	assert.ErrorIs(t, erra, ErrMalformed)
	assert.ErrorIs(t, errb, ErrPeerAborted)
}
