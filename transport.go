package reunite

import (
	"context"
	"io"

	"github.com/reunite-psi/reunite/psi"
)

// ErrTransport marks a failure of the connection rather than of the
// protocol: the stream ended early, a read or write failed or timed out,
// or the context was cancelled. It is psi.ErrTransport, so errors from
// psi.Run match it too.
var ErrTransport = psi.ErrTransport

// Run drives session s over conn until it completes, fails or ctx is done,
// and returns what this party learned. It is psi.Run with the default
// deadlines; see there for cancellation, deadlines and alerts.
func Run(ctx context.Context, conn io.ReadWriter, s *psi.Session) (*psi.Result, error) {
	return psi.Run(ctx, conn, s, nil)
}
