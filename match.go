package reunite

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
)

// MatchConfig configures Match.
type MatchConfig struct {
	// Role says whether this party opens the session (psi.RoleInitiator)
	// or answers it (psi.RoleResponder). Required.
	Role psi.Role
	// Rules turns records into keys; nil means match.DefaultRules(). Both
	// parties must use the same rule set: the handshake refuses a peer whose
	// rule-set ID differs.
	Rules *match.RuleSet
	// Threshold is the match probability a record pair needs to be
	// reported; 0 means the rule set's default (match.DefaultThreshold).
	// It is this party's own policy and need not
	// match the peer's.
	Threshold float64
	// Mode is psi.BothLearn (the default when zero) or psi.InitiatorOnly.
	// Cardinality-only sessions have no record-level output; use package
	// psi directly for them.
	Mode psi.Mode
	// MaxKeys caps the number of keys (PSI elements) each side may bring;
	// 0 means psi.DefaultMaxSetSize.
	MaxKeys int
	// Peer names the other agency in the audit record.
	Peer string
	// ChannelBinding binds the session to its connection; see
	// psi.Config.ChannelBinding. MatchTLS sets it from the TLS connection.
	ChannelBinding []byte
	// Admit, if set, may refuse the peer once its key count is known and
	// before any cryptographic work; see psi.Config.Admit.
	Admit func(peerKeys int) error
	// Budget, if set, charges the peer's declared key count to its budget
	// (BudgetStore.Reserve) once Admit, if set, has accepted the count, so
	// that a peer past its budget is refused before any cryptographic work
	// with an error wrapping ErrBudgetExceeded (and psi.ErrRefused; the
	// peer sees psi.ErrRefused). A budget file that cannot be used
	// (ErrBudgetCorrupt, a missing file, an I/O error) refuses the session
	// too. Audit.Charged says what was charged: 0 when the peer was
	// refused (but see Audit.Charged for a FileExchange), the whole charge
	// when the session failed later. Budgets
	// guard the serving side, the responder, against a peer that probes
	// its set (SECURITY.md), but charge in either role. Do not also call
	// Reserve in Admit, which would charge the session twice.
	//
	// A budget belongs to the peer's identity: MatchTLS charges the
	// fingerprint of the certificate the peer proved it holds, whatever
	// Peer says. Match, which authenticates nobody, charges Peer, which
	// must then name the authenticated peer (one name per peer, not per
	// connection); it refuses a Budget without a Peer. FileExchange
	// charges the fingerprint of the pinned peer signing key
	// (SigningKeyFingerprint), likewise whatever Peer says.
	Budget *BudgetStore
	// Progress, if set, receives progress reports; see psi.Config.Progress.
	Progress func(psi.Progress)
	// Suite chooses the PSI suite. Zero runs psi.SuiteECDHRistretto255,
	// suite 1, whose evaluation proofs catch a responder that lies about
	// matches. psi.SuiteOTExtension forces the fast suite, and SuiteAuto
	// offers both: the responder then picks the fast suite when the peer
	// offers it too and both key sets hold psi.FastSuiteMinElements keys
	// or more in all (and neither holds more than 2^24), and suite 1
	// otherwise. A peer without a forced suite
	// is refused. The fast suite is about 40 times faster on large files
	// (2^20 keys per side) but secure against semi-honest peers only: a peer that
	// deviates can forge matches (see psi.SuiteOTExtension and
	// SECURITY.md), so it is never chosen unless asked for. FileExchange
	// runs suite 1 only and refuses the others.
	Suite psi.Suite
}

// SuiteAuto, as MatchConfig.Suite, lets Match offer both PSI suites and
// the responder take the fast, semi-honest one for large key sets.
const SuiteAuto psi.Suite = 0xffff

