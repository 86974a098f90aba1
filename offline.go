package reunite

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
)

// Errors of the offline exchange. Each is wrapped with context (the message
// number, the check that failed), never with record values or secrets.
var (
	// ErrFileFormat reports bytes that are not a reunite message file of a
	// version this build reads, or a signed file whose frames do not hold
	// exactly one turn of the protocol.
	ErrFileFormat = errors.New("reunite: not a valid message file")
	// ErrFileTruncated reports a message file shorter than its header says.
	ErrFileTruncated = errors.New("reunite: message file is truncated")
	// ErrFileTooLarge reports a message file above the size or frame-count
	// limits that follow from MatchConfig.MaxKeys.
	ErrFileTooLarge = errors.New("reunite: message file exceeds the size limits")
	// ErrFileSignature reports a message file whose signature does not
	// verify under the peer's pinned key, for this party: it was altered,
	// or written by someone else, or for someone else.
	ErrFileSignature = errors.New("reunite: message file signature is not the pinned peer's")
	// ErrFileExchange reports a file the peer signed for another exchange.
	ErrFileExchange = errors.New("reunite: message file belongs to another exchange")
	// ErrFileReplay reports a file this party has already read.
	ErrFileReplay = errors.New("reunite: message file was already read (replayed)")
	// ErrFileOrder reports a file that is not the next one expected: a
	// message was skipped, the file came from the wrong side, or the
	// exchange is over.
	ErrFileOrder = errors.New("reunite: message file is out of order")
	// ErrNothingToWrite is returned by WriteMessage when this party owes
	// the peer no message: it waits for the peer's, or the exchange is over.
	ErrNothingToWrite = errors.New("reunite: this party has no message to write")
	// ErrStateUnsaved is returned by WriteMessage when the message to write
	// was produced after the state was last saved.
	ErrStateUnsaved = errors.New("reunite: save the exchange state before writing its message")
	// ErrExchangeFailed reports an exchange that the protocol ended with an
	// error (this party's or the peer's); it wraps that error when it is
	// known in this process.
	ErrExchangeFailed = errors.New("reunite: the offline exchange failed")
)

// ExchangeIDSize is the size of an exchange ID.
const ExchangeIDSize = 16

// Message-file and state-file formats (PROTOCOL.md §Offline exchange).
const (
	fileMagic      = "RNTM"
	fileVersion    = 1
	fileHeaderSize = 4 + 1 + 1 + ExchangeIDSize + 4 + 4 + 8
	// labelFileSignature prefixes every signed message, so a signature made
	// for a message file means nothing anywhere else.
	labelFileSignature = "reunite-offline-v1 message file"
	// labelFileBinding derives the PSI channel binding from the two keys.
	labelFileBinding = "reunite-offline-v1 channel binding"

	exchangeStateMagic   = "RNTX"
	exchangeStateVersion = 1
	statusActive         = 1
	statusFailed         = 2
	maxFailureText       = 1 << 12
)

// FileExchangeConfig configures one party's side of an offline exchange.
type FileExchangeConfig struct {
	// MatchConfig is as for Match; Role is required, and both parties'
	// Rules, Mode and so on must agree as they must for Match.
	// ChannelBinding must be empty: the exchange binds the session to the
	// two signing keys itself. Admit and Progress are used as in Match;
	// being functions, they are not saved with the state, so pass them
	// again to OpenFileExchange.
	MatchConfig
	// SigningKey is this agency's Ed25519 private key. It signs every
	// message file this party writes.
	SigningKey ed25519.PrivateKey
	// PeerKey is the peer agency's Ed25519 public key, pinned: obtained out
	// of band and checked (for example by comparing its fingerprint over
	// the telephone) before the first exchange. Only files it signed are
	// read.
	PeerKey ed25519.PublicKey
}

