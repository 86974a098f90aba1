package normalize

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNameKey(t *testing.T) {
	groups := []struct {
		name string
		in   []string
		want string
	}{
		{"order and case", []string{"Kovalenko Oleksandr", "oleksandr KOVALENKO", "Oleksandr  Kovalenko-", "Олександр Коваленко"}, "kovalenko oleksandr"},
		{"irish o", []string{"O'Brien", "OBrien", "O Brien", "O’Brien", "o-brien"}, "obrien"},
		{"arabic article", []string{"al-Hassan", "Al Hassan", "Hassan", "AL-HASSAN", "el Hassan"}, "hassan"},
		{"arabic article in script", []string{"الحسن"}, "hsn"},
		{"elided de", []string{"D'Souza", "DSouza", "D Souza"}, "dsouza"},
		{"west african", []string{"N'Diaye", "Ndiaye", "N Diaye"}, "ndiaye"},
		{"mc", []string{"McDonald", "Mc Donald", "MCDONALD"}, "mcdonald"},
		{"mac is kept", []string{"MacDonald", "Mac Donald"}, "macdonald"},
		{"dutch", []string{"van der Berg", "Van Der Berg", "Berg"}, "berg"},
		{"german", []string{"von Trapp Maria", "Maria von Trapp"}, "maria trapp"},
		{"spanish", []string{"María de la Cruz", "Maria de la Cruz", "Cruz María"}, "cruz maria"},
		{"spanish y", []string{"García y López", "García López"}, "garcia lopez"},
		{"bin", []string{"Mohammed bin Salman", "Mohammed Salman", "Mohammed ibn Salman"}, "mohammed salman"},
		{"abd compounds", []string{"Abdulrahman", "Abdul Rahman", "Abd al-Rahman", "Abdel Rahman", "Abdurrahman", "Abdur Rahman", "abd el-rahman"}, "abdrahman"},
		{"abdullah", []string{"Abdullah", "Abd Allah", "Abdallah", "Abd-Allah", "Abdoullah", "Abdulah", "Abdalah", "عبد الله", "عبدالله", "العبدالله"}, "abdlah"},
		{"abdullahi", []string{"Abdullahi", "Abdulahi", "Abdallahi"}, "abdlahi"},
		{"abdul ahad", []string{"Abdulahad", "Abdul Ahad", "Abd al-Ahad"}, "abdahad"},
		{"allah with alef wasla", []string{"عبد ٱلله", "Abdullah"}, "abdlah"},
		{"abd al alim", []string{"Abd al-Alim", "Abdulalim", "Abdul Alim"}, "abdalim"},
		{"only particles are kept", []string{"Le", "le"}, "le"},
		{"vietnamese", []string{"Nguyễn Văn An", "Nguyen An"}, "an nguyen"},
		{"empty", []string{"", " - ", "'"}, ""},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, s := range g.in {
				assert.Equal(t, g.want, NameKey(s), "%q", s)
			}
		})
	}
}

func TestNameKeyKeepsDifferentNamesApart(t *testing.T) {
	pairs := [][2]string{
		{"Anna Kovalenko", "Olena Kovalenko"},
		{"Mohammed Salman", "Salman"},
		{"McDonald", "Donald"},
		{"MacDonald", "Donald"},
		{"Maria Garcia", "Mario Garcia"},
		{"Anna M", "Anna"},
	}
	for _, p := range pairs {
		assert.NotEqual(t, NameKey(p[0]), NameKey(p[1]), "%s vs %s", p[0], p[1])
	}
}

func TestNameTokens(t *testing.T) {
	assert.Equal(t, []string{"anna", "m"}, NameTokens("Anna M."), "a trailing initial is not joined")
	assert.Equal(t, []string{"anna", "mlouise"}, NameTokens("Anna M Louise"), "documented: an inner initial is joined")
	assert.Equal(t, []string{"jean", "luc", "obrien"}, NameTokens("Jean-Luc O'Brien"))
	assert.Equal(t, []string{"abdaziz", "al", "saud"}, NameTokens("Abdulaziz Al Saud"))
	assert.Equal(t, []string{"abd"}, NameTokens("Abd"))
	assert.Equal(t, []string{"abdali"}, NameTokens("Abdali"), "not a compound")
	assert.Nil(t, NameTokens("--"))
}

func TestDropParticles(t *testing.T) {
	in := []string{"de", "la", "cruz", "y", "lopez"}
	assert.Equal(t, []string{"cruz", "lopez"}, DropParticles(in))
	assert.Equal(t, []string{"de", "la", "cruz", "y", "lopez"}, in, "input untouched")
	assert.Equal(t, []string{"hassan", "al"}, DropParticles([]string{"hassan", "al"}), "a trailing particle stays")
	// Documented limit: inverted "Family, Given particle" order keeps the
	// particles, which then stand after the name they belong to.
	assert.Equal(t, "cruz de la maria", NameKey("Cruz, María de la"))
	assert.Equal(t, []string{"van", "der"}, DropParticles([]string{"van", "der"}))
	assert.Empty(t, DropParticles(nil))
	for _, p := range []string{"al", "el", "bin", "ibn", "bint", "ben", "abu", "van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la", "le", "bn"} {
		assert.True(t, IsParticle(p), p)
	}
	for _, p := range []string{"mac", "mc", "o", "d", "abd", "al-", "hassan", ""} {
		assert.False(t, IsParticle(p), p)
	}
}

func TestFirstAndLast(t *testing.T) {
	assert.Equal(t, "maria", FirstGiven("María José"))
	assert.Equal(t, "maria", FirstGiven("Maria"))
	assert.Equal(t, "ben", FirstGiven("Ben David"), "given names keep particles")
	assert.Equal(t, "ngolo", FirstGiven("N'Golo"))
	assert.Equal(t, "oleksandr", FirstGiven("Олександр Петрович"))
	assert.Equal(t, "", FirstGiven(" "))

	assert.Equal(t, "garcia", FirstFamily("García López"))
	assert.Equal(t, "garcia", FirstFamily("Garcia"))
	assert.Equal(t, "cruz", FirstFamily("de la Cruz Pérez"))
	assert.Equal(t, "hassan", FirstFamily("al-Hassan"))
	assert.Equal(t, "", FirstFamily(""))

	assert.Equal(t, "santos", LastFamily("Silva Santos"))
	assert.Equal(t, "santos", LastFamily("dos Santos"))
	assert.Equal(t, "berg", LastFamily("van der Berg"))
	assert.Equal(t, "", LastFamily("-"))
}

func TestSkeletonKey(t *testing.T) {
	assert.Equal(t, "alksndr kvlnk", SkeletonKey("Олександр Коваленко"))
	assert.Equal(t, "alksndr kvlnk", SkeletonKey("Kovalenko, Aleksandr"))
	assert.Equal(t, "hsn mhmt", SkeletonKey("Mohamed al-Hassan"))
	assert.Equal(t, "hsn mhmt", SkeletonKey("محمد الحسن"))
	assert.Equal(t, "", SkeletonKey(""))
}
