package reunite

import (
	"bytes"
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
	huge = append(huge, a.outgoing[8:encoding.OfflineHeaderSize]...)
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
			err := b.ReadMessage(bytes.NewReader(a.outgoing))
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
		require.NoError(t, b.ReadMessage(bytes.NewReader(a.outgoing)), "exchange %d", i)
		firsts = append(firsts, a.outgoing)
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
	if testing.Short() || raceEnabled {
		t.Skip("runs PSI on some 20,000 keys a side, and measures the heap")
	}
	d := synth.Generate(synth.DefaultConfig(7, 100))
	cfgA, cfgB := fileConfigs(t, MatchConfig{})
	a, b := offlinePairOf(t, d.A, d.B, cfgA, cfgB)
	deliver(t, a, b) // 0
	deliver(t, b, a) // 1
	deliver(t, a, b) // 2
	require.NoError(t, b.SaveState(filepath.Join(t.TempDir(), "state")))
	var file bytes.Buffer
	require.NoError(t, b.WriteMessage(&file))
	require.EqualValues(t, 3, b.outNumber)
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
