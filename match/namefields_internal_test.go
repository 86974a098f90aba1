package match

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNameFieldsKnown checks the table of name fields against the list of
// fields: every row is a known field, and its value is read from a name
// form (the table, not a second list, says which fields are names).
func TestNameFieldsKnown(t *testing.T) {
	n := nameForm{full: "a", skeleton: "b", given: "c", givenExact: "d", givenInitial: "e", familyExact: "f",
		firstNames: []string{"g"}, phonetic: []string{"h"}, sounds: []string{"i"}, nameParts: []string{"j"},
		givenNicks: []string{"k"}, givenSounds: []string{"l"}, familySounds: []string{"m"}, givenTypos: []string{"n"}, familyTypos: []string{"o"}, givenEndings: []string{"p"}}
	seen := map[string]Field{}
	for _, f := range knownFieldsOrder {
		one, list := n.fieldValues(f)
		if !isNameField(f) {
			assert.Empty(t, one, f)
			assert.Empty(t, list, f)
			continue
		}
		v := one + strings.Join(list, "")
		require.Len(t, v, 1, "%s has one value in the test form", f)
		require.NotContains(t, seen, v, "%s and %s read the same member", f, seen[v])
		seen[v] = f
	}
	assert.Len(t, seen, len(nameFields), "every name field is a known field")
}
