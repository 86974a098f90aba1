package normalize

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestText(t *testing.T) {
	cases := []struct{ name, in, want string }{
		// Latin: case, diacritics, letters that do not decompose.
		{"plain", "Oleksandr Kovalenko", "oleksandr kovalenko"},
		{"spaces and hyphen", "  Oleksandr   Kovalenko- ", "oleksandr kovalenko"},
		{"diaeresis", "Zoë", "zoe"},
		{"acute", "José María", "jose maria"},
		{"umlaut stripped", "Müller", "muller"},
		{"vietnamese", "Nguyễn Văn An", "nguyen van an"},
		{"vietnamese d", "Đặng Thị Hoa", "dang thi hoa"},
		{"sharp s", "Straße", "strasse"},
		{"capital sharp s", "STRAẞE", "strasse"},
		{"nordic", "Ærø Søren Åse", "aero soren ase"},
		{"polish", "Łukasz Wałęsa Łódź", "lukasz walesa lodz"},
		{"icelandic", "Þór Guðmundsdóttir", "thor gudmundsdottir"},
		{"turkish", "İsmail Işık Gülşen Çelik Doğan", "ismail isik gulsen celik dogan"},
		{"czech", "Dvořák Šimon Žofie", "dvorak simon zofie"},
		{"azerbaijani schwa", "Məmmədov", "mammadov"},
		{"croatian dj", "Đorđević", "dordevic"},
		{"oe ligature", "Œuvre", "oeuvre"},
		{"ij ligature", "Ĳsbrand", "ijsbrand"},
		{"fullwidth", "ＭＡＲＩＡ", "maria"},
		// Apostrophes and dashes of every kind separate.
		{"apostrophe ascii", "O'Brien", "o brien"},
		{"apostrophe right quote", "O’Brien", "o brien"},
		{"apostrophe modifier", "Oʼ Brien", "o brien"},
		{"apostrophe left quote", "D‘Angelo", "d angelo"},
		{"backtick and acute", "N`Diaye D´Souza", "n diaye d souza"},
		{"dashes", "Anna‐Maria‑Luisa–Petra—Eva", "anna maria luisa petra eva"},
		{"punctuation", "Smith, John (Jr.)", "smith john jr"},
		{"digits kept", "Anna 2nd", "anna 2nd"},
		{"arabic digits", "٢٠١١", "2011"},
		{"persian digits", "۲۰۱۱", "2011"},
		{"soft hyphen and zwj", "Ma\u00adria\u200dna", "mariana"},
		{"empty", "", ""},
		{"only punctuation", " -'’ ", ""},
		// Cyrillic, ICAO Doc 9303.
		{"ukrainian", "Олександр Коваленко", "oleksandr kovalenko"},
		{"russian", "Александр", "aleksandr"},
		{"russian ii", "Дмитрий", "dmitrii"},
		{"ukrainian i ia", "Юлія", "iuliia"},
		{"russian ia", "Юлия", "iuliia"},
		{"icao table", "Щукин Жанна Хасанов Цой Чехов Шевчук Съедин Эльвира Ёлкин Ыкмакова",
			"shchukin zhanna khasanov tsoi chekhov shevchuk sieedin elvira elkin ykmakova"},
		{"ukrainian letters", "Ґалаґан Їжакевич Єнакієве", "galagan izhakevich ienakiieve"},
		{"ukrainian apostrophe", "Мар'яна Солов’ян", "mariana solovian"},
		{"latin i in ukrainian", "Сергiй", "sergii"},
		{"latin homoglyph at end", "Ивановa", "ivanova"},
		{"stress accent", "Алекса́ндр", "aleksandr"},
		{"serbian", "Ђорђе Петровић Јован Љиљана Његош Џeмал", "dorde petrovic jovan ljiljana njegosh dzemal"},
		{"belarusian", "Аляксандр Ўладзімір", "aliaksandr uladzimir"},
		{"kazakh", "Әсел Қасымов Нұрлан Өмірбек", "asel kasymov nurlan omirbek"},
		{"pre-1918", "Пѣтръ", "petr"},
		{"mixed case cyrillic", "ОЛЕКСАНДР коваленко", "oleksandr kovalenko"},
		// Greek, ELOT 743.
		{"greek", "Νίκος Παπαδόπουλος", "nikos papadopoulos"},
		{"greek capitals", "ΝΙΚΟΣ ΠΑΠΑΔΟΠΟΥΛΟΣ", "nikos papadopoulos"},
		{"greek chi", "Χρήστος Γιώργος", "christos giorgos"},
		{"greek initial mp nt", "Μπάμπης Ντίνος", "mpampis ntinos"},
		{"greek inner mp nt", "Λαμπράκης Παντελής", "lamprakis pantelis"},
		{"greek gamma clusters", "Άγγελος Αγκαλιά Γκίκας", "angelos agkalia gkikas"},
		{"greek av ef", "Ευάγγελος Ευθύμιος Μαύρος", "evangelos efthymios mavros"},
		{"greek diaeresis", "Αϊβαλιώτης", "aivaliotis"},
		{"greek xi psi", "Αλέξανδρος Ψαρράς", "alexandros psarras"},
		// Arabic script, consonantal.
		{"arabic muhammad", "محمد", "mhmd"},
		{"arabic with harakat", "مُحَمَّد", "mhmd"},
		{"arabic presentation forms", "ﻣﺤﻤﺪ", "mhmd"},
		{"arabic ahmad", "أحمد", "ahmd"},
		{"arabic ali", "علي", "aly"},
		{"arabic fatima", "فاطمة", "fatma"},
		{"arabic article", "الحسن", "al hsn"},
		{"arabic abdullah", "عبد الله", "abd allah"},
		{"arabic abdullah in one word", "عبدالله", "abdallah"},
		{"arabic allah after the article", "العبدالله", "al abdallah"},
		{"arabic khalid", "خالد", "khald"},
		{"arabic tatweel", "محـــمد", "mhmd"},
		{"persian", "رضا پور", "rda pwr"},
		{"han, family name and given name", "李小龍", "li xiaolong"},
		{"han, family name read as such", "单", "shan"},
		{"han, compound family name", "欧阳修", "ouyang xiu"},
		{"han, unknown first character splits at three", "邝秀英", "kuang xiuying"},
		{"han, two characters not starting with a family name", "秀英", "xiuying"},
		{"han, u umlaut as on passports", "吕", "lyu"},
		{"hangul, family name and given name", "김민준", "kim minjun"},
		{"hangul, two syllables are a given name", "서연", "seoyeon"},
		{"hangul, compound family name", "남궁민", "namgung min"},
		{"hangul, family name alone", "이", "lee"},
		{"hangul, no sound change across syllables", "신라", "sinra"},
		// Scripts without a table: NFKC and case folded, otherwise as is.
		{"hangul jamo alone", "ㄱ", "ᄀ"},
		{"kana", "さくら タナカ", "さくら タナカ"},
		{"halfwidth kana", "ｻｸﾗ", "サクラ"},
		{"hebrew", "דוד כהן", "דוד כהן"},
		{"devanagari keeps its marks", "राहुल", "राहुल"},
		{"armenian folds", "ԱՐԱՄ", "արամ"},
		{"han with latin", "李 Li-Wei", "li li wei"},
		{"han glued to latin", "Li陈x", "li chen x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Text(tc.in)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, got, Text(got), "idempotent")
		})
	}
}

