package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOffline(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, run(&out, dir))
	s := out.String()
	for n, who := range []string{"A", "B", "A", "B", "A", "B"} {
		reader := map[string]string{"A": "B", "B": "A"}[who]
		assert.Regexp(t, regexp.MustCompile(who+` wrote message `+string(rune('0'+n))+` \(\d+ bytes, encrypted to `+reader+`\) to message-`+string(rune('0'+n))+`\.reunite`), s)
		assert.Contains(t, s, reader+" decrypted, verified and read message "+string(rune('0'+n)))
	}
	assert.NotContains(t, s, "message 6")
	assert.Contains(t, s, "Agency A (missing-children unit): 8 records")
	assert.Contains(t, s, "6 matching records")
	assert.Contains(t, s, "Agency B charged agency A's budget 1019 set elements (its keys and one for the file statistics) of 100000 a week.")
	for _, id := range []string{"A-001", "A-003", "A-004", "A-005", "A-006", "A-007", "B-101", "B-103", "B-104", "B-105", "B-106", "B-107"} {
		assert.Contains(t, s, "  "+id+" ", id)
	}
	for _, id := range []string{"A-002", "B-102", "B-108", "A-008"} {
		assert.NotContains(t, s, "  "+id+" ", id)
	}
	handles := regexp.MustCompile(`([0-9a-f]{12})…`).FindAllStringSubmatch(s, -1)
	require.Len(t, handles, 12)
	for _, h := range handles {
		assert.Equal(t, 2, bytes.Count(out.Bytes(), []byte(h[1])), h[1])
	}

	// The state files never leave their agency and are private.
	for _, name := range []string{"a.state", "b.state", "b.seen", "b.budget.json"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), name)
	}
	msgs, err := filepath.Glob(filepath.Join(dir, "*.reunite"))
	require.NoError(t, err)
	assert.Len(t, msgs, 6)
}
