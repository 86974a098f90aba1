package encoding

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/internal/testrand"
)

func exampleOfflineMessages() []OfflineMessage {
	full := OfflineMessage{Number: 3, Time: 1_780_000_000, Padding: 300}
	copy(full.Exchange[:], randBytes(ExchangeIDSize))
	for i, tc := range validBodies() {
		enc, err := tc.value.AppendBinary(nil)
		if err != nil || len(enc) > 1<<12 {
			continue
		}
		full.Frames = append(full.Frames, Frame{Type: tc.typ, Seq: uint32(i), Body: enc})
	}
	one := OfflineMessage{Frames: []Frame{{Type: TypeAlert, Body: []byte{1, 0}}}}
	return []OfflineMessage{full, one}
}

// exampleOfflineFile returns a message file whose ciphertext is random
// bytes, as long as the ciphertext of a stream of n bytes.
func exampleOfflineFile(n uint64) []byte {
	h := OfflineHeader{Length: OfflineCiphertextSize(n)}
	copy(h.Enc[:], randBytes(OfflineEncSize))
	b, _ := h.AppendBinary(nil)
	return append(b, randBytes(int(h.Length))...)
}

func TestOfflineMessageRoundTrip(t *testing.T) {
	for i, m := range exampleOfflineMessages() {
		enc, err := m.AppendBinary(nil)
		require.NoError(t, err)
		require.Len(t, enc, m.Size())
		var dec OfflineMessage
		require.NoError(t, dec.UnmarshalBinary(enc), "message %d", i)
		again, err := dec.AppendBinary(nil)
		require.NoError(t, err)
		assert.Equal(t, enc, again, "message %d", i)
		for _, n := range prefixLengths(len(enc)) {
			assert.Error(t, new(OfflineMessage).UnmarshalBinary(enc[:n]), "prefix %d of %d", n, len(enc))
		}
		assert.ErrorIs(t, new(OfflineMessage).UnmarshalBinary(append(enc[:len(enc):len(enc)], 0)), ErrTrailingData)
	}
}

func TestOfflineMessageErrors(t *testing.T) {
	_, err := (&OfflineMessage{}).AppendBinary(nil)
	require.ErrorIs(t, err, ErrMalformed, "no frames")
	m := exampleOfflineMessages()[0]
	enc, err := m.AppendBinary(nil)
	require.NoError(t, err)
	for _, tt := range []struct {
		name string
		edit func([]byte)
		want error
	}{
		{"padding not zero", func(b []byte) { b[len(b)-1] = 1 }, ErrMalformed},
		{"zero frames", func(b []byte) { binary.BigEndian.PutUint32(b[OfflineMessageHeaderSize-4:], 0) }, ErrMalformed},
		{"more frames than there are: the padding is no frame", func(b []byte) { binary.BigEndian.PutUint32(b[OfflineMessageHeaderSize-4:], 1<<31) }, ErrBadMagic},
		{"frame magic", func(b []byte) { b[OfflineMessageHeaderSize] ^= 1 }, ErrBadMagic},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := bytes.Clone(enc)
			tt.edit(bad)
			require.ErrorIs(t, new(OfflineMessage).UnmarshalBinary(bad), tt.want)
		})
	}
}

// TestOfflineMessageReaderOrder calls the streaming decoder's methods out
// of order: each refuses.
func TestOfflineMessageReaderOrder(t *testing.T) {
	enc, err := exampleOfflineMessages()[1].AppendBinary(nil)
	require.NoError(t, err)
	mr := NewOfflineMessageReader(bytes.NewReader(enc))
	_, err = mr.Next()
	require.ErrorIs(t, err, errStep, "Next before Header")
	_, err = mr.Header()
	require.NoError(t, err)
	_, err = mr.Finish()
	require.ErrorIs(t, err, errStep, "Finish before the frames")
	_, err = mr.Next()
	require.NoError(t, err)
	_, err = mr.Next()
	require.ErrorIs(t, err, io.EOF)
	_, err = mr.Finish()
	require.NoError(t, err)
	_, err = mr.Header()
	require.ErrorIs(t, err, errStep, "Header twice")
}

