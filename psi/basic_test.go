package psi

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	cfg := Config{Context: []byte("ctx"), Mode: BothLearn, PayloadSize: 4}
	a, err := NewInitiator(cfg, Set{Elements: [][]byte{[]byte("a"), []byte("b"), []byte("c")}, Payloads: [][]byte{[]byte("pa01"), []byte("pb01"), []byte("pc01")}})
	require.NoError(t, err)
	b, err := NewResponder(cfg, Set{Elements: [][]byte{[]byte("c"), []byte("d"), []byte("a")}, Payloads: [][]byte{[]byte("qc02"), []byte("qd02"), []byte("qa02")}})
	require.NoError(t, err)
	_, ra, rb, erra, errb := exchange(t, a, b)
	require.NoError(t, erra)
	require.NoError(t, errb)
	t.Logf("%+v\n%+v", ra, rb)
}