// FileExchange is one party's side of a record-matching session whose
// messages travel as files, for agencies that can only exchange files (for
// example through a secure mail channel). It runs the same protocol as
// Match, one message file per turn, the initiator A first and then in turn:
//
//	A: StartFileExchange, SaveState, WriteMessage             → message 0
//	B: StartFileExchange, ReadMessage, SaveState, WriteMessage → message 1
//	A: OpenFileExchange, ReadMessage, SaveState, WriteMessage  → message 2
//	   … and so on, each party reading the other's last message and
//	   writing its next, until both are Done (six messages in all; the
//	   responder is done once it has produced the last one)
//
// and gives each party the same MatchResult as Match would. Between two
// steps a party may stop; OpenFileExchange continues from its state file.
//
// Each file is signed with the sender's Ed25519 key. Before a single frame
// reaches the protocol, ReadMessage checks the signature against the pinned
// peer key, the exchange ID and that the message number is exactly the next
// one, so a replayed, reordered, truncated, altered or foreign file is
// refused and changes nothing: the right file can still be read afterwards.
//
// The state file holds secrets (this party's PSI scalar, the records'
// pseudonyms): see SaveState. A FileExchange is not safe for concurrent use.
type FileExchange struct {
	setup     *matchSetup
	session   *psi.Session
	ownKey    ed25519.PrivateKey
	ownPub    ed25519.PublicKey
	peerKey   ed25519.PublicKey
	exchange  [ExchangeIDSize]byte
	haveID    bool   // false only for a responder before message 0
	next      uint32 // number of the next message to read
	outgoing  []byte // the last message this party produced, signed; nil if none is owed
	outNumber uint32
	saved     bool  // outgoing is in the last state saved
	failure   error // why the exchange failed, if it did
	result    *MatchResult
	maxBytes  int64
	maxFrames int
}

