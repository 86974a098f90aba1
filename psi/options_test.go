package psi

import (
	"errors"
	"testing"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChannelBinding(t *testing.T) {
	a := [][]byte{[]byte("x"), []byte("y")}
	run := func(bindA, bindB string, nA int) (error, error) {
		ini, err := newInitiator(Config{Context: []byte("c"), Mode: BothLearn, ChannelBinding: []byte(bindA)}, Set{Elements: a[:nA]})
		require.NoError(t, err)
		resp, err := newResponder(Config{Context: []byte("c"), Mode: BothLearn, ChannelBinding: []byte(bindB)}, Set{Elements: a})
		require.NoError(t, err)
		_, _, _, erra, errb := exchange(t, ini, resp)
		return erra, errb
	}
	erra, errb := run("tls-exporter-1", "tls-exporter-1", 2)
	require.NoError(t, erra)
	require.NoError(t, errb)
	// A relay between two connections: each side has its own binding.
	for _, n := range []int{2, 0} {
		erra, errb = run("connection A-relay", "connection relay-B", n)
		assert.ErrorIs(t, errb, ErrWrongSession, "set size %d", n)
		assert.ErrorIs(t, erra, ErrWrongSession, "set size %d", n)
	}
	_, err := newInitiator(Config{Context: []byte("c"), Mode: BothLearn, ChannelBinding: make([]byte, 65)}, Set{})
	assert.ErrorIs(t, err, ErrConfig)
}

func TestAdmitRefusesBeforeWork(t *testing.T) {
	budget := errors.New("budget exhausted")
	var asked []int
	admit := func(n int) error {
		asked = append(asked, n)
		if n > 2 {
			return budget
		}
		return nil
	}
	ini, err := newInitiator(Config{Context: []byte("c"), Mode: BothLearn}, Set{Elements: [][]byte{{1}, {2}, {3}}})
	require.NoError(t, err)
	resp, err := newResponder(Config{Context: []byte("c"), Mode: BothLearn, Admit: admit}, Set{Elements: [][]byte{{1}}})
	require.NoError(t, err)
	frames, _, _, erra, errb := exchange(t, ini, resp)
	assert.Equal(t, []int{3}, asked)
	require.ErrorIs(t, errb, ErrRefused)
	assert.ErrorIs(t, errb, budget)
	assert.ErrorIs(t, erra, ErrRefused)
	assert.ErrorIs(t, erra, ErrPeerAborted)
	require.Len(t, frames, 2, "Hello, then the alert: no element left either side")
	f, err := encoding.ParseFrame(frames[1].Bytes)
	require.NoError(t, err)
	assert.Equal(t, encoding.TypeAlert, f.Type)
}

func TestProgress(t *testing.T) {
	var got []Progress
	cfg := Config{Context: []byte("c"), Mode: BothLearn, Progress: func(p Progress) { got = append(got, p) }}
	var a, b [][]byte
	for i := range 5000 {
		a = append(a, []byte{byte(i), byte(i >> 8), 'a'})
		b = append(b, []byte{byte(i), byte(i >> 8), 'b'})
	}
	ini, err := newInitiator(cfg, Set{Elements: a})
	require.NoError(t, err)
	resp, err := newResponder(cfg, Set{Elements: b})
	require.NoError(t, err)
	_, _, _, erra, errb := exchange(t, ini, resp)
	require.NoError(t, erra)
	require.NoError(t, errb)
	last := map[string]Progress{}
	for _, p := range got {
		assert.LessOrEqual(t, p.Done, p.Total)
		if prev, ok := last[p.Phase]; ok {
			assert.Greater(t, p.Done, prev.Done, "progress only moves forward")
		}
		last[p.Phase] = p
	}
	for _, phase := range []string{"blind", "evaluate", "tags", "unblind", "match"} {
		assert.Equal(t, 5000, last[phase].Done, phase)
		assert.Equal(t, 5000, last[phase].Total, phase)
	}
}
