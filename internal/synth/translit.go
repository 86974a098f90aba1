package synth

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// This file holds the romanizations the generator writes names in. They are
// written from the published tables and from spellings seen in real
// records, independently of package match's normalizer, so that the test
// data does not share its blind spots.

// cyrScheme is one way of writing Cyrillic in Latin letters.
type cyrScheme struct {
	// base maps each lower-case letter to its usual Latin form.
	base map[rune]string
	// iotated gives the forms of the iotated letters (е ё є ї й ю я) used
	// at the start of a word and, when afterVowel is set, also after a
	// vowel, soft sign or hard sign.
	iotated    map[rune]string
	afterVowel bool
	// suffix replaces word endings before anything else (final -ий → y).
	suffix [][2]string
	// digraph replaces two-letter sequences (зг → zgh).
	digraph map[string]string
	// ss writes с between vowels as ss (German and French practice, so
	// that it is not read as a voiced z).
	ss bool
	// gu writes г before a front vowel as gu (French: Sergueï).
	gu bool
	// x writes кс as x inside a word (Alexandr, Alexey).
	x bool
}

func merge(base map[rune]string, over map[rune]string) map[rune]string {
	m := make(map[rune]string, len(base)+len(over))
	for k, v := range base {
		m[k] = v
	}
	for k, v := range over {
		m[k] = v
	}
	return m
}

// ruICAOBase is the ICAO Doc 9303 (2013) table for Russian, the one printed
// in Russian passports since 2013 (Iuliia, Dmitrii, Sergei).
var ruICAOBase = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e",
	'ж': "zh", 'з': "z", 'и': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m",
	'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
	'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
	'ъ': "ie", 'ы': "y", 'ь': "", 'э': "e", 'ю': "iu", 'я': "ia",
}

// ukKMUBase is the Ukrainian national system (Cabinet of Ministers
// resolution 55 of 2010), used in Ukrainian passports (Yuliia, Serhii,
// Dmytro, Hanna, Zghurskyi).
var ukKMUBase = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "h", 'ґ': "g", 'д': "d", 'е': "e",
	'є': "ie", 'ж': "zh", 'з': "z", 'и': "y", 'і': "i", 'ї': "i", 'й': "i",
	'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r",
	'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch",
	'ш': "sh", 'щ': "shch", 'ь': "", 'ю': "iu", 'я': "ia", '\'': "", '’': "", 'ʼ': "",
}

var ukSchemes = []cyrScheme{
	// 0: national system (KMU 2010), the official one.
	{
		base:    ukKMUBase,
		iotated: map[rune]string{'є': "ye", 'ї': "yi", 'й': "y", 'ю': "yu", 'я': "ya"},
		digraph: map[string]string{"зг": "zgh"},
	},
	// 1: BGN/PCGN-style English (Serhiy, Yuliya, Oleksiy, Andriy).
	{
		base: merge(ukKMUBase, map[rune]string{'є': "ye", 'ї': "yi", 'й': "y", 'ю': "yu", 'я': "ya"}),
	},
	// 2: Russian reading of the Ukrainian letters, common before 2010 and
	// from Russian-trained clerks (Sergiy, Dmitro, Ganna).
	{
		base: merge(ukKMUBase, map[rune]string{'г': "g", 'и': "i", 'є': "ye", 'ї': "yi", 'й': "y", 'ю': "yu", 'я': "ya"}),
	},
	// 3: German (Duden) practice (Serhij, Julija, Schewtschenko, Jewhen).
	{
		base: merge(ukKMUBase, map[rune]string{
			'в': "w", 'є': "je", 'ж': "sch", 'з': "s", 'ї': "ji", 'й': "j", 'х': "ch",
			'ц': "z", 'ч': "tsch", 'ш': "sch", 'щ': "schtsch", 'ю': "ju", 'я': "ja",
		}),
		ss: true,
	},
	// 4: French practice (Ioulia, Chevtchenko, Kovaltchouk, Serhi).
	{
		base: merge(ukKMUBase, map[rune]string{
			'ж': "j", 'у': "ou", 'ч': "tch", 'ш': "ch", 'щ': "chtch", 'ю': "iou", 'й': "ï",
		}),
		iotated: map[rune]string{'є': "ie", 'ю': "iou", 'я': "ia"},
		suffix:  [][2]string{{"ій", "i"}, {"ія", "ia"}},
		ss:      true,
	},
}

