package reunite_test

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/internal/inprocess"
	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fileParty is one agency in an offline exchange driven by a test.
type fileParty struct {
	name    string
	records []match.Record
	cfg     reunite.FileExchangeConfig
	state   string // path of its state file
	x       *reunite.FileExchange
}

func newKey(t testing.TB) ed25519.PrivateKey {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return k
}

func pub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

func newDecryptionKey(t testing.TB) *ecdh.PrivateKey {
	k, err := ecdh.X25519().GenerateKey(rand.Reader)
	require.NoError(t, err)
	return k
}

// newSeenExchanges creates an empty seen-exchanges file in a temporary
// directory.
func newSeenExchanges(t testing.TB) string {
	path := filepath.Join(t.TempDir(), "seen")
	require.NoError(t, reunite.CreateSeenExchanges(path))
	return path
}

// fileParties returns agencies A (initiator) and B (responder) on the test
// files, with fresh keys, each pinning the other's.
func fileParties(t *testing.T) (a, b *fileParty) {
	dir := t.TempDir()
	ka, kb := newKey(t), newKey(t)
	da, db := newDecryptionKey(t), newDecryptionKey(t)
	a = &fileParty{name: "A", records: readRecords(t, "testdata/agency-a.csv"), state: filepath.Join(dir, "a.state")}
	b = &fileParty{name: "B", records: readRecords(t, "testdata/agency-b.csv"), state: filepath.Join(dir, "b.state")}
	a.cfg = reunite.FileExchangeConfig{
		MatchConfig: reunite.MatchConfig{Role: psi.RoleInitiator, Peer: "B"},
		SigningKey:  ka, PeerSigningKey: pub(kb), DecryptionKey: da, PeerEncryptionKey: db.PublicKey(),
	}
	b.cfg = reunite.FileExchangeConfig{
		MatchConfig: reunite.MatchConfig{Role: psi.RoleResponder, Peer: "A"},
		SigningKey:  kb, PeerSigningKey: pub(ka), DecryptionKey: db, PeerEncryptionKey: da.PublicKey(),
		SeenExchanges: newSeenExchanges(t),
	}
	return a, b
}

// samePeers gives p2 and q2 the keys of p and q, for a second exchange
// between the same agencies.
func samePeers(p, q, p2, q2 *fileParty) {
	for _, c := range [][2]*fileParty{{p, p2}, {q, q2}} {
		c[1].cfg.SigningKey, c[1].cfg.PeerSigningKey = c[0].cfg.SigningKey, c[0].cfg.PeerSigningKey
		c[1].cfg.DecryptionKey, c[1].cfg.PeerEncryptionKey = c[0].cfg.DecryptionKey, c[0].cfg.PeerEncryptionKey
		c[1].cfg.SeenExchanges = c[0].cfg.SeenExchanges
	}
}

func (p *fileParty) start(t *testing.T) {
	x, err := reunite.StartFileExchange(p.records, p.cfg)
	require.NoError(t, err)
	p.x = x
	p.save(t)
}

func (p *fileParty) save(t *testing.T) {
	require.NoError(t, p.x.SaveState(p.state))
	fi, err := os.Stat(p.state)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "state file mode")
}

// reopen replaces the party's exchange with one loaded from its state
// file, as a new process would.
func (p *fileParty) reopen(t *testing.T) {
	x, err := reunite.OpenFileExchange(p.state, p.records, p.cfg)
	require.NoError(t, err)
	p.x = x
}

func (p *fileParty) write(t *testing.T, dir string) string {
	n, ok := p.x.Outgoing()
	require.True(t, ok, "%s owes no message", p.name)
	path := filepath.Join(dir, fmt.Sprintf("%s-%d.msg", p.name, n))
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, p.x.WriteMessage(f))
	require.NoError(t, f.Close())
	return path
}

func (p *fileParty) readBytes(b []byte) error {
	return p.x.ReadMessage(bytes.NewReader(b))
}

// stateBytes saves the party's state to a side file and returns it, to
// compare states before and after a refused file.
func (p *fileParty) stateBytes(t *testing.T) []byte {
	side := p.state + ".check"
	require.NoError(t, p.x.SaveState(side))
	b, err := os.ReadFile(side)
	require.NoError(t, err)
	return b
}

