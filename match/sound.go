package match

import "strings"

// soundCode is a coarse code of one name token (after normalize.Text) in
// which the common romanizations of one written name coincide: English,
// German, French and ICAO spellings of Cyrillic (Shevchuk, Schewtschuk;
// Kharchenko, Charchenko; Ivanov, Iwanow), Greek (Vasiliou, Basiliou) and
// Arabic names. It is much coarser than a consonant skeleton, so rules
// pair it with the full birth date; and it keeps the name's ending mark,
// so Daniel and Daniela stay apart.
//
// The classes: b p f v w (and ph) → V; c g k q x h (and kh, ch, gh) → K;
// s z ş š ž ç (and sh, sch, zh, ts, tz) → S; d t (and th) → T; l → L;
// m → M; n → N; r → R. Vowels and j, y are dropped after the first letter;
// a leading vowel is kept as "0". Repeats collapse; at most five classes.
// soundCodes returns the sound codes of tok: one, or two for a token that
// starts with c and a vowel, which Somali writes for the ʿayn that other
// spellings drop (Cabdi / Abdi, Cali / Ali).
func soundCodes(tok string) []string {
	code := soundCode(tok)
	if len(tok) > 2 && tok[0] == 'c' && soundClass(tok[1]) == 0 && tok[1] != 'h' {
		if alt := soundCode(tok[1:]); alt != code {
			return []string{code, alt}
		}
	}
	return []string{code}
}

func soundCode(tok string) string {
	if tok == "" {
		return ""
	}
	var out [5]byte
	n := 0
	var last byte
	for i := 0; i < len(tok) && n < len(out); {
		c, size := soundAt(tok, i)
		i += size
		if c == 0 {
			if n == 0 {
				out[n] = '0'
				n++
			}
			last = 0
			continue
		}
		if c != last {
			out[n] = c
			n++
		}
		last = c
	}
	return string(out[:n]) + ending(tok)
}

// soundAt returns the class of the sound starting at tok[i] and how many
// bytes it spans: the longest matching digraph, else one letter.
func soundAt(tok string, i int) (class byte, size int) {
	rest := tok[i:]
	for _, d := range soundDigraphs {
		if strings.HasPrefix(rest, d[0]) {
			return soundClass(d[1][0]), len(d[0])
		}
	}
	return soundClass(tok[i]), 1
}

// soundDigraphs are matched before single letters, longest first, so
// that each spelling of one sound becomes one class.
var soundDigraphs = [][2]string{
	{"schtsch", "s"}, {"shch", "s"}, {"tsch", "k"}, {"tch", "k"}, {"sch", "s"},
	{"sh", "s"}, {"zh", "s"}, {"ch", "k"}, {"kh", "k"}, {"gh", "k"}, {"th", "t"}, {"ph", "f"},
	{"ts", "s"}, {"tz", "s"}, {"dzh", "k"}, {"dj", "k"},
}

func soundClass(c byte) byte {
	switch c {
	case 'b', 'p', 'f', 'v', 'w':
		return 'V'
	case 'c', 'g', 'k', 'q', 'x', 'h':
		return 'K'
	case 's', 'z':
		return 'S'
	case 'd', 't':
		return 'T'
	case 'l':
		return 'L'
	case 'm':
		return 'M'
	case 'n':
		return 'N'
	case 'r':
		return 'R'
	}
	return 0 // vowels, j, y, digits and anything else
}
