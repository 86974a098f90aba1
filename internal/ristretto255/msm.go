package ristretto255

import (
	"encoding/binary"
	"sync"

	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"
)

// This file implements Pippenger's bucket method for large variable-time
// multi-scalar multiplications (the composites of a DLEQ proof over a whole
// chunk). filippo.io/edwards25519 offers Straus's method, whose
// cost per term stays near a fifth of a scalar multiplication however many
// terms there are; the bucket method's cost per term falls as the batch
// grows, to about 0.6 of Straus's at a few thousand terms.
//
// Each scalar is recoded into ⌈254/c⌉ signed digits of c bits; for each
// window, every point is added into the bucket of its digit's magnitude
// (subtracted for a negative digit), and a running sum over the buckets
// from the top gives Σ digit·point; the windows are then combined by c
// doublings each. The windows are independent, so several cores can share
// them (VarTimeMultiScalarMultParallel).
//
// The arithmetic is the extended twisted Edwards arithmetic of
// filippo.io/edwards25519 (Hisil–Wong–Carter–Dawson 2008, with a = −1),
// written here on its public field package because the curve package keeps
// its intermediate representations private. The addition formulas are
// complete on edwards25519, so buckets start at the identity and no input
// needs a special case.
//
// Everything here runs in variable time (branches and memory access depend
// on the scalars): use it only on public scalars and points.

// pippengerMin is the number of terms from which the bucket method beats
// Straus's method (measured: the two cross near 200).
const pippengerMin = 256

// d2 is 2·d, the curve constant the cached forms use.
var d2 = new(field.Element).Add(constD, constD)

// extendedPoint is a point in extended coordinates (X:Y:Z:T), x = X/Z,
// y = Y/Z, x·y = T/Z.
type extendedPoint struct {
	X, Y, Z, T field.Element
}

// affineCached is a point with Z = 1 prepared for mixed addition:
// (y + x, y − x, 2·d·x·y).
type affineCached struct {
	YplusX, YminusX, T2d field.Element
}

func (v *extendedPoint) setIdentity() {
	v.X.Zero()
	v.Y.One()
	v.Z.One()
	v.T.Zero()
}

// setP1xP1 sets v from the completed coordinates ((X:Z), (Y:T)) of an
// addition or doubling.
func (v *extendedPoint) setP1xP1(x, y, z, t *field.Element) {
	v.X.Multiply(x, t)
	v.Y.Multiply(y, z)
	v.Z.Multiply(z, t)
	v.T.Multiply(x, y)
}

// addAffine sets v = v + q, or v − q if neg.
func (v *extendedPoint) addAffine(q *affineCached, neg bool) {
	qPlus, qMinus := &q.YplusX, &q.YminusX
	if neg { // −(x, y) = (−x, y): y + x and y − x trade places, and T2d changes sign
		qPlus, qMinus = qMinus, qPlus
	}
	var zz2 field.Element
	zz2.Add(&v.Z, &v.Z)
	v.addCached(qPlus, qMinus, &q.T2d, &zz2, neg)
}

// add sets v = v + q.
func (v *extendedPoint) add(q *extendedPoint) {
	var qPlus, qMinus, qT2d, zz2 field.Element
	qPlus.Add(&q.Y, &q.X)
	qMinus.Subtract(&q.Y, &q.X)
	qT2d.Multiply(&q.T, d2)
	zz2.Multiply(&v.Z, &q.Z)
	zz2.Add(&zz2, &zz2)
	v.addCached(&qPlus, &qMinus, &qT2d, &zz2, false)
}

// addCached sets v = v + q for q given as y + x, y − x and 2·d·T (negated
// if negT), with zz2 = 2·Z_v·Z_q.
func (v *extendedPoint) addCached(qPlus, qMinus, qT2d, zz2 *field.Element, negT bool) {
	var yPlusX, yMinusX, pp, mm, tt2d field.Element
	yPlusX.Add(&v.Y, &v.X)
	yMinusX.Subtract(&v.Y, &v.X)
	pp.Multiply(&yPlusX, qPlus)
	mm.Multiply(&yMinusX, qMinus)
	tt2d.Multiply(&v.T, qT2d)
	var x, y, z, t field.Element
	x.Subtract(&pp, &mm)
	y.Add(&pp, &mm)
	if negT {
		z.Subtract(zz2, &tt2d)
		t.Add(zz2, &tt2d)
	} else {
		z.Add(zz2, &tt2d)
		t.Subtract(zz2, &tt2d)
	}
	v.setP1xP1(&x, &y, &z, &t)
}

