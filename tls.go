package reunite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"

	"github.com/reunite-psi/reunite/match"
)

// tlsExporterLabel names reunite's use of TLS exported keying material
// (RFC 8446 §7.5); the "EXPORTER-" prefix is reserved for such labels.
const tlsExporterLabel = "EXPORTER-reunite-psi-v1 channel binding"

// ErrPeerNotPinned is returned when a TLS peer presents a certificate that
// is not one of the pinned agency certificates.
var ErrPeerNotPinned = errors.New("reunite: peer certificate is not pinned")

// ErrNotPinnedByPeer is returned when the peer refused this agency's
// certificate during the TLS handshake: most likely it has not pinned it
// (or pinned an older one). Give the peer this agency's certificate out of
// band.
var ErrNotPinnedByPeer = errors.New("reunite: the peer refused this agency's certificate; it has not pinned it")

// CertFingerprint returns the hex SHA-256 of a certificate's DER encoding,
// the form in which agencies exchange and pin each other's certificates.
func CertFingerprint(cert *x509.Certificate) string {
	return fingerprint(cert.Raw)
}

// fingerprint is the hex SHA-256 of b, the form in which agencies name
// each other's certificates and keys.
func fingerprint(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// PinnedTLSConfig returns a TLS 1.3 configuration for one agency talking to
// another: it presents cert and accepts the handshake only if the peer
// presents exactly one of the pinned certificates (compared byte for byte
// through their SHA-256). It works for both ends: as a server it requires a
// client certificate.
//
// Agencies exchange certificates out of band and pin them, rather than
// trusting a certificate authority: who counts as a partner agency is a
// bilateral decision, and a CA that any third party can obtain a
// certificate from must not be able to impersonate one. Chain and host-name
// verification are therefore replaced by the pin check, and so is the
// check of validity dates: a pinned certificate is accepted after it
// expires. To retire a key, the partners stop pinning its certificate.
func PinnedTLSConfig(cert tls.Certificate, pinned ...*x509.Certificate) *tls.Config {
	allowed := make(map[[32]byte]bool, len(pinned))
	for _, p := range pinned {
		allowed[sha256.Sum256(p.Raw)] = true
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAnyClientCert,
		// Replaced by the pin check below, which runs on both ends.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) != 1 {
				return fmt.Errorf("%w: peer presented %d certificates, want exactly 1", ErrPeerNotPinned, len(cs.PeerCertificates))
			}
			if !allowed[sha256.Sum256(cs.PeerCertificates[0].Raw)] {
				return fmt.Errorf("%w: fingerprint %s", ErrPeerNotPinned, CertFingerprint(cs.PeerCertificates[0]))
			}
			return nil
		},
	}
}

// TLSChannelBinding returns 32 bytes of keying material exported from an
// established TLS 1.3 connection. Both ends of one connection get the same
// bytes; any other connection gets different ones.
func TLSChannelBinding(conn *tls.Conn) ([]byte, error) {
	cs := conn.ConnectionState()
	if !cs.HandshakeComplete {
		return nil, fmt.Errorf("%w: TLS handshake not complete", ErrMatchConfig)
	}
	if cs.Version != tls.VersionTLS13 {
		return nil, fmt.Errorf("%w: channel binding needs TLS 1.3", ErrMatchConfig)
	}
	return cs.ExportKeyingMaterial(tlsExporterLabel, nil, 32)
}

// MatchTLS runs Match over a TLS connection with a peer agency whose
// certificate is one of pins. It completes the handshake if needed, then
// checks the pin itself, whatever the connection's tls.Config verified: a
// peer that does not present exactly one certificate, byte for byte one of
// pins, is refused with ErrPeerNotPinned even if its chain is valid under
// some certificate authority. It binds the session to the connection, so
// a relay between two connections cannot splice them, and names the peer
// in the audit record by its certificate fingerprint unless cfg.Peer is
// set. It charges cfg.Budget, if set, under that fingerprint in any case,
// so that every pinned peer has a budget of its own whatever cfg.Peer
// calls it.
//
// Records must be a non-nil set with distinct, non-empty IDs, as the
// readers of package match return; otherwise MatchTLS fails with an error
// wrapping ErrRecords before it touches the connection.
//
// Use PinnedTLSConfig with the same pins for the connection, so that an
// unpinned peer is already refused in the handshake. If the peer refuses
// this agency's certificate, the error wraps ErrNotPinnedByPeer.
func MatchTLS(ctx context.Context, conn *tls.Conn, pins []*x509.Certificate, records []match.Record, cfg MatchConfig) (*MatchResult, error) {
	fail := func(err error) (*MatchResult, error) {
		return &MatchResult{Audit: failedAudit(cfg, len(records), err)}, err
	}
	if err := checkRecords(records); err != nil {
		return fail(err)
	}
	if len(pins) == 0 {
		return fail(fmt.Errorf("%w: no certificates are pinned", ErrPeerNotPinned))
	}
	if err := conn.HandshakeContext(ctx); err != nil {
		err = fmt.Errorf("%w: TLS handshake: %w", ErrTransport, err)
		if refusedOurCert(err) {
			err = fmt.Errorf("%w: %w", ErrNotPinnedByPeer, err)
		}
		return fail(err)
	}
	peers := conn.ConnectionState().PeerCertificates
	if len(peers) > 0 && cfg.Peer == "" {
		cfg.Peer = CertFingerprint(peers[0])
	}
	if err := checkPinned(peers, pins); err != nil {
		return fail(err)
	}
	binding, err := TLSChannelBinding(conn)
	if err != nil {
		return fail(err)
	}
	cfg.ChannelBinding = binding
	res, err := matchCharging(ctx, conn, records, cfg, CertFingerprint(peers[0]))
	if err != nil && refusedOurCert(err) {
		// In TLS 1.3 a client learns that the server refused its
		// certificate only when it first reads.
		err = fmt.Errorf("%w: %w", ErrNotPinnedByPeer, err)
		res.Audit.Outcome = err.Error()
	}
	return res, err
}

// checkPinned checks that peers is exactly one certificate, one of pins.
func checkPinned(peers, pins []*x509.Certificate) error {
	if len(peers) != 1 {
		return fmt.Errorf("%w: peer presented %d certificates, want exactly 1", ErrPeerNotPinned, len(peers))
	}
	for _, p := range pins {
		if p != nil && bytes.Equal(p.Raw, peers[0].Raw) {
			return nil
		}
	}
	return fmt.Errorf("%w: fingerprint %s", ErrPeerNotPinned, CertFingerprint(peers[0]))
}

// refusedOurCert reports whether err is the bad_certificate alert a peer
// sends when it does not accept this agency's certificate. crypto/tls
// reports a received alert as a net.OpError with Op "remote error" whose
// Err has an unexported type; its text is that of tls.AlertError.
func refusedOurCert(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "remote error" && op.Err != nil &&
		op.Err.Error() == tls.AlertError(42).Error() // bad_certificate, RFC 8446 §6.2
}
