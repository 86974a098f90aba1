package psi_test

import (
	"context"
	"encoding/binary"
	"net"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/psi"
)

// allocated returns the bytes allocated by the whole process while f
// runs. Bytes, not time: the bounds below hold on any machine.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// hostileHello is a Hello that declares the largest set the cap allows.
func hostileHello(t *testing.T, cfg psi.Config, setSize uint32) encoding.Frame {
	t.Helper()
	body, err := (&encoding.Hello{
		Suite: uint16(psi.SuiteECDHRistretto255), Mode: uint8(cfg.Mode), PayloadSize: uint16(cfg.PayloadSize),
		MaxSetSize: psi.MaxSetSizeLimit, SetSize: setSize, Context: cfg.Context,
	}).AppendBinary(nil)
	require.NoError(t, err)
	return encoding.Frame{Type: encoding.TypeHello, Body: body}
}

// boundedConfig is a responder that accepts the largest sets there are.
var boundedConfig = psi.Config{Role: psi.RoleResponder, Context: []byte("bounded"), Mode: psi.BothLearn, MaxSetSize: psi.MaxSetSizeLimit, PayloadSize: 64}

// rawPeer plays the initiator by hand over one end of a pipe: it sends
// Hello, reads the reply, then calls then with the connection.
func rawPeer(t *testing.T, c net.Conn, hello encoding.Frame, then func(net.Conn)) {
	go func() {
		defer c.Close()
		if encoding.WriteFrame(c, hello) != nil {
			return
		}
		if _, err := encoding.ReadFrame(c, nil); err != nil {
			return
		}
		then(c)
	}()
}

// TestHostilePeerMemory runs a responder ready for the largest sets
// (2^26 elements, where the evaluations alone would take 2 GiB) against an
// initiator that declares such a set and then misbehaves. Each case must
// end with a typed error having allocated a small, fixed amount: memory
// follows the bytes that arrive, never the size a peer declares.
func TestHostilePeerMemory(t *testing.T) {
	checkNoLeak(t)
	const bound = 1 << 20 // far below one chunk of evaluations per declared 2^26 elements
	opts := &psi.RunOptions{IdleTimeout: 100 * time.Millisecond, FrameTimeout: 100 * time.Millisecond}
	// The header of a Blinded frame (sequence 1) announcing length bytes,
	// made without the body so the peer itself allocates nothing.
	blindedHeader := func(length int) []byte {
		hdr, err := encoding.Frame{Type: encoding.TypeBlinded, Seq: 1}.MarshalBinary()
		require.NoError(t, err)
		binary.BigEndian.PutUint32(hdr[encoding.HeaderSize-4:], uint32(length))
		return hdr
	}
	tests := []struct {
		name string
		then func(net.Conn)
		want error
	}{
		{"hello then silence", func(c net.Conn) { time.Sleep(time.Second) }, os.ErrDeadlineExceeded},
		{"header of the expected chunk, then silence", func(c net.Conn) {
			_, _ = c.Write(blindedHeader(encoding.PointChunkSize(encoding.MaxChunkElements)))
			time.Sleep(time.Second)
		}, os.ErrDeadlineExceeded},
		{"header of the largest body", func(c net.Conn) {
			_, _ = c.Write(blindedHeader(encoding.MaxBodySize))
			time.Sleep(time.Second)
		}, encoding.ErrTooLarge},
		{"header of a body one byte over the chunk", func(c net.Conn) {
			_, _ = c.Write(blindedHeader(encoding.PointChunkSize(encoding.MaxChunkElements) + 1))
			time.Sleep(time.Second)
		}, encoding.ErrTooLarge},
		{"hello then close", func(c net.Conn) {}, encoding.ErrTruncated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := psi.NewSession(boundedConfig, psi.Set{})
			require.NoError(t, err)
			ca, cb := net.Pipe()
			defer cb.Close()
			rawPeer(t, ca, hostileHello(t, boundedConfig, psi.MaxSetSizeLimit), tc.then)
			var runErr error
			n := allocated(func() { _, runErr = psi.Run(context.Background(), cb, resp, opts) })
			require.ErrorIs(t, runErr, tc.want)
			assert.Less(t, n, uint64(bound), "bytes allocated")
		})
	}
}

// TestStalledPeerTimesOut checks both deadlines of Run against a peer that
// connects and never sends (idle), and one that starts a frame and stops
// (per frame), without a context deadline to rescue it.
func TestStalledPeerTimesOut(t *testing.T) {
	checkNoLeak(t)
	tests := []struct {
		name  string
		opts  *psi.RunOptions
		start bool // the peer sends the first bytes of a frame
	}{
		{"idle", &psi.RunOptions{IdleTimeout: 50 * time.Millisecond, FrameTimeout: -1}, false},
		{"mid-frame", &psi.RunOptions{IdleTimeout: -1, FrameTimeout: 50 * time.Millisecond}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := boundedConfig
			resp, err := psi.NewSession(cfg, psi.Set{})
			require.NoError(t, err)
			ca, cb := tcpPair(t)
			if tc.start {
				_, err := ca.Write([]byte("RNTE"))
				require.NoError(t, err)
			}
			res, err := psi.Run(context.Background(), cb, resp, tc.opts)
			assert.Nil(t, res)
			require.ErrorIs(t, err, os.ErrDeadlineExceeded)
			assert.ErrorIs(t, err, psi.ErrTransport)
		})
	}
}

// TestEmptyPeerSetsCostOnlyTheLocalSet floods a responder with sessions
// whose initiator brings no elements (m = 0). Each still reaches the
// admission policy (so a budget can charge it), and each costs the
// responder work on its own set only: the bytes allocated per session stay
// within a small multiple of the local set's tags and seals, whatever the
// number of sessions.
func TestEmptyPeerSetsCostOnlyTheLocalSet(t *testing.T) {
	const n, sessions = 512, 20
	elems := elements("y", 0, n)
	pay := make([][]byte, n)
	for i := range pay {
		pay[i] = make([]byte, 64)
	}
	var admitted []int
	rcfg := boundedConfig
	rcfg.MaxSetSize = 1 << 12
	rcfg.Admit = func(peer int) error { admitted = append(admitted, peer); return nil }
	icfg := rcfg
	icfg.Role, icfg.Admit = psi.RoleInitiator, nil
	var worst uint64
	for range sessions {
		ini, err := psi.NewSession(icfg, psi.Set{})
		require.NoError(t, err)
		resp, err := psi.NewSession(rcfg, psi.Set{Elements: elems, Payloads: pay})
		require.NoError(t, err)
		ca, cb := net.Pipe()
		var ra outcome
		used := allocated(func() { ra, _ = runBoth(context.Background(), ini, ca, resp, cb) })
		ca.Close()
		cb.Close()
		require.NoError(t, ra.err)
		assert.Equal(t, 0, ra.res.Cardinality)
		worst = max(worst, used)
	}
	assert.Equal(t, make([]int, sessions), admitted, "every session, m = 0 included, is put to the admission policy")
	perElement := uint64(encoding.ElementSize + encoding.TagSize + 64 + encoding.SealOverhead)
	assert.Less(t, worst, uint64(n)*perElement*64, "bytes allocated by one session (both parties)")
}