func TestOfflineCiphertextSize(t *testing.T) {
	for _, tt := range []struct{ stream, want uint64 }{
		{1, 1 + OfflineChunkOverhead},
		{OfflineChunkSize, OfflineChunkSize + OfflineChunkOverhead},
		{OfflineChunkSize + 1, OfflineChunkSize + 1 + 2*OfflineChunkOverhead},
		{3 * OfflineChunkSize, 3 * (OfflineChunkSize + OfflineChunkOverhead)},
	} {
		got := OfflineCiphertextSize(tt.stream)
		assert.Equal(t, tt.want, got, "stream of %d bytes", tt.stream)
		h := OfflineHeader{Length: got}
		assert.NoError(t, h.check(), "stream of %d bytes", tt.stream)
		assert.EqualValues(t, len(OfflineChunkPieces(make([]byte, tt.stream))), h.Chunks(), "stream of %d bytes", tt.stream)
	}
	for _, length := range []uint64{0, OfflineChunkOverhead, OfflineChunkSize + OfflineChunkOverhead + OfflineChunkOverhead} {
		h := OfflineHeader{Length: length}
		assert.ErrorIs(t, h.check(), ErrMalformed, "no stream has a ciphertext of %d bytes", length)
	}
	assert.ErrorIs(t, OfflineHeader{Length: MaxOfflineCiphertext + 1}.check(), ErrTooLarge)
}

// TestOfflineFileEarlierVersion checks that a message file of format
// version 2 (a clear header: magic "RNTM", the version byte, message
// number, lengths), as an earlier build wrote, is refused as such, naming
// its version, by both readers; a file that only starts with the magic is
// no file of an earlier version.
func TestOfflineFileEarlierVersion(t *testing.T) {
	v2 := append([]byte("RNTM\x02"), make([]byte, 200)...)
	_, err := ParseOfflineFile(v2)
	require.ErrorIs(t, err, ErrVersion)
	assert.Contains(t, err.Error(), "format version 2")
	_, err = ReadOfflineHeader(bytes.NewReader(v2))
	require.ErrorIs(t, err, ErrVersion)

	for _, v := range []byte{0, 3} {
		_, err = ParseOfflineFile(append([]byte{'R', 'N', 'T', 'M', v}, make([]byte, 200)...))
		assert.NotErrorIs(t, err, ErrVersion, "there was never a version %d with the magic", v)
	}
	later := append([]byte("RNTM\x03"), make([]byte, 200)...)
	_, err = ParseOfflineFile(later)
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrVersion, "version 3 never had the magic")
	assert.ErrorIs(t, err, ErrTooLarge)

	// No header of this version starts with the magic: its length would
	// be above the largest a header may declare.
	var h OfflineHeader
	require.ErrorIs(t, h.UnmarshalBinary(append([]byte("RNTM\x7f\x00\x00\x00"), make([]byte, OfflineEncSize)...)), ErrTooLarge)
	assert.Greater(t, uint64(0x52)<<56, uint64(MaxOfflineCiphertext))
}

