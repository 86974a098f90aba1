package psi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/psi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func elements(prefix string, from, to int) [][]byte {
	var out [][]byte
	for i := from; i < to; i++ {
		out = append(out, fmt.Appendf(nil, "%s%d", prefix, i))
	}
	return out
}

var testConfig = psi.Config{Context: []byte("transport-test"), Mode: psi.BothLearn}

func newPair(t *testing.T, a, b [][]byte) (ini, resp *psi.Session) {
	t.Helper()
	return newPairWith(t, testConfig, testConfig, a, b)
}

// newPairWith creates an initiator under ci and a responder under cr.
func newPairWith(t *testing.T, ci, cr psi.Config, a, b [][]byte) (ini, resp *psi.Session) {
	t.Helper()
	ci.Role, cr.Role = psi.RoleInitiator, psi.RoleResponder
	ini, err := psi.NewSession(ci, psi.Set{Elements: a})
	require.NoError(t, err)
	resp, err = psi.NewSession(cr, psi.Set{Elements: b})
	require.NoError(t, err)
	return ini, resp
}

type outcome struct {
	res *psi.Result
	err error
}

// runBoth runs the two sessions over the two ends of a connection and
// returns both outcomes.
func runBoth(ctx context.Context, ini *psi.Session, connA io.ReadWriter, resp *psi.Session, connB io.ReadWriter) (a, b outcome) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a.res, a.err = psi.Run(ctx, connA, ini, nil) }()
	go func() { defer wg.Done(); b.res, b.err = psi.Run(ctx, connB, resp, nil) }()
	wg.Wait()
	return a, b
}

func tcpPair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	server := <-accepted
	require.NotNil(t, server)
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// checkNoLeak fails the test if goroutines started during it are still
// running shortly after it ends.
func checkNoLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		assert.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines leaked")
	})
}

func TestRunOverTCP(t *testing.T) {
	checkNoLeak(t)
	a := elements("x", 0, 6000) // more than one chunk
	b := elements("x", 3000, 9000)
	ini, resp := newPair(t, a, b)
	ca, cb := tcpPair(t)
	ra, rb := runBoth(context.Background(), ini, ca, resp, cb)
	require.NoError(t, ra.err)
	require.NoError(t, rb.err)
	assert.Equal(t, 3000, ra.res.Cardinality)
	assert.Equal(t, 3000, rb.res.Cardinality)
	assert.Equal(t, 3000, ra.res.Matches[0].Index)
	assert.Equal(t, 0, rb.res.Matches[0].Index)
	assert.Equal(t, ra.res.Matches[0].Handle, rb.res.Matches[0].Handle)
}

// choppyConn delivers reads in random small pieces, as a slow network might.
type choppyConn struct {
	net.Conn
	rng *rand.Rand
}

func (c *choppyConn) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1+c.rng.IntN(min(len(p), 97))]
	}
	return c.Conn.Read(p)
}

func TestShortReadsGiveIdenticalResults(t *testing.T) {
	checkNoLeak(t)
	a := elements("e", 0, 300)
	b := elements("e", 200, 500)
	ini, resp := newPair(t, a, b)
	ca, cb := net.Pipe()
	defer ca.Close()
	defer cb.Close()
	rng := rand.New(rand.NewPCG(7, 7))
	ra, rb := runBoth(context.Background(), ini, &choppyConn{ca, rng}, resp, &choppyConn{cb, rand.New(rand.NewPCG(8, 8))})
	require.NoError(t, ra.err)
	require.NoError(t, rb.err)

	ini2, resp2 := newPair(t, a, b)
	ca2, cb2 := tcpPair(t)
	ra2, rb2 := runBoth(context.Background(), ini2, ca2, resp2, cb2)
	require.NoError(t, ra2.err)
	require.NoError(t, rb2.err)
	// Fresh secrets make handles differ; the matched indices must not.
	idx := func(r *psi.Result) (out []int) {
		for _, m := range r.Matches {
			out = append(out, m.Index)
		}
		return out
	}
	assert.Equal(t, idx(ra2.res), idx(ra.res))
	assert.Equal(t, idx(rb2.res), idx(rb.res))
	assert.Len(t, ra.res.Matches, 100)
}

