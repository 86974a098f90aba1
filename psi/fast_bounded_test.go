package psi_test

import (
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/psi"
)

// TestFastHostilePeerMemory runs a suite-2 responder holding one element
// against an initiator that declares 2^24 elements, the largest set suite 2
// takes, and then misbehaves. Each case ends with a typed error, having
// allocated a bounded amount: the declared size buys the peer no memory
// (the engine's buffers are per chunk, its tables per own element).
func TestFastHostilePeerMemory(t *testing.T) {
	checkNoLeak(t)
	const bound = 1 << 20 // less than two matrix chunks; trusting 2^24 would take gigabytes
	cfg := boundedConfig
	cfg.Suites = []psi.Suite{psi.SuiteOTExtension}
	body, err := (&encoding.Hello{
		Suite: 1 << (psi.SuiteOTExtension - 1), Mode: uint8(cfg.Mode), PayloadSize: uint16(cfg.PayloadSize),
		MaxSetSize: psi.MaxSetSizeLimit, SetSize: 1 << 24, Context: cfg.Context,
	}).AppendBinary(nil)
	require.NoError(t, err)
	hello := encoding.Frame{Type: encoding.TypeHello, Body: body}
	header := func(typ encoding.MessageType, length int) []byte { return frameHeader(t, typ, length) }
	tests := []memoryCase{
		{"hello then silence", func(c net.Conn) { time.Sleep(time.Second) }, os.ErrDeadlineExceeded},
		{"header of the largest body", func(c net.Conn) {
			_, _ = c.Write(header(encoding.TypeOTSetup, encoding.MaxBodySize))
			time.Sleep(time.Second)
		}, encoding.ErrTooLarge},
		{"a matrix chunk before the OT setup", func(c net.Conn) {
			_, _ = c.Write(header(encoding.TypeMatrix, encoding.MatrixChunkSize(encoding.MaxMatrixRows)))
			time.Sleep(time.Second)
		}, encoding.ErrTooLarge},
		{"OT setup of another session", func(c net.Conn) {
			body := make([]byte, encoding.OTSetupSize)
			_ = encoding.WriteFrame(c, encoding.Frame{Type: encoding.TypeOTSetup, Seq: 1, Body: body})
			time.Sleep(time.Second)
		}, psi.ErrWrongSession},
		{"hello then close", func(c net.Conn) {}, encoding.ErrTruncated},
	}
	set := psi.Set{Elements: [][]byte{[]byte("x")}, Payloads: [][]byte{make([]byte, cfg.PayloadSize)}}
	checkHostileMemory(t, cfg, set, hello, bound, tests)
}