func TestOfflineFileRoundTrip(t *testing.T) {
	for _, n := range []uint64{1, 300, OfflineChunkSize, 2*OfflineChunkSize + 5} {
		enc := exampleOfflineFile(n)
		h, err := ParseOfflineFile(enc)
		require.NoError(t, err)
		header, err := h.AppendBinary(nil)
		require.NoError(t, err)
		assert.Equal(t, enc[:OfflineHeaderSize], header)

		// The chunk reader, over one-byte reads, gives the ciphertext back
		// chunk by chunk, then io.EOF.
		read, err := ReadOfflineHeader(iotest.OneByteReader(bytes.NewReader(enc)))
		require.NoError(t, err)
		require.Equal(t, h, read)
		cr := NewOfflineChunkReader(iotest.OneByteReader(bytes.NewReader(enc[OfflineHeaderSize:])), h)
		var ct []byte
		for i := uint32(0); ; i++ {
			index, chunk, err := cr.Next()
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			require.Equal(t, i, index)
			ct = append(ct, chunk...)
		}
		assert.Equal(t, enc[OfflineHeaderSize:], ct)

		for _, m := range prefixLengths(len(enc)) {
			_, err := ParseOfflineFile(enc[:m])
			assert.ErrorIs(t, err, ErrTruncated, "prefix %d", m)
			assert.ErrorIs(t, readChunks(enc[:m]), ErrTruncated, "prefix %d", m)
		}
		_, err = ParseOfflineFile(append(bytes.Clone(enc), 0))
		assert.ErrorIs(t, err, ErrTrailingData)
		assert.ErrorIs(t, readChunks(append(bytes.Clone(enc), 0)), ErrTrailingData)
	}
}

