package encoding

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBudgetFiles reads budget files that earlier versions wrote (file
// names give the commit): they must stay readable, and re-encode byte for
// byte. Never regenerate them.
func TestBudgetFiles(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return v
	}
	for _, tc := range []struct {
		file string
		want map[string][]BudgetReservation
	}{
		{"testdata/budget/v1-c813884.json", map[string][]BudgetReservation{
			"sha256:aa": {{at("2026-11-27T10:00:00Z"), 40}},
		}},
		{"testdata/budget/v1-1341e2a.json", map[string][]BudgetReservation{
			"sha256:aa":       {{at("2026-12-01T09:30:00.123456789Z"), 40}, {at("2026-12-01T10:30:00.123456789Z"), 1}},
			"agency \ufffd B": {{at("2026-12-01T11:30:00.123456789Z"), 3}},
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(tc.file)
			require.NoError(t, err)
			b, err := ReadBudget(bytes.NewReader(data))
			require.NoError(t, err)
			require.Len(t, b.Peers, len(tc.want))
			for p, rs := range tc.want {
				require.Len(t, b.Peers[p], len(rs), p)
				for i, r := range rs {
					assert.True(t, r.Time.Equal(b.Peers[p][i].Time))
					assert.Equal(t, r.N, b.Peers[p][i].N)
				}
			}
			again, err := b.AppendBinary(nil)
			require.NoError(t, err)
			assert.Equal(t, string(data), string(again))
		})
	}
}

func TestBudgetRefuses(t *testing.T) {
	for _, tc := range []struct {
		in  string
		err error
	}{
		{``, ErrMalformed},
		{`null`, ErrMalformed},
		{`[]`, ErrMalformed},
		{`{"version":1}`, ErrMalformed},
		{`{"version":1,"peers":null}`, ErrMalformed},
		{`{"version":2,"peers":{}}`, ErrVersion},
		{`{"peers":{}}`, ErrMalformed},
		{`{"version":0,"peers":{}}`, ErrVersion},
		{`{"version":1,"peers":{},"x":1}`, ErrMalformed},
		{`{"version":1,"peers":{"zqx":[{"time":"2026-05-01T09:00:00Z","n":0}]}}`, ErrMalformed},
		{`{"version":1,"peers":{"zqx":[{"time":"2026-05-01T09:00:00Z","n":-5}]}}`, ErrMalformed},
		{`{"version":1,"peers":{"zqx":[{"n":5}]}}`, ErrMalformed},
		{`{"version":1,"peers":{"zqx":[{"time":"yesterday","n":5}]}}`, ErrMalformed},
		{`{"version":1,"peers":{}} {}`, ErrTrailingData},
		{`{"version":1,"peers":{"zqx":[{"time":"2026-05-01T09:00:00Z","n":5}],"zqx":[]}}`, ErrMalformed},
		{`{"version":1,"peers":{"zqx":[{"time":"2026-05-01T09:00:00Z","n":5,"extra":1}]}}`, ErrMalformed},
		{`{"version":1,"peers":[]}`, ErrMalformed},
		{`{"version":1,"peers":{"zqx":{}}}`, ErrMalformed},
		{`{"version":1,"peers":{"` + strings.Repeat("z", MaxBudgetFile) + `":[]}}`, ErrTooLarge},
	} {
		_, err := ReadBudget(strings.NewReader(tc.in))
		require.ErrorIs(t, err, tc.err, "%.60s", tc.in)
		assert.NotContains(t, err.Error(), "zqx", "errors quote no peer")
		assert.NotContains(t, err.Error(), "zzz", "errors quote no peer")
	}
	var b Budget
	out, err := b.AppendBinary(nil)
	require.NoError(t, err)
	assert.Equal(t, `{"version":1,"peers":{}}`, string(out), "a nil set of peers is written as an empty one")
}

// FuzzBudget decodes any bytes as a budget file: nothing panics, and what
// decodes re-encodes to bytes that decode to the same budget and re-encode
// byte for byte.
func FuzzBudget(f *testing.F) {
	n := 0
	for _, name := range []string{"testdata/budget/v1-c813884.json", "testdata/budget/v1-1341e2a.json"} {
		data, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(data)
		f.Add(data[:len(data)/2])
		n++
	}
	f.Add([]byte(`{"version":1,"peers":{}}`))
	f.Add([]byte(`{"version":1,"peers":{"p":[{"time":"2026-05-01T09:00:00+02:00","n":5}],"q":[]}}`))
	f.Add([]byte(`{"version":2,"peers":{}}`))
	require.Equal(f, 2, n, "seeds loaded")

	f.Fuzz(func(t *testing.T, in []byte) {
		var b Budget
		if err := b.UnmarshalBinary(in); err != nil {
			return
		}
		out, err := b.AppendBinary(nil)
		require.NoError(t, err)
		var again Budget
		require.NoError(t, again.UnmarshalBinary(out))
		require.Len(t, again.Peers, len(b.Peers))
		out2, err := again.AppendBinary(nil)
		require.NoError(t, err)
		require.Equal(t, out, out2)
	})
}
