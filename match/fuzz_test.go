package match_test

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/match"
)

type readFunc func(io.Reader, string, match.ReadOptions) ([]match.Record, *match.ReadReport, error)

// seedReader adds the fixtures matching glob and the bad-input cases to f,
// and fails if either source gave nothing: a fuzz target must never run
// without seeds, and a moved folder must not quietly empty the corpus.
func seedReader(f *testing.F, glob string, cases []badCase) {
	paths, err := filepath.Glob(filepath.Join("testdata", "records", glob))
	require.NoError(f, err)
	require.NotEmpty(f, paths, "no fixtures match %s", glob)
	for _, p := range paths {
		f.Add(readFixture(f, filepath.Base(p)))
	}
	n := 0
	for _, tc := range cases {
		if len(tc.in) > 4<<10 {
			continue // keep the corpus small; the fuzzer grows inputs itself
		}
		f.Add([]byte(tc.in))
		n++
	}
	require.NotZero(f, n, "no bad-input seeds")
}

// rowLevel are the sentinels that only ever concern one row or field, so a
// lenient read must never fail with them.
var rowLevel = []error{
	match.ErrDuplicateID, match.ErrBadDate, match.ErrBadSex, match.ErrBadNationality,
	match.ErrEmptyRecord, match.ErrMissingID, match.ErrControlChar,
}

var allSentinels = append([]error{
	match.ErrUnknownColumn, match.ErrMissingColumn, match.ErrDuplicateColumn,
	match.ErrInvalidUTF8, match.ErrMalformed, match.ErrTooLarge,
}, rowLevel...)

// checkRead checks what must hold for any input, in both modes.
func checkRead(t *testing.T, read readFunc, in []byte, csv bool) {
	recs, rep, err := read(bytes.NewReader(in), "f", match.ReadOptions{})
	lrecs, lrep, lerr := read(bytes.NewReader(in), "f", match.ReadOptions{Lenient: true})

	if err == nil {
		require.NotNil(t, rep)
		require.Empty(t, rep.Skipped)
		checkRecords(t, recs)
		// Lenient mode only differs where there is something to skip.
		require.NoError(t, lerr)
		require.Empty(t, lrep.Skipped)
		require.Zero(t, lrep.ControlStripped)
		require.Equal(t, recs, lrecs)
		return
	}
	require.Nil(t, recs)
	var pe *match.ParseError
	require.ErrorAs(t, err, &pe)
	require.True(t, isOneOf(err, allSentinels), "unexpected error %v", err)

	if lerr != nil {
		require.True(t, csv, "JSON Lines has no file-level problems below the size limits: %v", lerr)
		require.False(t, isOneOf(lerr, rowLevel), "lenient mode failed on a row: %v", lerr)
		require.Nil(t, lrecs)
		if lerr.Error() != err.Error() {
			// Only a limit can stop lenient mode past where strict mode
			// stopped.
			require.ErrorIs(t, lerr, match.ErrTooLarge)
			var lpe *match.ParseError
			require.ErrorAs(t, lerr, &lpe)
			require.Greater(t, lpe.Line, pe.Line)
		}
		return
	}
	if errors.Is(err, match.ErrControlChar) {
		// Lenient mode strips control characters rather than reporting
		// them.
		require.Positive(t, lrep.ControlStripped)
	} else {
		// Strict mode stops at the first problem lenient mode reports.
		require.NotEmpty(t, lrep.Skipped)
		first := lrep.Skipped[0]
		require.Equal(t, []any{pe.Line, pe.Column, pe.Field, pe.Reason}, []any{first.Line, first.Column, first.Field, first.Reason})
		require.ErrorIs(t, err, first.Err)
	}
	for _, is := range lrep.Skipped {
		require.Positive(t, is.Line)
		require.NotEmpty(t, is.Reason)
		require.True(t, isOneOf(is.Err, allSentinels), "issue %v", is)
	}
	checkRecords(t, lrecs)

	// Whatever a lenient read keeps is clean: written out in the contract
	// again, it reads back strictly and identically.
	back, _, err := match.ReadJSONL(bytes.NewReader(writeJSONL(t, lrecs)), "back", match.ReadOptions{})
	require.NoError(t, err)
	require.Equal(t, lrecs, back)
}

func checkRecords(t *testing.T, recs []match.Record) {
	ids := make(map[string]bool, len(recs))
	for _, r := range recs {
		require.NotEmpty(t, r.ID)
		require.False(t, ids[r.ID], "duplicate id")
		ids[r.ID] = true
		assert.NotEqual(t, match.Record{ID: r.ID}, r, "record with nothing but an id")
	}
}

func isOneOf(err error, targets []error) bool {
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

func FuzzReadCSV(f *testing.F) {
	seedReader(f, "*.csv", csvBadCases())
	f.Add([]byte("\uFEFFid,given_names\r\n1,\"a\r\nb\"\r\n"))
	// A limit reached in lenient mode after a row error strict mode stops at.
	f.Add([]byte("id\n0\n" + strings.Repeat(",", match.MaxColumns) + "\n"))
	f.Add([]byte("id,given_names\nA\x1b[31m,Ana\x00\nB,\u009b2J\x7f\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		checkRead(t, match.ReadCSV, in, true)
	})
}

func FuzzReadJSONL(f *testing.F) {
	seedReader(f, "*.jsonl", jsonlBadCases())
	f.Add([]byte(`{"id":"1","given_names":"\ud83d\ude00 \u00e9\\u"}`))
	f.Add([]byte(`{"id":"1\u001b[2J","given_names":"Ana\u0000"}` + "\n" + `{"id":"2","given_names":"\u009b"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		checkRead(t, match.ReadJSONL, in, false)
	})
}
