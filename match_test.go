package reunite_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readRecords(t *testing.T, path string) []match.Record {
	t.Helper()
	recs, _, err := match.ReadFile(path, match.ReadOptions{})
	require.NoError(t, err)
	return recs
}

// matchBoth runs Match for two agencies over a real TCP connection.
func matchBoth(t *testing.T, a, b []match.Record, cfgA, cfgB reunite.MatchConfig) (ra, rb *reunite.MatchResult, errA, errB error) {
	t.Helper()
	ca, cb := tcpPair(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		rb, errB = reunite.Match(context.Background(), cb, b, cfgB)
	}()
	ra, errA = reunite.Match(context.Background(), ca, a, cfgA)
	<-done
	return ra, rb, errA, errB
}

// TestMatchEndToEnd runs two small agency files through the real protocol
// and checks the linked pairs are exactly the expected ones, with the same
// handle, score and evidence on both sides.
func TestMatchEndToEnd(t *testing.T) {
	checkNoLeak(t)
	a := readRecords(t, "testdata/agency-a.csv")
	b := readRecords(t, "testdata/agency-b.csv")
	f, err := os.Open("testdata/agency-expected.csv")
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	want := map[[2]string]bool{}
	for _, r := range rows[1:] {
		want[[2]string{r[0], r[1]}] = true
	}
	require.Len(t, want, 6)

	ra, rb, errA, errB := matchBoth(t, a, b,
		reunite.MatchConfig{Role: psi.RoleInitiator, Peer: "B"},
		reunite.MatchConfig{Role: psi.RoleResponder, Peer: "A"})
	require.NoError(t, errA)
	require.NoError(t, errB)

	got := map[[2]string]bool{}
	for pair := range pairsOf(t, ra, rb) {
		got[pair] = true
	}
	assert.Equal(t, want, got)

	// B-107 is A-007 under a false identity that keeps the real name as
	// an alias: the evidence says the pair meets through it.
	for _, res := range []*reunite.MatchResult{ra, rb} {
		for _, h := range res.Hits {
			alias := h.RecordID == "A-007" || h.RecordID == "B-107"
			assert.Equal(t, alias, slices.Contains(h.Evidence, "via=alias"), "%s: %v", h.RecordID, h.Evidence)
		}
	}

	for _, au := range []reunite.Audit{ra.Audit, rb.Audit} {
		assert.Equal(t, "ok", au.Outcome)
		assert.Equal(t, match.DefaultRules().ID(), au.RuleSetID)
		assert.Equal(t, au.RuleSetID, au.PeerRuleSetID, "the agreed rule set")
		assert.Equal(t, 8, au.Records)
		assert.Equal(t, 6, au.RecordHits)
		assert.NotEmpty(t, au.SessionID)
		assert.Positive(t, au.KeyHits)
	}
	assert.Equal(t, ra.Audit.Transcript, rb.Audit.Transcript)
	assert.Equal(t, ra.Audit.LocalKeys, rb.Audit.PeerKeys)
	assert.Equal(t, ra.Audit.CompetitionFactor, rb.Audit.CompetitionFactor, "both parties learn the same factor")
	assert.InDelta(t, 1, ra.Audit.CompetitionFactor, 63, "within [2^-10, 2^6]")
	assert.Positive(t, ra.Audit.CompetitionFactor)
	assert.False(t, ra.Audit.LowerBound, "the initiator's hits are its own")
	assert.True(t, rb.Audit.LowerBound, "the responder's hits are those the initiator revealed")
}

func TestMatchRefusesAnotherRuleSet(t *testing.T) {
	checkNoLeak(t)
	other, err := match.NewRuleSet("other-rules", match.DefaultRules().Blocks(), match.DefaultRules().Comparisons(), 0)
	require.NoError(t, err)
	a := readRecords(t, "testdata/agency-a.csv")
	b := readRecords(t, "testdata/agency-b.csv")
	ra, rb, errA, errB := matchBoth(t, a, b,
		reunite.MatchConfig{Role: psi.RoleInitiator},
		reunite.MatchConfig{Role: psi.RoleResponder, Rules: other})
	require.ErrorIs(t, errA, psi.ErrContextMismatch)
	require.ErrorIs(t, errB, psi.ErrContextMismatch)
	// The failed session still yields its audit record, and no hits; both
	// sides name both rule sets, and the audit records the peer's.
	ours := match.DefaultRules().ID()
	tests := []struct {
		name      string
		res       *reunite.MatchResult
		err       error
		own, peer string
	}{
		{"initiator", ra, errA, ours, other.ID()},
		{"responder", rb, errB, other.ID(), ours},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.NotNil(t, tc.res)
			assert.Empty(t, tc.res.Hits)
			for _, msg := range []string{tc.err.Error(), tc.res.Audit.Outcome} {
				assert.Contains(t, msg, `"`+tc.own+`"`)
				assert.Contains(t, msg, `"`+tc.peer+`"`)
			}
			assert.Equal(t, tc.own, tc.res.Audit.RuleSetID)
			assert.Equal(t, tc.peer, tc.res.Audit.PeerRuleSetID)

			// The log entry records the peer's rule set.
			l, path := createAuditLog(t)
			require.NoError(t, l.Append(tc.res.Audit))
			require.NoError(t, l.Close())
			lines := readLines(t, path)
			require.Len(t, lines, 2)
			var entry struct {
				Audit map[string]any `json:"audit"`
			}
			require.NoError(t, json.Unmarshal(lines[1], &entry))
			assert.Equal(t, tc.peer, entry.Audit["peer_rule_set_id"])
			assert.Equal(t, tc.own, entry.Audit["rule_set_id"])
		})
	}
}

