package normalize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Text returns the canonical normalized form of s: space-separated tokens of
// lowercase ASCII letters and digits.
//
// The steps are: Unicode NFKC; full case folding; removal of diacritics
// (é→e, ü→u, ñ→n, and letters that do not decompose: ß→ss, æ→ae, ø→o, đ→d,
// ł→l, þ→th, ı→i and similar); transliteration of Cyrillic (ICAO Doc 9303,
// language-neutral column), Greek (ELOT 743, the system of Greek passports)
// and Arabic-script letters (consonantal, see the package documentation);
// hyphens, apostrophes, punctuation and symbols become separators; runs of
// separators collapse to one space with none at either end.
//
// Tokens in scripts that have no table here (Han, Hangul, Kana and others)
// are kept NFKC-normalized and case folded, so the result is not ASCII for
// them. Text is idempotent: Text(Text(s)) == Text(s).
func Text(s string) string {
	if isASCII(s) {
		return asciiText(s)
	}
	return render(s, 0)
}

// Tokens returns the tokens of [Text](s). It returns nil when s has none.
func Tokens(s string) []string {
	t := Text(s)
	if t == "" {
		return nil
	}
	return strings.Fields(t)
}

// isASCII reports whether s is pure 7-bit ASCII. ASCII is already NFKC and
// its case folding is plain lowercasing, which lets Text skip the Unicode
// machinery for most Latin-script records.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isLowerAlnum(c byte) bool {
	return ('a' <= c && c <= 'z') || ('0' <= c && c <= '9')
}

// asciiText is Text for ASCII input. It returns s itself, without
// allocating, when s is already in normal form.
func asciiText(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isLowerAlnum(c) {
			continue
		}
		if c == ' ' && i > 0 && i+1 < len(s) && s[i-1] != ' ' && isLowerAlnum(s[i+1]) {
			continue
		}
		clean = false
		break
	}
	if clean {
		return s
	}
	var buf [64]byte
	out := buf[:0]
	sep := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if !isLowerAlnum(c) {
			sep = true
			continue
		}
		if sep && len(out) > 0 {
			out = append(out, ' ')
		}
		sep = false
		out = append(out, c)
	}
	return string(out)
}

// prepare applies NFKC and full case folding. NFKC runs again after folding
// because folding can leave sequences that are not composed (İ folds to i
// plus a combining dot), and the renderer expects composed letters such as
// й and ї, which it must not confuse with и or і plus a mark.
func prepare(s string) string {
	if p, ok := prepareSimple(s); ok {
		return p
	}
	return prepareFull(s)
}

// prepareFull is prepare done with the Unicode machinery; it is right for
// every input.
func prepareFull(s string) string {
	s = norm.NFKC.String(s)
	// A Caser may be stateful and must not be shared between goroutines,
	// so each call makes its own.
	f := cases.Fold().String(s)
	if f == s {
		return s
	}
	return norm.NFKC.String(f)
}

// prepareSimple is prepare for the strings that most records hold: every
// rune is one that NFKC leaves alone wherever it stands and whose case
// folding is one or two such runes (see foldTable). For them NFKC is the
// identity, and folding maps rune by rune, so prepare reduces to a table
// look-up. It reports false, and leaves the work to prepareFull, for
// anything else: combining marks, compatibility characters, invalid UTF-8,
// runes past the table.
func prepareSimple(s string) (string, bool) {
	t := foldTable()
	// Nothing is written until a rune changes, so that a string that is
	// already folded is returned as it is; copied is the length of s
	// already in out.
	var out strings.Builder
	copied := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				if out.Cap() == 0 {
					out.Grow(len(s) + 8)
				}
				out.WriteString(s[copied:i])
				out.WriteByte(c + 'a' - 'A')
				copied = i + 1
			}
			i++
			continue
		}
		r, size := decodeRune(s, i)
		// An invalid byte decodes to U+FFFD, which is past the table.
		if r >= foldTableSize {
			return "", false
		}
		e := t[r]
		if e[0] == notSimple {
			return "", false
		}
		if rune(e[0]) != r || e[1] != 0 {
			if out.Cap() == 0 {
				out.Grow(len(s) + 8)
			}
			out.WriteString(s[copied:i])
			out.WriteRune(rune(e[0]))
			if e[1] != 0 {
				out.WriteRune(rune(e[1]))
			}
			copied = i + size
		}
		i += size
	}
	if copied == 0 {
		return s, true
	}
	out.WriteString(s[copied:])
	return out.String(), true
}

