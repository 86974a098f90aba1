package reunite_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/psi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// agencyCert makes a self-signed certificate, as each agency would, and
// exchanges it out of band.
func agencyCert(t *testing.T, name string) (tls.Certificate, *x509.Certificate) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv, Leaf: leaf}, leaf
}

// tlsMatch runs MatchTLS as server (responder) and client (initiator) over
// loopback, with the given configurations.
func tlsMatch(t *testing.T, serverTLS, clientTLS *tls.Config) (ra, rb *reunite.MatchResult, errA, errB error) {
	t.Helper()
	a := readRecords(t, "testdata/agency-a.csv")
	b := readRecords(t, "testdata/agency-b.csv")
	ln, err := tls.Listen("tcp", "127.0.0.1:0", serverTLS)
	require.NoError(t, err)
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			errB = err
			return
		}
		defer c.Close()
		rb, errB = reunite.MatchTLS(ctx, c.(*tls.Conn), b, reunite.MatchConfig{Role: psi.RoleResponder})
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	conn := tls.Client(raw, clientTLS)
	defer conn.Close()
	ra, errA = reunite.MatchTLS(ctx, conn, a, reunite.MatchConfig{Role: psi.RoleInitiator})
	conn.Close()
	<-done
	return ra, rb, errA, errB
}

func TestMatchTLSPinned(t *testing.T) {
	checkNoLeak(t)
	certA, leafA := agencyCert(t, "agency A")
	certB, leafB := agencyCert(t, "agency B")
	ra, rb, errA, errB := tlsMatch(t, reunite.PinnedTLSConfig(certB, leafA), reunite.PinnedTLSConfig(certA, leafB))
	require.NoError(t, errA)
	require.NoError(t, errB)
	assert.Len(t, ra.Hits, 6)
	assert.Len(t, rb.Hits, 6)
	assert.Equal(t, reunite.CertFingerprint(leafB), ra.Audit.Peer)
	assert.Equal(t, reunite.CertFingerprint(leafA), rb.Audit.Peer)
}

func TestMatchTLSWrongPeer(t *testing.T) {
	checkNoLeak(t)
	certA, leafA := agencyCert(t, "agency A")
	certB, _ := agencyCert(t, "agency B")
	_, leafOther := agencyCert(t, "someone else")
	// A expects another certificate than B's: A refuses B.
	ra, rb, errA, errB := tlsMatch(t, reunite.PinnedTLSConfig(certB, leafA), reunite.PinnedTLSConfig(certA, leafOther))
	require.ErrorIs(t, errA, reunite.ErrPeerNotPinned)
	require.Error(t, errB)
	for _, r := range []*reunite.MatchResult{ra, rb} {
		if r != nil {
			assert.Empty(t, r.Hits)
			assert.NotEqual(t, "ok", r.Audit.Outcome)
		}
	}
}

// TestMatchTLSRelayCannotSplice has C, an agency both A and B accept,
// relay A's connection to B. Without channel binding A and B would run one
// PSI session through C, each believing the other was C. With it, the two
// TLS connections give two session IDs and both refuse.
func TestMatchTLSRelayCannotSplice(t *testing.T) {
	checkNoLeak(t)
	certA, leafA := agencyCert(t, "agency A")
	certB, leafB := agencyCert(t, "agency B")
	certC, leafC := agencyCert(t, "agency C")
	a := readRecords(t, "testdata/agency-a.csv")
	b := readRecords(t, "testdata/agency-b.csv")

	lnB, err := tls.Listen("tcp", "127.0.0.1:0", reunite.PinnedTLSConfig(certB, leafC))
	require.NoError(t, err)
	defer lnB.Close()
	lnC, err := tls.Listen("tcp", "127.0.0.1:0", reunite.PinnedTLSConfig(certC, leafA))
	require.NoError(t, err)
	defer lnC.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var errB error
	wg.Add(2)
	go func() { // B serves; it believes it talks to C.
		defer wg.Done()
		c, err := lnB.Accept()
		if err != nil {
			errB = err
			return
		}
		defer c.Close()
		_, errB = reunite.MatchTLS(ctx, c.(*tls.Conn), b, reunite.MatchConfig{Role: psi.RoleResponder})
	}()
	go func() { // C relays A's connection to B, byte for byte.
		defer wg.Done()
		in, err := lnC.Accept()
		if err != nil {
			return
		}
		defer in.Close()
		out, err := tls.Dial("tcp", lnB.Addr().String(), reunite.PinnedTLSConfig(certC, leafB))
		if err != nil {
			return
		}
		defer out.Close()
		go func() { _, _ = io.Copy(out, in); out.Close() }()
		_, _ = io.Copy(in, out)
	}()
	raw, err := net.Dial("tcp", lnC.Addr().String())
	require.NoError(t, err)
	conn := tls.Client(raw, reunite.PinnedTLSConfig(certA, leafC))
	_, errA := reunite.MatchTLS(ctx, conn, a, reunite.MatchConfig{Role: psi.RoleInitiator})
	conn.Close()
	wg.Wait()
	require.Error(t, errA)
	require.Error(t, errB)
	assert.ErrorIs(t, errA, psi.ErrWrongSession)
	assert.ErrorIs(t, errB, psi.ErrWrongSession)
}
