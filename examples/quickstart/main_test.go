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
	assert.Contains(t, s, "Agency A (missing-children unit) — 4 own keys, peer has 3; 2 in common:")
	assert.Contains(t, s, "Agency B (anti-trafficking police) — 3 own keys, peer has 4; 2 in common:")
	assert.Contains(t, s, "peer case B/03/2025")
	assert.Contains(t, s, "peer case A-2024-0311")
	assert.NotContains(t, s, "jonas", "B's non-matching key must not reach A's report")
	// Each handle appears once per agency.
	for _, h := range regexp.MustCompile(`handle ([0-9a-f]{16})`).FindAllStringSubmatch(s, -1) {
		assert.Equal(t, 2, bytes.Count(out.Bytes(), []byte(h[1])), h[1])
	}
}
