package psi

import (
	"testing"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/stretchr/testify/require"
)

// wireFrame is one frame as it crossed the wire, tagged with its sender.
type wireFrame struct {
	From  Role
	Bytes []byte
}

// tamper is called with every frame in flight (its index in the session
// and the frame); it returns the frame to deliver instead.
type tamper func(i int, f encoding.Frame) encoding.Frame

// pump drives two sessions against each other in memory, the way a
// buffered full-duplex connection would: each side's frames queue up until
// the other side turns to receive them. Frames pass through their byte
// encoding, and through tp if it is not nil. pump stops when neither side
// can move: both done, or one waiting for frames that will never come (a
// transport would then report the closed connection).
func pump(t testing.TB, a, b *Session, tp tamper) (frames []wireFrame, ra, rb *Result, erra, errb error) {
	t.Helper()
	queues := map[*Session][]encoding.Frame{}
	peer := map[*Session]*Session{a: b, b: a}
	for steps := 0; ; steps++ {
		require.Less(t, steps, 1<<20, "sessions do not terminate")
		moved := false
		for _, s := range []*Session{a, b} {
			switch s.Turn() {
			case TurnSend:
				f, err := s.Send()
				moved = true
				if err != nil {
					continue
				}
				raw, err := f.MarshalBinary()
				require.NoError(t, err)
				f, err = encoding.ParseFrame(raw)
				require.NoError(t, err)
				if tp != nil {
					f = tp(len(frames), f)
				}
				frames = append(frames, wireFrame{From: s.Role(), Bytes: raw})
				queues[peer[s]] = append(queues[peer[s]], f)
			case TurnReceive:
				if q := queues[s]; len(q) > 0 {
					queues[s] = q[1:]
					_ = s.Receive(q[0])
					moved = true
				}
			}
		}
		if !moved {
			ra, erra = a.Result()
			rb, errb = b.Result()
			return frames, ra, rb, erra, errb
		}
	}
}

func exchange(t testing.TB, a, b *Session) (frames []wireFrame, ra, rb *Result, erra, errb error) {
	t.Helper()
	return pump(t, a, b, nil)
}

func relay(t testing.TB, a, b *Session, tp tamper) (erra, errb error) {
	t.Helper()
	_, _, _, erra, errb = pump(t, a, b, tp)
	return erra, errb
}
