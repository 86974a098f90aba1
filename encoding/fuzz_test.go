package encoding

import (
	"bytes"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/internal/testrand"
)

// seedBodies adds every valid example body (and a few broken ones) of the
// given types to f, and fails if none was added: a fuzz target must never
// run without seeds.
func seedBodies(f *testing.F, types ...MessageType) {
	n := 0
	for _, tc := range validBodies() {
		for _, typ := range types {
			if tc.typ != typ {
				continue
			}
			enc, err := tc.value.AppendBinary(nil)
			require.NoError(f, err)
			if len(enc) > 1<<16 {
				continue // keep the corpus small; the fuzzer grows inputs itself
			}
			f.Add(enc)
			f.Add(enc[:len(enc)/2])
			n++
		}
	}
	require.NotZero(f, n, "no seeds for %v", types)
}

// fuzzBody checks that decoding never panics and that whatever decodes
// re-encodes to exactly the input.
func fuzzBody(f *testing.F, empty func() body, types ...MessageType) {
	seedBodies(f, types...)
	f.Fuzz(func(t *testing.T, in []byte) {
		b := empty()
		if err := b.UnmarshalBinary(in); err != nil {
			return
		}
		out, err := b.AppendBinary(nil)
		require.NoError(t, err)
		require.Equal(t, in, out)
	})
}

func FuzzHello(f *testing.F) { fuzzBody(f, func() body { return new(Hello) }, TypeHello) }

func FuzzHelloReply(f *testing.F) {
	fuzzBody(f, func() body { return new(HelloReply) }, TypeHelloReply)
}

func FuzzAlert(f *testing.F) { fuzzBody(f, func() body { return new(Alert) }, TypeAlert) }

func FuzzAnnounce(f *testing.F) { fuzzBody(f, func() body { return new(Announce) }, TypeAnnounce) }

func FuzzPointChunk(f *testing.F) {
	fuzzBody(f, func() body { return new(PointChunk) }, TypeBlinded)
}

func FuzzEvaluatedChunk(f *testing.F) {
	fuzzBody(f, func() body { return new(EvaluatedChunk) }, TypeEvaluated)
}

func FuzzSealedChunk(f *testing.F) {
	fuzzBody(f, func() body { return new(SealedChunk) }, TypeTags, TypeReveal)
}

func FuzzFinish(f *testing.F) { fuzzBody(f, func() body { return new(Finish) }, TypeFinish) }

// FuzzFrame checks ParseFrame and ReadFrame (over one-byte reads) agree on
// every input, and that parsed frames re-encode byte for byte.
func FuzzFrame(f *testing.F) {
	n := 0
	for _, tc := range validBodies() {
		enc, err := tc.value.AppendBinary(nil)
		require.NoError(f, err)
		if len(enc) > 1<<16 {
			continue
		}
		fb, err := Frame{Type: tc.typ, Seq: 1, Body: enc}.MarshalBinary()
		require.NoError(f, err)
		f.Add(fb)
		f.Add(fb[:len(fb)-1])
		n++
	}
	require.NotZero(f, n)
	f.Fuzz(func(t *testing.T, in []byte) {
		pf, perr := ParseFrame(in)
		rf, rerr := ReadFrame(iotest.OneByteReader(bytes.NewReader(in)), nil)
		// Into a reused buffer too small for most bodies, so that both
		// the in-place and the growing path are taken.
		bf, berr := ReadFrameBuffer(iotest.OneByteReader(bytes.NewReader(in)), nil, make([]byte, 5, 40))
		require.Equal(t, rerr == nil, berr == nil)
		if rerr == nil {
			require.Equal(t, rf.Body, bf.Body)
		}
		if perr != nil {
			// ReadFrame may succeed on a prefix when in has trailing bytes.
			if rerr == nil {
				require.ErrorIs(t, perr, ErrTrailingData)
			}
			return
		}
		require.NoError(t, rerr)
		require.Equal(t, pf.Type, rf.Type)
		require.Equal(t, pf.Seq, rf.Seq)
		require.Equal(t, pf.Body, rf.Body)
		out, err := pf.MarshalBinary()
		require.NoError(t, err)
		require.Equal(t, in, out)
	})
}