// StartFileExchange begins a new offline exchange for records under cfg.
// The initiator chooses the exchange ID and produces message 0 at once;
// the responder waits for it. Save the state (SaveState) before writing the
// first message.
func StartFileExchange(records []match.Record, cfg FileExchangeConfig) (*FileExchange, error) {
	x, err := newFileExchange(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Role == psi.RoleInitiator {
		if _, err := rand.Read(x.exchange[:]); err != nil {
			return nil, fmt.Errorf("reunite: drawing the exchange ID: %w", err)
		}
		x.haveID = true
	}
	if x.setup, err = newMatchSetup(records, x.matchConfig(cfg), nil); err != nil {
		return nil, err
	}
	if x.session, err = psi.NewSession(x.setup.pcfg, x.setup.set); err != nil {
		return nil, err
	}
	if cfg.Role == psi.RoleInitiator {
		x.produce(0)
		x.next = 1
	}
	return x, nil
}

// newFileExchange checks the keys and sets up what does not depend on the
// records.
func newFileExchange(cfg FileExchangeConfig) (*FileExchange, error) {
	switch {
	case len(cfg.SigningKey) != ed25519.PrivateKeySize:
		return nil, fmt.Errorf("%w: signing key must be an Ed25519 private key", ErrMatchConfig)
	case len(cfg.PeerKey) != ed25519.PublicKeySize:
		return nil, fmt.Errorf("%w: peer key must be an Ed25519 public key", ErrMatchConfig)
	case len(cfg.ChannelBinding) != 0:
		return nil, fmt.Errorf("%w: a file exchange sets its own channel binding", ErrMatchConfig)
	case cfg.Role != psi.RoleInitiator && cfg.Role != psi.RoleResponder:
		return nil, fmt.Errorf("%w: role must be initiator or responder", ErrMatchConfig)
	}
	x := &FileExchange{
		ownKey:  bytes.Clone(cfg.SigningKey),
		ownPub:  bytes.Clone(cfg.SigningKey.Public().(ed25519.PublicKey)),
		peerKey: bytes.Clone(cfg.PeerKey),
	}
	if x.ownPub.Equal(x.peerKey) {
		return nil, fmt.Errorf("%w: the peer key is this party's own key", ErrMatchConfig)
	}
	x.maxBytes, x.maxFrames = messageLimits(cfg.MaxKeys)
	return x, nil
}

// matchConfig is cfg's MatchConfig with the channel binding of the two
// signing keys, so the PSI session ID (and the audit record's) commits to
// both agencies' identities.
func (x *FileExchange) matchConfig(cfg FileExchangeConfig) MatchConfig {
	ini, resp := x.ownPub, x.peerKey
	if cfg.Role == psi.RoleResponder {
		ini, resp = resp, ini
	}
	h := sha256.New()
	h.Write([]byte(labelFileBinding))
	h.Write([]byte{0})
	h.Write(ini)
	h.Write(resp)
	mc := cfg.MatchConfig
	mc.ChannelBinding = h.Sum(nil)
	return mc
}

// messageLimits bounds one message file under a cap of maxKeys elements
// per set: the largest turn is the responder's first (its handshake reply,
// the initiator's elements evaluated and its own tags with sealed
// payloads), and no turn has more frames than it.
func messageLimits(maxKeys int) (maxBytes int64, maxFrames int) {
	c := int64(maxKeys)
	if c <= 0 {
		c = psi.DefaultMaxSetSize
	}
	chunks := (c + encoding.MaxChunkElements - 1) / encoding.MaxChunkElements
	maxFrames = int(2 + 2*chunks)
	perElement := int64(encoding.ElementSize + encoding.TagSize + match.PayloadSize + encoding.SealOverhead)
	perFrame := int64(encoding.HeaderSize + encoding.SessionIDSize + 4 + 2 + encoding.HashSize + encoding.ProofSize)
	return 1024 + c*perElement + int64(maxFrames)*perFrame, maxFrames
}

func (x *FileExchange) role() psi.Role     { return x.setup.role }
func (x *FileExchange) peerRole() psi.Role { return x.setup.role.Peer() }

// produce collects every frame the session has to send in this turn and
// signs them into the message file numbered number. A session that has
// nothing to send leaves no message owed.
func (x *FileExchange) produce(number uint32) {
	var frames []encoding.Frame
	for x.session.Turn() == psi.TurnSend {
		f, err := x.session.Send()
		if err != nil {
			continue // the session now holds the error, and may owe an alert
		}
		frames = append(frames, f)
	}
	x.outgoing, x.saved = nil, false
	if len(frames) > 0 {
		x.outgoing = encodeMessage(x.ownKey, x.ownPub, x.peerKey, x.role(), x.exchange, number, frames)
		x.outNumber = number
	}
}

// Outgoing reports whether this party owes the peer a message and, if so,
// the number of the message file WriteMessage writes.
func (x *FileExchange) Outgoing() (number uint32, ok bool) {
	if x.outgoing == nil {
		return 0, false
	}
	return x.outNumber, true
}

// ExchangeID returns the exchange's ID: random, chosen by the initiator,
// carried by every message file. A responder learns it from message 0;
// before that it is all zeros. It is not secret and may name the files.
func (x *FileExchange) ExchangeID() [ExchangeIDSize]byte { return x.exchange }

// Done reports whether the exchange is over, successfully or not; Result
// then says which. A party may still owe the peer its last message (see
// Outgoing): the responder's last message completes the initiator's side.
func (x *FileExchange) Done() bool {
	return x.failure != nil || x.session.Turn() == psi.TurnDone
}

// WriteMessage writes this party's current message file to w: the one
// produced by StartFileExchange (initiator) or by the last ReadMessage.
// Writing it again gives the same bytes, so a lost file can be sent again.
//
// The state must have been saved since the message was produced
// (ErrStateUnsaved otherwise): a party that answered a message and then lost
// its state would answer again with the same secrets, which a dishonest
// peer could exploit to test more guesses than the session allows.
func (x *FileExchange) WriteMessage(w io.Writer) error {
	if x.outgoing == nil {
		return ErrNothingToWrite
	}
	if !x.saved {
		return fmt.Errorf("%w (message %d)", ErrStateUnsaved, x.outNumber)
	}
	if _, err := w.Write(x.outgoing); err != nil {
		return fmt.Errorf("reunite: writing message %d: %w", x.outNumber, err)
	}
	return nil
}

// ReadMessage verifies the peer's next message file and feeds its frames
// to the session; this party's answer, if it owes one, is then ready for
// SaveState and WriteMessage.
//
// The file is refused, with the session left exactly as it was, unless its
// signature verifies under the pinned peer key (ErrFileSignature), it
// belongs to this exchange (ErrFileExchange), and its number is the next
// one expected (ErrFileReplay for an old one, ErrFileOrder for any other);
// also if it is truncated (ErrFileTruncated), too large (ErrFileTooLarge),
// malformed or does not hold exactly one turn of the protocol
// (ErrFileFormat). A file that passes these checks but breaks the protocol
// ends the exchange: ReadMessage returns an error matching
// ErrExchangeFailed and the psi error, and once the state is saved
// WriteMessage writes the alert that tells the peer why (unless the file
// was the peer's own alert).
func (x *FileExchange) ReadMessage(r io.Reader) error {
	if x.failure != nil {
		return fmt.Errorf("%w: %w", ErrExchangeFailed, x.failure)
	}
	msg, err := readMessage(r, x.peerKey, x.ownPub, x.maxBytes, x.maxFrames)
	if err != nil {
		return err
	}
	switch {
	case msg.role != x.peerRole():
		return fmt.Errorf("%w: message %d was written by the %v, not the peer", ErrFileOrder, msg.number, msg.role)
	case x.haveID && msg.exchange != x.exchange:
		return fmt.Errorf("%w: message %d", ErrFileExchange, msg.number)
	case msg.number < x.next:
		return fmt.Errorf("%w: message %d, expected message %d", ErrFileReplay, msg.number, x.next)
	case msg.number > x.next:
		return fmt.Errorf("%w: message %d, expected message %d", ErrFileOrder, msg.number, x.next)
	case x.session.Turn() != psi.TurnReceive:
		return fmt.Errorf("%w: message %d, but the exchange is over", ErrFileOrder, msg.number)
	}

	before, err := x.session.MarshalState()
	if err != nil {
		return err
	}
	var failed error
	for i, f := range msg.frames {
		if x.session.Turn() != psi.TurnReceive {
			return x.restore(before, fmt.Errorf("%w: message %d has %d frames after the end of the %v's turn", ErrFileFormat, msg.number, len(msg.frames)-i, msg.role))
		}
		if failed = x.session.Receive(f); failed != nil {
			break
		}
	}
	if failed == nil && x.session.Turn() == psi.TurnReceive {
		return x.restore(before, fmt.Errorf("%w: message %d ends before the %v's turn does", ErrFileFormat, msg.number, msg.role))
	}

	if !x.haveID {
		x.exchange, x.haveID = msg.exchange, true
	}
	x.produce(msg.number + 1)
	x.next = msg.number + 1
	if x.outgoing != nil {
		x.next++
	}
	if failed != nil {
		x.failure = failed
		return fmt.Errorf("%w: message %d: %w", ErrExchangeFailed, msg.number, failed)
	}
	return nil
}

// restore puts back the session saved in before and returns err.
func (x *FileExchange) restore(before []byte, err error) error {
	s, rerr := x.resume(before)
	if rerr != nil {
		return errors.Join(err, rerr)
	}
	x.session = s
	return err
}

func (x *FileExchange) resume(state []byte) (*psi.Session, error) {
	return psi.ResumeSession(x.setup.pcfg, x.setup.set, state)
}

// Result returns this party's MatchResult once the exchange is done: the
// same hits, scores, rules and audit record as Match. If the exchange
// failed it returns the audit record, no hits, and an error matching
// ErrExchangeFailed.
func (x *FileExchange) Result() (*MatchResult, error) {
	if x.failure != nil {
		return x.setup.fail(fmt.Errorf("%w: %w", ErrExchangeFailed, x.failure))
	}
	if x.result != nil {
		return x.result, nil
	}
	if !x.Done() {
		return nil, fmt.Errorf("%w: the exchange is not over", psi.ErrWrongTurn)
	}
	r, err := x.session.Result()
	if err != nil {
		return x.setup.fail(err)
	}
	res, err := x.setup.finish(r)
	if err != nil {
		x.failure = err
		return res, fmt.Errorf("%w: %w", ErrExchangeFailed, err)
	}
	x.result = res
	return res, nil
}

// SaveState writes the exchange's state to path, atomically (a temporary
// file in the same directory, synced, then renamed over path) and with
// mode 0600, and marks the current message as safe to write.
//
// THE STATE FILE IS SECRET. It holds this party's PSI secret scalar (until
// the session no longer needs it), the values derived from it, and the
// per-session pseudonyms of its records; with the message files, it reveals
// which keys this agency holds. Keep it like the agency's private signing
// key: on an encrypted volume, readable only by the service account, never
// in mail, logs or backups that outlive the exchange; delete it when the
// exchange is over and its result recorded.
//
// Always continue from the newest state file, and never restore an older
// copy: an older state would answer a message it already answered, with the
// same secrets (see WriteMessage). A failed exchange is saved as failed, so
// it cannot be resumed; only its alert message can still be written.
func (x *FileExchange) SaveState(path string) error {
	data, err := x.marshal()
	if err != nil {
		return err
	}
	if err := writeFileAtomic(path, data); err != nil {
		return fmt.Errorf("reunite: saving the exchange state: %w", err)
	}
	x.saved = true
	return nil
}

// OpenFileExchange continues an exchange from the state file at path.
// records and cfg must be the ones the exchange was started with (cfg's
// Threshold, Peer, Admit and Progress may differ): other records, rules,
// mode, cap, role or keys are refused with an error matching
// psi.ErrStateMismatch, and a damaged state file with one matching
// psi.ErrStateCorrupt.
func OpenFileExchange(path string, records []match.Record, cfg FileExchangeConfig) (*FileExchange, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reunite: reading the exchange state: %w", err)
	}
	x, err := newFileExchange(cfg)
	if err != nil {
		return nil, err
	}
	st, err := parseExchangeState(data)
	if err != nil {
		return nil, err
	}
	switch {
	case st.role != cfg.Role:
		return nil, fmt.Errorf("%w: the state file is the %v's", psi.ErrStateMismatch, st.role)
	case !x.ownPub.Equal(st.ownPub):
		return nil, fmt.Errorf("%w: the state file was made with another signing key", psi.ErrStateMismatch)
	case !x.peerKey.Equal(st.peerPub):
		return nil, fmt.Errorf("%w: the state file was made for another peer key", psi.ErrStateMismatch)
	case st.status == statusActive && len(st.pseudonyms) != len(records):
		return nil, fmt.Errorf("%w: the state file has %d records, %d given", psi.ErrStateMismatch, len(st.pseudonyms), len(records))
	}
	x.exchange, x.haveID, x.next = st.exchange, st.haveID, st.next
	mc := x.matchConfig(cfg)
	var pseudonyms []uint32
	if st.status == statusActive {
		pseudonyms = st.pseudonyms
	}
	if x.setup, err = newMatchSetup(records, mc, pseudonyms); err != nil {
		return nil, err
	}
	x.setup.res.Audit.Time = st.started
	if st.status == statusFailed {
		x.failure = errors.New(st.failure) // x.session stays nil: every method checks x.failure first
	} else if x.session, err = x.resume(st.session); err != nil {
		return nil, fmt.Errorf("reunite: exchange state: %w", err)
	}
	if len(st.outgoing) > 0 {
		// The saved message must be this party's own, for this exchange,
		// and the one just before the next expected.
		msg, err := readMessage(bytes.NewReader(st.outgoing), x.ownPub, x.peerKey, int64(len(st.outgoing)), x.maxFrames)
		if err != nil || msg.role != cfg.Role || msg.exchange != x.exchange || msg.number+1 != x.next || !x.haveID {
			return nil, fmt.Errorf("%w: saved message file", psi.ErrStateCorrupt)
		}
		x.outgoing, x.outNumber = st.outgoing, msg.number
	}
	x.saved = true
	return x, nil
}

