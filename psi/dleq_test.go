package psi

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/internal/ristretto255"
	"github.com/reunite-psi/reunite/internal/testrand"
)

// rfc9497ContextString is the contextString of RFC 9497 §3.1 for the
// VOPRF mode (0x01) of the ristretto255-SHA512 suite.
const rfc9497ContextString = "OPRFV1-\x01-ristretto255-SHA512"

func unhexList(t *testing.T, s string) (enc []byte, pts []*ristretto255.Element) {
	t.Helper()
	for _, h := range strings.Split(s, ",") {
		b, err := hex.DecodeString(h)
		require.NoError(t, err)
		p, err := new(ristretto255.Element).SetCanonicalBytes(b)
		require.NoError(t, err)
		enc = append(enc, b...)
		pts = append(pts, p)
	}
	return enc, pts
}

func unhexScalar(t *testing.T, s string) *ristretto255.Scalar {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	k, err := new(ristretto255.Scalar).SetCanonicalBytes(b)
	require.NoError(t, err)
	return k
}

// TestDLEQAgainstRFC9497 runs GenerateProof and VerifyProof with the RFC's
// contextString on the VOPRF(ristretto255, SHA-512) vectors of RFC 9497
// Appendix A.1.2, single and batched.
func TestDLEQAgainstRFC9497(t *testing.T) {
	raw, err := os.ReadFile("testdata/rfc9497-voprf-ristretto255.json")
	require.NoError(t, err)
	var file struct {
		SkSm    string `json:"skSm"`
		PkSm    string `json:"pkSm"`
		Vectors []struct {
			Batch             int    `json:"batch"`
			BlindedElement    string `json:"blinded_element"`
			EvaluationElement string `json:"evaluation_element"`
			Proof             string `json:"proof"`
			R                 string `json:"r"`
		} `json:"vectors"`
	}
	require.NoError(t, json.Unmarshal(raw, &file))
	require.NotEmpty(t, file.Vectors, "no vectors loaded")

	q := newDLEQ([]byte(rfc9497ContextString))
	k := unhexScalar(t, file.SkSm)
	bm, err := hex.DecodeString(file.PkSm)
	require.NoError(t, err)
	b, err := new(ristretto255.Element).SetCanonicalBytes(bm)
	require.NoError(t, err)
	require.Equal(t, bm, new(ristretto255.Element).ScalarBaseMult(k).Bytes(), "pkSm = skSm·G")

	for i, v := range file.Vectors {
		t.Run(fmt.Sprintf("vector%d-batch%d", i, v.Batch), func(t *testing.T) {
			cEnc, cPts := unhexList(t, v.BlindedElement)
			dEnc, dPts := unhexList(t, v.EvaluationElement)
			require.Len(t, cPts, v.Batch)
			want, err := hex.DecodeString(v.Proof)
			require.NoError(t, err)

			got := q.prove(k, bm, cEnc, dEnc, cPts, unhexScalar(t, v.R))
			assert.Equal(t, hex.EncodeToString(want), hex.EncodeToString(got[:]), "GenerateProof")
			assert.True(t, q.verify(b, bm, cEnc, dEnc, cPts, dPts, want), "VerifyProof")

			other := newDLEQ([]byte("reunite-psi-v2 another context"))
			assert.False(t, other.verify(b, bm, cEnc, dEnc, cPts, dPts, want), "a proof is bound to its contextString")
		})
	}
}

// TestDLEQRefusesWrongStatements checks that a proof made honestly for one
// batch does not verify for a batch that breaks the statement, and that a
// cheating prover's proof over a bad batch fails too.
func TestDLEQRefusesWrongStatements(t *testing.T) {
	rng := testrand.New("dleq")
	q := newDLEQ([]byte("reunite-psi-v2 test"))
	const n = 200 // at least 2·minParallel, so parallel splits the coefficients
	k, err := randomScalar(rng)
	require.NoError(t, err)
	k2, err := randomScalar(rng)
	require.NoError(t, err)
	b := new(ristretto255.Element).ScalarBaseMult(k)
	bm := b.Bytes()

	type batch struct {
		cEnc, dEnc []byte
		cPts, dPts []*ristretto255.Element
	}
	build := func(out func(i int, c *ristretto255.Element) *ristretto255.Element) batch {
		var bt batch
		for i := range n {
			s, err := randomScalar(rng)
			require.NoError(t, err)
			c := new(ristretto255.Element).ScalarBaseMult(s)
			d := out(i, c)
			bt.cPts, bt.dPts = append(bt.cPts, c), append(bt.dPts, d)
			bt.cEnc, bt.dEnc = append(bt.cEnc, c.Bytes()...), append(bt.dEnc, d.Bytes()...)
		}
		return bt
	}
	honest := func(_ int, c *ristretto255.Element) *ristretto255.Element {
		return new(ristretto255.Element).ScalarMult(k, c)
	}
	good := build(honest)
	r, err := randomScalar(rng)
	require.NoError(t, err)
	proof := q.prove(k, bm, good.cEnc, good.dEnc, good.cPts, r)
	require.True(t, q.verify(b, bm, good.cEnc, good.dEnc, good.cPts, good.dPts, proof[:]))

	swapped := good
	swapped.dPts = append([]*ristretto255.Element(nil), good.dPts...)
	swapped.dPts[3], swapped.dPts[70] = swapped.dPts[70], swapped.dPts[3]
	swapped.dEnc = nil
	for _, d := range swapped.dPts {
		swapped.dEnc = append(swapped.dEnc, d.Bytes()...)
	}
	secondKey := build(func(i int, c *ristretto255.Element) *ristretto255.Element {
		if i == 42 {
			return new(ristretto255.Element).ScalarMult(k2, c)
		}
		return honest(i, c)
	})
	flipped := proof
	flipped[40] ^= 1
	nonCanonical := proof
	copy(nonCanonical[32:], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})

	cases := []struct {
		name  string
		b     batch
		proof func(bt batch) []byte
	}{
		{"permuted outputs, honest proof", swapped, func(batch) []byte { return proof[:] }},
		{"permuted outputs, fresh proof", swapped, func(bt batch) []byte {
			p := q.prove(k, bm, bt.cEnc, bt.dEnc, bt.cPts, r)
			return p[:]
		}},
		{"one output under a second scalar", secondKey, func(bt batch) []byte {
			p := q.prove(k, bm, bt.cEnc, bt.dEnc, bt.cPts, r)
			return p[:]
		}},
		{"proof bit flipped", good, func(batch) []byte { return flipped[:] }},
		{"non-canonical response", good, func(batch) []byte { return nonCanonical[:] }},
		{"truncated proof", good, func(batch) []byte { return proof[:encoding.ProofSize-1] }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.False(t, q.verify(b, bm, tc.b.cEnc, tc.b.dEnc, tc.b.cPts, tc.b.dPts, tc.proof(tc.b)))
		})
	}
}
