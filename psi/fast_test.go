package psi

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/internal/kkrt"
)

var (
	fastOnly = []Suite{SuiteOTExtension}
	bothFast = []Suite{SuiteOTExtension, SuiteECDHRistretto255}
)

// TestFastAgainstPlainIntersection runs suite 2 on the set shapes of the
// issue (0, 1, 2^k ± 1, unbalanced, full and empty overlap) in both of its
// modes, with and without payloads, and checks the outputs against a plain
// intersection.
func TestFastAgainstPlainIntersection(t *testing.T) {
	shapes := append(edgeShapes(),
		setShape{"two each", 2, 2, 1},
		setShape{"2^6-1 vs 2^6+1, full", 63, 65, 63},
		setShape{"disjoint 2^8+1", 257, 257, 0},
		setShape{"identical 2^8", 256, 256, 256},
		setShape{"2^12-1 vs 2^12+1", 4095, 4097, 2000},
		setShape{"chunk boundary", 4096, 4097, 4096},
		setShape{"unbalanced 1 vs 2^16", 1, 1 << 16, 1},
		setShape{"unbalanced 2^16 vs 1", 1 << 16, 1, 1},
		setShape{"2^16+1 each", 1<<16 + 1, 1<<16 + 1, 1 << 15},
	)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, mode := range []Mode{BothLearn, InitiatorOnly} {
		for _, payloadSize := range []int{0, 24} {
			for _, sh := range shapes {
				big := sh.nA+sh.nB > 10000
				if big && (testing.Short() || payloadSize == 0 && mode != BothLearn) {
					continue
				}
				t.Run(fmt.Sprintf("%v/payload%d/%s", mode, payloadSize, sh.name), func(t *testing.T) {
					a, b := sets(rng, sh.nA, sh.nB, sh.common)
					cfg := Config{Context: []byte("property"), Mode: mode, PayloadSize: payloadSize, Suites: fastOnly}
					ra, rb := checkAgainstPlain(t, cfg, a, b, nil)
					assert.Equal(t, SuiteOTExtension, ra.Suite)
					assert.Equal(t, mode == BothLearn, rb.LowerBound)
					assert.Zero(t, ra.BadPayloads)
				})
			}
		}
	}
}

// TestFastRun runs suite 2 through Run over a synchronous pipe, as
// reunite.Match does, with the suite negotiated rather than forced.
func TestFastRun(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	a, b := sets(rng, 3000, 2000, 700)
	cfg := Config{Context: []byte("run"), Mode: BothLearn, PayloadSize: 16, Suites: bothFast}
	ra, _ := checkAgainstPlain(t, cfg, a, b, func(t *testing.T, ini, resp *Session) (ra, rb *Result) {
		c1, c2 := net.Pipe()
		defer c1.Close()
		defer c2.Close()
		done := make(chan error, 1)
		go func() {
			var err error
			rb, err = Run(context.Background(), c2, resp, nil)
			done <- err
		}()
		ra, err := Run(context.Background(), c1, ini, nil)
		require.NoError(t, err)
		require.NoError(t, <-done)
		return ra, rb
	})
	assert.Equal(t, SuiteOTExtension, ra.Suite)
}

// TestSuiteNegotiation checks which suite two configurations agree on, and
// that a forced suite the peer lacks is refused on both sides.
func TestSuiteNegotiation(t *testing.T) {
	small, large := 10, FastSuiteMinElements/2
	tests := []struct {
		name         string
		ini, resp    []Suite
		mode         Mode
		size         int
		want         Suite
		err          error
		respRefuses  bool // the responder detects the problem (else the initiator)
		configErrIni bool
	}{
		{"default is suite 1", nil, nil, BothLearn, large, SuiteECDHRistretto255, nil, false, false},
		{"both offer both, small sets", bothFast, bothFast, BothLearn, small, SuiteECDHRistretto255, nil, false, false},
		{"both offer both, large sets", bothFast, bothFast, BothLearn, large, SuiteOTExtension, nil, false, false},
		{"both offer both, initiator-only", []Suite{1, 2}, []Suite{2, 1}, InitiatorOnly, large, SuiteOTExtension, nil, false, false},
		{"responder lacks suite 2: fallback", bothFast, nil, BothLearn, large, SuiteECDHRistretto255, nil, false, false},
		{"initiator lacks suite 2: fallback", nil, bothFast, BothLearn, large, SuiteECDHRistretto255, nil, false, false},
		{"forced by both", fastOnly, fastOnly, BothLearn, small, SuiteOTExtension, nil, false, false},
		{"forced suite 2, responder lacks it", fastOnly, nil, BothLearn, large, 0, ErrUnsupported, true, false},
		{"forced suite 1 by the responder", bothFast, []Suite{SuiteECDHRistretto255}, BothLearn, large, SuiteECDHRistretto255, nil, false, false},
		{"responder forces suite 2, initiator lacks it", nil, fastOnly, BothLearn, large, 0, ErrUnsupported, true, false},
		{"cardinality-only leaves suite 2 out", bothFast, bothFast, CardinalityOnly, large, SuiteECDHRistretto255, nil, false, false},
		{"cardinality-only with suite 2 alone", fastOnly, bothFast, CardinalityOnly, large, 0, ErrModeUnsupported, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 8))
			a, b := sets(rng, tc.size, tc.size, tc.size/2)
			cfgI := Config{Context: []byte("negotiate"), Mode: tc.mode, Suites: tc.ini}
			cfgR := Config{Context: []byte("negotiate"), Mode: tc.mode, Suites: tc.resp}
			ini, err := newInitiator(cfgI, Set{Elements: a})
			if tc.configErrIni {
				require.ErrorIs(t, err, tc.err)
				require.ErrorIs(t, err, ErrConfig)
				return
			}
			require.NoError(t, err)
			resp, err := newResponder(cfgR, Set{Elements: b})
			require.NoError(t, err)
			_, ra, rb, erra, errb := exchange(t, ini, resp)
			if tc.err != nil {
				require.ErrorIs(t, erra, tc.err)
				require.ErrorIs(t, errb, tc.err)
				require.ErrorIs(t, erra, ErrPeerAborted, "the responder refuses and alerts")
				return
			}
			require.NoError(t, erra)
			require.NoError(t, errb)
			assert.Equal(t, tc.want, ra.Suite)
			assert.Equal(t, tc.want, rb.Suite)
			assert.Equal(t, tc.want, ini.Suite())
			assert.Equal(t, len(plainIntersection(a, b)), ra.Cardinality)
			if tc.mode != CardinalityOnly {
				assert.Equal(t, plainIntersection(a, b), matchIndices(ra.Matches))
			}
		})
	}
}

