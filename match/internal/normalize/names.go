package normalize

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NameTokens returns the tokens of [Text](s) with the joins that records
// are inconsistent about undone, in the written order:
//
//   - A one-letter elision prefix d, l, o, n or m, which Text split off at
//     its apostrophe, is joined to the token after it, so O'Brien, O Brien
//     and OBrien all give "obrien", D'Souza and DSouza give "dsouza",
//     N'Diaye and Ndiaye give "ndiaye". The prefix is joined only when a
//     token follows, so a trailing middle initial ("Anna M") stays.
//   - mac and mc followed by a token are joined to it (Mc Donald →
//     mcdonald).
//   - Arabic compounds with abd ("servant of") are written as one word or
//     several: Abdul Rahman, Abd al-Rahman, Abdel Rahman, Abdurrahman,
//     Abdulrahman. All become "abd" + the following name ("abdrahman"), and
//     a one-word "abdullah"/"abdallah" becomes "abdlah".
//   - The parts of a hyphenated Chinese or Korean given name are joined
//     when each is a syllable of pinyin, Wade–Giles, Cantonese, Hokkien
//     or Korean romanization, so Xiu-ying, Xiuying and 秀英 all give
//     "xiuying", and Min-jun, Minjun and 민준 give "minjun". Other
//     hyphenated names (Jean-Pierre, García-López) stay apart; a
//     hyphenated double family name of two such syllables (Chen-Wang) is
//     joined too.
//   - The Latin spellings of common Korean family names that belong to
//     no other name are written in their most common spelling (Rhee and
//     Yi as lee, Pak as park, Gim as kim, Choe as choi, Jeong as jung),
//     which is how [Text] writes the Hangul name; see the package
//     documentation.
//
// Particles are not removed here; see [DropParticles].
func NameTokens(s string) []string {
	return AppendNameTokens(nil, s)
}

// AppendNameTokens appends the tokens of [NameTokens](s) to dst, so that a
// caller tokenizing many names can reuse one slice.
func AppendNameTokens(dst []string, s string) []string {
	start := len(dst)
	dst = appendTokens(dst, Text(s))
	if !mayHaveHyphen(s) || !hasJoinableSyllables(dst[start:]) {
		return joinNameTokens(dst, start)
	}
	// Hyphens are read word by word (see appendWordNameTokens), as the
	// Tokenizer reads every word.
	dst = dst[:start]
	for s != "" {
		var w string
		w, s = nextWord(s)
		if w == "" {
			break
		}
		dst = appendWordNameTokens(dst, w)
	}
	return joinNameTokens(dst, start)
}

// Tokenizer is [AppendNameTokens] with a memory: it keeps the tokens of
// every word (run of non-space characters) it has met, so that a file
// whose names share words, as given names, family names and parents'
// names do from record to record, is normalized once per distinct word.
// Its results are those of AppendNameTokens, exactly: [Text] reads no
// context across a space (transliteration, marks and folding work within
// a word), and the joins of NameTokens (O' Brien, Abd al-Rahman) are made
// on the tokens of the whole name. A Tokenizer is not safe for concurrent
// use, and its memory grows with the distinct words it is given; the zero
// value is ready to use.
type Tokenizer struct {
	words map[string][]string
	texts map[string]string
}

// Size is how many words and texts tz remembers.
func (tz *Tokenizer) Size() int { return len(tz.words) + len(tz.texts) }

// Text returns [Text](s), remembered: for fields that repeat whole from
// record to record, such as birth places. ASCII input is not remembered:
// its Text costs less than remembering it.
func (tz *Tokenizer) Text(s string) string {
	if isASCII(s) {
		return asciiText(s)
	}
	if tz.texts == nil {
		tz.texts = map[string]string{}
	}
	t, ok := tz.texts[s]
	if !ok {
		t = Text(s)
		tz.texts[s] = t
	}
	return t
}

// AppendNameTokens appends the tokens of [NameTokens](s) to dst.
func (tz *Tokenizer) AppendNameTokens(dst []string, s string) []string {
	if tz.words == nil {
		tz.words = map[string][]string{}
	}
	start := len(dst)
	for s != "" {
		var w string
		w, s = nextWord(s)
		if w == "" {
			break
		}
		toks, ok := tz.words[w]
		if !ok {
			toks = appendWordNameTokens(nil, w)
			tz.words[w] = toks
		}
		dst = append(dst, toks...)
	}
	return joinNameTokens(dst, start)
}

