package match

import "strings"

// soundCodes returns the coarse sound codes of one name token (after
// normalize.Text): its code, and a second one where the token may be read
// another way, so that the common romanizations of one written name share
// a code. The code is much coarser than a consonant skeleton, so rules pair
// it with the full birth date; and it keeps the name's ending mark, so
// Daniel and Daniela stay apart. A token without a Latin letter (a script
// normalize cannot transliterate) has no code.
//
// The classes: b p f v w (and ph) → V; c g k q x h (and kh, ch, gh) → K;
// s z ş š ž ç (and sh, sch, zh, ts, tz) → S; d t (and th, dh) → T; l → L;
// m → M; n → N; r → R; x → K S. Vowels and j, y are dropped after the first
// letter, and so are a w between consonants (the Arabic و read as a vowel,
// as in khwry for Khoury) and a final h after a (Sarah, Fatimah); a
// leading vowel is kept as "0" and a leading glide (y or j before a vowel,
// i before another vowel) as "Y", so that Yana is not Anna. An initial ye,
// ie or je before a consonant is read as e (see initialYe). A leading nt or
// mp is the d or b of Greek (Ντόκος is Dokos or Ntokos). Repeats collapse;
// at most five classes. So English, German, French and ICAO spellings of
// Cyrillic (Shevchuk, Schewtschuk; Kharchenko, Charchenko; Ivanov,
// Iwanow), Greek (Vasiliou, Basiliou) and Arabic names coincide.
//
// The second reading, where it differs, applies at once every ambiguity
// that splits spellings in two:
//   - a leading c before a vowel is dropped: Somali writes c for the ʿayn
//     that other spellings drop (Cabdi / Abdi, Cali / Ali);
//   - x is h, as Somali writes it (Maxamed / Mohamed, Ifraax / Ifrah);
//   - g before e, i or y is the glide of Greek γ in its phonetic spelling:
//     "Y" at the start, dropped elsewhere (Georgios / Yeoryios, Giorgos /
//     Yiorgos, Panagiotis / Panayotis), and an initial ye stays a glide;
//   - ch after the first letter is s, as French writes it (Darwich /
//     Darwish, Tkatchouk / Tkachuk); at the start it stays k, so that
//     Chiara is not Sara.
func soundCodes(tok string) []string {
	read := initialYe(tok)
	code := soundCode(read, false)
	if code == "" {
		return []string{""}
	}
	// Only c, x and g read otherwise, and an initial ye that the first
	// reading took for e.
	if read == tok && strings.IndexAny(tok, "cxg") < 0 {
		return []string{code}
	}
	if alt := soundCode(tok, true); alt != code {
		return []string{code, alt}
	}
	return []string{code}
}

func soundCode(tok string, alt bool) string {
	if strings.IndexFunc(tok, func(c rune) bool { return c >= 'a' && c <= 'z' }) < 0 {
		return ""
	}
	var out [5]byte
	n := 0
	var last byte
	i := 0
	switch {
	case alt && len(tok) > 2 && tok[0] == 'c' && soundClass(tok[1]) == 0 && tok[1] != 'h':
		i = 1
	case strings.HasPrefix(tok, "nt") || strings.HasPrefix(tok, "mp"):
		out[0], last = soundClass(tok[1]), soundClass(tok[1])
		n, i = 1, 2
	case startsWithGlide(tok) || (alt && tok[0] == 'g' && len(tok) > 1 && strings.IndexByte("eiy", tok[1]) >= 0):
		out[0], n, i = 'Y', 1, 1
	}
	for i < len(tok) && n < len(out) {
		c, size := soundAt(tok, i, alt)
		i += size
		if c == 'X' {
			if last != 'K' {
				out[n] = 'K'
				n++
			}
			if n == len(out) {
				break
			}
			c, last = 'S', 'K'
		}
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
	end := ending(tok)
	if alt && strings.HasSuffix(tok, "aax") {
		end = "~a" // Somali Ifraax is Ifrah
	}
	return string(out[:n]) + end
}

// soundAt returns the class of the sound starting at tok[i] and how many
// bytes it spans: the longest matching digraph, else one letter. Class 'X'
// stands for the two classes of x.
func soundAt(tok string, i int, alt bool) (class byte, size int) {
	rest := tok[i:]
	for _, d := range soundDigraphs {
		if d[0][0] == rest[0] && strings.HasPrefix(rest, d[0]) {
			if alt && d[0] == "ch" && i > 0 {
				return 'S', 2
			}
			return soundClass(d[1][0]), len(d[0])
		}
	}
	var next byte
	if len(rest) > 1 {
		next = rest[1]
	}
	switch rest[0] {
	case 'h':
		// A final h after a is silent (Sarah, Fatimah); after other
		// vowels it is the Ukrainian h of Oleh (Oleg).
		if next == 0 && i > 0 && tok[i-1] == 'a' {
			return 0, 1
		}
	case 'x':
		if !alt {
			return 'X', 1
		}
		// Somali ħ: silent at the end after a, as h is.
		if next == 0 && i > 0 && tok[i-1] == 'a' {
			return 0, 1
		}
	case 'w':
		// Between consonants (or last after one), w is the Arabic و
		// read as a vowel; elsewhere the v of German and Polish spellings.
		if i > 0 && !isVowelByte(tok[i-1]) && (next == 0 || !isVowelByte(next)) {
			return 0, 1
		}
	case 'g':
		if alt && (next == 'e' || next == 'i' || next == 'y') {
			return 0, 1
		}
	}
	return soundClass(rest[0]), 1
}

// startsWithGlide reports whether tok starts with the sound y: y or j
// before a vowel, or i before another vowel (Iana, Iuliia), as
// romanizations of я, ю, є write it. Callers strip an initial ye first
// where it stands for e (initialYe).
func startsWithGlide(tok string) bool {
	if len(tok) < 2 {
		return false
	}
	switch tok[0] {
	case 'y', 'j':
		return isVowelByte(tok[1])
	case 'i':
		return isVowelByte(tok[1]) && tok[1] != 'i'
	}
	return false
}

func isVowelByte(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// soundDigraphs are matched before single letters, longest first, so
// that each spelling of one sound becomes one class.
var soundDigraphs = [][2]string{
	{"schtsch", "s"}, {"chtch", "s"}, {"shch", "s"}, {"tsch", "k"}, {"tch", "k"}, {"sch", "s"},
	{"sh", "s"}, {"zh", "s"}, {"ch", "k"}, {"kh", "k"}, {"gh", "k"}, {"th", "t"}, {"dh", "t"}, {"ph", "f"},
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
