package kkrt

import (
	"crypto/aes"
	"encoding/binary"
	"io"
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/internal/testrand"
)

func TestTransposeMatchesNaive(t *testing.T) {
	for _, n := range []int{64, 128, 8192} {
		cols := make([]byte, Width*n/8)
		_, err := io.ReadFull(testrand.New("transpose"), cols)
		require.NoError(t, err)
		rows := make([]row, n)
		transposeCols(rows, cols, n)
		stride := n / 8
		for r := range n {
			for c := range Width {
				want := cols[c*stride+r/8] >> (r % 8) & 1
				got := byte(rows[r][c/64] >> (c % 64) & 1)
				if want != got {
					require.Failf(t, "transpose", "n=%d row %d column %d: got %d, want %d", n, r, c, got, want)
				}
			}
		}
	}
}

// log2BinomialTail returns log2 Pr[Binomial(w, 1/2) < k], exactly.
func log2BinomialTail(w, k int) float64 {
	sum := new(big.Int)
	for i := range k {
		sum.Add(sum, new(big.Int).Binomial(int64(w), int64(i)))
	}
	f, _ := new(big.Float).SetInt(sum).Float64()
	return math.Log2(f) - float64(w)
}

func TestCodeWidth(t *testing.T) {
	// Two distinct inputs get codewords at Hamming distance below κ = 128
	// with this probability (the PRC is a PRF, so codewords are uniform).
	perPair := log2BinomialTail(Width, 128)
	assert.InDelta(t, -66.5, perPair, 0.1)
	// A session compares each sender evaluation with the receiver's code
	// word in the same bin: at most (3 + stash)·n_S pairs.
	for _, n := range []int{1 << 8, 1 << 12, 1 << 16, 1 << 20, MaxSetSize} {
		_, stash := cuckooParams(n)
		pairs := math.Log2(float64((3 + stash) * n))
		assert.LessOrEqual(t, perPair+pairs, -float64(StatSec), "n = %d", n)
	}
}

func TestLayout(t *testing.T) {
	ctx := make([]byte, MinContext)
	for _, c := range []struct {
		n            int
		bins, stash  int
		tagLen, rows int
	}{
		{0, 64, 8, 8, 128},
		{1, 64, 8, 8, 128},
		{1 << 16, 1 << 17, 3, 9, 1<<17 + 64},
		{1 << 20, 3 << 19, 0, 10, 3 << 19},
		{MaxSetSize, 3 << 23, 0, 11, 3 << 23},
	} {
		l, err := newLayout(Params{ReceiverSize: c.n, SenderSize: c.n, Context: ctx})
		require.NoError(t, err)
		assert.Equal(t, c.bins, l.bins, "n = %d", c.n)
		assert.Equal(t, c.stash, l.stash, "n = %d", c.n)
		assert.Equal(t, c.tagLen, l.tagLen, "n = %d", c.n)
		assert.Equal(t, c.rows, l.rows, "n = %d", c.n)
		// False positives: each sender tag is compared with the receiver
		// tags of its slot only, n·n pairs in all, each pair equal with
		// probability 2^-8·tagLen.
		fp := 2*math.Log2(float64(max(1, c.n))) - 8*float64(l.tagLen)
		assert.LessOrEqual(t, fp, -float64(StatSec), "n = %d", c.n)
	}
}

func TestParamsRefused(t *testing.T) {
	ctx := make([]byte, MinContext)
	for _, c := range []struct {
		name string
		p    Params
		err  error
	}{
		{"negative receiver", Params{ReceiverSize: -1, Context: ctx}, ErrSetSize},
		{"receiver too large", Params{ReceiverSize: MaxSetSize + 1, Context: ctx}, ErrSetSize},
		{"sender too large", Params{SenderSize: MaxSetSize + 1, Context: ctx}, ErrSetSize},
		{"short context", Params{Context: ctx[:MinContext-1]}, ErrParams},
		{"long context", Params{Context: make([]byte, MaxContext+1)}, ErrParams},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewReceiver(c.p, nil, testrand.New(c.name))
			require.ErrorIs(t, err, c.err)
			_, err = NewSender(c.p, nil, testrand.New(c.name))
			require.ErrorIs(t, err, c.err)
			_, err = LayoutOf(c.p)
			require.ErrorIs(t, err, c.err)
		})
	}
}

