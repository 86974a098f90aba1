package reunite

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// offlinePair starts an exchange between the test agencies A and B.
func offlinePair(t testing.TB) (a, b *FileExchange) {
	recsA, recsB, cfgA, cfgB := offlineAgencies(t, MatchConfig{})
	return offlinePairOf(t, recsA, recsB, cfgA, cfgB)
}

// offlineAgencies returns the records of the test agencies A and B and
// their configurations, with fresh keys, under cfg (roles aside).
func offlineAgencies(t testing.TB, cfg MatchConfig) (recsA, recsB []match.Record, cfgA, cfgB FileExchangeConfig) {
	recsA, _, err := match.ReadFile("testdata/agency-a.csv", match.ReadOptions{})
	require.NoError(t, err)
	recsB, _, err = match.ReadFile("testdata/agency-b.csv", match.ReadOptions{})
	require.NoError(t, err)
	cfgA, cfgB = fileConfigs(t, cfg)
	return recsA, recsB, cfgA, cfgB
}

// fileConfigs returns the configurations of an initiator and a responder
// with fresh keys, under cfg (roles aside).
func fileConfigs(t testing.TB, cfg MatchConfig) (cfgA, cfgB FileExchangeConfig) {
	_, ka, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	_, kb, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	da, err := ecdh.X25519().GenerateKey(rand.Reader)
	require.NoError(t, err)
	db, err := ecdh.X25519().GenerateKey(rand.Reader)
	require.NoError(t, err)
	seen := filepath.Join(t.TempDir(), "seen")
	require.NoError(t, CreateSeenExchanges(seen))
	mA, mB := cfg, cfg
	mA.Role, mB.Role = psi.RoleInitiator, psi.RoleResponder
	cfgA = FileExchangeConfig{MatchConfig: mA, SigningKey: ka, PeerSigningKey: kb.Public().(ed25519.PublicKey), DecryptionKey: da, PeerEncryptionKey: db.PublicKey()}
	cfgB = FileExchangeConfig{MatchConfig: mB, SigningKey: kb, PeerSigningKey: ka.Public().(ed25519.PublicKey), DecryptionKey: db, PeerEncryptionKey: da.PublicKey(), SeenExchanges: seen}
	return cfgA, cfgB
}

// offlinePairOf starts an exchange between agencies holding recsA and
// recsB under cfgA and cfgB.
func offlinePairOf(t testing.TB, recsA, recsB []match.Record, cfgA, cfgB FileExchangeConfig) (a, b *FileExchange) {
	a, err := StartFileExchange(recsA, cfgA)
	require.NoError(t, err)
	b, err = StartFileExchange(recsB, cfgB)
	require.NoError(t, err)
	return a, b
}

// deliver saves from's state and hands its message to to.
func deliver(t *testing.T, from, to *FileExchange) {
	require.NoError(t, from.SaveState(filepath.Join(t.TempDir(), "state")))
	var buf bytes.Buffer
	require.NoError(t, from.WriteMessage(&buf))
	require.NoError(t, to.ReadMessage(&buf))
}

// opened decrypts from's current message file as its recipient to would.
func opened(t testing.TB, from, to *FileExchange) *encoding.OfflineMessage {
	stream, _, err := openFile(bytes.NewReader(outgoingFile(t, from)), to.decKey, from.own, from.peer)
	require.NoError(t, err)
	plain, err := io.ReadAll(stream)
	require.NoError(t, err)
	m := new(encoding.OfflineMessage)
	require.NoError(t, m.UnmarshalBinary(plain))
	return m
}

// resigned returns from's current message with its frames replaced, signed
// and encrypted again by from: a file the peer really wrote that does not
// hold exactly one turn.
func resigned(t *testing.T, from, to *FileExchange, edit func([]encoding.Frame) []encoding.Frame) []byte {
	m := opened(t, from, to)
	m.Frames, m.Padding = edit(m.Frames), 0
	out, err := sealMessage(from.signKey, from.own, from.peer, from.peerEnc, m)
	require.NoError(t, err)
	return out
}

