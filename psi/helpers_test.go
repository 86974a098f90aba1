package psi

import (
	"fmt"
	"testing"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/stretchr/testify/require"
)

// exchange drives two sessions against each other in memory, passing each
// frame through its encoding so the wire format is exercised too. It
// returns every frame in order, tagged with its sender, and both results.
type wireFrame struct {
	From  Role
	Bytes []byte
}

func exchange(t testing.TB, a, b Session) (frames []wireFrame, ra, rb *Result, erra, errb error) {
	t.Helper()
	for steps := 0; ; steps++ {
		require.Less(t, steps, 1<<20, "sessions do not terminate")
		ta, tb := a.Turn(), b.Turn()
		switch {
		case ta == TurnDone && tb == TurnDone:
			ra, erra = a.Result()
			rb, errb = b.Result()
			return frames, ra, rb, erra, errb
		case ta == TurnSend:
			frames = append(frames, deliver(t, a, b))
		case tb == TurnSend:
			frames = append(frames, deliver(t, b, a))
		case ta == TurnDone || tb == TurnDone:
			// One side finished (or failed) while the other waits: the
			// transport would now report a closed connection.
			ra, erra = a.Result()
			rb, errb = b.Result()
			if erra == nil && errb == nil {
				panic(fmt.Sprintf("deadlock: %v vs %v", ta, tb))
			}
			return frames, ra, rb, erra, errb
		default:
			t.Fatalf("both sessions wait to receive (%v, %v)", ta, tb)
		}
	}
}

func deliver(t testing.TB, from, to Session) wireFrame {
	t.Helper()
	f, err := from.Send()
	if err != nil {
		return wireFrame{From: from.Role()}
	}
	raw, err := f.MarshalBinary()
	require.NoError(t, err)
	if to.Turn() == TurnReceive {
		parsed, err := encoding.ParseFrame(raw)
		require.NoError(t, err)
		_ = to.Receive(parsed)
	}
	return wireFrame{From: from.Role(), Bytes: raw}
}