// nextWord returns the first word of s, as strings.Fields splits s, and
// what follows it; w is "" when s has no word.
func nextWord(s string) (w, rest string) {
	i := 0
	for i < len(s) {
		size := spaceAt(s, i)
		if size == 0 {
			break
		}
		i += size
	}
	j := i
	for j < len(s) && (!mayStartSpace[s[j]] || spaceAt(s, j) == 0) {
		j++
	}
	return s[i:j], s[j:]
}

// mayStartSpace marks the bytes that can start a white space character
// (unicode.IsSpace): the ASCII ones, and the lead bytes 0xC2, 0xE1, 0xE2
// and 0xE3. Any other byte, including every byte inside a character, can
// be skipped alone.
var mayStartSpace = [256]bool{
	' ': true, '\t': true, '\n': true, '\v': true, '\f': true, '\r': true,
	0xC2: true, 0xE1: true, 0xE2: true, 0xE3: true,
}

// spaceAt returns the size of the white space character at s[i], or 0 if
// there is none.
func spaceAt(s string, i int) int {
	switch c := s[i]; {
	case !mayStartSpace[c]:
		return 0
	case c < utf8.RuneSelf:
		return 1
	}
	if r, size := utf8.DecodeRuneInString(s[i:]); unicode.IsSpace(r) {
		return size
	}
	return 0
}

// joinNameTokens makes the joins of NameTokens on dst[start:], the tokens
// of Text, in place.
func joinNameTokens(dst []string, start int) []string {
	toks := dst[start:]
	if len(toks) == 0 {
		return dst
	}
	// out shares toks' array; it never overtakes the read position.
	out := toks[:0]
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if i+1 < len(toks) && (isElision(t) || t == "mc" || t == "mac") {
			toks[i+1] = t + toks[i+1]
			continue
		}
		if i+1 < len(toks) && isAbdPrefix(t) {
			j := i + 1
			// Skip the article between abd and the name (abd al-rahman).
			for j+1 < len(toks) && isArticle(toks[j]) {
				j++
			}
			name := toks[j]
			// "Allah" carries its article inside: Abd Allah is Abdullah.
			switch name {
			case "allah":
				name = "lah"
			case "alla":
				name = "la"
			}
			out = append(out, "abd"+name)
			i = j
			continue
		}
		out = append(out, canonicalKoreanSurname(abdJoined(t)))
	}
	return dst[:start+len(out)]
}

func isArticle(t string) bool {
	return t == "al" || t == "el" || t == "ul"
}

func isElision(t string) bool {
	switch t {
	case "d", "l", "o", "n", "m":
		return true
	}
	return false
}

// isAbdPrefix reports whether t is abd written as its own word, with or
// without the article joined to it: abd, abdu, abdul, abdel, abdal, abdol,
// abdoul, abdil, and the forms assimilated to a following sun letter such
// as abdur, abdus, abdun.
func isAbdPrefix(t string) bool {
	if !strings.HasPrefix(t, "abd") {
		return false
	}
	rest := t[3:]
	switch rest {
	case "", "u", "ul", "el", "al", "ol", "oul", "il", "ur", "us", "ush", "un", "ud", "ut", "uz", "ar", "er", "ed", "en", "es":
		return true
	}
	return false
}

// abdJoined canonicalizes a one-word abd compound (abdullah, abdelkader,
// abdurrahman): the connector after abd, a vowel and the article's l or a
// vowel and the first of a doubled sun letter, is dropped, leaving "abd" +
// name ("abdlah", "abdkader", "abdrahman"). Words that start with abd but
// have no connector followed by at least two letters are left alone.
func abdJoined(t string) string {
	if !strings.HasPrefix(t, "abd") {
		return t
	}
	rest := t[3:]
	for _, p := range [...]string{"oul", "ul", "el", "al", "ol", "il"} {
		if strings.HasPrefix(rest, p) && len(rest) >= len(p)+2 {
			name := rest[len(p):]
			if name == "ah" || name == "ahi" {
				// Allah with one l (Abdulahi, Abdalah): the connector's l
				// is also the name's.
				return "abdl" + name
			}
			return "abd" + name
		}
	}
	// Assimilated article: abd + vowel + doubled sun letter.
	if len(rest) >= 5 && isVowel(rest[0]) && rest[1] == rest[2] && isSunLetter(rest[1]) {
		return "abd" + rest[2:]
	}
	return t
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}