// readChunks reads a whole file with ReadOfflineHeader and an
// OfflineChunkReader and returns the first error other than io.EOF.
func readChunks(b []byte) error {
	r := bytes.NewReader(b)
	h, err := ReadOfflineHeader(r)
	if err != nil {
		return err
	}
	cr := NewOfflineChunkReader(r, h)
	for {
		if _, _, err := cr.Next(); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// errAfter fails every read past its first n bytes.
type errAfter struct {
	r    io.Reader
	n    int
	read int
}

var errTooFar = errors.New("read too far")

func (e *errAfter) Read(p []byte) (int, error) {
	if e.read >= e.n {
		return 0, errTooFar
	}
	p = p[:min(len(p), e.n-e.read)]
	n, err := e.r.Read(p)
	e.read += n
	return n, err
}

// TestOfflineChunkReaderBounded reads a file that declares 1 GiB: the
// header and each chunk are read without reading any further.
func TestOfflineChunkReaderBounded(t *testing.T) {
	h := OfflineHeader{Length: OfflineCiphertextSize(1 << 30)}
	header, err := h.AppendBinary(nil)
	require.NoError(t, err)
	const chunk = OfflineChunkSize + OfflineChunkOverhead
	r := &errAfter{r: io.MultiReader(bytes.NewReader(header), bytes.NewReader(make([]byte, 2*chunk))), n: OfflineHeaderSize}
	read, err := ReadOfflineHeader(r)
	require.NoError(t, err)
	require.Equal(t, h, read)
	cr := NewOfflineChunkReader(r, h)
	for i := range 2 {
		r.n += chunk
		_, c, err := cr.Next()
		require.NoError(t, err)
		require.Len(t, c, chunk, "chunk %d", i)
	}
	_, _, err = cr.Next()
	require.ErrorIs(t, err, errTooFar)
}

func TestSplitOfflineChunk(t *testing.T) {
	for _, tt := range []struct {
		size int
		ok   bool
	}{
		{OfflineSignatureSize, false},
		{OfflineSignatureSize + 1, true},
		{OfflineSignatureSize + OfflineChunkSize, true},
		{OfflineSignatureSize + OfflineChunkSize + 1, false},
	} {
		plain := randBytes(tt.size)
		piece, sig, err := SplitOfflineChunk(plain)
		if !tt.ok {
			assert.ErrorIs(t, err, ErrMalformed, "%d bytes", tt.size)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, plain, append(bytes.Clone(piece), sig...))
		assert.Len(t, sig, OfflineSignatureSize)
	}
}

func exampleExchangeStates() []ExchangeState {
	full := ExchangeState{
		Role: 1, Status: 1, HaveID: true, Next: 3, Started: 1_700_000_000_123_456_789,
		PeerSizeKnown: true, PeerSize: 77, Charged: 78, Outgoing: randBytes(300),
		Pseudonyms: []uint32{5, 1, 9}, Session: randBytes(500),
	}
	for _, k := range [][]byte{full.Exchange[:], full.OwnSigningKey[:], full.PeerSigningKey[:], full.OwnEncryptionKey[:], full.PeerEncryptionKey[:]} {
		copy(k, randBytes(len(k)))
	}
	failed := ExchangeState{Role: 2, Status: 2, Next: 1, Failure: "psi: context mismatch", Started: -5}
	return []ExchangeState{full, failed}
}

func TestExchangeStateRoundTrip(t *testing.T) {
	for i, st := range exampleExchangeStates() {
		enc, err := st.AppendBinary(nil)
		require.NoError(t, err)
		var dec ExchangeState
		require.NoError(t, dec.UnmarshalBinary(enc), "state %d", i)
		assert.Equal(t, st, dec)
		again, err := dec.AppendBinary(nil)
		require.NoError(t, err)
		assert.Equal(t, enc, again)
		for _, n := range prefixLengths(len(enc)) {
			assert.Error(t, new(ExchangeState).UnmarshalBinary(enc[:n]), "prefix %d", n)
		}
		for j := 0; j < len(enc); j++ {
			bad := bytes.Clone(enc)
			bad[j] ^= 4
			assert.Error(t, new(ExchangeState).UnmarshalBinary(bad), "byte %d altered", j)
		}
	}
	_, err := (&ExchangeState{Failure: string(make([]byte, MaxFailureSize+1))}).AppendBinary(nil)
	require.ErrorIs(t, err, ErrTooLarge)
}

func TestExchangeStateFieldErrors(t *testing.T) {
	st := exampleExchangeStates()[0]
	enc, err := st.AppendBinary(nil)
	require.NoError(t, err)
	haveID := len(exchangeStateMagic) + 1 + 2
	bad := bytes.Clone(enc)
	bad[haveID] = 2
	require.ErrorIs(t, new(ExchangeState).UnmarshalBinary(testrand.WithChecksum(bad)), ErrTruncated, "a flag other than 0 or 1")

	st.Pseudonyms = []uint32{4, 4}
	enc, err = st.AppendBinary(nil)
	require.NoError(t, err)
	require.ErrorIs(t, new(ExchangeState).UnmarshalBinary(enc), ErrMalformed, "repeated pseudonyms")
}

func TestSeenExchanges(t *testing.T) {
	var s SeenExchanges
	ids := make([][ExchangeIDSize]byte, 5)
	for i := range ids {
		copy(ids[i][:], randBytes(ExchangeIDSize))
		require.False(t, s.Contains(ids[i]))
		require.NoError(t, s.Add(ids[i], uint64(100+i)))
		require.NoError(t, s.Add(ids[i], 1), "adding twice changes nothing")
	}
	require.Equal(t, 5, s.Len())
	enc, err := s.AppendBinary(nil)
	require.NoError(t, err)
	var dec SeenExchanges
	require.NoError(t, dec.UnmarshalBinary(enc))
	for _, id := range ids {
		assert.True(t, dec.Contains(id))
	}
	again, err := dec.AppendBinary(nil)
	require.NoError(t, err)
	assert.Equal(t, enc, again)
	for _, n := range prefixLengths(len(enc)) {
		assert.Error(t, new(SeenExchanges).UnmarshalBinary(enc[:n]), "prefix %d", n)
	}

	// Two IDs swapped, with a valid checksum, are refused: the encoding of
	// a set is unique.
	bad := bytes.Clone(enc)
	first := bad[len(seenMagic)+1+4:]
	var tmp [seenEntrySize]byte
	copy(tmp[:], first[:seenEntrySize])
	copy(first, first[seenEntrySize:2*seenEntrySize])
	copy(first[seenEntrySize:], tmp[:])
	require.ErrorIs(t, new(SeenExchanges).UnmarshalBinary(testrand.WithChecksum(bad)), ErrMalformed)

	// Entries before a time are dropped, the others kept.
	require.Equal(t, 2, dec.DropBefore(102))
	require.Equal(t, 3, dec.Len())
	for i, id := range ids {
		assert.Equal(t, i >= 2, dec.Contains(id), "entry %d, time %d", i, 100+i)
	}

	empty, err := (&SeenExchanges{}).AppendBinary(nil)
	require.NoError(t, err)
	require.NoError(t, new(SeenExchanges).UnmarshalBinary(empty))
}

// TestOfflineSignedBytes checks what is signed, encrypted and bound for a
// message file against PROTOCOL.md §Offline exchange, spelled out byte by
// byte: label ‖ 0x00 ‖ ids, and for each chunk ‖ header ‖ u32(i) ‖
// SHA-256(piece).
func TestOfflineSignedBytes(t *testing.T) {
	var sender, recipient OfflineIdentity
	for i := range OfflineKeySize {
		sender.Sign[i], sender.Enc[i], recipient.Sign[i], recipient.Enc[i] = byte(i), byte(i+64), byte(i+128), byte(i+192)
	}
	ids := bytes.Join([][]byte{sender.Sign[:], sender.Enc[:], recipient.Sign[:], recipient.Enc[:]}, nil)
	ctx := func(label string) []byte { return append(append([]byte(label), 0), ids...) }

	assert.Equal(t, ctx("reunite-offline-v3 message file encryption"),
		AppendOfflineContext(nil, OfflineLabelEncryption, sender, recipient))
	assert.Equal(t, append([]byte("x"), ctx("reunite-offline-v3 channel binding")...),
		AppendOfflineContext([]byte("x"), OfflineLabelBinding, sender, recipient), "appends")
	binding := sha256.Sum256(ctx("reunite-offline-v3 channel binding"))
	assert.Equal(t, binding[:], OfflineChannelBinding(sender, recipient))
	assert.NotEqual(t, binding[:], OfflineChannelBinding(recipient, sender), "the initiator comes first")

	h := OfflineHeader{Length: 1234}
	for i := range h.Enc {
		h.Enc[i] = 0xee
	}
	header, err := h.AppendBinary(nil)
	require.NoError(t, err)
	signed := NewOfflineSigned(sender, recipient, h)
	for i, piece := range [][]byte{[]byte("first piece"), {}, bytes.Repeat([]byte{7}, OfflineChunkSize)} {
		sum := sha256.Sum256(piece)
		want := append(ctx("reunite-offline-v3 message file signature"), header...)
		want = binary.BigEndian.AppendUint32(want, uint32(i+1)<<20)
		want = append(want, sum[:]...)
		assert.Equal(t, want, signed.Chunk(uint32(i+1)<<20, piece), "chunk %d", i)
	}
}

func TestOfflineHeaderEnc(t *testing.T) {
	enc := bytes.Repeat([]byte{0x5a}, OfflineEncSize)
	for _, random := range []byte{0x00, 0x7f, 0x80, 0xff} {
		var h OfflineHeader
		require.NoError(t, h.SetEnc(enc, random))
		assert.Equal(t, enc[:OfflineEncSize-1], h.Enc[:OfflineEncSize-1])
		assert.Equal(t, 0x5a|random&0x80, h.Enc[OfflineEncSize-1], "only the top bit is random")
		assert.Equal(t, enc, h.KEMEnc())
	}
	var h OfflineHeader
	high := bytes.Clone(enc)
	high[OfflineEncSize-1] |= 0x80
	require.ErrorIs(t, h.SetEnc(high, 0), ErrMalformed, "X25519 never sets the top bit")
	require.ErrorIs(t, h.SetEnc(enc[1:], 0), ErrMalformed)
}

// stateWithOutgoing returns an exchange state that holds a well-formed
// message file of a ciphertext of n-byte stream (random bytes).
func stateWithOutgoing(t testing.TB, n uint64) (ExchangeState, []byte) {
	h := OfflineHeader{Length: OfflineCiphertextSize(n)}
	copy(h.Enc[:], randBytes(OfflineEncSize))
	file, err := h.AppendBinary(nil)
	require.NoError(t, err)
	file = append(file, randBytes(int(h.Length))...)
	st := exampleExchangeStates()[0]
	st.Outgoing = file
	return st, file
}

func TestExchangeStateOutgoing(t *testing.T) {
	st, file := stateWithOutgoing(t, 3*OfflineChunkSize+5)
	enc, err := st.AppendBinary(nil)
	require.NoError(t, err)
	out, err := ExchangeStateOutgoing(bytes.NewReader(enc), int64(len(enc)))
	require.NoError(t, err)
	got, err := io.ReadAll(out)
	require.NoError(t, err)
	assert.Equal(t, file, got)

	none := exampleExchangeStates()[1]
	enc0, err := none.AppendBinary(nil)
	require.NoError(t, err)
	out, err = ExchangeStateOutgoing(bytes.NewReader(enc0), int64(len(enc0)))
	require.NoError(t, err)
	assert.Zero(t, out.Size(), "a state that owes no message holds none")

	for _, tc := range []struct {
		name string
		edit func([]byte) []byte
		want error
	}{
		{"magic", func(b []byte) []byte { b[0] ^= 1; return b }, ErrBadMagic},
		{"version", func(b []byte) []byte { b[4]++; return b }, ErrVersion},
		{"a byte of the message", func(b []byte) []byte { b[exchangeStateOutgoingAt+100] ^= 1; return b }, ErrMalformed},
		{"checksum", func(b []byte) []byte { b[len(b)-1] ^= 1; return b }, ErrMalformed},
		{"cut", func(b []byte) []byte { return b[:len(b)-100] }, ErrMalformed},
		{"short", func(b []byte) []byte { return b[:exchangeStateOutgoingAt] }, ErrTruncated},
		{"length past the end", func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[exchangeStateOutgoingAt:], uint32(len(b)))
			return testrand.WithChecksum(b)
		}, ErrTruncated},
		{"not a message file", func(b []byte) []byte {
			binary.BigEndian.PutUint64(b[exchangeStateOutgoingAt+4:], 7)
			return testrand.WithChecksum(b)
		}, ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.edit(bytes.Clone(enc))
			_, err := ExchangeStateOutgoing(bytes.NewReader(b), int64(len(b)))
			require.ErrorIs(t, err, tc.want)
		})
	}
}

