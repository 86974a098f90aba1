package encoding

import (
	"bytes"
	"crypto/rand"
	"io"
	"runtime"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// body is what every message body type implements.
type body interface {
	AppendBinary([]byte) ([]byte, error)
	UnmarshalBinary([]byte) error
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func session() (s [SessionIDSize]byte) {
	copy(s[:], randBytes(SessionIDSize))
	return s
}

// validBodies returns one valid example of every body type, with the
// constructor of an empty value to decode into.
func validBodies() []struct {
	name  string
	typ   MessageType
	value body
	empty func() body
} {
	var nonce [NonceSize]byte
	copy(nonce[:], randBytes(NonceSize))
	var transcript [HashSize]byte
	copy(transcript[:], randBytes(HashSize))
	return []struct {
		name  string
		typ   MessageType
		value body
		empty func() body
	}{
		{"hello", TypeHello, &Hello{Suite: 1, Mode: 1, PayloadSize: 64, MaxSetSize: 1 << 20, SetSize: 1000, Context: []byte("rules-v1"), Nonce: nonce}, func() body { return new(Hello) }},
		{"hello-max-context", TypeHelloReply, &Hello{Suite: 1, Mode: 3, MaxSetSize: 5, SetSize: 5, Context: bytes.Repeat([]byte{7}, MaxContextSize)}, func() body { return new(Hello) }},
		{"alert", TypeAlert, &Alert{Code: 2}, func() body { return new(Alert) }},
		{"points-1", TypeBlinded, &PointChunk{Session: session(), Points: randBytes(ElementSize)}, func() body { return new(PointChunk) }},
		{"points-max", TypeEvaluated, &PointChunk{Session: session(), Points: randBytes(ElementSize * MaxChunkElements)}, func() body { return new(PointChunk) }},
		{"tags-no-payload", TypeTags, &TagChunk{Session: session(), Entries: randBytes(TagSize * 3)}, func() body { return new(TagChunk) }},
		{"tags-payload", TypeTags, &TagChunk{Session: session(), SealedSize: 48, Entries: randBytes((TagSize + 48) * 5)}, func() body { return new(TagChunk) }},
		{"tags-max", TypeTags, &TagChunk{Session: session(), SealedSize: MaxSealedSize, Entries: randBytes((TagSize + MaxSealedSize) * MaxChunkElements)}, func() body { return new(TagChunk) }},
		{"reveal", TypeReveal, &RevealChunk{Session: session(), SealedSize: SealOverhead, Entries: randBytes((PositionSize + SealOverhead) * 7)}, func() body { return new(RevealChunk) }},
		{"finish", TypeFinish, &Finish{Session: session(), RevealCount: 12, Transcript: transcript}, func() body { return new(Finish) }},
	}
}

func TestBodyRoundTrip(t *testing.T) {
	for _, tc := range validBodies() {
		t.Run(tc.name, func(t *testing.T) {
			enc, err := tc.value.AppendBinary(nil)
			require.NoError(t, err)
			dec := tc.empty()
			require.NoError(t, dec.UnmarshalBinary(enc))
			assert.Equal(t, tc.value, dec)
			again, err := dec.AppendBinary(nil)
			require.NoError(t, err)
			assert.Equal(t, enc, again, "decode∘encode must be byte-identical")

			// Framed, the whole thing round-trips too, and fits the limit.
			f := Frame{Type: tc.typ, Seq: 9, Body: enc}
			fb, err := f.MarshalBinary()
			require.NoError(t, err)
			assert.LessOrEqual(t, len(enc), MaxBodySize)
			pf, err := ParseFrame(fb)
			require.NoError(t, err)
			assert.Equal(t, f, pf)
		})
	}
}

// TestNoPrefixParses checks every strict prefix of every valid body and
// frame, and every one-byte extension, is refused.
func TestNoPrefixParses(t *testing.T) {
	for _, tc := range validBodies() {
		t.Run(tc.name, func(t *testing.T) {
			enc, err := tc.value.AppendBinary(nil)
			require.NoError(t, err)
			for _, n := range prefixLengths(len(enc)) {
				assert.Error(t, tc.empty().UnmarshalBinary(enc[:n]), "prefix %d of %d", n, len(enc))
			}
			err = tc.empty().UnmarshalBinary(append(enc[:len(enc):len(enc)], 0))
			assert.Error(t, err, "one extra byte must be refused")

			frame, err := Frame{Type: tc.typ, Body: enc}.MarshalBinary()
			require.NoError(t, err)
			for _, n := range prefixLengths(len(frame)) {
				_, err := ParseFrame(frame[:n])
				assert.ErrorIs(t, err, ErrTruncated, "frame prefix %d", n)
				_, err = ReadFrame(bytes.NewReader(frame[:n]))
				if n == 0 {
					assert.ErrorIs(t, err, io.EOF)
				} else {
					assert.ErrorIs(t, err, ErrTruncated, "stream prefix %d", n)
				}
			}
			_, err = ParseFrame(append(frame[:len(frame):len(frame)], 0))
			assert.ErrorIs(t, err, ErrTrailingData)
		})
	}
}

// prefixLengths returns every strict prefix length of an n-byte input when n
// is small, and otherwise every length near either end plus a spread in
// between, so the multi-megabyte chunks stay fast.
func prefixLengths(n int) []int {
	var out []int
	for i := 0; i < n; i++ {
		if n <= 4096 || i < 256 || i >= n-256 || i%(n/64) == 0 {
			out = append(out, i)
		}
	}
	return out
}

func TestFrameHeaderErrors(t *testing.T) {
	good, err := Frame{Type: TypeAlert, Seq: 3, Body: []byte{1}}.MarshalBinary()
	require.NoError(t, err)
	mutate := func(i int, v byte) []byte {
		b := bytes.Clone(good)
		b[i] = v
		return b
	}
	oversize := bytes.Clone(good)
	oversize[10], oversize[11], oversize[12], oversize[13] = 0xff, 0xff, 0xff, 0xff
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"bad magic", mutate(0, 'X'), ErrBadMagic},
		{"future version", mutate(4, Version+1), ErrVersion},
		{"type zero", mutate(5, 0), ErrUnknownType},
		{"type unknown", mutate(5, byte(maxMessageType)+1), ErrUnknownType},
		{"length over limit", oversize, ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFrame(tc.in)
			assert.ErrorIs(t, err, tc.want)
			_, err = ReadFrame(bytes.NewReader(tc.in))
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

// TestReadFrameDoesNotTrustLength checks a hostile length is refused before
// any body is allocated or read.
func TestReadFrameDoesNotTrustLength(t *testing.T) {
	hdr := []byte{'R', 'N', 'T', 'E', Version, byte(TypeBlinded), 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff}
	// Bytes, not allocation counts: the race detector and the runtime add
	// small allocations of their own, while trusting the length would
	// allocate two gigabytes.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 10 {
		_, err := ReadFrame(bytes.NewReader(hdr))
		require.ErrorIs(t, err, ErrTooLarge)
	}
	runtime.ReadMemStats(&after)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "bytes allocated by ten refused frames")
}

func TestReadFrameShortReads(t *testing.T) {
	var stream bytes.Buffer
	var want []Frame
	for i, tc := range validBodies() {
		enc, err := tc.value.AppendBinary(nil)
		require.NoError(t, err)
		f := Frame{Type: tc.typ, Seq: uint32(i), Body: enc}
		want = append(want, f)
		require.NoError(t, WriteFrame(&stream, f))
	}
	for name, r := range map[string]io.Reader{
		"one byte": iotest.OneByteReader(bytes.NewReader(stream.Bytes())),
		"half":     iotest.HalfReader(bytes.NewReader(stream.Bytes())),
		"data+EOF": iotest.DataErrReader(bytes.NewReader(stream.Bytes())),
	} {
		t.Run(name, func(t *testing.T) {
			for _, w := range want {
				got, err := ReadFrame(r)
				require.NoError(t, err)
				assert.Equal(t, w, got)
			}
			_, err := ReadFrame(r)
			assert.ErrorIs(t, err, io.EOF)
		})
	}
}

func TestBodyFieldErrors(t *testing.T) {
	h := &Hello{Suite: 1, Mode: 1, Context: []byte("x")}
	enc, err := h.AppendBinary(nil)
	require.NoError(t, err)

	tests := []struct {
		name string
		b    body
		in   []byte
		want error
	}{
		{"hello empty context", new(Hello), func() []byte { b := bytes.Clone(enc); b[13] = 0; return append(b[:14], b[15:]...) }(), ErrMalformed},
		{"hello payload too large", new(Hello), func() []byte { b := bytes.Clone(enc); b[3], b[4] = 0xff, 0xff; return b }(), ErrTooLarge},
		{"alert zero", new(Alert), []byte{0}, ErrMalformed},
		{"alert empty", new(Alert), nil, ErrTruncated},
		{"points count zero", new(PointChunk), append(make([]byte, 32), 0, 0, 0, 0), ErrMalformed},
		{"points count over limit", new(PointChunk), append(make([]byte, 32), 0, 0, 0x10, 0x01), ErrMalformed},
		{"points count mismatch", new(PointChunk), append(append(make([]byte, 32), 0, 0, 0, 2), make([]byte, 32)...), ErrTruncated},
		{"tags sealed below overhead", new(TagChunk), append(append(make([]byte, 32), 0, 0, 0, 1, 0, 8), make([]byte, 24)...), ErrMalformed},
		{"tags sealed over limit", new(TagChunk), append(make([]byte, 32), 0, 0, 0, 1, 0xff, 0xff), ErrMalformed},
		{"reveal without seal", new(RevealChunk), append(append(make([]byte, 32), 0, 0, 0, 1, 0, 0), make([]byte, 4)...), ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, tc.b.UnmarshalBinary(tc.in), tc.want)
		})
	}

	// Encoders refuse what decoders would refuse.
	_, err = (&Hello{Context: nil}).AppendBinary(nil)
	assert.ErrorIs(t, err, ErrMalformed)
	_, err = (&Hello{Context: make([]byte, MaxContextSize+1)}).AppendBinary(nil)
	assert.ErrorIs(t, err, ErrMalformed)
	_, err = (&PointChunk{Points: make([]byte, 33)}).AppendBinary(nil)
	assert.ErrorIs(t, err, ErrMalformed)
	_, err = (&PointChunk{Points: make([]byte, ElementSize*(MaxChunkElements+1))}).AppendBinary(nil)
	assert.ErrorIs(t, err, ErrMalformed)
	_, err = (&RevealChunk{SealedSize: 0, Entries: make([]byte, 4)}).AppendBinary(nil)
	assert.ErrorIs(t, err, ErrMalformed)
	_, err = Frame{Type: 0}.MarshalBinary()
	assert.ErrorIs(t, err, ErrUnknownType)
	_, err = Frame{Type: TypeAlert, Body: make([]byte, MaxBodySize+1)}.MarshalBinary()
	assert.ErrorIs(t, err, ErrTooLarge)
	assert.Equal(t, "Tags", TypeTags.String())
	assert.Equal(t, "MessageType(99)", MessageType(99).String())
}