// TestReadMessageWholeTurns refuses signed files with frames after the end
// of the sender's turn, or that stop before its end, and leaves the state
// as it was.
func TestReadMessageWholeTurns(t *testing.T) {
	a, b := offlinePair(t)
	refuse := func(to *FileExchange, file []byte) {
		t.Helper()
		before, err := to.exchangeState()
		require.NoError(t, err)
		require.ErrorIs(t, to.ReadMessage(bytes.NewReader(file)), ErrFileFormat)
		after, err := to.exchangeState()
		require.NoError(t, err)
		require.Equal(t, before, after)
	}
	// Message 0 is the Hello alone; a second frame is past the turn.
	refuse(b, resigned(t, a, b, func(f []encoding.Frame) []encoding.Frame { return append(f, f[0]) }))
	require.Equal(t, [ExchangeIDSize]byte{}, b.ExchangeID(), "a refused file sets no exchange ID")
	deliver(t, a, b) // and the refused message 0 was not recorded as seen
	deliver(t, b, a)
	deliver(t, a, b)
	deliver(t, b, a)
	// Message 4 is the reveals and the Finish; without the Finish the
	// turn is incomplete.
	n, ok := a.Outgoing()
	require.True(t, ok)
	require.EqualValues(t, 4, n)
	refuse(b, resigned(t, a, b, func(f []encoding.Frame) []encoding.Frame {
		require.Equal(t, encoding.TypeFinish, f[len(f)-1].Type)
		return f[:len(f)-1]
	}))
	deliver(t, a, b)
	require.True(t, b.Done())
	deliver(t, b, a)
	require.True(t, a.Done())
	ra, err := a.Result()
	require.NoError(t, err)
	require.NotEmpty(t, ra.Hits)
}

// TestForgedSender has a third party, who knows both agencies' public keys
// (they are not secret), write a file to B in A's name: it decrypts, since
// anyone can encrypt to B, but its signature is not A's.
func TestForgedSender(t *testing.T) {
	a, b := offlinePair(t)
	m := opened(t, a, b)
	_, forger, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	forged, err := sealMessage(forger, a.own, a.peer, a.peerEnc, m)
	require.NoError(t, err)
	require.ErrorIs(t, b.ReadMessage(bytes.NewReader(forged)), ErrFileSignature)

	// A file A signed for another recipient does not verify for B, even
	// once re-encrypted to B: the signatures cover the recipient's keys.
	other := a.peer
	other.Sign = [encoding.OfflineKeySize]byte(forger.Public().(ed25519.PublicKey))
	forged, err = sealMessage(a.signKey, a.own, other, a.peerEnc, m)
	require.NoError(t, err)
	require.ErrorIs(t, b.ReadMessage(bytes.NewReader(forged)), ErrFileDecrypt, "the HPKE info holds the recipient's keys")

	deliver(t, a, b)
}

// TestFileSizesFollowSetSizes runs whole exchanges and checks that every
// file is exactly as large as its message number allows for the two set
// sizes: the padding hides everything else, and never falls short.
func TestFileSizesFollowSetSizes(t *testing.T) {
	for _, mode := range []psi.Mode{psi.BothLearn, psi.InitiatorOnly} {
		t.Run(mode.String(), func(t *testing.T) {
			recsA, recsB, cfgA, cfgB := offlineAgencies(t, MatchConfig{Mode: mode})
			a, b := offlinePairOf(t, recsA, recsB, cfgA, cfgB)
			m, n := len(a.setup.set.Elements), len(b.setup.set.Elements)
			from, to := a, b
			for !(a.Done() && b.Done()) {
				number, ok := from.Outgoing()
				require.True(t, ok)
				want := fileSize(turnSize(number, m, n, a.setup.pcfg))
				assert.EqualValues(t, want, len(outgoingFile(t, from)), "message %d", number)
				if number >= 2 {
					assert.EqualValues(t, want, to.maxFileSize(number), "after the handshake, message %d may hold exactly what it does", number)
				}
				deliver(t, from, to)
				from, to = to, from
			}
			ra, err := a.Result()
			require.NoError(t, err)
			require.Greater(t, ra.Audit.KeyHits, 1, "keys matched, and the files did not show how many")
		})
	}
}

