package phonetic

import (
	"flag"
	"strconv"
	"strings"
	"testing"

	"github.com/reunite-psi/reunite/internal/golden"
)

// The golden file pins the codes of DoubleMetaphoneN for thousands of
// frozen inputs, so that the encoder can be tuned for speed and shown to
// give the same codes. The inputs cannot be regenerated here: most come
// from the synthetic data of package synth, which imports match and so
// must stay out of this leaf package's tests. When the codes are meant to
// change, rewrite the outputs (the inputs stay) with
//
//	go test ./match/internal/phonetic -run TestDoubleMetaphoneGolden -update
//
// and review the diff of the decompressed file.
var updateGolden = flag.Bool("update", false, "rewrite the outputs of testdata/doublemetaphone.golden.gz from the current implementation")

const goldenPath = "testdata/doublemetaphone.golden.gz"

// goldenLengths are the code lengths of the columns: no limit, the
// shortest code, the length key derivation uses and a longer one, so that
// a change to where codes are cut shows.
var goldenLengths = []int{0, 1, 4, 6}

const goldenHeader = `# Double Metaphone codes; see golden_test.go. One line per input: the quoted input,
# then for n = 0, 1, 4, 6 the quoted primary and alternate of DoubleMetaphoneN(input, n).
# Built from the current encoder after it was checked equal, on every input, to the
# encoder it replaced: the 2,658 distinct normalize.Tokens and NameTokens of the
# names, aliases, parent names and birth places of the synthetic data of package
# synth (DefaultConfig seed 1, 2000 children), then the 8,388 distinct ones among
# 10,000 random strings (upper and lower case, space, punctuation, ç, Ñ, é, invalid
# UTF-8; PCG seed 3, 4).
# Only outputs are rewritten, with:
#   go test ./match/internal/phonetic -run TestDoubleMetaphoneGolden -update
`

// goldenOutputs are the outputs of one input, as the file writes them.
func goldenOutputs(s string) string {
	var outs []string
	for _, n := range goldenLengths {
		p, a := DoubleMetaphoneN(s, n)
		outs = append(outs, strconv.Quote(p), strconv.Quote(a))
	}
	return strings.Join(outs, "\t")
}

func TestDoubleMetaphoneGolden(t *testing.T) {
	entries := golden.Read(t, goldenPath)
	if len(entries) < 2000 {
		t.Fatalf("%s has only %d inputs", goldenPath, len(entries))
	}
	if *updateGolden {
		golden.Write(t, goldenPath, goldenHeader, entries, goldenOutputs)
		return
	}
	golden.Compare(t, goldenPath, entries, goldenOutputs,
		"go test ./match/internal/phonetic -run TestDoubleMetaphoneGolden -update")
	// AppendPrimary has its own path through the encoder's pool.
	for _, e := range entries {
		for _, n := range goldenLengths {
			p, _ := DoubleMetaphoneN(e.Input, n)
			if got := AppendPrimary([]byte("x"), e.Input, n); string(got) != "x"+p {
				t.Fatalf("AppendPrimary(x, %q, %d) = %q, want %q", e.Input, n, got, "x"+p)
			}
		}
	}
}

// BenchmarkAppendPrimary codes the name tokens of the golden file, as key
// derivation does.
func BenchmarkAppendPrimary(b *testing.B) {
	toks := golden.Inputs(golden.Read(b, goldenPath), "names")
	if len(toks) == 0 {
		b.Fatal("no names in " + goldenPath)
	}
	var buf []byte
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf = AppendPrimary(buf[:0], toks[i%len(toks)], DefaultMaxLength)
	}
}