// TestTextCrossScript checks that the spellings the brief names meet at
// the level they are meant to: equal Text, a shared variant, or an equal
// skeleton of the name key.
func TestTextCrossScript(t *testing.T) {
	sameText := [][]string{
		{"Олександр Коваленко", "Oleksandr Kovalenko", "OLEKSANDR KOVALENKO"},
		{"Νίκος Παπαδόπουλος", "Nikos Papadopoulos"},
		{"Zoë", "Zoe", "ZOË"},
		{"José María", "Jose Maria", "JOSÉ MARÍA"},
		{"Nguyễn Văn An", "Nguyen Van An"},
	}
	for _, g := range sameText {
		for _, s := range g[1:] {
			assert.Equal(t, Text(g[0]), Text(s), "%s vs %s", g[0], s)
		}
	}
	sharedVariant := [][2]string{
		{"Дмитрий", "Dmitriy"}, {"Дмитрий", "Dmitry"}, {"Дмитрий", "Dmitrii"},
		{"Юлія", "Yuliia"}, {"Юлия", "Yulia"}, {"Юлия", "Yuliya"},
		{"Müller", "Mueller"}, {"Müller", "Muller"},
		{"Ганна", "Hanna"}, {"Сергій", "Serhii"}, {"Сергій", "Serhiy"}, {"Сергей", "Sergey"},
		{"Сергей", "Sergei"}, {"Дмитро", "Dmytro"}, {"Наталья", "Natalya"}, {"Наталья", "Natalia"},
		{"Пётр", "Pyotr"}, {"Христо", "Hristo"}, {"Γιώργος", "Yiorgos"}, {"Χρήστος", "Hristos"},
		{"Đorđević", "Djordjevic"}, {"Ђорђевић", "Djordjevic"}, {"Şahin", "Shahin"},
		{"رضا", "rza"}, {"الياس", "alyas"},
	}
	for _, p := range sharedVariant {
		assert.True(t, shareVariant(p[0], p[1]), "%s and %s should share a variant: %q %q", p[0], p[1], Variants(p[0]), Variants(p[1]))
	}
	sameSkeleton := [][]string{
		{"Олександр Коваленко", "Aleksandr Kovalenko", "Oleksandr Kovalenko", "Alexander Kowalenko"},
		{"Дмитрий", "Dmitriy", "Dmitry", "Dmitrii", "Dmytro"},
		{"Юлія", "Yuliia", "Julia", "Yulia", "Iulia"},
		{"محمد", "Muhammad", "Mohamed", "Mohammed", "Mohammad", "Muhamed"},
		{"أحمد", "Ahmed", "Ahmad", "Ahmet", "Achmed", "Akhmed"},
		{"عبد الله", "Abdullah", "Abd Allah", "Abdallah", "Abdulla"},
		{"حسن", "Hassan", "Hasan", "al-Hassan"},
		{"Müller", "Mueller", "Muller"},
		{"Сергій", "Serhii", "Sergei", "Sergey", "Serguei"},
	}
	for _, g := range sameSkeleton {
		want := SkeletonKey(g[0])
		for _, s := range g[1:] {
			assert.Equal(t, want, SkeletonKey(s), "%s vs %s", g[0], s)
		}
	}
}