// isSunLetter reports whether c starts the Latin spelling of an Arabic sun
// letter, to which the article al- assimilates (ar-Rahman, as-Salam).
func isSunLetter(c byte) bool {
	switch c {
	case 't', 'd', 'r', 'z', 's', 'n', 'l':
		return true
	}
	return false
}

// IsParticle reports whether token t is a name particle or connector that
// [DropParticles] removes: al, el, ul, bin, ibn, bint, ben, abu, abou, van,
// von, der, den, ter, ten, zu, de, del, della, dello, delle, dei, degli,
// di, da, dos, das, du, la, le, los, las, and the Spanish connector y. The
// Arabic-script forms are included as [Text] writes them (بن → bn,
// ابن → abn, بنت → bnt, أبو → abw). mac and mc are not particles: they are
// part of the name (McDonald is not Donald). Single letters are not
// particles either; d', l', o' are joined by [NameTokens] instead.
//
// The list holds real surnames and given names too (Le and La are
// Vietnamese surnames, Van a Vietnamese middle name, Ben a given name);
// records that write them are still keyed alike on both sides, but such a
// name adds nothing to a key when another token follows it.
func IsParticle(t string) bool {
	switch t {
	case "al", "el", "ul",
		"bin", "ibn", "bint", "ben", "abu", "abou", "bn", "abn", "bnt", "abw",
		"van", "von", "der", "den", "ter", "ten", "zu",
		"de", "del", "della", "dello", "delle", "dei", "degli",
		"di", "da", "dos", "das", "du", "la", "le", "los", "las", "y":
		return true
	}
	return false
}

// DropParticles returns tokens without the name particles, in order. A
// particle is dropped only when a non-particle token follows it, since
// particles stand before the name they belong to: "van der Berg" gives
// "berg", "al Hassan" gives "hassan", but a name that is only "Le" or
// "Ben" keeps it. The input slice is not modified, and is returned itself
// when it holds no particle.
//
// Dropping is right for family names, where records disagree about
// particles. For given names it can lose a real name ("Ben David"), so
// rules on given names should use [NameTokens].
//
// A particle written solid with the name (DeLuca, Vandyke, Alhassan) is
// not recognized: no rule can tell the de of Deluca from that of Delgado.
func DropParticles(tokens []string) []string {
	if !slices.ContainsFunc(tokens, IsParticle) {
		return tokens // nothing to drop: most names
	}
	out := make([]string, 0, len(tokens))
	for i, t := range tokens {
		if IsParticle(t) && hasNonParticleAfter(tokens[i+1:]) {
			continue
		}
		out = append(out, t)
	}
	return out
}

func hasNonParticleAfter(rest []string) bool {
	for _, t := range rest {
		if !IsParticle(t) {
			return true
		}
	}
	return false
}

// NameKey returns an order-free key for a name: the tokens of
// [NameTokens](s) with particles dropped ([DropParticles]), sorted and
// joined by single spaces. "Kovalenko Oleksandr", "oleksandr KOVALENKO"
// and "Oleksandr  Kovalenko-" all give "kovalenko oleksandr";
// "al-Hassan", "Al Hassan" and "Hassan" all give "hassan".
func NameKey(s string) string {
	toks := DropParticles(NameTokens(s))
	sort.Strings(toks)
	return strings.Join(toks, " ")
}

// canonicalKoreanSurname writes the Latin spellings of common Korean
// family names as the spelling [Text] gives the Hangul name. Only
// spellings that stand for nothing else common are rewritten: Yun, An,
// Yu, Gang, Chang and Chung are also pinyin or Chinese spellings, and
// rewriting them would merge unrelated Chinese names, so they are left to
// [SurnameVariants] and to the skeletons (Yun and Yoon share one). Yi and
// Ri are the exception: they are how many Koreans write 이, and the
// Chinese names that Yi also writes (易, and given names such as 一 or 怡)
// merge only with the rare Chinese given name written Lee. The rewrite is
// made wherever the token stands, since a name field does not say which
// token is the family name; every record goes through it alike.
func canonicalKoreanSurname(t string) string {
	if len(t) < 2 || len(t) > 5 {
		return t
	}
	switch t {
	case "yi", "ri", "rhee", "rhie":
		return "lee"
	case "pak", "bak", "bahk":
		return "park"
	case "gim":
		return "kim"
	case "choe", "chwe":
		return "choi"
	case "jeong", "joung":
		return "jung"
	case "jo", "joh":
		return "cho"
	case "im":
		return "lim"
	case "gwon", "kweon":
		return "kwon"
	case "suh":
		return "seo"
	}
	return t
}
