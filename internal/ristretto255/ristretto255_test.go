package ristretto255

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"filippo.io/edwards25519/field"
	"github.com/cloudflare/circl/group"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type rfc9496Vectors struct {
	GeneratorMultiples struct {
		Encodings []string `json:"encodings"`
	} `json:"generator_multiples"`
	InvalidEncodings struct {
		Cases []struct {
			Reason   string `json:"reason"`
			Encoding string `json:"encoding"`
		} `json:"cases"`
	} `json:"invalid_encodings"`
	ElementDerivation struct {
		Cases []struct {
			Label   string `json:"label"`
			Input   string `json:"input"`
			Element string `json:"element"`
		} `json:"cases"`
	} `json:"element_derivation"`
}

func loadVectors(t *testing.T) rfc9496Vectors {
	t.Helper()
	raw, err := os.ReadFile("testdata/rfc9496.json")
	require.NoError(t, err)
	var v rfc9496Vectors
	require.NoError(t, json.Unmarshal(raw, &v))
	// Guard against a silently empty vector file.
	require.Len(t, v.GeneratorMultiples.Encodings, 16)
	require.Len(t, v.InvalidEncodings.Cases, 29)
	require.Len(t, v.ElementDerivation.Cases, 7)
	return v
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

func TestConstants(t *testing.T) {
	var sq, tmp field.Element
	// SQRT_M1^2 = -1
	assert.Equal(t, 1, sq.Square(constSqrtM1).Equal(constMinusOne))
	// d = -121665/121666
	var n, dd field.Element
	n.Mult32(constOne, 121665)
	n.Negate(&n)
	dd.Mult32(constOne, 121666)
	dd.Invert(&dd)
	dd.Multiply(&dd, &n)
	assert.Equal(t, 1, dd.Equal(constD))
	// SQRT_AD_MINUS_ONE^2 = a*d - 1 = -d - 1 (a = -1)
	tmp.Negate(constD)
	tmp.Subtract(&tmp, constOne)
	assert.Equal(t, 1, sq.Square(constSqrtADMinus1).Equal(&tmp))
	// INVSQRT_A_MINUS_D^2 * (a - d) = 1
	tmp.Subtract(constMinusOne, constD)
	sq.Square(constInvSqrtAMinD)
	assert.Equal(t, 1, sq.Multiply(&sq, &tmp).Equal(constOne))
	// ONE_MINUS_D_SQ = 1 - d^2, D_MINUS_ONE_SQ = (d - 1)^2
	tmp.Square(constD)
	assert.Equal(t, 1, tmp.Subtract(constOne, &tmp).Equal(constOneMinusDSq))
	tmp.Subtract(constD, constOne)
	assert.Equal(t, 1, tmp.Square(&tmp).Equal(constDMinusOneSq))
}

func TestGeneratorMultiples(t *testing.T) {
	v := loadVectors(t)
	acc := NewElement()
	g := NewGeneratorElement()
	for i, want := range v.GeneratorMultiples.Encodings {
		assert.Equal(t, want, hex.EncodeToString(acc.Bytes()), "encode %d·B", i)
		dec, err := new(Element).SetCanonicalBytes(mustHex(t, want))
		require.NoError(t, err, "decode %d·B", i)
		assert.Equal(t, 1, dec.Equal(acc), "decode %d·B", i)
		assert.Equal(t, want, hex.EncodeToString(dec.Bytes()), "re-encode %d·B", i)
		acc.Add(acc, g)
	}
}

func TestInvalidEncodings(t *testing.T) {
	v := loadVectors(t)
	for _, c := range v.InvalidEncodings.Cases {
		t.Run(c.Reason+"/"+c.Encoding[:8], func(t *testing.T) {
			e := NewGeneratorElement()
			got, err := e.SetCanonicalBytes(mustHex(t, c.Encoding))
			require.ErrorIs(t, err, ErrInvalidEncoding)
			assert.Nil(t, got)
			assert.Equal(t, 1, e.Equal(NewGeneratorElement()), "receiver must be unchanged on error")
		})
	}
	for _, n := range []int{0, 1, 31, 33, 64} {
		_, err := new(Element).SetCanonicalBytes(make([]byte, n))
		assert.ErrorIs(t, err, ErrInvalidEncoding, "length %d", n)
	}
}

func TestElementDerivation(t *testing.T) {
	v := loadVectors(t)
	for _, c := range v.ElementDerivation.Cases {
		e := new(Element).FromUniformBytes(mustHex(t, c.Input))
		assert.Equal(t, c.Element, hex.EncodeToString(e.Bytes()), c.Label)
	}
	assert.Panics(t, func() { new(Element).FromUniformBytes(make([]byte, 63)) })
}

// TestAgainstCIRCL checks encoding, decoding, scalar multiplication and
// element derivation against an independent implementation.
func TestAgainstCIRCL(t *testing.T) {
	g := group.Ristretto255
	for i := 0; i < 200; i++ {
		var seed [64]byte
		_, _ = rand.Read(seed[:])
		s, err := new(Scalar).SetUniformBytes(seed[:])
		require.NoError(t, err)

		mine := new(Element).ScalarBaseMult(s)
		theirsScalar := g.NewScalar()
		require.NoError(t, theirsScalar.UnmarshalBinary(s.Bytes()))
		theirs := g.NewElement().MulGen(theirsScalar)
		theirsEnc, err := theirs.MarshalBinary()
		require.NoError(t, err)
		require.Equal(t, theirsEnc, mine.Bytes())

		// Variable-base multiplication of a decoded point.
		var seed2 [64]byte
		_, _ = rand.Read(seed2[:])
		s2, _ := new(Scalar).SetUniformBytes(seed2[:])
		dec, err := new(Element).SetCanonicalBytes(theirsEnc)
		require.NoError(t, err)
		prod := new(Element).ScalarMult(s2, dec)
		s2c := g.NewScalar()
		require.NoError(t, s2c.UnmarshalBinary(s2.Bytes()))
		want, _ := g.NewElement().Mul(theirs, s2c).MarshalBinary()
		require.Equal(t, want, prod.Bytes())

		// Random 32-byte strings: both implementations agree on validity.
		var junk [32]byte
		_, _ = rand.Read(junk[:])
		_, errMine := new(Element).SetCanonicalBytes(junk[:])
		errTheirs := g.NewElement().UnmarshalBinary(junk[:])
		require.Equal(t, errTheirs == nil, errMine == nil, "%x", junk)
	}
}

func TestEqualAndIdentity(t *testing.T) {
	id := NewElement()
	g := NewGeneratorElement()
	assert.Equal(t, 1, id.IsIdentity())
	assert.Equal(t, 0, g.IsIdentity())
	assert.Equal(t, 0, g.Equal(id))
	// The identity decodes from all-zero bytes, and callers can detect it.
	dec, err := new(Element).SetCanonicalBytes(make([]byte, 32))
	require.NoError(t, err)
	assert.Equal(t, 1, dec.IsIdentity())
}

func FuzzSetCanonicalBytes(f *testing.F) {
	f.Add(make([]byte, 32))
	f.Add(NewGeneratorElement().Bytes())
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := new(Element).SetCanonicalBytes(b)
		if err != nil {
			return
		}
		// Whatever decodes must re-encode to the same bytes.
		require.Equal(t, b, e.Bytes())
	})
}