func shareVariant(a, b string) bool {
	for _, x := range Variants(a) {
		for _, y := range Variants(b) {
			if x == y {
				return true
			}
		}
	}
	return false
}

func TestTextASCIIFastPathDoesNotAllocate(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() { _ = Text("oleksandr kovalenko") })
	assert.Zero(t, allocs, "normalized ASCII must come back as is")
	assert.Equal(t, "a b", Text("A--B"))
}

// Tokens returns the tokens of Text(s), or nil when s has none. Package
// match takes tokens from NameTokens; the tests check Text through it.
func Tokens(s string) []string {
	return appendTokens(nil, Text(s))
}

func TestTokens(t *testing.T) {
	assert.Equal(t, []string{"oleksandr", "kovalenko"}, Tokens(" Олександр  Коваленко- "))
	assert.Nil(t, Tokens(" - "))
}

// runePool holds characters from every block the normalizer treats
// specially, plus traps: marks without a base, invalid bytes, joiners,
// characters that NFKC or case folding expand.
var runePool = []rune(
	"abcxyzABCXYZ0189 -'’ʼ‘`´‐‑–—.,;()/\t\n" +
		"éüöäßẞæøåđłþðıİœĳﬁﬀǅǈǋŉǰΐ" +
		"\u0301\u0308\u030c\u0327\u0306\u0345\u200c\u200d\u00ad\u0640\u02b9\u02ba\ufeff" +
		"абвгдеёжзийклмнопрстуфхцчшщъыьэюяАЯЁЙіїєґІЇЄҐўђјљњћџѓќѕәқңөұүһѣѳѵ" +
		"αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰΑΩἀᾳ" +
		"ابتثجحخدذرزسشصضطظعغفقكلمنهويىةأإآءؤئپچژگکیےﻣﺤﻤﺪ\u064e\u064f\u0650\u0651\u0652٠٩۰۹" +
		"李小龍김민준각さくらタナカｻｸﾗדוד\u05b0राहुल\u093fԱարամᏣᏍ𝐀𝔸①½™" +
		"\ufffd\U0001F600")

