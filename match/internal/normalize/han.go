package normalize

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
)

// Han characters are read in Mandarin pinyin without tones, from the
// dictionary of github.com/mozillazg/go-pinyin: the reading of a character
// is a fact about the language that no rule in this package could give,
// and that dictionary is maintained. Where a character has several
// readings, its first (most common) one is used, except that a family
// name is read as a family name (单 is Shan, not Dan); go-pinyin has no
// family-name mode, so hanSurnameReading lists the family names whose
// reading differs.
//
// ü is written "yu" (吕 "lyu", 女 "nyu"), as Chinese passports write it
// since GB/T 28039-2011; records that write Lü, Lu or Lv meet it through
// [SurnameVariants] and [ConsonantSkeleton].

// hanSurnameReading holds the family names whose reading as a family name
// differs from their first reading in go-pinyin, simplified and
// traditional forms alike.
var hanSurnameReading = map[rune]string{
	'单': "shan", '單': "shan", '曾': "zeng", '解': "xie", '区': "ou", '區': "ou",
	'仇': "qiu", '朴': "piao", '查': "zha", '盖': "ge", '蓋': "ge", '乐': "yue",
	'樂': "yue", '翟': "zhai", '缪': "miao", '繆': "miao", '种': "chong", '種': "chong",
	'繁': "po", '覃': "qin", '召': "shao", '秘': "bi", '薄': "bo", '隗': "wei",
	'都': "du", '六': "lu", '祭': "zhai", '阚': "kan", '闞': "kan", '洗': "xian",
	'句': "gou", '员': "yun", '員': "yun", '能': "nai", '折': "she",
}

// hanCompoundSurnames are the two-character family names, with their
// readings: a Han word that begins with one is split after two characters.
var hanCompoundSurnames = map[string]string{
	"欧阳": "ouyang", "歐陽": "ouyang", "司马": "sima", "司馬": "sima",
	"上官": "shangguan", "诸葛": "zhuge", "諸葛": "zhuge", "东方": "dongfang",
	"東方": "dongfang", "皇甫": "huangfu", "尉迟": "yuchi", "尉遲": "yuchi",
	"公孙": "gongsun", "公孫": "gongsun", "慕容": "murong", "令狐": "linghu",
	"司徒": "situ", "夏侯": "xiahou", "长孙": "zhangsun", "長孫": "zhangsun",
	"宇文": "yuwen", "轩辕": "xuanyuan", "軒轅": "xuanyuan", "端木": "duanmu",
	"西门": "ximen", "西門": "ximen", "南宫": "nangong", "南宮": "nangong",
	"独孤": "dugu", "獨孤": "dugu", "澹台": "tantai", "万俟": "moqi",
	"萬俟": "moqi", "单于": "chanyu", "單于": "chanyu", "呼延": "huyan",
	"闻人": "wenren", "聞人": "wenren", "赫连": "helian", "赫連": "helian",
	"申屠": "shentu", "钟离": "zhongli", "鍾離": "zhongli", "淳于": "chunyu",
	"濮阳": "puyang", "濮陽": "puyang", "公冶": "gongye", "太史": "taishi",
}

// hanCommonSurnames are common single-character family names, simplified
// and traditional. A two-character Han word is split into family name and
// given name only when it begins with one of these; the family names that
// often begin a given name too (文, 金, 明, 安, 华, 兰, 桂, 荣, 成, 向, 和,
// 宁, 龙, 乐, 梅) are left out, so that 文华 or 桂英 in a given-names field
// stays one given name.
const hanCommonSurnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董" +
	"袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范石廖贾夏韦付傅方白邹孟熊秦邱江尹" +
	"薛闫阎段雷侯史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤常温康施牛樊葛邢齐易乔伍庞颜倪庄" +
	"聂章鲁岳翟殷詹申欧耿关焦俞左柳甘祝包尚符舒阮柯纪童凌毕单季裴霍涂苗谷盛曲翁冉骆" +
	"蓝路游辛靳管柴蒙鲍喻祁蒲房滕屈饶解牟艾尤阳穆农司卓古吉缪简车项连芦麦褚娄窦戚岑" +
	"党宫费卜冷晏席卫米柏宗瞿佟应臧闵苟邬边卞姬师仇栾隋商刁沙巫寇桑郎甄丛仲虞敖巩佘" +
	"池乌区冼朴查盖种召" +
	"張劉陳楊黃趙吳孫馬郭羅鄭謝許韓馮鄧蕭葉蘇呂盧姜鍾譚陸汪賈韋鄒孟熊邱薛閻雷陶賀顧" +
	"龔邵萬錢嚴莫湯溫樊葛齊喬龐顏倪莊聶魯殷歐關焦紀畢單裴霍塗盛駱藍靳鮑饒繆簡車項連" +
	"蘆麥婁竇費衛臧閔鄔邊師欒隋區冼蓋種"

