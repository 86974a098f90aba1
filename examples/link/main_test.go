package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLinkFixtures(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run(&out, &errOut, options{a: "../../testdata/agency-a.csv", b: "../../testdata/agency-b.csv"}))
	want, err := os.ReadFile("../../testdata/agency-expected.csv")
	require.NoError(t, err)
	var pairs []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		f := strings.Split(line, ",")
		require.Len(t, f, 4, line)
		pairs = append(pairs, f[0]+","+f[1])
	}
	assert.Equal(t, strings.TrimSpace(string(want)), strings.Join(pairs, "\n"))
	assert.Contains(t, errOut.String(), "linked pairs")
	assert.NotContains(t, errOut.String(), "Kovalenko", "statistics hold no record values")
}

// TestLinkAll checks that -all adds the pairs that lost one-to-one
// resolution, and that without it each record appears at most once.
func TestLinkAll(t *testing.T) {
	rows := func(all bool) []string {
		var out, errOut bytes.Buffer
		require.NoError(t, run(&out, &errOut, options{a: "../../testdata/agency-a.csv", b: "../../testdata/agency-b.csv", threshold: 0.01, all: all}))
		return strings.Split(strings.TrimSpace(out.String()), "\n")[1:]
	}
	one, all := rows(false), rows(true)
	seenA, seenB := map[string]bool{}, map[string]bool{}
	for _, r := range one {
		f := strings.Split(r, ",")
		assert.False(t, seenA[f[0]] || seenB[f[1]], "one-to-one: %s", r)
		seenA[f[0]], seenB[f[1]] = true, true
	}
	assert.Subset(t, all, one)
	assert.Greater(t, len(all), len(one), "the fixtures hold a namesake that, at this low threshold, loses to the true pair")
}

func TestLinkBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("id,given_names,birth_date\nX-1,Anna,2023-02-30\n"), 0o644))
	var out, errOut bytes.Buffer
	err := run(&out, &errOut, options{a: bad, b: "../../testdata/agency-b.csv"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad.csv:2:3")
	assert.Empty(t, out.String(), "nothing on stdout after bad input")
	assert.Error(t, run(&out, &errOut, options{a: "../../testdata/agency-a.csv", b: "../../testdata/agency-b.csv", threshold: 1.5}))
}

func TestLinkExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("id,given_names,birth_date\nX-1,Anna,2023-02-30\n"), 0o644))
	headerOnly := filepath.Join(dir, "header.csv")
	require.NoError(t, os.WriteFile(headerOnly, []byte("id,given_names\n"), 0o644))
	const a, b = "../../testdata/agency-a.csv", "../../testdata/agency-b.csv"
	tests := []struct {
		name string
		args []string
		code int
		warn bool
	}{
		{"ok", []string{"-a", a, "-b", b}, 0, false},
		{"no flags", nil, 2, false},
		{"unknown flag", []string{"-x"}, 2, false},
		{"bad record file", []string{"-a", bad, "-b", b}, 2, false},
		{"missing record file", []string{"-a", filepath.Join(dir, "none.csv"), "-b", b}, 2, false},
		{"threshold out of range", []string{"-a", a, "-b", b, "-threshold", "1.5"}, 2, false},
		{"threshold negative", []string{"-a", a, "-b", b, "-threshold", "-0.5"}, 2, false},
		{"threshold NaN", []string{"-a", a, "-b", b, "-threshold", "NaN"}, 2, false},
		{"header only", []string{"-a", headerOnly, "-b", b}, 0, true},
		{"bad record file, lenient", []string{"-lenient", "-a", bad, "-b", b}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			assert.Equal(t, tt.code, command(tt.args, &out, &errOut), errOut.String())
			assert.Equal(t, tt.warn, strings.Contains(errOut.String(), "holds no records"), errOut.String())
		})
	}
}

// TestLinkLenient checks that -lenient links what it can, lists each field
// or row it left out by file, line and column without its value, and
// counts what it does not list.
func TestLinkLenient(t *testing.T) {
	dir := t.TempDir()
	var rows strings.Builder
	rows.WriteString("id,given_names,family_names,birth_date\n")
	rows.WriteString("X-1,Olena,Kovalenko,1850-02-03\n") // a date the contract refuses: dropped
	rows.WriteString("X-2,,,\n")                         // nothing besides the id: skipped
	rows.WriteString("X-3,Ma\x01ria,Secretname,2014-05-06\n")
	for i := range maxListedSkips {
		fmt.Fprintf(&rows, "Y-%d,Anna,Lindqvist,2015-13-%02d\n", i, i+1)
	}
	path := filepath.Join(dir, "a.csv")
	require.NoError(t, os.WriteFile(path, []byte(rows.String()), 0o644))

	var out, errOut bytes.Buffer
	require.Error(t, run(&out, &errOut, options{a: path, b: "../../testdata/agency-b.csv"}), "strict by default")
	out.Reset()
	errOut.Reset()
	require.NoError(t, run(&out, &errOut, options{a: path, b: "../../testdata/agency-b.csv", lenient: true}))
	warnings := errOut.String()
	assert.Contains(t, warnings, path+":2:4: birth_date")
	assert.Contains(t, warnings, path+":3: ")
	assert.Contains(t, warnings, "(row skipped)")
	assert.Contains(t, warnings, "2 more fields or rows left out", "22 skips, 20 listed")
	assert.Contains(t, warnings, "1 control characters stripped")
	for _, value := range []string{"1850", "Kovalenko", "Secretname", "2015-13"} {
		assert.NotContains(t, warnings, value, "warnings name places, never values")
	}
	assert.Contains(t, warnings, "linked pairs")
}