var ruSchemes = []cyrScheme{
	// 0: ICAO Doc 9303 (2013), the official one.
	{base: ruICAOBase},
	// 1: BGN/PCGN (Dmitriy, Yuliya, Sergey, Yevgeniy, Natalya).
	{
		base:       merge(ruICAOBase, map[rune]string{'й': "y", 'ъ': "", 'ю': "yu", 'я': "ya"}),
		iotated:    map[rune]string{'е': "ye", 'ё': "yo"},
		afterVowel: true,
	},
	// 2: popular English (Dmitry, Yulia, Evgeny, Artyom, Alexey).
	{
		base: merge(ruICAOBase, map[rune]string{
			'ё': "yo", 'й': "y", 'ъ': "", 'ю': "yu", 'я': "ya",
		}),
		suffix: [][2]string{{"ий", "y"}, {"ия", "ia"}},
		x:      true,
	},
	// 3: German (Duden) practice (Dmitrij, Julija, Jewgenij, Iwanow,
	// Kusnezow, Wassilij).
	{
		base: merge(ruICAOBase, map[rune]string{
			'в': "w", 'ё': "jo", 'ж': "sch", 'з': "s", 'й': "j", 'х': "ch", 'ц': "z",
			'ч': "tsch", 'ш': "sch", 'щ': "schtsch", 'ъ': "", 'ю': "ju", 'я': "ja",
		}),
		iotated:    map[rune]string{'е': "je", 'ё': "jo"},
		afterVowel: true,
		ss:         true,
	},
	// 4: French practice (Dmitri, Ioulia, Sergueï, Kouznetsov).
	{
		base: merge(ruICAOBase, map[rune]string{
			'ё': "io", 'ж': "j", 'й': "ï", 'у': "ou", 'ч': "tch", 'ш': "ch",
			'щ': "chtch", 'ъ': "", 'ю': "iou", 'х': "kh",
		}),
		iotated:    map[rune]string{'е': "ie"},
		afterVowel: true,
		suffix:     [][2]string{{"ий", "i"}, {"ия", "ia"}, {"ей", "eï"}},
		ss:         true,
		gu:         true,
	},
}

func isCyrVowel(r rune) bool {
	return strings.ContainsRune("аеёиіїоуыэюяє", r)
}

func isCyrFront(r rune) bool {
	return strings.ContainsRune("еиыэєіё", r)
}

// romanizeCyr writes a Cyrillic name (one or more words) in scheme sc. Each
// word comes out capitalized; other characters pass through.
func romanizeCyr(s string, sc *cyrScheme) string {
	return mapWords(s, func(w []rune) string {
		for i, r := range w {
			w[i] = unicode.ToLower(r)
		}
		tail := ""
		for _, sf := range sc.suffix {
			suf := []rune(sf[0])
			if len(w) > len(suf) && string(w[len(w)-len(suf):]) == sf[0] {
				w = w[:len(w)-len(suf)]
				tail = sf[1]
				break
			}
		}
		var b strings.Builder
		for i := 0; i < len(w); i++ {
			r := w[i]
			var prev, next rune
			if i > 0 {
				prev = w[i-1]
			}
			if i+1 < len(w) {
				next = w[i+1]
			}
			if next != 0 && sc.digraph != nil {
				if d, ok := sc.digraph[string([]rune{r, next})]; ok {
					b.WriteString(d)
					i++
					continue
				}
			}
			if sc.x && r == 'к' && next == 'с' && i > 0 {
				b.WriteString("x")
				i++
				continue
			}
			if v, ok := sc.iotated[r]; ok && (i == 0 || sc.afterVowel && (isCyrVowel(prev) || prev == 'ь' || prev == 'ъ')) {
				b.WriteString(v)
				continue
			}
			if sc.ss && r == 'с' && isCyrVowel(prev) && isCyrVowel(next) {
				b.WriteString("ss")
				continue
			}
			if sc.gu && r == 'г' && isCyrFront(next) {
				b.WriteString("gu")
				continue
			}
			if v, ok := sc.base[r]; ok {
				b.WriteString(v)
				continue
			}
			b.WriteRune(r)
		}
		b.WriteString(tail)
		return b.String()
	})
}

