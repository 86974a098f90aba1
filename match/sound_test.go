package match

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

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
	}
	for _, p := range different {
		assert.False(t, share(p[0], p[1]), "%s and %s should not share a code: %v %v", p[0], p[1], soundCodes(p[0]), soundCodes(p[1]))
	}
	assert.Empty(t, soundCode("", false))
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
		got := fairShares(tc.counts, tc.room)
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
