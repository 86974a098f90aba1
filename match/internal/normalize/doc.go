// Package normalize turns the names found in child-protection records into
// the plain forms that exact match keys are built from.
//
// Private set intersection only finds byte-identical keys, so every spelling
// difference that is not removed here is a match that is silently missed.
// Most callers need three calls:
//
//   - [Text] gives the one canonical form of a string: NFKC, case folded,
//     diacritics removed, Cyrillic, Greek and Arabic transliterated to Latin,
//     Han and Hangul romanized, punctuation turned into single spaces.
//   - [NameKey] gives an order-free key for a full name, with name particles
//     (al-, van, de, bin, …) removed.
//   - [ConsonantSkeleton] gives a coarse form of one token in which common
//     spellings of the same name collapse (Muhammad, Mohamed, Mohammed).
//
// [SurnameVariants] gives the pinyin or Korean forms that a Latin family
// name such as Wong or Chan may stand for, which no single rewrite could
// give (Wong is 王 and 黄).
//
// [NameTokens], [DropParticles] and [IsParticle] are the steps package
// match builds its name keys from (the first given name, the first and
// last family names, the skeletons of all tokens). A
// [Tokenizer] gives what NameTokens and Text give while remembering each
// word, for callers that normalize whole files, whose names repeat.
//
// # Chinese and Korean names
//
// Han characters are read in Mandarin pinyin without tones, from the
// dictionary of github.com/mozillazg/go-pinyin: each character by its most
// common reading, and a family name by its reading as a family name (单 Shan,
// 曾 Zeng, 解 Xie, 区 Ou). ü is written yu, as Chinese passports write it (吕
// "lyu").
//
// A run of Han characters is read as a name written without spaces. Three
// characters or more are a family name (one character, or a compound such as
// 欧阳) and a given name. Two are a family name and a given name when the
// first is a common family name that seldom begins a given name (张伟 "zhang
// wei"), and one given name otherwise (秀英 "xiuying"). One character is read
// as a family name. The given name is one token, as Latin records write it
// (Xiuying), and [NameTokens] joins the hyphenated Latin form (Xiu-ying) to
// match it.
//
// The reading is Mandarin. Cantonese and Hokkien spellings (Chan, Wong, Tan)
// and Wade–Giles (Chang, Hsiu-ying) do not equal the pinyin, and they are
// not rewritten, because they collide across family names (Wong is 王 and 黄);
// [SurnameVariants] lists the pinyin a Latin family name may stand for. A
// given name whose characters are not read with their first reading does not
// meet its Latin spelling, nor does a two-character full name whose family
// name is not in the common list, nor a Latin given name with a space
// between its syllables (Xiu Ying gives two tokens). Japanese names in kanji
// get the Chinese reading, which matches neither their romaji nor, reliably,
// any Chinese name.
//
// Hangul is romanized by the Revised Romanization, syllable by syllable,
// without the sound changes RR makes across syllables, as RR writes given
// names (지훈 "jihun"). A run of three syllables or more is a family name and
// a given name. A run of two is a given name, since many given names begin
// with a syllable that is also a family name (서연, 윤서), so a full name of two
// syllables (김철) does not meet its Latin spelling.
//
// A Korean family name is written as most Koreans write it in Latin, not in
// RR (이 "lee", 박 "park", 김 "kim", 최 "choi", 정 "jung"). [NameTokens] writes
// the other Latin spellings of these names that stand for nothing else
// (Rhee, Yi, Pak, Gim, Choe, Jeong) the same way, wherever they stand in a
// name, since a name field does not say which of its tokens is the family
// name. Spellings that are also pinyin or Chinese names (Yun, An, Yu, Gang,
// Chang, Chung) are not rewritten: most of them share a [ConsonantSkeleton]
// with the Korean spelling (Yun and Yoon), and all are in [SurnameVariants].
// Given names written with other vowels than RR's (Jihoon for 지훈) meet the
// romanized Hangul only through [ConsonantSkeleton]. Hanja in Korean records
// get the Chinese reading.
//
// # What this package is not for
//
// It does not decide whether two records match, does not hash, and does not
// guess. In particular:
//
//   - Kana, Hebrew, Devanagari, Thai, Armenian, Georgian and every other
//     script without a table here are not romanized: their tokens come back
//     NFKC-normalized and case folded but otherwise unchanged, non-ASCII.
//     Records in those scripts only match other records written the same
//     way, or on rules that use no name.
//   - Arabic script is written without short vowels, so an Arabic name is
//     transliterated letter by letter into a consonantal form (محمد gives
//     "mhmd", not "muhammad"). Such forms only meet Latin spellings through
//     [ConsonantSkeleton] or phonetic codes, never through [Text] equality.
//   - The language of a Cyrillic string is not known, so [Text] uses the
//     language-neutral ICAO Doc 9303 column (Г→g, И→i). The renderer also
//     holds the Ukrainian (Г→h, И→y), Belarusian, Bulgarian and Serbian
//     readings and the older Russian, Greek, Arabic and Latin spellings as
//     further schemes, which the package's tests check through a Variants
//     helper; no exported function and no key uses them yet.
//   - Name order, nicknames (Sasha for Aleksandr) and translations (Peter for
//     Pyotr) are out of scope.
//
// All functions are pure and safe for concurrent use; the package keeps no
// mutable state. A [Tokenizer] holds its own memory and is for one
// goroutine at a time.
package normalize
