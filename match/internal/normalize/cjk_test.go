package normalize

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCJKNamesMeetLatin checks that a name written in Han or Hangul and
// the same name in the Latin spellings records use give the same tokens.
func TestCJKNamesMeetLatin(t *testing.T) {
	cases := []struct {
		native string
		latin  []string
		want   []string
	}{
		{"陈秀英", []string{"Chen Xiuying", "Chen Xiu-ying", "CHEN Xiu-Ying"}, []string{"chen", "xiuying"}},
		{"张伟", []string{"Zhang Wei"}, []string{"zhang", "wei"}},
		{"王芳", []string{"Wang Fang"}, []string{"wang", "fang"}},
		{"李娜", []string{"Li Na"}, []string{"li", "na"}},
		{"刘洋", []string{"Liu Yang"}, []string{"liu", "yang"}},
		{"欧阳娜娜", []string{"Ouyang Nana", "Ouyang Na-na"}, []string{"ouyang", "nana"}},
		{"單志明", []string{"Shan Zhiming", "Shan Zhi-ming"}, []string{"shan", "zhiming"}},
		{"김민준", []string{"Kim Minjun", "Kim Min-jun", "Gim Min-Jun"}, []string{"kim", "minjun"}},
		{"이서연", []string{"Lee Seoyeon", "Yi Seo-yeon", "Rhee Seo-Yeon"}, []string{"lee", "seoyeon"}},
		{"박지훈", []string{"Park Jihun", "Pak Ji-hun", "Bak Jihun"}, []string{"park", "jihun"}},
		{"최유진", []string{"Choi Yujin", "Choe Yu-jin"}, []string{"choi", "yujin"}},
		{"정민수", []string{"Jung Minsu", "Jeong Min-su"}, []string{"jung", "minsu"}},
		{"조현우", []string{"Cho Hyeonu", "Jo Hyeon-u"}, []string{"cho", "hyeonu"}},
		{"권지민", []string{"Kwon Jimin", "Gwon Ji-min"}, []string{"kwon", "jimin"}},
		{"남궁민", []string{"Namgung Min"}, []string{"namgung", "min"}},
	}
	for _, tc := range cases {
		t.Run(tc.native, func(t *testing.T) {
			require.Equal(t, tc.want, NameTokens(tc.native), "NameTokens(%q)", tc.native)
			for _, l := range tc.latin {
				assert.Equal(t, tc.want, NameTokens(l), "NameTokens(%q)", l)
				assert.Equal(t, SkeletonKey(tc.native), SkeletonKey(l), "SkeletonKey(%q)", l)
				assert.Equal(t, NameKey(tc.native), NameKey(l), "NameKey(%q)", l)
			}
		})
	}
}

// TestCJKNamesMeetBySkeleton lists Latin spellings that differ from the
// romanization in their vowels, or in a family name that no rewrite can
// safely fix: they meet it through ConsonantSkeleton.
func TestCJKNamesMeetBySkeleton(t *testing.T) {
	cases := []struct{ native, latin string }{
		{"박지훈", "Park Jihoon"},
		{"박지훈", "Pak Ji-hoon"},
		{"김민준", "Kim Min-joon"},
		{"윤서연", "Yun Seo-yeon"},
		{"신유진", "Sin Yu-jin"},
		{"서지민", "Suh Jimin"},
	}
	for _, tc := range cases {
		assert.Equal(t, SkeletonKey(tc.native), SkeletonKey(tc.latin), "%s and %s", tc.native, tc.latin)
	}
}

func TestHyphenatedSyllablesJoin(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Xiu-ying", []string{"xiuying"}},
		{"Hsiu-ying", []string{"hsiuying"}},
		{"Wai-Man Chan", []string{"waiman", "chan"}},
		{"Boon-Keng", []string{"boonkeng"}},
		{"Ji\u2011hoon", []string{"jihoon"}},
		{"Xiù-yīng", []string{"xiuying"}},
		// Not every part a syllable: hyphenated Western names stay apart.
		{"Jean-Pierre", []string{"jean", "pierre"}},
		{"García-López", []string{"garcia", "lopez"}},
		{"Mary-Ann", []string{"mary", "ann"}},
		{"Le-Anh", []string{"le", "anh"}},
		// Something besides the hyphen between the parts.
		{"Kim,Min-jun", []string{"kim", "min", "jun"}},
		{"Min-jun.", []string{"minjun"}},
		// Initials are not syllables.
		{"J-M", []string{"j", "m"}},
		// A space separates given names: left as written.
		{"Xiu Ying", []string{"xiu", "ying"}},
	}
	var tz Tokenizer
	for _, tc := range cases {
		assert.Equal(t, tc.want, NameTokens(tc.in), "NameTokens(%q)", tc.in)
		checkTokenizer(t, &tz, tc.in)
		checkTokenizer(t, &tz, "Wang "+tc.in+" Li-na")
	}
}

