package psi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/reunite-psi/reunite/encoding"
)

// ErrTransport marks a failure of the connection rather than of the
// protocol: the stream ended early, a read or write failed or timed out,
// or the context was cancelled.
var ErrTransport = errors.New("psi: transport failed")

// Default deadlines of Run. A session's longest silence is the time a
// peer spends on one chunk of 4096 elements (well under a second on one
// core) or in its admission policy; a frame of at most a few hundred KiB
// needs seconds on a slow link. The defaults leave ample room for both
// and still free a stalled session's memory within minutes.
const (
	DefaultIdleTimeout  = 2 * time.Minute
	DefaultFrameTimeout = time.Minute
)

// alertTimeout bounds the best-effort write of an alert to a failed peer.
const alertTimeout = 2 * time.Second

// RunOptions tunes Run. The zero value (or a nil *RunOptions) gives the
// defaults.
type RunOptions struct {
	// IdleTimeout bounds the wait for the peer's next frame to start
	// arriving. Zero means DefaultIdleTimeout; negative, no limit.
	IdleTimeout time.Duration
	// FrameTimeout bounds the time to read the rest of a frame once its
	// first byte has arrived, and to write one frame. Zero means
	// DefaultFrameTimeout; negative, no limit.
	FrameTimeout time.Duration
}

func (o *RunOptions) timeouts() (idle, frame time.Duration) {
	idle, frame = DefaultIdleTimeout, DefaultFrameTimeout
	if o != nil {
		if o.IdleTimeout != 0 {
			idle = o.IdleTimeout
		}
		if o.FrameTimeout != 0 {
			frame = o.FrameTimeout
		}
	}
	return max(idle, 0), max(frame, 0)
}

// deadliner is implemented by net.Conn and *os.File.
type deadliner interface {
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

// deadlines sets a connection's deadlines so that a cancellation, once it
// has set a past deadline, is never undone by a later timeout.
type deadlines struct {
	mu        sync.Mutex
	d         deadliner // nil if the connection has no deadlines
	cancelled bool
}

// set sets the read or write deadline to now + after, or clears it when
// after is 0.
func (x *deadlines) set(write bool, after time.Duration) {
	if x.d == nil {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	t := time.Time{}
	switch {
	case x.cancelled:
		t = time.Unix(1, 0)
	case after > 0:
		t = time.Now().Add(after)
	}
	if write {
		_ = x.d.SetWriteDeadline(t)
	} else {
		_ = x.d.SetReadDeadline(t)
	}
}

// expireWrite interrupts a blocked write.
func (x *deadlines) expireWrite() {
	if x.d == nil {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	_ = x.d.SetWriteDeadline(time.Unix(1, 0))
}

func (x *deadlines) cancel() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.cancelled = true
	_ = x.d.SetReadDeadline(time.Unix(1, 0))
	_ = x.d.SetWriteDeadline(time.Unix(1, 0))
}

// frameReader switches from the idle deadline to the frame deadline when
// the first byte of a frame arrives.
type frameReader struct {
	r       io.Reader
	dl      *deadlines
	frame   time.Duration
	started bool
}

func (f *frameReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if n > 0 && !f.started {
		f.started = true
		f.dl.set(false, f.frame)
	}
	return n, err
}

// Run drives session s over conn until it completes, fails or ctx is done,
// and returns what this party learned. opts may be nil.
//
// Deadlines: if conn has SetReadDeadline and SetWriteDeadline (net.Conn
// does), Run waits at most opts.IdleTimeout for each frame of the peer to
// start and at most opts.FrameTimeout for the rest of it, and gives each
// frame it writes opts.FrameTimeout; a peer that stalls ends the session
// with an error matching ErrTransport and os.ErrDeadlineExceeded. Each
// frame's body is capped by what the session expects next (MaxBody), so a
// stalled or hostile peer holds at most one expected frame's memory. A
// conn without deadlines cannot be timed out: bound it yourself.
//
// Roles: before the session, Run sends the peer an Announce frame with
// this party's role and reads the peer's (PROTOCOL.md §Role announcement).
// Both parties send first, so Run writes its announcement while it reads
// the peer's: conn must allow one Read concurrent with one Write, as
// net.Conn and os.File do. Two initiators or two responders both fail at
// once with an error matching ErrRoleMismatch, instead of waiting for a
// deadline.
//
// Cancellation: when ctx is done, Run interrupts blocked I/O by setting a
// past deadline on conn if it has deadlines, or else by closing it if it
// is an io.Closer, and returns an error that matches both ErrTransport and
// ctx.Err(). A conn with neither can only be interrupted between frames.
// Run starts no goroutine that outlives it.
//
// When the session fails on a bad message from the peer, Run sends the peer
// an alert saying why before it returns the error. A peer of another wire
// version is refused with an error matching ErrUnsupported and
// encoding.ErrVersion.
func Run(ctx context.Context, conn io.ReadWriter, s *Session, opts *RunOptions) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTransport, err)
	}
	idle, frame := opts.timeouts()
	// A session that ends here on a transport error may have work of its
	// own still running (Session): Run returns after it.
	defer s.settle()
	dl := &deadlines{}
	if d, ok := conn.(deadliner); ok {
		dl.d = d
	}
	stop := context.AfterFunc(ctx, func() {
		if dl.d != nil {
			dl.cancel()
		} else if c, ok := conn.(io.Closer); ok {
			_ = c.Close()
		}
	})
	defer stop()
	if dl.d != nil {
		// Leave no deadline of this session behind on the caller's conn.
		defer func() {
			dl.set(false, 0)
			dl.set(true, 0)
		}()
	}

	wrap := func(err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("%w: %w (%v)", ErrTransport, ctxErr, err)
		}
		if errors.Is(err, io.EOF) {
			err = fmt.Errorf("%w: connection closed before the session ended", encoding.ErrTruncated)
		}
		return fmt.Errorf("%w: %w", ErrTransport, err)
	}
	fr := &frameReader{r: conn, dl: dl, frame: frame}
	if err := announce(conn, fr, dl, s, idle, frame, wrap); err != nil {
		return nil, err
	}
	// One buffer for the frames read and one for the frames written, reused
	// from frame to frame: Receive keeps nothing of a body, and a written
	// frame is done with once Write returns.
	var rbuf, wbuf []byte
	s.reuseSend = true // each frame is written before the next Send
	defer func() { s.reuseSend = false }()
	for {
		switch s.Turn() {
		case TurnDone:
			return s.Result()
		case TurnSend:
			f, err := s.Send()
			if err != nil {
				continue // the session now holds the error, and may owe an alert
			}
			if f.Type == encoding.TypeAlert {
				// The session has failed; telling the peer is a courtesy.
				// The peer may still be streaming to us and not reading, so
				// the alert gets a short deadline, and the error returned
				// is the session's own, whatever the write does.
				dl.set(true, alertTimeout)
				_ = encoding.WriteFrame(conn, f)
				return s.Result()
			}
			dl.set(true, frame)
			if wbuf, err = f.AppendBinary(wbuf[:0]); err != nil {
				return nil, wrap(err)
			}
			if _, err := conn.Write(wbuf); err != nil {
				return nil, wrap(err)
			}
		case TurnReceive:
			fr.started = false
			dl.set(false, idle)
			f, err := encoding.ReadFrameBuffer(fr, s.MaxBody, rbuf)
			if err != nil {
				if errors.Is(err, encoding.ErrVersion) {
					// A peer of another wire version (version 1 has no
					// evaluation proofs) is refused, not misread.
					return nil, fmt.Errorf("%w: %w", ErrUnsupported, err)
				}
				if errors.Is(err, encoding.ErrBadMagic) || errors.Is(err, encoding.ErrUnknownType) || errors.Is(err, encoding.ErrTooLarge) {
					// A well-formed stream with a bad frame: the peer is
					// speaking something else, not a broken connection.
					return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
				}
				return nil, wrap(err)
			}
			rbuf = f.Body
			_ = s.Receive(f) // a failure moves the session to alert or done
		}
	}
}

