package normalize

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
)

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
