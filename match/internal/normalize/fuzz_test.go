package normalize

import (
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds are real names in every script the package handles, plus the
// traps of runePool. Each fuzz target starts from all of them.
var fuzzSeeds = []string{
	"Олександр Коваленко", "Aleksandr Kovalenko", "Дмитрий", "Юлія", "Сергiй", "Мар'яна",
	"Ђорђе Петровић", "Νίκος Παπαδόπουλος", "Αϊβαλιώτης", "محمد", "عبد الله", "الحسن", "رضا پور",
	"Zoë", "José María", "Müller", "Nguyễn Văn An", "O'Brien", "al-Hassan", "Abdurrahman",
	"van der Berg", "李小龍", "김민준", "ＭＡＲＩＡ", "ᏍᏣ", "ꮝꮳ", "İstanbul", "\xff\xfe", "a\u0301",
	"", " ", string(runePool),
	// Han and Hangul names, and the hyphenated Latin given names that
	// NameTokens joins.
	"陈秀英", "欧阳娜娜", "單𠀀志明", "박지훈", "남궁민", "Xiu-ying", "Kim Min‑jun", "Yi Seo-yeon",
}

func addSeeds(f *testing.F) {
	if len(fuzzSeeds) == 0 {
		f.Fatal("no fuzz seeds")
	}
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
}

func FuzzText(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		checkText(t, s, Text(s))
	})
}

func FuzzTokens(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		toks := Tokens(s)
		if strings.Join(toks, " ") != Text(s) {
			t.Fatalf("Tokens(%q) = %q does not rebuild Text", s, toks)
		}
		for _, tok := range toks {
			if tok == "" || strings.Contains(tok, " ") {
				t.Fatalf("bad token %q", tok)
			}
		}
	})
}

func FuzzVariants(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		v := Variants(s)
		if len(v) > MaxVariants || !sort.StringsAreSorted(v) {
			t.Fatalf("Variants(%q) = %q", s, v)
		}
		if Text(s) != "" && !contains(v, Text(s)) {
			t.Fatalf("Variants(%q) = %q lacks Text", s, v)
		}
		for i, x := range v {
			if i > 0 && v[i-1] == x {
				t.Fatalf("duplicate %q", x)
			}
			if !utf8.ValidString(x) || Text(x) != x {
				t.Fatalf("variant %q of %q is not normalized", x, s)
			}
		}
	})
}

func FuzzNameTokens(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		toks := NameTokens(s)
		for _, tok := range toks {
			if tok == "" || strings.Contains(tok, " ") {
				t.Fatalf("bad token %q", tok)
			}
		}
		if len(toks) > len(Tokens(s)) {
			t.Fatalf("NameTokens(%q) = %q has more tokens than Tokens", s, toks)
		}
	})
}

func FuzzDropParticles(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		in := strings.Fields(s)
		before := strings.Join(in, "\x00")
		out := DropParticles(in)
		if strings.Join(in, "\x00") != before {
			t.Fatal("input modified")
		}
		if len(in) > 0 && len(out) == 0 {
			t.Fatalf("DropParticles(%q) dropped everything", in)
		}
		for i, tok := range out {
			if IsParticle(tok) && hasNonParticleAfter(out[i+1:]) {
				t.Fatalf("particle %q left before a name in %q", tok, out)
			}
		}
	})
}

func FuzzIsParticle(f *testing.F) {
	addSeeds(f)
	f.Add("al")
	f.Fuzz(func(t *testing.T, s string) {
		if IsParticle(s) && Text(s) != s {
			t.Fatalf("particle %q is not normalized", s)
		}
	})
}

func FuzzNameKey(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		k := NameKey(s)
		if !utf8.ValidString(k) {
			t.Fatalf("NameKey(%q) = %q is not valid UTF-8", s, k)
		}
		toks := strings.Fields(k)
		if !sort.StringsAreSorted(toks) || strings.Join(toks, " ") != k {
			t.Fatalf("NameKey(%q) = %q is not sorted single-spaced", s, k)
		}
	})
}

func FuzzSkeletonKey(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		k := SkeletonKey(s)
		toks := strings.Fields(k)
		if !sort.StringsAreSorted(toks) || strings.Join(toks, " ") != k {
			t.Fatalf("SkeletonKey(%q) = %q is not sorted single-spaced", s, k)
		}
	})
}

func FuzzFirstGiven(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		g := FirstGiven(s)
		if toks := NameTokens(s); (len(toks) == 0) != (g == "") {
			t.Fatalf("FirstGiven(%q) = %q with tokens %q", s, g, toks)
		}
	})
}

func FuzzFirstFamily(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		first, last := FirstFamily(s), LastFamily(s)
		if (first == "") != (last == "") || strings.Contains(first, " ") {
			t.Fatalf("FirstFamily(%q) = %q, LastFamily = %q", s, first, last)
		}
	})
}

func FuzzLastFamily(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		l := LastFamily(s)
		if l != "" && !contains(NameTokens(s), l) {
			t.Fatalf("LastFamily(%q) = %q is not a name token", s, l)
		}
	})
}

func FuzzConsonantSkeleton(f *testing.F) {
	addSeeds(f)
	for _, s := range fuzzSeeds {
		for _, tok := range Tokens(s) {
			f.Add(tok)
		}
	}
	f.Add("xbx") // two x apart: found by the fuzzer when the bound was len+1
	f.Fuzz(func(t *testing.T, s string) {
		k := ConsonantSkeleton(s)
		if !utf8.ValidString(s) {
			return
		}
		if strings.TrimSpace(s) != "" && k == "" {
			t.Fatalf("ConsonantSkeleton(%q) is empty", s)
		}
		lower := s != ""
		for i := 0; i < len(s); i++ {
			if s[i] < 'a' || s[i] > 'z' {
				lower = false
			}
		}
		if lower {
			// Only x grows (to ks), so a skeleton is at most twice as long.
			if len(k) > 2*len(s) || strings.Trim(k, "abcdefghijklmnopqrstuvwxyz") != "" {
				t.Fatalf("ConsonantSkeleton(%q) = %q", s, k)
			}
			if ConsonantSkeleton(k) == "" {
				t.Fatalf("skeleton of skeleton %q empty", k)
			}
		}
	})
}

func FuzzSurnameVariants(f *testing.F) {
	addSeeds(f)
	f.Add("wong")
	f.Fuzz(func(t *testing.T, s string) {
		v := SurnameVariants(s)
		if !sort.StringsAreSorted(v) {
			t.Fatalf("SurnameVariants(%q) = %q is not sorted", s, v)
		}
		for _, x := range v {
			if toks := NameTokens(x); len(toks) != 1 || toks[0] != x {
				t.Fatalf("SurnameVariants(%q) gives %q, not a token of NameTokens", s, x)
			}
		}
	})
}
