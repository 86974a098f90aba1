package normalize

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Variants and its schemes are not used by package match: no key is
// derived from a transliteration other than Text's. They stay here, with
// the tests that check the renderer's other schemes (sc > 0) through them,
// until a key rule takes them up.

// MaxVariants is the largest number of spellings Variants returns.
const MaxVariants = 8

// numSchemes is the number of transliteration schemes Variants tries;
// scheme 0 is the canonical one of Text.
const numSchemes = numCyrStyles

// Variants returns the spellings, in the normal form of [Text], under which
// real records write the same written name: always [Text](s) itself, plus
// the alternative transliterations listed below. The result is
// deduplicated, sorted, holds at most [MaxVariants] entries, and is empty
// only when Text(s) is empty.
//
// Each scheme is applied to the whole string at once (a name is not
// transliterated letter by letter under different systems), so the
// variants are:
//
//  1. Canonical: [Text](s). Cyrillic per ICAO Doc 9303 (Дмитрий →
//     dmitrii, Юлія → iuliia), Greek per ELOT 743, Latin diacritics
//     stripped (Müller → muller).
//  2. Cyrillic, older Russian passport / BGN-PCGN style: й→y, ю→yu, я→ya,
//     initial е→ye, ё→yo (dmitriy, yuliya, sergey); Greek common English
//     spelling (yiorgos, hristos, lambrakis); Arabic with the article not
//     split (alyas for الياس); Latin spelled as in the MRZ: ä ö ü→ae oe ue,
//     å→aa, ø→oe (mueller).
//  3. Cyrillic, simplified English: final -ий→y, ия→ia (dmitry, yulia,
//     sergei); Greek with ξ→ks, χ→kh, ου→u; Arabic read as Persian (ث ص→s,
//     ذ ض ظ→z, initial و→v, ة→eh); Latin háček and cedilla letters as
//     English digraphs: š ş ș→sh, č ç→ch, ž→zh, đ→dj (djordjevic,
//     shahin).
//  4. Cyrillic, Ukrainian national system (KMU 2010, Ukrainian passports):
//     г→h, и→y, initial є ї й ю я→ye yi y yu ya, elsewhere ie i i iu ia
//     (yuliia, serhii, dmytro, hanna); Arabic with ج→g (Egyptian).
//  5. Cyrillic, Ukrainian in common English spelling: г→h, и→y, й→y,
//     ю→yu, я→ya, є→ye, ї→yi (serhiy, yuliya).
//  6. Cyrillic, Bulgarian official system: х→h, щ→sht, ъ→a (hristo).
//  7. Cyrillic, Serbian Latin without diacritics: ђ→d, ћ ч ц→c, ш→s, ж→z,
//     х→h (dordevic, petrovic).
//  8. Cyrillic, Serbian in English spelling: ђ→dj, ч→ch, ш→sh, ж→zh,
//     ћ→c (djordjevic).
//  9. Cyrillic, Belarusian per ICAO: г→h, ё→io.
//
// A Cyrillic scheme is only used where the string's letters allow the
// language: Ukrainian readings not for strings with ы э ё ъ, Bulgarian
// only without Russian, Ukrainian and Serbian letters, Serbian only with
// ђ ј љ њ ћ џ ѓ ќ ѕ, Belarusian only with ў or with і next to ы or э.
// Strings without any such letter (Ганна, Олександр) get both the Russian
// and the Ukrainian readings, which is what lets a Ukrainian "Hanna" and
// an ICAO "Ganna" meet. Where more than [MaxVariants] spellings result,
// those of the earlier schemes in this list are kept.
//
// Variants does not produce spellings that differ in more than the
// transliteration: not Julia for Юлия (German and Polish j-spellings),
// not Alexander for Aleksandr, not nicknames. Those are left to
// [ConsonantSkeleton] and phonetic codes.
func Variants(s string) []string {
	first := Text(s)
	if first == "" {
		return nil
	}
	if isASCII(s) {
		// ASCII has no letters that a scheme spells differently.
		return []string{first}
	}
	out := make([]string, 1, MaxVariants)
	out[0] = first
	var buf [prepareBufSize]byte
	p := appendPrepared(buf[:0], s)
	lang := detectLang(p)
	for sc := 1; sc < numSchemes && len(out) < MaxVariants; sc++ {
		v := renderPrepared(p, sc, lang)
		if v == "" || contains(out, v) {
			continue
		}
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestVariants(t *testing.T) {
	cases := []struct {
		in      string
		want    []string // exactly these
		include []string // at least these
	}{
		{in: "Oleksandr Kovalenko", want: []string{"oleksandr kovalenko"}},
		{in: "Олександр Коваленко", want: []string{"oleksandr kovalenko"}},
		{in: "Müller", want: []string{"mueller", "muller"}},
		{in: "Mueller", want: []string{"mueller"}},
		{in: "Zoë", want: []string{"zoe"}},
		{in: "Ærø", want: []string{"aero", "aeroe"}},
		{in: "Şahin Gülşen", want: []string{"sahin guelsen", "sahin gulsen", "shahin gulshen"}},
		{in: "Đorđević", want: []string{"djordjevic", "dordevic"}},
		{in: "Дмитрий", include: []string{"dmitrii", "dmitriy", "dmitry"}},
		{in: "Юлія", want: []string{"iuliia", "yuliia", "yuliya"}},
		{in: "Юлия", include: []string{"iuliia", "yuliya", "yulia"}},
		{in: "Сергій", want: []string{"sergii", "sergiy", "serhii", "serhiy"}},
		{in: "Ганна", want: []string{"ganna", "hanna"}},
		{in: "Григорій", include: []string{"grigorii", "hryhorii", "hryhoriy"}},
		{in: "Дмитро", include: []string{"dmitro", "dmytro"}},
		{in: "Євген", include: []string{"ievgen", "yevhen"}},
		{in: "Згурський", include: []string{"zgurskii", "zghurskyi"}},
		{in: "Наталья", want: []string{"natalia", "natalya"}},
		{in: "Елена", want: []string{"elena", "yelena"}},
		{in: "Пётр", want: []string{"petr", "pyotr"}},
		{in: "Христо", include: []string{"khristo", "hristo"}},
		{in: "Щерев", include: []string{"shcherev", "shterev"}},
		{in: "Ђорђевић", want: []string{"djordjevic", "dordevic"}},
		{in: "Аляксандр Ўладзімір", include: []string{"aliaksandr uladzimir", "aliaksandr uladzimir"}},
		{in: "Γιώργος", want: []string{"giorgos", "yiorgos"}},
		{in: "Χρήστος Παπαδόπουλος", want: []string{"christos papadopoulos", "hristos papadopoulos", "khristos papadopulos"}},
		{in: "Λαμπράκης", want: []string{"lambrakis", "lamprakis"}},
		{in: "الياس", want: []string{"al yas", "alyas"}},
		{in: "جمال", want: []string{"gmal", "jmal"}},
		{in: "رضا", want: []string{"rda", "rza"}},
		{in: "李小龍", want: []string{"li xiaolong"}},
		{in: "김민준", want: []string{"kim minjun"}},
		{in: "", want: nil},
		{in: " - ", want: nil},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got := Variants(tc.in)
			if tc.include == nil {
				assert.Equal(t, tc.want, got)
			} else {
				assert.Subset(t, got, tc.include)
			}
			checkVariants(t, tc.in, got)
		})
	}
}

func checkVariants(t testing.TB, in string, got []string) {
	t.Helper()
	if Text(in) == "" {
		assert.Empty(t, got)
		return
	}
	assert.Contains(t, got, Text(in), "Text is always a variant")
	assert.LessOrEqual(t, len(got), MaxVariants)
	assert.True(t, sort.StringsAreSorted(got), "sorted")
	seen := map[string]bool{}
	for _, v := range got {
		assert.False(t, seen[v], "duplicate %q", v)
		seen[v] = true
		assert.Equal(t, v, Text(v), "every variant is in normal form")
	}
}

// TestVariantsLanguageGating checks that a Russian-only string gets no
// Ukrainian readings and a Ukrainian-only string no Bulgarian ones.
func TestVariantsLanguageGating(t *testing.T) {
	assert.NotContains(t, Variants("Съедин Эльвира"), "syedyn elvyra")
	for _, v := range Variants("Сергій") {
		assert.NotContains(t, v, "sht")
	}
	// No language sign: both Russian and Ukrainian readings.
	assert.Subset(t, Variants("Щукин"), []string{"shchukin", "shchukyn"})
}
