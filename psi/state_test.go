package psi

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/internal/testrand"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingStream is a seeded randomness stream that knows how far it has
// been read, so a resumed session can be given the same stream from the
// same position and behave exactly like the uninterrupted one.
type countingStream struct {
	seed string
	r    io.Reader
	n    int64
}

func (c *countingStream) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func streamAt(seed string, pos int64) *countingStream {
	r := testrand.New(seed)
	if _, err := io.CopyN(io.Discard, r, pos); err != nil {
		panic(err)
	}
	return &countingStream{seed: seed, r: r, n: pos}
}

// resumeCase is one session's inputs.
type resumeCase struct {
	name       string
	cfg        Config
	setI, setR Set
}

func newResumeCase(name string, mode Mode, payload, nI, nR, common int) resumeCase {
	rng := rand.New(rand.NewPCG(uint64(nI), uint64(nR)))
	a, b := sets(rng, nI, nR, common)
	cfg := Config{Context: []byte("resume " + name), Mode: mode, PayloadSize: payload}
	return resumeCase{
		name: name, cfg: cfg,
		setI: Set{Elements: a, Payloads: payloads("I", a, payload)},
		setR: Set{Elements: b, Payloads: payloads("R", b, payload)},
	}
}

// start creates both sessions with seeded randomness. Construction reads
// exactly 96 bytes (64 for the scalar, 32 for the nonce); from then on
// each session reads from an unbuffered counting stream.
func (c resumeCase) start(t testing.TB) [2]*Session {
	ini, err := newInitiatorWithRand(c.cfg, c.setI, testrand.New(c.name+"/I"))
	require.NoError(t, err)
	resp, err := newResponderWithRand(c.cfg, c.setR, testrand.New(c.name+"/R"))
	require.NoError(t, err)
	ini.rand = streamAt(c.name+"/I", 96)
	resp.rand = streamAt(c.name+"/R", 96)
	return [2]*Session{ini, resp}
}

// resume saves s and restores it into a new session that continues from
// the same randomness position; the state must survive a second round trip
// byte for byte.
func resume(t testing.TB, s *Session) *Session {
	t.Helper()
	st, err := s.MarshalState()
	require.NoError(t, err)
	r, err := ResumeSession(s.cfg, s.set, st)
	require.NoError(t, err)
	again, err := r.MarshalState()
	require.NoError(t, err)
	require.Equal(t, st, again, "state does not round-trip")
	require.Equal(t, s.Turn(), r.Turn())
	cs := s.rand.(*countingStream)
	r.rand = streamAt(cs.seed, cs.n)
	return r
}

// run drives two sessions to the end, one frame at a time, the way a
// buffered connection would. After each step of party i that leaves it
// saveable, it asks at(step, i) whether to save and resume that party.
// at may be nil.
func run(t testing.TB, p [2]*Session, at func(step, i int) bool) (frames []sentFrame, res [2]*Result) {
	t.Helper()
	var queues [2][]encoding.Frame
	step := 0
	for {
		moved := false
		for i := range p {
			switch p[i].Turn() {
			case TurnSend:
				f, err := p[i].Send()
				require.NoError(t, err)
				raw, err := f.MarshalBinary()
				require.NoError(t, err)
				frames = append(frames, sentFrame{From: i, Bytes: raw})
				queues[1-i] = append(queues[1-i], f)
			case TurnReceive:
				if len(queues[i]) == 0 {
					continue
				}
				require.NoError(t, p[i].Receive(queues[i][0]))
				queues[i] = queues[i][1:]
			default:
				continue
			}
			moved = true
			step++
			if turn := p[i].Turn(); (turn == TurnReceive || turn == TurnDone) && at != nil && at(step, i) {
				p[i] = resume(t, p[i])
			}
		}
		if !moved {
			break
		}
	}
	for i := range p {
		r, err := p[i].Result()
		require.NoError(t, err)
		res[i] = r
	}
	require.Empty(t, queues[0])
	require.Empty(t, queues[1])
	return frames, res
}

