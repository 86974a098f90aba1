package normalize

import "strings"

// ConsonantSkeleton returns a coarse form of a token from [Text] (lowercase
// ASCII letters) in which the common Latin spellings of one name collapse:
// Muhammad, Mohamed, Mohammed, Mohammad, Muhamed and the transliterated
// Arabic محمد ("mhmd") all give "mhmt"; Oleksandr, Aleksandr and Alexander
// give "alksndr"; Iuliia, Yulia and Julia give "yl".
//
// The rules, applied left to right:
//
//  1. Spelling equivalences: sch→s, sh→s, zh→z, th→t, dh→d, ph→f, ck→k,
//     dt→t (Schmidt), q→k, x→ks; kh, ch, tch and Polish cz are one sound class with h (the
//     Cyrillic х and Greek χ are written h, kh and ch); c→s before e, i, y
//     and k elsewhere; w→v before a vowel (Polish and German Wladimir,
//     Pawel) and a vowel glide elsewhere; j, dj and dzh are the glide y
//     (Julia and Yulia, Djamal and Dzhamal and Jamal).
//  2. g and gh after the first letter join the h class, because Ukrainian and
//     Belarusian write h where Russian writes g (Serhii and Sergei, Olha and
//     Olga, Ihor and Igor). At the start of a word g and h stay apart
//     (Galina and Halyna do not collapse, and neither do Ghassan and Hassan).
//  3. A letter repeated in the spelling counts once (mm, ll, ss).
//  4. The first letter keeps its class: every vowel is "a" (Oleksandr and
//     Aleksandr, Elena and Olena), i before a vowel and y, j are "y"
//     (Iuliia, Yulia, Julia), w is "v".
//  5. After the first letter, vowels and glides (a e i o u y j, w not
//     before a vowel) are dropped; a plain h at the very end is dropped
//     (Sarah, Fatimah, Abdullah).
//  6. The final consonant is devoiced: d→t, b→p, z→s, v→f (Ahmed and
//     Ahmet, Yakub and Yakup, Gonzalez and Gonzales, Ivanov and Ivanoff).
//
// s and z stay apart except at the end of a word: Zara and Sara, Zaid and
// Said are different names, while the -ez/-es endings of Spanish and
// Portuguese surnames are the same.
//
// Skeletons are deliberately coarse and collide for different names:
// vowels carry no weight, so Maria and Mario, Ivan and Evan, Hassan and
// Hussein, Muhammad and Mahmoud, and Ivanov and Ivanova give the same
// skeleton, and so do Chan and Han. Short names collide most. A key rule
// must therefore combine a skeleton with other fields (birth date, sex,
// the other name's skeleton) and never use one on its own. Clearly
// different names stay apart: Anna "an", Olena "aln", Hanna "hn", Yana
// "yn".
//
// A token with characters other than lowercase ASCII letters is returned
// unchanged, so digits and untransliterated scripts pass through. Given a
// string of several space-separated tokens, ConsonantSkeleton returns the
// skeletons of each, separated by spaces.
func ConsonantSkeleton(token string) string {
	if strings.IndexByte(token, ' ') >= 0 {
		f := strings.Fields(token)
		for i, t := range f {
			f[i] = ConsonantSkeleton(t)
		}
		return strings.Join(f, " ")
	}
	if !isLowerLetters(token) {
		return token
	}
	var buf [48]byte
	return string(appendSkeleton(buf[:0], token))
}

// AppendConsonantSkeleton appends [ConsonantSkeleton](token) to dst. It
// allocates nothing when dst has room, which matters to callers that
// skeletonize every token of many records.
func AppendConsonantSkeleton(dst []byte, token string) []byte {
	if strings.IndexByte(token, ' ') >= 0 || !isLowerLetters(token) {
		return append(dst, ConsonantSkeleton(token)...)
	}
	return appendSkeleton(dst, token)
}

