package reunite_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/reunite-psi/reunite"
	"github.com/stretchr/testify/require"
)

// FuzzVerifyAuditLog checks the audit log verifier on any bytes: it never
// panics, fails only with ErrAuditTampered, and what it accepts is a chain
// whose head it reports consistently, with and without the key.
func FuzzVerifyAuditLog(f *testing.F) {
	dir := f.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	l, err := reunite.CreateAuditLog(path, auditKey)
	require.NoError(f, err)
	for i := range 3 {
		a := sampleAudit(i)
		a.Outcome = "psi: bad frame \xff <&>"
		require.NoError(f, l.Append(a))
	}
	require.NoError(f, l.Close())
	data, err := os.ReadFile(path)
	require.NoError(f, err)
	f.Add(data)
	lines := bytes.SplitAfter(data, []byte("\n"))
	f.Add(lines[0])
	f.Add(bytes.Join(lines[:2], nil))
	f.Add(data[:len(data)-7])
	f.Add([]byte{})
	f.Add([]byte("\n"))
	f.Add([]byte(`{"seq":1,"prev":"` + zeros64 + `","audit":{},"hash":"` + zeros64 + `"}` + "\n"))

	f.Fuzz(func(t *testing.T, in []byte) {
		head, err := reunite.VerifyAuditLog(bytes.NewReader(in), auditKey)
		keyless, kerr := reunite.VerifyAuditLog(bytes.NewReader(in), nil)
		if err != nil {
			require.ErrorIs(t, err, reunite.ErrAuditTampered)
			if kerr != nil {
				require.ErrorIs(t, kerr, reunite.ErrAuditTampered)
			}
			return
		}
		require.NoError(t, kerr, "the key only adds checks")
		require.Equal(t, head, keyless)
		require.Equal(t, int(head.Seq)+1, bytes.Count(in, []byte("\n")), "one line per entry, the header included")
		again, err := reunite.VerifyAuditLog(bytes.NewReader(in), auditKey, head, reunite.AuditHead{Seq: 0, Hash: lineHash(t, bytes.SplitAfter(in, []byte("\n"))[0])})
		require.NoError(t, err, "a log holds its own head and header")
		require.Equal(t, head, again)
		if head.Seq > 0 {
			_, err = reunite.VerifyAuditLog(bytes.NewReader(in), auditKey, reunite.AuditHead{Seq: head.Seq + 1, Hash: head.Hash})
			require.ErrorIs(t, err, reunite.ErrAuditTampered)
		}
	})
}

// FuzzOpenBudgetStore checks the budget file reader on any bytes: it
// never panics, refuses with ErrBudgetCorrupt, and a store it opens takes
// reservations and reopens.
func FuzzOpenBudgetStore(f *testing.F) {
	f.Add([]byte(`{"version":1,"peers":{}}`))
	f.Add([]byte(`{"version":1,"peers":{"p":[{"time":"2026-05-01T09:00:00Z","n":5}],"q":[]}}`))
	f.Add([]byte(`{"version":1,"peers":{"p":[{"time":"2026-05-01T09:00:00Z","n":-5}]}}`))
	f.Add([]byte(`{"version":2,"peers":{}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, in []byte) {
		path := filepath.Join(t.TempDir(), "budget.json")
		require.NoError(t, os.WriteFile(path, in, 0o600))
		b, err := reunite.OpenBudgetStore(path, 1<<30, time.Hour)
		if err != nil {
			require.ErrorIs(t, err, reunite.ErrBudgetCorrupt)
			return
		}
		now := time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)
		before, err := b.Used("p", now)
		require.NoError(t, err)
		require.GreaterOrEqual(t, before, 0)
		_, err = b.Reserve("p", 3, now)
		if err != nil {
			require.ErrorIs(t, err, reunite.ErrBudgetExceeded)
			return
		}
		b, err = reunite.OpenBudgetStore(path, 1<<30, time.Hour)
		require.NoError(t, err)
		after, err := b.Used("p", now)
		require.NoError(t, err)
		require.Equal(t, before+3, after)
	})
}