// TestFastSizesAgree checks that the wire limits of package encoding are
// the engine's sizes.
func TestFastSizesAgree(t *testing.T) {
	assert.Equal(t, kkrt.Width, encoding.OTCount)
	assert.Equal(t, kkrt.ChunkRows, encoding.MaxMatrixRows)
	assert.Equal(t, kkrt.ChunkElements, encoding.MaxChunkElements)
	assert.Equal(t, kkrt.SetupSize, encoding.ElementSize)
	assert.Equal(t, kkrt.BaseOTSize, encoding.OTReplySize-encoding.SessionIDSize)
	assert.Equal(t, kkrt.SecretSize, encoding.KeyWrapSize)
}

// TestFastSetSizeLimit: above the engine's limit of 2^24 elements per set
// (psi allows caps up to 2^26) the responder falls back to suite 1, or
// refuses a forced suite 2 with ErrSetTooLarge.
func TestFastSetSizeLimit(t *testing.T) {
	for _, tc := range []struct {
		suites []Suite
		peer   uint32
		want   Suite
		err    error
	}{
		{bothFast, kkrt.MaxSetSize, SuiteOTExtension, nil},
		{bothFast, kkrt.MaxSetSize + 1, SuiteECDHRistretto255, nil},
		{fastOnly, kkrt.MaxSetSize, SuiteOTExtension, nil},
		{fastOnly, kkrt.MaxSetSize + 1, 0, ErrSetTooLarge},
	} {
		s, err := newResponder(Config{Context: []byte("c"), Mode: BothLearn, Suites: tc.suites}, Set{Elements: [][]byte{[]byte("x")}})
		require.NoError(t, err)
		got, err := s.chooseSuite(suiteBit(SuiteOTExtension)|suiteBit(SuiteECDHRistretto255), tc.peer)
		if tc.err != nil {
			require.ErrorIs(t, err, tc.err)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "peer of %d elements", tc.peer)
	}
}

// TestFastConfig checks the suites a Config may list.
func TestFastConfig(t *testing.T) {
	for name, suites := range map[string][]Suite{
		"unknown suite": {3},
		"suite 0":       {0},
		"repeated":      {2, 2},
	} {
		_, err := newInitiator(Config{Context: []byte("c"), Mode: BothLearn, Suites: suites}, Set{})
		require.ErrorIs(t, err, ErrConfig, name)
	}
	_, err := newResponder(Config{Context: []byte("c"), Mode: CardinalityOnly, Suites: fastOnly}, Set{})
	require.ErrorIs(t, err, ErrModeUnsupported)
	dup := Set{Elements: [][]byte{[]byte("a"), []byte("b"), []byte("a")}}
	_, err = newInitiator(Config{Context: []byte("c"), Mode: BothLearn, Suites: fastOnly}, dup)
	require.ErrorIs(t, err, ErrDuplicateElement, "PSI runs on sets, in every suite")
	assert.Equal(t, "ot-extension", SuiteOTExtension.String())
	assert.Equal(t, "ecdh-ristretto255", SuiteECDHRistretto255.String())
	assert.Equal(t, "Suite(9)", Suite(9).String())
}

// TestFastStateRefused: a session that may run suite 2 cannot be saved or
// resumed, with an error matching ErrUnsupported.
func TestFastStateRefused(t *testing.T) {
	cfg := Config{Context: []byte("state"), Mode: BothLearn, Suites: bothFast}
	ini, err := newInitiator(cfg, Set{Elements: [][]byte{[]byte("x")}})
	require.NoError(t, err)
	_, err = ini.Send()
	require.NoError(t, err)
	_, err = ini.MarshalState()
	require.ErrorIs(t, err, ErrUnsupported)

	// A suite-1 state resumed under a configuration that allows suite 2.
	cfg.Suites = nil
	ini, err = newInitiator(cfg, Set{Elements: [][]byte{[]byte("x")}})
	require.NoError(t, err)
	_, err = ini.Send()
	require.NoError(t, err)
	st, err := ini.MarshalState()
	require.NoError(t, err)
	cfg.Suites, cfg.Role = bothFast, RoleInitiator
	_, err = ResumeSession(cfg, Set{Elements: [][]byte{[]byte("x")}}, st)
	require.ErrorIs(t, err, ErrUnsupported)
}