// sentFrame is a frame as it crossed the wire, with the index of its sender
// (0 initiator, 1 responder).
type sentFrame struct {
	From  int
	Bytes []byte
}

func resumeCases() []resumeCase {
	return []resumeCase{
		newResumeCase("both-learn", BothLearn, 16, 7, 6, 3),
		newResumeCase("initiator-only", InitiatorOnly, 8, 5, 9, 2),
		newResumeCase("cardinality-only", CardinalityOnly, 0, 6, 6, 4),
		newResumeCase("both-learn disjoint", BothLearn, 4, 3, 4, 0),
		newResumeCase("both-learn empty initiator", BothLearn, 4, 0, 4, 0),
		newResumeCase("cardinality-only empty responder", CardinalityOnly, 0, 3, 0, 0),
	}
}

// TestResumeEveryBoundary saves and resumes one party at each point where
// it can be saved, in turn, and requires exactly the frames and results of
// the uninterrupted session; then does the same resuming both parties at
// every such point in one run.
func TestResumeEveryBoundary(t *testing.T) {
	for _, c := range resumeCases() {
		t.Run(c.name, func(t *testing.T) {
			wantFrames, want := run(t, c.start(t), nil)
			type point struct{ step, party int }
			var points []point
			run(t, c.start(t), func(step, i int) bool {
				points = append(points, point{step, i})
				return false
			})
			require.NotEmpty(t, points)
			for _, pt := range points {
				frames, got := run(t, c.start(t), func(step, i int) bool { return pt == point{step, i} })
				require.Equal(t, wantFrames, frames, "resumed %v after step %d", Role(pt.party+1), pt.step)
				require.Equal(t, want, got, "resumed %v after step %d", Role(pt.party+1), pt.step)
			}
			frames, got := run(t, c.start(t), func(int, int) bool { return true })
			require.Equal(t, wantFrames, frames)
			require.Equal(t, want, got)
		})
	}
}

// TestResumeMultiChunk resumes both parties at every boundary of a session
// whose every stream (blinded, evaluated, tags, reveals) spans two chunks.
func TestResumeMultiChunk(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-chunk session")
	}
	n := encoding.MaxChunkElements + 1
	c := newResumeCase("multi-chunk", BothLearn, 4, n+2, n+1, n)
	wantFrames, want := run(t, c.start(t), nil)
	resumed := 0
	frames, got := run(t, c.start(t), func(int, int) bool { resumed++; return true })
	require.Equal(t, len(wantFrames), len(frames))
	for i := range frames {
		require.Equal(t, wantFrames[i], frames[i], "frame %d", i)
	}
	require.Equal(t, want, got)
	assert.Greater(t, resumed, 8)
	assert.Equal(t, n, want[0].Cardinality)
}

// stateAt returns the state of party i (0 initiator, 1 responder) after
// its steps+1-th step that leaves it saveable, with the session it came
// from.
func stateAt(t *testing.T, c resumeCase, party, steps int) (*Session, []byte) {
	s, st, ok := tryStateAt(t, c, party, steps)
	require.True(t, ok, "party %d has fewer than %d saveable steps", party, steps+1)
	return s, st
}