// mapWords applies f to each maximal run of letters and apostrophes in s
// and capitalizes its result; spaces, hyphens and other characters between
// the runs are kept.
func mapWords(s string, f func([]rune) string) string {
	var out strings.Builder
	var w []rune
	flush := func() {
		if len(w) == 0 {
			return
		}
		out.WriteString(capitalize(f(w)))
		w = w[:0]
	}
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || r == '\'' || r == '’' || r == 'ʼ' {
			w = append(w, r)
			continue
		}
		flush()
		out.WriteRune(r)
	}
	flush()
	return out.String()
}

func capitalize(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}

// Greek schemes.
const (
	grELOT     = iota // ELOT 743, used in Greek passports (Georgios, Christos, Eftychia)
	grPhonetic        // as heard and written by a foreign clerk (Yeoryios, Hristos, Eftihia, Yannis)
	grBGN             // BGN/PCGN 1962, older documents and gazetteers (Khristos, Dhimitrios)
	numGreekSchemes
)

type grLetter struct {
	r   rune
	dia bool // carries a diaeresis: does not form a digraph with the letter before
}

func greekLetters(w []rune) []grLetter {
	out := make([]grLetter, 0, len(w))
	for _, r := range norm.NFD.String(string(w)) {
		switch r {
		case 0x0301, 0x0300, 0x0342, 0x0313, 0x0314, 0x0345: // accents, breathings
			continue
		case 0x0308: // diaeresis
			if len(out) > 0 {
				out[len(out)-1].dia = true
			}
			continue
		}
		r = unicode.ToLower(r)
		if r == 'ς' {
			r = 'σ'
		}
		out = append(out, grLetter{r: r})
	}
	return out
}

func greekVoiceless(r rune) bool { return strings.ContainsRune("θκξπστφχψ", r) }

// greekFrontAt reports whether a front vowel sound (e, i) starts at w[i].
func greekFrontAt(w []grLetter, i int) bool {
	if i >= len(w) {
		return false
	}
	switch w[i].r {
	case 'ε', 'ι', 'η', 'υ':
		return true
	case 'α', 'ο':
		return i+1 < len(w) && w[i+1].r == 'ι' && !w[i+1].dia
	}
	return false
}

func isGreekVowel(r rune) bool { return strings.ContainsRune("αεηιουω", r) }