// runFiles runs a whole exchange through files in a temporary directory,
// A first. With restart, each party is reloaded from its state file before
// each of its steps. hook, if set, runs before each read with the step, the
// reader and the file it is about to read. It returns the files in order.
func runFiles(t *testing.T, a, b *fileParty, restart bool, hook func(step int, to *fileParty, file []byte)) []string {
	dir := t.TempDir()
	a.start(t)
	b.start(t)
	var files []string
	from, to := a, b
	for step := 0; !(a.x.Done() && b.x.Done()); step++ {
		require.Less(t, step, 10, "exchange does not end")
		if restart {
			from.reopen(t)
		}
		file := from.write(t, dir)
		files = append(files, file)
		if restart {
			to.reopen(t)
		}
		raw, err := os.ReadFile(file)
		require.NoError(t, err)
		if hook != nil {
			hook(step, to, raw)
		}
		require.NoError(t, to.readBytes(raw), "%s reading message %d", to.name, step)
		to.save(t)
		from, to = to, from
	}
	return files
}

type pairKey struct{ a, b string }

// joinHits pairs A's and B's hits on their shared handles.
func joinHits(t *testing.T, ra, rb *reunite.MatchResult) map[pairKey]reunite.Hit {
	byHandle := map[psi.Handle]reunite.Hit{}
	for _, h := range rb.Hits {
		byHandle[h.Handle] = h
	}
	out := map[pairKey]reunite.Hit{}
	for _, h := range ra.Hits {
		hb, ok := byHandle[h.Handle]
		require.True(t, ok, "A's hit %s has no counterpart", h.RecordID)
		assert.Equal(t, h.Score, hb.Score)
		assert.Equal(t, h.Evidence, hb.Evidence)
		out[pairKey{h.RecordID, hb.RecordID}] = h
	}
	require.Len(t, rb.Hits, len(ra.Hits))
	return out
}

func expectedPairs(t *testing.T) map[pairKey]bool {
	f, err := os.Open("testdata/agency-expected.csv")
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	want := map[pairKey]bool{}
	for _, r := range rows[1:] {
		want[pairKey{r[0], r[1]}] = true
	}
	return want
}

// TestFileExchangeMatchesMatch runs A → B → A … through message files and
// requires the same pairs, scores, rules and audit records as Match, with
// and without a restart from the state file before every step.
func TestFileExchangeMatchesMatch(t *testing.T) {
	a0, b0 := fileParties(t)
	_, refA, refB, err := inprocess.Link(context.Background(), a0.records, b0.records, reunite.MatchConfig{})
	require.NoError(t, err)
	ref := joinHits(t, refA, refB)
	want := expectedPairs(t)
	got := map[pairKey]bool{}
	for k := range ref {
		got[k] = true
	}
	require.Equal(t, want, got, "reference run")

	for _, restart := range []bool{false, true} {
		t.Run(fmt.Sprintf("restart=%v", restart), func(t *testing.T) {
			a, b := fileParties(t)
			files := runFiles(t, a, b, restart, nil)
			assert.Len(t, files, 6)
			ra, err := a.x.Result()
			require.NoError(t, err)
			rb, err := b.x.Result()
			require.NoError(t, err)
			pairs := joinHits(t, ra, rb)
			require.Len(t, pairs, len(ref))
			for k, h := range pairs {
				r, ok := ref[k]
				require.True(t, ok, "pair %v not found by Match", k)
				assert.Equal(t, r.Score, h.Score, "%v", k)
				assert.Equal(t, r.Evidence, h.Evidence, "%v", k)
			}
			for _, c := range []struct{ got, want reunite.Audit }{{ra.Audit, refA.Audit}, {rb.Audit, refB.Audit}} {
				g, w := c.got, c.want
				assert.Equal(t, "ok", g.Outcome)
				assert.NotEmpty(t, g.SessionID)
				g.Time = w.Time
				g.SessionID, w.SessionID, g.Transcript, w.Transcript = "", "", "", ""
				w.Peer = g.Peer
				assert.Equal(t, w, g)
			}
			assert.Equal(t, ra.Audit.SessionID, rb.Audit.SessionID)
			assert.Equal(t, ra.Audit.Transcript, rb.Audit.Transcript)
			assert.Equal(t, "B", ra.Audit.Peer)

			// A finished exchange reopens to the same result, and reads
			// nothing more.
			a.reopen(t)
			again, err := a.x.Result()
			require.NoError(t, err)
			assert.Equal(t, ra.Hits, again.Hits)
			assert.Equal(t, ra.Audit, again.Audit)
			last, err := os.ReadFile(files[5])
			require.NoError(t, err)
			require.ErrorIs(t, a.readBytes(last), reunite.ErrFileReplay)
			_, ok := a.x.Outgoing()
			assert.False(t, ok)
			require.ErrorIs(t, a.x.WriteMessage(&bytes.Buffer{}), reunite.ErrNothingToWrite)
		})
	}
}

