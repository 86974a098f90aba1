// Package golden reads and writes the known-answer files that tests hold
// an implementation to: gzip-compressed text with one input per line, as a
// Go-quoted string, followed by its outputs, tab-separated, as the test
// writes them. Lines starting with '#' are comments, and "# section NAME"
// starts a group of inputs, so that a benchmark can take the realistic
// ones. The inputs are frozen in the file; a test rewrites only the
// outputs, when they are meant to change.
//
// JSON keeps the other kind, the JSON test-vector files meant for other
// implementations to check against.
//
// It is for tests only: its functions stop the test on any error.
package golden

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
)

// sectionPrefix starts a line naming the section of the inputs after it.
const sectionPrefix = "# section "

// Entry is one input of a golden file and its outputs.
type Entry struct {
	Section string // the section the input is in, "" before the first
	Input   string
	Outputs string // the rest of the line: tab-separated, as written
}

// Read reads the golden file at path.
func Read(tb testing.TB, path string) []Entry {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	z, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	var entries []Entry
	section := ""
	sc := bufio.NewScanner(z)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if s, ok := strings.CutPrefix(line, sectionPrefix); ok {
			section = s
		}
		if line == "" || line[0] == '#' {
			continue
		}
		quoted, outputs, _ := strings.Cut(line, "\t")
		in, err := strconv.Unquote(quoted)
		if err != nil {
			tb.Fatalf("%s: bad input %s: %v", path, quoted, err)
		}
		entries = append(entries, Entry{Section: section, Input: in, Outputs: outputs})
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return entries
}

// Write rewrites the golden file at path: header (comment lines, each
// starting with '#'), then the inputs of entries, in their order and
// sections, each with the outputs that outputs gives for it now.
func Write(tb testing.TB, path, header string, entries []Entry, outputs func(in string) string) {
	tb.Helper()
	var buf bytes.Buffer
	z, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(z)
	w.WriteString(header)
	for i, e := range entries {
		if i == 0 || e.Section != entries[i-1].Section {
			w.WriteString(sectionPrefix + e.Section + "\n")
		}
		w.WriteString(strconv.Quote(e.Input) + "\t" + outputs(e.Input) + "\n")
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := z.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("rewrote %d inputs in %s", len(entries), path)
}

// Inputs returns the inputs of entries in the named section.
func Inputs(entries []Entry, section string) []string {
	var in []string
	for _, e := range entries {
		if e.Section == section {
			in = append(in, e.Input)
		}
	}
	return in
}

// Compare fails t for each entry whose outputs now differ from those in
// the file (reporting the first 20), and tells how to rewrite the file,
// with the command rewrite, if the change is meant.
func Compare(t *testing.T, path string, entries []Entry, outputs func(in string) string, rewrite string) {
	t.Helper()
	bad := 0
	for _, e := range entries {
		if got := outputs(e.Input); got != e.Outputs {
			if bad++; bad <= 20 {
				t.Errorf("input %q\n got  %s\n want %s", e.Input, got, e.Outputs)
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d outputs differ from %s; if the change is meant, rewrite it with: %s", bad, path, rewrite)
	}
}

// JSON keeps a JSON known-answer file: with update set it first writes got
// to path (indented by one space, with a final newline), and then it
// decodes path into want, a pointer, refusing fields want does not have
// and anything after the value, so that a file written by another version
// of the test does not pass half-read.
func JSON(tb testing.TB, path string, update bool, got, want any) {
	tb.Helper()
	if update {
		raw, err := json.MarshalIndent(got, "", " ")
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(want); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	if dec.More() {
		tb.Fatalf("%s: data after the JSON value", path)
	}
}
