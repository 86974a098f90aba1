package main

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out))
	s := out.String()
	assert.Contains(t, s, "Agency A (missing-children unit): 8 records")
	assert.Contains(t, s, "6 matching records")
	for _, id := range []string{"A-001", "A-003", "A-004", "A-005", "A-006", "A-007", "B-101", "B-103", "B-104", "B-105", "B-106", "B-107"} {
		assert.Contains(t, s, "  "+id+" ", id)
	}
	// The twin, the sibling (B-102) and the namesake (B-108) are not linked.
	for _, id := range []string{"A-002", "B-102", "B-108", "A-008"} {
		assert.NotContains(t, s, "  "+id+" ", id)
	}
	// Every handle appears once on each side.
	handles := regexp.MustCompile(`([0-9a-f]{12})…`).FindAllStringSubmatch(s, -1)
	require.Len(t, handles, 12)
	for _, h := range handles {
		assert.Equal(t, 2, bytes.Count(out.Bytes(), []byte(h[1])), h[1])
	}
}
