package encoding

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func exampleOfflineMessages() []OfflineMessage {
	full := OfflineMessage{Padding: 300}
	copy(full.Exchange[:], randBytes(ExchangeIDSize))
	copy(full.Signature[:], randBytes(OfflineSignatureSize))
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

func exampleOfflineFile(n int) *OfflineFile {
	f := &OfflineFile{Number: 3, Ciphertext: randBytes(n)}
	copy(f.Enc[:], randBytes(OfflineEncSize))
	return f
}

func TestOfflineMessageRoundTrip(t *testing.T) {
	for i, m := range exampleOfflineMessages() {
		enc, err := m.AppendBinary(nil)
		require.NoError(t, err)
		require.Len(t, enc, m.Size(), "message %d", i)
		signed, err := m.SignedPart(nil)
		require.NoError(t, err)
		assert.Equal(t, enc[:len(enc)-OfflineSignatureSize], signed)
		var dec OfflineMessage
		require.NoError(t, dec.UnmarshalBinary(enc), "message %d", i)
		assert.Equal(t, m, dec)
		again, err := dec.AppendBinary(nil)
		require.NoError(t, err)
		assert.Equal(t, enc, again)

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
	padAt := len(enc) - OfflineSignatureSize - int(m.Padding)
	bad := bytes.Clone(enc)
	bad[padAt+5] = 1
	require.ErrorIs(t, new(OfflineMessage).UnmarshalBinary(bad), ErrMalformed, "padding must be zero")

	bad = bytes.Clone(enc)
	copy(bad[ExchangeIDSize:], []byte{0, 0, 0, 0})
	require.ErrorIs(t, new(OfflineMessage).UnmarshalBinary(bad), ErrMalformed, "zero frames")
	copy(bad[ExchangeIDSize:], []byte{0xff, 0xff, 0xff, 0xff})
	require.ErrorIs(t, new(OfflineMessage).UnmarshalBinary(bad), ErrTruncated, "a count beyond the bytes is refused before allocating")

	bad = bytes.Clone(enc)
	bad[ExchangeIDSize+4] ^= 0xff // first frame's magic
	require.ErrorIs(t, new(OfflineMessage).UnmarshalBinary(bad), ErrBadMagic)
}

func TestOfflineFileRoundTrip(t *testing.T) {
	f := exampleOfflineFile(200)
	enc, err := f.AppendBinary(nil)
	require.NoError(t, err)
	require.Len(t, enc, f.Size())
	assert.Equal(t, enc[:OfflineHeaderSize], f.AdditionalData())

	got, err := ParseOfflineFile(enc)
	require.NoError(t, err)
	assert.Equal(t, f, got)
	read, err := ReadOfflineFile(iotest.OneByteReader(bytes.NewReader(enc)), func(uint32) uint64 { return 200 })
	require.NoError(t, err)
	assert.Equal(t, f, read)

	for _, n := range prefixLengths(len(enc)) {
		_, err := ParseOfflineFile(enc[:n])
		assert.ErrorIs(t, err, ErrTruncated, "prefix %d", n)
		_, err = ReadOfflineFile(bytes.NewReader(enc[:n]), func(uint32) uint64 { return 1 << 20 })
		assert.ErrorIs(t, err, ErrTruncated, "stream prefix %d", n)
	}
	_, err = ParseOfflineFile(append(bytes.Clone(enc), 0))
	require.ErrorIs(t, err, ErrTrailingData)
	_, err = ReadOfflineFile(bytes.NewReader(append(bytes.Clone(enc), 0)), func(uint32) uint64 { return 1 << 20 })
	require.ErrorIs(t, err, ErrTrailingData)

	bad := bytes.Clone(enc)
	bad[0] = 'X'
	_, err = ParseOfflineFile(bad)
	require.ErrorIs(t, err, ErrBadMagic)
	bad = bytes.Clone(enc)
	bad[4] = 1
	_, err = ParseOfflineFile(bad)
	require.ErrorIs(t, err, ErrVersion)

	tiny := exampleOfflineFile(OfflineMessageMinSize + OfflineAEADOverhead - 1)
	enc, err = tiny.AppendBinary(nil)
	require.NoError(t, err)
	_, err = ParseOfflineFile(enc)
	require.ErrorIs(t, err, ErrMalformed, "a ciphertext too short to hold a message")
}

// errAfterHeader fails any read past the header, to show that the length
// is checked before the ciphertext is read.
type errAfterHeader struct {
	r    io.Reader
	read int
}

var errReadTooFar = errors.New("read past the header")

func (e *errAfterHeader) Read(p []byte) (int, error) {
	if e.read >= OfflineHeaderSize {
		return 0, errReadTooFar
	}
	p = p[:min(len(p), OfflineHeaderSize-e.read)]
	n, err := e.r.Read(p)
	e.read += n
	return n, err
}

func TestReadOfflineFileLimit(t *testing.T) {
	f := exampleOfflineFile(1000)
	enc, err := f.AppendBinary(nil)
	require.NoError(t, err)
	var asked []uint32
	limit := func(n uint32) uint64 {
		asked = append(asked, n)
		return 999
	}
	_, err = ReadOfflineFile(&errAfterHeader{r: bytes.NewReader(enc)}, limit)
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Equal(t, []uint32{3}, asked, "the limit is the message number's")

	// A header that declares 1 TiB costs no more than the bytes that come.
	huge := bytes.Clone(enc[:OfflineHeaderSize])
	copy(huge[9:17], []byte{0, 0, 1, 0, 0, 0, 0, 0})
	_, err = ReadOfflineFile(&errAfterHeader{r: bytes.NewReader(huge)}, func(uint32) uint64 { return 1 << 20 })
	require.ErrorIs(t, err, ErrTooLarge)
	allocs := testing.AllocsPerRun(5, func() {
		_, err := ReadOfflineFile(bytes.NewReader(huge), func(uint32) uint64 { return 1 << 62 })
		require.ErrorIs(t, err, ErrTruncated)
	})
	assert.Less(t, allocs, 20.0)
}

func exampleExchangeStates() []ExchangeState {
	full := ExchangeState{
		Role: 1, Status: 1, HaveID: true, Next: 3, Started: 1_700_000_000_123_456_789,
		PeerSizeKnown: true, PeerSize: 77, Outgoing: randBytes(300),
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

// withChecksum replaces the last 32 bytes of b with the SHA-256 of the
// rest, so that a test or fuzzer reaches the fields behind the checksum.
func withChecksum(b []byte) []byte {
	if len(b) < sha256.Size {
		return b
	}
	out := bytes.Clone(b)
	sum := sha256.Sum256(out[:len(out)-sha256.Size])
	copy(out[len(out)-sha256.Size:], sum[:])
	return out
}

func TestExchangeStateFieldErrors(t *testing.T) {
	st := exampleExchangeStates()[0]
	enc, err := st.AppendBinary(nil)
	require.NoError(t, err)
	haveID := len(exchangeStateMagic) + 1 + 2
	bad := bytes.Clone(enc)
	bad[haveID] = 2
	require.ErrorIs(t, new(ExchangeState).UnmarshalBinary(withChecksum(bad)), ErrTruncated, "a flag other than 0 or 1")

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
		require.NoError(t, s.Add(ids[i]))
		require.NoError(t, s.Add(ids[i]), "adding twice changes nothing")
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
	var tmp [ExchangeIDSize]byte
	copy(tmp[:], first[:ExchangeIDSize])
	copy(first, first[ExchangeIDSize:2*ExchangeIDSize])
	copy(first[ExchangeIDSize:], tmp[:])
	require.ErrorIs(t, new(SeenExchanges).UnmarshalBinary(withChecksum(bad)), ErrMalformed)

	empty, err := (&SeenExchanges{}).AppendBinary(nil)
	require.NoError(t, err)
	require.NoError(t, new(SeenExchanges).UnmarshalBinary(empty))
}

func TestOfflineMessageDigest(t *testing.T) {
	for _, m := range append(exampleOfflineMessages(), OfflineMessage{Frames: []Frame{{Type: TypeFinish}}, Padding: 200_000}) {
		signed, err := m.SignedPart(nil)
		require.NoError(t, err)
		d, err := m.Digest()
		require.NoError(t, err)
		assert.Equal(t, sha256.Sum256(signed), d)
	}
	_, err := (&OfflineMessage{}).Digest()
	require.ErrorIs(t, err, ErrMalformed)
	_, err = (&OfflineMessage{Frames: []Frame{{Type: 0}}}).Digest()
	require.ErrorIs(t, err, ErrMalformed)
}

func TestOfflineMessageDigestLeavesMessage(t *testing.T) {
	m := exampleOfflineMessages()[0]
	before, err := m.AppendBinary(nil)
	require.NoError(t, err)
	_, err = m.Digest()
	require.NoError(t, err)
	after, err := m.AppendBinary(nil)
	require.NoError(t, err)
	require.Equal(t, before, after)
}
