package phonetic

import (
	"cmp"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzDoubleMetaphone(f *testing.F) {
	for _, tc := range dmCases {
		f.Add(tc.word, 4)
	}
	for _, s := range []string{
		"", " ", "ç", "ñ", "\xff", "sch ", "mac caffrey", "van gogh", "san jacinto", "jose", "caesar",
		"bacher", "michael", "orchestra", "mchugh", "czerny", "focaccia", "bellocchio", "accident",
		"laugh", "cagney", "tagliaro", "ranger", "biaggi", "cabrillo", "island", "sugar", "schooner",
		"schermerhorn", "resnais", "thomas", "arnow", "filipowicz", "zhao", "rogier", "breaux",
		"campbell", "dumb", "wright", "xavier", "edge", "edgar", "gnome", "jankelowicz",
	} {
		f.Add(s, 0)
		f.Add(s, 4)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		n %= 16
		p, a := DoubleMetaphoneN(s, n)
		if got := AppendPrimary(nil, s, n); string(got) != p {
			t.Fatalf("AppendPrimary(nil, %q, %d) = %q, primary is %q", s, n, got, p)
		}
		// Room to spare in dst: the encoder must append after the prefix,
		// not write over it.
		dst := append(make([]byte, 0, 64), "prefix"...)
		if got := AppendPrimary(dst, s, n); string(got) != "prefix"+p {
			t.Fatalf("AppendPrimary(prefix, %q, %d) = %q, want %q", s, n, got, "prefix"+p)
		}
		// A limit cuts the codes without changing them, so that keys of
		// different lengths agree on their common part.
		if n > 0 {
			fullP, fullA := DoubleMetaphoneN(s, 0)
			cut := func(code string) string { return code[:min(n, len(code))] }
			if p != cut(fullP) || cmp.Or(a, p) != cut(cmp.Or(fullA, fullP)) {
				t.Fatalf("DoubleMetaphoneN(%q, %d) = %q, %q: not a cut of %q, %q", s, n, p, a, fullP, fullA)
			}
		}
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