// double sets v = 2·v.
func (v *extendedPoint) double() {
	var xx, yy, zz2, xPlusYSq field.Element
	xx.Square(&v.X)
	yy.Square(&v.Y)
	zz2.Square(&v.Z)
	zz2.Add(&zz2, &zz2)
	xPlusYSq.Add(&v.X, &v.Y)
	xPlusYSq.Square(&xPlusYSq)
	var x, y, z, t field.Element
	y.Add(&yy, &xx)
	z.Subtract(&yy, &xx)
	x.Subtract(&xPlusYSq, &y)
	t.Subtract(&zz2, &z)
	v.setP1xP1(&x, &y, &z, &t)
}

// pippengerWindow returns the window width c that minimizes the estimated
// cost of n terms: ⌈254/c⌉ windows, each n mixed additions (7
// multiplications) and a running sum over 2^(c−1) buckets (2 additions of
// 9 multiplications each).
func pippengerWindow(n int) int {
	best, bestCost := 4, -1
	for c := 4; c <= 16; c++ {
		cost := pippengerWindows(c) * (7*n + 18<<(c-1))
		if bestCost < 0 || cost < bestCost {
			best, bestCost = c, cost
		}
	}
	return best
}

// pippengerWindows is the number of signed radix-2^c digits of a scalar
// below 2^253: with c·w ≥ 254, the top digit absorbs the last carry.
func pippengerWindows(c int) int { return (254 + c - 1) / c }

// recode writes the signed radix-2^c digits of s, least significant first,
// to digits[0], digits[stride], …: each in (−2^(c−1), 2^(c−1)], their sum
// weighted by 2^(c·w) equal to s.
func recode(digits []int16, stride int, s *Scalar, c int) {
	var b [40]byte // 32 bytes of scalar, zero padding for the 4-byte reads
	copy(b[:], s.Bytes())
	mask, half := uint32(1)<<c-1, int32(1)<<(c-1)
	carry := int32(0)
	windows := pippengerWindows(c)
	for w := range windows {
		bit := w * c
		v := int32(binary.LittleEndian.Uint32(b[bit/8:])>>(bit%8)&mask) + carry
		carry = 0
		if v > half {
			v -= 1 << c
			carry = 1
		}
		digits[w*stride] = int16(v)
	}
	if carry != 0 {
		panic("ristretto255: scalar is not reduced") // unreachable: Scalar is always reduced
	}
}

// setAffineCached sets out[i] to the mixed-addition form of elements[i],
// normalizing to Z = 1 with one field inversion for all (Montgomery's
// trick) where Z is not already 1, as it is for decoded elements.
func setAffineCached(out []affineCached, elements []*Element) {
	// Indices of points to normalize, and the running products of their Z.
	var todo []int
	var prefix []field.Element
	one := new(field.Element).One()
	var acc field.Element
	acc.One()
	for i, e := range elements {
		z := zOf(&e.p)
		if z.Equal(one) == 1 {
			out[i].setAffine(&e.p, nil)
			continue
		}
		todo = append(todo, i)
		prefix = append(prefix, acc)
		acc.Multiply(&acc, &z)
	}
	if len(todo) == 0 {
		return
	}
	var inv field.Element
	inv.Invert(&acc) // acc is a product of non-zero Z, so invertible
	for k := len(todo) - 1; k >= 0; k-- {
		i := todo[k]
		var zInv field.Element
		zInv.Multiply(&inv, &prefix[k]) // 1/Z_i
		z := zOf(&elements[i].p)
		inv.Multiply(&inv, &z) // 1/(Z_0…Z_{i−1}) for the next one down
		out[i].setAffine(&elements[i].p, &zInv)
	}
}

// zOf returns a copy of p's Z coordinate, by value: a pointer would move
// ExtendedCoordinates' scratch to the heap, once per term.
func zOf(p *edwards25519.Point) field.Element {
	_, _, z, _ := p.ExtendedCoordinates()
	return *z
}

