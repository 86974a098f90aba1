package encoding

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
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
	return append([]bodyCase{
		{"hello", TypeHello, &Hello{Suite: 1, Mode: 1, PayloadSize: 64, MaxSetSize: 1 << 20, SetSize: 1000, Context: []byte("rules-v1"), Nonce: nonce}, func() body { return new(Hello) }},
		{"hello-max-context", TypeHello, &Hello{Suite: 1, Mode: 3, MaxSetSize: 5, SetSize: 5, Context: bytes.Repeat([]byte{7}, MaxContextSize)}, func() body { return new(Hello) }},
		{"hello-reply", TypeHelloReply, &HelloReply{Hello: Hello{Suite: 1, Mode: 1, PayloadSize: 16, MaxSetSize: 9, SetSize: 2, Context: []byte("rules-v1"), Nonce: nonce}, Commitment: [ElementSize]byte(randBytes(ElementSize))}, func() body { return new(HelloReply) }},
		{"alert", TypeAlert, &Alert{Code: 6}, func() body { return new(Alert) }},
		{"alert-context", TypeAlert, &Alert{Code: AlertContextMismatch, Context: []byte("rules-v1")}, func() body { return new(Alert) }},
		{"alert-context-max", TypeAlert, &Alert{Code: AlertContextMismatch, Context: bytes.Repeat([]byte{7}, MaxContextSize)}, func() body { return new(Alert) }},
		{"announce-initiator", TypeAnnounce, &Announce{Role: 1}, func() body { return new(Announce) }},
		{"announce-responder", TypeAnnounce, &Announce{Role: 2}, func() body { return new(Announce) }},
		{"points-1", TypeBlinded, &PointChunk{Session: session(), Points: randBytes(ElementSize)}, func() body { return new(PointChunk) }},
		{"points-max", TypeBlinded, &PointChunk{Session: session(), Points: randBytes(ElementSize * MaxChunkElements)}, func() body { return new(PointChunk) }},
		{"evaluated-1", TypeEvaluated, &EvaluatedChunk{Session: session(), Proof: [ProofSize]byte(randBytes(ProofSize)), Points: randBytes(ElementSize)}, func() body { return new(EvaluatedChunk) }},
		{"evaluated-max", TypeEvaluated, &EvaluatedChunk{Session: session(), Points: randBytes(ElementSize * MaxChunkElements)}, func() body { return new(EvaluatedChunk) }},
		{"tags-no-payload", TypeTags, &SealedChunk{Session: session(), PrefixSize: TagSize, Entries: randBytes(TagSize * 3)}, func() body { return new(SealedChunk) }},
		{"tags-payload", TypeTags, &SealedChunk{Session: session(), PrefixSize: TagSize, SealedSize: 48, Entries: randBytes((TagSize + 48) * 5)}, func() body { return new(SealedChunk) }},
		{"tags-max", TypeTags, &SealedChunk{Session: session(), PrefixSize: TagSize, SealedSize: MaxSealedSize, Entries: randBytes((TagSize + MaxSealedSize) * MaxChunkElements)}, func() body { return new(SealedChunk) }},
		{"reveal", TypeReveal, &SealedChunk{Session: session(), PrefixSize: PositionSize, SealedSize: SealOverhead, Entries: randBytes((PositionSize + SealOverhead) * 7)}, func() body { return new(SealedChunk) }},
		{"finish", TypeFinish, &Finish{Session: session(), RevealCount: 12, Transcript: transcript}, func() body { return new(Finish) }},
	}, fastBodies()...)
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
				_, err = ReadFrame(bytes.NewReader(frame[:n]), nil)
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
			_, err = ReadFrame(bytes.NewReader(tc.in), nil)
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
		_, err := ReadFrame(bytes.NewReader(hdr), nil)
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
				got, err := ReadFrame(r, nil)
				require.NoError(t, err)
				assert.Equal(t, w, got)
			}
			_, err := ReadFrame(r, nil)
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
		{"announce empty", new(Announce), nil, ErrTruncated},
		{"announce role zero", new(Announce), []byte{0}, ErrMalformed},
		{"announce role three", new(Announce), []byte{3}, ErrMalformed},
		{"announce trailing", new(Announce), []byte{1, 0}, ErrTrailingData},
		{"alert trailing", new(Alert), []byte{6, 0}, ErrTrailingData},
		{"alert context missing", new(Alert), []byte{2}, ErrTruncated},
		{"alert context empty", new(Alert), []byte{2, 0}, ErrMalformed},
		{"alert context short", new(Alert), []byte{2, 3, 'a'}, ErrTruncated},
		{"alert context too long", new(Alert), append([]byte{2, MaxContextSize + 1}, make([]byte, MaxContextSize+1)...), ErrMalformed},
		{"points count zero", new(PointChunk), append(make([]byte, 32), 0, 0, 0, 0), ErrMalformed},
		{"points count over limit", new(PointChunk), append(make([]byte, 32), 0, 0, 0x10, 0x01), ErrMalformed},
		{"points count mismatch", new(PointChunk), append(append(make([]byte, 32), 0, 0, 0, 2), make([]byte, 32)...), ErrTruncated},
		{"sealed below overhead", new(SealedChunk), append(append(make([]byte, 32), 0, 0, 0, 1, TagSize, 0, 8), make([]byte, 24)...), ErrMalformed},
		{"sealed over limit", new(SealedChunk), append(make([]byte, 32), 0, 0, 0, 1, TagSize, 0xff, 0xff), ErrMalformed},
		{"sealed prefix zero", new(SealedChunk), append(append(make([]byte, 32), 0, 0, 0, 1, 0, 0, 16), make([]byte, 16)...), ErrMalformed},
		{"sealed prefix over limit", new(SealedChunk), append(append(make([]byte, 32), 0, 0, 0, 1, MaxPrefixSize+1, 0, 0), make([]byte, MaxPrefixSize+1)...), ErrMalformed},
		{"evaluated without proof", new(EvaluatedChunk), append(append(make([]byte, 32), 0, 0, 0, 1), make([]byte, 32)...), ErrTruncated},
		{"hello reply without commitment", new(HelloReply), enc, ErrTruncated},
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
	_, err = (&SealedChunk{PrefixSize: 0, SealedSize: 16, Entries: make([]byte, 16)}).AppendBinary(nil)
	assert.ErrorIs(t, err, ErrMalformed)
	_, err = (&HelloReply{}).AppendBinary(nil)
	assert.ErrorIs(t, err, ErrMalformed)
	_, err = Frame{Type: 0}.MarshalBinary()
	assert.ErrorIs(t, err, ErrUnknownType)
	_, err = Frame{Type: TypeAlert, Body: make([]byte, MaxBodySize+1)}.MarshalBinary()
	assert.ErrorIs(t, err, ErrTooLarge)
	assert.Equal(t, "Tags", TypeTags.String())
	assert.Equal(t, "MessageType(99)", MessageType(99).String())
}

