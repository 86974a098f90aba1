package encoding

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exampleStates returns saved states with every field set, with and
// without payloads.
func exampleStates() []SessionState {
	full := SessionState{
		Role: 1, State: 2, PayloadSize: 8, SendSeq: 3, RecvSeq: 4,
		Transcript: randBytes(100), Hello: randBytes(150),
		AgreedMax: 100, PeerSize: 50, Done: 10,
		OwnPoints: randBytes(3 * ElementSize), PeerTags: randBytes(2 * TagSize),
		Found:    []StateFound{{Own: 1, Position: 0, Opened: 1, Payload: randBytes(8)}, {Own: 2, Position: 1, Payload: make([]byte, 8)}},
		Revealed: 1, BadPayloads: 1,
		Proofs: randBytes(ProofSize), Evaluated: randBytes(2 * ElementSize), TagOrder: randBytes(8), TagPoints: randBytes(2 * ElementSize),
		LastReveal:  2,
		Matches:     []StateMatch{{Index: 7, PeerPayload: randBytes(8)}},
		Cardinality: 1, Learned: 1,
	}
	copy(full.Key[:], randBytes(32))
	copy(full.SessionID[:], randBytes(32))
	copy(full.Commitment[:], randBytes(32))
	bare := SessionState{Role: 2, State: 4, Transcript: randBytes(10)}
	noPayload := SessionState{Role: 2, State: 7, Matches: []StateMatch{{Index: 1, PeerPayload: []byte{}}}, Cardinality: 1, Learned: 1}
	return []SessionState{full, bare, noPayload}
}

func TestSessionStateRoundTrip(t *testing.T) {
	for i, st := range exampleStates() {
		enc, err := st.AppendBinary(nil)
		require.NoError(t, err, "state %d", i)
		var dec SessionState
		require.NoError(t, dec.UnmarshalBinary(enc), "state %d", i)
		again, err := dec.AppendBinary(nil)
		require.NoError(t, err)
		assert.Equal(t, enc, again, "state %d: decode∘encode must be byte-identical", i)
		assert.Equal(t, st.Found, dec.Found)
		assert.Equal(t, st.OwnPoints, dec.OwnPoints)

		// Every strict prefix, one byte more, and every flipped bit in the
		// body are refused (the checksum covers every byte).
		for n := range len(enc) {
			assert.Error(t, new(SessionState).UnmarshalBinary(enc[:n]), "prefix %d", n)
		}
		assert.Error(t, new(SessionState).UnmarshalBinary(append(bytes.Clone(enc), 0)))
		for j := range enc {
			b := bytes.Clone(enc)
			b[j] ^= 0x10
			assert.Error(t, new(SessionState).UnmarshalBinary(b), "byte %d flipped", j)
		}
	}
}

func TestSessionStateErrors(t *testing.T) {
	good, err := exampleStates()[1].AppendBinary(nil)
	require.NoError(t, err)
	otherVersion := bytes.Clone(good)
	otherVersion[4] = StateVersion - 1
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrBadMagic},
		{"frame magic", append([]byte("RNTE"), good[4:]...), ErrBadMagic},
		{"other version", otherVersion, ErrVersion},
		{"checksum", append(bytes.Clone(good[:len(good)-1]), good[len(good)-1]^1), ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, new(SessionState).UnmarshalBinary(tc.in), tc.want)
		})
	}
	bad := []SessionState{
		{PayloadSize: MaxPayloadSize + 1},
		{OwnPoints: make([]byte, 31)},
		{Proofs: make([]byte, 63)},
		{Learned: 2},
		{PayloadSize: 4, Found: []StateFound{{Payload: make([]byte, 3)}}},
		{PayloadSize: 4, Found: []StateFound{{Opened: 2, Payload: make([]byte, 4)}}},
		{PayloadSize: 4, Matches: []StateMatch{{PeerPayload: make([]byte, 5)}}},
		{Transcript: make([]byte, 256)},
	}
	for i, st := range bad {
		_, err := st.AppendBinary(nil)
		assert.Error(t, err, "bad state %d", i)
	}
}

// FuzzSessionState checks that decoding never panics and that whatever
// decodes re-encodes to exactly the input. The fuzzer's input is the state
// without its checksum, which the target appends, so mutations reach the
// fields instead of stopping at the checksum.
func FuzzSessionState(f *testing.F) {
	n := 0
	for _, st := range exampleStates() {
		enc, err := st.AppendBinary(nil)
		require.NoError(f, err)
		body := enc[:len(enc)-sha256.Size]
		f.Add(body)
		f.Add(body[:len(body)/2])
		n++
	}
	require.NotZero(f, n, "no seeds")
	f.Fuzz(func(t *testing.T, body []byte) {
		sum := sha256.Sum256(body)
		in := append(bytes.Clone(body), sum[:]...)
		var st SessionState
		if err := st.UnmarshalBinary(in); err != nil {
			return
		}
		out, err := st.AppendBinary(nil)
		require.NoError(t, err)
		require.Equal(t, in, out)
	})
}