// TestFileExchangeRefusals offers each reader, before the right file,
// truncated, altered, replayed, foreign and misaddressed files: each must be
// refused with its error and leave the state exactly as it was, and the
// right file must then still be read.
func TestFileExchangeRefusals(t *testing.T) {
	// A second exchange between the same agencies supplies foreign files.
	a2, b2 := fileParties(t)
	a, b := fileParties(t)
	samePeers(a, b, a2, b2)
	var foreign [][]byte
	for _, f := range runFiles(t, a2, b2, false, nil) {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		foreign = append(foreign, raw)
	}

	const header = encoding.OfflineHeaderSize
	var seen [][]byte // files read so far, in order
	runFiles(t, a, b, true, func(step int, to *fileParty, file []byte) {
		before := to.stateBytes(t)
		refuse := func(bad []byte, want error, what string) {
			t.Helper()
			err := to.readBytes(bad)
			require.ErrorIs(t, err, want, "%s reading %s at step %d", to.name, what, step)
			require.Equal(t, before, to.stateBytes(t), "%s's state changed after %s at step %d", to.name, what, step)
		}
		for _, n := range []int{0, 1, header - 1, header, header + 1, len(file) / 2, len(file) - 65, len(file) - 1} {
			refuse(file[:n], reunite.ErrFileTruncated, fmt.Sprintf("the file cut to %d bytes", n))
		}
		refuse(append(bytes.Clone(file), 0), reunite.ErrFileFormat, "the file with a byte appended")
		for i := 0; i < len(file); i += 1 + i/8 {
			bad := bytes.Clone(file)
			bad[i] ^= 0x20
			err := to.readBytes(bad)
			require.Error(t, err, "byte %d altered", i)
			if i >= 8 { // the encapsulated key and the ciphertext
				require.ErrorIs(t, err, reunite.ErrFileDecrypt, "byte %d altered", i)
			}
			require.Equal(t, before, to.stateBytes(t), "state changed after altering byte %d", i)
		}
		refuse([]byte("not a message file at all, but long enough to hold a header"), reunite.ErrFileTooLarge, "garbage")
		// A file an earlier build wrote (format version 2, clear header
		// after the magic "RNTM") is refused as that, naming its version.
		old := append([]byte("RNTM\x02"), file[5:]...)
		refuse(old, reunite.ErrFileFormat, "a version 2 file")
		err := to.readBytes(old)
		require.ErrorIs(t, err, encoding.ErrVersion)
		require.Contains(t, err.Error(), "format version 2")
		garbage := make([]byte, len(file))
		_, _ = rand.Read(garbage)
		copy(garbage, file[:8])
		refuse(garbage, reunite.ErrFileDecrypt, "random bytes with a valid length")
		if step == 0 {
			refuse(foreign[0], reunite.ErrExchangeReplayed, "the first message of another exchange B answered")
		} else {
			refuse(foreign[step], reunite.ErrFileExchange, "the same message of another exchange")
		}
		if step > 0 {
			refuse(seen[len(seen)-1], reunite.ErrFileDecrypt, "its own last message (encrypted to the peer)")
		}
		if step > 1 {
			refuse(seen[len(seen)-2], reunite.ErrFileReplay, "the peer's previous message")
		}
		seen = append(seen, file)
	})
	_, err := a.x.Result()
	require.NoError(t, err)
	_, err = b.x.Result()
	require.NoError(t, err)
}

