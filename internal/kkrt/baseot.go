package kkrt

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"

	"filippo.io/edwards25519"

	"github.com/reunite-psi/reunite/internal/ristretto255"
)

// The base OTs are the "simplest OT" of Chou and Orlandi (LATINCRYPT 2015)
// on ristretto255, run Width times in parallel as random OTs: the
// OT-extension receiver is the base-OT sender and learns two keys per
// column, the OT-extension sender is the base-OT receiver and learns the
// key its secret choice bit s_i selects.
//
//	base-OT sender (kkrt Receiver)        base-OT receiver (kkrt Sender)
//	a ← Z_ℓ, A = a·G          ── A ──▶
//	                                      b_i ← Z_ℓ, B_i = b_i·G + s_i·A
//	                          ◀── B_i ──
//	k_i^0 = H(i, A, B_i, a·B_i)           k_i^{s_i} = H(i, A, B_i, b_i·A)
//	k_i^1 = H(i, A, B_i, a·B_i − a·A)
//
// H is SHA-256 over the session context, truncated to an AES-128 key.

type seed = [16]byte

func randomScalar(rand io.Reader) (*ristretto255.Scalar, error) {
	var b [64]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return nil, fmt.Errorf("kkrt: reading randomness: %w", err)
	}
	s, err := edwards25519.NewScalar().SetUniformBytes(b[:])
	if err != nil {
		return nil, err // unreachable: 64 bytes
	}
	return s, nil
}

func otKey(ctx []byte, i int, a, b []byte, p *ristretto255.Element) seed {
	h := sha256.New()
	h.Write([]byte(domainBaseOT))
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(ctx)))
	h.Write(n[:])
	h.Write(ctx)
	binary.BigEndian.PutUint32(n[:], uint32(i))
	h.Write(n[:])
	h.Write(a)
	h.Write(b)
	h.Write(p.Bytes())
	var sum [32]byte
	h.Sum(sum[:0])
	return seed(sum[:16])
}

// otSender is the base-OT sender's state.
type otSender struct {
	a      *ristretto255.Scalar
	negaA  *ristretto255.Element // −a·A
	aBytes []byte                // encoding of A
}

func newOTSender(rand io.Reader) (*otSender, error) {
	a, err := randomScalar(rand)
	if err != nil {
		return nil, err
	}
	A := ristretto255.NewElement().ScalarBaseMult(a)
	negA := edwards25519.NewScalar().Negate(a)
	return &otSender{a: a, negaA: ristretto255.NewElement().ScalarMult(negA, A), aBytes: A.Bytes()}, nil
}

// keys derives both keys of every column from the receiver's elements bs
// (Width encodings of pointSize bytes each).
func (o *otSender) keys(ctx, bs []byte) (k0, k1 []seed, err error) {
	k0, k1 = make([]seed, Width), make([]seed, Width)
	bad := make([]bool, Width)
	parallel(Width, func(lo, hi int) {
		B := ristretto255.NewElement()
		p0, p1 := ristretto255.NewElement(), ristretto255.NewElement()
		for i := lo; i < hi; i++ {
			enc := bs[i*pointSize : (i+1)*pointSize]
			if _, err := B.SetCanonicalBytes(enc); err != nil || B.IsIdentity() == 1 {
				bad[i] = true
				continue
			}
			p0.ScalarMult(o.a, B)
			p1.Add(p0, o.negaA)
			k0[i] = otKey(ctx, i, o.aBytes, enc, p0)
			k1[i] = otKey(ctx, i, o.aBytes, enc, p1)
		}
	})
	for i, b := range bad {
		if b {
			return nil, nil, fmt.Errorf("%w: B_%d", ErrBadPoint, i)
		}
	}
	return k0, k1, nil
}

// otReceive runs the base-OT receiver for all columns with choice bits
// choice (bit i = column i). It returns the Width encodings B_i and the
// chosen keys.
func otReceive(ctx, aEnc []byte, choice *row, rand io.Reader) (bs []byte, keys []seed, err error) {
	A := ristretto255.NewElement()
	if _, err := A.SetCanonicalBytes(aEnc); err != nil || A.IsIdentity() == 1 {
		return nil, nil, fmt.Errorf("%w: A", ErrBadPoint)
	}
	bs = make([]byte, Width*pointSize)
	keys = make([]seed, Width)
	scalars, bits := make([]*ristretto255.Scalar, Width), make([]*ristretto255.Scalar, Width)
	var bitBytes [32]byte
	for i := range scalars {
		if scalars[i], err = randomScalar(rand); err != nil {
			return nil, nil, err
		}
		// The scalar s_i ∈ {0, 1}, set from its encoding without a
		// branch on s_i.
		bitBytes[0] = byte(choice[i/64] >> (i % 64) & 1)
		if bits[i], err = edwards25519.NewScalar().SetCanonicalBytes(bitBytes[:]); err != nil {
			return nil, nil, err // unreachable: 0 and 1 are canonical
		}
	}
	parallel(Width, func(lo, hi int) {
		B, sA, P := ristretto255.NewElement(), ristretto255.NewElement(), ristretto255.NewElement()
		for i := lo; i < hi; i++ {
			sA.ScalarMult(bits[i], A) // s_i·A without a branch on s_i
			B.ScalarBaseMult(scalars[i])
			B.Add(B, sA)
			enc := B.AppendBytes(bs[i*pointSize : i*pointSize])
			P.ScalarMult(scalars[i], A)
			keys[i] = otKey(ctx, i, aEnc, enc, P)
		}
	})
	return bs, keys, nil
}