// render is the full, non-ASCII path of Text under transliteration scheme
// sc (0 is the canonical scheme).
func render(s string, sc int) string {
	p := prepare(s)
	var lang langSet
	if sc != 0 {
		lang = detectLang(p)
	}
	return renderPrepared(p, sc, lang)
}

// renderPrepared renders p, which prepare has already normalized. The
// output is pushed through the canonical pipeline again until it no longer
// changes: dropping marks and separators can make kept (untransliterated)
// runes meet in ways that NFKC composes, and Text must be idempotent. Only
// output with kept runes can change, so the loop almost never runs twice.
func renderPrepared(p string, sc int, lang langSet) string {
	r := renderer{sc: sc, lang: lang}
	r.out.Grow(len(p))
	r.run(p)
	out := r.out.String()
	for i := 0; i < 4 && !isASCII(out); i++ {
		next := render1(out)
		if next == out {
			break
		}
		out = next
	}
	return out
}

// render1 is one canonical pass with no stabilization loop.
func render1(s string) string {
	p := prepare(s)
	r := renderer{}
	r.out.Grow(len(p))
	r.run(p)
	return r.out.String()
}

// renderer accumulates normalized output. Separators are not written
// eagerly: a pending separator becomes one space only when another token
// character follows, which collapses runs and trims both ends.
type renderer struct {
	// out is a Builder so that the result becomes a string without a
	// copy. Output is rarely longer than the prepared input (a Cyrillic or
	// Greek letter takes two bytes and gives one or two, é gives e), so
	// sizing it to the input avoids regrowing.
	out     strings.Builder
	pending bool
	// kept is true right after a rune that was copied unchanged (a script
	// without a table); combining marks that follow such a rune belong to
	// it and are kept too, everywhere else marks are dropped.
	kept bool
	sc   int
	lang langSet
}

func (r *renderer) sep() {
	r.pending = true
	r.kept = false
}

func (r *renderer) space() {
	if r.pending && r.out.Len() > 0 {
		r.out.WriteByte(' ')
	}
	r.pending = false
}

func (r *renderer) emit(s string) {
	if s == "" {
		return
	}
	r.space()
	r.out.WriteString(s)
	r.kept = false
}

func (r *renderer) emitByte(c byte) {
	r.space()
	r.out.WriteByte(c)
	r.kept = false
}

func (r *renderer) emitKept(c rune) {
	c = cherokeeFold(c)
	r.space()
	r.out.WriteRune(c)
	r.kept = true
}

func (r *renderer) run(p string) {
	for i := 0; i < len(p); {
		c := p[i]
		if c < utf8.RuneSelf {
			switch {
			case isLowerAlnum(c):
				if cyrHomoglyph(c) != 0 && startsCyrillic(p, i+1) {
					i = r.cyrillicRun(p, i)
					continue
				}
				r.emitByte(c)
			case 'A' <= c && c <= 'Z':
				// Unreachable after case folding; kept so the renderer is
				// correct on its own.
				r.emitByte(c + 'a' - 'A')
			default:
				r.sep()
			}
			i++
			continue
		}
		ch, size := decodeRune(p, i)
		switch {
		case ch == utf8.RuneError && size == 1:
			r.sep()
		case isCyrillicLetter(ch):
			i = r.cyrillicRun(p, i)
			continue
		case isGreekLetter(ch):
			i = r.greekRun(p, i)
			continue
		case isArabicLetter(ch):
			i = r.arabicRun(p, i)
			continue
		case isMark(ch):
			if r.kept {
				r.emitKept(ch)
			}
		case isApostrophe(ch):
			r.sep()
		case isDroppedFormat(ch):
			// Zero-width joiners, soft hyphens, tatweel and transliteration
			// primes (ʹ ʺ) sit inside words; they must neither split a token
			// nor survive in it.
		case unicode.Is(unicode.Latin, ch) && unicode.IsLetter(ch):
			r.latin(ch)
		case unicode.IsDigit(ch):
			if d, ok := asciiDigit(ch); ok {
				r.emitByte(d)
			} else {
				r.emitKept(ch)
			}
		case unicode.IsLetter(ch) || unicode.IsNumber(ch):
			r.emitKept(ch)
		default:
			r.sep()
		}
		i += size
	}
}