// TestFileExchangeOrder gives a party a later message than the next one it
// expects, and a message signed by someone it does not pin.
func TestFileExchangeOrder(t *testing.T) {
	a, b := fileParties(t)
	var startA, startB []byte // each party's state file after its first step
	var files [][]byte
	runFiles(t, a, b, false, func(step int, to *fileParty, file []byte) {
		files = append(files, file)
		if step == 0 {
			startB = to.stateBytes(t)
		}
		if step == 1 {
			startA = to.stateBytes(t)
		}
	})
	reload := func(p *fileParty, state []byte) {
		require.NoError(t, os.WriteFile(p.state, state, 0o600))
		p.reopen(t)
	}
	reload(b, startB)
	require.ErrorIs(t, b.readBytes(files[2]), reunite.ErrFileOrder, "message 2 before message 0")
	require.ErrorIs(t, b.readBytes(files[1]), reunite.ErrFileDecrypt, "its own message")
	require.NoError(t, os.Remove(b.cfg.SeenExchanges))
	require.NoError(t, reunite.CreateSeenExchanges(b.cfg.SeenExchanges))
	require.NoError(t, b.readBytes(files[0]), "message 0 after the refusals")
	reload(a, startA)
	require.ErrorIs(t, a.readBytes(files[3]), reunite.ErrFileOrder, "message 3 before message 1")
	require.NoError(t, a.readBytes(files[1]))

	// B pinning other keys than A's cannot decrypt A's message 0 (the
	// encryption is bound to both agencies' keys), and neither can an
	// agency D that pins A's keys but was not the file's recipient.
	d := newDecryptionKey(t)
	for name, cfg := range map[string]reunite.FileExchangeConfig{
		"wrong signing pin":    {MatchConfig: b.cfg.MatchConfig, SigningKey: b.cfg.SigningKey, PeerSigningKey: pub(newKey(t)), DecryptionKey: b.cfg.DecryptionKey, PeerEncryptionKey: b.cfg.PeerEncryptionKey},
		"wrong encryption pin": {MatchConfig: b.cfg.MatchConfig, SigningKey: b.cfg.SigningKey, PeerSigningKey: b.cfg.PeerSigningKey, DecryptionKey: b.cfg.DecryptionKey, PeerEncryptionKey: newDecryptionKey(t).PublicKey()},
		"other recipient":      {MatchConfig: b.cfg.MatchConfig, SigningKey: newKey(t), PeerSigningKey: b.cfg.PeerSigningKey, DecryptionKey: d, PeerEncryptionKey: b.cfg.PeerEncryptionKey},
	} {
		cfg.SeenExchanges = newSeenExchanges(t)
		x, err := reunite.StartFileExchange(b.records, cfg)
		require.NoError(t, err)
		require.ErrorIs(t, x.ReadMessage(bytes.NewReader(files[0])), reunite.ErrFileDecrypt, name)
	}
}

func TestFileExchangeWriteRules(t *testing.T) {
	a, b := fileParties(t)
	x, err := reunite.StartFileExchange(a.records, a.cfg)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.ErrorIs(t, x.WriteMessage(&buf), reunite.ErrStateUnsaved)
	require.NoError(t, x.SaveState(a.state))
	require.NoError(t, x.WriteMessage(&buf))
	var again bytes.Buffer
	require.NoError(t, x.WriteMessage(&again))
	assert.Equal(t, buf.Bytes(), again.Bytes(), "writing again gives the same file")
	n, ok := x.Outgoing()
	assert.True(t, ok)
	assert.Zero(t, n)

	y, err := reunite.StartFileExchange(b.records, b.cfg)
	require.NoError(t, err)
	require.ErrorIs(t, y.WriteMessage(&buf), reunite.ErrNothingToWrite)
	require.NoError(t, y.ReadMessage(bytes.NewReader(again.Bytes())))
	require.ErrorIs(t, y.WriteMessage(&buf), reunite.ErrStateUnsaved)
	assert.Equal(t, x.ExchangeID(), y.ExchangeID())

	p256, err := ecdh.P256().GenerateKey(rand.Reader)
	require.NoError(t, err)
	for name, edit := range map[string]func(c *reunite.FileExchangeConfig){
		"no signing key":            func(c *reunite.FileExchangeConfig) { c.SigningKey = nil },
		"no peer signing key":       func(c *reunite.FileExchangeConfig) { c.PeerSigningKey = nil },
		"own key as peer":           func(c *reunite.FileExchangeConfig) { c.PeerSigningKey = pub(c.SigningKey) },
		"no decryption key":         func(c *reunite.FileExchangeConfig) { c.DecryptionKey = nil },
		"P-256 decryption key":      func(c *reunite.FileExchangeConfig) { c.DecryptionKey = p256 },
		"no peer encryption key":    func(c *reunite.FileExchangeConfig) { c.PeerEncryptionKey = nil },
		"P-256 peer encryption key": func(c *reunite.FileExchangeConfig) { c.PeerEncryptionKey = p256.PublicKey() },
		"own encryption key as peer": func(c *reunite.FileExchangeConfig) {
			c.PeerEncryptionKey = c.DecryptionKey.PublicKey()
		},
		"binding":                  func(c *reunite.FileExchangeConfig) { c.ChannelBinding = []byte("x") },
		"cap above the file limit": func(c *reunite.FileExchangeConfig) { c.MaxKeys = reunite.MaxFileExchangeKeys + 1 },
		"no role":                  func(c *reunite.FileExchangeConfig) { c.Role = 0 },
		"responder without its seen-exchanges file": func(c *reunite.FileExchangeConfig) { c.Role = psi.RoleResponder },
	} {
		cfg := a.cfg
		edit(&cfg)
		_, err := reunite.StartFileExchange(a.records, cfg)
		require.ErrorIs(t, err, reunite.ErrMatchConfig, name)
	}
}

