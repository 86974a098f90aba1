package reunite

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hpke"
	"crypto/rand"
	"errors"
	"fmt"
	"io"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/psi"
)

// Message files are encrypted in chunks, each signed, then sealed
// (PROTOCOL.md §Offline exchange; SECURITY.md says why in that order);
// package encoding lays out every byte that is signed, encrypted or bound.

// minTurnSize is the size every turn's frames are padded to at least:
// above a Hello with the longest context (124 bytes), a HelloReply (156),
// a Finish (82) and an Alert (80), so that those turns, and an alert in
// their place, all look alike.
const minTurnSize = 256

// The HPKE suite of message files (RFC 9180 §7): DHKEM(X25519,
// HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305, in base mode. Sender
// authentication is the signature inside each chunk.
var (
	fileKDF  = hpke.HKDFSHA256()
	fileAEAD = hpke.ChaCha20Poly1305()
)

// senderRole is the role that writes message number: the initiator writes
// the even ones.
func senderRole(number uint32) psi.Role {
	if number%2 == 0 {
		return psi.RoleInitiator
	}
	return psi.RoleResponder
}

// fileSize returns the size of a message file whose turn is size bytes of
// frames and padding.
func fileSize(turn int64) uint64 {
	return encoding.OfflineHeaderSize + encoding.OfflineCiphertextSize(uint64(encoding.OfflineMessageMinSize+turn))
}

// sealMessage encodes m, cuts it into chunks, signs each with key as
// sender and encrypts them to the recipient's key to, and returns the
// message file.
func sealMessage(key ed25519.PrivateKey, sender, recipient encoding.OfflineIdentity, to hpke.PublicKey, m *encoding.OfflineMessage) ([]byte, error) {
	stream, err := m.AppendBinary(make([]byte, 0, m.Size()))
	if err != nil {
		return nil, err
	}
	out, err := sealStream(key, sender, recipient, to, stream)
	if err != nil {
		return nil, fmt.Errorf("reunite: encrypting message %d: %w", m.Number, err)
	}
	return out, nil
}

// sealStream seals a message stream (at least one byte) as sealMessage
// does.
func sealStream(key ed25519.PrivateKey, sender, recipient encoding.OfflineIdentity, to hpke.PublicKey, stream []byte) ([]byte, error) {
	if len(stream) == 0 {
		return nil, fmt.Errorf("%w: an empty message stream", encoding.ErrMalformed)
	}
	enc, s, err := hpke.NewSender(to, fileKDF, fileAEAD, encoding.AppendOfflineContext(nil, encoding.OfflineLabelEncryption, sender, recipient))
	if err != nil {
		return nil, err
	}
	h := encoding.OfflineHeader{Length: encoding.OfflineCiphertextSize(uint64(len(stream)))}
	var random [1]byte
	if _, err := rand.Read(random[:]); err != nil {
		return nil, err
	}
	if err := h.SetEnc(enc, random[0]); err != nil {
		return nil, err
	}
	out, err := h.AppendBinary(make([]byte, 0, encoding.OfflineHeaderSize+h.Length))
	if err != nil {
		return nil, err
	}
	header := bytes.Clone(out)
	signed := encoding.NewOfflineSigned(sender, recipient, h)
	var plain []byte
	for i, piece := range encoding.OfflineChunkPieces(stream) {
		plain = append(append(plain[:0], piece...), ed25519.Sign(key, signed.Chunk(uint32(i), piece))...)
		ct, err := s.Seal(header, plain)
		if err != nil {
			return nil, err
		}
		out = append(out, ct...)
	}
	return out, nil
}

// fileReader is the message stream of one message file as it is read: it
// reads, decrypts and verifies one chunk at a time, and gives out its
// piece only once the pinned sender's signature of it verified.
type fileReader struct {
	chunks *encoding.OfflineChunkReader
	hpke   *hpke.Recipient
	sender ed25519.PublicKey
	header []byte // the clear header: every chunk's additional data
	signed *encoding.OfflineSigned
	piece  []byte // what is left of the current chunk's piece
}

// openFile reads the clear header of a message file from r and returns
// the reader of its message stream, decrypted with key as recipient and
// verified against sender's signing key.
func openFile(r io.Reader, key hpke.PrivateKey, sender, recipient encoding.OfflineIdentity) (*fileReader, encoding.OfflineHeader, error) {
	h, err := encoding.ReadOfflineHeader(r)
	if err != nil {
		return nil, h, fileFormatError(err)
	}
	header, err := h.AppendBinary(nil)
	if err != nil {
		return nil, h, err
	}
	hr, err := hpke.NewRecipient(h.KEMEnc(), key, fileKDF, fileAEAD,
		encoding.AppendOfflineContext(nil, encoding.OfflineLabelEncryption, sender, recipient))
	if err != nil {
		return nil, h, fmt.Errorf("%w: encapsulated key", ErrFileDecrypt)
	}
	return &fileReader{
		chunks: encoding.NewOfflineChunkReader(r, h),
		hpke:   hr,
		sender: ed25519.PublicKey(sender.Sign[:]),
		header: header,
		signed: encoding.NewOfflineSigned(sender, recipient, h),
	}, h, nil
}

// Read reads the message stream; it ends with io.EOF after the last chunk
// if the file ends there too.
func (f *fileReader) Read(p []byte) (int, error) {
	for len(f.piece) == 0 {
		i, ct, err := f.chunks.Next()
		if err == io.EOF {
			return 0, io.EOF
		}
		if err != nil {
			return 0, fileFormatError(err)
		}
		plain, err := f.hpke.Open(f.header, ct)
		if err != nil {
			return 0, fmt.Errorf("%w (chunk %d)", ErrFileDecrypt, i)
		}
		piece, sig, err := encoding.SplitOfflineChunk(plain)
		if err != nil {
			return 0, fmt.Errorf("%w: %w", ErrFileFormat, err)
		}
		if !ed25519.Verify(f.sender, f.signed.Chunk(i, piece), sig) {
			return 0, fmt.Errorf("%w (chunk %d)", ErrFileSignature, i)
		}
		f.piece = piece
	}
	n := copy(p, f.piece)
	f.piece = f.piece[n:]
	return n, nil
}

// fileFormatError maps an error from reading a message file to this
// package's errors, keeping the encoding error for errors.Is. Errors this
// package made already are returned as they are.
func fileFormatError(err error) error {
	switch {
	case errors.Is(err, ErrFileTruncated), errors.Is(err, ErrFileTooLarge), errors.Is(err, ErrFileDecrypt),
		errors.Is(err, ErrFileSignature), errors.Is(err, ErrFileFormat):
		return err
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

// streamError maps an error from decoding a message stream: the stream
// was decrypted and signed, so what does not decode is ErrFileFormat
// (even a stream that ends too early), while errors of the file beneath
// (a truncated file, a chunk that does not decrypt or verify) stay what
// they are.
func streamError(err error) error {
	switch {
	case errors.Is(err, ErrFileTruncated), errors.Is(err, ErrFileTooLarge), errors.Is(err, ErrFileDecrypt),
		errors.Is(err, ErrFileSignature), errors.Is(err, ErrFileFormat):
		return err
	case errors.Is(err, encoding.ErrTruncated), errors.Is(err, encoding.ErrTooLarge), errors.Is(err, encoding.ErrBadMagic),
		errors.Is(err, encoding.ErrVersion), errors.Is(err, encoding.ErrMalformed), errors.Is(err, encoding.ErrTrailingData),
		errors.Is(err, encoding.ErrUnknownType):
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
