package normalize

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPlaceNameTable checks the table itself: every canonical name is
// written as Text writes it, and no name stands for two places.
func TestPlaceNameTable(t *testing.T) {
	entries := parsePlaceNames(placeNamesData)
	require.Greater(t, len(entries), 50)
	owner := map[string]string{}
	for _, e := range entries {
		assert.Equal(t, Text(e.canonical), e.canonical, "canonical name %q", e.canonical)
		require.NotEmpty(t, e.names, "%s has no other name", e.canonical)
		for _, n := range append([]string{e.canonical}, e.names...) {
			tn := Text(n)
			if o, ok := owner[tn]; ok {
				assert.Equal(t, o, e.canonical, "%q (%q) names both %s and %s", n, tn, o, e.canonical)
			}
			owner[tn] = e.canonical
		}
	}
}

func TestPlaceName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Moscow", "moskva"},
		{"Москва", "moskva"},
		{"Moskau", "moskva"},
		{"Aleppo", "halab"},
		{"حلب", "halab"},
		{"Hà Nội", "ha noi"},
		{"Hanoi", "ha noi"},
		{"Thành phố Hồ Chí Minh", "ho chi minh"},
		{"Saigon", "ho chi minh"},
		{"Αθήνα", "athina"},
		{"Athens", "athina"},
		{"Mogadishu", "muqdisho"},
		{"Київ", "kyiv"},
		{"Kiev", "kyiv"},
		{"Sheffield", "sheffield"}, // not in the table: as it is
		{"", ""},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, PlaceName(Text(tc.in)), tc.in)
	}
}