// TestOpenFileExchangeMismatch reopens a state file with other inputs, and
// damaged state files.
func TestOpenFileExchangeMismatch(t *testing.T) {
	a, _ := fileParties(t)
	a.start(t)
	other, err := match.NewRuleSet("other-rules", match.DefaultRules().Blocks(), match.DefaultRules().Comparisons(), 0)
	require.NoError(t, err)
	changed := append([]match.Record(nil), a.records...)
	changed[0].GivenNames = "Someone Else"

	for name, c := range map[string]struct {
		records []match.Record
		cfg     func(*reunite.FileExchangeConfig)
	}{
		"fewer records":          {records: a.records[1:]},
		"other record":           {records: changed},
		"other rules":            {cfg: func(c *reunite.FileExchangeConfig) { c.Rules = other }},
		"other mode":             {cfg: func(c *reunite.FileExchangeConfig) { c.Mode = psi.InitiatorOnly }},
		"other cap":              {cfg: func(c *reunite.FileExchangeConfig) { c.MaxKeys = 5000 }},
		"other role":             {cfg: func(c *reunite.FileExchangeConfig) { c.Role, c.SeenExchanges = psi.RoleResponder, "seen" }},
		"other key":              {cfg: func(c *reunite.FileExchangeConfig) { c.SigningKey = newKey(t) }},
		"other peer signing key": {cfg: func(c *reunite.FileExchangeConfig) { c.PeerSigningKey = pub(newKey(t)) }},
		"other decryption key":   {cfg: func(c *reunite.FileExchangeConfig) { c.DecryptionKey = newDecryptionKey(t) }},
		"other peer encryption key": {cfg: func(c *reunite.FileExchangeConfig) {
			c.PeerEncryptionKey = newDecryptionKey(t).PublicKey()
		}},
	} {
		recs, cfg := a.records, a.cfg
		if c.records != nil {
			recs = c.records
		}
		if c.cfg != nil {
			c.cfg(&cfg)
		}
		_, err := reunite.OpenFileExchange(a.state, recs, cfg)
		require.ErrorIs(t, err, psi.ErrStateMismatch, name)
	}
	// Local policy may change between steps.
	cfg := a.cfg
	cfg.Threshold, cfg.Peer = 0.9, "agency B"
	_, err = reunite.OpenFileExchange(a.state, a.records, cfg)
	require.NoError(t, err)

	state, err := os.ReadFile(a.state)
	require.NoError(t, err)
	bad := filepath.Join(t.TempDir(), "bad.state")
	// A well-formed state whose budget charge no exchange can have made.
	var st encoding.ExchangeState
	require.NoError(t, st.UnmarshalBinary(state))
	st.Charged = uint32(reunite.SessionCharge(reunite.MaxFileExchangeKeys)) + 1
	over, err := st.AppendBinary(nil)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(bad, over, 0o600))
	_, err = reunite.OpenFileExchange(bad, a.records, a.cfg)
	require.ErrorIs(t, err, psi.ErrStateCorrupt, "charge over the bound")
	st.Charged--
	ok, err := st.AppendBinary(nil)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(bad, ok, 0o600))
	_, err = reunite.OpenFileExchange(bad, a.records, a.cfg)
	require.NoError(t, err, "the largest charge an exchange can make")
	for i := 0; i < len(state); i += 1 + i/16 {
		for _, b := range [][]byte{state[:i], flip(state, i)} {
			require.NoError(t, os.WriteFile(bad, b, 0o600))
			_, err := reunite.OpenFileExchange(bad, a.records, a.cfg)
			require.ErrorIs(t, err, psi.ErrStateCorrupt, "byte %d", i)
		}
	}
}

func flip(b []byte, i int) []byte {
	out := bytes.Clone(b)
	out[i] ^= 1
	return out
}

