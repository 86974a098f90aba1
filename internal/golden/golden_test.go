package golden

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWriteRead checks that what Write writes, Read reads back: inputs
// that need quoting, their sections and outputs, with the header skipped.
func TestWriteRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.golden.gz")
	entries := []Entry{
		{Section: "names", Input: "Олександр"},
		{Section: "names", Input: "tab\there"},
		{Section: "random", Input: "\xff\xfe"},
		{Section: "random", Input: ""},
	}
	Write(t, path, "# a header\n# on two lines\n", entries, strings.ToUpper)
	got := Read(t, path)
	require.Len(t, got, len(entries))
	for i, e := range entries {
		assert.Equal(t, Entry{Section: e.Section, Input: e.Input, Outputs: strings.ToUpper(e.Input)}, got[i])
	}
	assert.Equal(t, []string{"\xff\xfe", ""}, Inputs(got, "random"))
}