func TestMatchInitiatorOnly(t *testing.T) {
	a := readRecords(t, "testdata/agency-a.csv")
	b := readRecords(t, "testdata/agency-b.csv")
	ra, rb, errA, errB := matchBoth(t, a, b,
		reunite.MatchConfig{Role: psi.RoleInitiator, Mode: psi.InitiatorOnly},
		reunite.MatchConfig{Role: psi.RoleResponder, Mode: psi.InitiatorOnly})
	require.NoError(t, errA)
	require.NoError(t, errB)
	assert.Len(t, ra.Hits, 6)
	assert.Empty(t, rb.Hits)
	assert.Zero(t, rb.Audit.KeyHits)
}

func TestMatchConfigErrors(t *testing.T) {
	ca, cb := tcpPair(t)
	_ = cb
	budget, _ := openBudget(t, 100, time.Hour)
	for _, cfg := range []reunite.MatchConfig{
		{},
		{Role: psi.RoleInitiator, Mode: psi.CardinalityOnly},
		{Role: psi.RoleInitiator, Threshold: 2},
		{Role: psi.RoleResponder, Budget: budget}, // a budget with no peer to charge
	} {
		// A check that regressed would wait for a peer that never speaks.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		r, err := reunite.Match(ctx, ca, []match.Record{}, cfg)
		cancel()
		assert.ErrorIs(t, err, reunite.ErrMatchConfig)
		require.NotNil(t, r)
		assert.NotEqual(t, "ok", r.Audit.Outcome)
	}
}

// TestMatchRefusesBadRecordSets checks that Match, like the readers,
// refuses a nil set and repeated or empty IDs before it touches the
// connection.
func TestMatchRefusesBadRecordSets(t *testing.T) {
	ca, _ := tcpPair(t)
	cfg := reunite.MatchConfig{Role: psi.RoleInitiator}
	for name, records := range map[string][]match.Record{
		"nil":          nil,
		"repeated IDs": {{ID: "x", GivenNames: "Anna"}, {ID: "x", GivenNames: "Olga"}},
		"empty ID":     {{GivenNames: "Anna"}},
	} {
		r, err := reunite.Match(context.Background(), ca, records, cfg)
		assert.ErrorIs(t, err, reunite.ErrRecords, name)
		require.NotNil(t, r, name)
		assert.NotEqual(t, "ok", r.Audit.Outcome, name)
	}
}