// TestFileExchangeProtocolFailure runs agencies with different rule sets:
// B refuses message 0, tells A why in message 1, and both exchanges end
// failed, also after a restart.
func TestFileExchangeProtocolFailure(t *testing.T) {
	a, b := fileParties(t)
	other, err := match.NewRuleSet("other-rules", match.DefaultRules().Blocks(), match.DefaultRules().Comparisons(), 0)
	require.NoError(t, err)
	b.cfg.Rules = other
	dir := t.TempDir()
	a.start(t)
	b.start(t)
	m0, err := os.ReadFile(a.write(t, dir))
	require.NoError(t, err)
	err = b.readBytes(m0)
	require.ErrorIs(t, err, reunite.ErrExchangeFailed)
	require.ErrorIs(t, err, psi.ErrContextMismatch)
	require.True(t, b.x.Done())
	b.save(t)
	b.reopen(t)
	require.True(t, b.x.Done())
	res, err := b.x.Result()
	require.ErrorIs(t, err, reunite.ErrExchangeFailed)
	require.NotNil(t, res)
	assert.Contains(t, res.Audit.Outcome, "context")
	assert.Empty(t, res.Hits)
	require.ErrorIs(t, b.readBytes(m0), reunite.ErrExchangeFailed)

	m1, err := os.ReadFile(b.write(t, dir)) // the alert
	require.NoError(t, err)
	err = a.readBytes(m1)
	require.ErrorIs(t, err, psi.ErrPeerAborted)
	require.ErrorIs(t, err, psi.ErrContextMismatch)
	_, err = a.x.Result()
	require.ErrorIs(t, err, reunite.ErrExchangeFailed)
	_, ok := a.x.Outgoing()
	assert.False(t, ok, "nothing to answer to an alert")
}

// TestOfflineFileShowsOnlyItsSize runs exchanges and reads each file as a
// third party carrying it would: it holds none of the protocol's fields
// (no frame, message number, exchange ID, agency key, rule-set ID, set
// size or match count), and files of one size agree in their length field
// and, elsewhere, no more often than random bytes do.
func TestOfflineFileShowsOnlyItsSize(t *testing.T) {
	a, b := fileParties(t)
	files := runFiles(t, a, b, false, nil)
	ra, err := a.x.Result()
	require.NoError(t, err)
	rb, err := b.x.Result()
	require.NoError(t, err)
	id := a.x.ExchangeID()
	secrets := map[string][]byte{
		"frame magic":        []byte("RNTE"),
		"rule-set ID":        []byte(ra.Audit.RuleSetID),
		"rule-set ID prefix": []byte(ra.Audit.RuleSetID)[:8],
		"exchange ID":        id[:],
		"exchange ID prefix": id[:6],
		"A's signing key":    pub(a.cfg.SigningKey)[:8],
		"B's signing key":    pub(b.cfg.SigningKey)[:8],
		"A's X25519 key":     a.cfg.DecryptionKey.PublicKey().Bytes()[:8],
		"B's X25519 key":     b.cfg.DecryptionKey.PublicKey().Bytes()[:8],
	}
	for what, n := range map[string]int{"A's set size": ra.Audit.LocalKeys, "B's set size": rb.Audit.LocalKeys, "matched keys": ra.Audit.KeyHits, "A's records": ra.Audit.Records} {
		secrets[what] = binary.BigEndian.AppendUint32(nil, uint32(n))
	}
	// A second exchange between other agencies, for files of equal size
	// that have nothing else in common.
	a2, b2 := fileParties(t)
	files = append(files, runFiles(t, a2, b2, false, nil)...)
	bySize := map[int][][]byte{}
	for i, path := range files {
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		h, err := encoding.ParseOfflineFile(raw)
		require.NoError(t, err)
		assert.EqualValues(t, len(raw)-encoding.OfflineHeaderSize, h.Length, "file %d: the length field is the size", i)
		for what, v := range secrets {
			// The length field is left out: a count's four bytes could
			// line up with it.
			assert.False(t, bytes.Contains(raw[8:], v), "file %d shows the %s", i, what)
		}
		bySize[len(raw)] = append(bySize[len(raw)], raw)
	}
	pairs := 0
	for size, same := range bySize {
		for i := range same {
			for j := range i {
				pairs++
				p, q := same[i], same[j]
				assert.Equal(t, p[:8], q[:8], "files of %d bytes have one length field", size)
				agree := 0
				for k := 8; k < size; k++ {
					if p[k] == q[k] {
						agree++
					}
				}
				// Random bytes agree at 1/256 of the places: about 1.5 of
				// 400, and 6 or more less than once in a thousand pairs.
				assert.Less(t, float64(agree), 6+float64(size-8)/128, "files of %d bytes agree at %d places besides the length", size, agree)
			}
		}
	}
	require.Greater(t, pairs, 4, "several files of one size: messages 0, 1 and 5 of both exchanges are padded alike")
}

