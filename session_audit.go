package reunite

// declaredSize keeps the peer's declared set size as the session's
// admission check sees it, so that the audit record of a session that
// fails after the handshake still says how many elements the peer brought.
//
// Match wraps cfg.Admit with it and fills the audit record on every return
// path.
type declaredSize struct {
	n    int
	seen bool
}

// wrap returns an admission function that records the declared size and
// then applies admit, if any. The session calls it on the goroutine that
// drives it, before Match returns.
func (d *declaredSize) wrap(admit func(int) error) func(int) error {
	return func(n int) error {
		d.n, d.seen = n, true
		if admit == nil {
			return nil
		}
		return admit(n)
	}
}

// fill sets a's PeerKeys to the declared size if the session ended before
// the result could say it.
func (d *declaredSize) fill(a *Audit) {
	if d.seen && a.PeerKeys == 0 {
		a.PeerKeys = d.n
	}
}