func TestKoreanSurnameSpellings(t *testing.T) {
	for in, want := range map[string]string{
		"Rhee": "lee", "Yi": "lee", "Ri": "lee", "Lee": "lee", "Pak": "park", "Bak": "park",
		"Gim": "kim", "Choe": "choi", "Jeong": "jung", "Jo": "cho", "Im": "lim", "Suh": "seo",
		"Gwon": "kwon",
		// Also pinyin or Chinese spellings: not rewritten.
		"Yun": "yun", "An": "an", "Yu": "yu", "Gang": "gang", "Chang": "chang", "Chung": "chung",
		"Young": "young", "Park": "park",
	} {
		assert.Equal(t, []string{want}, NameTokens(in), "NameTokens(%q)", in)
	}
	// Only whole tokens: a name that begins with a surname spelling keeps it.
	assert.Equal(t, []string{"pakistan", "yiming"}, NameTokens("Pakistan Yi-ming"))
}

func TestHanAndHangulTokens(t *testing.T) {
	cases := []struct{ in, want string }{
		{"曾", "zeng"},
		{"解", "xie"},
		{"区", "ou"},
		{"曾国藩", "zeng guofan"},
		{"陳秀英", "chen xiuying"},
		{"司馬光", "sima guang"},
		{"秀英 陈", "xiuying chen"},
		{"文华", "wenhua"},
		{"北京", "beijing"},
		{"方方", "fangfang"},
		{"乐乐", "lele"},
		{"王方", "wang fang"},
		{"선우", "seonu"},
		{"선우진", "sunwoo jin"},
		{"박", "park"},
		{"지훈", "jihun"},
		{"황보영", "hwangbo yeong"},
		{"독고", "dokgo"},
		{"김 민준", "kim minjun"},
		{"\u1100\u1161\u11a8", "gak"}, // conjoining jamo compose
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, Text(tc.in), "Text(%q)", tc.in)
		assert.Equal(t, tc.want, Text(tc.want), "idempotent on %q", tc.in)
	}
}

func TestHangulRRTables(t *testing.T) {
	// One syllable for every initial, medial and final: the arithmetic and
	// the table order.
	cases := map[rune]string{
		'가': "ga", '까': "kka", '나': "na", '다': "da", '따': "tta", '라': "ra", '마': "ma",
		'바': "ba", '빠': "ppa", '사': "sa", '싸': "ssa", '아': "a", '자': "ja", '짜': "jja",
		'차': "cha", '카': "ka", '타': "ta", '파': "pa", '하': "ha",
		'개': "gae", '갸': "gya", '걔': "gyae", '거': "geo", '게': "ge", '겨': "gyeo",
		'계': "gye", '고': "go", '과': "gwa", '괘': "gwae", '괴': "goe", '교': "gyo",
		'구': "gu", '궈': "gwo", '궤': "gwe", '귀': "gwi", '규': "gyu", '그': "geu",
		'긔': "gui", '기': "gi",
		'각': "gak", '갂': "gak", '갃': "gak", '간': "gan", '갅': "gan", '갆': "gan",
		'갇': "gat", '갈': "gal", '갉': "gak", '갊': "gam", '갋': "gal", '갌': "gal",
		'갍': "gal", '갎': "gap", '갏': "gal", '감': "gam", '갑': "gap", '값': "gap",
		'갓': "gat", '갔': "gat", '강': "gang", '갖': "gat", '갗': "gat", '갘': "gak",
		'같': "gat", '갚': "gap", '갛': "gat", '힣': "hit",
	}
	for c, want := range cases {
		assert.Equal(t, want, string(appendHangulRR(nil, c)), "%c", c)
	}
}

