package psi_test

import (
	"context"
	"encoding/binary"
	"encoding/hex"
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
// announceAs plays a raw peer's side of Run's role announcement: it sends
// its own, then reads Run's (Run writes and reads at once).
func announceAs(c net.Conn, role psi.Role) error {
	if err := encoding.WriteFrame(c, encoding.Frame{Type: encoding.TypeAnnounce, Body: []byte{byte(role)}}); err != nil {
		return err
	}
	_, err := encoding.ReadFrame(c, nil)
	return err
}

func rawPeer(t *testing.T, c net.Conn, hello encoding.Frame, then func(net.Conn)) {
	go func() {
		defer c.Close()
		if announceAs(c, psi.RoleInitiator) != nil || encoding.WriteFrame(c, hello) != nil {
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
// end with a typed error having allocated at most two chunks' worth:
// memory follows the bytes that arrive, never the size a peer declares.
func TestHostilePeerMemory(t *testing.T) {
	checkNoLeak(t)
	// The target: at most two chunks' worth beyond the local set
	// (empty here), where trusting the declared size would take 2 GiB.
	bound := 2 * encoding.PointChunkSize(encoding.MaxChunkElements)
	blindedHeader := func(length int) []byte { return frameHeader(t, encoding.TypeBlinded, length) }
	tests := []memoryCase{
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
	checkHostileMemory(t, boundedConfig, psi.Set{}, hostileHello(t, boundedConfig, psi.MaxSetSizeLimit), uint64(bound), tests)
}

// frameHeader is the header of a frame of type typ (sequence 1) announcing
// length bytes, made without the body so the peer itself allocates nothing.
func frameHeader(t *testing.T, typ encoding.MessageType, length int) []byte {
	hdr, err := encoding.Frame{Type: typ, Seq: 1}.MarshalBinary()
	require.NoError(t, err)
	binary.BigEndian.PutUint32(hdr[encoding.HeaderSize-4:], uint32(length))
	return hdr
}

// memoryCase is what a hostile initiator does after its Hello, and the
// error the responder must end with.
type memoryCase struct {
	name string
	then func(net.Conn)
	want error
}

// checkHostileMemory runs a responder of cfg with set against a raw peer
// that sends hello and then plays each case, and checks the typed error
// and that the responder allocated less than bound bytes.
func checkHostileMemory(t *testing.T, cfg psi.Config, set psi.Set, hello encoding.Frame, bound uint64, tests []memoryCase) {
	t.Helper()
	opts := &psi.RunOptions{IdleTimeout: 100 * time.Millisecond, FrameTimeout: 100 * time.Millisecond}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := psi.NewSession(cfg, set)
			require.NoError(t, err)
			ca, cb := net.Pipe()
			defer cb.Close()
			rawPeer(t, ca, hello, tc.then)
			var runErr error
			n := allocated(func() { _, runErr = psi.Run(context.Background(), cb, resp, opts) })
			require.ErrorIs(t, runErr, tc.want)
			assert.Less(t, n, bound, "bytes allocated")
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

// TestHostileResponderMemory is TestHostilePeerMemory from the other side:
// an initiator with an empty set facing a responder that declares the
// largest set and then stalls or sends a header only. The initiator
// commits nothing to the declared size either.
func TestHostileResponderMemory(t *testing.T) {
	checkNoLeak(t)
	bound := 2 * encoding.PointChunkSize(encoding.MaxChunkElements)
	opts := &psi.RunOptions{IdleTimeout: 100 * time.Millisecond, FrameTimeout: 100 * time.Millisecond}
	icfg := boundedConfig
	icfg.Role = psi.RoleInitiator
	tagsHeader := func(length int) []byte {
		hdr, err := encoding.Frame{Type: encoding.TypeTags, Seq: 1}.MarshalBinary()
		require.NoError(t, err)
		binary.BigEndian.PutUint32(hdr[encoding.HeaderSize-4:], uint32(length))
		return hdr
	}
	tests := []struct {
		name string
		then func(net.Conn)
		want error
	}{
		{"reply then silence", func(net.Conn) { time.Sleep(time.Second) }, os.ErrDeadlineExceeded},
		{"header of the largest body", func(c net.Conn) {
			_, _ = c.Write(tagsHeader(encoding.MaxBodySize))
			time.Sleep(time.Second)
		}, encoding.ErrTooLarge},
		{"header of the expected chunk, then silence", func(c net.Conn) {
			_, _ = c.Write(tagsHeader(encoding.SealedChunkSize(encoding.MaxChunkElements, encoding.TagSize, 64+encoding.SealOverhead)))
			time.Sleep(time.Second)
		}, os.ErrDeadlineExceeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ini, err := psi.NewSession(icfg, psi.Set{})
			require.NoError(t, err)
			// The reply declares 2^26 elements and commits to the generator
			// (any valid element will do: no proof is ever checked).
			reply := encoding.HelloReply{Hello: encoding.Hello{
				Suite: uint16(psi.SuiteECDHRistretto255), Mode: uint8(icfg.Mode), PayloadSize: uint16(icfg.PayloadSize),
				MaxSetSize: psi.MaxSetSizeLimit, SetSize: psi.MaxSetSizeLimit, Context: icfg.Context,
			}}
			_, err = hex.Decode(reply.Commitment[:], []byte("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"))
			require.NoError(t, err)
			body, err := reply.AppendBinary(nil)
			require.NoError(t, err)
			ca, cb := net.Pipe()
			defer ca.Close()
			go func() {
				defer cb.Close()
				if announceAs(cb, psi.RoleResponder) != nil {
					return
				}
				if _, err := encoding.ReadFrame(cb, nil); err != nil {
					return
				}
				if encoding.WriteFrame(cb, encoding.Frame{Type: encoding.TypeHelloReply, Body: body}) != nil {
					return
				}
				tc.then(cb)
			}()
			var runErr error
			n := allocated(func() { _, runErr = psi.Run(context.Background(), ca, ini, opts) })
			require.ErrorIs(t, runErr, tc.want)
			assert.Less(t, n, uint64(bound), "bytes allocated")
		})
	}
}
