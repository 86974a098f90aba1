package normalize

import (
	"unicode"
	"unicode/utf8"
)

// Cyrillic transliteration styles. Style 0 is the canonical one used by
// Text; the others exist for Variants. Each is applied to a whole string.
const (
	// cyrICAO is the language-neutral column of ICAO Doc 9303 Part 3 (the
	// table Russian passports have used since 2013): й→i, ю→iu, я→ia, є→ie,
	// ъ→ie, х→kh, ц→ts, щ→shch, ь omitted.
	cyrICAO = iota
	// cyrRuBGN is the older BGN/PCGN-like form of Russian passports before
	// 2013 and of most English-language sources: й→y, ю→yu, я→ya, е→ye at
	// the start of a word and after a vowel or ь/ъ, ё→yo (Dmitriy, Yuliya,
	// Sergey).
	cyrRuBGN
	// cyrRuSimple is the simplified English form: final -ий and -ый→y, other й→i,
	// я→a after и and ia after ь (Dmitry, Yulia, Sergei, Natalia).
	cyrRuSimple
	// cyrUkKMU is the Ukrainian national system (Cabinet resolution 55 of
	// 2010, used in Ukrainian passports): г→h, и→y, є ї й ю я→ye yi y yu
	// ya at the start of a word and ie i i iu ia elsewhere, зг→zgh
	// (Yuliia, Serhii, Dmytro, Hanna).
	cyrUkKMU
	// cyrUkBGN is the common English form of Ukrainian names: г→h, и→y,
	// й→y, ю→yu, я→ya, є→ye, ї→yi (Serhiy, Yuliya, Oleksiy).
	cyrUkBGN
	// cyrBG is the Bulgarian official system: х→h, щ→sht, ъ→a, й→y, ю→yu,
	// я→ya (Hristo, Mihail).
	cyrBG
	// cyrSrStrip is Serbian Latin (Gaj) with its diacritics stripped, as
	// typed on foreign keyboards: ђ→d, ћ→c, ч→c, џ→dz, ш→s, ж→z, х→h, ц→c.
	cyrSrStrip
	// cyrSrAnglo is Serbian in English spelling: ђ→dj, ч→ch, ш→sh, ж→zh,
	// ћ→c, х→h, ц→c (Djordjevic, Cholic).
	cyrSrAnglo
	// cyrBE is the Belarusian column of ICAO Doc 9303: г→h, ё→io.
	cyrBE
	numCyrStyles
)

// langSet records which language-specific Cyrillic letters a string
// contains. It only gates Variants: a Russian-only reading of a
// Ukrainian-only string (or the reverse) would produce spellings no record
// uses.
type langSet struct {
	ru   bool // ы э ё: Russian (or Belarusian)
	hard bool // ъ: Russian or Bulgarian, never Ukrainian
	uk   bool // і ї є ґ and no Belarusian signs
	be   bool // ў, or і together with ы or э
	sr   bool // ђ ј љ њ ћ џ ѓ ќ ѕ: Serbian or Macedonian
}

func detectLang(p []byte) langSet {
	var l langSet
	var i, yi bool
	for _, c := range string(p) {
		switch c {
		case 'ы', 'э', 'ё':
			l.ru = true
		case 'ъ':
			l.hard = true
		case 'і':
			i = true
		case 'ї', 'є', 'ґ':
			yi = true
		case 'ў':
			l.be = true
		case 'ђ', 'ј', 'љ', 'њ', 'ћ', 'џ', 'ѓ', 'ќ', 'ѕ':
			l.sr = true
		}
	}
	if i && l.ru {
		l.be = true
	}
	l.uk = (i || yi) && !l.be
	return l
}

// cyrStyle maps scheme sc to the Cyrillic style used for a string with
// language signs l, falling back to ICAO where the style does not fit.
func cyrStyle(sc int, l langSet) int {
	if sc <= 0 || sc >= numCyrStyles {
		return cyrICAO
	}
	ok := true
	switch sc {
	case cyrRuBGN, cyrRuSimple:
		ok = !l.sr
	case cyrUkKMU, cyrUkBGN:
		ok = !l.ru && !l.hard && !l.be && !l.sr
	case cyrBG:
		ok = !l.ru && !l.uk && !l.be && !l.sr
	case cyrSrStrip, cyrSrAnglo:
		ok = l.sr
	case cyrBE:
		ok = l.be
	}
	if !ok {
		return cyrICAO
	}
	return sc
}

func isCyrillicLetter(c rune) bool {
	// U+0400–U+0481 are all letters, and they are nearly all that names
	// use; the general test costs a table search.
	if 0x400 <= c && c <= 0x481 {
		return true
	}
	return c >= 0x482 && c <= 0x52f && unicode.IsLetter(c)
}

