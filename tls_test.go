package reunite_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/match"
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

func pins(certs ...*x509.Certificate) []*x509.Certificate { return certs }

// caCerts makes a certificate authority and a certificate it issued to
// each of names, valid for TLS client and server use on 127.0.0.1.
func caCerts(t *testing.T, names ...string) (*x509.CertPool, []tls.Certificate, []*x509.Certificate) {
	t.Helper()
	caPub, caPriv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "some CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caPub, caPriv)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	var certs []tls.Certificate
	var leaves []*x509.Certificate
	for i, name := range names {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		require.NoError(t, err)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(int64(i + 2)), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage:    x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
			IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, pub, caPriv)
		require.NoError(t, err)
		leaf, err := x509.ParseCertificate(der)
		require.NoError(t, err)
		certs = append(certs, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv, Leaf: leaf})
		leaves = append(leaves, leaf)
	}
	return pool, certs, leaves
}

// TestMatchTLSChecksPinsItself runs MatchTLS over connections an ordinary
// CA configuration accepts: MatchTLS still refuses a peer it has not
// pinned, on either end.
func TestMatchTLSChecksPinsItself(t *testing.T) {
	checkNoLeak(t)
	pool, certs, leaves := caCerts(t, "agency A", "agency B", "certified stranger")
	serverTLS := &tls.Config{MinVersion: tls.VersionTLS13, Certificates: certs[1:2], ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	clientTLS := &tls.Config{MinVersion: tls.VersionTLS13, Certificates: certs[:1], RootCAs: pool, ServerName: "127.0.0.1"}

	// Both pin each other: the session runs.
	_, _, errA, errB := tlsMatch(t, serverTLS, clientTLS, pins(leaves[0]), pins(leaves[1]))
	require.NoError(t, errA)
	require.NoError(t, errB)

	tests := []struct {
		name                   string
		serverPins, clientPins []*x509.Certificate
		refusedA, refusedB     bool
	}{
		{"server has not pinned the client", pins(leaves[2]), pins(leaves[1]), false, true},
		{"client has not pinned the server", pins(leaves[0]), pins(leaves[2]), true, false},
		{"client pins nothing", pins(leaves[0]), nil, true, false},
		{"server pins nothing", nil, pins(leaves[1]), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ra, rb, errA, errB := tlsMatch(t, serverTLS, clientTLS, tt.serverPins, tt.clientPins)
			require.Error(t, errA)
			require.Error(t, errB)
			if tt.refusedA {
				require.ErrorIs(t, errA, reunite.ErrPeerNotPinned)
			}
			if tt.refusedB {
				require.ErrorIs(t, errB, reunite.ErrPeerNotPinned)
			}
			for _, r := range []*reunite.MatchResult{ra, rb} {
				require.NotNil(t, r)
				assert.Empty(t, r.Hits)
				assert.NotEqual(t, "ok", r.Audit.Outcome)
			}
		})
	}
}

// TestMatchTLSUnpinnedClient has B's server not pin A: A is told that B
// refused its certificate, not just "bad certificate".
func TestMatchTLSUnpinnedClient(t *testing.T) {
	checkNoLeak(t)
	certA, _ := agencyCert(t, "agency A")
	certB, leafB := agencyCert(t, "agency B")
	_, leafOther := agencyCert(t, "someone else")
	ra, _, errA, errB := tlsMatch(t, reunite.PinnedTLSConfig(certB, leafOther), reunite.PinnedTLSConfig(certA, leafB), pins(leafOther), pins(leafB))
	require.ErrorIs(t, errA, reunite.ErrNotPinnedByPeer)
	assert.Contains(t, errA.Error(), "has not pinned it")
	assert.Contains(t, ra.Audit.Outcome, "has not pinned it")
	require.ErrorIs(t, errB, reunite.ErrPeerNotPinned)
}

// tlsMatch runs MatchTLS as server (responder) and client (initiator) over
// loopback, with the given configurations.
func tlsMatch(t *testing.T, serverTLS, clientTLS *tls.Config, serverPins, clientPins []*x509.Certificate) (ra, rb *reunite.MatchResult, errA, errB error) {
	t.Helper()
	return tlsMatchWith(t, serverTLS, clientTLS, serverPins, clientPins,
		reunite.MatchConfig{Role: psi.RoleResponder}, reunite.MatchConfig{Role: psi.RoleInitiator})
}

// tlsMatchWith is tlsMatch with the server's and the client's MatchConfig.
func tlsMatchWith(t *testing.T, serverTLS, clientTLS *tls.Config, serverPins, clientPins []*x509.Certificate, serverCfg, clientCfg reunite.MatchConfig) (ra, rb *reunite.MatchResult, errA, errB error) {
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
		rb, errB = reunite.MatchTLS(ctx, c.(*tls.Conn), serverPins, b, serverCfg)
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	conn := tls.Client(raw, clientTLS)
	defer conn.Close()
	ra, errA = reunite.MatchTLS(ctx, conn, clientPins, a, clientCfg)
	conn.Close()
	<-done
	return ra, rb, errA, errB
}