func randomString(r *rand.Rand) string {
	n := r.IntN(24)
	var b strings.Builder
	for i := 0; i < n; i++ {
		if r.IntN(40) == 0 {
			b.WriteByte(byte(0x80 + r.IntN(0x80))) // invalid UTF-8
			continue
		}
		b.WriteRune(runePool[r.IntN(len(runePool))])
	}
	return b.String()
}

// checkText asserts the invariants of Text's output for input in.
func checkText(t testing.TB, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("Text(%q) = %q is not valid UTF-8", in, out)
	}
	if again := Text(out); again != out {
		t.Fatalf("Text not idempotent on %q: %q then %q", in, out, again)
	}
	if strings.HasPrefix(out, " ") || strings.HasSuffix(out, " ") || strings.Contains(out, "  ") {
		t.Fatalf("Text(%q) = %q has stray spaces", in, out)
	}
	for _, tok := range strings.Split(out, " ") {
		if tok == "" {
			continue
		}
		for _, c := range tok {
			if c < utf8.RuneSelf {
				if !isLowerAlnum(byte(c)) {
					t.Fatalf("Text(%q) = %q has ASCII %q", in, out, c)
				}
				continue
			}
			// A non-ASCII rune must be one Text has no table for.
			if transliterable(c) {
				t.Fatalf("Text(%q) = %q kept %q, which has a table entry", in, out, c)
			}
		}
	}
}

// transliterable reports whether Text has an ASCII form for c on its own.
func transliterable(c rune) bool {
	got := Text(string(c))
	return got != "" && isASCII(got)
}

func TestTextProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		in := randomString(r)
		var out string
		require.NotPanics(t, func() { out = Text(in) }, "%q", in)
		checkText(t, in, out)
		if isASCII(out) && out != "" {
			for _, v := range Variants(in) {
				require.True(t, utf8.ValidString(v))
			}
		}
	}
}

// TestConcurrentUse runs the exported functions from many goroutines; with
// -race it proves there is no shared mutable state (the case folder, in
// particular, is made per call).
func TestConcurrentUse(t *testing.T) {
	inputs := []string{"Олександр Коваленко", "Νίκος", "محمد الحسن", "Müller", "O'Brien", "李小龍"}
	want := make([]string, len(inputs))
	for i, s := range inputs {
		want[i] = Text(s) + "|" + strings.Join(Variants(s), ",") + "|" + NameKey(s) + "|" + SkeletonKey(s)
	}
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 200; i++ {
				k := i % len(inputs)
				s := inputs[k]
				got := Text(s) + "|" + strings.Join(Variants(s), ",") + "|" + NameKey(s) + "|" + SkeletonKey(s)
				if got != want[k] {
					t.Errorf("%q: %q != %q", s, got, want[k])
					return
				}
			}
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
}