// firstMessage starts the exchange of a and b and returns A's message 0.
func firstMessage(t *testing.T, a, b *fileParty) []byte {
	a.start(t)
	b.start(t)
	m0, err := os.ReadFile(a.write(t, t.TempDir()))
	require.NoError(t, err)
	return m0
}

// TestFileExchangeReplayedStart replays A's message 0 to B after B
// answered it: a fresh responder sharing B's seen-exchanges file refuses
// it, also from another process's view of the file, while a first message
// B refused is not recorded.
func TestFileExchangeReplayedStart(t *testing.T) {
	a, b := fileParties(t)
	m0 := firstMessage(t, a, b)
	require.ErrorIs(t, b.readBytes(m0[:len(m0)-1]), reunite.ErrFileTruncated)
	require.NoError(t, b.readBytes(m0), "a refused file is not recorded as seen")
	b.save(t)

	again, err := reunite.StartFileExchange(b.records, b.cfg)
	require.NoError(t, err)
	err = again.ReadMessage(bytes.NewReader(m0))
	require.ErrorIs(t, err, reunite.ErrExchangeReplayed)
	require.ErrorIs(t, err, reunite.ErrFileReplay)
	assert.Equal(t, [reunite.ExchangeIDSize]byte{}, again.ExchangeID())
	_, owes := again.Outgoing()
	assert.False(t, owes, "a replayed first message is not answered")

	// Another exchange between the same agencies is read as usual.
	a2, b2 := fileParties(t)
	samePeers(a, b, a2, b2)
	require.NoError(t, b2.readBytes(firstMessage(t, a2, b2)))

	// The seen-exchanges file must exist and be intact.
	require.NoError(t, os.Remove(b.cfg.SeenExchanges))
	fresh, err := reunite.StartFileExchange(b.records, b.cfg)
	require.NoError(t, err)
	require.ErrorIs(t, fresh.ReadMessage(bytes.NewReader(m0)), reunite.ErrSeenExchanges)
	require.NoError(t, os.WriteFile(b.cfg.SeenExchanges, []byte("RNTR garbage"), 0o600))
	require.ErrorIs(t, fresh.ReadMessage(bytes.NewReader(m0)), reunite.ErrSeenExchanges)
	require.ErrorIs(t, reunite.CreateSeenExchanges(b.cfg.SeenExchanges), os.ErrExist)
}

// TestOpenFileExchangeOtherVersion reopens a state file that says it is of
// the previous format version, as one left by an older build would: it is
// refused as such, naming the version, not taken for a corrupt file only.
func TestOpenFileExchangeOtherVersion(t *testing.T) {
	a, _ := fileParties(t)
	a.start(t)
	state, err := os.ReadFile(a.state)
	require.NoError(t, err)
	require.Equal(t, byte(encoding.ExchangeStateVersion), state[4], "the version follows the 4-byte magic")
	old := bytes.Clone(state)
	old[4] = encoding.ExchangeStateVersion - 1
	path := filepath.Join(t.TempDir(), "old.state")
	require.NoError(t, os.WriteFile(path, old, 0o600))
	_, err = reunite.OpenFileExchange(path, a.records, a.cfg)
	require.ErrorIs(t, err, encoding.ErrVersion)
	assert.Contains(t, err.Error(), fmt.Sprintf("version %d", encoding.ExchangeStateVersion-1))
}

// TestFileExchangeRefusesBadRecordSets checks that starting or reopening
// an exchange refuses a nil set and repeated or empty IDs, as Match does.
func TestFileExchangeRefusesBadRecordSets(t *testing.T) {
	a, _ := fileParties(t)
	a.start(t)
	for name, records := range map[string][]match.Record{
		"nil":          nil,
		"repeated IDs": {{ID: "x", GivenNames: "Anna"}, {ID: "x", GivenNames: "Olga"}},
		"empty ID":     {{GivenNames: "Anna"}},
	} {
		_, err := reunite.StartFileExchange(records, a.cfg)
		assert.ErrorIs(t, err, reunite.ErrRecords, "start, %s", name)
		_, err = reunite.OpenFileExchange(a.state, records, a.cfg)
		assert.ErrorIs(t, err, reunite.ErrRecords, "reopen, %s", name)
	}
}