// TestReadFrameLimit checks that a frame is refused when its declared body
// exceeds what the caller expects for its type, before the body is read,
// and that a frame within the limit reads normally.
func TestReadFrameLimit(t *testing.T) {
	limits := func(typ MessageType) int {
		switch typ {
		case TypeAlert:
			return AlertSize
		case TypeFinish:
			return FinishSize
		}
		return 0
	}
	finish, err := (&Finish{RevealCount: 1}).AppendBinary(nil)
	require.NoError(t, err)
	tests := []struct {
		name string
		f    Frame
		want error
	}{
		{"finish within limit", Frame{Type: TypeFinish, Body: finish}, nil},
		{"alert within limit", Frame{Type: TypeAlert, Body: []byte{3}}, nil},
		{"finish over limit", Frame{Type: TypeFinish, Body: append(bytes.Clone(finish), 0)}, ErrTooLarge},
		{"unexpected type with a body", Frame{Type: TypeBlinded, Body: make([]byte, 36)}, ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := tc.f.MarshalBinary()
			require.NoError(t, err)
			got, err := ReadFrame(bytes.NewReader(raw), limits)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.f, got)
		})
	}
}

// TestReadFrameHeaderOnly checks that a header announcing the largest body
// and then ending (or stalling) costs a small fraction of that body: memory
// grows with bytes that arrive, not with the declared length.
func TestReadFrameHeaderOnly(t *testing.T) {
	hdr := []byte{'R', 'N', 'T', 'E', Version, byte(TypeTags), 0, 0, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(hdr[10:], MaxBodySize)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 10 {
		_, err := ReadFrame(bytes.NewReader(hdr), nil)
		require.ErrorIs(t, err, ErrTruncated)
	}
	runtime.ReadMemStats(&after)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(10*(readStep+4096)), "bytes allocated by ten header-only frames")
}