// cyrHomoglyph maps the Latin letters that look like Cyrillic ones to them.
// Ukrainian data very often has a Latin i typed for і (Сергiй), and mixed
// keyboards produce other look-alikes inside Cyrillic words.
func cyrHomoglyph(c byte) rune {
	switch c {
	case 'a':
		return 'а'
	case 'e':
		return 'е'
	case 'i':
		return 'і'
	case 'o':
		return 'о'
	case 'c':
		return 'с'
	case 'p':
		return 'р'
	case 'x':
		return 'х'
	case 'y':
		return 'у'
	case 'k':
		return 'к'
	case 'm':
		return 'м'
	case 't':
		return 'т'
	}
	return 0
}

// startsCyrillic reports whether a Cyrillic letter starts at p[i:].
func startsCyrillic(p []byte, i int) bool {
	if i >= len(p) {
		return false
	}
	c, _ := decodeRune(p, i)
	return isCyrillicLetter(c)
}

// isASCIILetterAt reports whether p[i] is an ASCII letter.
func isASCIILetterAt(p []byte, i int) bool {
	return i < len(p) && 'a' <= p[i] && p[i] <= 'z'
}

// cyrillicRun reads one Cyrillic word starting at p[i:] and emits its
// transliteration; it returns the index after the word. Combining marks
// (stress accents) are dropped; an apostrophe between two Cyrillic letters
// is the Ukrainian and Belarusian hard-sign apostrophe (Мар'яна) and is
// part of the word, not a separator; a Latin look-alike letter next to
// Cyrillic letters is read as the Cyrillic one.
func (r *renderer) cyrillicRun(p []byte, i int) int {
	var buf [32]rune
	w := buf[:0]
	for i < len(p) {
		// Nearly every letter of a word is in U+0400–U+047F, two bytes
		// led by 0xD0 or 0xD1, all letters: they skip the calls below.
		if c0 := p[i]; c0&^1 == 0xd0 && i+1 < len(p) && p[i+1]&0xc0 == 0x80 {
			w = append(w, rune(c0&0x1f)<<6|rune(p[i+1]&0x3f))
			i += 2
			continue
		}
		c, size := decodeRune(p, i)
		switch {
		case isCyrillicLetter(c):
			w = append(w, c)
		case c < utf8.RuneSelf && cyrHomoglyph(byte(c)) != 0 &&
			(startsCyrillic(p, i+1) || (len(w) > 0 && !isASCIILetterAt(p, i+1))):
			w = append(w, cyrHomoglyph(byte(c)))
		case isMark(c) && len(w) > 0:
		case isApostrophe(c) && len(w) > 0 && startsCyrillic(p, i+size):
		default:
			r.cyrWord(w)
			return i
		}
		i += size
	}
	r.cyrWord(w)
	return i
}

func isCyrVowel(c rune) bool {
	switch c {
	case 'а', 'е', 'ё', 'и', 'і', 'ї', 'о', 'у', 'ы', 'э', 'ю', 'я', 'є':
		return true
	}
	return false
}

// cyrWord emits the transliteration of the Cyrillic letters w.
func (r *renderer) cyrWord(w []rune) {
	st := cyrStyle(r.sc, r.lang)
	for k := 0; k < len(w); k++ {
		c := w[k]
		var prev, next rune
		if k > 0 {
			prev = w[k-1]
		}
		if k+1 < len(w) {
			next = w[k+1]
		}
		initial := k == 0
		s := cyrLetter(st, c, prev, next, initial, k+2 == len(w))
		if s == skipNext {
			// A digraph spelled as one unit (final -ий in cyrRuSimple).
			r.emit("y")
			k++
			continue
		}
		if s == keepRune {
			if base, ok := cyrBase(c); ok {
				r.emit(base)
			} else {
				r.emitKept(c)
			}
			continue
		}
		r.emit(s)
	}
}

// Sentinels returned by cyrLetter.
const (
	skipNext = "\x00next"
	keepRune = "\x00keep"
)