// cherokeeFold maps lowercase Cherokee to uppercase, which is the case
// folding Unicode defines for Cherokee. golang.org/x/text/cases (v0.44.0)
// Fold toggles Cherokee case instead, so folding twice would give back the
// other case and Text would not be idempotent.
func cherokeeFold(c rune) rune {
	switch {
	case 0xab70 <= c && c <= 0xabbf:
		return c - 0xab70 + 0x13a0
	case 0x13f8 <= c && c <= 0x13fd:
		return c - 8
	}
	return c
}

func isMark(ch rune) bool {
	return unicode.In(ch, unicode.Mn, unicode.Me, unicode.Mc)
}

// isApostrophe lists the apostrophe and quote look-alikes that records use
// inside names (O’Brien, al‘Ali, N`Diaye). Several are letters (Lm) in
// Unicode, so the generic punctuation test would not catch them.
func isApostrophe(ch rune) bool {
	switch ch {
	case '\'', '`', '\u00b4', '\u2018', '\u2019', '\u201b', '\u02bb', '\u02bc',
		'\u02bd', '\u02be', '\u02bf', '\u02c8', '\u2032', '\uff07', '\u055a':
		return true
	}
	return false
}

func isDroppedFormat(ch rune) bool {
	switch ch {
	case '\u02b9', '\u02ba', '\u0640', '\u00ad':
		return true
	}
	return unicode.Is(unicode.Cf, ch)
}

// asciiDigit maps the decimal digits of the Arabic-Indic, Extended
// Arabic-Indic (Persian, Urdu) and Devanagari blocks to ASCII, since dates
// and document numbers inside name fields are written with them. Other
// digit systems are kept unchanged.
func asciiDigit(ch rune) (byte, bool) {
	switch {
	case '\u0660' <= ch && ch <= '\u0669':
		return byte('0' + ch - '\u0660'), true
	case '\u06f0' <= ch && ch <= '\u06f9':
		return byte('0' + ch - '\u06f0'), true
	case '\u0966' <= ch && ch <= '\u096f':
		return byte('0' + ch - '\u0966'), true
	}
	return 0, false
}

// latin handles one non-ASCII Latin letter: canonical decomposition gives
// the base letter and its marks; the marks are dropped, except that some
// variant schemes spell particular mark+letter pairs out (ü→ue, š→sh).
func (r *renderer) latin(ch rune) {
	var buf [16]byte
	d := nfdRune(buf[:0], ch)
	base, n := utf8.DecodeRune(d)
	marks := d[n:]
	if r.sc != 0 {
		if s, ok := latinVariant(r.sc, base, marks); ok {
			r.emit(s)
			return
		}
	}
	if base < utf8.RuneSelf {
		if 'a' <= base && base <= 'z' || '0' <= base && base <= '9' {
			r.emitByte(byte(base))
			return
		}
		if 'A' <= base && base <= 'Z' {
			r.emitByte(byte(base) + 'a' - 'A')
			return
		}
	}
	if s, ok := latinSpecial(base); ok {
		r.emit(s)
		return
	}
	// A Latin letter with no ASCII equivalent in the table is kept as it
	// is: an exact match on it is better than a silent guess.
	r.emitKept(ch)
}