// FuzzExchangeStateOutgoing reads any bytes as an exchange state's
// outgoing message: nothing panics, and where the whole state decodes and
// holds a well-formed message file, the section is exactly that file.
func FuzzExchangeStateOutgoing(f *testing.F) {
	n := 0
	for _, size := range []uint64{1, OfflineChunkSize, OfflineChunkSize + 1} {
		st, _ := stateWithOutgoing(f, size)
		enc, err := st.AppendBinary(nil)
		require.NoError(f, err)
		f.Add(enc)
		n++
	}
	for _, st := range exampleExchangeStates() {
		enc, err := st.AppendBinary(nil)
		require.NoError(f, err)
		f.Add(enc)
		n++
	}
	require.Equal(f, 5, n, "seeds loaded")
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := ExchangeStateOutgoing(bytes.NewReader(in), int64(len(in)))
		var st ExchangeState
		if st.UnmarshalBinary(in) != nil {
			return
		}
		if _, perr := ParseOfflineFile(st.Outgoing); len(st.Outgoing) > 0 && perr != nil {
			require.Error(t, err, "a state whose message file is not well-formed")
			return
		}
		require.NoError(t, err)
		got, err := io.ReadAll(out)
		require.NoError(t, err)
		require.Equal(t, len(st.Outgoing), len(got))
		require.True(t, bytes.Equal(st.Outgoing, got))
	})
}