// FuzzOfflineFile checks ParseOfflineFile and the streaming reader
// (ReadOfflineHeader and OfflineChunkReader, over one-byte reads) agree on
// every input, and that a file they take re-encodes byte for byte.
func FuzzOfflineFile(f *testing.F) {
	for _, n := range []uint64{1, 300} {
		enc := exampleOfflineFile(n)
		f.Add(enc)
		f.Add(enc[:len(enc)-1])
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		h, perr := ParseOfflineFile(in)
		rerr := readChunks(in)
		if perr != nil {
			require.Error(t, rerr)
			return
		}
		require.NoError(t, rerr)
		out, err := h.AppendBinary(nil)
		require.NoError(t, err)
		require.Equal(t, in[:OfflineHeaderSize], out)
	})
}

// FuzzOfflineMessage checks that decoding a message stream, whole or over
// one-byte reads, never panics, and that whatever decodes re-encodes to
// exactly the input.
func FuzzOfflineMessage(f *testing.F) {
	for _, m := range exampleOfflineMessages() {
		enc, err := m.AppendBinary(nil)
		require.NoError(f, err)
		f.Add(enc)
		f.Add(enc[:len(enc)/2])
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var m OfflineMessage
		err := m.UnmarshalBinary(in)
		streamed, serr := readOfflineMessage(iotest.OneByteReader(bytes.NewReader(in)))
		if err != nil {
			require.Error(t, serr)
			return
		}
		require.NoError(t, serr)
		require.Equal(t, m, streamed)
		out, err := m.AppendBinary(nil)
		require.NoError(t, err)
		require.Equal(t, in, out)
	})
}

// FuzzSplitOfflineChunk checks that a chunk plaintext splits into a piece
// and a signature that join back to it, or is refused.
func FuzzSplitOfflineChunk(f *testing.F) {
	f.Add(randBytes(OfflineSignatureSize + 10))
	f.Add(randBytes(OfflineSignatureSize))
	f.Fuzz(func(t *testing.T, in []byte) {
		piece, sig, err := SplitOfflineChunk(in)
		if err != nil {
			require.ErrorIs(t, err, ErrMalformed)
			return
		}
		require.Equal(t, in, append(bytes.Clone(piece), sig...))
	})
}

// fuzzChecksummed checks a format that ends in a checksum on arbitrary
// bytes, as they are and with a valid checksum (so the fuzzer reaches the
// fields): decoding never panics, and whatever decodes re-encodes to
// exactly the input.
func fuzzChecksummed(f *testing.F, empty func() body, seeds ...body) {
	require.NotEmpty(f, seeds)
	for _, s := range seeds {
		enc, err := s.AppendBinary(nil)
		require.NoError(f, err)
		f.Add(enc)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, b := range [][]byte{in, testrand.WithChecksum(in)} {
			v := empty()
			if v.UnmarshalBinary(b) != nil {
				continue
			}
			out, err := v.AppendBinary(nil)
			require.NoError(t, err)
			require.Equal(t, b, out)
		}
	})
}

func FuzzExchangeState(f *testing.F) {
	var seeds []body
	for _, st := range exampleExchangeStates() {
		seeds = append(seeds, &st)
	}
	fuzzChecksummed(f, func() body { return new(ExchangeState) }, seeds...)
}

func FuzzSeenExchanges(f *testing.F) {
	var s SeenExchanges
	for i := range 3 {
		require.NoError(f, s.Add([ExchangeIDSize]byte{byte(i), 7}, uint64(1_780_000_000+i)))
	}
	fuzzChecksummed(f, func() body { return new(SeenExchanges) }, &s)
}