// romanizeGreek writes a Greek name in scheme sc.
func romanizeGreek(s string, sc int) string {
	return mapWords(s, func(rw []rune) string {
		w := greekLetters(rw)
		var b strings.Builder
		at := func(i int) rune {
			if i < len(w) {
				return w[i].r
			}
			return 0
		}
		for i := 0; i < len(w); i++ {
			r, next := w[i].r, at(i+1)
			pair := i+1 < len(w) && !w[i+1].dia
			start := i == 0
			if pair {
				switch {
				case r == 'ο' && next == 'υ':
					b.WriteString("ou")
					i++
					continue
				case (r == 'α' || r == 'ε' || r == 'ο' || r == 'υ') && next == 'ι':
					switch {
					case sc == grELOT:
						b.WriteString(map[rune]string{'α': "ai", 'ε': "ei", 'ο': "oi", 'υ': "yi"}[r])
					case r == 'α':
						b.WriteString("e")
					case sc == grBGN && r == 'ο':
						b.WriteString("oi")
					default:
						b.WriteString("i")
					}
					i++
					continue
				case (r == 'α' || r == 'ε' || r == 'η') && next == 'υ':
					b.WriteString(map[rune]string{'α': "a", 'ε': "e", 'η': "i"}[r])
					if after := at(i + 2); after == 0 || greekVoiceless(after) {
						b.WriteString("f")
					} else {
						b.WriteString("v")
					}
					i++
					continue
				case r == 'γ' && next == 'γ':
					b.WriteString("ng")
					i++
					continue
				case r == 'γ' && next == 'κ':
					switch {
					case sc == grELOT:
						b.WriteString("gk")
					case start:
						b.WriteString("g")
					default:
						b.WriteString("ng")
					}
					i++
					continue
				case r == 'γ' && next == 'ξ':
					b.WriteString("nx")
					i++
					continue
				case r == 'γ' && next == 'χ':
					b.WriteString(map[int]string{grELOT: "nch", grPhonetic: "nh", grBGN: "nkh"}[sc])
					i++
					continue
				case r == 'μ' && next == 'π':
					switch {
					case start:
						b.WriteString("b")
					case sc == grELOT:
						b.WriteString("mp")
					default:
						b.WriteString("mb")
					}
					i++
					continue
				case r == 'ν' && next == 'τ':
					switch {
					case sc == grELOT:
						b.WriteString("nt")
					case start:
						b.WriteString("d")
					default:
						b.WriteString("nd")
					}
					i++
					continue
				case r == 'τ' && next == 'ζ':
					b.WriteString("tz")
					i++
					continue
				}
			}
			if r == 'γ' && sc != grELOT && greekFrontAt(w, i+1) {
				// Γιάννης → Yannis: the ι only marks the y sound before another vowel.
				if next == 'ι' && isGreekVowel(at(i+2)) {
					i++
				}
				b.WriteString("y")
				continue
			}
			switch r {
			case 'α':
				b.WriteString("a")
			case 'β':
				b.WriteString("v")
			case 'γ':
				b.WriteString("g")
			case 'δ':
				if sc == grBGN {
					b.WriteString("dh")
				} else {
					b.WriteString("d")
				}
			case 'ε':
				b.WriteString("e")
			case 'ζ':
				b.WriteString("z")
			case 'η', 'ι':
				b.WriteString("i")
			case 'θ':
				b.WriteString("th")
			case 'κ':
				b.WriteString("k")
			case 'λ':
				b.WriteString("l")
			case 'μ':
				b.WriteString("m")
			case 'ν':
				b.WriteString("n")
			case 'ξ':
				b.WriteString("x")
			case 'ο', 'ω':
				b.WriteString("o")
			case 'π':
				b.WriteString("p")
			case 'ρ':
				b.WriteString("r")
			case 'σ':
				b.WriteString("s")
			case 'τ':
				b.WriteString("t")
			case 'υ':
				if sc == grELOT {
					b.WriteString("y")
				} else {
					b.WriteString("i")
				}
			case 'φ':
				b.WriteString("f")
			case 'χ':
				b.WriteString(map[int]string{grELOT: "ch", grPhonetic: "h", grBGN: "kh"}[sc])
			case 'ψ':
				b.WriteString("ps")
			default:
				b.WriteRune(r)
			}
		}
		return b.String()
	})
}

// foldLatin removes diacritics as an ASCII-only system or keyboard does:
// Ștefan → Stefan, Nguyễn → Nguyen, Đặng → Dang, Weiß → Weiss.
func foldLatin(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteByte('d')
		case r == 'Đ':
			b.WriteByte('D')
		case r == 'ß':
			b.WriteString("ss")
		default:
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// expandUmlauts writes German umlauts the way German itself does without
// them: Müller → Mueller, Schröder → Schroeder, Weiß → Weiss.
func expandUmlauts(s string) string {
	return strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "Ä", "Ae", "Ö", "Oe", "Ü", "Ue", "ß", "ss").Replace(s)
}

// cedilla writes Romanian ș and ț with a cedilla (ş ţ), as legacy
// encodings and many Romanian systems still do.
func cedilla(s string) string {
	return strings.NewReplacer("ș", "ş", "ț", "ţ", "Ș", "Ş", "Ț", "Ţ").Replace(s)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// upperName writes a name in capitals as passports and many police systems
// do (KOVALENKO).
func upperName(s string) string { return strings.ToUpper(s) }
