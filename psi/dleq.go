package psi

import (
	"crypto/sha512"
	"encoding/binary"
	"runtime"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/internal/ristretto255"
)

// This file implements the batched discrete-log-equality proof of RFC 9497
// §2.2 (GenerateProof, VerifyProof, ComputeComposites) for ristretto255
// with SHA-512, the group and hash of the RFC's VOPRF(ristretto255,
// SHA-512) suite. The proof shows that one scalar k relates the generator
// to the commitment B = k·G and every input C[i] to its output D[i], with a
// single (c, s) pair for a whole batch: the composites M = Σ d_i·C[i] and
// Z = Σ d_i·D[i] use coefficients d_i hashed from the batch itself, so a
// prover that got even one D[i] wrong would have to predict the hash.
//
// The RFC fixes the hash inputs up to its contextString; the protocol
// passes one that contains the session ID (proofContext), so a proof is
// bound to its session, and the RFC's own contextString reproduces the
// RFC's test vectors (dleq_test.go).

// proofSize is the size of a serialized proof: c then s, each a
// little-endian scalar (RFC 9497 §2.2.1, SerializeScalar of RFC 9497 §4.1).
const proofSize = encoding.ProofSize

// dleq holds the two hash domains a contextString defines.
type dleq struct {
	seedDST []byte                     // "Seed-" || contextString
	h2s     *ristretto255.ScalarHasher // HashToScalar, DST "HashToScalar-" || contextString
}

func newDLEQ(contextString []byte) *dleq {
	return &dleq{
		seedDST: append([]byte("Seed-"), contextString...),
		h2s:     ristretto255.NewScalarHasher(append([]byte("HashToScalar-"), contextString...)),
	}
}

// appendLP appends I2OSP(len(v), 2) || v, the RFC's length-prefixed field.
func appendLP(b, v []byte) []byte {
	return append(binary.BigEndian.AppendUint16(b, uint16(len(v))), v...)
}

// coefficients returns the d_i of ComputeComposites for the batch whose
// inputs and outputs are encoded back to back in cEnc and dEnc.
func (q *dleq) coefficients(bm, cEnc, dEnc []byte) []*ristretto255.Scalar {
	seedTranscript := appendLP(appendLP(nil, bm), q.seedDST)
	seed := sha512.Sum512(seedTranscript)
	n := len(cEnc) / encoding.ElementSize
	d := make([]*ristretto255.Scalar, n)
	backing := make([]ristretto255.Scalar, n) // one allocation, not one per coefficient
	_ = parallel(n, func(lo, hi int) error {
		var t []byte
		for i := lo; i < hi; i++ {
			ci := cEnc[i*encoding.ElementSize : (i+1)*encoding.ElementSize]
			di := dEnc[i*encoding.ElementSize : (i+1)*encoding.ElementSize]
			t = appendLP(t[:0], seed[:])
			t = binary.BigEndian.AppendUint16(t, uint16(i))
			t = appendLP(t, ci)
			t = appendLP(t, di)
			t = append(t, "Composite"...)
			d[i] = q.h2s.Hash(&backing[i], t)
		}
		return nil
	})
	return d
}

// combine returns Σ d_i·P_i in variable time (the coefficients and points
// are public). A chunk's composite is one multi-scalar multiplication by
// Pippenger's bucket method (internal/ristretto255), whose cost per term
// falls as the batch grows, so the cores share its work rather than each
// summing a part of the terms.
func combine(d []*ristretto255.Scalar, pts []*ristretto255.Element) *ristretto255.Element {
	return new(ristretto255.Element).VarTimeMultiScalarMultParallel(d, pts, runtime.GOMAXPROCS(0))
}

// challenge is the RFC's challenge hash over B, M, Z, t2 and t3.
func (q *dleq) challenge(bm []byte, m, z, t2, t3 *ristretto255.Element) *ristretto255.Scalar {
	t := appendLP(nil, bm)
	for _, e := range []*ristretto255.Element{m, z, t2, t3} {
		t = appendLP(t, e.Bytes())
	}
	t = append(t, "Challenge"...)
	return q.h2s.Hash(new(ristretto255.Scalar), t)
}

// prove is GenerateProof(k, G, B, C, D, r) with ComputeCompositesFast: the
// prover knows k, so Z = k·M. cPts are the decoded inputs; bm is the
// encoding of B = k·G. The scalar multiplications by k and r are constant
// time; the composite M is over public values only.
func (q *dleq) prove(k *ristretto255.Scalar, bm, cEnc, dEnc []byte, cPts []*ristretto255.Element, r *ristretto255.Scalar) [proofSize]byte {
	d := q.coefficients(bm, cEnc, dEnc)
	m := combine(d, cPts)
	z := new(ristretto255.Element).ScalarMult(k, m)
	t2 := new(ristretto255.Element).ScalarBaseMult(r)
	t3 := new(ristretto255.Element).ScalarMult(r, m)
	c := q.challenge(bm, m, z, t2, t3)
	s := new(ristretto255.Scalar).Multiply(c, k)
	s.Subtract(r, s)
	var proof [proofSize]byte
	copy(proof[:32], c.Bytes())
	copy(proof[32:], s.Bytes())
	return proof
}

// verify is VerifyProof(G, B, C, D, proof). It reports whether proof shows
// that D[i] = k·C[i] for every i, with the k of B = k·G. A proof whose
// scalars are not canonically encoded is refused.
func (q *dleq) verify(b *ristretto255.Element, bm, cEnc, dEnc []byte, cPts, dPts []*ristretto255.Element, proof []byte) bool {
	if len(proof) != proofSize {
		return false
	}
	c, err := new(ristretto255.Scalar).SetCanonicalBytes(proof[:32])
	if err != nil {
		return false
	}
	s, err := new(ristretto255.Scalar).SetCanonicalBytes(proof[32:])
	if err != nil {
		return false
	}
	d := q.coefficients(bm, cEnc, dEnc)
	m := combine(d, cPts)
	z := combine(d, dPts)
	// t2 = s·G + c·B and t3 = s·M + c·Z, all over public values.
	t2 := new(ristretto255.Element).VarTimeDoubleScalarBaseMult(c, b, s)
	t3 := new(ristretto255.Element).VarTimeMultiScalarMult([]*ristretto255.Scalar{s, c}, []*ristretto255.Element{m, z})
	return q.challenge(bm, m, z, t2, t3).Equal(c) == 1
}
