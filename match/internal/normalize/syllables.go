package normalize

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
)

// Chinese and Korean given names of two syllables are written in Latin
// script solid (Xiuying, Minjun), with a hyphen (Xiu-ying, Min-jun) or, in
// Hong Kong, Taiwan and Korean usage, hyphenated with a capital (Hsiu-Ying,
// Ji-Hoon). [Text] makes a hyphen a separator, as it must for Jean-Pierre
// and García-López, so NameTokens joins the parts of a hyphenated word back
// together when every part is a syllable of one of these romanizations:
// then all three spellings, and the Han or Hangul name itself, give one
// token. A name written with a space (Xiu Ying) is two given names to a
// record system, and is left as two tokens.

// romanizedSyllablesExtra are the syllables of the romanizations that are
// not Hanyu Pinyin or Revised Romanization, as they are written in the
// given names of Latin records: Korean spellings of McCune–Reischauer and
// common usage, Wade–Giles (apostrophes and umlauts dropped, as Text
// drops them), Hong Kong Cantonese and Hokkien/Teochew. Compiled for this
// package from common usage; a syllable missing here only leaves a
// hyphenated name as two tokens, as it was before.
const romanizedSyllablesExtra = "" +
	// Korean
	"hoon joon soo sook sung young kyung hyun hee woo chul yong hyung kyu byung " +
	"seung ryong joo hye kyong kyoung myung yung ryung duk doo bum kun keun gun " +
	"kook koo sik shik hyuk taek chun chong choon choong jong yeong suk " +
	"kwang kwan kwon hwa hwan hwi whan yoon yeun mee shin shim chae chan " +
	"ryeong nyeong rim lim rin lin ra la ro lo ri li rye re " +
	// Wade–Giles
	"hsiu hsin hsi hsu hsing hsiang hsiao hsien hsueh hsuan hsia hsieh hsun hsiung " +
	"chih chia chieh chien chiang chiao chin ching chiu chiung chueh chuan chun chuang " +
	"tsai tsao tse tsung tsun tsui tso tsou tsan tsang tsen tseng tzu szu ssu " +
	"jen jih jo jung jui kuo kuan kuang kuei kung kun pao pei peng pin ping po " +
	"tai tan tang tao te teng ti tieh tien ting tung yung yueh yuan wen wei erh " +
	"lieh lien lueh luan nien yen yu yun ko kou ke " +
	// Hong Kong Cantonese
	"wai siu kar yan yin kwok keung chi ming wing kit yee mei ling fai hung chung " +
	"kin tak wah lok yuen yiu hoi hon pui sze shing shun tsz kwai lai lam fung " +
	"cheuk choi chow chau chuen hei him ho hin ngai ngan sum suet wan yau yat " +
	"yeung yim ying oi on kei kam kiu king kong mo mui nga ngo pak sau shek sin " +
	"sing so sui tin tong tsang wa wo yuk yue chak cheung chiu chor fat fook " +
	"hang hok kai kau kwong leung lun man mang mun nam ning pang poon sai shu " +
	"siew tat tim tse tsoi wong woon yik yip yuet " +
	// Hokkien and Teochew
	"boon keng seng hock chye kiat huat beng soon swee teck kok guan leng hwee " +
	"hui eng kee lian lay bee gek geok choo meng poh heng tiong ah kuan hup " +
	"giok gim hiang khoon kheng khai lip loke ong peck phua sian siong tee " +
	"thye wee whye yeow"

// romanizedSyllables is the set NameTokens joins hyphenated words over:
// every toneless reading in go-pinyin's dictionary (ü written yu, v and u,
// as records write it), every Revised Romanization of a Hangul syllable,
// and romanizedSyllablesExtra. It is built on first use.
var romanizedSyllables = sync.OnceValue(func() map[string]bool {
	m := make(map[string]bool, 4096)
	for _, v := range pinyin.PinyinDict {
		for _, r := range strings.Split(v, ",") {
			t := toneless(r)
			m[t] = true
			if strings.Contains(t, "yu") && (strings.HasPrefix(t, "ly") || strings.HasPrefix(t, "ny")) {
				m[t[:1]+"v"+t[3:]] = true
				m[t[:1]+"u"+t[3:]] = true
			}
		}
	}
	var buf []byte
	for c := rune(hangulFirst); c <= hangulLast; c++ {
		buf = appendHangulRR(buf[:0], c)
		m[string(buf)] = true
	}
	for _, s := range strings.Fields(romanizedSyllablesExtra) {
		m[s] = true
	}
	// Interjection readings without a vowel (m, n, hm, hng) would make
	// initials such as J-M one name; ng is a Cantonese family name.
	for s := range m {
		if s != "ng" && !strings.ContainsAny(s, "aeiouy") {
			delete(m, s)
		}
	}
	return m
})

// isHyphen reports whether c joins the parts of a hyphenated name.
func isHyphen(c rune) bool {
	return c == '-' || c == '\u2010' || c == '\u2011'
}

// mayHaveHyphen reports whether s can hold a hyphen, cheaply: by its
// ASCII hyphen or the lead byte of U+2010 and U+2011.
func mayHaveHyphen(s string) bool {
	return strings.IndexByte(s, '-') >= 0 || strings.IndexByte(s, 0xe2) >= 0
}

// appendWordNameTokens appends the tokens of [Text](w), w one word
// with no space in it, to dst, with the parts of a hyphenated romanized
// given name joined into one token.
func appendWordNameTokens(dst []string, w string) []string {
	start := len(dst)
	dst = appendTokens(dst, Text(w))
	if len(dst)-start < 2 || !mayHaveHyphen(w) {
		return dst
	}
	syl := romanizedSyllables()
	for _, t := range dst[start:] {
		if !syl[t] {
			return dst
		}
	}
	// Every token is a syllable; they are joined only if hyphens alone
	// separate them, each part giving its token whole.
	i := start
	for rest := w; ; {
		part, after, found := cutHyphen(rest)
		if part != "" {
			if i == len(dst) || Text(part) != dst[i] {
				return dst
			}
			i++
		}
		if !found {
			break
		}
		rest = after
	}
	if i != len(dst) {
		return dst
	}
	return append(dst[:start], strings.Join(dst[start:], ""))
}

// cutHyphen splits s at its first hyphen (see isHyphen).
func cutHyphen(s string) (before, after string, found bool) {
	for i, c := range s {
		if isHyphen(c) {
			return s[:i], s[i+utf8.RuneLen(c):], true
		}
	}
	return s, "", false
}

// hasJoinableSyllables reports whether two adjacent tokens of toks are
// romanized syllables, which a hyphen between them would join.
func hasJoinableSyllables(toks []string) bool {
	if len(toks) < 2 {
		return false
	}
	syl := romanizedSyllables()
	prev := false
	for _, t := range toks {
		cur := syl[t]
		if cur && prev {
			return true
		}
		prev = cur
	}
	return false
}