// TestAlertLooksLikeAnswer has B refuse A's Hello (another rule set): its
// alert is padded to the size of the HelloReply it replaces.
func TestAlertLooksLikeAnswer(t *testing.T) {
	a, b := offlinePair(t)
	other, err := match.NewRuleSet("other-rules", match.DefaultRules().Blocks(), match.DefaultRules().Comparisons(), 0)
	require.NoError(t, err)
	a2, b2 := offlinePair(t)
	b2.setup.pcfg.Context = []byte(other.ID())
	b2.session, err = psi.NewSession(b2.setup.pcfg, b2.setup.set)
	require.NoError(t, err)

	deliver(t, a, b)
	require.NoError(t, a2.SaveState(filepath.Join(t.TempDir(), "state")))
	var buf bytes.Buffer
	require.NoError(t, a2.WriteMessage(&buf))
	require.ErrorIs(t, b2.ReadMessage(&buf), psi.ErrContextMismatch)
	require.Len(t, outgoingFile(t, b2), len(outgoingFile(t, b)), "the alert is as large as the answer")
}

// FuzzReadMessage feeds arbitrary bytes to a fresh responder's
// ReadMessage, as they are and as the message stream of a file validly
// encrypted and signed in the initiator's name (so the fuzzer reaches the
// stream decoder and the protocol's checks): it never panics, and every
// refusal is typed.
func FuzzReadMessage(f *testing.F) {
	recsA, recsB, cfgA, cfgB := offlineAgencies(f, MatchConfig{})
	a, b := offlinePairOf(f, recsA, recsB, cfgA, cfgB)
	m := opened(f, a, b)
	plain, err := m.AppendBinary(nil)
	require.NoError(f, err)
	f.Add(plain)
	f.Add(outgoingFile(f, a)[:len(outgoingFile(f, a))-1])
	f.Add(plain[:len(plain)/2])
	typed := []error{ErrFileFormat, ErrFileTruncated, ErrFileTooLarge, ErrFileDecrypt, ErrFileSignature,
		ErrFileOrder, ErrFileExchange, ErrFileReplay, ErrFileExpired, ErrExchangeFailed}
	f.Fuzz(func(t *testing.T, data []byte) {
		files := [][]byte{data}
		if len(data) > 0 {
			file, err := sealStream(a.signKey, a.own, a.peer, a.peerEnc, data)
			require.NoError(t, err)
			files = append(files, file)
		}
		for _, file := range files {
			err := b.ReadMessage(bytes.NewReader(file))
			if err == nil || errors.Is(err, ErrExchangeFailed) {
				// The fuzzer wrote a message 0 that the protocol took, or
				// failed on: b moved on (a refused file changes nothing).
				var serr error
				b, serr = StartFileExchange(recsB, cfgB)
				require.NoError(t, serr)
			}
			if err == nil {
				continue
			}
			ok := false
			for _, e := range typed {
				ok = ok || errors.Is(err, e)
			}
			require.True(t, ok, "untyped refusal: %v", err)
		}
	})
}

// outgoingFile returns x's current message file, from memory or from the
// state file that holds it.
func outgoingFile(t testing.TB, x *FileExchange) []byte {
	t.Helper()
	b, err := x.out.bytes()
	require.NoError(t, err)
	return b
}