// TestMatchFaultsAreAudited cuts the connection mid-session on either side
// and lets a peer stall: both sides fail within their deadlines, report no
// hits, leave no goroutine, and their audit records say what happened.
func TestMatchFaultsAreAudited(t *testing.T) {
	a := readRecords(t, "testdata/agency-a.csv")
	b := readRecords(t, "testdata/agency-b.csv")
	for _, tc := range []struct {
		name      string
		setup     func(ca, cb net.Conn) (io.ReadWriter, io.ReadWriter)
		handshake bool // the session fails after the handshake
	}{
		{"initiator cut", func(ca, cb net.Conn) (io.ReadWriter, io.ReadWriter) { return &cutConn{ca, 300}, cb }, true},
		{"responder cut", func(ca, cb net.Conn) (io.ReadWriter, io.ReadWriter) { return ca, &cutConn{cb, 300} }, true},
		{"responder stalls", func(ca, cb net.Conn) (io.ReadWriter, io.ReadWriter) { return ca, stalled{cb} }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkNoLeak(t)
			ca, cb := tcpPair(t)
			connA, connB := tc.setup(ca, cb)
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			var rb *reunite.MatchResult
			var errB error
			done := make(chan struct{})
			go func() {
				defer close(done)
				rb, errB = reunite.Match(ctx, connB, b, reunite.MatchConfig{Role: psi.RoleResponder})
			}()
			start := time.Now()
			ra, errA := reunite.Match(ctx, connA, a, reunite.MatchConfig{Role: psi.RoleInitiator})
			<-done
			assert.Less(t, time.Since(start), 5*time.Second)
			require.Error(t, errA)
			require.Error(t, errB)
			if tc.handshake {
				// Failed after the handshake: both entries name the session
				// and the size the peer declared in it.
				assert.Len(t, ra.Audit.SessionID, 64)
				assert.Equal(t, ra.Audit.SessionID, rb.Audit.SessionID)
				assert.NotZero(t, ra.Audit.LocalKeys)
				assert.Equal(t, ra.Audit.LocalKeys, rb.Audit.PeerKeys)
				assert.Equal(t, rb.Audit.LocalKeys, ra.Audit.PeerKeys)
			} else {
				assert.Empty(t, ra.Audit.SessionID)
				assert.Empty(t, rb.Audit.SessionID)
			}

			logPath := filepath.Join(t.TempDir(), "audit.jsonl")
			log, err := reunite.CreateAuditLog(logPath, auditKey)
			require.NoError(t, err)
			for _, r := range []*reunite.MatchResult{ra, rb} {
				require.NotNil(t, r)
				assert.Empty(t, r.Hits, "no partial result")
				assert.NotEqual(t, "ok", r.Audit.Outcome)
				require.NoError(t, log.Append(r.Audit))
			}
			require.NoError(t, log.Close())
			f, err := os.Open(logPath)
			require.NoError(t, err)
			defer f.Close()
			head, err := reunite.VerifyAuditLog(f, auditKey)
			require.NoError(t, err)
			assert.Equal(t, uint64(2), head.Seq)
		})
	}
}

// stalled is a connection whose reads never return data; its writes go
// through. Only the deadline Run sets on cancellation unblocks it.
type stalled struct{ net.Conn }

func (s stalled) Read(p []byte) (int, error) {
	var one [1]byte
	for {
		if _, err := s.Conn.Read(one[:]); err != nil {
			return 0, err
		}
	}
}

// TestLongestRuleSetNameFitsTheContext checks that the longest name
// NewRuleSet accepts gives an ID that is exactly a PSI session context's
// largest size, so the two limits cannot drift apart.
func TestLongestRuleSetNameFitsTheContext(t *testing.T) {
	def := match.DefaultRules()
	rs, err := match.NewRuleSet(strings.Repeat("r", match.MaxRuleSetName), def.Blocks(), def.Comparisons(), 0)
	require.NoError(t, err)
	assert.Len(t, rs.ID(), psi.MaxContextSize)
}

// TestMatchReportsTies checks that a peer file holding two copies of one
// record gives a hit marked Tied on both sides, and its equally probable
// alternative, also marked, with the same handle on both sides.
func TestMatchReportsTies(t *testing.T) {
	checkNoLeak(t)
	date, err := match.ParseDate("2012-03-04")
	require.NoError(t, err)
	child := match.Record{GivenNames: "Amina", FamilyNames: "Warsame", BirthDate: date, Sex: match.SexFemale, BirthPlace: "Kismayo"}
	a := []match.Record{child}
	a[0].ID = "A-1"
	b := []match.Record{child, child}
	b[0].ID, b[1].ID = "B-1", "B-2"

	// Three records leave the model little to learn from, so scores are
	// low (see match.ExampleParty); the threshold only has to keep both.
	ra, rb, errA, errB := matchBoth(t, a, b,
		reunite.MatchConfig{Role: psi.RoleInitiator, Threshold: 0.01},
		reunite.MatchConfig{Role: psi.RoleResponder, Threshold: 0.01})
	require.NoError(t, errA)
	require.NoError(t, errB)
	for side, r := range []*reunite.MatchResult{ra, rb} {
		require.Len(t, r.Hits, 1, "side %d", side)
		require.Len(t, r.Alternatives, 1, "side %d", side)
		assert.True(t, r.Hits[0].Tied, "side %d: the hit won only a tie-break", side)
		assert.True(t, r.Alternatives[0].Tied, "side %d", side)
		assert.Equal(t, r.Hits[0].Score, r.Alternatives[0].Score, "side %d", side)
	}
	assert.Equal(t, ra.Hits[0].Handle, rb.Hits[0].Handle, "both sides keep the same pair")
	assert.Equal(t, ra.Alternatives[0].Handle, rb.Alternatives[0].Handle)
}
