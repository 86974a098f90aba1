package reunite

import "github.com/reunite-psi/reunite/psi"

// ErrTransport marks a failure of the connection rather than of the
// protocol: the stream ended early, a read or write failed or timed out,
// or the context was cancelled. It is psi.ErrTransport, so errors from
// psi.Run match it too.
var ErrTransport = psi.ErrTransport
