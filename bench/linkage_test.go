package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPrintCalibration checks the calibration table's shape: a pair of
// columns per noise model in the order given, every bin a row, empty bins
// marked, and nothing at all without a generated data set.
func TestPrintCalibration(t *testing.T) {
	var none bytes.Buffer
	printCalibration(&none, nil, nil)
	assert.Empty(t, none.String(), "no table for the converted benchmarks alone")

	crossBorder, uneven := new(calibrationCounts), new(calibrationCounts)
	crossBorder[0] = struct{ pairs, true int }{4, 3}
	crossBorder[len(crossBorder)-1] = struct{ pairs, true int }{10, 10}
	uneven[0] = struct{ pairs, true int }{2, 1}
	var out bytes.Buffer
	printCalibration(&out, map[string]*calibrationCounts{"cross-border": crossBorder, "uneven copies": uneven}, []string{"uneven copies", "cross-border"})

	var rows []string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "|") {
			rows = append(rows, l)
		}
	}
	require.Len(t, rows, 2+len(calibrationBins)-1, out.String())
	assert.Equal(t, "| match probability | uneven copies: pairs | uneven copies: precision | cross-border: pairs | cross-border: precision |", rows[0])
	assert.Equal(t, "|---|---:|---:|---:|---:|", rows[1])
	assert.Equal(t, "| [0.500, 0.700) | 2 | 0.500 | 4 | 0.750 |", rows[2])
	assert.Equal(t, "| [0.700, 0.900) | 0 | — | 0 | — |", rows[3])
	assert.Equal(t, "| [0.999, 1.000) | 0 | — | 10 | 1.000 |", rows[len(rows)-1])
}
