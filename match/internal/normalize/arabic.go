package normalize

import "unicode"

// Arabic-script transliteration styles.
//
// Arabic names are usually written without short vowels, and the long
// vowels ا و ي double as consonants, so no table can give the spelling a
// person uses in Latin script (محمد is Muhammad, Mohamed, Mohammed…). The
// canonical style therefore writes the letters as they stand, one Latin
// letter or digraph each, close to common press romanization:
// ب b, ت t, ث th, ج j, ح h, خ kh, د d, ذ dh, ر r, ز z, س s, ش sh, ص s,
// ض d, ط t, ظ z, ع a at the start of a word and nothing elsewhere, غ gh,
// ف f, ق q, ك k, ل l, م m, ن n, ه h, و w, ي y, ا a, ى a, ة a, أ a, إ i,
// آ a, ؤ u, ئ i, ء nothing. The definite article ال at the start of a word
// of four letters or more is split off as a separate token "al", so that
// [NameKey] drops it as it drops the Latin al-. Short-vowel marks, shadda
// and tatweel are dropped. Persian and Urdu letters are included
// (پ p, چ ch, ژ zh, گ g, ک k, ی y, ٹ t, ڈ d, ڑ r, ں n, ھ h, ے e).
//
// These forms match Latin spellings through [ConsonantSkeleton], which is
// built so that "mhmd" and "Mohamed" give the same skeleton.
const (
	arabicCanonical = iota
	// arabicUnsplit keeps the article joined (الياس is Ilyas, not al-Yas).
	arabicUnsplit
	// arabicPersian reads the letters as Persian and Urdu do: ث ص→s,
	// ذ ض ظ→z, initial و→v, ة→eh (Reza, Fatemeh).
	arabicPersian
	// arabicEgyptian writes ج as g, as Egyptian names are (Gamal, Hagar).
	arabicEgyptian
)

func arabicStyle(sc int) int {
	if sc >= arabicUnsplit && sc <= arabicEgyptian {
		return sc
	}
	return arabicCanonical
}

func isArabicLetter(c rune) bool {
	if c == '\u0640' { // tatweel: a stretch, not a letter
		return false
	}
	// The letters of Arabic, Persian and Urdu names are nearly all in
	// these two runs of letters; the general test costs a table search.
	if 0x620 <= c && c <= 0x64a || 0x671 <= c && c <= 0x6d3 {
		return true
	}
	return ((c >= 0x600 && c <= 0x6ff) || (c >= 0x750 && c <= 0x77f) ||
		(c >= 0x8a0 && c <= 0x8ff)) && unicode.IsLetter(c)
}

// arabicRun reads one Arabic-script word starting at p[i:], emits its
// transliteration and returns the index after it.
func (r *renderer) arabicRun(p []byte, i int) int {
	var buf [32]rune
	w := buf[:0]
	for i < len(p) {
		c, size := decodeRune(p, i)
		switch {
		case isArabicLetter(c):
			w = append(w, c)
		case c == '\u0640' || c == '\u200c' || (isMark(c) && len(w) > 0):
			// Tatweel, the Persian zero-width non-joiner and vowel marks
			// sit inside the word.
		default:
			r.arabicWord(w)
			return i
		}
		i += size
	}
	r.arabicWord(w)
	return i
}

func (r *renderer) arabicWord(w []rune) {
	st := arabicStyle(r.sc)
	// Allah (الله), alone or closing a compound such as Abdullah
	// (عبدالله), is written with its vowels in every Latin spelling;
	// letter by letter it would be "llh" and lose the "ah" ending that
	// Latin spellings carry.
	n := len(w)
	allah := n >= 4 && (w[n-4] == 'ا' || w[n-4] == 'ٱ') && w[n-3] == 'ل' && w[n-2] == 'ل' && w[n-1] == 'ه'
	if allah {
		w = w[:n-4]
	}
	start := 0
	if st != arabicUnsplit && len(w) >= 4 && (w[0] == 'ا' || w[0] == 'ٱ') && w[1] == 'ل' {
		r.emit("al")
		r.sep()
		start = 2
	}
	for k := start; k < len(w); k++ {
		s := arabicLetter(st, w[k], k == start)
		if s == keepRune {
			r.emitKept(w[k])
			continue
		}
		r.emit(s)
	}
	if allah {
		r.emit("allah")
	}
}

func arabicLetter(st int, c rune, initial bool) string {
	persian := st == arabicPersian
	switch c {
	case 'ا', 'أ', 'آ', 'ٱ', 'ى':
		return "a"
	case 'إ':
		return "i"
	case 'ء':
		return ""
	case 'ؤ':
		return "u"
	case 'ئ':
		return "i"
	case 'ب':
		return "b"
	case 'ت':
		return "t"
	case 'ث':
		if persian {
			return "s"
		}
		return "th"
	case 'ج':
		if st == arabicEgyptian {
			return "g"
		}
		return "j"
	case 'ح':
		return "h"
	case 'خ':
		return "kh"
	case 'د':
		return "d"
	case 'ذ':
		if persian {
			return "z"
		}
		return "dh"
	case 'ر':
		return "r"
	case 'ز':
		return "z"
	case 'س':
		return "s"
	case 'ش':
		return "sh"
	case 'ص':
		return "s"
	case 'ض':
		if persian {
			return "z"
		}
		return "d"
	case 'ط':
		return "t"
	case 'ظ':
		return "z"
	case 'ع':
		// Ain opens a vowel at the start of a name (Ali, Omar, Aisha) and
		// is silent in Latin spellings elsewhere (Saad, Ismail, Jafar).
		if initial {
			return "a"
		}
		return ""
	case 'غ':
		return "gh"
	case 'ف':
		return "f"
	case 'ق':
		return "q"
	case 'ك', 'ک', 'ڪ':
		return "k"
	case 'ل':
		return "l"
	case 'م':
		return "m"
	case 'ن', 'ں':
		return "n"
	case 'ه', 'ھ', 'ہ':
		return "h"
	case 'ة', 'ۃ':
		if persian {
			return "eh"
		}
		return "a"
	case 'و':
		if persian && initial {
			return "v"
		}
		return "w"
	case 'ي', 'ی', 'ې':
		return "y"
	case 'پ':
		return "p"
	case 'چ':
		return "ch"
	case 'ژ':
		return "zh"
	case 'گ', 'ڭ', 'ڨ':
		return "g"
	case 'ٹ':
		return "t"
	case 'ڈ':
		return "d"
	case 'ڑ', 'ڕ':
		return "r"
	case 'ے', 'ۓ', 'ێ', 'ە', 'ۀ':
		return "e"
	case 'ڤ', 'ۋ':
		return "v"
	case 'ڵ':
		return "l"
	case 'ۆ':
		return "o"
	case 'ۇ':
		return "u"
	}
	return keepRune
}
