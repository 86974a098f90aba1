package normalize

// Hangul is romanized algorithmically: a precomposed syllable (U+AC00 to
// U+D7A3) is an initial, a medial and a final jamo by arithmetic on its
// code point, and each jamo has one Revised Romanization spelling.
// Syllables are romanized one at a time, with none of the sound changes
// RR makes across syllables (신라 is "sinra", not "silla"): RR itself
// writes given names without them, and two records of one name must give
// one string whatever the neighbours.

const (
	hangulFirst       = 0xac00
	hangulLast        = 0xd7a3
	hangulMedialCount = 21
	hangulFinalCount  = 28
)

var (
	hangulInitials = [19]string{"g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"}
	hangulMedials  = [hangulMedialCount]string{"a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"}
	// A final consonant is written as it sounds at the end of a word:
	// clusters by the consonant pronounced, ㅅ ㅆ ㅈ ㅊ ㅌ ㅎ as t.
	hangulFinals = [hangulFinalCount]string{"", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"}
)

func isHangulSyllable(c rune) bool {
	return hangulFirst <= c && c <= hangulLast
}

// appendHangulRR appends the Revised Romanization of the syllable c.
func appendHangulRR(dst []byte, c rune) []byte {
	i := int(c - hangulFirst)
	fin := i % hangulFinalCount
	med := (i / hangulFinalCount) % hangulMedialCount
	ini := i / (hangulFinalCount * hangulMedialCount)
	dst = append(dst, hangulInitials[ini]...)
	dst = append(dst, hangulMedials[med]...)
	return append(dst, hangulFinals[fin]...)
}

// koreanSurnameLatin gives the Latin spelling that Korean family names are
// written in instead of their Revised Romanization. RR gives 이 as "i",
// 박 as "bak" and 김 as "gim", which almost no record uses; the spelling
// here is the one most Koreans use in passports and abroad, so that the
// Hangul name meets the way the same family writes itself in Latin.
// [canonicalKoreanSurname] brings the other Latin spellings of these names
// to the same forms where that cannot merge unrelated names.
var koreanSurnameLatin = map[rune]string{
	'김': "kim", '이': "lee", '리': "lee", '박': "park", '최': "choi",
	'정': "jung", '강': "kang", '조': "cho", '윤': "yoon", '장': "jang",
	'임': "lim", '림': "lim", '한': "han", '오': "oh", '서': "seo",
	'신': "shin", '권': "kwon", '황': "hwang", '안': "ahn", '송': "song",
	'류': "ryu", '유': "yoo", '홍': "hong", '전': "jeon", '고': "ko",
	'문': "moon", '양': "yang", '손': "son", '배': "bae", '백': "baek",
	'허': "heo", '남': "nam", '심': "shim", '노': "noh", '하': "ha",
	'곽': "kwak", '성': "sung", '차': "cha", '주': "joo", '우': "woo",
	'구': "koo", '민': "min", '진': "jin", '지': "ji", '채': "chae",
	'원': "won", '천': "cheon", '방': "bang", '공': "kong", '현': "hyun",
	'변': "byun", '엄': "eom", '표': "pyo", '명': "myung", '기': "ki",
	'경': "kyung", '길': "kil", '국': "kook", '두': "doo", '추': "choo",
	'석': "seok", '선': "sun", '설': "seol", '육': "yuk", '함': "ham",
}

// koreanCompoundSurnames are the two-syllable family names: a Hangul word
// that begins with one is split after two syllables, not one.
var koreanCompoundSurnames = map[string]string{
	"남궁": "namgung", "황보": "hwangbo", "제갈": "jegal", "선우": "sunwoo",
	"독고": "dokgo", "사공": "sagong", "서문": "seomun", "동방": "dongbang",
	"을지": "eulji", "망절": "mangjeol", "어금": "eogeum",
}

// hangulRun reads one run of Hangul syllables starting at p[i:], emits
// its romanization and returns the index after it.
func (r *renderer) hangulRun(p []byte, i int) int {
	var buf [16]rune
	w := buf[:0]
	for i < len(p) {
		c, size := decodeRune(p, i)
		if !isHangulSyllable(c) {
			break
		}
		w = append(w, c)
		i += size
	}
	r.hangulWord(w)
	return i
}

// hangulWord emits a run of Hangul syllables as a name. A Korean name is
// written without a space between family name and given name, and given
// names are almost always two syllables, so a run of three or more is a
// family name (one syllable, or a compound of two) and a given name; a run
// of one or two syllables is left whole, since a two-syllable given name
// is far more common than a full name of two syllables, and many given
// names begin with a syllable that is also a family name (서연, 윤서).
func (r *renderer) hangulWord(w []rune) {
	r.sep()
	if len(w) >= 2 {
		// 선우 alone is the given name Seonu more often than the family
		// name Sunwoo.
		if s, ok := koreanCompoundSurnames[string(w[:2])]; ok && (len(w) > 2 || s != "sunwoo") {
			r.emit(s)
			if len(w) > 2 {
				r.sep()
				r.emitHangul(w[2:])
			}
			r.sep()
			return
		}
	}
	switch {
	case len(w) == 1:
		if s, ok := koreanSurnameLatin[w[0]]; ok {
			r.emit(s)
		} else {
			r.emitHangul(w)
		}
	case len(w) >= 3:
		if s, ok := koreanSurnameLatin[w[0]]; ok {
			r.emit(s)
		} else {
			r.emitHangul(w[:1])
		}
		r.sep()
		r.emitHangul(w[1:])
	default:
		r.emitHangul(w)
	}
	r.sep()
}

// emitHangul emits the syllables of w as one token.
func (r *renderer) emitHangul(w []rune) {
	var buf [64]byte
	b := buf[:0]
	for _, c := range w {
		b = appendHangulRR(b, c)
	}
	r.emit(string(b))
}
