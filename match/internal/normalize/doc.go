// Package normalize turns the names found in child-protection records into
// the plain forms that exact match keys are built from.
//
// Private set intersection only finds byte-identical keys, so every spelling
// difference that is not removed here is a match that is silently missed.
// Most callers need four calls:
//
//   - [Text] gives the one canonical form of a string: NFKC, case folded,
//     diacritics removed, Cyrillic, Greek and Arabic transliterated to Latin,
//     punctuation turned into single spaces.
//   - [Variants] gives the few other Latin spellings that real records use
//     for the same written name (ICAO and older transliterations, German
//     umlaut expansions, Ukrainian and Russian readings of the same letters).
//     Key rules should derive keys from every variant, not only from [Text].
//   - [NameKey] gives an order-free key for a full name, with name particles
//     (al-, van, de, bin, …) removed.
//   - [ConsonantSkeleton] gives a coarse form of one token in which common
//     spellings of the same name collapse (Muhammad, Mohamed, Mohammed).
//
// [SkeletonKey] is the order-free key of skeletons for a full name.
// [FirstGiven], [FirstFamily] and [LastFamily] support rules that tolerate
// dropped middle names and dropped second surnames; [NameTokens],
// [DropParticles] and [IsParticle] are the steps these are built from. A
// [Tokenizer] gives what NameTokens and Text give while remembering each
// word, for callers that normalize whole files, whose names repeat.
//
// # What this package is not for
//
// It does not decide whether two records match, does not hash, and does not
// guess. In particular:
//
//   - Han, Hangul, Kana, Hebrew, Devanagari, Thai, Armenian, Georgian and every
//     other script without a table here are not romanized: their tokens come
//     back NFKC-normalized and case folded but otherwise unchanged, non-ASCII.
//     Romanizing Chinese or Japanese names needs the reading of each
//     character, which the written form does not give; a wrong guess would
//     produce confident false matches. Records in those scripts only match
//     other records written the same way, or on rules that use no name.
//   - Arabic script is written without short vowels, so an Arabic name is
//     transliterated letter by letter into a consonantal form (محمد gives
//     "mhmd", not "muhammad"). Such forms only meet Latin spellings through
//     [ConsonantSkeleton] or phonetic codes, never through [Text] equality.
//   - The language of a Cyrillic string is not known, so [Text] uses the
//     language-neutral ICAO Doc 9303 column (Г→g, И→i). Ukrainian
//     (Г→h, И→y), Belarusian, Bulgarian and Serbian readings are in [Variants].
//   - Name order, nicknames (Sasha for Aleksandr) and translations (Peter for
//     Pyotr) are out of scope.
//
// All functions are pure and safe for concurrent use; the package keeps no
// mutable state. A [Tokenizer] holds its own memory and is for one
// goroutine at a time.
package normalize
