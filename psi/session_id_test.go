package psi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/internal/ristretto255"
)

// TestSessionIDOfFailedSessions checks Session.SessionID: none before the
// handshake or when the handshake is refused, the Result's value after a
// completed session, and the same value on both sides of a session that
// failed after the handshake (here, a responder whose proof is caught), so
// that the two parties' audit entries of a failure can be matched.
func TestSessionIDOfFailedSessions(t *testing.T) {
	cfg := Config{Context: []byte("session id"), Mode: BothLearn}
	a := words("shared", 3)
	b := append(words("shared", 2), words("responder-only", 2)...)
	sessions := func(cfgR Config) (*Session, *Session) {
		ini, err := newInitiator(cfg, Set{Elements: a})
		require.NoError(t, err)
		resp, err := newResponder(cfgR, Set{Elements: b})
		require.NoError(t, err)
		return ini, resp
	}

	ini, resp := sessions(cfg)
	for _, s := range []*Session{ini, resp} {
		_, ok := s.SessionID()
		assert.False(t, ok, "no session ID before the handshake")
	}
	_, ra, rb, erra, errb := exchange(t, ini, resp)
	require.NoError(t, erra)
	require.NoError(t, errb)
	for _, c := range []struct {
		s *Session
		r *Result
	}{{ini, ra}, {resp, rb}} {
		sid, ok := c.s.SessionID()
		assert.True(t, ok)
		assert.Equal(t, c.r.SessionID, sid)
	}

	refused := cfg
	refused.Context = []byte("another context")
	ini, resp = sessions(refused)
	erra, errb = relay(t, ini, resp, nil)
	require.ErrorIs(t, erra, ErrContextMismatch)
	require.ErrorIs(t, errb, ErrContextMismatch)
	for _, s := range []*Session{ini, resp} {
		_, ok := s.SessionID()
		assert.False(t, ok, "a refused handshake derives no session ID")
	}

	ini, resp = sessions(cfg)
	swap := func(t *testing.T, r *Session, _ int, _, honest []*ristretto255.Element) ([]*ristretto255.Element, *ristretto255.Scalar, []byte) {
		out := append([]*ristretto255.Element(nil), honest...)
		out[0], out[1] = out[1], out[0]
		return out, r.key, r.commit[:]
	}
	erra, errb = relay(t, ini, resp, lyingResponder(t, resp, swap))
	require.ErrorIs(t, erra, ErrBadProof)
	require.ErrorIs(t, errb, ErrPeerAborted)
	sidA, okA := ini.SessionID()
	sidB, okB := resp.SessionID()
	assert.True(t, okA && okB, "a session that failed after the handshake keeps its ID")
	assert.Equal(t, sidA, sidB)
}