// setAffine sets v from p, whose Z is 1 (zInv nil) or has inverse zInv.
func (v *affineCached) setAffine(p *edwards25519.Point, zInv *field.Element) {
	X, Y, _, T := p.ExtendedCoordinates()
	var x, y, xy field.Element
	if zInv == nil {
		x.Set(X)
		y.Set(Y)
		xy.Set(T)
	} else {
		x.Multiply(X, zInv)
		y.Multiply(Y, zInv)
		xy.Multiply(&x, &y)
	}
	v.YplusX.Add(&y, &x)
	v.YminusX.Subtract(&y, &x)
	v.T2d.Multiply(&xy, d2)
}

// varTimeMSM is a multi-scalar multiplication Σ scalars[i]·elements[i]
// by the bucket method, prepared so that its windows can be summed on
// several cores: each part reads the prepared inputs only, and the parts
// of a partition of [0, windows) add up to the whole.
type varTimeMSM struct {
	n, c, windows int
	pts           []affineCached
	digits        []int16 // window-major: one window's digits are contiguous
}

// inParallel calls fn(w, lo, hi) for w < workers on disjoint sub-ranges
// covering [0, n), concurrently, and returns when all have returned.
func inParallel(workers, n int, fn func(w, lo, hi int)) {
	if workers == 1 {
		fn(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { fn(w, w*n/workers, (w+1)*n/workers) })
	}
	wg.Wait()
}

// varTimeMultiScalarMult sets out to Σ scalars[i]·elements[i] by the
// bucket method on up to workers goroutines: they share the preparation
// of the terms, then the windows.
func varTimeMultiScalarMult(out *Element, scalars []*Scalar, elements []*Element, workers int) {
	n := len(scalars)
	c := pippengerWindow(n)
	m := &varTimeMSM{n: n, c: c, windows: pippengerWindows(c), pts: make([]affineCached, n)}
	m.digits = make([]int16, m.windows*n)
	inParallel(max(1, min(workers, n)), n, func(_, lo, hi int) {
		setAffineCached(m.pts[lo:hi], elements[lo:hi])
		for i := lo; i < hi; i++ {
			recode(m.digits[i:], n, scalars[i], c)
		}
	})
	parts := make([]Element, max(1, min(workers, m.windows)))
	inParallel(len(parts), m.windows, func(w, lo, hi int) {
		m.part(&parts[w], lo, hi)
	})
	out.Set(&parts[0])
	for i := 1; i < len(parts); i++ {
		out.Add(out, &parts[i])
	}
}

// part sets e to the share of windows [lo, hi) in the sum, and returns e.
// It is safe to call concurrently on one varTimeMSM.
func (m *varTimeMSM) part(e *Element, lo, hi int) *Element {
	var total extendedPoint
	total.setIdentity()
	buckets := make([]extendedPoint, 1<<(m.c-1))
	for w := hi - 1; w >= lo; w-- {
		if w != hi-1 {
			for range m.c {
				total.double()
			}
		}
		total.add(m.window(buckets, w))
	}
	for range m.c * lo { // the windows below lo weigh 2^(c·lo)
		total.double()
	}
	if _, err := e.p.SetExtendedCoordinates(&total.X, &total.Y, &total.Z, &total.T); err != nil {
		panic("ristretto255: multi-scalar multiplication left the curve") // unreachable
	}
	return e
}

// window returns Σ d·P over the points' digits d in window w, using
// buckets as scratch.
func (m *varTimeMSM) window(buckets []extendedPoint, w int) *extendedPoint {
	for k := range buckets {
		buckets[k].setIdentity()
	}
	for i, d := range m.digits[w*m.n : (w+1)*m.n] {
		switch {
		case d > 0:
			buckets[d-1].addAffine(&m.pts[i], false)
		case d < 0:
			buckets[-d-1].addAffine(&m.pts[i], true)
		}
	}
	// Σ k·bucket[k−1] as a running sum from the top bucket down.
	var sum, acc extendedPoint
	sum.setIdentity()
	acc.setIdentity()
	for k := len(buckets) - 1; k >= 0; k-- {
		sum.add(&buckets[k])
		acc.add(&sum)
	}
	return &acc
}