var hanSurnameSet = sync.OnceValue(func() map[rune]bool {
	m := make(map[rune]bool, utf8.RuneCountInString(hanCommonSurnames))
	for _, c := range hanCommonSurnames {
		m[c] = true
	}
	return m
})

// isHan reports whether c is a CJK unified or compatibility ideograph.
// Compatibility ideographs are listed although NFKC maps nearly all of them
// to unified ones, so that the renderer is right on its own.
func isHan(c rune) bool {
	return 0x4e00 <= c && c <= 0x9fff || 0x3400 <= c && c <= 0x4dbf ||
		0xf900 <= c && c <= 0xfaff || 0x20000 <= c && c <= 0x323af
}

// hanReading returns the toneless pinyin of c's first reading, or "" when
// go-pinyin has none.
func hanReading(c rune) string {
	var buf [16]byte
	return string(appendHanReading(buf[:0], c))
}

// hasHanReading reports whether go-pinyin has a reading for c.
func hasHanReading(c rune) bool {
	_, ok := pinyin.PinyinDict[int(c)]
	return ok
}

// appendHanReading appends the toneless pinyin of c's first reading to
// dst, or nothing when go-pinyin has none.
func appendHanReading(dst []byte, c rune) []byte {
	v, ok := pinyin.PinyinDict[int(c)]
	if !ok {
		return dst
	}
	if i := strings.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	return appendToneless(dst, v)
}

// toneless writes a pinyin reading as the lowercase ASCII that records
// use: tone marks dropped, ü as "yu".
func toneless(v string) string {
	var buf [16]byte
	return string(appendToneless(buf[:0], v))
}

// appendToneless appends [toneless](v) to dst.
func appendToneless(dst []byte, v string) []byte {
	for _, c := range v {
		switch c {
		case 'ü', 'ǖ', 'ǘ', 'ǚ', 'ǜ':
			dst = append(dst, 'y', 'u')
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, byte(c))
			continue
		}
		var d [16]byte
		base, _ := utf8.DecodeRune(nfdRune(d[:0], c))
		if base < utf8.RuneSelf {
			dst = append(dst, byte(base))
		}
	}
	return dst
}

// hanRun reads one run of Han characters starting at p[i:], emits its
// reading and returns the index after it.
func (r *renderer) hanRun(p []byte, i int) int {
	var buf [16]rune
	w := buf[:0]
	for i < len(p) {
		c, size := decodeRune(p, i)
		if !isHan(c) {
			break
		}
		w = append(w, c)
		i += size
	}
	r.sep()
	// A character without a reading is kept as it is, as its own token,
	// and splits the run: the readable parts around it are read alone.
	start := 0
	for j, c := range w {
		if !hasHanReading(c) {
			r.hanWord(w[start:j])
			r.sep()
			r.emitKept(c)
			r.sep()
			start = j + 1
		}
	}
	r.hanWord(w[start:])
	r.sep()
	return i
}

// hanWord emits a run of readable Han characters as a name. Chinese names
// are written with no space between family name and given name, and a
// given name is one or two characters, so a run of three or more is a
// family name (one character, or a compound of two) followed by a given
// name. A run of one character is read as a family name. A run of two is
// a family name and a one-character given name when it begins with a
// common family name that rarely begins a given name (张伟, 李娜), and one
// given name otherwise (秀英), and always when the character is doubled,
// as in many given names and no full name (方方, 丁丁). The given name is
// one token, its syllables joined, as Latin records write it (Xiuying).
func (r *renderer) hanWord(w []rune) {
	if len(w) == 0 {
		return
	}
	if len(w) >= 2 {
		if s, ok := hanCompoundSurnames[string(w[:2])]; ok {
			r.emit(s)
			r.sep()
			r.emitHanGiven(w[2:])
			return
		}
	}
	switch {
	case len(w) == 1:
		r.emit(hanSurname(w[0]))
	case len(w) >= 3 || w[0] != w[1] && hanSurnameSet()[w[0]]:
		r.emit(hanSurname(w[0]))
		r.sep()
		r.emitHanGiven(w[1:])
	default:
		r.emitHanGiven(w)
	}
}

// hanSurname is the reading of c as a family name.
func hanSurname(c rune) string {
	if s, ok := hanSurnameReading[c]; ok {
		return s
	}
	return hanReading(c)
}

// emitHanGiven emits the readings of w as one token.
func (r *renderer) emitHanGiven(w []rune) {
	if len(w) == 0 {
		return
	}
	var buf [64]byte
	b := buf[:0]
	for _, c := range w {
		b = appendHanReading(b, c)
	}
	r.emit(string(b))
}