func BenchmarkScalarMult(b *testing.B) {
	var seed [64]byte
	_, _ = rand.Read(seed[:])
	s, _ := new(Scalar).SetUniformBytes(seed[:])
	p := NewGeneratorElement()
	b.ResetTimer()
	for b.Loop() {
		p.ScalarMult(s, p)
	}
}

func BenchmarkFromUniformBytes(b *testing.B) {
	var seed [64]byte
	_, _ = rand.Read(seed[:])
	e := new(Element)
	for b.Loop() {
		e.FromUniformBytes(seed[:])
	}
}

func BenchmarkEncode(b *testing.B) {
	p := NewGeneratorElement()
	buf := make([]byte, 0, 32)
	for b.Loop() {
		buf = p.AppendBytes(buf[:0])
	}
}

func BenchmarkDecode(b *testing.B) {
	enc := NewGeneratorElement().Bytes()
	e := new(Element)
	for b.Loop() {
		_, _ = e.SetCanonicalBytes(enc)
	}
}

func BenchmarkCIRCLScalarMult(b *testing.B) {
	g := group.Ristretto255
	s := g.RandomScalar(rand.Reader)
	p := g.RandomElement(rand.Reader)
	for b.Loop() {
		p.Mul(p, s)
	}
}

// TestHasherAgainstCIRCL checks hash_to_ristretto255 against circl's
// independent implementation of the same RFC 9380 suite.
func TestHasherAgainstCIRCL(t *testing.T) {
	const dst = "reunite test DST ristretto255_XMD:SHA-512_R255MAP_RO_"
	h := NewHasher(dst)
	for _, msg := range []string{"", "abc", "Олександр Коваленко|2011-03-04", string(make([]byte, 1000))} {
		want, err := group.Ristretto255.HashToElement([]byte(msg), []byte(dst)).MarshalBinary()
		require.NoError(t, err)
		assert.Equal(t, want, h.Hash(new(Element), []byte(msg)).Bytes(), "%q", msg)
	}
}