// --- Message files ---

// message is a parsed, verified message file.
type message struct {
	role     psi.Role
	exchange [ExchangeIDSize]byte
	number   uint32
	frames   []encoding.Frame
}

// signaturePrefix is what precedes a message file in the signed bytes: the
// label, and the sender's and recipient's keys, so a file signed for one
// recipient is worthless to any other.
func signaturePrefix(sender, recipient ed25519.PublicKey) []byte {
	b := make([]byte, 0, len(labelFileSignature)+1+2*ed25519.PublicKeySize)
	b = append(b, labelFileSignature...)
	b = append(b, 0)
	b = append(b, sender...)
	return append(b, recipient...)
}

// encodeMessage builds and signs a message file.
func encodeMessage(key ed25519.PrivateKey, sender, recipient ed25519.PublicKey, role psi.Role, exchange [ExchangeIDSize]byte, number uint32, frames []encoding.Frame) []byte {
	size := 0
	for _, f := range frames {
		size += f.Size()
	}
	prefix := signaturePrefix(sender, recipient)
	b := make([]byte, 0, len(prefix)+fileHeaderSize+size+ed25519.SignatureSize)
	b = append(b, prefix...)
	b = append(b, fileMagic...)
	b = append(b, fileVersion, byte(role))
	b = append(b, exchange[:]...)
	b = binary.BigEndian.AppendUint32(b, number)
	b = binary.BigEndian.AppendUint32(b, uint32(len(frames)))
	b = binary.BigEndian.AppendUint64(b, uint64(size))
	for _, f := range frames {
		b, _ = f.AppendBinary(b) // the session produced f: its type and size are valid
	}
	b = append(b, ed25519.Sign(key, b)...)
	return b[len(prefix):]
}