// MatchResult is what Match found.
type MatchResult struct {
	// Hits lists the local records that match a peer record, sorted by
	// local record, best score first. Empty when this party learns nothing
	// in the session's mode.
	Hits []Hit
	// Alternatives lists pairs that reached the threshold but lost
	// one-to-one resolution to another pair of one of their records
	// (match.Link.Alternative), with a lower score or an equal one (then
	// both are marked Tied) that lost the tie-break both parties apply
	// alike: most likely a namesake or a twin of the child in the better
	// pair, or a second record of one child.
	// They are not hits; a peer with the same threshold reports the same
	// ones, with the same handles, for review when the better pair turns
	// out wrong.
	Alternatives []Hit
	// Audit describes the session for the agency's audit log. It holds no
	// record values.
	Audit Audit
}

// Hit is one local record that matches one peer record.
type Hit struct {
	// RecordID is the local record's ID and Record its index in the input.
	RecordID string
	Record   int
	// Peer is the peer's pseudonym for its record (not the peer agency,
	// which Audit.Peer names). It is random and valid for this session
	// only; it identifies nothing outside it.
	Peer uint32
	// Handle is the same for both agencies for this pair of records in this
	// session: quote it in the formal request for the peer's record.
	Handle psi.Handle
	// Score is the probability that the two records are one child's,
	// under the model both agencies learned from the session's candidate
	// pairs (match.Index.Link); both compute the same value.
	Score float64
	// Evidence is the pair's evidence (match.Link.Evidence), the outcome of
	// each compared field both records have: "given=sound",
	// "date=swapped", "sex=disagree"; "via=alias" marks a pair that meets
	// only through an alias of one of its records, and "rivals=weak" one
	// that reached the threshold only because its records have no strong
	// rival (match.Index.Link): the fields alone scored it lower. The
	// peer's hit for the pair, where its threshold reports one, has the
	// same evidence but for rivals=weak, which depends on each party's own
	// threshold.
	Evidence []string
	// Tied reports that another pair of one of this pair's records has the
	// same score (match.Link.Tied), so the score does not say which of the
	// two is the child's; both agencies mark the same pairs. A tied hit is
	// no more certain than the tied pair among MatchResult.Alternatives; a
	// formal request should name both.
	Tied bool
}