// cutConn closes the connection after n bytes have been written through it.
type cutConn struct {
	net.Conn
	left int
}

func (c *cutConn) Write(p []byte) (int, error) {
	if len(p) > c.left {
		n, _ := c.Conn.Write(p[:c.left])
		c.left = 0
		c.Conn.Close()
		return n, io.ErrClosedPipe
	}
	c.left -= len(p)
	return c.Conn.Write(p)
}

func TestConnectionCutMidSession(t *testing.T) {
	for _, cutSide := range []string{"initiator", "responder"} {
		for _, at := range []int{10, 200, 50_000} {
			t.Run(fmt.Sprintf("%s after %d bytes", cutSide, at), func(t *testing.T) {
				checkNoLeak(t)
				ini, resp := newPair(t, elements("c", 0, 2000), elements("c", 1000, 3000))
				ca, cb := tcpPair(t)
				var connA, connB io.ReadWriter = ca, cb
				if cutSide == "initiator" {
					connA = &cutConn{ca, at}
				} else {
					connB = &cutConn{cb, at}
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				ra, rb := runBoth(ctx, ini, connA, resp, connB)
				require.Error(t, ra.err)
				require.Error(t, rb.err)
				assert.Nil(t, ra.res, "no partial result is reported")
				assert.Nil(t, rb.res, "no partial result is reported")
				assert.ErrorIs(t, errors.Join(ra.err, rb.err), psi.ErrTransport)
			})
		}
	}
}

func TestTruncatedStream(t *testing.T) {
	checkNoLeak(t)
	ini, _ := newPair(t, elements("t", 0, 3), nil)
	ca, cb := net.Pipe()
	go func() {
		// A peer that reads the hello, then sends half a frame and hangs up.
		_, _ = encoding.ReadFrame(cb, nil)
		_, _ = cb.Write([]byte{'R', 'N', 'T', 'E', encoding.Version, 2, 0, 0})
		cb.Close()
	}()
	_, err := psi.Run(context.Background(), ca, ini, nil)
	require.ErrorIs(t, err, encoding.ErrTruncated)
	assert.ErrorIs(t, err, psi.ErrTransport)
}

func TestNotAReuniteStream(t *testing.T) {
	ini, _ := newPair(t, elements("t", 0, 3), nil)
	ca, cb := net.Pipe()
	go func() {
		_, _ = encoding.ReadFrame(cb, nil)
		_, _ = cb.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
		cb.Close()
	}()
	_, err := psi.Run(context.Background(), ca, ini, nil)
	require.ErrorIs(t, err, encoding.ErrBadMagic)
	assert.ErrorIs(t, err, psi.ErrMalformed)
}

func TestStalledPeerAndCancellation(t *testing.T) {
	checkNoLeak(t)
	ini, resp := newPair(t, elements("s", 0, 10), elements("s", 5, 15))
	ca, cb := tcpPair(t)
	// The responder's side never answers: its peer stalls.
	go func() { _, _ = io.Copy(io.Discard, cb) }()
	_ = resp
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := psi.Run(ctx, ca, ini, nil)
	assert.Nil(t, res)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, psi.ErrTransport)
	assert.Less(t, time.Since(start), 5*time.Second, "returns promptly after the deadline")
	cb.Close()
}

