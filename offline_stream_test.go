package reunite

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/internal/synth"
	"github.com/reunite-psi/reunite/psi"
)

// failAfter fails any read past its first left bytes.
type failAfter struct {
	r    io.Reader
	left int
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.left == 0 {
		return 0, errors.New("read past the limit")
	}
	n, err := f.r.Read(p[:min(len(p), f.left)])
	f.left -= n
	return n, err
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// oneChunk is how much of a file ReadMessage may read to learn the
// message number: the header and the first chunk.
const oneChunk = encoding.OfflineHeaderSize + encoding.OfflineChunkSize + encoding.OfflineChunkOverhead

// TestFileExchangeOversized gives B files larger than a message 0 can be:
// one A really signed (with 1 MiB of padding), refused once its first
// chunk told its number, and one whose header declares 128 MiB, refused
// when its first chunk does not decrypt. Neither is read further, and the
// right file is read afterwards.
func TestFileExchangeOversized(t *testing.T) {
	a, b := offlinePair(t)
	m := opened(t, a, b)
	m.Padding = 1 << 20
	padded, err := sealMessage(a.signKey, a.own, a.peer, a.peerEnc, m)
	require.NoError(t, err)
	huge := binary.BigEndian.AppendUint64(nil, encoding.OfflineCiphertextSize(128<<20))
	huge = append(huge, outgoingFile(t, a)[8:encoding.OfflineHeaderSize]...)
	for _, tt := range []struct {
		name string
		file io.Reader
		want error
	}{
		{"signed by A", bytes.NewReader(padded), ErrFileTooLarge},
		{"declared", io.MultiReader(bytes.NewReader(huge), zeros{}), ErrFileDecrypt},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := &failAfter{r: tt.file, left: oneChunk}
			require.ErrorIs(t, b.ReadMessage(r), tt.want)
		})
	}
	deliver(t, a, b)
}

// TestFirstMessageValidity has B read A's message 0 at times around its
// validity window: too old or dated too far ahead, it is refused.
func TestFirstMessageValidity(t *testing.T) {
	defer func(now func() time.Time) { timeNow = now }(timeNow)
	a, b := offlinePair(t)
	sent := time.Now()
	for _, tt := range []struct {
		name string
		now  time.Time
		want error
	}{
		{"expired", sent.Add(FirstMessageValidity + time.Minute), ErrFileExpired},
		{"from the future", sent.Add(-MaxClockSkew - time.Minute), ErrFileExpired},
		{"in time", sent.Add(FirstMessageValidity - time.Minute), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			timeNow = func() time.Time { return tt.now }
			err := b.ReadMessage(bytes.NewReader(outgoingFile(t, a)))
			if tt.want == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tt.want)
			}
		})
	}
}

// TestSeenExchangesRetention has B answer three exchanges over two months:
// when it records the third, the first's entry (older than the validity
// window) is dropped and the second's is kept, and the first's message 0
// is still refused, now as expired.
func TestSeenExchangesRetention(t *testing.T) {
	defer func(now func() time.Time) { timeNow = now }(timeNow)
	recsA, recsB, cfgA, cfgB := offlineAgencies(t, MatchConfig{})
	start := time.Now()
	var firsts [][]byte
	for i, at := range []time.Duration{0, 20 * 24 * time.Hour, 40 * 24 * time.Hour} {
		timeNow = func() time.Time { return start.Add(at) }
		a, b := offlinePairOf(t, recsA, recsB, cfgA, cfgB)
		require.NoError(t, b.ReadMessage(bytes.NewReader(outgoingFile(t, a))), "exchange %d", i)
		firsts = append(firsts, outgoingFile(t, a))
		seen, err := lockSeenExchanges(cfgB.SeenExchanges)
		require.NoError(t, err)
		n := seen.set.Len()
		seen.unlock()
		assert.Equal(t, min(i+1, 2), n, "entries after exchange %d", i)
	}
	_, b := offlinePairOf(t, recsA, recsB, cfgA, cfgB)
	require.ErrorIs(t, b.ReadMessage(bytes.NewReader(firsts[0])), ErrFileExpired)
	require.ErrorIs(t, b.ReadMessage(bytes.NewReader(firsts[1])), ErrExchangeReplayed)
}

// largeMessage3 runs an exchange between two synthetic files of some
// 20,000 keys a side until B has produced its message 3 (some MiB: the
// evaluations of A's keys and the tags of B's), and returns both sides and
// a function that reopens B from a state file. It skips the test in short
// mode and under the race detector.
func largeMessage3(t *testing.T) (a, b *FileExchange, reopenB func(path string) (*FileExchange, error)) {
	if testing.Short() || raceEnabled {
		t.Skip("runs PSI on some 20,000 keys a side, and measures the heap")
	}
	d := synth.Generate(synth.DefaultConfig(7, 100))
	cfgA, cfgB := fileConfigs(t, MatchConfig{})
	a, b = offlinePairOf(t, d.A, d.B, cfgA, cfgB)
	deliver(t, a, b) // 0
	deliver(t, b, a) // 1
	deliver(t, a, b) // 2
	return a, b, func(path string) (*FileExchange, error) { return OpenFileExchange(path, d.B, cfgB) }
}