// Audit is the accountable summary of one session: who, under which rules,
// how many, with what outcome. It never holds record values.
type Audit struct {
	// Time is when the session started, in UTC.
	Time time.Time
	// Peer is the peer agency's name as the caller gave it
	// (MatchConfig.Peer); when the caller gave none, MatchTLS uses the
	// fingerprint of the certificate the peer presented, pinned or not,
	// and FileExchange that of the pinned peer signing key
	// (SigningKeyFingerprint).
	Peer string
	// Role and Mode are this party's role and the session's mode as
	// psi.Role.String and psi.Mode.String write them ("initiator",
	// "both-learn").
	Role, Mode string
	// RuleSetID is the local rule set's ID (match.RuleSet.ID).
	RuleSetID string
	// Records is the number of local records.
	Records int
	// LocalKeys is the local PSI set size: the records' match keys and
	// the one file-statistics element every set holds.
	LocalKeys int
	// PeerKeys is the peer's PSI set size as it declared it in the
	// handshake, statistics element included (also when the session then
	// failed): what the budget is charged for.
	PeerKeys int
	// KeyHits is the number of local match keys in the intersection, not
	// counting the statistics element (0 when this party learns nothing).
	KeyHits int
	// RecordHits is the number of hits reported.
	RecordHits int
	// SessionID and Transcript are the session's ID and transcript hash
	// in hex, the same on both sides, so that the two agencies' entries
	// can be matched. SessionID is empty for a session that failed before
	// its handshake settled it, and for a failed file exchange reopened
	// from its state file (which keeps no session).
	SessionID, Transcript string
	// Outcome is "ok", or the error that ended the session.
	Outcome string
	// Unmatchable is the number of local records that produced no key.
	Unmatchable int
	// Truncated is the number of keys the per-record cap dropped.
	Truncated int
	// Overfull is the number of keys shared by more local records than
	// a payload can name (match.MaxRecordsPerKey).
	Overfull int
	// BadPayloads is the number of shared keys whose peer payload did not
	// open or parse, which an honest peer never causes.
	BadPayloads int
	// Alternatives counts the pairs reported as alternatives to better
	// ones (MatchResult.Alternatives).
	Alternatives int
	// LowerBound is true when the hits are only those the peer chose to
	// reveal (psi.Result.LowerBound): the responder's side of a both-learn
	// session. A deviating initiator can reveal fewer hits than it found.
	LowerBound bool
	// Charged is what the session cost the peer's budget (BudgetStore,
	// SessionCharge): 0 when no budget applied or the peer was refused,
	// unless a FileExchange charged the handshake of an earlier file it
	// refused, a charge that stands (see FileExchangeConfig).
	// Match, MatchTLS and FileExchange fill it when MatchConfig.Budget is
	// set; a caller that reserves in MatchConfig.Admit instead copies the
	// amount BudgetStore.Reserve returned.
	Charged int
	// Suite names the PSI suite the session ran (psi.Suite.String), once
	// the handshake chose one; empty otherwise.
	Suite string
	// PeerRuleSetID is the peer's rule-set ID where it is known: the
	// agreed one (RuleSetID) after a successful session, and the peer's
	// own when the session failed because the rule sets differ
	// (psi.ContextMismatchError). It is empty otherwise.
	PeerRuleSetID string
	// CompetitionFactor is the factor one-to-one competition learned from
	// the session's candidate pairs (match.Linked.CompetitionFactor), the
	// same for both parties unless one counted the other's statistics in
	// BadPayloads; 0 when no pair was a candidate or the session failed. At its bound, 64, the pairs had many rivals, as a peer's
	// file of broad records would give.
	CompetitionFactor float64
}

// resolve returns the rule set, mode and threshold cfg asks for, with
// defaults filled in.
func (cfg *MatchConfig) resolve() (rules *match.RuleSet, mode psi.Mode, threshold float64) {
	rules, mode, threshold = cfg.Rules, cfg.Mode, cfg.Threshold
	if rules == nil {
		rules = match.DefaultRules()
	}
	if mode == 0 {
		mode = psi.BothLearn
	}
	if threshold == 0 {
		threshold = rules.Threshold()
	}
	return rules, mode, threshold
}

// newAudit starts the audit record of a session; Outcome stays "ok" until
// something fails.
func newAudit(cfg MatchConfig, records int) Audit {
	rules, mode, _ := cfg.resolve()
	return Audit{
		Time: time.Now().UTC(), Peer: cfg.Peer, Role: cfg.Role.String(), Mode: mode.String(),
		RuleSetID: rules.ID(), Records: records, Outcome: "ok",
	}
}

// failedAudit is the audit record of a session that failed before Match
// could start it.
func failedAudit(cfg MatchConfig, records int, err error) Audit {
	a := newAudit(cfg, records)
	a.Outcome = err.Error()
	return a
}

// ErrMatchConfig reports an invalid MatchConfig.
var ErrMatchConfig = errors.New("reunite: invalid match configuration")

// Match runs one record-matching session with a peer over conn: it derives
// match keys from records, runs private set intersection on them, and links
// the shared keys back to pairs of records. Each key carries, sealed so
// only a holder of the same key can read it, the pseudonyms of the records
// that produced it; scores are therefore computed per pair of records.
//
// Records must be a non-nil set with distinct, non-empty IDs, as the
// readers of package match return; otherwise Match fails with an error
// wrapping ErrRecords before it touches the connection.
//
// On error Match still returns a result holding the Audit record (with the
// outcome and, once the handshake got that far, the peer's declared set
// size and the session ID), and no hits.
func Match(ctx context.Context, conn io.ReadWriter, records []match.Record, cfg MatchConfig) (*MatchResult, error) {
	if err := checkRecords(records); err != nil {
		return &MatchResult{Audit: failedAudit(cfg, len(records), err)}, err
	}
	return matchCharging(ctx, conn, records, cfg, cfg.Peer)
}

