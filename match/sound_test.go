package match

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// soundCodes returns the readings of appendSoundCodes(tok), or [""] for
// none.
func soundCodes(tok string) []string {
	b, first, second := appendSoundCodes(nil, tok)
	switch {
	case first == 0:
		return []string{""}
	case second == 0:
		return []string{string(b)}
	}
	return []string{string(b[:first]), string(b[first:])}
}

// TestSoundCodes checks that spellings of one name share a sound code (any
// reading) and that different names do not.
func TestSoundCodes(t *testing.T) {
	share := func(a, b string) bool {
		for _, x := range soundCodes(a) {
			if slices.Contains(soundCodes(b), x) {
				return true
			}
		}
		return false
	}
	same := [][2]string{
		{"shevchuk", "schewtschuk"},
		{"kharchenko", "charchenko"},
		{"ivanov", "iwanow"},
		{"kravchenko", "krawtschenko"},
		{"polishchuk", "polichtchouk"},
		{"cabdi", "abdi"},
		{"cali", "ali"},
		{"maxamed", "mohamed"},
		{"ifraax", "ifrah"},
		{"maxim", "maksym"},
		{"georgia", "yeorya"},
		{"panagiotis", "panayotis"},
		{"ntokos", "dokos"},
		{"darwich", "darwish"},
		{"sarah", "sara"},
		{"khwry", "khoury"},
		{"yevgeniy", "evgenii"},
		{"ievgen", "yevhen"},
		{"dhimitriou", "dimitriou"},
		{"tsnym", "tasnim"}, // تسنيم
		{"tsvetan", "zwetan"},
		{"iyman", "iman"}, // إيمان
		{"iyman", "eman"},
		{"iyad", "eyad"},
		{"chevtchouk", "shevchuk"},
		{"chevtchenko", "shevchenko"},
		{"djamal", "jamal"},
		{"djamal", "jml"}, // جمال
		{"khadidja", "khadija"},
		{"khadidja", "khdyja"}, // خديجة
	}
	for _, p := range same {
		assert.True(t, share(p[0], p[1]), "%s and %s should share a code: %v %v", p[0], p[1], soundCodes(p[0]), soundCodes(p[1]))
	}
	different := [][2]string{
		{"daniel", "daniela"},
		{"ivan", "ivana"},
		{"yana", "anna"},
		{"iana", "anna"},
		{"oleh", "ole"},
		{"mila", "nila"},
		{"omar", "ahmad"},
		{"chiara", "sara"},
		{"tsvetan", "tvetan"},
	}
	for _, p := range different {
		assert.False(t, share(p[0], p[1]), "%s and %s should not share a code: %v %v", p[0], p[1], soundCodes(p[0]), soundCodes(p[1]))
	}
	assert.Empty(t, appendSoundCode(nil, "", false))
	assert.Equal(t, []string{""}, soundCodes("明"), "no code for a script without Latin letters")
}

func TestFairShares(t *testing.T) {
	tests := []struct {
		counts []int
		room   int
		want   []int
	}{
		{[]int{1, 2, 3}, 10, []int{1, 2, 3}},
		{[]int{1, 2, 3}, 6, []int{1, 2, 3}},
		{[]int{4, 4, 4}, 6, []int{2, 2, 2}},
		{[]int{4, 4, 4}, 7, []int{3, 2, 2}},
		{[]int{1, 9, 0, 9}, 6, []int{1, 3, 0, 2}},
		{[]int{5, 5}, 1, []int{1, 0}},
		{[]int{0, 0}, 0, []int{0, 0}},
	}
	for _, tc := range tests {
		got := make([]int, len(tc.counts))
		fairShares(tc.counts, tc.room, got)
		assert.Equal(t, tc.want, got, "%v into %d", tc.counts, tc.room)
		sum := 0
		for i, g := range got {
			assert.LessOrEqual(t, g, tc.counts[i])
			sum += g
		}
		assert.LessOrEqual(t, sum, tc.room)
	}
}

func TestIsPatronymic(t *testing.T) {
	for _, p := range []string{"ivanovich", "petrivna", "ivanovych", "ilich", "sergeevna", "mykolaiovych", "kuzminichna"} {
		assert.True(t, isPatronymic(p), p)
	}
	for _, n := range []string{"ulrich", "heinrich", "ivan", "anna", "sofia", "mich"} {
		assert.False(t, isPatronymic(n), n)
	}
}

func FuzzSoundCodes(f *testing.F) {
	for _, s := range []string{
		"", "a", "h", "x", "w", "c", "g", "ah", "aax", "ifraax", "cabdi", "maxamed", "schtschuk", "shchur",
		"tkatchouk", "darwich", "chiara", "giorgos", "yeoryios", "ntokos", "mpampis", "iana", "iuliia",
		"khwry", "sarah", "oleh", "jevgenij", "yelena", "dzhamal", "djordje", "明", "o'brien", "x-y",
		"ça", "\xc3", "mp", "nt", "c", "xxxxxxxx", "cgx",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		readings := soundCodes(tok)
		if len(readings) == 0 || len(readings) > 2 {
			t.Fatalf("soundCodes(%q) = %q: want one or two readings", tok, readings)
		}
		if len(readings) == 2 && (readings[0] == readings[1] || readings[1] == "") {
			t.Fatalf("soundCodes(%q) = %q: a second reading must differ and not be empty", tok, readings)
		}
		if (readings[0] != "") != hasLatinLetter(tok) {
			t.Fatalf("soundCodes(%q) = %q: a code is due exactly when the token has a letter a-z", tok, readings)
		}
		for _, r := range readings {
			if r != "" && !validSoundCode(r) {
				t.Fatalf("soundCodes(%q) = %q: %q is not up to five classes and an optional ~a", tok, readings, r)
			}
		}
		// Key derivation appends codes after others in a shared buffer.
		dst := append(make([]byte, 0, 64), "prefix"...)
		got, first, second := appendSoundCodes(dst, tok)
		want, wantSecond := "prefix"+strings.Join(readings, ""), 0
		if len(readings) == 2 {
			wantSecond = len(readings[1])
		}
		if string(got) != want || first != len(readings[0]) || second != wantSecond {
			t.Fatalf("appendSoundCodes(prefix, %q) = %q, %d, %d; soundCodes gives %q", tok, got, first, second, readings)
		}
	})
}

// validSoundCode reports whether code is one to five class letters (or
// the 0 and Y of a leading vowel and glide) followed by an optional ~a.
func validSoundCode(code string) bool {
	code = strings.TrimSuffix(code, "~a")
	return len(code) >= 1 && len(code) <= 5 && strings.Trim(code, "VKSTLMNR0Y") == ""
}
