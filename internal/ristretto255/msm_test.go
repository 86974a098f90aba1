package ristretto255

import (
	"encoding/binary"
	"fmt"
	"testing"

	"filippo.io/edwards25519"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// msmInputs returns n deterministic scalars and elements. Every fourth
// element is decoded from its encoding (Z = 1, the form the protocol
// decodes), the others keep the projective form a hash or a product
// leaves; a few edge cases are mixed in: zero, one and −1 (the largest
// scalar), the identity, a repeated element and its negation.
func msmInputs(t testing.TB, n int) ([]*Scalar, []*Element) {
	scalars := make([]*Scalar, n)
	elements := make([]*Element, n)
	for i := range n {
		var b [64]byte
		binary.LittleEndian.PutUint64(b[:], uint64(i))
		binary.LittleEndian.PutUint64(b[8:], uint64(n))
		b[40] = 0xa5
		s, err := new(Scalar).SetUniformBytes(b[:])
		require.NoError(t, err)
		b[50] = 0x5a
		e := new(Element).FromUniformBytes(b[:])
		if i%4 == 0 {
			e, err = new(Element).SetCanonicalBytes(e.Bytes())
			require.NoError(t, err)
		}
		scalars[i], elements[i] = s, e
	}
	edge := []func(){
		func() { scalars[0] = edwards25519.NewScalar() },
		func() { scalars[1] = scalarOne() },
		func() { scalars[2] = new(Scalar).Negate(scalarOne()) },
		func() { elements[3] = NewElement() },
		func() { elements[4] = elements[5] },
		func() { elements[6] = new(Element).Set(elements[7]); elements[6].p.Negate(&elements[7].p) },
		func() { scalars[8] = scalars[9] },
	}
	for i, f := range edge {
		if i+2 <= n && (i < 6 || n >= 10) {
			f()
		}
	}
	return scalars, elements
}

func scalarOne() *Scalar {
	var b [32]byte
	b[0] = 1
	s, err := edwards25519.NewScalar().SetCanonicalBytes(b[:])
	if err != nil {
		panic(err)
	}
	return s
}

// TestPippengerAgainstStraus checks the bucket method against
// filippo.io/edwards25519's Straus method over sizes on both sides of the
// switch, every window width the sizes choose, and the edge cases of
// msmInputs.
func TestPippengerAgainstStraus(t *testing.T) {
	for _, n := range []int{1, 2, 3, 10, 64, 255, 256, 257, 1000, 2048, 4096} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			scalars, elements := msmInputs(t, n)
			points := make([]*edwards25519.Point, n)
			for i, e := range elements {
				points[i] = &e.p
			}
			want := new(edwards25519.Point).VarTimeMultiScalarMult(scalars, points)
			for _, workers := range []int{1, 2, 3, 40} {
				got := new(Element).VarTimeMultiScalarMultParallel(scalars, elements, workers)
				// The same Edwards point, not only the same ristretto255 element.
				assert.Equal(t, 1, got.p.Equal(want), "%d workers", workers)
			}
			assert.Equal(t, 1, new(Element).VarTimeMultiScalarMult(scalars, elements).p.Equal(want))
		})
	}
}

// TestPippengerWindows checks the window choice and that every width
// recodes a scalar into digits that sum back to it and stay in range.
func TestPippengerWindows(t *testing.T) {
	assert.Equal(t, 9, pippengerWindow(4096))
	for c := 4; c <= 16; c++ {
		scalars, _ := msmInputs(t, 12)
		scalars = append(scalars, new(Scalar).Negate(scalarOne()))
		for _, s := range scalars {
			w := pippengerWindows(c)
			digits := make([]int16, w)
			recode(digits, 1, s, c)
			sum := edwards25519.NewScalar()
			pow := scalarOne()
			var radix [32]byte
			binary.LittleEndian.PutUint32(radix[:], 1<<c)
			r, err := edwards25519.NewScalar().SetCanonicalBytes(radix[:])
			require.NoError(t, err)
			for _, d := range digits {
				require.LessOrEqual(t, int(d), 1<<(c-1))
				require.Greater(t, int(d), -(1 << (c - 1)))
				var db [32]byte
				binary.LittleEndian.PutUint16(db[:], uint16(max(d, -d)))
				m, err := edwards25519.NewScalar().SetCanonicalBytes(db[:])
				require.NoError(t, err)
				m.Multiply(m, pow)
				if d < 0 {
					sum.Subtract(sum, m)
				} else {
					sum.Add(sum, m)
				}
				pow.Multiply(pow, r)
			}
			require.Equal(t, 1, sum.Equal(s), "c=%d", c)
		}
	}
}

func BenchmarkMultiScalarMult(b *testing.B) {
	for _, n := range []int{64, 256, 1024, 2048, 4096} {
		scalars, elements := msmInputs(b, n)
		points := make([]*edwards25519.Point, n)
		for i, e := range elements {
			points[i] = &e.p
		}
		b.Run(fmt.Sprintf("straus-64/n=%d", n), func(b *testing.B) {
			var p, t edwards25519.Point
			for b.Loop() {
				p.Set(edwards25519.NewIdentityPoint())
				for lo := 0; lo < n; lo += 64 {
					hi := min(n, lo+64)
					p.Add(&p, t.VarTimeMultiScalarMult(scalars[lo:hi], points[lo:hi]))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/term")
		})
		b.Run(fmt.Sprintf("pippenger/n=%d", n), func(b *testing.B) {
			var p Element
			for b.Loop() {
				p.VarTimeMultiScalarMult(scalars, elements)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/term")
		})
	}
}