func TestPositionsInRange(t *testing.T) {
	var seed [seedSize]byte
	for _, m := range []int{64, 1000, 3 << 19, 3 << 23} {
		for i := range 1000 {
			var x [8]byte
			binary.BigEndian.PutUint64(x[:], uint64(i))
			d := hashElement(&seed, x[:])
			for _, p := range binsOf(&d, m) {
				require.Less(t, int(p), m)
			}
		}
	}
}

// TestBinsUniform checks that bins spread over the whole table, also
// where the 42-bit field times m overflows 64 bits.
func TestBinsUniform(t *testing.T) {
	var seed [seedSize]byte
	for _, m := range []int{64, 1000, 3 << 19, 3 << 21, 3 << 23} {
		const samples = 30000
		var sum [hashCount]float64
		var top [hashCount]int
		for i := range samples {
			var x [8]byte
			binary.BigEndian.PutUint64(x[:], uint64(i))
			d := hashElement(&seed, x[:])
			for h, p := range binsOf(&d, m) {
				sum[h] += float64(p)
				top[h] = max(top[h], int(p))
			}
		}
		for h := range hashCount {
			// The mean of uniform [0, m) is m/2 with standard error
			// m/sqrt(12·samples) ≈ m/600.
			assert.InDelta(t, float64(m-1)/2, sum[h]/samples, float64(m)/100, "m = %d, hash %d: mean", m, h)
			assert.GreaterOrEqual(t, top[h], m-1-m/100, "m = %d, hash %d: largest bin", m, h)
		}
	}
}

func TestHashElementLongInputs(t *testing.T) {
	var seed [seedSize]byte
	// The one-block fast path and the streaming path must agree with the
	// definition SHA-256(seed ‖ x) at the boundary.
	for _, n := range []int{0, 1, 38, 39, 40, 100} {
		x := make([]byte, n)
		d1 := hashElement(&seed, x)
		d2 := hashElement(&seed, append(x, 0))
		assert.NotEqual(t, d1, d2, "length %d", n)
	}
	a := hashElement(&seed, make([]byte, 39))
	h := make([]byte, 0, 55)
	h = append(h, seed[:]...)
	h = append(h, make([]byte, 39)...)
	assert.Equal(t, digestOf(h), a)
	b := hashElement(&seed, make([]byte, 40))
	h = append(h, 0)
	assert.Equal(t, digestOf(h), b)
}

// TestPRCDefinition checks the batched code against its definition, one
// AES⁻¹ block at a time, over several batches of one prc (so the CBC
// chaining value carried between calls is undone too).
func TestPRCDefinition(t *testing.T) {
	rnd := testrand.New("prc definition")
	key := make([]byte, 16)
	_, err := io.ReadFull(rnd, key)
	require.NoError(t, err)
	c := newPRC(key)
	block, err := aes.NewCipher(key)
	require.NoError(t, err)
	for _, n := range []int{1, 3, 256, 7} {
		xs := make([][16]byte, n)
		for i := range xs {
			_, err := io.ReadFull(rnd, xs[i][:])
			require.NoError(t, err)
		}
		got := make([]row, n)
		c.encodeBatch(got, xs)
		for i, x := range xs {
			var buf [64]byte
			for j := range 4 {
				in := x
				in[15] ^= byte(j)
				block.Decrypt(buf[16*j:16*j+16], in[:])
			}
			var want row
			for w := range rowWords {
				want[w] = binary.LittleEndian.Uint64(buf[8*w:])
			}
			require.Equal(t, want, got[i], "batch of %d, element %d", n, i)
		}
	}
}
