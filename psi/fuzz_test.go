package psi

import (
	"testing"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/internal/testrand"
	"github.com/stretchr/testify/require"
)

// fuzzParties are the two parties of the small both-learn exchange the
// fuzz targets start from, with seeded randomness, under suites.
func fuzzParties(t testing.TB, suites []Suite) (ini, resp *Session) {
	cfg := Config{Context: []byte("fuzz"), Mode: BothLearn, PayloadSize: 4, Suites: suites}
	a := [][]byte{[]byte("a"), []byte("b"), []byte("c")}
	b := [][]byte{[]byte("c"), []byte("a")}
	ini, err := newInitiatorWithRand(cfg, Set{Elements: a, Payloads: payloads("A", a, 4)}, testrand.New("fuzz-i"))
	require.NoError(t, err)
	resp, err = newResponderWithRand(cfg, Set{Elements: b, Payloads: payloads("B", b, 4)}, testrand.New("fuzz-r"))
	require.NoError(t, err)
	return ini, resp
}

// fuzzSessionAt returns the session that receives frame number `frames`
// of an honest both-learn exchange under suites, with every earlier frame
// delivered.
func fuzzSessionAt(t testing.TB, suites []Suite, frames int) *Session {
	ini, resp := fuzzParties(t, suites)
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
func FuzzSessionReceive(f *testing.F) { fuzzReceive(f, nil, 8) }

// fuzzReceive is FuzzSessionReceive for the suites given, whose honest
// exchange has n frames.
func fuzzReceive(f *testing.F, suites []Suite, n int) {
	// Seeds: the honest frames of a session, each tagged with the number
	// of frames exchanged before it.
	ini, resp := fuzzParties(f, suites)
	frames, _, _, erra, errb := exchange(f, ini, resp)
	require.NoError(f, erra)
	require.NoError(f, errb)
	require.Len(f, frames, n)
	for i, fr := range frames {
		f.Add(uint8(i), fr.Bytes)
	}
	f.Fuzz(func(t *testing.T, stage uint8, raw []byte) {
		stage %= uint8(n)
		frame, err := encoding.ParseFrame(raw)
		if err != nil {
			return
		}
		s := fuzzSessionAt(t, suites, int(stage))
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
	// Each stage must put a session in TurnReceive, in both suites.
	for _, c := range []struct {
		suites []Suite
		frames int
	}{{nil, 8}, {[]Suite{SuiteOTExtension}, 9}} {
		for stage := range c.frames {
			s := fuzzSessionAt(t, c.suites, stage)
			require.Equal(t, TurnReceive, s.Turn(), "suites %v, stage %d", c.suites, stage)
		}
	}
}
