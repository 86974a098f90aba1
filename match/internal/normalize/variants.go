package normalize

import "sort"

// MaxVariants is the largest number of spellings [Variants] returns.
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
