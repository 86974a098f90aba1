package normalize

// latinSpecial maps Latin letters that have no canonical decomposition to
// the ASCII that passports and registries write for them. Case folding has
// already turned ß into ss, ſ into s and ĳ into ij.
func latinSpecial(ch rune) (string, bool) {
	switch ch {
	case 'æ':
		return "ae", true
	case 'œ', 'ɶ':
		return "oe", true
	case 'ø', 'ɔ', 'ɵ', 'ɒ':
		return "o", true
	case 'đ', 'ð', 'ɖ', 'ɗ':
		return "d", true
	case 'ł', 'ƚ', 'ŀ':
		return "l", true
	case 'þ':
		return "th", true
	case 'ı', 'ɨ', 'ɪ':
		return "i", true
	case 'ħ':
		return "h", true
	case 'ŧ':
		return "t", true
	case 'ŋ', 'ɲ':
		return "n", true
	case 'ĸ', 'ƙ':
		return "k", true
	case 'ƒ':
		return "f", true
	case 'ɓ', 'ƀ':
		return "b", true
	case 'ƴ', 'ȝ':
		return "y", true
	case 'ɣ':
		return "g", true
	case 'ʋ':
		return "v", true
	case 'ɛ', 'ǝ':
		return "e", true
	case 'ʉ', 'ɯ':
		return "u", true
	case 'ʒ':
		return "z", true
	case 'ƿ':
		return "w", true
	case 'ɑ':
		return "a", true
	case 'ə':
		// Azerbaijani Ə: passports write Məmmədov as MAMMADOV.
		return "a", true
	}
	return "", false
}

// Combining marks that the variant schemes look at (canonical decomposition
// order: the base letter first, then these).
const (
	markAcute     = '\u0301'
	markDiaeresis = '\u0308'
	markRing      = '\u030a'
	markCaron     = '\u030c'
	markCommaBel  = '\u0326'
	markCedilla   = '\u0327'
)

func hasMark(marks []byte, m rune) bool {
	for _, c := range string(marks) {
		if c == m {
			return true
		}
	}
	return false
}

// Latin variant schemes (further schemes of the renderer, which no key
// uses yet; see the package documentation):
//
//   - latinMRZ spells letters out as the machine readable zone of an ICAO
//     document does (ä→ae, ö→oe, ü→ue, å→aa, ø→oe, æ→ae, œ→oe): German and
//     Nordic records written from the passport's MRZ use these.
//   - latinAnglo spells the háček, cedilla and comma letters as English
//     digraphs (š ş ș→sh, č ç→ch, ž→zh, đ→dj, ț→ts): how Slavic, Turkish
//     and Romanian names appear when typed without those letters.
const (
	latinMRZ   = 1
	latinAnglo = 2
)

// latinVariant returns the spelling of base+marks under variant scheme sc,
// or false when the scheme treats the letter like the canonical one.
func latinVariant(sc int, base rune, marks []byte) (string, bool) {
	switch latinStyle(sc) {
	case latinMRZ:
		switch base {
		case 'a', 'o', 'u':
			if hasMark(marks, markDiaeresis) {
				return string(base) + "e", true
			}
			if base == 'a' && hasMark(marks, markRing) {
				return "aa", true
			}
		case 'ø', 'œ':
			return "oe", true
		case 'æ':
			return "ae", true
		}
	case latinAnglo:
		switch base {
		case 's':
			if hasMark(marks, markCaron) || hasMark(marks, markCedilla) || hasMark(marks, markCommaBel) {
				return "sh", true
			}
		case 'c':
			// Not ć: English spellings of Serbian and Croatian names
			// write it c (Djordjevic, Petrovic).
			if hasMark(marks, markCaron) || hasMark(marks, markCedilla) {
				return "ch", true
			}
		case 'z':
			if hasMark(marks, markCaron) {
				return "zh", true
			}
		case 't':
			if hasMark(marks, markCommaBel) || hasMark(marks, markCedilla) {
				return "ts", true
			}
		case 'đ':
			return "dj", true
		}
	}
	return "", false
}

// latinStyle maps a scheme index to the Latin style it uses; schemes past
// the last Latin style render Latin canonically.
func latinStyle(sc int) int {
	if sc == latinMRZ || sc == latinAnglo {
		return sc
	}
	return 0
}
