package reunite

import "time"

// declaredSize keeps the peer's declared set size as the session's
// admission check sees it, so that the audit record of a session that
// fails after the handshake still says how many elements the peer brought,
// and what its budget was charged for them.
//
// Match wraps cfg.Admit with it and fills the audit record on every return
// path.
type declaredSize struct {
	n       int
	seen    bool
	charged int
}

// wrap returns an admission function that records the declared size,
// applies admit, if any, and then, if budget is set, charges peer's budget
// the session's charge (SessionCharge) less what d has charged already.
// The session calls it on the goroutine that drives it, before Match
// returns.
//
// In Match it runs once. A FileExchange that refuses a message file after
// its handshake was admitted (one the peer signed with more than its turn)
// rolls the session back but keeps d.charged, so that a handshake read
// next, from the intact file or another exchange's, costs only what it
// declares beyond what was charged.
func (d *declaredSize) wrap(admit func(int) error, budget *BudgetStore, peer string) func(int) error {
	return func(n int) error {
		d.n, d.seen = n, true
		if admit != nil {
			if err := admit(n); err != nil {
				return err
			}
		}
		extra := SessionCharge(n) - d.charged
		if budget == nil || extra <= 0 {
			return nil
		}
		charged, err := budget.Reserve(peer, extra, time.Now())
		d.charged += charged
		return err
	}
}

// fill sets a's PeerKeys to the declared size if the session ended before
// the result could say it, and its Charged to what the budget was charged.
func (d *declaredSize) fill(a *Audit) {
	if d.seen && a.PeerKeys == 0 {
		a.PeerKeys = d.n
	}
	if d.charged != 0 {
		a.Charged = d.charged
	}
}
