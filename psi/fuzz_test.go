package psi

import (
	"testing"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/internal/testrand"
	"github.com/stretchr/testify/require"
)

// fuzzSessionAt returns the session that receives frame number `frames`
// of an honest both-learn exchange, with every earlier frame delivered.
func fuzzSessionAt(t testing.TB, frames int) *Session {
	cfg := Config{Context: []byte("fuzz"), Mode: BothLearn, PayloadSize: 4}
	a := [][]byte{[]byte("a"), []byte("b"), []byte("c")}
	b := [][]byte{[]byte("c"), []byte("a")}
	ini, err := newInitiatorWithRand(cfg, Set{Elements: a, Payloads: payloads("A", a, 4)}, testrand.New("fuzz-i"))
	require.NoError(t, err)
	resp, err := newResponderWithRand(cfg, Set{Elements: b, Payloads: payloads("B", b, 4)}, testrand.New("fuzz-r"))
	require.NoError(t, err)
	// In this small exchange every frame is answered before the next is
	// sent, so the roles simply alternate between sender and receiver.
	for range frames {
		from, to := ini, resp
		if resp.Turn() == TurnSend {
			from, to = resp, ini
		}
		f, err := from.Send()
		require.NoError(t, err)
		require.NoError(t, to.Receive(f))
	}
	if ini.Turn() == TurnReceive {
		return ini
	}
	return resp
}

// FuzzSessionReceive feeds arbitrary frames to sessions in every receiving
// state: whatever arrives, the session must not panic, and after an error
// it must hold no result.
func FuzzSessionReceive(f *testing.F) {
	// Seeds: the honest frames of a session, each tagged with the number
	// of frames exchanged before it.
	cfg := Config{Context: []byte("fuzz"), Mode: BothLearn, PayloadSize: 4}
	a := [][]byte{[]byte("a"), []byte("b"), []byte("c")}
	b := [][]byte{[]byte("c"), []byte("a")}
	ini, err := newInitiatorWithRand(cfg, Set{Elements: a, Payloads: payloads("A", a, 4)}, testrand.New("fuzz-i"))
	require.NoError(f, err)
	resp, err := newResponderWithRand(cfg, Set{Elements: b, Payloads: payloads("B", b, 4)}, testrand.New("fuzz-r"))
	require.NoError(f, err)
	frames, _, _, erra, errb := exchange(f, ini, resp)
	require.NoError(f, erra)
	require.NoError(f, errb)
	require.Len(f, frames, 8)
	for i, fr := range frames {
		f.Add(uint8(i), fr.Bytes)
	}
	f.Fuzz(func(t *testing.T, stage uint8, raw []byte) {
		stage %= 8
		frame, err := encoding.ParseFrame(raw)
		if err != nil {
			return
		}
		s := fuzzSessionAt(t, int(stage))
		if s.Turn() != TurnReceive {
			return
		}
		if err := s.Receive(frame); err != nil {
			_, rerr := s.Result()
			require.Error(t, rerr)
		}
	})
}

func TestFuzzStagesReachEveryReceiver(t *testing.T) {
	// Frames 0..7 go to: responder, initiator, responder, initiator ×2,
	// responder ×2, initiator. Each stage must put a session in TurnReceive.
	for stage := range 8 {
		s := fuzzSessionAt(t, stage)
		require.Equal(t, TurnReceive, s.Turn(), "stage %d", stage)
	}
}
