package reunite

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"path/filepath"
	"testing"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
	"github.com/stretchr/testify/require"
)

// offlinePair starts an exchange between the test agencies A and B.
func offlinePair(t testing.TB) (a, b *FileExchange) {
	recsA, _, err := match.ReadFile("testdata/agency-a.csv", match.ReadOptions{})
	require.NoError(t, err)
	recsB, _, err := match.ReadFile("testdata/agency-b.csv", match.ReadOptions{})
	require.NoError(t, err)
	_, ka, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	_, kb, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	a, err = StartFileExchange(recsA, FileExchangeConfig{MatchConfig: MatchConfig{Role: psi.RoleInitiator}, SigningKey: ka, PeerKey: kb.Public().(ed25519.PublicKey)})
	require.NoError(t, err)
	b, err = StartFileExchange(recsB, FileExchangeConfig{MatchConfig: MatchConfig{Role: psi.RoleResponder}, SigningKey: kb, PeerKey: ka.Public().(ed25519.PublicKey)})
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

// resigned returns from's current message with its frames replaced, signed
// again by from: a file the peer really signed that does not hold exactly
// one turn.
func resigned(t *testing.T, from *FileExchange, edit func([]encoding.Frame) []encoding.Frame) []byte {
	msg, err := readMessage(bytes.NewReader(from.outgoing), from.ownPub, from.peerKey, from.maxBytes, from.maxFrames)
	require.NoError(t, err)
	return encodeMessage(from.ownKey, from.ownPub, from.peerKey, from.role(), from.exchange, msg.number, edit(msg.frames))
}

// TestReadMessageWholeTurns refuses signed files with frames after the end
// of the sender's turn, or that stop before its end, and leaves the state
// as it was.
func TestReadMessageWholeTurns(t *testing.T) {
	a, b := offlinePair(t)
	refuse := func(to *FileExchange, file []byte) {
		t.Helper()
		before, err := to.marshal()
		require.NoError(t, err)
		require.ErrorIs(t, to.ReadMessage(bytes.NewReader(file)), ErrFileFormat)
		after, err := to.marshal()
		require.NoError(t, err)
		require.Equal(t, before, after)
	}
	// Message 0 is the Hello alone; a second frame is past the turn.
	refuse(b, resigned(t, a, func(f []encoding.Frame) []encoding.Frame { return append(f, f[0]) }))
	require.Equal(t, [ExchangeIDSize]byte{}, b.ExchangeID(), "a refused file sets no exchange ID")
	deliver(t, a, b)
	deliver(t, b, a)
	deliver(t, a, b)
	deliver(t, b, a)
	// Message 4 is the reveals and the Finish; without the Finish the
	// turn is incomplete.
	n, ok := a.Outgoing()
	require.True(t, ok)
	require.EqualValues(t, 4, n)
	refuse(b, resigned(t, a, func(f []encoding.Frame) []encoding.Frame {
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

// FuzzReadMessage feeds arbitrary bytes to the message-file reader, with
// and without a valid signature: it must not panic, and must return either
// an error or a message whose frames re-encode to the file.
func FuzzReadMessage(f *testing.F) {
	a, b := offlinePair(f)
	f.Add(a.outgoing)
	f.Add([]byte(fileMagic))
	require.NoError(f, b.ReadMessage(bytes.NewReader(a.outgoing)))
	f.Add(b.outgoing)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, file := range [][]byte{data, resign(a, data)} {
			msg, err := readMessage(bytes.NewReader(file), a.ownPub, a.peerKey, a.maxBytes, a.maxFrames)
			if err != nil {
				continue
			}
			again := encodeMessage(a.ownKey, a.ownPub, a.peerKey, msg.role, msg.exchange, msg.number, msg.frames)
			require.Equal(t, file, again)
		}
	})
}

// resign replaces the last 64 bytes of data, if it has them, with x's
// signature of the rest.
func resign(x *FileExchange, data []byte) []byte {
	if len(data) < ed25519.SignatureSize {
		return data
	}
	body := data[:len(data)-ed25519.SignatureSize]
	signed := append(signaturePrefix(x.ownPub, x.peerKey), body...)
	return append(bytes.Clone(body), ed25519.Sign(x.ownKey, signed)...)
}

// FuzzExchangeState feeds arbitrary bytes, and arbitrary bodies with a
// valid checksum, to the state-file parser: it must not panic.
func FuzzExchangeState(f *testing.F) {
	a, _ := offlinePair(f)
	st, err := a.marshal()
	require.NoError(f, err)
	f.Add(st)
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = parseExchangeState(data)
		if len(data) >= sha256.Size {
			fixed := bytes.Clone(data)
			sum := sha256.Sum256(fixed[:len(fixed)-sha256.Size])
			copy(fixed[len(fixed)-sha256.Size:], sum[:])
			_, _ = parseExchangeState(fixed)
		}
	})
}
