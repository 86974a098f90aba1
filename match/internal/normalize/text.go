package normalize

import (
	"strings"
	"sync"
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
// romanization of Han characters (pinyin) and Hangul (Revised
// Romanization), which are read as names and split into family name and
// given name (see the package documentation); hyphens, apostrophes,
// punctuation and symbols become separators; runs of separators collapse
// to one space with none at either end.
//
// Tokens in scripts that have no table here (Kana, Hebrew and others) are
// kept NFKC-normalized and case folded, so the result is not ASCII for
// them. Text is idempotent: Text(Text(s)) == Text(s).
func Text(s string) string {
	if isASCII(s) {
		return asciiText(s)
	}
	return render(s, 0)
}

// appendTokens appends the space-separated tokens of t, an output of
// Text, to dst.
func appendTokens(dst []string, t string) []string {
	if !isASCII(t) {
		// Kept runes of other scripts: let Fields decide what is space.
		return append(dst, strings.Fields(t)...)
	}
	for t != "" {
		i := strings.IndexByte(t, ' ')
		if i < 0 {
			return append(dst, t)
		}
		if i > 0 {
			dst = append(dst, t[:i])
		}
		t = t[i+1:]
	}
	return dst
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

// appendPrepared appends s with NFKC and full case folding applied to
// dst. NFKC runs again after folding because folding can leave sequences
// that are not composed (İ folds to i plus a combining dot), and the
// renderer expects composed letters such as й and ї, which it must not
// confuse with и or і plus a mark. The result is bytes so that callers can
// keep it in a buffer on their stack: for most records the prepared form
// is thrown away as soon as it is rendered.
func appendPrepared(dst []byte, s string) []byte {
	if p, ok := appendPrepareSimple(dst, s); ok {
		return p
	}
	return append(dst, prepareFull(s)...)
}

// prepareFull is the work of appendPrepared done with the Unicode
// machinery; it is right for every input.
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

// appendPrepareSimple is appendPrepared for the strings that most records
// hold: every rune is one that NFKC leaves alone wherever it stands and
// whose case folding is one or two such runes (see foldTable). For them
// NFKC is the identity, and folding maps rune by rune, so preparing
// reduces to a table look-up. It reports false, and leaves the work to
// prepareFull, for anything else: combining marks, compatibility
// characters, invalid UTF-8, runes past the table.
func appendPrepareSimple(dst []byte, s string) ([]byte, bool) {
	t := foldTable()
	out := dst
	// Runs of unchanged bytes are copied in one go; copied is the length
	// of s already in out.
	copied := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				out = append(out, s[copied:i]...)
				out = append(out, c+'a'-'A')
				copied = i + 1
			}
			i++
			continue
		}
		r, size := decodeRuneInString(s, i)
		// An invalid byte decodes to U+FFFD, which is past the table.
		if r >= foldTableSize {
			return dst, false
		}
		e := t[r]
		if e[0] == notSimple {
			return dst, false
		}
		if rune(e[0]) != r || e[1] != 0 {
			out = append(out, s[copied:i]...)
			out = utf8.AppendRune(out, rune(e[0]))
			if e[1] != 0 {
				out = utf8.AppendRune(out, rune(e[1]))
			}
			copied = i + size
		}
		i += size
	}
	return append(out, s[copied:]...), true
}

// prepareBufSize is the stack buffer that render prepares its input in,
// and that the renderer writes its output to before making the result
// string; it fits the names and places of nearly all records.
const prepareBufSize = 128

// render is the full, non-ASCII path of Text under transliteration scheme
// sc (0 is the canonical scheme).
func render(s string, sc int) string {
	var buf [prepareBufSize]byte
	p := appendPrepared(buf[:0], s)
	var lang langSet
	if sc != 0 {
		lang = detectLang(p)
	}
	return renderPrepared(p, sc, lang)
}

// renderPrepared renders p, which appendPrepared has already normalized.
// The output is pushed through the canonical pipeline again until it no
// longer changes: dropping marks and separators can make kept
// (untransliterated) runes meet in ways that NFKC composes, and Text must
// be idempotent. Only output with kept runes can change, so the loop
// almost never runs twice.
func renderPrepared(p []byte, sc int, lang langSet) string {
	r := renderer{sc: sc, lang: lang}
	r.run(p)
	out := r.out.string()
	if !r.anyKept {
		return out
	}
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
	var buf [prepareBufSize]byte
	var r renderer
	r.run(appendPrepared(buf[:0], s))
	return r.out.string()
}

// outBuf is an append-only byte buffer that starts in an array of its
// own. A slice or strings.Builder that the renderer's methods append to
// would be moved to the heap, and would cost an allocation besides the
// result string and a write barrier on every write; the array lives
// wherever the renderer does, on the stack.
type outBuf struct {
	arr [prepareBufSize]byte
	n   int
	// spill holds the contents once they outgrow arr.
	spill []byte
}

func (b *outBuf) len() int {
	if b.spill != nil {
		return len(b.spill)
	}
	return b.n
}

func (b *outBuf) writeByte(c byte) {
	if b.spill == nil && b.n < len(b.arr) {
		b.arr[b.n] = c
		b.n++
		return
	}
	b.grow()
	b.spill = append(b.spill, c)
}