// TestFailureTextCutsAtACharacter checks that a failure text too long for
// the state file is cut within its limit and at a character boundary.
func TestFailureTextCutsAtACharacter(t *testing.T) {
	short := errors.New("reunite: short")
	assert.Equal(t, short.Error(), failureText(short))
	long := errors.New("x" + strings.Repeat("é", encoding.MaxFailureSize)) // the cut falls inside an é
	got := failureText(long)
	assert.LessOrEqual(t, len(got), encoding.MaxFailureSize)
	assert.True(t, utf8.ValidString(got))
	assert.Equal(t, encoding.MaxFailureSize-1, len(got), "only the split character is dropped")
}

// TestReadMessageChargesOnce has B refuse a first message that A signed
// with a frame past the end of its turn, after B admitted and charged its
// handshake, and then read the intact one: A's budget is charged once, and
// the state saved in between keeps the charge for the audit record.
func TestReadMessageChargesOnce(t *testing.T) {
	recsA, recsB, cfgA, cfgB := offlineAgencies(t, MatchConfig{})
	path := filepath.Join(t.TempDir(), "budget.json")
	store, err := CreateBudgetStore(path, 1<<30, time.Hour)
	require.NoError(t, err)
	cfgB.Budget = store
	a, b := offlinePairOf(t, recsA, recsB, cfgA, cfgB)
	peer := SigningKeyFingerprint(cfgB.PeerSigningKey)
	charge := SessionCharge(len(a.setup.set.Elements))
	require.ErrorIs(t, b.ReadMessage(bytes.NewReader(resigned(t, a, b, func(f []encoding.Frame) []encoding.Frame {
		return append(f, f[0])
	}))), ErrFileFormat)
	used, err := store.Used(peer, time.Now())
	require.NoError(t, err)
	require.Equal(t, charge, used, "the handshake was admitted and charged before the extra frame")

	state := filepath.Join(t.TempDir(), "b.state")
	require.NoError(t, b.SaveState(state))
	b, err = OpenFileExchange(state, recsB, cfgB)
	require.NoError(t, err)
	deliver(t, a, b)
	used, err = store.Used(peer, time.Now())
	require.NoError(t, err)
	assert.Equal(t, charge, used, "the intact file is not charged again")
	require.NoError(t, b.SaveState(state))
	b, err = OpenFileExchange(state, recsB, cfgB)
	require.NoError(t, err)
	for !(a.Done() && b.Done()) {
		deliver(t, b, a)
		if !b.Done() {
			deliver(t, a, b)
		}
	}
	res, err := b.Result()
	require.NoError(t, err)
	assert.Equal(t, charge, res.Audit.Charged)
	assert.Equal(t, charge, SessionCharge(res.Audit.PeerKeys))
}

// TestDeclaredSizeChargesTheDifference admits handshakes of several sizes
// into one exchange, as a FileExchange does when it refuses a file after
// charging its handshake and then reads another: the budget holds the
// charge of the largest size, charged once.
func TestDeclaredSizeChargesTheDifference(t *testing.T) {
	store, err := CreateBudgetStore(filepath.Join(t.TempDir(), "budget.json"), 1<<30, time.Hour)
	require.NoError(t, err)
	var d declaredSize
	admit := d.wrap(nil, store, "peer")
	for _, tt := range []struct{ declared, charged int }{
		{154, 154}, {154, 154}, {1019, 1019}, {500, 1019}, {0, 1019},
	} {
		require.NoError(t, admit(tt.declared))
		used, err := store.Used("peer", time.Now())
		require.NoError(t, err)
		assert.Equal(t, tt.charged, used, "after %d declared", tt.declared)
		assert.Equal(t, tt.charged, d.charged, "after %d declared", tt.declared)
		assert.Equal(t, tt.declared, d.n)
	}
	var empty declaredSize
	require.NoError(t, empty.wrap(nil, store, "empty")(0))
	assert.Equal(t, 1, empty.charged, "an empty set costs one element")
}
