package normalize

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The fast paths must give exactly what the general code gives. These
// tests compare them directly; TestEquivalence compares the public
// functions against the output recorded before the fast paths existed.

// prepareSimple is appendPrepareSimple with a string result, which the
// tests compare with prepareFull's.
func prepareSimple(s string) (string, bool) {
	b, ok := appendPrepareSimple(nil, s)
	return string(b), ok
}

// checkPrepare fails when prepareSimple accepts s but disagrees with
// prepareFull.
func checkPrepare(t testing.TB, s string) bool {
	t.Helper()
	got, ok := prepareSimple(s)
	if !ok {
		return false
	}
	if want := prepareFull(s); got != want {
		t.Fatalf("prepareSimple(%q) = %q, prepareFull = %q", s, got, want)
	}
	return true
}

func TestPrepareSimpleMatchesFull(t *testing.T) {
	inputs := []string{""}
	for _, l := range readGolden(t) {
		in, err := strconv.Unquote(strings.SplitN(l, "\t", 2)[0])
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, in)
	}
	simple := 0
	for _, s := range inputs {
		if checkPrepare(t, s) {
			simple++
		}
	}
	t.Logf("%d of %d golden inputs take the fast path", simple, len(inputs))

	// Every rune the table accepts, alone and next to every other kind of
	// accepted rune: a context effect would show here.
	tab := foldTable()
	var accepted []rune
	for r := rune(0); r < foldTableSize; r++ {
		if tab[r][0] != notSimple {
			accepted = append(accepted, r)
			if !checkPrepare(t, string(r)) || !checkPrepare(t, "X"+string(r)+"y") {
				t.Fatalf("rune %U is in the table but prepareSimple rejects it", r)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	n := 200000
	if testing.Short() {
		n = 20000
	}
	var b strings.Builder
	for range n {
		b.Reset()
		for range 1 + rng.IntN(6) {
			b.WriteRune(accepted[rng.IntN(len(accepted))])
		}
		if !checkPrepare(t, b.String()) {
			t.Fatalf("prepareSimple rejects %q, made of accepted runes", b.String())
		}
	}
}

// TestPrepareSimpleCoversNames guards the speed-up itself: the scripts of
// the records must not fall back to the slow path.
func TestPrepareSimpleCoversNames(t *testing.T) {
	for _, s := range []string{
		"Oleksandr", "Олександр Коваленко", "ЮЛІЯ Мар’яна", "Νίκος Παπαδόπουλος", "ΑΪΒΑΛΙΏΤΗΣ",
		"محمد الحسن", "رضا پور", "Nguyễn Văn An", "Đặng Thị Hoa", "José García-López", "Straße",
		"Łukasz Wałęsa", "Þór Guðmundsdóttir", "O’Brien", "Ђорђе Петровић", "Әсел Қасымов",
	} {
		if !checkPrepare(t, s) {
			t.Errorf("%q does not take the fast path", s)
		}
	}
	// And these must not: they need NFKC or multi-rune folding.
	for _, s := range []string{
		"a\u0301", "ﬁ", "ＭＡＲＩＡ", "İ", "ΐ", "ﻣﺤﻤﺪ", "\xff", "李", "Anna\u00a0Maria", "ŉ",
	} {
		if _, ok := prepareSimple(s); ok {
			t.Errorf("%q takes the fast path", s)
		}
	}
}

func FuzzPrepare(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		checkPrepare(t, s)
		if utf8.ValidString(s) {
			// The fast path's answer for the whole string must not depend
			// on where the string is cut.
			for i := range s {
				checkPrepare(t, s[:i])
			}
		}
	})
}

// TestNFDRune checks the decomposition table against x/text for every
// code point.
func TestNFDRune(t *testing.T) {
	var buf [16]byte
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		s := string(r)
		if got, want := string(nfdRune(buf[:0], r)), norm.NFD.String(s); got != want {
			t.Fatalf("nfdRune(%U) = %q, want %q", r, got, want)
		}
	}
}

func TestDecodeRune(t *testing.T) {
	check := func(s string) {
		for i := 0; i <= len(s); i++ {
			wr, wn := utf8.DecodeRuneInString(s[i:])
			if r, n := decodeRune([]byte(s), i); r != wr || n != wn {
				t.Fatalf("decodeRune(%q, %d) = %U, %d, want %U, %d", s, i, r, n, wr, wn)
			}
			if r, n := decodeRuneInString(s, i); r != wr || n != wn {
				t.Fatalf("decodeRuneInString(%q, %d) = %U, %d, want %U, %d", s, i, r, n, wr, wn)
			}
		}
	}
	var b [2]byte
	for c0 := 0; c0 < 256; c0++ {
		for c1 := 0; c1 < 256; c1++ {
			b[0], b[1] = byte(c0), byte(c1)
			check(string(b[:]))
		}
	}
	check(string(runePool))
}

// TestScriptLetters checks the shortcuts of isCyrillicLetter,
// isGreekLetter, isArabicLetter and isMark against the Unicode tables,
// and that greekMonotonic covers the letters that greekRun gives it
// without asking.
func TestScriptLetters(t *testing.T) {
	for c := rune(0x3ac); c <= 0x3ce; c++ {
		if _, ok := greekMonotonic(c); !ok {
			t.Fatalf("greekMonotonic(%U) is not ok", c)
		}
	}
	for c := rune(0); c <= unicode.MaxRune; c++ {
		arabic := (c >= 0x600 && c <= 0x6ff) || (c >= 0x750 && c <= 0x77f) || (c >= 0x8a0 && c <= 0x8ff)
		if got, want := isArabicLetter(c), arabic && c != 0x640 && unicode.IsLetter(c); got != want {
			t.Fatalf("isArabicLetter(%U) = %v", c, got)
		}
		if got, want := isMark(c), unicode.In(c, unicode.Mn, unicode.Me, unicode.Mc); got != want {
			t.Fatalf("isMark(%U) = %v", c, got)
		}
		if got, want := isCyrillicLetter(c), c >= 0x400 && c <= 0x52f && unicode.IsLetter(c); got != want {
			t.Fatalf("isCyrillicLetter(%U) = %v", c, got)
		}
		greek := (c >= 0x370 && c <= 0x3ff) || (c >= 0x1f00 && c <= 0x1fff)
		if got, want := isGreekLetter(c), greek && unicode.IsLetter(c); got != want {
			t.Fatalf("isGreekLetter(%U) = %v", c, got)
		}
	}
}

// TestLongText runs the renderer past its stack buffers, where the input
// and output move to the heap.
func TestLongText(t *testing.T) {
	words := []string{"Щукін", "Ωμέγα", "محمد", "Zoë", "李", "ᏍᏣ", "O'Brien", "Mar'яна", "ΨΥΧΉ"}
	for n := 1; n < 60; n++ {
		var in []string
		var want []string
		for k := range n {
			w := words[k%len(words)]
			in = append(in, w)
			if tw := Text(w); tw != "" {
				want = append(want, tw)
			}
		}
		s := strings.Join(in, " ")
		if got := Text(s); got != strings.Join(want, " ") {
			t.Fatalf("Text(%q) = %q, want %q", s, got, strings.Join(want, " "))
		}
	}
}
