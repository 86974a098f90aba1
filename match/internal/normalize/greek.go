package normalize

import (
	"unicode"
	"unicode/utf8"
)

// Greek transliteration styles.
const (
	// greekELOT is ELOT 743 (ISO 843 type 2) as Greek passports apply it:
	// μπ→mp, ντ→nt and γκ→gk in every position (Ntokou, Mpakogianni), γγ→ng,
	// η→i, υ→y, χ→ch, ξ→x, ου→ou, αυ/ευ/ηυ→av/ev/iv (af/ef/if before a
	// voiceless consonant). The 1982 edition's word-initial b, d, g are in
	// greekPhonetic, which Variants also returns.
	greekELOT = iota
	// greekPhonetic is the common English spelling: ι η υ ει οι υι→i,
	// αι→e, χ→h, γ→y before a front vowel, μπ→b, ντ→d, γκ→g at the start
	// of a word and mb, nd, ng inside (Yiorgos, Hristos, Lambrakis,
	// Pandelis, Dokou).
	greekPhonetic
	// greekAlt is ELOT with ξ→ks, χ→kh and ου→u (Aleksandros, Khristos,
	// Papadopulos), which older and foreign records use.
	greekAlt
)

func isGreekLetter(c rune) bool {
	// U+03AC–U+03CE, the lowercase letters with and without tonos, are
	// all letters and nearly all that folded names hold; the general test
	// costs a table search.
	if 0x3ac <= c && c <= 0x3ce {
		return true
	}
	return ((c >= 0x370 && c <= 0x3ff) || (c >= 0x1f00 && c <= 0x1fff)) && unicode.IsLetter(c)
}

func greekStyle(sc int) int {
	if sc == greekPhonetic || sc == greekAlt {
		return sc
	}
	return greekELOT
}

// greekLetter is a Greek base letter and whether it carried a diaeresis,
// which stops it from forming a digraph with the letter before (Αϊ is a-i,
// not ai).
type greekLetter struct {
	c   rune
	dia bool
}

// greekRun reads one Greek word starting at p[i:], emits its
// transliteration and returns the index after it.
func (r *renderer) greekRun(p []byte, i int) int {
	var buf [32]greekLetter
	w := buf[:0]
	for i < len(p) {
		// Nearly every letter of a word is one of U+03AC–U+03CE, two
		// bytes led by 0xCE or 0xCF, all letters that greekMonotonic
		// decomposes: they skip the general decoding and letter test.
		if i+1 < len(p) && (p[i] == 0xce && 0xac <= p[i+1] && p[i+1] <= 0xbf ||
			p[i] == 0xcf && 0x80 <= p[i+1] && p[i+1] <= 0x8e) {
			g, _ := greekMonotonic(rune(p[i]&0x1f)<<6 | rune(p[i+1]&0x3f))
			if g.c == 'ς' {
				g.c = 'σ'
			}
			w = append(w, g)
			i += 2
			continue
		}
		c, size := decodeRune(p, i)
		switch {
		case isGreekLetter(c):
			g, ok := greekMonotonic(c)
			if !ok {
				// Polytonic and rare letters: decompose.
				var db [16]byte
				d := nfdRune(db[:0], c)
				base, n := utf8.DecodeRune(d)
				g = greekLetter{c: base, dia: hasMark(d[n:], markDiaeresis)}
			}
			if g.c == 'ς' {
				g.c = 'σ'
			}
			w = append(w, g)
		case isMark(c) && len(w) > 0:
			if c == markDiaeresis {
				w[len(w)-1].dia = true
			}
		default:
			r.greekWord(w)
			return i
		}
		i += size
	}
	r.greekWord(w)
	return i
}

// greekMonotonic decomposes the letters of modern (monotonic) Greek
// without the normalization tables, which dominate the cost otherwise.
func greekMonotonic(c rune) (greekLetter, bool) {
	switch {
	case 'α' <= c && c <= 'ω':
		return greekLetter{c: c}, true
	}
	switch c {
	case 'ά':
		return greekLetter{c: 'α'}, true
	case 'έ':
		return greekLetter{c: 'ε'}, true
	case 'ή':
		return greekLetter{c: 'η'}, true
	case 'ί':
		return greekLetter{c: 'ι'}, true
	case 'ό':
		return greekLetter{c: 'ο'}, true
	case 'ύ':
		return greekLetter{c: 'υ'}, true
	case 'ώ':
		return greekLetter{c: 'ω'}, true
	case 'ϊ', 'ΐ':
		return greekLetter{c: 'ι', dia: true}, true
	case 'ϋ', 'ΰ':
		return greekLetter{c: 'υ', dia: true}, true
	}
	return greekLetter{}, false
}

