package normalize

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestConsonantSkeletonCollapses(t *testing.T) {
	groups := []struct {
		want  string
		names []string
	}{
		{"mhmt", []string{"muhammad", "mohamed", "mohammed", "mohammad", "muhamed", "mohamad", "muhammed", "mhmd"}},
		{"alksndr", []string{"oleksandr", "aleksandr", "alexander", "aleksander", "oleksander"}},
		{"dmtr", []string{"dmitrii", "dmitriy", "dmitry", "dmitri", "dimitri", "dmytro"}},
		{"yl", []string{"iuliia", "yuliia", "yulia", "julia", "juliya", "iulia"}},
		{"ahmt", []string{"ahmed", "ahmad", "ahmet", "achmed", "akhmed", "ahmd"}},
		{"srh", []string{"sergei", "sergey", "serhii", "serhiy", "sergii"}},
		{"alh", []string{"olga", "olha"}},
		{"ahr", []string{"igor", "ihor"}},
		{"mhl", []string{"mikhail", "mihail", "michail", "mykhailo", "michael"}},
		{"hrstn", []string{"christina", "hristina", "khristina"}},
		{"ksn", []string{"ksenia", "kseniia", "xenia", "kseniya"}},
		{"sr", []string{"sarah", "sara"}},
		{"ftm", []string{"fatima", "fatimah", "fatma"}},
		{"abdl", []string{"abdullah", "abdulla", "abdlh", "abdallah", "abdalla"}},
		{"mlr", []string{"muller", "mueller", "mueler"}},
		{"smt", []string{"schmidt", "schmitt", "shmidt", "smith"}},
		{"z", []string{"zoe", "zoya", "zoja"}},
		{"ys", []string{"jose", "yose"}},
		{"nhn", []string{"nguyen"}},
		{"kvlnk", []string{"kovalenko", "kowalenko"}},
		{"vldmr", []string{"vladimir", "wladimir", "wladymir"}},
		{"pvl", []string{"pavel", "pawel"}},
		{"ptr", []string{"petr", "pyotr", "piotr", "peter", "petar"}},
		{"ntl", []string{"natalia", "nataliya", "natalya", "nataliia", "natalie"}},
		{"ktrn", []string{"katherine", "catherine", "katarina", "caterina", "kathryn"}},
		{"fl", []string{"phil", "fil"}},
		{"ykp", []string{"yakub", "yakup", "jakub"}},
		{"gnzls", []string{"gonzalez", "gonzales"}},
		{"avnf", []string{"ivanov", "ivanoff", "ivanova"}},
		{"dvt", []string{"david", "davit", "davide"}},
		{"hsn", []string{"hassan", "hasan", "hsn", "hussein", "husain"}},
		{"abrn", []string{"obrien", "obrian"}},
	}
	for _, g := range groups {
		t.Run(g.want, func(t *testing.T) {
			for _, n := range g.names {
				assert.Equal(t, g.want, ConsonantSkeleton(n), n)
			}
		})
	}
}

func TestConsonantSkeletonKeepsApart(t *testing.T) {
	pairs := [][2]string{
		{"anna", "olena"},
		{"anna", "hanna"},
		{"anna", "yana"},
		{"anna", "ivan"},
		{"maria", "marta"},
		{"maria", "maryam"},
		{"zara", "sara"},
		{"zaid", "said"},
		{"ghassan", "hassan"},
		{"galina", "halyna"},
		{"sergei", "sarah"},
		{"oleksandr", "olena"},
		{"muhammad", "ahmed"},
		{"peter", "pavel"},
		{"dmitrii", "timur"},
		{"nikos", "nina"},
		{"kovalenko", "kovalchuk"},
		{"ivan", "ivanka"},
	}
	for _, p := range pairs {
		assert.NotEqual(t, ConsonantSkeleton(p[0]), ConsonantSkeleton(p[1]), "%s vs %s", p[0], p[1])
	}
}

// TestConsonantSkeletonDocumentedCollisions pins the collisions the
// documentation admits, so a change to them is a conscious one.
func TestConsonantSkeletonDocumentedCollisions(t *testing.T) {
	pairs := [][2]string{
		{"maria", "mario"},
		{"ivan", "evan"},
		{"hassan", "hussein"},
		{"muhammad", "mahmoud"},
		{"ivanov", "ivanova"},
		{"chan", "han"},
	}
	for _, p := range pairs {
		assert.Equal(t, ConsonantSkeleton(p[0]), ConsonantSkeleton(p[1]), "%s vs %s", p[0], p[1])
	}
}

func TestConsonantSkeletonEdges(t *testing.T) {
	assert.Equal(t, "", ConsonantSkeleton(""))
	assert.Equal(t, "2011", ConsonantSkeleton("2011"), "digits pass through")
	assert.Equal(t, "李小龍", ConsonantSkeleton("李小龍"), "other scripts pass through")
	assert.Equal(t, "a", ConsonantSkeleton("a"))
	assert.Equal(t, "h", ConsonantSkeleton("h"))
	assert.Equal(t, "y", ConsonantSkeleton("y"))
	assert.Equal(t, "mhmt alksndr", ConsonantSkeleton("mohamed aleksandr"))
}