// cyrLetter returns the Latin spelling of Cyrillic letter c under style st;
// prev and next are the neighbouring letters of the word (0 at its ends),
// nextLast reports that next is the word's final letter.
func cyrLetter(st int, c, prev, next rune, initial, nextLast bool) string {
	afterVowel := initial || isCyrVowel(prev) || prev == 'ь' || prev == 'ъ'
	switch c {
	case 'а':
		return "a"
	case 'б':
		return "b"
	case 'в':
		return "v"
	case 'г':
		switch st {
		case cyrUkKMU:
			if prev == 'з' {
				return "gh"
			}
			return "h"
		case cyrUkBGN, cyrBE:
			return "h"
		}
		return "g"
	case 'ґ', 'ѓ':
		return "g"
	case 'д':
		return "d"
	case 'е':
		if st == cyrRuBGN && afterVowel {
			return "ye"
		}
		return "e"
	case 'ё':
		switch st {
		case cyrRuBGN:
			if prev == 'ж' || prev == 'ч' || prev == 'ш' || prev == 'щ' || prev == 'ц' {
				return "o"
			}
			return "yo"
		case cyrBE:
			return "io"
		}
		return "e"
	case 'ж':
		if st == cyrSrStrip {
			return "z"
		}
		return "zh"
	case 'з':
		return "z"
	case 'и':
		switch st {
		case cyrUkKMU, cyrUkBGN:
			return "y"
		case cyrRuSimple:
			if next == 'й' && nextLast {
				return skipNext
			}
		}
		return "i"
	case 'ы':
		if st == cyrRuSimple && next == 'й' && nextLast {
			return skipNext
		}
		return "y"
	case 'і':
		return "i"
	case 'ї':
		switch st {
		case cyrRuBGN, cyrUkBGN:
			return "yi"
		case cyrUkKMU:
			if initial {
				return "yi"
			}
		}
		return "i"
	case 'й':
		switch st {
		case cyrRuBGN, cyrUkBGN, cyrBG:
			return "y"
		case cyrUkKMU:
			if initial {
				return "y"
			}
		}
		return "i"
	case 'ј':
		return "j"
	case 'к':
		return "k"
	case 'ќ':
		return "k"
	case 'л':
		return "l"
	case 'љ':
		return "lj"
	case 'м':
		return "m"
	case 'н':
		return "n"
	case 'њ':
		return "nj"
	case 'о':
		return "o"
	case 'п':
		return "p"
	case 'р':
		return "r"
	case 'с':
		return "s"
	case 'т':
		return "t"
	case 'у', 'ў':
		return "u"
	case 'ф':
		return "f"
	case 'х':
		switch st {
		case cyrBG, cyrSrStrip, cyrSrAnglo:
			return "h"
		}
		return "kh"
	case 'ц':
		if st == cyrSrStrip || st == cyrSrAnglo {
			return "c"
		}
		return "ts"
	case 'ч':
		if st == cyrSrStrip {
			return "c"
		}
		return "ch"
	case 'ш':
		if st == cyrSrStrip {
			return "s"
		}
		return "sh"
	case 'щ':
		if st == cyrBG {
			return "sht"
		}
		return "shch"
	case 'ъ':
		if next == 0 {
			// Only pre-1918 spelling ends words in ъ, and it was silent.
			return ""
		}
		switch st {
		case cyrICAO:
			return "ie"
		case cyrBG:
			return "a"
		}
		return ""
	case 'ь':
		if st == cyrBG && next == 'о' {
			return "y"
		}
		return ""
	case 'э':
		return "e"
	case 'ю':
		switch st {
		case cyrICAO, cyrBE:
			return "iu"
		case cyrUkKMU:
			if !initial {
				return "iu"
			}
		}
		return "yu"
	case 'я':
		switch st {
		case cyrICAO, cyrBE:
			return "ia"
		case cyrUkKMU:
			if !initial {
				return "ia"
			}
		case cyrRuSimple:
			if prev == 'и' {
				return "a"
			}
			if prev == 'ь' {
				return "ia"
			}
		}
		return "ya"
	case 'є':
		switch st {
		case cyrICAO:
			return "ie"
		case cyrUkKMU:
			if !initial {
				return "ie"
			}
		}
		return "ye"
	case 'ђ':
		if st == cyrSrAnglo {
			return "dj"
		}
		return "d"
	case 'ћ':
		// English spellings of Serbian write ć as c (Djordjevic), unlike
		// č (ch).
		return "c"
	case 'џ', 'ѕ':
		return "dz"
	// Letters of Kazakh, Kyrgyz, Tajik, Tatar, Bashkir and other languages
	// written in Cyrillic, which ICAO does not cover: the plain Latin
	// letter their national Latin alphabets use without diacritics.
	case 'ә', 'ӑ':
		return "a"
	case 'ғ', 'ҕ':
		return "g"
	case 'қ', 'ҡ', 'ҟ':
		return "k"
	case 'ң', 'ӈ':
		return "n"
	case 'ө', 'ӧ':
		return "o"
	case 'ұ', 'ү', 'ӯ', 'ӱ', 'ӳ':
		return "u"
	case 'һ', 'ҳ':
		return "h"
	case 'ҷ', 'ҹ':
		return "ch"
	case 'ӣ', 'ӥ':
		return "i"
	case 'ҙ':
		return "z"
	case 'ҫ':
		return "s"
	case 'ӗ', 'ѐ':
		return "e"
	case 'ѝ':
		return "i"
	case 'ӏ':
		return ""
	// Pre-1918 Russian letters, still met in old documents and émigré
	// names.
	case 'ѣ':
		return "e"
	case 'ѳ':
		return "f"
	case 'ѵ':
		return "i"
	case 'ѫ':
		return "u"
	}
	return keepRune
}

// cyrBase decomposes a Cyrillic letter that has no table entry (for
// example one with an accent that NFKC keeps composed) and returns the
// transliteration of its base letter.
func cyrBase(c rune) (string, bool) {
	var buf [16]byte
	d := nfdRune(buf[:0], c)
	base, n := utf8.DecodeRune(d)
	if n == len(d) || base == c {
		return "", false
	}
	s := cyrLetter(cyrICAO, base, 0, 0, false, false)
	if s == keepRune || s == skipNext {
		return "", false
	}
	return s, true
}