// readMessage reads one message file from r and checks, in this order, its
// format, its size against the limits, its length, its signature by sender
// for recipient, and its frames' encoding. It does not check the exchange
// ID or the message number.
func readMessage(r io.Reader, sender, recipient ed25519.PublicKey, maxBytes int64, maxFrames int) (*message, error) {
	prefix := signaturePrefix(sender, recipient)
	var buf bytes.Buffer
	buf.Write(prefix)
	if _, err := io.CopyN(&buf, r, fileHeaderSize); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: %d of %d header bytes", ErrFileTruncated, buf.Len()-len(prefix), fileHeaderSize)
		}
		return nil, fmt.Errorf("reunite: reading message file: %w", err)
	}
	h := buf.Bytes()[len(prefix):]
	if string(h[:4]) != fileMagic {
		return nil, fmt.Errorf("%w: bad magic", ErrFileFormat)
	}
	if h[4] != fileVersion {
		return nil, fmt.Errorf("%w: version %d, this build reads version %d", ErrFileFormat, h[4], fileVersion)
	}
	msg := &message{role: psi.Role(h[5])}
	if msg.role != psi.RoleInitiator && msg.role != psi.RoleResponder {
		return nil, fmt.Errorf("%w: sender role %d", ErrFileFormat, h[5])
	}
	copy(msg.exchange[:], h[6:])
	msg.number = binary.BigEndian.Uint32(h[22:])
	count := binary.BigEndian.Uint32(h[26:])
	length := binary.BigEndian.Uint64(h[30:])
	switch {
	case count == 0:
		return nil, fmt.Errorf("%w: message %d has no frames", ErrFileFormat, msg.number)
	case int64(count) > int64(maxFrames) || length > uint64(maxBytes):
		return nil, fmt.Errorf("%w: message %d declares %d frames in %d bytes, limits are %d and %d", ErrFileTooLarge, msg.number, count, length, maxFrames, maxBytes)
	}
	want := int64(length) + ed25519.SignatureSize
	n, err := io.Copy(&buf, io.LimitReader(r, want+1))
	if err != nil {
		return nil, fmt.Errorf("reunite: reading message file: %w", err)
	}
	switch {
	case n < want:
		return nil, fmt.Errorf("%w: message %d has %d of %d bytes after its header", ErrFileTruncated, msg.number, n, want)
	case n > want:
		return nil, fmt.Errorf("%w: bytes after the signature of message %d", ErrFileFormat, msg.number)
	}
	all := buf.Bytes()
	signed, sig := all[:len(all)-ed25519.SignatureSize], all[len(all)-ed25519.SignatureSize:]
	if !ed25519.Verify(sender, signed, sig) {
		return nil, fmt.Errorf("%w: message %d", ErrFileSignature, msg.number)
	}
	rest := signed[len(prefix)+fileHeaderSize:]
	for i := range int(count) {
		if len(rest) < encoding.HeaderSize {
			return nil, fmt.Errorf("%w: message %d ends inside frame %d", ErrFileFormat, msg.number, i)
		}
		size := encoding.HeaderSize + int64(binary.BigEndian.Uint32(rest[10:14]))
		if int64(len(rest)) < size {
			return nil, fmt.Errorf("%w: message %d ends inside frame %d", ErrFileFormat, msg.number, i)
		}
		f, err := encoding.ParseFrame(rest[:size])
		if err != nil {
			return nil, fmt.Errorf("%w: message %d, frame %d: %w", ErrFileFormat, msg.number, i, err)
		}
		msg.frames = append(msg.frames, f)
		rest = rest[size:]
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: message %d has bytes after its %d frames", ErrFileFormat, msg.number, count)
	}
	return msg, nil
}

