package reunite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/psi"
)

// ErrTransport marks a failure of the connection rather than of the
// protocol: the stream ended early, a read or write failed, or the context
// was cancelled.
var ErrTransport = errors.New("reunite: transport failed")

// alertTimeout bounds the best-effort write of an alert to a failed peer.
const alertTimeout = 2 * time.Second

// deadliner is implemented by net.Conn and *os.File.
type deadliner interface {
	SetDeadline(time.Time) error
}

// Run drives session s over conn until it completes, fails or ctx is done,
// and returns what this party learned.
//
// Cancellation: when ctx is done, Run interrupts blocked I/O by setting a
// past deadline on conn if it has SetDeadline (as net.Conn does), or else by
// closing it if it is an io.Closer, and returns an error that matches both
// ErrTransport and ctx.Err(). A conn with neither method can only be
// interrupted between frames. Run starts no goroutine that outlives it.
//
// When the session fails on a bad message from the peer, Run sends the peer
// an alert saying why before it returns the error.
func Run(ctx context.Context, conn io.ReadWriter, s psi.Session) (*psi.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTransport, err)
	}
	stop := context.AfterFunc(ctx, func() {
		if d, ok := conn.(deadliner); ok {
			_ = d.SetDeadline(time.Unix(1, 0))
		} else if c, ok := conn.(io.Closer); ok {
			_ = c.Close()
		}
	})
	defer stop()

	wrap := func(err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("%w: %w (%v)", ErrTransport, ctxErr, err)
		}
		if errors.Is(err, io.EOF) {
			err = fmt.Errorf("%w: connection closed before the session ended", encoding.ErrTruncated)
		}
		return fmt.Errorf("%w: %w", ErrTransport, err)
	}
	for {
		switch s.Turn() {
		case psi.TurnDone:
			return s.Result()
		case psi.TurnSend:
			f, err := s.Send()
			if err != nil {
				continue // the session now holds the error, and may owe an alert
			}
			if f.Type == encoding.TypeAlert {
				// The session has failed; telling the peer is a courtesy.
				// The peer may still be streaming to us and not reading, so
				// the alert gets a short deadline, and the error returned
				// is the session's own, whatever the write does.
				if d, ok := conn.(deadliner); ok {
					_ = d.SetDeadline(time.Now().Add(alertTimeout))
				}
				_ = encoding.WriteFrame(conn, f)
				return s.Result()
			}
			if err := encoding.WriteFrame(conn, f); err != nil {
				return nil, wrap(err)
			}
		case psi.TurnReceive:
			f, err := encoding.ReadFrame(conn, s.MaxBody)
			if err != nil {
				if errors.Is(err, encoding.ErrVersion) {
					// A peer of another wire version (version 1 has no
					// evaluation proofs) is refused, not misread.
					return nil, fmt.Errorf("%w: %w", psi.ErrUnsupported, err)
				}
				if errors.Is(err, encoding.ErrBadMagic) ||
					errors.Is(err, encoding.ErrUnknownType) || errors.Is(err, encoding.ErrTooLarge) {
					// A well-formed stream with a bad frame: the peer is
					// speaking something else, not a broken connection.
					return nil, fmt.Errorf("%w: %w", psi.ErrMalformed, err)
				}
				return nil, wrap(err)
			}
			_ = s.Receive(f) // a failure moves the session to alert or done
		}
	}
}