func TestMatchTLSPinned(t *testing.T) {
	checkNoLeak(t)
	certA, leafA := agencyCert(t, "agency A")
	certB, leafB := agencyCert(t, "agency B")
	ra, rb, errA, errB := tlsMatch(t, reunite.PinnedTLSConfig(certB, leafA), reunite.PinnedTLSConfig(certA, leafB), pins(leafA), pins(leafB))
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
	ra, rb, errA, errB := tlsMatch(t, reunite.PinnedTLSConfig(certB, leafA), reunite.PinnedTLSConfig(certA, leafOther), pins(leafA), pins(leafOther))
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
		_, errB = reunite.MatchTLS(ctx, c.(*tls.Conn), pins(leafC), b, reunite.MatchConfig{Role: psi.RoleResponder})
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
	_, errA := reunite.MatchTLS(ctx, conn, pins(leafC), a, reunite.MatchConfig{Role: psi.RoleInitiator})
	conn.Close()
	wg.Wait()
	require.Error(t, errA)
	require.Error(t, errB)
	assert.ErrorIs(t, errA, psi.ErrWrongSession)
	assert.ErrorIs(t, errB, psi.ErrWrongSession)
}

// TestMatchTLSAuditsDeclaredSize has B refuse A after the handshake (its
// budget is spent): B's audit record still says how many keys A declared.
func TestMatchTLSAuditsDeclaredSize(t *testing.T) {
	checkNoLeak(t)
	certA, leafA := agencyCert(t, "agency A")
	certB, leafB := agencyCert(t, "agency B")
	ra, rb, errA, errB := tlsMatchWith(t, reunite.PinnedTLSConfig(certB, leafA), reunite.PinnedTLSConfig(certA, leafB), pins(leafA), pins(leafB),
		reunite.MatchConfig{Role: psi.RoleResponder, Admit: func(int) error { return reunite.ErrBudgetExceeded }},
		reunite.MatchConfig{Role: psi.RoleInitiator})
	require.ErrorIs(t, errA, psi.ErrRefused)
	require.ErrorIs(t, errB, reunite.ErrBudgetExceeded)
	require.NotZero(t, ra.Audit.LocalKeys)
	assert.Equal(t, ra.Audit.LocalKeys, rb.Audit.PeerKeys, "the refused peer's declared size is audited")
	assert.Equal(t, reunite.CertFingerprint(leafA), rb.Audit.Peer)
}

// TestMatchTLSRefusesBadRecordSets checks that MatchTLS refuses what the
// readers never return: a nil set, an empty ID, a repeated ID.
func TestMatchTLSRefusesBadRecordSets(t *testing.T) {
	certA, _ := agencyCert(t, "agency A")
	_, leafB := agencyCert(t, "agency B")
	tests := []struct {
		name    string
		records []match.Record
		reason  string
	}{
		{"nil", nil, "nil"},
		{"empty id", []match.Record{{ID: "A-1", GivenNames: "Ana"}, {GivenNames: "Ivan"}}, "record 2 has no id"},
		{"repeated id", []match.Record{{ID: "A-1", GivenNames: "Ana"}, {ID: "A-2", GivenNames: "Ivan"}, {ID: "A-1", GivenNames: "Olena"}}, "records 1 and 3 have the same id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c1, c2 := net.Pipe()
			defer c1.Close()
			defer c2.Close()
			conn := tls.Client(c1, reunite.PinnedTLSConfig(certA, leafB))
			res, err := reunite.MatchTLS(context.Background(), conn, pins(leafB), tt.records, reunite.MatchConfig{Role: psi.RoleInitiator})
			require.ErrorIs(t, err, reunite.ErrRecords)
			assert.Contains(t, err.Error(), tt.reason)
			assert.NotContains(t, err.Error(), "A-1", "no record ID in the error")
			require.NotNil(t, res)
			assert.Equal(t, err.Error(), res.Audit.Outcome)
		})
	}
	// An empty set is allowed: it is refused by nothing here.
	c1, c2 := net.Pipe()
	c2.Close()
	conn := tls.Client(c1, reunite.PinnedTLSConfig(certA, leafB))
	_, err := reunite.MatchTLS(context.Background(), conn, pins(leafB), []match.Record{}, reunite.MatchConfig{Role: psi.RoleInitiator})
	require.Error(t, err)
	assert.NotErrorIs(t, err, reunite.ErrRecords)
}

// TestTLSChannelBindingNeedsAHandshake checks that a connection whose
// handshake has not run gives no channel binding, with a typed error.
func TestTLSChannelBindingNeedsAHandshake(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	cert, leaf := agencyCert(t, "agency A")
	_, err := reunite.TLSChannelBinding(tls.Client(a, reunite.PinnedTLSConfig(cert, leaf)))
	require.ErrorIs(t, err, reunite.ErrMatchConfig)
}

// TestMatchTLSChargesTheCertificate checks that MatchTLS charges a budget
// under the fingerprint of the peer's pinned certificate, also where the
// caller names the peer otherwise for the audit record: a label shared by
// several peers must not pool their budgets.
func TestMatchTLSChargesTheCertificate(t *testing.T) {
	checkNoLeak(t)
	certA, leafA := agencyCert(t, "agency A")
	certB, leafB := agencyCert(t, "agency B")
	store, _ := openBudget(t, math.MaxInt32, time.Hour)
	ra, rb, errA, errB := tlsMatchWith(t, reunite.PinnedTLSConfig(certB, leafA), reunite.PinnedTLSConfig(certA, leafB), pins(leafA), pins(leafB),
		reunite.MatchConfig{Role: psi.RoleResponder, Peer: "partner", Budget: store},
		reunite.MatchConfig{Role: psi.RoleInitiator})
	require.NoError(t, errA)
	require.NoError(t, errB)
	charge := reunite.SessionCharge(ra.Audit.LocalKeys)
	assert.Equal(t, "partner", rb.Audit.Peer)
	assert.Equal(t, charge, rb.Audit.Charged)
	assert.Equal(t, charge, used(t, store, reunite.CertFingerprint(leafA), time.Now()))
	assert.Zero(t, used(t, store, "partner", time.Now()))
}
