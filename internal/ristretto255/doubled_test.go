package ristretto255

import (
	"crypto/rand"
	"encoding/hex"
	"testing"

	"filippo.io/edwards25519"
	"github.com/cloudflare/circl/group"
	"github.com/stretchr/testify/require"
)

func randomTestScalar(t testing.TB) *Scalar {
	t.Helper()
	var seed [64]byte
	_, _ = rand.Read(seed[:])
	s, err := new(Scalar).SetUniformBytes(seed[:])
	require.NoError(t, err)
	return s
}

// torsionPoints returns the eight points of edwards25519's 8-torsion
// subgroup, multiples of a point of order 8.
func torsionPoints(t *testing.T) []edwards25519.Point {
	t.Helper()
	// A point of order 8 (its y is the usual small-order encoding).
	b, _ := hex.DecodeString("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")
	t8, err := new(edwards25519.Point).SetBytes(b)
	require.NoError(t, err)
	out := make([]edwards25519.Point, 8)
	out[0].Set(edwards25519.NewIdentityPoint())
	for i := 1; i < 8; i++ {
		out[i].Add(&out[i-1], t8)
	}
	require.Equal(t, 1, out[0].Equal(new(edwards25519.Point).Add(&out[7], t8)), "not of order 8")
	return out
}

// TestAppendDoubledBytes checks the batched double-and-encode against
// doubling and encoding one element at a time, for elements made every
// way psi makes them (hashed, decoded, multiplied), the identity, and
// representatives shifted by every torsion point, in blocks of every
// length around the internal block size.
func TestAppendDoubledBytes(t *testing.T) {
	h := NewHasher("reunite test DST ristretto255_XMD:SHA-512_R255MAP_RO_")
	torsion := torsionPoints(t)
	var pts []Element
	for i := range 150 {
		var p Element
		switch i % 5 {
		case 0:
			h.Hash(&p, []byte{byte(i), byte(i >> 8)})
		case 1:
			p.ScalarBaseMult(randomTestScalar(t))
		case 2:
			var q Element
			h.Hash(&q, []byte{byte(i), 1})
			_, err := p.SetCanonicalBytes(q.Bytes())
			require.NoError(t, err)
		case 3:
			h.Hash(&p, []byte{byte(i), 2})
			p.ScalarMult(randomTestScalar(t), &p)
		case 4:
			p.Set(NewElement())
		}
		pts = append(pts, p)
	}
	// The same elements with other representatives: P + T for each
	// torsion point T, including those of order 8, which no ristretto255
	// map produces but which stand for the same element or its double.
	for i := range 64 {
		var p Element
		p.p.Add(&pts[i].p, &torsion[i%8])
		pts = append(pts, p)
	}
	want := make([]byte, 0, len(pts)*ElementSize)
	for i := range pts {
		var d Element
		want = d.Add(&pts[i], &pts[i]).AppendBytes(want)
	}
	for _, n := range []int{0, 1, 2, 63, 64, 65, 128, 129, len(pts)} {
		got := AppendDoubledBytes([]byte("prefix"), pts[:n])
		require.Equal(t, "prefix", string(got[:6]))
		require.Equal(t, hex.EncodeToString(want[:n*ElementSize]), hex.EncodeToString(got[6:]), "%d elements", n)
	}
	// Blocks that are all identities, or start or end with one.
	ids := []Element{*NewElement(), *NewElement(), *NewElement()}
	require.Equal(t, make([]byte, 3*ElementSize), AppendDoubledBytes(nil, ids))

	// The affine forms: the same encodings, and each form reads back as
	// the double, whose encoding it gives again.
	for _, n := range []int{0, 1, 63, 64, 65, len(pts)} {
		enc, aff := AppendDoubledBytesAffine([]byte("e"), []byte("a"), pts[:n])
		require.Equal(t, hex.EncodeToString(want[:n*ElementSize]), hex.EncodeToString(enc[1:]), "%d elements", n)
		require.Len(t, aff, 1+n*AffineSize)
		for i := range n {
			var got, d Element
			_, err := got.SetAffineBytes(aff[1+i*AffineSize : 1+(i+1)*AffineSize])
			require.NoError(t, err, "element %d", i)
			require.Equal(t, 1, got.Equal(d.Add(&pts[i], &pts[i])), "element %d", i)
			require.Equal(t, want[i*ElementSize:(i+1)*ElementSize], got.Bytes(), "element %d", i)
		}
	}
}

// TestSetAffineBytes checks that an affine form off the curve, or of the
// wrong length, is refused and leaves the element unchanged.
func TestSetAffineBytes(t *testing.T) {
	var p Element
	p.ScalarBaseMult(randomTestScalar(t))
	_, aff := AppendDoubledBytesAffine(nil, nil, []Element{p})
	require.Len(t, aff, 0, "a nil aff gets no affine forms")
	_, aff = AppendDoubledBytesAffine(nil, []byte{}, []Element{p})
	require.Len(t, aff, AffineSize)

	var e Element
	e.Set(NewGeneratorElement())
	for _, bad := range [][]byte{aff[:AffineSize-1], append(append([]byte{}, aff...), 0)} {
		_, err := e.SetAffineBytes(bad)
		require.ErrorIs(t, err, ErrInvalidEncoding)
	}
	off := append([]byte{}, aff...)
	off[0] ^= 1 // x changes, y stays: off the curve
	_, err := e.SetAffineBytes(off)
	require.ErrorIs(t, err, ErrInvalidEncoding)
	require.Equal(t, 1, e.Equal(NewGeneratorElement()), "a refused form changed the element")
}

// TestHalveScalar checks that 2·((k/2)·P) = k·P and that the encodings
// agree with circl's independent implementation.
func TestHalveScalar(t *testing.T) {
	g := group.Ristretto255
	for range 20 {
		k := randomTestScalar(t)
		var half Scalar
		HalveScalar(&half, k)
		var two Scalar
		require.Equal(t, 1, two.Add(&half, &half).Equal(k))

		p := g.RandomElement(rand.Reader)
		pEnc, err := p.MarshalBinary()
		require.NoError(t, err)
		var mine Element
		_, err = mine.SetCanonicalBytes(pEnc)
		require.NoError(t, err)
		mine.ScalarMult(&half, &mine)
		got := AppendDoubledBytes(nil, []Element{mine})

		ck := g.NewScalar()
		require.NoError(t, ck.UnmarshalBinary(k.Bytes()))
		want, err := g.NewElement().Mul(p, ck).MarshalBinary()
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
}

func BenchmarkAppendDoubledBytes(b *testing.B) {
	pts := make([]Element, doubledBlock)
	for i := range pts {
		pts[i].ScalarBaseMult(randomTestScalar(b))
	}
	buf := make([]byte, 0, len(pts)*ElementSize)
	for b.Loop() {
		buf = AppendDoubledBytes(buf[:0], pts)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(pts)), "ns/element")
}