// liveHeap returns the bytes of live heap objects.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// peakReader records the live heap each time the file is read from.
type peakReader struct {
	r    io.Reader
	peak uint64
}

func (p *peakReader) Read(b []byte) (int, error) {
	p.peak = max(p.peak, liveHeap())
	return p.r.Read(b)
}

// TestReadMessageStreams has A read B's message 3 (the evaluations of
// A's keys and the tags of B's, some MiB) and watches the live heap at
// every read from the file: it never grows by more than the tags the
// session keeps plus about one frame and one chunk, where holding the
// file whole would add its size, and its plaintext, again.
func TestReadMessageStreams(t *testing.T) {
	a, b, _ := largeMessage3(t)
	require.NoError(t, b.SaveState(filepath.Join(t.TempDir(), "state")))
	var file bytes.Buffer
	require.NoError(t, b.WriteMessage(&file))
	require.EqualValues(t, 3, b.out.number)
	m, n := len(a.setup.set.Elements), len(b.setup.set.Elements)
	b = nil
	path := filepath.Join(t.TempDir(), "m3")
	require.NoError(t, os.WriteFile(path, file.Bytes(), 0o600))
	size := file.Len()
	file = bytes.Buffer{}

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	before := liveHeap()
	r := &peakReader{r: f}
	require.NoError(t, a.ReadMessage(r))
	// What the session keeps of the file: B's tags and sealed payloads.
	tags := turnSize(3, m, n, a.setup.pcfg) - turnSize(3, m, 0, a.setup.pcfg)
	const slack = 1 << 20 // a frame of 4096 tags, a chunk, and the decoders
	t.Logf("message 3: %d bytes, %d of them tags; live heap %d before, peak %d while reading", size, tags, before, r.peak)
	require.Greater(t, size, 2*slack, "the file is large enough for the bound to tell")
	assert.Less(t, r.peak, before+uint64(tags)+slack)
}

// peakWriter records the live heap each time the file is written to.
type peakWriter struct {
	n    int
	peak uint64
}

func (p *peakWriter) Write(b []byte) (int, error) {
	p.peak = max(p.peak, liveHeap())
	p.n += len(b)
	return len(b), nil
}

// TestWriteMessageStreams has B produce its message 3 (some MiB) and
// checks that, once SaveState has put it in the state file, B holds it no
// longer: the live heap falls by about its size, writing it (twice, as a
// lost file is sent again) never grows the heap by more than a few
// blocks, and a FileExchange reopened from the state file does not hold
// it either (it reads the state whole while it opens it, and lets go).
// The bytes written are the file produced.
func TestWriteMessageStreams(t *testing.T) {
	a, b, reopen := largeMessage3(t)
	require.EqualValues(t, 3, b.out.number)
	sum := b.out.sum
	size := len(b.out.data)
	const slack = 1 << 20
	require.Greater(t, size, 2*slack, "the file is large enough for the bounds to tell")

	state := filepath.Join(t.TempDir(), "state")
	held := liveHeap()
	require.NoError(t, b.SaveState(state))
	saved := liveHeap()
	t.Logf("message 3: %d bytes; live heap %d before SaveState, %d after", size, held, saved)
	assert.Nil(t, b.out.data)
	assert.Less(t, saved+uint64(size)/2, held, "SaveState lets go of the file")

	for range 2 {
		w := &peakWriter{}
		require.NoError(t, b.WriteMessage(w))
		assert.Equal(t, size, w.n)
		assert.Less(t, w.peak, saved+slack, "writing holds a block at a time")
	}
	var file bytes.Buffer
	require.NoError(t, b.WriteMessage(&file))
	assert.Equal(t, sum, sha256.Sum256(file.Bytes()), "the file written is the file produced")
	file = bytes.Buffer{}

	fi, err := os.Stat(state)
	require.NoError(t, err)
	before := liveHeap()
	again, err := reopen(state)
	require.NoError(t, err)
	after := liveHeap()
	t.Logf("state file %d bytes; live heap %d before OpenFileExchange, %d after", fi.Size(), before, after)
	assert.Nil(t, again.out.data, "a reopened exchange does not hold the file")
	w := &peakWriter{}
	require.NoError(t, again.WriteMessage(w))
	assert.Equal(t, size, w.n)
	assert.Less(t, w.peak, after+slack)
	runtime.KeepAlive(again)

	// A state file replaced under the exchange is noticed, not sent.
	require.NoError(t, a.SaveState(state))
	err = again.WriteMessage(io.Discard)
	require.ErrorIs(t, err, psi.ErrStateMismatch)
}