// TestFileExchangeChargesBudget runs exchanges with budgets on both sides:
// each side charges the peer's declared size once, under the pinned peer
// signing key's fingerprint whatever Peer says, in the turn that reads the
// peer's handshake, and the last turn's audit record, in another process,
// says so; a handshake's file that whoever carries it lengthened charges
// nothing; a peer past its budget is refused and learns only that.
func TestFileExchangeChargesBudget(t *testing.T) {
	a, b := fileParties(t)
	a.cfg.Peer = "" // the audit record names B by its key
	storeA, _ := openBudget(t, math.MaxInt32, time.Hour)
	storeB, _ := openBudget(t, math.MaxInt32, time.Hour)
	a.cfg.Budget, b.cfg.Budget = storeA, storeB
	nameA, nameB := reunite.SigningKeyFingerprint(pub(a.cfg.SigningKey)), reunite.SigningKeyFingerprint(pub(b.cfg.SigningKey))
	usedBy := map[int][2]int{} // per step, A's usage at B and B's at A before the step's read
	runFiles(t, a, b, true, func(step int, to *fileParty, file []byte) {
		if step <= 1 {
			// A byte appended to the handshake's file, after the
			// signed end: refused before any charge.
			require.ErrorIs(t, to.readBytes(append(bytes.Clone(file), 0)), reunite.ErrFileFormat)
		}
		usedBy[step] = [2]int{used(t, storeB, nameA, time.Now()), used(t, storeA, nameB, time.Now())}
	})
	ra, err := a.x.Result()
	require.NoError(t, err)
	rb, err := b.x.Result()
	require.NoError(t, err)
	chargeA, chargeB := reunite.SessionCharge(ra.Audit.LocalKeys), reunite.SessionCharge(rb.Audit.LocalKeys)
	assert.Equal(t, [2]int{0, 0}, usedBy[0], "nothing charged before message 0, nor for it lengthened")
	assert.Equal(t, [2]int{chargeA, 0}, usedBy[1], "B charged A reading message 0; A charged nothing for message 1 lengthened")
	assert.Equal(t, [2]int{chargeA, chargeB}, usedBy[2], "A charged B reading message 1")
	assert.Equal(t, chargeA, rb.Audit.Charged, "B charged A's declared size")
	assert.Equal(t, chargeB, ra.Audit.Charged, "A charged B's declared size")
	assert.Equal(t, chargeA, used(t, storeB, nameA, time.Now()), "under A's key, not its Peer name")
	assert.Zero(t, used(t, storeB, "A", time.Now()))
	assert.Equal(t, chargeB, used(t, storeA, nameB, time.Now()))
	assert.Equal(t, nameB, ra.Audit.Peer, "an empty Peer names the peer by its signing key")
	assert.Equal(t, "A", rb.Audit.Peer)

	// No room left for a second exchange: B refuses A's first message,
	// charging nothing more, and A learns only that it was refused.
	limited, _ := openBudget(t, chargeA, time.Hour)
	_, err = limited.Reserve(nameA, chargeA, time.Now())
	require.NoError(t, err)
	a2, b2 := fileParties(t)
	samePeers(a, b, a2, b2)
	b2.cfg.Budget = limited
	a2.start(t)
	b2.start(t)
	dir := t.TempDir()
	m0, err := os.ReadFile(a2.write(t, dir))
	require.NoError(t, err)
	err = b2.readBytes(m0)
	require.ErrorIs(t, err, reunite.ErrExchangeFailed)
	require.ErrorIs(t, err, reunite.ErrBudgetExceeded)
	b2.save(t)
	b2.reopen(t)
	res, err := b2.x.Result()
	require.ErrorIs(t, err, reunite.ErrExchangeFailed)
	assert.Zero(t, res.Audit.Charged)
	assert.Equal(t, chargeA, used(t, limited, nameA, time.Now()))
	alert, err := os.ReadFile(b2.write(t, dir))
	require.NoError(t, err)
	err = a2.readBytes(alert)
	require.ErrorIs(t, err, psi.ErrRefused)
	assert.NotErrorIs(t, err, reunite.ErrBudgetExceeded, "the peer learns it was refused, not why")
}