// greekVoiceless lists the letters before which αυ, ευ and ηυ are read
// af, ef, if.
func greekVoiceless(c rune) bool {
	switch c {
	case 'θ', 'κ', 'ξ', 'π', 'σ', 'τ', 'φ', 'χ', 'ψ', 0:
		return true
	}
	return false
}

func greekFront(c rune) bool {
	switch c {
	case 'ε', 'ι', 'η', 'υ':
		return true
	}
	return false
}

func (r *renderer) greekWord(w []greekLetter) {
	st := greekStyle(r.sc)
	at := func(k int) greekLetter {
		if k < 0 || k >= len(w) {
			return greekLetter{}
		}
		return w[k]
	}
	for k := 0; k < len(w); k++ {
		c := w[k].c
		n1 := at(k + 1)
		next := n1.c
		// A following ι or υ forms a digraph unless it carries a diaeresis.
		join := next != 0 && !n1.dia
		initial := k == 0
		switch c {
		case 'α', 'ε', 'η':
			if join && next == 'υ' {
				v := greekVowel(c)
				if greekVoiceless(at(k + 2).c) {
					r.emit(v + "f")
				} else {
					r.emit(v + "v")
				}
				k++
				continue
			}
			if join && next == 'ι' && c != 'η' {
				switch {
				case st == greekPhonetic && c == 'α':
					r.emit("e")
				case st == greekPhonetic:
					r.emit("i")
				case c == 'α':
					r.emit("ai")
				default:
					r.emit("ei")
				}
				k++
				continue
			}
			r.emit(greekVowel(c))
		case 'ο':
			if join && next == 'υ' {
				if st == greekAlt {
					r.emit("u")
				} else {
					r.emit("ou")
				}
				k++
				continue
			}
			if join && next == 'ι' {
				if st == greekPhonetic {
					r.emit("i")
				} else {
					r.emit("oi")
				}
				k++
				continue
			}
			r.emit("o")
		case 'υ':
			if join && next == 'ι' {
				if st == greekPhonetic {
					r.emit("i")
				} else {
					r.emit("yi")
				}
				k++
				continue
			}
			if st == greekPhonetic {
				r.emit("i")
			} else {
				r.emit("y")
			}
		case 'ι':
			r.emit("i")
		case 'ω':
			r.emit("o")
		case 'β':
			r.emit("v")
		case 'γ':
			switch next {
			case 'γ':
				r.emit("ng")
				k++
				continue
			case 'κ':
				switch {
				case st == greekPhonetic && initial:
					r.emit("g")
				case st == greekPhonetic:
					r.emit("ng")
				default:
					r.emit("gk")
				}
				k++
				continue
			case 'ξ':
				r.emit("nx")
				k++
				continue
			case 'χ':
				if st == greekPhonetic {
					r.emit("nh")
				} else {
					r.emit("nch")
				}
				k++
				continue
			}
			if st == greekPhonetic && greekFront(next) {
				r.emit("y")
			} else {
				r.emit("g")
			}
		case 'δ':
			r.emit("d")
		case 'ζ':
			r.emit("z")
		case 'θ':
			r.emit("th")
		case 'κ':
			r.emit("k")
		case 'λ':
			r.emit("l")
		case 'μ':
			if next == 'π' {
				switch {
				case st == greekPhonetic && initial:
					r.emit("b")
				case st == greekPhonetic:
					r.emit("mb")
				default:
					r.emit("mp")
				}
				k++
				continue
			}
			r.emit("m")
		case 'ν':
			if next == 'τ' {
				switch {
				case st == greekPhonetic && initial:
					r.emit("d")
				case st == greekPhonetic:
					r.emit("nd")
				default:
					r.emit("nt")
				}
				k++
				continue
			}
			r.emit("n")
		case 'ξ':
			if st == greekAlt {
				r.emit("ks")
			} else {
				r.emit("x")
			}
		case 'π':
			r.emit("p")
		case 'ρ':
			r.emit("r")
		case 'σ':
			r.emit("s")
		case 'τ':
			r.emit("t")
		case 'φ':
			r.emit("f")
		case 'χ':
			switch st {
			case greekPhonetic:
				r.emit("h")
			case greekAlt:
				r.emit("kh")
			default:
				r.emit("ch")
			}
		case 'ψ':
			r.emit("ps")
		case 'ϝ':
			r.emit("w")
		case 'ϳ':
			r.emit("j")
		default:
			r.emitKept(c)
		}
	}
}

// greekVowel spells α, ε and η on their own.
func greekVowel(c rune) string {
	switch c {
	case 'α':
		return "a"
	case 'ε':
		return "e"
	}
	return "i"
}
