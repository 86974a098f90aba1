package normalize

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkTokenizer fails unless tz gives what NameTokens gives for s, and
// Tokens(s) is the tokens of s's words, one word at a time: the property
// that lets a Tokenizer remember words.
func checkTokenizer(t *testing.T, tz *Tokenizer, s string) {
	t.Helper()
	var perWord []string
	for _, w := range strings.Fields(s) {
		perWord = append(perWord, Tokens(w)...)
	}
	require.Equal(t, Tokens(s), perWord, "Tokens(%q) depends on more than one word at a time", s)
	want := NameTokens(s)
	got := tz.AppendNameTokens([]string{"kept"}, s)
	require.Equal(t, "kept", got[0], "what dst held is kept")
	if len(want) == 0 {
		require.Len(t, got, 1, "%q", s)
		return
	}
	require.Equal(t, want, got[1:], "Tokenizer.AppendNameTokens(%q)", s)
}

// TestTokenizerMatchesNameTokens checks one Tokenizer, remembering words
// from input to input, against NameTokens on every input of the
// equivalence corpus, and on names made of its words joined at random.
func TestTokenizerMatchesNameTokens(t *testing.T) {
	var tz Tokenizer
	lines := readGolden(t)
	var words []string
	for _, line := range lines {
		in, err := strconv.Unquote(strings.SplitN(line, "\t", 2)[0])
		require.NoError(t, err)
		checkTokenizer(t, &tz, in)
		words = append(words, strings.Fields(in)...)
	}
	require.NotEmpty(t, words)
	rng := rand.New(rand.NewPCG(1, 2))
	seps := []string{" ", "  ", "\u00a0", "\t", "\u3000", "\u2009"}
	for range 5000 {
		var b strings.Builder
		for k := range 1 + rng.IntN(4) {
			if k > 0 {
				b.WriteString(seps[rng.IntN(len(seps))])
			}
			b.WriteString(words[rng.IntN(len(words))])
		}
		checkTokenizer(t, &tz, b.String())
	}
}

// TestTokenizerJoinsAcrossWords checks the joins NameTokens makes between
// words, which a Tokenizer must make on the whole name, not per word.
func TestTokenizerJoinsAcrossWords(t *testing.T) {
	var tz Tokenizer
	for _, tc := range []struct{ in, want string }{
		{"O Brien", "obrien"},
		{"Mc Donald", "mcdonald"},
		{"Abd al Rahman", "abdrahman"},
		{"عبد الله", "abdlah"},
		{"Brien O", "brien o"},
	} {
		assert.Equal(t, strings.Fields(tc.want), tz.AppendNameTokens(nil, tc.in), tc.in)
	}
}

func FuzzTokenizer(f *testing.F) {
	addSeeds(f)
	var tz Tokenizer
	f.Fuzz(func(t *testing.T, s string) {
		checkTokenizer(t, &tz, s)
		checkTokenizer(t, new(Tokenizer), s)
	})
}

// TestNextWordSplitsAsFields checks nextWord against strings.Fields on
// every white space character and on invalid UTF-8 around them.
func TestNextWordSplitsAsFields(t *testing.T) {
	var spaces []rune
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if unicode.IsSpace(r) {
			spaces = append(spaces, r)
		}
	}
	require.Contains(t, spaces, '\u3000')
	inputs := []string{"", " ", "a", "\xe2\xc2\xa0b", "\xc2", "x\xe3\x80", "Олександр\u00a0Коваленко"}
	for _, sp := range spaces {
		inputs = append(inputs, "a"+string(sp)+"b", string(sp)+"Юлія"+string(sp), "\xe2"+string(sp)+"\x80")
	}
	for _, in := range inputs {
		got := []string{}
		for s := in; ; {
			var w string
			w, s = nextWord(s)
			if w == "" {
				break
			}
			got = append(got, w)
		}
		assert.Equal(t, strings.Fields(in), got, "%q", in)
	}
}

// TestTokenizerText checks that a Tokenizer's Text is Text, when it
// remembers and when it does not.
func TestTokenizerText(t *testing.T) {
	var tz Tokenizer
	for _, s := range append(fuzzSeeds, fuzzSeeds...) {
		assert.Equal(t, Text(s), tz.Text(s), "%q", s)
	}
}