func TestAlreadyCancelled(t *testing.T) {
	ini, _ := newPair(t, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ca, cb := net.Pipe()
	defer ca.Close()
	defer cb.Close()
	_, err := psi.Run(ctx, ca, ini, nil)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestRefusalReachesBothSides(t *testing.T) {
	checkNoLeak(t)
	ini, resp := newPairWith(t, psi.Config{Context: []byte("rules-A"), Mode: psi.BothLearn}, psi.Config{Context: []byte("rules-B"), Mode: psi.BothLearn},
		elements("r", 0, 3), elements("r", 0, 3))
	ca, cb := tcpPair(t)
	ra, rb := runBoth(context.Background(), ini, ca, resp, cb)
	assert.ErrorIs(t, ra.err, psi.ErrContextMismatch)
	assert.ErrorIs(t, ra.err, psi.ErrPeerAborted)
	assert.ErrorIs(t, rb.err, psi.ErrContextMismatch)
}

// TestFailureMidStreamReturnsTheProtocolError has the responder reject the
// initiator's first chunk while the initiator is still streaming chunks
// over an unbuffered pipe: the responder must return the protocol error
// promptly, not hang writing its alert.
func TestFailureMidStreamReturnsTheProtocolError(t *testing.T) {
	checkNoLeak(t)
	a := elements("m", 0, 10000)
	cfg := psi.Config{Context: []byte("c"), Mode: psi.BothLearn}
	ini, resp := newPairWith(t, cfg, cfg, a, a[:10])
	ca, cb := net.Pipe()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := psi.Run(ctx, ca, ini, nil)
		done <- err
	}()
	start := time.Now()
	_, errB := psi.Run(ctx, &tamperConn{Conn: cb, at: 2}, resp, nil)
	assert.ErrorIs(t, errB, psi.ErrWrongSession)
	assert.Less(t, time.Since(start), 10*time.Second)
	cb.Close()
	assert.Error(t, <-done)
	ca.Close()
}

// tamperConn corrupts the session ID in the body of the at-th frame read
// through it (counting from 0, the role announcement included), as a
// hostile or broken peer would send it.
type tamperConn struct {
	net.Conn
	at, seen int
	buf      []byte
}

func (c *tamperConn) Read(p []byte) (int, error) {
	if len(c.buf) == 0 {
		f, err := encoding.ReadFrame(c.Conn, nil)
		if err != nil {
			return 0, err
		}
		if c.seen == c.at {
			f.Body = append([]byte(nil), f.Body...)
			f.Body[0] ^= 1
		}
		c.seen++
		if c.buf, err = f.MarshalBinary(); err != nil {
			return 0, err
		}
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}

// TestVersionOnePeerRefused checks that a peer speaking wire version 1
// (no evaluation proofs) is refused with a typed error, not misread.
func TestVersionOnePeerRefused(t *testing.T) {
	checkNoLeak(t)
	tests := []struct {
		name string
		resp bool // the version-1 peer is the initiator, facing our responder
	}{
		{"our initiator", false},
		{"our responder", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ini, resp := newPair(t, elements("v", 0, 3), elements("v", 0, 3))
			s := ini
			if tc.resp {
				s = resp
			}
			ca, cb := net.Pipe()
			defer cb.Close()
			go func() {
				// A version-1 frame: the v2 header with its version byte set to 1.
				if !tc.resp {
					_, _ = encoding.ReadFrame(cb, nil)
				}
				raw, _ := encoding.Frame{Type: encoding.TypeHelloReply, Body: []byte{0}}.MarshalBinary()
				raw[4] = 1
				_, _ = cb.Write(raw)
			}()
			_, err := psi.Run(context.Background(), ca, s, nil)
			require.ErrorIs(t, err, psi.ErrUnsupported)
			assert.ErrorIs(t, err, encoding.ErrVersion)
			ca.Close()
		})
	}
}

// TestRoleMismatchFailsAtOnce runs two parties configured for the same
// role. Both must fail with ErrRoleMismatch from the role announcements,
// not wait for a deadline; the context timeout is only a safety net.
func TestRoleMismatchFailsAtOnce(t *testing.T) {
	checkNoLeak(t)
	type pair func(t *testing.T) (net.Conn, net.Conn)
	transports := []struct {
		name string
		pair pair
	}{
		{"pipe", func(*testing.T) (net.Conn, net.Conn) { return net.Pipe() }},
		{"tcp", tcpPair},
	}
	for _, role := range []psi.Role{psi.RoleInitiator, psi.RoleResponder} {
		for _, tp := range transports {
			t.Run(fmt.Sprintf("both %v/%s", role, tp.name), func(t *testing.T) {
				cfg := testConfig
				cfg.Role = role
				a, err := psi.NewSession(cfg, psi.Set{Elements: elements("r", 0, 3)})
				require.NoError(t, err)
				b, err := psi.NewSession(cfg, psi.Set{Elements: elements("r", 0, 3)})
				require.NoError(t, err)
				ca, cb := tp.pair(t)
				defer ca.Close()
				defer cb.Close()
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				ra, rb := runBoth(ctx, a, ca, b, cb)
				for _, o := range []outcome{ra, rb} {
					assert.Nil(t, o.res)
					require.ErrorIs(t, o.err, psi.ErrRoleMismatch)
					assert.NotErrorIs(t, o.err, psi.ErrTransport)
					assert.Contains(t, o.err.Error(), role.String())
				}
				for _, s := range []*psi.Session{a, b} {
					assert.Equal(t, psi.TurnDone, s.Turn())
					_, err := s.Result()
					assert.ErrorIs(t, err, psi.ErrRoleMismatch)
				}
			})
		}
	}
}

// TestContextMismatchNamesBothContexts checks that both sides' errors name
// both contexts, the detecting side's and the aborted side's alike.
func TestContextMismatchNamesBothContexts(t *testing.T) {
	checkNoLeak(t)
	ini, resp := newPairWith(t, psi.Config{Context: []byte("rules-A"), Mode: psi.BothLearn}, psi.Config{Context: []byte("rules-B"), Mode: psi.BothLearn},
		elements("r", 0, 3), elements("r", 0, 3))
	ca, cb := net.Pipe()
	defer ca.Close()
	defer cb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ra, rb := runBoth(ctx, ini, ca, resp, cb)
	tests := []struct {
		name      string
		err       error
		own, peer string
		aborted   bool
	}{
		{"initiator", ra.err, "rules-A", "rules-B", true},
		{"responder", rb.err, "rules-B", "rules-A", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, tc.err, psi.ErrContextMismatch)
			assert.Equal(t, tc.aborted, errors.Is(tc.err, psi.ErrPeerAborted))
			var cm *psi.ContextMismatchError
			require.ErrorAs(t, tc.err, &cm)
			assert.Equal(t, tc.own, string(cm.Context))
			assert.Equal(t, tc.peer, string(cm.PeerContext))
			assert.Contains(t, tc.err.Error(), `"`+tc.own+`"`)
			assert.Contains(t, tc.err.Error(), `"`+tc.peer+`"`)
		})
	}
}

