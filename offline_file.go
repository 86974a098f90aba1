package reunite

import (
	"crypto/ed25519"
	"crypto/hpke"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/psi"
)

// Message files are signed, then encrypted (PROTOCOL.md §Offline
// exchange; SECURITY.md says why in that order).
const (
	// labelFileSignature prefixes what a message file's signature covers,
	// so a signature made for a message file means nothing anywhere else.
	labelFileSignature = "reunite-offline-v2 message file signature"
	// labelFileHPKE prefixes the HPKE info string of a message file.
	labelFileHPKE = "reunite-offline-v2 message file encryption"
	// labelFileBinding derives the PSI channel binding from the four keys.
	labelFileBinding = "reunite-offline-v2 channel binding"

	// minTurnSize is the size every turn's frames are padded to at least:
	// above a Hello with the longest context (124 bytes), a HelloReply
	// (156), a Finish (82) and an Alert (80), so that those turns, and an
	// alert in their place, all look alike.
	minTurnSize = 256
	// fileOverhead is what a message file's ciphertext adds to its frames
	// and padding.
	fileOverhead = encoding.OfflineMessageMinSize + encoding.OfflineAEADOverhead
)

// The HPKE suite of message files (RFC 9180 §7): DHKEM(X25519,
// HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305, in base mode. Sender
// authentication is the signature inside.
var (
	fileKDF  = hpke.HKDFSHA256()
	fileAEAD = hpke.ChaCha20Poly1305()
)

// fileIdentity is an agency's identity in the file exchange: its Ed25519
// signing key and its X25519 encryption key, both public.
type fileIdentity struct {
	sign ed25519.PublicKey
	enc  []byte
}

// context returns label ‖ 0x00 ‖ the sender's keys ‖ the recipient's keys:
// what binds a signature, an encryption or a session to both agencies.
func (sender fileIdentity) context(label string, recipient fileIdentity) []byte {
	b := make([]byte, 0, len(label)+1+4*32)
	b = append(b, label...)
	b = append(b, 0)
	b = append(b, sender.sign...)
	b = append(b, sender.enc...)
	b = append(b, recipient.sign...)
	return append(b, recipient.enc...)
}

// channelBinding is the PSI channel binding of an exchange between the
// initiator ini and the responder resp.
func channelBinding(ini, resp fileIdentity) []byte {
	sum := sha256.Sum256(ini.context(labelFileBinding, resp))
	return sum[:]
}

// signedBytes is what the sender signs: the label and both identities, the
// file's clear header (its message number, ciphertext length and HPKE
// encapsulated key) and the digest of the plaintext up to the signature.
func signedBytes(sender, recipient fileIdentity, header []byte, digest [sha256.Size]byte) []byte {
	b := sender.context(labelFileSignature, recipient)
	b = append(b, header...)
	return append(b, digest[:]...)
}

// senderRole is the role that writes message number: the initiator writes
// the even ones.
func senderRole(number uint32) psi.Role {
	if number%2 == 0 {
		return psi.RoleInitiator
	}
	return psi.RoleResponder
}

// sealMessage signs one turn's frames, padded, with key as sender and
// encrypts them to the recipient's key to, and returns the message file.
func sealMessage(key ed25519.PrivateKey, sender, recipient fileIdentity, to hpke.PublicKey, exchange [ExchangeIDSize]byte, number uint32, frames []encoding.Frame, padding uint32) ([]byte, error) {
	m := &encoding.OfflineMessage{Exchange: exchange, Frames: frames, Padding: padding}
	digest, err := m.Digest()
	if err != nil {
		return nil, err
	}
	enc, s, err := hpke.NewSender(to, fileKDF, fileAEAD, sender.context(labelFileHPKE, recipient))
	if err != nil {
		return nil, fmt.Errorf("reunite: encrypting message %d: %w", number, err)
	}
	f := &encoding.OfflineFile{Number: number, Enc: [encoding.OfflineEncSize]byte(enc)}
	header := encoding.OfflineAdditionalData(number, uint64(m.Size()+encoding.OfflineAEADOverhead), f.Enc)
	copy(m.Signature[:], ed25519.Sign(key, signedBytes(sender, recipient, header, digest)))
	plaintext, err := m.AppendBinary(make([]byte, 0, m.Size()))
	if err != nil {
		return nil, err
	}
	if f.Ciphertext, err = s.Seal(header, plaintext); err != nil {
		return nil, fmt.Errorf("reunite: encrypting message %d: %w", number, err)
	}
	return f.AppendBinary(make([]byte, 0, f.Size()))
}

