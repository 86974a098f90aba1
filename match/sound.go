package match

import "strings"

// appendSoundCodes appends to dst the coarse sound codes of one name
// token (after normalize.Text), one after the other, and returns the
// length of each (0 for none): its code, and a second one where the token
// may be read another way, so that the common romanizations of one written
// name share a code. The code is much coarser than a consonant skeleton, so rules pair
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
//     Chiara is not Sara, unless the token also writes ч as tch, the mark
//     of a French transliteration (Chevtchouk / Shevchuk);
//   - dj is the j of other spellings, as French writes the Arabic ج
//     (Djamal / Jamal, Khadidja / Khadija); the first reading keeps the
//     dj of Serbian and Croatian names;
//   - an initial ts before a consonant is t and s, as Arabic script
//     transliterated without its short vowels writes ت س (tsnym for
//     تسنيم, Tasnim), where the first reading takes it for the ts of
//     Cyrillic ц (Tsvetan, Zwetan).
func appendSoundCodes(dst []byte, tok string) (out []byte, first, second int) {
	start := len(dst)
	read := initialYe(tok)
	dst = appendSoundCode(dst, read, false)
	first = len(dst) - start
	// Only c, x and g read otherwise, an initial ts before a consonant,
	// and an initial ye that the first reading took for e.
	if first == 0 || (read == tok && !hasAny(tok, 'c', 'x', 'g') && !startsWithConsonantTS(tok) && !strings.Contains(tok, "dj")) {
		return dst, first, 0
	}
	dst = appendSoundCode(dst, tok, true)
	if string(dst[start+first:]) == string(dst[start:start+first]) {
		return dst[:start+first], first, 0
	}
	return dst, first, len(dst) - start - first
}

// appendSoundCode appends the code of tok in one reading (alt) to dst.
func appendSoundCode(dst []byte, tok string, alt bool) []byte {
	if !hasLatinLetter(tok) {
		return dst
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
	case alt && strings.HasPrefix(tok, "dj"):
		out[0], n, i = 'Y', 1, 2
	}
	for i < len(tok) && n < len(out) {
		// Vowels and other letters without a class start no digraph and
		// follow no rule: skip the call for them.
		c, size := soundClass(tok[i]), 1
		if c != 0 {
			c, size = soundAt(tok, i, alt)
		}
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
	return append(append(dst, out[:n]...), end...)
}

// soundAt returns the class of the sound starting at tok[i] and how many
// bytes it spans: the longest digraph that spells one sound, else one
// letter. Class 'X' stands for the two classes of x. A letter without a
// class is always (0, 1): appendSoundCode relies on that to skip the call.
// Each digraph is tried under its first letter, longest first, where a
// scan of all of them for every letter of every name token was costly.
func soundAt(tok string, i int, alt bool) (class byte, size int) {
	rest := tok[i:]
	var next byte
	if len(rest) > 1 {
		next = rest[1]
	}
	switch rest[0] {
	case 's':
		switch {
		case strings.HasPrefix(rest, "schtsch"):
			return 'S', 7
		case strings.HasPrefix(rest, "shch"):
			return 'S', 4
		case strings.HasPrefix(rest, "sch"):
			return 'S', 3
		case next == 'h':
			return 'S', 2
		}
	case 'c':
		switch {
		case strings.HasPrefix(rest, "chtch"):
			return 'S', 5
		case next == 'h':
			if alt && (i > 0 || strings.Contains(tok[2:], "tch")) {
				return 'S', 2 // French ch
			}
			return 'K', 2
		}
	case 't':
		switch {
		case strings.HasPrefix(rest, "tsch"):
			return 'K', 4
		case strings.HasPrefix(rest, "tch"):
			return 'K', 3
		case next == 'h':
			return 'T', 2
		case next == 's' || next == 'z':
			if alt && i == 0 && startsWithConsonantTS(tok) {
				return 'T', 1
			}
			return 'S', 2
		}
	case 'z':
		if next == 'h' {
			return 'S', 2
		}
	case 'k':
		if next == 'h' {
			return 'K', 2
		}
	case 'd':
		switch {
		case next == 'h':
			return 'T', 2
		case strings.HasPrefix(rest, "dzh"):
			return 'K', 3
		case next == 'j':
			if alt {
				return 0, 1 // French dj, the j of other spellings
			}
			return 'K', 2
		}
	case 'p':
		if next == 'h' {
			return 'V', 2
		}
	case 'g':
		switch {
		case next == 'h':
			return 'K', 2
		case alt && (next == 'e' || next == 'i' || next == 'y'):
			return 0, 1
		}
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
		// An initial y is the consonant ي there (ywsf, Yusuf).
		if i > 0 && (!isVowelByte(tok[i-1]) || i == 1 && tok[0] == 'y') && (next == 0 || !isVowelByte(next)) {
			return 0, 1
		}
	}
	return soundClass(rest[0]), 1
}

// hasLatinLetter reports whether tok has a letter a to z. Bytes suffice,
// for a byte below 0x80 is never part of a longer UTF-8 character.
func hasLatinLetter(tok string) bool {
	for i := 0; i < len(tok); i++ {
		if 'a' <= tok[i] && tok[i] <= 'z' {
			return true
		}
	}
	return false
}

// hasAny reports whether tok has one of the bytes a, b and c: a plain loop,
// where strings.IndexAny looks each byte up in its set by a call.
func hasAny(tok string, a, b, c byte) bool {
	for i := 0; i < len(tok); i++ {
		if x := tok[i]; x == a || x == b || x == c {
			return true
		}
	}
	return false
}

// startsWithGlide reports whether tok starts with the sound y: y or j
// before a vowel, or i before another vowel (Iana, Iuliia), as
// romanizations of я, ю, є write it, but not i before y, the long i of
// Arabic إي (iyman for إيمان, Iman or Eman; Iyad, Eyad); or y or j before a consonant, as
// Arabic script transliterated without its short vowels writes ي and ج
// (ywsf for يوسف, Yusuf; jna for جنى, Jana). Callers strip an initial ye
// first where it stands for e (initialYe).
func startsWithGlide(tok string) bool {
	if len(tok) < 2 {
		return false
	}
	switch tok[0] {
	case 'y', 'j':
		return isVowelByte(tok[1]) || soundClass(tok[1]) != 0
	case 'i':
		return isVowelByte(tok[1]) && tok[1] != 'i' && tok[1] != 'y'
	}
	return false
}

// startsWithConsonantTS reports whether tok starts with ts followed by a
// consonant: the second reading takes that ts for two letters.
func startsWithConsonantTS(tok string) bool {
	return len(tok) > 2 && tok[0] == 't' && tok[1] == 's' && soundClass(tok[2]) != 0
}

func isVowelByte(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// soundClass returns the class of one letter, 0 for vowels, j, y, digits
// and anything else. A table, because it is looked up for most letters of
// every name token.
func soundClass(c byte) byte {
	return soundClasses[c]
}

var soundClasses = [256]byte{
	'b': 'V', 'p': 'V', 'f': 'V', 'v': 'V', 'w': 'V',
	'c': 'K', 'g': 'K', 'k': 'K', 'q': 'K', 'x': 'K', 'h': 'K',
	's': 'S', 'z': 'S',
	'd': 'T', 't': 'T',
	'l': 'L',
	'm': 'M',
	'n': 'N',
	'r': 'R',
}