// TestSessionRoleMismatch checks the Session's own check, for transports
// other than Run: a handshake message of the receiver's own role ends the
// session with ErrRoleMismatch, and the alert tells the sender.
func TestSessionRoleMismatch(t *testing.T) {
	newSession := func(role psi.Role) *psi.Session {
		cfg := testConfig
		cfg.Role = role
		s, err := psi.NewSession(cfg, psi.Set{Elements: elements("r", 0, 3)})
		require.NoError(t, err)
		return s
	}
	tests := []struct {
		name string
		// frame returns the victim and a handshake frame of the victim's role.
		frame func() (*psi.Session, encoding.Frame)
	}{
		{"initiator receives a Hello", func() (*psi.Session, encoding.Frame) {
			a, b := newSession(psi.RoleInitiator), newSession(psi.RoleInitiator)
			_, err := b.Send()
			require.NoError(t, err)
			f, err := a.Send()
			require.NoError(t, err)
			return b, f
		}},
		{"responder receives a HelloReply", func() (*psi.Session, encoding.Frame) {
			ini, resp := newSession(psi.RoleInitiator), newSession(psi.RoleResponder)
			hello, err := ini.Send()
			require.NoError(t, err)
			require.NoError(t, resp.Receive(hello))
			reply, err := resp.Send()
			require.NoError(t, err)
			return newSession(psi.RoleResponder), reply
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			victim, f := tc.frame()
			require.LessOrEqual(t, len(f.Body), victim.MaxBody(f.Type), "the frame is read, not refused by its size")
			require.ErrorIs(t, victim.Receive(f), psi.ErrRoleMismatch)
			alert, err := victim.Send()
			require.NoError(t, err)
			require.Equal(t, encoding.TypeAlert, alert.Type)
			var a encoding.Alert
			require.NoError(t, a.UnmarshalBinary(alert.Body))
			err = (&psi.PeerAbortError{Code: a.Code})
			assert.ErrorIs(t, err, psi.ErrRoleMismatch)
		})
	}
}
