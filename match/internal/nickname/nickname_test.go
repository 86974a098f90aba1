package nickname

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGroups(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"william", "bill", true},
		{"billy", "will", true},
		{"joseph", "joe", true},
		{"babatunde", "tunde", true},
		{"chiamaka", "amaka", true},
		{"aleksandr", "sasha", true},
		{"oleksandr", "aleksandr", true},
		{"francisco", "paco", true},
		{"robert", "bert", true},
		{"albert", "bert", true},
		// A short form shared by two names does not make them one.
		{"robert", "albert", false},
		{"edward", "theodore", false},
		{"anna", "hanna", false},
		{"william", "john", false},
		{"tunde", "tobi", false},
	}
	for _, tc := range tests {
		shared := false
		for _, g := range Groups(tc.a) {
			for _, h := range Groups(tc.b) {
				shared = shared || g == h
			}
		}
		assert.Equal(t, tc.same, shared, "%s and %s", tc.a, tc.b)
	}
	assert.Nil(t, Groups("zebedee-unknown"))
}

func TestParse(t *testing.T) {
	got := parse("# comment\na b c # trailing\n\nb d\n")
	assert.Equal(t, map[string][]string{"a": {"a"}, "b": {"a", "b"}, "c": {"a"}, "d": {"b"}}, got)
}