// isLowerLetters reports whether token is made of the letters a to z only
// (the empty token is).
func isLowerLetters(token string) bool {
	for i := 0; i < len(token); i++ {
		if c := token[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// appendSkeleton appends the skeleton of a token of lowercase ASCII
// letters to dst.
func appendSkeleton(dst []byte, token string) []byte {
	// Units: 'A' vowel, 'Y' glide, 'H' a plain h, 'h' the h/kh/ch/g
	// class, any other byte a consonant.
	var ubuf [48]byte
	u := ubuf[:0]
	for i := 0; i < len(token); {
		c := token[i]
		first := i == 0
		var next byte
		if i+1 < len(token) {
			next = token[i+1]
		}
		var next2 byte
		if i+2 < len(token) {
			next2 = token[i+2]
		}
		// The digraphs and trigraphs of rule 1 are found by their first
		// letter: no two of them with the same first letter share their
		// second, so the order of the checks within a letter is free.
		unit, adv := c, 1
		switch c {
		case 's':
			switch {
			case next == 'c' && next2 == 'h':
				adv = 3 // sch
			case next == 'h':
				adv = 2 // sh
			}
		case 't':
			switch {
			case next == 'c' && next2 == 'h':
				unit, adv = 'h', 3 // tch
			case next == 'h':
				adv = 2 // th
			}
		case 'd':
			switch {
			case next == 'z' && next2 == 'h':
				unit, adv = 'Y', 3 // dzh
			case next == 'j':
				unit, adv = 'Y', 2 // dj
			case next == 'h':
				adv = 2 // dh
			case next == 't':
				unit, adv = 't', 2 // dt
			}
		case 'p':
			if next == 'h' {
				unit, adv = 'f', 2 // ph
			}
		case 'z':
			if next == 'h' {
				adv = 2 // zh
			}
		case 'k':
			if next == 'h' {
				unit, adv = 'h', 2 // kh
			}
		case 'g':
			switch {
			case next == 'h' && first:
				adv = 2 // gh, which keeps its g at the start
			case next == 'h':
				unit, adv = 'h', 2 // gh
			case !first:
				unit = 'h'
			}
		case 'c':
			switch next {
			case 'h', 'z':
				unit, adv = 'h', 2 // ch, cz
			case 'k':
				unit, adv = 'k', 2 // ck
			case 'e', 'i', 'y':
				unit = 's'
			default:
				unit = 'k'
			}
		case 'x':
			// x is ks; a doubled x (already "ks") adds only its s, which
			// then collapses, so no skeleton outgrows its word.
			doubled := len(u) >= 2 && u[len(u)-2] == 'k' && u[len(u)-1] == 's'
			if !doubled && (len(u) == 0 || u[len(u)-1] != 'k') {
				u = append(u, 'k')
			}
			unit = 's'
		case 'q':
			unit = 'k'
		case 'w':
			unit = 'Y'
			if first || isVowel(next) {
				unit = 'v'
			}
		case 'j', 'y':
			unit = 'Y'
		case 'h':
			unit = 'H'
		case 'i':
			unit = 'A'
			if first && isVowel(next) {
				unit = 'Y'
			}
		case 'a', 'e', 'o', 'u':
			unit = 'A'
		}
		if len(u) == 0 || u[len(u)-1] != unit {
			u = append(u, unit)
		}
		i += adv
	}
	start := len(dst)
	out := dst
	for k, x := range u {
		if k == 0 {
			switch x {
			case 'A':
				x = 'a'
			case 'Y':
				x = 'y'
			case 'H':
				x = 'h'
			}
			out = append(out, x)
			continue
		}
		switch x {
		case 'A', 'Y':
			continue
		case 'H':
			if k == len(u)-1 {
				continue
			}
			x = 'h'
		}
		out = append(out, x)
	}
	if n := len(out); n-start > 1 {
		switch out[n-1] {
		case 'd':
			out[n-1] = 't'
		case 'b':
			out[n-1] = 'p'
		case 'z':
			out[n-1] = 's'
		case 'v':
			out[n-1] = 'f'
		}
	}
	return out
}
