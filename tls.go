package reunite

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/reunite-psi/reunite/match"
)

// tlsExporterLabel names reunite's use of TLS exported keying material
// (RFC 8446 §7.5); the "EXPORTER-" prefix is reserved for such labels.
const tlsExporterLabel = "EXPORTER-reunite-psi-v1 channel binding"

// ErrPeerNotPinned is returned when a TLS peer presents a certificate that
// is not one of the pinned agency certificates.
var ErrPeerNotPinned = errors.New("reunite: peer certificate is not pinned")

// CertFingerprint returns the hex SHA-256 of a certificate's DER encoding,
// the form in which agencies exchange and pin each other's certificates.
func CertFingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
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
// verification are therefore replaced by the pin check.
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
		return nil, errors.New("reunite: TLS handshake not complete")
	}
	if cs.Version != tls.VersionTLS13 {
		return nil, errors.New("reunite: channel binding needs TLS 1.3")
	}
	return cs.ExportKeyingMaterial(tlsExporterLabel, nil, 32)
}

// MatchTLS runs Match over a TLS connection: it completes the handshake if
// needed (use a PinnedTLSConfig), binds the session to the connection, so
// a relay between two connections cannot splice them, and names the peer in
// the audit record by its certificate fingerprint unless cfg.Peer is set.
func MatchTLS(ctx context.Context, conn *tls.Conn, records []match.Record, cfg MatchConfig) (*MatchResult, error) {
	if err := conn.HandshakeContext(ctx); err != nil {
		err = fmt.Errorf("%w: TLS handshake: %w", ErrTransport, err)
		return &MatchResult{Audit: failedAudit(cfg, len(records), err)}, err
	}
	binding, err := TLSChannelBinding(conn)
	if err != nil {
		return &MatchResult{Audit: failedAudit(cfg, len(records), err)}, err
	}
	peers := conn.ConnectionState().PeerCertificates
	if len(peers) == 0 {
		// Only a tls.Config that does not require client certificates
		// lets this happen; PinnedTLSConfig never does.
		err := fmt.Errorf("%w: the peer presented no certificate", ErrPeerNotPinned)
		return &MatchResult{Audit: failedAudit(cfg, len(records), err)}, err
	}
	cfg.ChannelBinding = binding
	if cfg.Peer == "" {
		cfg.Peer = CertFingerprint(peers[0])
	}
	return Match(ctx, conn, records, cfg)
}