// openMessage decrypts f with key, as recipient, and checks that sender
// signed it. The plaintext is decoded (strictly, bounded) before the
// signature is checked, because the signature covers its digest.
func openMessage(f *encoding.OfflineFile, key hpke.PrivateKey, sender, recipient fileIdentity) (*encoding.OfflineMessage, error) {
	header := f.AdditionalData()
	r, err := hpke.NewRecipient(f.Enc[:], key, fileKDF, fileAEAD, sender.context(labelFileHPKE, recipient))
	if err != nil {
		return nil, fmt.Errorf("%w: message %d", ErrFileDecrypt, f.Number)
	}
	plaintext, err := r.Open(header, f.Ciphertext)
	if err != nil {
		return nil, fmt.Errorf("%w: message %d", ErrFileDecrypt, f.Number)
	}
	m := new(encoding.OfflineMessage)
	if err := m.UnmarshalBinary(plaintext); err != nil {
		return nil, fmt.Errorf("%w: message %d: %w", ErrFileFormat, f.Number, err)
	}
	digest, err := m.Digest()
	if err != nil {
		return nil, fmt.Errorf("%w: message %d: %w", ErrFileFormat, f.Number, err)
	}
	if !ed25519.Verify(sender.sign, signedBytes(sender, recipient, header, digest), m.Signature[:]) {
		return nil, fmt.Errorf("%w: message %d", ErrFileSignature, f.Number)
	}
	return m, nil
}

// fileFormatError maps an error from reading a message file's envelope to
// this package's errors, keeping the encoding error for errors.Is.
func fileFormatError(err error) error {
	switch {
	case errors.Is(err, encoding.ErrTruncated):
		return fmt.Errorf("%w: %w", ErrFileTruncated, err)
	case errors.Is(err, encoding.ErrTooLarge):
		return fmt.Errorf("%w: %w", ErrFileTooLarge, err)
	case errors.Is(err, encoding.ErrBadMagic), errors.Is(err, encoding.ErrVersion),
		errors.Is(err, encoding.ErrMalformed), errors.Is(err, encoding.ErrTrailingData):
		return fmt.Errorf("%w: %w", ErrFileFormat, err)
	}
	return fmt.Errorf("reunite: reading message file: %w", err)
}

// turnSize returns the size of the frames of message number in its
// largest legitimate form, for an initiator's set of m elements and a
// responder's of n, under cfg's mode and payload size (PROTOCOL.md
// §Message flow), and at least minTurnSize:
//
//	2: Blinded, m points
//	3: Evaluated, m points with their proofs, and Tags, n sealed entries
//	4: Reveal (both-learn), as many entries as could match, min(m, n),
//	   and the Finish
//
// Every other message is one small frame.
func turnSize(number uint32, m, n int, cfg psi.Config) int64 {
	chunks := func(count int, size func(int) int) int64 {
		t := int64(0)
		for ; count > 0; count -= encoding.MaxChunkElements {
			t += int64(encoding.HeaderSize + size(min(count, encoding.MaxChunkElements)))
		}
		return t
	}
	sealed := 0
	if cfg.PayloadSize > 0 {
		sealed = cfg.PayloadSize + encoding.SealOverhead
	}
	t := int64(0)
	switch number {
	case 2:
		t = chunks(m, encoding.PointChunkSize)
	case 3:
		t = chunks(m, encoding.EvaluatedChunkSize) +
			chunks(n, func(c int) int { return encoding.SealedChunkSize(c, encoding.TagSize, sealed) })
	case 4:
		if cfg.Mode == psi.BothLearn {
			t = chunks(min(m, n), func(c int) int {
				return encoding.SealedChunkSize(c, encoding.PositionSize, cfg.PayloadSize+encoding.SealOverhead)
			})
		}
		t += encoding.HeaderSize + encoding.FinishSize
	}
	return max(t, minTurnSize)
}