func TestSurnameVariants(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"chan", []string{"chen"}},
		{"wong", []string{"huang", "wang"}},
		{"tan", []string{"chen", "tan"}},
		{"lee", []string{"lee", "li"}},
		{"kim", []string{"jin", "kim"}},
		{"chen", []string{"chen"}},
		{"cheung", []string{"jiang", "zhang"}},
		{"hsieh", []string{"xie"}},
		{"ng", []string{"huang", "wu"}},
		{"chung", []string{"jung", "zhong"}},
		{"yun", []string{"yoon"}},
		{"Wong", []string{"huang", "wang"}},
		{"Rhee", []string{"lee", "li"}},
		{"smith", nil},
		{"", nil},
		{"Chan Wong", nil},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, SurnameVariants(tc.in), "SurnameVariants(%q)", tc.in)
	}
	v := SurnameVariants("wong")
	v[0] = "changed"
	assert.Equal(t, []string{"huang", "wang"}, SurnameVariants("wong"), "results are not shared")
}

// TestSurnameVariantsTable checks the data file against the code: each
// name in Han or Hangul gives its canonical form, and every spelling is a
// token as NameTokens writes it, so that a key rule can look it up.
func TestSurnameVariantsTable(t *testing.T) {
	entries := parseSurnameVariants(surnameVariantsData)
	require.Greater(t, len(entries), 100)
	for _, e := range entries {
		require.NotEmpty(t, e.native, "%s has no native form", e.canonical)
		for _, n := range e.native {
			assert.Equal(t, e.canonical, Text(n), "Text(%q)", n)
		}
		assert.Equal(t, []string{e.canonical}, NameTokens(e.canonical), "canonical %q", e.canonical)
		for _, s := range e.spellings {
			assert.Equal(t, []string{s}, NameTokens(s), "spelling %q of %s", s, e.canonical)
			assert.NotEqual(t, e.canonical, s, "%s lists itself", s)
		}
	}
}

// TestChineseSurnameSpellingsMeetThroughVariants is the brief of
// SurnameVariants: the Latin spellings of common Chinese family names
// reach the pinyin of the Han name.
func TestChineseSurnameSpellingsMeetThroughVariants(t *testing.T) {
	for han, latin := range map[string][]string{
		"陈": {"Chen", "Chan", "Tan"}, "张": {"Zhang", "Chang", "Cheung"},
		"王": {"Wang", "Wong", "Ong"}, "李": {"Li", "Lee", "Lei"},
		"刘": {"Liu", "Lau", "Lao"}, "黄": {"Huang", "Wong", "Ng"},
		"林": {"Lin", "Lam", "Lim"}, "吴": {"Wu", "Ng", "Goh"},
		"周": {"Zhou", "Chou", "Chow"}, "郑": {"Zheng", "Cheng", "Tay"},
		"何": {"He", "Ho"}, "郭": {"Guo", "Kuo", "Kwok"},
		"梁": {"Liang", "Leung"}, "谢": {"Xie", "Hsieh", "Tse"},
		"许": {"Xu", "Hsu", "Hui", "Koh"}, "杨": {"Yang", "Yeung", "Yeo"},
		"徐": {"Xu", "Hsu", "Tsui"}, "孙": {"Sun", "Suen"},
		"이": {"Lee", "Yi", "Rhee"}, "박": {"Park", "Pak"}, "윤": {"Yoon", "Yun"},
		"정": {"Jung", "Jeong", "Chung"}, "안": {"Ahn", "An"}, "류": {"Ryu", "Yoo", "Yu"},
	} {
		want := Text(han)
		for _, l := range latin {
			tok := NameTokens(l)
			require.Len(t, tok, 1)
			if tok[0] == want {
				continue
			}
			assert.Contains(t, SurnameVariants(l), want, "%s for %s", l, han)
		}
	}
}

// TestHanCommonSurnamesLeaveOutGivenNameStarts keeps the characters that
// often begin a given name out of the list that splits two-character words.
func TestHanCommonSurnamesLeaveOutGivenNameStarts(t *testing.T) {
	for _, c := range "文金明安华兰桂荣成向和宁龙乐梅" {
		assert.False(t, hanSurnameSet()[c], "%c", c)
	}
}
