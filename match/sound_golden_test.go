package match

import (
	"flag"
	"strconv"
	"strings"
	"testing"

	"github.com/reunite-psi/reunite/internal/golden"
)

// The golden file pins the readings of soundCodes for thousands of frozen
// tokens, so that the coder can be tuned for speed and shown to give the
// same codes. The inputs cannot be regenerated: most come from
// internal/synth. When the codes are meant to change, rewrite the outputs
// (the inputs stay) with
//
//	go test ./match -run TestSoundCodesGolden -update
//
// and review the diff of the decompressed file.

const soundGoldenPath = "testdata/soundcodes.golden.gz"

const soundGoldenHeader = `# Sound codes; see sound_golden_test.go. One line per token: the quoted token, then
# each reading of soundCodes(token), quoted ("" when the token has no code).
# Built from the current coder after it was checked equal, on every token, to the
# coder it replaced: the 2,658 distinct normalize.Tokens and NameTokens of the names,
# aliases, parent names and birth places of internal/synth (DefaultConfig seed 1,
# 2000 children), then the 15,696 distinct ones among 20,000 random strings over
# a-z, 0, '-', '\'', space and the two bytes of ç, alone or together (PCG seed 1, 2).
# Only outputs are rewritten, with:
#   go test ./match -run TestSoundCodesGolden -update
`

// updatingGolden reports whether -update was given. The flag belongs to
// rules_test.go, which is compiled into the same test binary (as package
// match_test) and so cannot be defined twice; looking it up keeps one
// -update for every golden file of the package.
func updatingGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// soundGoldenReadings are the readings of one token, as the file writes
// them.
func soundGoldenReadings(tok string) string {
	var cols []string
	for _, r := range soundCodes(tok) {
		cols = append(cols, strconv.Quote(r))
	}
	return strings.Join(cols, "\t")
}

func TestSoundCodesGolden(t *testing.T) {
	entries := golden.Read(t, soundGoldenPath)
	if len(entries) < 2000 {
		t.Fatalf("%s has only %d tokens", soundGoldenPath, len(entries))
	}
	if updatingGolden() {
		golden.Write(t, soundGoldenPath, soundGoldenHeader, entries, soundGoldenReadings)
		return
	}
	golden.Compare(t, soundGoldenPath, entries, soundGoldenReadings, "go test ./match -run TestSoundCodesGolden -update")
	// appendSoundCodes is what key derivation calls; it must append the
	// same codes after a prefix.
	for _, e := range entries {
		want := "xy" + strings.Join(soundCodes(e.Input), "")
		if got, _, _ := appendSoundCodes([]byte("xy"), e.Input); string(got) != want {
			t.Fatalf("appendSoundCodes(xy, %q) = %q, want %q", e.Input, got, want)
		}
	}
}

// BenchmarkAppendSoundCodes codes the name tokens of the golden file, as
// key derivation does.
func BenchmarkAppendSoundCodes(b *testing.B) {
	toks := golden.Inputs(golden.Read(b, soundGoldenPath), "names")
	if len(toks) == 0 {
		b.Fatal("no names in " + soundGoldenPath)
	}
	var buf []byte
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf, _, _ = appendSoundCodes(buf[:0], toks[i%len(toks)])
	}
}