func TestResumeMismatch(t *testing.T) {
	c := resumeCases()[0]
	for party := range 2 {
		s, st := stateAt(t, c, party, 1)
		resumeAs := func(role Role, cfg Config, set Set) error {
			_, err := resumeRole(role, cfg, set, st)
			return err
		}
		with := func(f func(*Config, *Set)) (Config, Set) {
			cfg, set := s.cfg, Set{Elements: bytesClone(s.set.Elements), Payloads: bytesClone(s.set.Payloads)}
			cfg.Context = bytes.Clone(cfg.Context)
			f(&cfg, &set)
			return cfg, set
		}
		t.Run(s.role.String(), func(t *testing.T) {
			// The same inputs resume, with other callbacks and an
			// explicit default cap.
			cfg, set := with(func(c *Config, _ *Set) {
				c.MaxSetSize = DefaultMaxSetSize
				c.Progress = func(Progress) {}
				c.Admit = func(int) error { return nil }
			})
			require.NoError(t, resumeAs(s.role, cfg, set))

			require.ErrorIs(t, resumeAs(s.role.Peer(), s.cfg, s.set), ErrStateMismatch, "other role")
			for name, change := range map[string]func(*Config, *Set){
				"element": func(_ *Config, s *Set) { s.Elements[0] = append(s.Elements[0], 'x') },
				"order":   func(_ *Config, s *Set) { swap(s.Elements); swap(s.Payloads) },
				"extra": func(_ *Config, s *Set) {
					s.Elements = append(s.Elements, []byte("new"))
					s.Payloads = append(s.Payloads, make([]byte, 16))
				},
				"payload":     func(_ *Config, s *Set) { s.Payloads[0][0] ^= 1 },
				"context":     func(c *Config, _ *Set) { c.Context[0] ^= 1 },
				"mode":        func(c *Config, _ *Set) { c.Mode = InitiatorOnly },
				"cap":         func(c *Config, _ *Set) { c.MaxSetSize = 1000 },
				"binding":     func(c *Config, _ *Set) { c.ChannelBinding = []byte("tls-exporter") },
				"payloadSize": func(c *Config, s *Set) { c.PayloadSize = 8; s.Payloads = payloads("I", s.Elements, 8) },
			} {
				cfg, set := with(change)
				require.ErrorIs(t, resumeAs(s.role, cfg, set), ErrStateMismatch, name)
			}
		})
	}
}

func swap(s [][]byte) { s[0], s[1] = s[1], s[0] }

func bytesClone(s [][]byte) [][]byte {
	if s == nil {
		return nil
	}
	out := make([][]byte, len(s))
	for i, b := range s {
		out[i] = bytes.Clone(b)
	}
	return out
}

// TestResumeCorrupt refuses every truncation and every single-bit change of
// a saved state, and other formats, without panicking.
func TestResumeCorrupt(t *testing.T) {
	c := resumeCases()[0]
	for party := range 2 {
		s, st := stateAt(t, c, party, 1)
		resumeWith := func(b []byte) error {
			_, err := ResumeSession(s.cfg, s.set, b)
			return err
		}
		for n := range len(st) {
			require.ErrorIs(t, resumeWith(st[:n]), ErrStateCorrupt, "truncated to %d bytes", n)
		}
		require.ErrorIs(t, resumeWith(append(bytes.Clone(st), 0)), ErrStateCorrupt, "trailing byte")
		for i := range st {
			for bit := range 8 {
				b := bytes.Clone(st)
				b[i] ^= 1 << bit
				require.ErrorIs(t, resumeWith(b), ErrStateCorrupt, "byte %d bit %d", i, bit)
			}
		}
		// A well-formed checksum over an altered body: the parser itself
		// must refuse the inconsistency.
		b := bytes.Clone(st)
		b[len(b)-sha256.Size-1] ^= 1 // the result transcript of a state that is not done
		require.ErrorIs(t, resumeWith(testrand.WithChecksum(b)), ErrStateCorrupt)
		require.NoError(t, resumeWith(testrand.WithChecksum(st)))
	}
}

func TestMarshalStateWhen(t *testing.T) {
	c := resumeCases()[0]
	p := c.start(t)
	// The initiator owes its Hello: it cannot be saved yet.
	_, err := p[0].MarshalState()
	require.ErrorIs(t, err, ErrWrongTurn)
	_, err = p[1].MarshalState()
	require.NoError(t, err, "a responder waiting for the Hello can be saved")

	// A failed session cannot be saved.
	f, err := p[0].Send()
	require.NoError(t, err)
	f.Body = f.Body[:len(f.Body)-1]
	require.Error(t, p[1].Receive(f))
	_, err = p[1].MarshalState()
	require.ErrorIs(t, err, ErrMalformed)
}

