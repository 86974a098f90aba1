package normalize

import (
	"sync"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// The tables here answer, for the runes that names are written in, what
// golang.org/x/text answers through its general tries and transformers,
// which cost more than the rest of the normalization together. They are
// derived from x/text itself, rune by rune, so the two cannot disagree;
// they are built on first use (about a millisecond) rather than at
// start-up, since only non-ASCII input needs them.

// foldTableSize bounds the runes that the tables cover, and so those that
// appendPrepareSimple handles. Of the runes below it, those of inTables are
// filled in: Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic and the
// other alphabets up to U+08FF, Vietnamese (U+1Exx), polytonic Greek
// (U+1Fxx) and the general punctuation block with its quotes and dashes
// (U+2000–U+206F). The Indic, Southeast Asian, Georgian, Cherokee and
// other scripts between them are left to the general code, which keeps
// building the tables quick.
const foldTableSize = 0x2070

// inTables reports whether the tables describe r; the others are marked
// notSimple in them.
func inTables(r rune) bool {
	return 0 <= r && r < 0x900 || 0x1e00 <= r && r < foldTableSize
}

// notSimple marks a rune that appendPrepareSimple must not handle.
const notSimple = 0xffff

// foldTable maps each rune below foldTableSize to its full case folding,
// one or two runes (the second 0 when there is one), or to notSimple.
var foldTable = sync.OnceValue(func() *[foldTableSize][2]uint16 {
	var inert [foldTableSize]bool
	for r := range rune(foldTableSize) {
		inert[r] = inTables(r) && nfkcInert(r)
	}
	isInert := func(r rune) bool {
		if inTables(r) {
			return inert[r]
		}
		return nfkcInert(r)
	}
	t := new([foldTableSize][2]uint16)
	// The Caser is used directly, through buffers, rather than through
	// String, which costs several times more per call.
	fold := cases.Fold()
	var src [utf8.UTFMax]byte
	var dst [64]byte
	for r := range rune(foldTableSize) {
		t[r] = [2]uint16{notSimple, 0}
		if !inert[r] {
			continue
		}
		n := utf8.EncodeRune(src[:], r)
		fold.Reset()
		nDst, nSrc, err := fold.Transform(dst[:], src[:n], true)
		if err != nil || nSrc != n {
			continue
		}
		// The folding must be inert too, or prepareFull's second NFKC
		// could change it.
		var e [2]uint16
		if packRunes(e[:], dst[:nDst], isInert) {
			t[r] = e
		}
	}
	return t
})

// packRunes decodes the UTF-8 in b into e, one rune per element, and
// reports whether b was non-empty, valid, fit in e, and every rune passed
// keep and fits a uint16 without taking the values 0 and notSimple, which
// the tables use as markers.
func packRunes(e []uint16, b []byte, keep func(rune) bool) bool {
	if len(b) == 0 {
		return false
	}
	k := 0
	for i := 0; i < len(b); k++ {
		x, size := utf8.DecodeRune(b[i:])
		if k >= len(e) || x == utf8.RuneError || x <= 0 || x >= notSimple || !keep(x) {
			return false
		}
		e[k] = uint16(x)
		i += size
	}
	return true
}

// nfkcInert reports whether NFKC leaves r unchanged in every context: r is
// its own normal form, is a starter (canonical combining class 0) and
// cannot compose with the rune before it. A string of such runes is in
// NFKC, since composition needs a rune that combines backwards and
// reordering needs a non-starter.
func nfkcInert(r rune) bool {
	if !utf8.ValidRune(r) {
		return false
	}
	var buf [utf8.UTFMax]byte
	b := buf[:utf8.EncodeRune(buf[:], r)]
	return norm.NFKC.IsNormal(b) && norm.NFKC.Properties(b).BoundaryBefore()
}

// nfdTable maps each rune below foldTableSize to its canonical
// decomposition (NFD), up to three runes padded with 0, or to notSimple
// when it has more or is invalid.
var nfdTable = sync.OnceValue(func() *[foldTableSize][3]uint16 {
	t := new([foldTableSize][3]uint16)
	var src [utf8.UTFMax]byte
	for r := range rune(foldTableSize) {
		t[r] = [3]uint16{notSimple}
		if !inTables(r) || !utf8.ValidRune(r) {
			continue
		}
		// The stored decomposition, which x/text keeps fully decomposed
		// and in canonical order, is what NFD gives for the rune alone
		// (TestNFDRune checks this), at a fraction of NFD's cost per call;
		// a rune without one is its own decomposition.
		b := src[:utf8.EncodeRune(src[:], r)]
		d := norm.NFD.Properties(b).Decomposition()
		if d == nil {
			d = b
		}
		var e [3]uint16
		if packRunes(e[:], d, func(rune) bool { return true }) {
			t[r] = e
		}
	}
	return t
})

// nfdRune returns the canonical decomposition of the single rune r,
// appended to buf[:0]: the base letter first, then its marks in canonical
// order.
func nfdRune(buf []byte, r rune) []byte {
	buf = buf[:0]
	if 0 <= r && r < foldTableSize {
		if e := nfdTable()[r]; e[0] != notSimple {
			for _, x := range e {
				if x == 0 {
					break
				}
				buf = utf8.AppendRune(buf, rune(x))
			}
			return buf
		}
	}
	// Through a fresh slice, so that buf, usually on the caller's stack,
	// does not escape to the heap for this rare case.
	return append(buf, norm.NFD.String(string(r))...)
}

// decodeRune is utf8.DecodeRune(p[i:]) with the two-byte sequences of the
// Latin, Greek, Cyrillic and Arabic letters decoded inline: the renderer
// decodes every rune more than once, and the general decoder is a call
// that dominated its profile.
func decodeRune(p []byte, i int) (rune, int) {
	if i+1 < len(p) {
		if r, ok := decode2(p[i], p[i+1]); ok {
			return r, 2
		}
	}
	return utf8.DecodeRune(p[i:])
}

// decodeRuneInString is decodeRune for a string.
func decodeRuneInString(s string, i int) (rune, int) {
	if i+1 < len(s) {
		if r, ok := decode2(s[i], s[i+1]); ok {
			return r, 2
		}
	}
	return utf8.DecodeRuneInString(s[i:])
}

// decode2 decodes c0 c1 when they are a valid two-byte sequence.
func decode2(c0, c1 byte) (rune, bool) {
	// 0xC2 is the lowest lead byte of a shortest-form two-byte sequence;
	// 0xC0 and 0xC1 would be overlong and are invalid.
	if 0xc2 <= c0 && c0 <= 0xdf && c1&0xc0 == 0x80 {
		return rune(c0&0x1f)<<6 | rune(c1&0x3f), true
	}
	return 0, false
}