func (b *outBuf) writeString(s string) {
	if b.spill == nil && len(s) <= len(b.arr)-b.n {
		// Byte by byte: s is mostly one or two letters, for which a call
		// to memmove costs more than the copy.
		for i := 0; i < len(s); i++ {
			b.arr[b.n+i] = s[i]
		}
		b.n += len(s)
		return
	}
	b.grow()
	b.spill = append(b.spill, s...)
}

func (b *outBuf) writeRune(c rune) {
	var enc [utf8.UTFMax]byte
	n := utf8.EncodeRune(enc[:], c)
	if b.spill == nil && n <= len(b.arr)-b.n {
		b.n += copy(b.arr[b.n:], enc[:n])
		return
	}
	b.grow()
	b.spill = append(b.spill, enc[:n]...)
}

// grow moves the contents to spill, if they are not there yet.
func (b *outBuf) grow() {
	if b.spill == nil {
		b.spill = make([]byte, b.n, 2*len(b.arr))
		copy(b.spill, b.arr[:b.n])
	}
}

func (b *outBuf) string() string {
	if b.spill != nil {
		return string(b.spill)
	}
	return string(b.arr[:b.n])
}

// renderer accumulates normalized output. Separators are not written
// eagerly: a pending separator becomes one space only when another token
// character follows, which collapses runs and trims both ends.
type renderer struct {
	out     outBuf
	pending bool
	// kept is true right after a rune that was copied unchanged (a script
	// without a table); combining marks that follow such a rune belong to
	// it and are kept too, everywhere else marks are dropped.
	kept bool
	// anyKept records that some rune was copied unchanged. Without one
	// the output is ASCII, and renderPrepared need not look at it again.
	anyKept bool
	sc      int
	lang    langSet
}

func (r *renderer) sep() {
	r.pending = true
	r.kept = false
}

func (r *renderer) space() {
	if r.pending && r.out.len() > 0 {
		r.out.writeByte(' ')
	}
	r.pending = false
}

func (r *renderer) emit(s string) {
	if s == "" {
		return
	}
	r.space()
	r.out.writeString(s)
	r.kept = false
}

func (r *renderer) emitByte(c byte) {
	r.space()
	r.out.writeByte(c)
	r.kept = false
}

func (r *renderer) emitKept(c rune) {
	c = cherokeeFold(c)
	r.space()
	r.out.writeRune(c)
	r.kept = true
	r.anyKept = true
}

// runeClass is what the renderer does with a non-ASCII rune.
type runeClass uint8

const (
	classSep runeClass = iota
	classCyrillic
	classGreek
	classArabic
	classMark
	classApostrophe
	classDropped
	classLatin
	classDigit
	classKept
	classHan
	classHangul
)

// classify gives the class of ch: the first test that ch passes, in the
// order of the cases in run.
func classify(ch rune) runeClass {
	switch {
	case isHangulSyllable(ch):
		return classHangul
	case isHan(ch):
		return classHan
	case isCyrillicLetter(ch):
		return classCyrillic
	case isGreekLetter(ch):
		return classGreek
	case isArabicLetter(ch):
		return classArabic
	case isMark(ch):
		return classMark
	case isApostrophe(ch):
		return classApostrophe
	case isDroppedFormat(ch):
		return classDropped
	case unicode.Is(unicode.Latin, ch) && unicode.IsLetter(ch):
		return classLatin
	case unicode.IsDigit(ch):
		return classDigit
	case unicode.IsLetter(ch) || unicode.IsNumber(ch):
		return classKept
	}
	return classSep
}

// classTable holds classify for the runes below foldTableSize: the tests
// of the later classes search the Unicode range tables, several of them
// for a single Latin letter.
var classTable = sync.OnceValue(func() *[foldTableSize]runeClass {
	t := new([foldTableSize]runeClass)
	for r := range rune(foldTableSize) {
		t[r] = classify(r)
	}
	return t
})

func (r *renderer) run(p []byte) {
	classes := classTable()
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
		if ch == utf8.RuneError && size == 1 {
			r.sep()
			i++
			continue
		}
		var class runeClass
		if ch < foldTableSize {
			class = classes[ch]
		} else {
			class = classify(ch)
		}
		switch class {
		case classCyrillic:
			i = r.cyrillicRun(p, i)
			continue
		case classGreek:
			i = r.greekRun(p, i)
			continue
		case classArabic:
			i = r.arabicRun(p, i)
			continue
		case classHan:
			i = r.hanRun(p, i)
			continue
		case classHangul:
			i = r.hangulRun(p, i)
			continue
		case classMark:
			if r.kept {
				r.emitKept(ch)
			}
		case classApostrophe:
			r.sep()
		case classDropped:
			// Zero-width joiners, soft hyphens, tatweel and transliteration
			// primes (ʹ ʺ) sit inside words; they must neither split a token
			// nor survive in it.
		case classLatin:
			r.latin(ch)
		case classDigit:
			if d, ok := asciiDigit(ch); ok {
				r.emitByte(d)
			} else {
				r.emitKept(ch)
			}
		case classKept:
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
	// The word loops ask this of the space or punctuation that ends every
	// word; no mark comes before U+0300, and the general test costs a
	// table search.
	if ch < 0x300 {
		return false
	}
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