// matchCharging is Match, with the peer's budget (cfg.Budget, if set)
// charged under the name budgetPeer.
func matchCharging(ctx context.Context, conn io.ReadWriter, records []match.Record, cfg MatchConfig, budgetPeer string) (*MatchResult, error) {
	if cfg.Budget != nil && budgetPeer == "" {
		err := fmt.Errorf("%w: a budget needs the peer's name (MatchConfig.Peer)", ErrMatchConfig)
		return &MatchResult{Audit: failedAudit(cfg, len(records), err)}, err
	}
	var declared declaredSize
	cfg.Admit = declared.wrap(cfg.Admit, cfg.Budget, budgetPeer)
	res, err := match1(ctx, conn, records, cfg)
	declared.fill(&res.Audit)
	return res, err
}

// match1 is Match once the records are checked.
func match1(ctx context.Context, conn io.ReadWriter, records []match.Record, cfg MatchConfig) (*MatchResult, error) {
	suite := cfg.Suite
	cfg.Suite = 0 // newMatchSetup builds the suite-1 setup a FileExchange runs too
	m, err := newMatchSetup(records, cfg, nil)
	if err != nil {
		return m.fail(err)
	}
	switch suite {
	case 0:
		m.pcfg.Suites = []psi.Suite{psi.SuiteECDHRistretto255}
	case SuiteAuto:
		m.pcfg.Suites = []psi.Suite{psi.SuiteOTExtension, psi.SuiteECDHRistretto255}
	case psi.SuiteECDHRistretto255, psi.SuiteOTExtension:
		m.pcfg.Suites = []psi.Suite{suite}
	default:
		return m.fail(fmt.Errorf("%w: unknown suite %v", ErrMatchConfig, suite))
	}
	session, err := psi.NewSession(m.pcfg, m.set)
	if err != nil {
		return m.fail(err)
	}
	r, err := psi.Run(ctx, conn, session, nil)
	if err != nil {
		return m.failSession(session, err)
	}
	return m.finish(r)
}

// matchSetup is one party's side of a record-matching session, shared by
// Match and FileExchange: its records' side of the linkage protocol
// (match.Party), the PSI configuration and set built from it, and the
// result being filled in.
type matchSetup struct {
	records   []match.Record
	role      psi.Role
	threshold float64
	party     *match.Party // holds the records' pseudonyms
	pcfg      psi.Config
	set       psi.Set
	res       *MatchResult
}

