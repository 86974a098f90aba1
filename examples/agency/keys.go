package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/internal/fsfile"
)

// Files in an agency's key directory. The private key, the audit log and
// the budget file are written 0600.
const (
	certFile   = "tls.crt"     // self-signed TLS certificate; give it to partner agencies
	tlsKeyFile = "tls.key"     // its private key, which also keys the audit log
	auditFile  = "audit.jsonl" // the audit log
	budgetFile = "budget.json" // serve: the per-peer budgets
)

// errKeysExist reports a keygen into a directory that holds an agency's
// keys already.
var errKeysExist = errors.New("keys exist")

// keygen creates a self-signed TLS certificate and its key for an agency
// in dir, and an empty audit log and budget file authenticated or used
// with them.
func keygen(name, dir string) error {
	if name == "" || dir == "" {
		return errors.New("keygen needs -name and -out")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for _, f := range []string{certFile, tlsKeyFile, auditFile, budgetFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return fmt.Errorf("%w: %s exists, refusing to overwrite an agency's keys", errKeysExist, filepath.Join(dir, f))
		}
	}
	tlsPub, tlsPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: name, Organization: []string{name}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(2, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, tlsPub, tlsPriv)
	if err != nil {
		return err
	}
	writes := []struct {
		file, typ string
		der       func() ([]byte, error)
		mode      os.FileMode
	}{
		{certFile, "CERTIFICATE", func() ([]byte, error) { return der, nil }, 0o644},
		{tlsKeyFile, "PRIVATE KEY", func() ([]byte, error) { return x509.MarshalPKCS8PrivateKey(tlsPriv) }, 0o600},
	}
	for _, w := range writes {
		b, err := w.der()
		if err != nil {
			return err
		}
		if err := fsfile.CreateFile(filepath.Join(dir, w.file), pem.EncodeToMemory(&pem.Block{Type: w.typ, Bytes: b}), w.mode); err != nil {
			return err
		}
	}
	key, err := reunite.DeriveAuditKey(tlsPriv)
	if err != nil {
		return err
	}
	l, err := reunite.CreateAuditLog(filepath.Join(dir, auditFile), key)
	if err != nil {
		return err
	}
	if err := l.Close(); err != nil {
		return err
	}
	// The limit and window are the server's to choose at each start.
	_, err = reunite.CreateBudgetStore(filepath.Join(dir, budgetFile), 1, time.Hour)
	return err
}

// loadTLS loads an agency's TLS certificate and key from dir.
func loadTLS(dir string) (tls.Certificate, error) {
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, certFile), filepath.Join(dir, tlsKeyFile))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("loading keys from %s: %w", dir, err)
	}
	return cert, nil
}

// loadPeerCert loads the certificate a partner agency gave us.
func loadPeerCert(dir string) (*x509.Certificate, error) {
	raw, err := os.ReadFile(filepath.Join(dir, certFile))
	if err != nil {
		return nil, fmt.Errorf("loading peer certificate: %w", err)
	}
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s: not a PEM certificate", filepath.Join(dir, certFile))
	}
	return x509.ParseCertificate(block.Bytes)
}
