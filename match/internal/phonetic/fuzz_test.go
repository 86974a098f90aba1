package phonetic

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzDoubleMetaphone(f *testing.F) {
	for _, tc := range dmCases {
		f.Add(tc.word, 4)
	}
	for _, s := range []string{"", " ", "ç", "ñ", "\xff", "sch ", "mac caffrey", "van gogh"} {
		f.Add(s, 0)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		n %= 16
		p, a := DoubleMetaphoneN(s, n)
		for _, code := range []string{p, a} {
			if n > 0 && len(code) > n {
				t.Fatalf("code %q longer than %d", code, n)
			}
			if strings.Trim(code, "AFHJKLMNPRSTX0") != "" {
				t.Fatalf("code %q has characters outside the alphabet", code)
			}
		}
		if a == p && a != "" {
			t.Fatalf("alternate %q repeats the primary", a)
		}
		// Case does not matter for ASCII input.
		if utf8.ValidString(s) {
			up, ua := DoubleMetaphoneN(strings.ToUpper(s), n)
			lp, la := DoubleMetaphoneN(strings.ToLower(s), n)
			if isASCII(s) && (up != lp || ua != la) {
				t.Fatalf("case changed the code of %q", s)
			}
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func TestFuzzSeedsLoaded(t *testing.T) {
	// The fuzz target takes its seeds from dmCases; an empty table would
	// silently fuzz from nothing.
	if len(dmCases) == 0 {
		t.Fatal("no seeds")
	}
}

func BenchmarkDoubleMetaphone(b *testing.B) {
	names := []string{"oleksandr", "kovalenko", "muhammad", "schmidt", "papadopoulos", "yankelovich", "garcia", "nguyen"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		DoubleMetaphone(names[i%len(names)])
	}
}