// TestStateDropsScalar checks that once a party no longer needs its secret
// scalar, its saved state does not hold it.
func TestStateDropsScalar(t *testing.T) {
	c := resumeCases()[0]
	for party, steps := range map[int]int{0: 3, 1: 1} {
		s, st := stateAt(t, c, party, 0)
		key := s.key.Bytes()
		require.True(t, bytes.Contains(st, key), "%v's first state holds its scalar", s.role)
		s, st = stateAt(t, c, party, steps)
		require.Contains(t, []state{stInitRecvConfirm, stRespRecvFinish}, s.state)
		require.False(t, bytes.Contains(st, key), "%v's state after its last use of the scalar", s.role)
	}
}

// FuzzResumeState feeds arbitrary bytes, and arbitrary bodies with a valid
// checksum, to both resume functions: they must refuse them with one of the
// two state errors or resume a session whose state round-trips exactly and
// which then survives every honest frame of the peer without panicking.
func FuzzResumeState(f *testing.F) {
	c := newResumeCase("fuzz", BothLearn, 4, 3, 2, 1)
	frames, _ := run(f, c.start(f), nil)
	var peerFrames [2][]encoding.Frame // the frames each party receives
	for _, sf := range frames {
		fr, err := encoding.ParseFrame(sf.Bytes)
		require.NoError(f, err)
		peerFrames[1-sf.From] = append(peerFrames[1-sf.From], fr)
	}
	seeds := 0
	for party := range 2 {
		for steps := 0; ; steps++ {
			_, st, ok := tryStateAt(f, c, party, steps)
			if !ok {
				break
			}
			f.Add(st)
			seeds++
		}
	}
	require.GreaterOrEqual(f, seeds, 6, "fuzz seeds not loaded")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, b := range [][]byte{data, testrand.WithChecksum(data)} {
			for role := RoleInitiator; role <= RoleResponder; role++ {
				set := c.setI
				if role == RoleResponder {
					set = c.setR
				}
				s, err := resumeRole(role, c.cfg, set, b)
				if err != nil {
					if !errors.Is(err, ErrStateCorrupt) && !errors.Is(err, ErrStateMismatch) {
						t.Fatalf("unexpected error %v", err)
					}
					continue
				}
				again, err := s.MarshalState()
				require.NoError(t, err)
				require.Equal(t, b, again)
				for _, fr := range peerFrames[role-1] {
					s, err := resumeRole(role, c.cfg, set, b)
					require.NoError(t, err)
					if s.Turn() == TurnReceive {
						_ = s.Receive(fr)
					}
					for range 16 {
						if s.Turn() != TurnSend {
							break
						}
						_, _ = s.Send()
					}
					if s.Turn() == TurnDone {
						_, _ = s.Result()
					}
				}
			}
		}
	})
}

func resumeRole(role Role, cfg Config, set Set, st []byte) (*Session, error) {
	cfg.Role = role
	return ResumeSession(cfg, set, st)
}

// tryStateAt is stateAt that reports, instead of failing, when the party
// has fewer saveable steps.
func tryStateAt(t testing.TB, c resumeCase, party, steps int) (*Session, []byte, bool) {
	p := c.start(t)
	var queues [2][]encoding.Frame
	seen := 0
	for {
		moved := false
		for i := range p {
			switch p[i].Turn() {
			case TurnSend:
				f, err := p[i].Send()
				require.NoError(t, err)
				queues[1-i] = append(queues[1-i], f)
			case TurnReceive:
				if len(queues[i]) == 0 {
					continue
				}
				require.NoError(t, p[i].Receive(queues[i][0]))
				queues[i] = queues[i][1:]
			default:
				continue
			}
			moved = true
			if i == party && p[i].Turn() != TurnSend {
				if seen == steps {
					st, err := p[i].MarshalState()
					require.NoError(t, err)
					return p[i], st, true
				}
				seen++
			}
		}
		if !moved {
			return nil, nil, false
		}
	}
}