// newMatchSetup validates cfg and builds the PSI configuration and set for
// records. It draws fresh pseudonyms when pseudonyms is nil and otherwise
// uses the given ones (a resumed session's: one per record, distinct). It
// always returns a setup, whose fail method yields the audit record.
func newMatchSetup(records []match.Record, cfg MatchConfig, pseudonyms []uint32) (*matchSetup, error) {
	rules, mode, threshold := cfg.resolve()
	m := &matchSetup{records: records, role: cfg.Role, threshold: threshold, res: &MatchResult{Audit: newAudit(cfg, len(records))}}
	switch {
	case mode != psi.BothLearn && mode != psi.InitiatorOnly:
		return m, fmt.Errorf("%w: mode %v has no record-level output", ErrMatchConfig, mode)
	case cfg.Role != psi.RoleInitiator && cfg.Role != psi.RoleResponder:
		return m, fmt.Errorf("%w: role must be initiator or responder", ErrMatchConfig)
	case !(threshold > 0 && threshold <= 1):
		return m, fmt.Errorf("%w: threshold must be in (0, 1]", ErrMatchConfig)
	case cfg.Suite != 0 && cfg.Suite != psi.SuiteECDHRistretto255:
		// Match chose its suites before; only a FileExchange gets here.
		suite := cfg.Suite.String()
		if cfg.Suite == SuiteAuto {
			suite = "SuiteAuto"
		}
		return m, fmt.Errorf("%w: a file exchange runs suite 1 only (%s has no saved state)", ErrMatchConfig, suite)
	}
	party, err := match.NewParty(records, rules, pseudonyms)
	if err != nil {
		return m, err
	}
	ix := party.Index()
	m.party = party
	m.res.Audit.Truncated, m.res.Audit.Unmatchable, m.res.Audit.Overfull = ix.Truncated, len(ix.NoKeys), party.Overfull
	m.res.Audit.LocalKeys = len(party.Elements)
	m.pcfg = psi.Config{
		Role: cfg.Role, Context: []byte(rules.ID()), Mode: mode, MaxSetSize: cfg.MaxKeys, PayloadSize: match.PayloadSize,
		ChannelBinding: cfg.ChannelBinding, Admit: cfg.Admit, Progress: cfg.Progress,
	}
	m.set = psi.Set{Elements: party.Elements, Payloads: party.Payloads}
	return m, nil
}

// fail records err as the session's outcome and returns the result, with
// no hits, and err.
func (m *matchSetup) fail(err error) (*MatchResult, error) {
	m.res.Hits, m.res.Alternatives = nil, nil
	m.res.Audit.Outcome = err.Error()
	if cm := (*psi.ContextMismatchError)(nil); errors.As(err, &cm) {
		m.res.Audit.PeerRuleSetID = string(cm.PeerContext)
	}
	return m.res, err
}

// failSession is fail for a session that may have got past its
// handshake: one that did still names itself, so that both parties'
// audit entries can be matched.
func (m *matchSetup) failSession(s *psi.Session, err error) (*MatchResult, error) {
	if s != nil {
		if sid, ok := s.SessionID(); ok {
			m.res.Audit.SessionID = hex.EncodeToString(sid[:])
		}
	}
	return m.fail(err)
}

// finish links the PSI result's shared elements back to pairs of records
// and completes the audit record.
func (m *matchSetup) finish(r *psi.Result) (*MatchResult, error) {
	res := m.res
	res.Audit.PeerKeys, res.Audit.KeyHits = r.PeerSetSize, r.Cardinality
	res.Audit.SessionID, res.Audit.Transcript = hex.EncodeToString(r.SessionID[:]), hex.EncodeToString(r.Transcript[:])
	res.Audit.LowerBound = r.LowerBound
	res.Audit.Suite = r.Suite.String()
	res.Audit.PeerRuleSetID = res.Audit.RuleSetID // the handshake refuses any other

	shared := make([]match.SharedElement, len(r.Matches))
	for i, hm := range r.Matches {
		shared[i] = match.SharedElement{Index: hm.Index, PeerPayload: hm.PeerPayload}
	}
	linked := m.party.Link(shared, m.threshold)
	if linked.StatisticsShared {
		res.Audit.KeyHits-- // the statistics element is not a key
	}
	res.Audit.BadPayloads, res.Audit.CompetitionFactor = linked.BadPayloads, linked.CompetitionFactor
	for _, l := range linked.Links {
		h := Hit{
			RecordID: m.records[l.Record].ID, Record: l.Record, Peer: l.Peer,
			Handle: m.party.Handle(r.SessionID, l, m.role == psi.RoleInitiator), Score: l.Score, Evidence: l.Evidence,
			Tied: l.Tied,
		}
		if l.Alternative {
			res.Alternatives = append(res.Alternatives, h)
		} else {
			res.Hits = append(res.Hits, h)
		}
	}
	res.Audit.RecordHits, res.Audit.Alternatives = len(res.Hits), len(res.Alternatives)
	return res, nil
}