// announce exchanges role announcements with the peer before the session
// (PROTOCOL.md §Role announcement) and refuses a peer of the same role.
// Both parties send first, so the announcement is written by a goroutine
// while the peer's is read; announce waits for it before returning.
func announce(conn io.ReadWriter, fr *frameReader, dl *deadlines, s *Session, idle, frame time.Duration, wrap func(error) error) error {
	body, err := (&encoding.Announce{Role: uint8(s.Role())}).AppendBinary(nil)
	if err != nil {
		return s.abort(fmt.Errorf("%w: %w", ErrConfig, err))
	}
	dl.set(true, frame)
	written := make(chan error, 1)
	go func() { written <- encoding.WriteFrame(conn, encoding.Frame{Type: encoding.TypeAnnounce, Body: body}) }()

	fr.started = false
	dl.set(false, idle)
	f, rerr := encoding.ReadFrame(fr, func(t encoding.MessageType) int {
		if t == encoding.TypeAnnounce {
			return encoding.AnnounceSize
		}
		return 0
	})
	if rerr != nil {
		// The peer may never read our announcement: do not wait for it.
		dl.expireWrite()
	}
	werr := <-written
	switch {
	case rerr != nil && errors.Is(rerr, encoding.ErrVersion):
		return fmt.Errorf("%w: %w", ErrUnsupported, rerr)
	case rerr != nil && (errors.Is(rerr, encoding.ErrBadMagic) || errors.Is(rerr, encoding.ErrUnknownType) || errors.Is(rerr, encoding.ErrTooLarge)):
		return fmt.Errorf("%w: %w (expected the peer's role announcement)", ErrMalformed, rerr)
	case rerr != nil:
		return wrap(rerr)
	case werr != nil:
		return wrap(werr)
	}
	var a encoding.Announce
	if err := a.UnmarshalBinary(f.Body); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if Role(a.Role) == s.Role() {
		return s.abort(fmt.Errorf("%w: both parties are configured as %v", ErrRoleMismatch, s.Role()))
	}
	return nil
}