// --- State file ---

// exchangeState is the parsed content of a state file.
type exchangeState struct {
	role       psi.Role
	status     uint8
	haveID     bool
	exchange   [ExchangeIDSize]byte
	next       uint32
	ownPub     ed25519.PublicKey
	peerPub    ed25519.PublicKey
	started    time.Time
	outgoing   []byte
	failure    string
	pseudonyms []uint32
	session    []byte
}

// marshal encodes the exchange's state (PROTOCOL.md §Offline exchange).
func (x *FileExchange) marshal() ([]byte, error) {
	status := uint8(statusActive)
	var session []byte
	var pseudonyms []uint32
	failure := ""
	if x.failure != nil {
		status = statusFailed
		failure = x.failure.Error()
		if len(failure) > maxFailureText {
			failure = failure[:maxFailureText]
		}
	} else {
		var err error
		if session, err = x.session.MarshalState(); err != nil {
			return nil, err
		}
		pseudonyms = x.setup.pseudonyms
	}
	b := make([]byte, 0, 128+len(x.outgoing)+len(failure)+4*len(pseudonyms)+len(session))
	b = append(b, exchangeStateMagic...)
	b = append(b, exchangeStateVersion, byte(x.role()), status)
	b = append(b, boolByte(x.haveID))
	b = append(b, x.exchange[:]...)
	b = binary.BigEndian.AppendUint32(b, x.next)
	b = append(b, x.ownPub...)
	b = append(b, x.peerKey...)
	b = binary.BigEndian.AppendUint64(b, uint64(x.setup.res.Audit.Time.UnixNano()))
	b = binary.BigEndian.AppendUint64(b, uint64(len(x.outgoing)))
	b = append(b, x.outgoing...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(failure)))
	b = append(b, failure...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(pseudonyms)))
	for _, p := range pseudonyms {
		b = binary.BigEndian.AppendUint32(b, p)
	}
	b = binary.BigEndian.AppendUint64(b, uint64(len(session)))
	b = append(b, session...)
	sum := sha256.Sum256(b)
	return append(b, sum[:]...), nil
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// stateReader reads big-endian fields, remembering the first shortfall.
type stateReader struct {
	b  []byte
	ok bool
}

