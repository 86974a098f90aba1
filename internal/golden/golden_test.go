package golden

import (
	"os"
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

// TestJSON checks that JSON writes what it reads back under update, reads
// without writing otherwise, and refuses a field the target lacks.
func TestJSON(t *testing.T) {
	type file struct {
		Name  string
		Cases []int
	}
	path := filepath.Join(t.TempDir(), "v.json")
	want := file{Name: "x", Cases: []int{1, 2}}
	var got file
	JSON(t, path, true, want, &got)
	assert.Equal(t, want, got)

	var again file
	JSON(t, path, false, file{Name: "ignored"}, &again)
	assert.Equal(t, want, again, "without update the file is only read")

	require.NoError(t, os.WriteFile(path, []byte(`{"Name":"x","Extra":1}`), 0o644))
	ft := &fatalRecorder{TB: t}
	func() {
		defer func() { _ = recover() }()
		JSON(ft, path, false, nil, &again)
	}()
	assert.True(t, ft.failed, "an unknown field is refused")

	require.NoError(t, os.WriteFile(path, []byte(`{"Name":"x"} {"Name":"y"}`), 0o644))
	ft = &fatalRecorder{TB: t}
	func() {
		defer func() { _ = recover() }()
		JSON(ft, path, false, nil, &again)
	}()
	assert.True(t, ft.failed, "a second value is refused")
}

// fatalRecorder records a Fatal call and stops the function that made it,
// as testing.T does, without failing the test around it.
type fatalRecorder struct {
	testing.TB
	failed bool
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(string, ...any) {
	f.failed = true
	panic("fatal")
}

func (f *fatalRecorder) Fatal(...any) {
	f.failed = true
	panic("fatal")
}