// TestIsIdentityMatchesEqual checks the shortcut against the definition on
// the identity, the generator, random points and the identity's other
// representatives (the 4-torsion points, which ristretto255 identifies).
func TestIsIdentityMatchesEqual(t *testing.T) {
	id := NewElement()
	cases := []*Element{NewElement(), NewGeneratorElement()}
	for i := 0; i < 20; i++ {
		var seed [64]byte
		_, _ = rand.Read(seed[:])
		cases = append(cases, new(Element).FromUniformBytes(seed[:]))
	}
	// (0, -1) and (±sqrt(-1)·…) representatives: decode of all-zero bytes
	// gives the identity; adding the 4-torsion point (0, -1) keeps it.
	var minusOne field.Element
	minusOne.Negate(constOne)
	var zero field.Element
	tors := &Element{}
	_, err := tors.p.SetExtendedCoordinates(&zero, &minusOne, constOne, &zero)
	require.NoError(t, err)
	cases = append(cases, tors)
	for i, c := range cases {
		assert.Equal(t, c.Equal(id), c.IsIdentity(), "case %d", i)
	}
	assert.Equal(t, 1, tors.IsIdentity())
}

// TestVarTimeMultiScalarMult checks the variable-time combinations against
// sums of constant-time products.
func TestVarTimeMultiScalarMult(t *testing.T) {
	for _, n := range []int{0, 1, 2, 17} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			scalars := make([]*Scalar, n)
			elements := make([]*Element, n)
			want := NewElement()
			for i := range n {
				var b [64]byte
				b[0], b[1], b[40] = byte(i+1), byte(n), 7
				s, err := new(Scalar).SetUniformBytes(b[:])
				require.NoError(t, err)
				b[2] = 9
				scalars[i], elements[i] = s, new(Element).FromUniformBytes(b[:])
				want.Add(want, new(Element).ScalarMult(s, elements[i]))
			}
			got := new(Element).VarTimeMultiScalarMult(scalars, elements)
			assert.Equal(t, 1, got.Equal(want))
			if n >= 2 {
				g := NewGeneratorElement()
				double := new(Element).VarTimeDoubleScalarBaseMult(scalars[0], elements[0], scalars[1])
				ct := new(Element).Add(new(Element).ScalarMult(scalars[0], elements[0]), new(Element).ScalarMult(scalars[1], g))
				assert.Equal(t, 1, double.Equal(ct))
			}
		})
	}
}