func (r *stateReader) bytes(n uint64) []byte {
	if !r.ok || n > uint64(len(r.b)) {
		r.ok = false
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *stateReader) u8() uint8 {
	if v := r.bytes(1); v != nil {
		return v[0]
	}
	return 0
}

func (r *stateReader) u16() uint16 {
	if v := r.bytes(2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (r *stateReader) u32() uint32 {
	if v := r.bytes(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (r *stateReader) u64() uint64 {
	if v := r.bytes(8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// parseExchangeState decodes and checks a state file; it never panics on
// hostile input, and every length is checked against what is left.
func parseExchangeState(data []byte) (*exchangeState, error) {
	bad := func(what string) error {
		return fmt.Errorf("%w: exchange state file: %s", psi.ErrStateCorrupt, what)
	}
	if len(data) < len(exchangeStateMagic)+1+sha256.Size || string(data[:len(exchangeStateMagic)]) != exchangeStateMagic {
		return nil, bad("not a reunite exchange state")
	}
	if v := data[len(exchangeStateMagic)]; v != exchangeStateVersion {
		return nil, bad(fmt.Sprintf("version %d, this build reads version %d", v, exchangeStateVersion))
	}
	body := data[:len(data)-sha256.Size]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], data[len(body):]) {
		return nil, bad("checksum does not match (truncated or altered)")
	}
	r := &stateReader{b: body[len(exchangeStateMagic)+1:], ok: true}
	st := &exchangeState{role: psi.Role(r.u8()), status: r.u8()}
	haveID := r.u8()
	copy(st.exchange[:], r.bytes(ExchangeIDSize))
	st.next = r.u32()
	st.ownPub = ed25519.PublicKey(bytes.Clone(r.bytes(ed25519.PublicKeySize)))
	st.peerPub = ed25519.PublicKey(bytes.Clone(r.bytes(ed25519.PublicKeySize)))
	st.started = time.Unix(0, int64(r.u64())).UTC()
	st.outgoing = bytes.Clone(r.bytes(r.u64()))
	st.failure = string(r.bytes(uint64(r.u16())))
	nPseudonyms := r.u32()
	if uint64(nPseudonyms)*4 > uint64(len(r.b)) {
		return nil, bad("truncated")
	}
	seen := make(map[uint32]struct{}, nPseudonyms)
	for range nPseudonyms {
		p := r.u32()
		if _, dup := seen[p]; dup {
			return nil, bad("pseudonyms repeat")
		}
		seen[p] = struct{}{}
		st.pseudonyms = append(st.pseudonyms, p)
	}
	st.session = r.bytes(r.u64())
	switch {
	case !r.ok:
		return nil, bad("truncated")
	case len(r.b) != 0:
		return nil, bad("trailing bytes")
	case st.role != psi.RoleInitiator && st.role != psi.RoleResponder:
		return nil, bad("role")
	case haveID > 1 || (haveID == 0 && (st.role == psi.RoleInitiator || st.exchange != [ExchangeIDSize]byte{})):
		return nil, bad("exchange ID")
	case st.status == statusActive && (len(st.session) == 0 || len(st.failure) != 0):
		return nil, bad("active exchange without a session")
	case st.status == statusFailed && (len(st.session) != 0 || len(st.pseudonyms) != 0 || len(st.failure) == 0):
		return nil, bad("failed exchange with secrets or without its cause")
	case st.status != statusActive && st.status != statusFailed:
		return nil, bad("status")
	}
	st.haveID = haveID == 1
	return st, nil
}

// writeFileAtomic replaces path with data: it writes a temporary file with
// mode 0600 in the same directory, syncs it, renames it over path and syncs
// the directory, so path holds either the old or the new content, whole.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}
