package reunite

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/hpke"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/internal/fsfile"
	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
)

// Errors of the offline exchange. Each is wrapped with context (the message
// number, the check that failed), never with record values or secrets.
var (
	// ErrFileFormat reports bytes that are not a reunite message file of a
	// version this build reads, or a file whose frames do not hold exactly
	// one turn of the protocol.
	ErrFileFormat = errors.New("reunite: not a valid message file")
	// ErrFileTruncated reports a message file shorter than its header says.
	ErrFileTruncated = errors.New("reunite: message file is truncated")
	// ErrFileTooLarge reports a message file that declares more bytes than
	// its message number can hold under MatchConfig.MaxKeys. It is
	// reported once the first chunk told the message number, before the
	// rest is read.
	ErrFileTooLarge = errors.New("reunite: message file exceeds the size limits")
	// ErrFileExpired reports a first message (message 0) written more
	// than FirstMessageValidity before it is read, or dated more than
	// MaxClockSkew ahead of the reader's clock.
	ErrFileExpired = errors.New("reunite: first message file is outside its validity window")
	// ErrFileDecrypt reports a message file that does not decrypt with
	// this agency's decryption key: it was encrypted for another
	// recipient, under other pinned keys, or altered.
	ErrFileDecrypt = errors.New("reunite: message file does not decrypt for this agency")
	// ErrFileSignature reports a message file that decrypts but whose
	// signature does not verify under the peer's pinned signing key: someone other
	// than the peer wrote it.
	ErrFileSignature = errors.New("reunite: message file signature is not the pinned peer's")
	// ErrFileExchange reports a file the peer wrote for another exchange.
	ErrFileExchange = errors.New("reunite: message file belongs to another exchange")
	// ErrFileReplay reports a file this party has already read.
	ErrFileReplay = errors.New("reunite: message file was already read (replayed)")
	// ErrExchangeReplayed reports a first message (message 0) of an
	// exchange this agency has already answered, found in its
	// seen-exchanges file. The error also matches ErrFileReplay.
	ErrExchangeReplayed = errors.New("reunite: the exchange was already answered (message 0 replayed)")
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
const ExchangeIDSize = encoding.ExchangeIDSize

// MaxFileExchangeKeys is the largest MatchConfig.MaxKeys, and the largest
// key set either party may bring, in a file exchange: the message a party
// writes is held in memory whole (and kept in its state file until the
// next turn), and the largest turn for sets of this size (about 2 GiB) is
// what its padding can cover. Reading a message holds one 64 KiB chunk
// and one frame at a time.
const MaxFileExchangeKeys = 1 << 24

// FirstMessageValidity is how long a first message (message 0) may be
// read after it was written: a responder refuses an older one
// (ErrFileExpired). It is also how long the seen-exchanges file keeps an
// exchange's ID, counted from the time its first message carries: once
// that first message has expired, its ID is no longer needed to refuse
// it, so the file holds only the exchanges of the last 30 days.
const FirstMessageValidity = 30 * 24 * time.Hour

// MaxClockSkew is how far ahead of the reader's clock a first message may
// be dated; a later date is refused (ErrFileExpired), so that no entry
// stays in the seen-exchanges file longer than FirstMessageValidity plus
// MaxClockSkew.
const MaxClockSkew = 24 * time.Hour

// timeNow is the clock of the offline exchange; tests replace it.
var timeNow = time.Now

// Status values of a saved exchange.
const (
	statusActive = 1
	statusFailed = 2
)

// FileExchangeConfig configures one party's side of an offline exchange.
type FileExchangeConfig struct {
	// MatchConfig is as for Match; Role is required, and both parties'
	// Rules, Mode and so on must agree as they must for Match.
	// ChannelBinding must be empty: the exchange binds the session to the
	// two agencies' keys itself. Admit and Progress are used as in Match;
	// being functions, they are not saved with the state, so pass them
	// again to OpenFileExchange. Peer, if empty, is the fingerprint of
	// PeerSigningKey (SigningKeyFingerprint).
	//
	// Budget, if set, is charged as in Match, always under the
	// fingerprint of PeerSigningKey whatever Peer says, in the turn that
	// reads the peer's handshake (message 0 for the responder, message 1
	// for the initiator), before any of the peer's elements is evaluated:
	// a peer past its budget is refused and the exchange fails, with the
	// refusal as the alert this party writes next. The state file keeps
	// what was charged, so the Result of the last turn, in whichever
	// process, reports it in Audit.Charged.
	//
	// The handshake's message file is read to its end before the charge,
	// so a file that whoever carries it cut short, altered or lengthened
	// charges nothing. One that the peer signed and that breaks the
	// protocol after its handshake (more than its turn), or whose
	// exchange could not be recorded in the seen-exchanges file, is
	// refused after the charge, which the budget keeps. The FileExchange
	// keeps it too, and so does its state if saved then: the handshake it
	// reads next (the intact file, or for a responder another exchange's
	// first message) costs only what it declares beyond what was charged,
	// whenever it comes. A turn that starts again from a state saved
	// before the charge (a process that stopped before SaveState, or did
	// not save after a refusal) is charged again in full; and a responder
	// that read message 0, recording it as seen, and stopped before
	// SaveState can no longer answer that exchange (ErrExchangeReplayed):
	// the peer pays again for a new one.
	//
	// A responder is charged when it reads message 0 and evaluates the
	// peer's elements when it reads message 2, which the peer may send
	// later: a peer can open exchanges in several windows and send their
	// second messages in one, though never more elements in all than it
	// was charged for. Choose a window longer than an exchange takes.
	// Only the turn that reads the peer's handshake uses Budget, and an
	// agency that also runs MatchTLS with the same peer charges it there
	// under its certificate's fingerprint: two budgets, in one file or
	// two.
	MatchConfig
	// SigningKey is this agency's Ed25519 private key. It signs every
	// message file this party writes.
	SigningKey ed25519.PrivateKey
	// PeerSigningKey is the peer agency's Ed25519 public key, pinned: obtained out
	// of band and checked (for example by comparing its fingerprint over
	// the telephone) before the first exchange. Only files it signed are
	// read.
	PeerSigningKey ed25519.PublicKey
	// DecryptionKey is this agency's X25519 private key. Message files
	// for this agency are encrypted to its public key, which the peer
	// pins as its PeerEncryptionKey.
	DecryptionKey *ecdh.PrivateKey
	// PeerEncryptionKey is the peer agency's X25519 public key, pinned
	// like PeerSigningKey. Every message file this party writes is encrypted to
	// it (HPKE, RFC 9180), so that whoever carries the file learns nothing
	// from it but its size.
	PeerEncryptionKey *ecdh.PublicKey
	// SeenExchanges is the path of this agency's seen-exchanges file,
	// which a responder needs: the IDs of the exchanges whose first
	// message it has answered, so that a first message replayed later is
	// refused (ErrExchangeReplayed). Create it once with
	// CreateSeenExchanges; a missing file is an error, not a fresh start.
	// Several processes of one agency may share it. An exchange's ID is
	// kept as long as its first message is valid (FirstMessageValidity
	// from the time the message carries), so the file holds the exchanges
	// of about a month. The initiator does not use it.
	SeenExchanges string
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
// Each file is encrypted to the recipient's pinned X25519 key (HPKE) in
// chunks of 64 KiB, each signed with the sender's Ed25519 key, with both
// agencies' keys bound into the signatures and the encryption. Whoever
// carries a file sees its size and nothing else: not its message number,
// the exchange, the agencies, the rule set, the set sizes inside the
// messages, or how many records matched (the message that would show it
// is padded). ReadMessage reads a file a chunk at a time, and every chunk
// is decrypted and its signature checked against the pinned peer signing key
// before any of it is used; the first chunk tells the message number and
// the exchange ID, which are checked (and the file's length against what
// that number may hold) before the rest is read. A replayed, reordered,
// truncated, altered, foreign or misaddressed file is refused and changes
// nothing (but see FileExchangeConfig's Budget for a file the peer signed
// that breaks the protocol): the right file can still be read afterwards.
//
// The state file holds secrets (this party's PSI scalar, the records'
// pseudonyms): see SaveState. A FileExchange is not safe for concurrent use.
type FileExchange struct {
	setup     *matchSetup
	session   *psi.Session
	signKey   ed25519.PrivateKey
	decKey    hpke.PrivateKey
	own, peer encoding.OfflineIdentity
	peerEnc   hpke.PublicKey
	seenPath  string
	exchange  [ExchangeIDSize]byte
	haveID    bool            // false only for a responder before message 0
	next      uint32          // number of the next message to read
	out       outgoingMessage // the last message file this party produced, if one is owed
	saved     bool            // out is in the last state saved
	declared  declaredSize    // the peer's set size, as its handshake declared it
	failure   error           // why the exchange failed, if it did
	result    *MatchResult
}

// StartFileExchange begins a new offline exchange for records under cfg.
// The initiator chooses the exchange ID and produces message 0 at once;
// the responder waits for it. Save the state (SaveState) before writing the
// first message.
func StartFileExchange(records []match.Record, cfg FileExchangeConfig) (*FileExchange, error) {
	if err := checkRecords(records); err != nil {
		return nil, err
	}
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
	if n := len(x.setup.set.Elements); n > MaxFileExchangeKeys {
		return nil, fmt.Errorf("%w: %d keys, a file exchange takes at most %d", ErrMatchConfig, n, MaxFileExchangeKeys)
	}
	if x.session, err = psi.NewSession(x.setup.pcfg, x.setup.set); err != nil {
		return nil, err
	}
	if cfg.Role == psi.RoleInitiator {
		if err := x.produce(0); err != nil {
			return nil, err
		}
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
	case len(cfg.PeerSigningKey) != ed25519.PublicKeySize:
		return nil, fmt.Errorf("%w: peer signing key must be an Ed25519 public key", ErrMatchConfig)
	case cfg.DecryptionKey == nil || cfg.DecryptionKey.Curve() != ecdh.X25519():
		return nil, fmt.Errorf("%w: decryption key must be an X25519 private key", ErrMatchConfig)
	case cfg.PeerEncryptionKey == nil || cfg.PeerEncryptionKey.Curve() != ecdh.X25519():
		return nil, fmt.Errorf("%w: peer encryption key must be an X25519 public key", ErrMatchConfig)
	case len(cfg.ChannelBinding) != 0:
		return nil, fmt.Errorf("%w: a file exchange sets its own channel binding", ErrMatchConfig)
	case cfg.Role != psi.RoleInitiator && cfg.Role != psi.RoleResponder:
		return nil, fmt.Errorf("%w: role must be initiator or responder", ErrMatchConfig)
	case cfg.Role == psi.RoleResponder && cfg.SeenExchanges == "":
		return nil, fmt.Errorf("%w: a responder needs its seen-exchanges file", ErrMatchConfig)
	case cfg.MaxKeys > MaxFileExchangeKeys:
		return nil, fmt.Errorf("%w: MaxKeys above %d in a file exchange", ErrMatchConfig, MaxFileExchangeKeys)
	}
	x := &FileExchange{
		signKey:  bytes.Clone(cfg.SigningKey),
		seenPath: cfg.SeenExchanges,
		own: encoding.OfflineIdentity{
			Sign: [encoding.OfflineKeySize]byte(cfg.SigningKey.Public().(ed25519.PublicKey)),
			Enc:  [encoding.OfflineKeySize]byte(cfg.DecryptionKey.PublicKey().Bytes()),
		},
		peer: encoding.OfflineIdentity{
			Sign: [encoding.OfflineKeySize]byte(cfg.PeerSigningKey),
			Enc:  [encoding.OfflineKeySize]byte(cfg.PeerEncryptionKey.Bytes()),
		},
	}
	switch {
	case x.own.Sign == x.peer.Sign:
		return nil, fmt.Errorf("%w: the peer signing key is this party's own key", ErrMatchConfig)
	case x.own.Enc == x.peer.Enc:
		return nil, fmt.Errorf("%w: the peer encryption key is this party's own key", ErrMatchConfig)
	}
	var err error
	if x.decKey, err = hpke.NewDHKEMPrivateKey(cfg.DecryptionKey); err != nil {
		return nil, fmt.Errorf("%w: decryption key: %w", ErrMatchConfig, err)
	}
	if x.peerEnc, err = hpke.NewDHKEMPublicKey(cfg.PeerEncryptionKey); err != nil {
		return nil, fmt.Errorf("%w: peer encryption key: %w", ErrMatchConfig, err)
	}
	return x, nil
}

// matchConfig is cfg's MatchConfig with the channel binding of the two
// agencies' keys, so the PSI session ID (and the audit record's) commits
// to both identities, and with an admission check that records the peer's
// declared set size for padding and the audit record and charges the
// budget, if any, under the pinned peer signing key's fingerprint.
func (x *FileExchange) matchConfig(cfg FileExchangeConfig) MatchConfig {
	ini, resp := x.own, x.peer
	if cfg.Role == psi.RoleResponder {
		ini, resp = resp, ini
	}
	mc := cfg.MatchConfig
	peer := SigningKeyFingerprint(cfg.PeerSigningKey)
	if mc.Peer == "" {
		mc.Peer = peer
	}
	mc.ChannelBinding = encoding.OfflineChannelBinding(ini, resp)
	mc.Admit = x.declared.wrap(cfg.Admit, cfg.Budget, peer)
	mc.Budget = nil // charged by the admission check above, here and not in a session of Match
	return mc
}

// SigningKeyFingerprint returns the hex SHA-256 of an Ed25519 public key,
// the name under which a FileExchange charges the peer's budget and, unless
// FileExchangeConfig.Peer says otherwise, names the peer in the audit
// record. Pass it to BudgetStore.Used to see a file-exchange peer's usage.
func SigningKeyFingerprint(pub ed25519.PublicKey) string {
	return fingerprint(pub)
}

func (x *FileExchange) role() psi.Role     { return x.setup.role }
func (x *FileExchange) peerRole() psi.Role { return x.setup.role.Peer() }

// produce collects every frame the session has to send in this turn and
// seals them into the message file numbered number. A session that has
// nothing to send leaves no message owed.
func (x *FileExchange) produce(number uint32) error {
	var frames []encoding.Frame
	for x.session.Turn() == psi.TurnSend {
		f, err := x.session.Send()
		if err != nil {
			continue // the session now holds the error, and may owe an alert
		}
		frames = append(frames, f)
	}
	x.out, x.saved = outgoingMessage{}, false
	if len(frames) == 0 {
		return nil
	}
	m := &encoding.OfflineMessage{
		Number: number, Exchange: x.exchange, Time: uint64(max(0, timeNow().Unix())),
		Frames: frames, Padding: x.padding(number, frames),
	}
	out, err := sealMessage(x.signKey, x.own, x.peer, x.peerEnc, m)
	if err != nil {
		return err
	}
	x.out.set(number, out)
	return nil
}

// setSizes returns the initiator's and the responder's set sizes as far
// as this party knows them: its own exactly, the peer's as declared (0
// before the handshake).
func (x *FileExchange) setSizes() (m, n int) {
	own, peer := len(x.setup.set.Elements), 0
	if x.declared.seen {
		peer = x.declared.n
	}
	if x.role() == psi.RoleResponder {
		return peer, own
	}
	return own, peer
}

// padding returns how many zero bytes bring the frames of message number
// to the size of that message's largest legitimate form for the two set
// sizes (turnSize), so that the file's size shows neither how many records
// matched nor whether the turn is an alert.
func (x *FileExchange) padding(number uint32, frames []encoding.Frame) uint32 {
	size := int64(0)
	for _, f := range frames {
		size += int64(f.Size())
	}
	m, n := x.setSizes()
	return uint32(max(0, turnSize(number, m, n, x.setup.pcfg)-size))
}

// maxFileSize is the largest message file of the given number: its turn
// in the largest form for this party's own set size and the peer's, as
// the peer declared it in the handshake or, before, the cap this party
// puts on it. After the handshake that is the exact size of the file the
// peer writes.
func (x *FileExchange) maxFileSize(number uint32) uint64 {
	peer := x.setup.pcfg.MaxSetSize
	if peer <= 0 {
		peer = psi.DefaultMaxSetSize
	}
	if x.declared.seen {
		peer = min(peer, x.declared.n)
	}
	m, n := len(x.setup.set.Elements), peer
	if x.role() == psi.RoleResponder {
		m, n = n, m
	}
	return fileSize(turnSize(number, m, n, x.setup.pcfg))
}

// Outgoing reports whether this party owes the peer a message and, if so,
// the number of the message file WriteMessage writes.
func (x *FileExchange) Outgoing() (number uint32, ok bool) {
	if !x.out.owed {
		return 0, false
	}
	return x.out.number, true
}

// ExchangeID returns the exchange's ID: random, chosen by the initiator,
// carried inside every message file. A responder learns it from message 0;
// before that it is all zeros. It is not secret, but it is not written in
// the clear either: name files with it only where their names stay
// private.
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
// The file is read back, a block at a time, from the state file that
// SaveState last wrote (or OpenFileExchange read), which must still be in
// place: one replaced or removed since is refused with an error matching
// psi.ErrStateMismatch, and nothing is written.
//
// The state must have been saved since the message was produced
// (ErrStateUnsaved otherwise): a party that answered a message and then lost
// its state would answer again with the same secrets, which a dishonest
// peer could exploit to test more guesses than the session allows.
func (x *FileExchange) WriteMessage(w io.Writer) error {
	if !x.out.owed {
		return ErrNothingToWrite
	}
	if !x.saved {
		return fmt.Errorf("%w (message %d)", ErrStateUnsaved, x.out.number)
	}
	if err := x.out.writeTo(w); err != nil {
		return fmt.Errorf("reunite: writing message %d: %w", x.out.number, err)
	}
	return nil
}

// ReadMessage decrypts and verifies the peer's next message file and feeds
// its frames to the session; this party's answer, if it owes one, is then
// ready for SaveState and WriteMessage. The file is read a chunk at a time
// and each chunk is verified before it is used, so memory holds one chunk
// and one frame of it however large the file (the peer's handshake, a
// file smaller than a chunk, is read whole before it is used).
//
// The file is refused, with the session left exactly as it was, if it is
// truncated or has bytes after its end (ErrFileTruncated, ErrFileFormat),
// if a chunk does not decrypt with this agency's key under the pinned keys
// (ErrFileDecrypt) or is not signed by the pinned peer (ErrFileSignature),
// if it belongs to another exchange (ErrFileExchange), is not the next one
// expected (ErrFileReplay for an old one, ErrExchangeReplayed for the
// first message of an exchange this agency has answered before,
// ErrFileOrder for any other), is a first message outside its validity
// window (ErrFileExpired), declares more bytes than its message number can
// hold (ErrFileTooLarge, known from the first chunk, before the rest is
// read), or is malformed or does not hold exactly one turn of the protocol
// (ErrFileFormat); one that holds the peer's handshake and more than its
// turn, or whose exchange cannot be recorded as seen, leaves a budget
// charge it made (see the Budget field of FileExchangeConfig). A file
// that passes these checks but breaks the protocol ends the exchange:
// ReadMessage returns an error matching ErrExchangeFailed and the psi
// error, and once the state is saved WriteMessage writes the alert that
// tells the peer why (unless the file was the peer's own alert).
func (x *FileExchange) ReadMessage(r io.Reader) error {
	if x.failure != nil {
		return fmt.Errorf("%w: %w", ErrExchangeFailed, x.failure)
	}
	stream, header, err := openFile(r, x.decKey, x.peer, x.own)
	if err != nil {
		return err
	}
	mr := encoding.NewOfflineMessageReader(stream)
	msg, err := mr.Header()
	if err != nil {
		return streamError(err)
	}
	number, sender := msg.Number, senderRole(msg.Number)
	switch {
	case sender != x.peerRole():
		return fmt.Errorf("%w: message %d is the %v's, not the peer's", ErrFileOrder, number, sender)
	case x.haveID && msg.Exchange != x.exchange:
		return fmt.Errorf("%w: message %d", ErrFileExchange, number)
	case number < x.next:
		return fmt.Errorf("%w: message %d, expected message %d", ErrFileReplay, number, x.next)
	case number > x.next:
		return fmt.Errorf("%w: message %d, expected message %d", ErrFileOrder, number, x.next)
	case x.session.Turn() != psi.TurnReceive:
		return fmt.Errorf("%w: message %d, but the exchange is over", ErrFileOrder, number)
	}
	if size, limit := encoding.OfflineHeaderSize+header.Length, x.maxFileSize(number); size > limit {
		return fmt.Errorf("%w: message %d declares %d bytes, it may hold at most %d", ErrFileTooLarge, number, size, limit)
	}
	var seen *seenExchanges
	if !x.haveID {
		if err := checkFirstMessageTime(msg.Time); err != nil {
			return err
		}
		if seen, err = lockSeenExchanges(x.seenPath); err != nil {
			return err
		}
		defer seen.unlock()
		if seen.set.Contains(msg.Exchange) {
			return fmt.Errorf("%w: %w", ErrFileReplay, ErrExchangeReplayed)
		}
	}

	next, finished := mr.Next, false
	if !x.declared.seen {
		// The message holds the peer's handshake, which the admission
		// check may charge to a budget: read it to its end before the
		// session sees a frame of it, so that a file refused for what
		// follows its frames (bytes appended, which whoever carries it
		// can add) charges nothing. It is small: a handshake turn, at
		// most maxFileSize(number).
		frames, err := readFrames(mr)
		if err != nil {
			return streamError(err)
		}
		next, finished = func() (encoding.Frame, error) {
			if len(frames) == 0 {
				return encoding.Frame{}, io.EOF
			}
			f := frames[0]
			frames = frames[1:]
			return f, nil
		}, true
	}

	before, err := x.session.MarshalState()
	if err != nil {
		return err
	}
	declared := x.declared
	restore := func(err error) error {
		// The budget keeps what was reserved for this file's handshake,
		// and so does the exchange (declaredSize.wrap).
		charged := x.declared.charged
		x.declared = declared
		x.declared.charged = charged
		return x.restore(before, err)
	}
	var failed error
	for i := uint32(0); ; i++ {
		f, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return restore(streamError(err))
		}
		if x.session.Turn() != psi.TurnReceive {
			return restore(fmt.Errorf("%w: message %d has %d frames after the end of the %v's turn", ErrFileFormat, number, msg.Frames-i, sender))
		}
		if failed = x.session.Receive(f); failed != nil {
			break
		}
	}
	if failed == nil {
		if x.session.Turn() == psi.TurnReceive {
			return restore(fmt.Errorf("%w: message %d ends before the %v's turn does", ErrFileFormat, number, sender))
		}
		if !finished {
			if _, err := mr.Finish(); err != nil {
				return restore(streamError(err))
			}
		}
	}
	if seen != nil {
		if err := seen.add(msg.Exchange, msg.Time); err != nil {
			return restore(err)
		}
	}

	if !x.haveID {
		x.exchange, x.haveID = msg.Exchange, true
	}
	if err := x.produce(number + 1); err != nil {
		failed = errors.Join(failed, err)
	}
	x.next = number + 1
	if x.out.owed {
		x.next++
	}
	if failed != nil {
		x.failure = failed
		return fmt.Errorf("%w: message %d: %w", ErrExchangeFailed, number, failed)
	}
	return nil
}

// readFrames reads the rest of mr, every frame and the end, and returns
// the frames.
func readFrames(mr *encoding.OfflineMessageReader) ([]encoding.Frame, error) {
	var frames []encoding.Frame
	for {
		f, err := mr.Next()
		if err == io.EOF {
			_, err = mr.Finish()
			return frames, err
		}
		if err != nil {
			return nil, err
		}
		frames = append(frames, f)
	}
}

// checkFirstMessageTime checks that a first message written at sent (Unix
// seconds) is within its validity window.
func checkFirstMessageTime(sent uint64) error {
	now := timeNow()
	switch t := time.Unix(int64(min(sent, 1<<62)), 0); {
	case t.Before(now.Add(-FirstMessageValidity)):
		return fmt.Errorf("%w: written %v ago, valid for %v", ErrFileExpired, now.Sub(t).Round(time.Hour), FirstMessageValidity)
	case t.After(now.Add(MaxClockSkew)):
		return fmt.Errorf("%w: dated %v ahead of this clock, at most %v allowed", ErrFileExpired, t.Sub(now).Round(time.Hour), MaxClockSkew)
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
		x.declared.fill(&x.setup.res.Audit)
		return x.setup.failSession(x.session, fmt.Errorf("%w: %w", ErrExchangeFailed, x.failure))
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
	x.declared.fill(&res.Audit)
	if err != nil {
		x.failure = err
		return res, fmt.Errorf("%w: %w", ErrExchangeFailed, err)
	}
	x.result = res
	return res, nil
}

// SaveState writes the exchange's state to path, atomically (a temporary
// file in the same directory, synced, then renamed over path) and with
// mode 0600, and marks the current message as safe to write. The state
// holds the message file this party owes, which the FileExchange then no
// longer keeps in memory: WriteMessage reads it back from path.
//
// THE STATE FILE IS SECRET. It holds this party's PSI secret scalar (until
// the session no longer needs it), the values derived from it, and the
// per-session pseudonyms of its records; with the message files (which
// this party could decrypt had it kept them), it reveals which keys this
// agency holds. Keep it like the agency's private keys: on an encrypted
// volume, readable only by the service account, never in mail, logs or
// backups that outlive the exchange; delete it when the exchange is over
// and its result recorded.
//
// Always continue from the newest state file, and never restore an older
// copy: an older state would answer a message it already answered, with the
// same secrets (see WriteMessage). A failed exchange is saved as failed, so
// it cannot be resumed; only its alert message can still be written.
func (x *FileExchange) SaveState(path string) error {
	st, err := x.exchangeState()
	if err != nil {
		return err
	}
	if st.Outgoing, err = x.out.bytes(); err != nil {
		return fmt.Errorf("reunite: saving the exchange state: %w", err)
	}
	data, err := st.AppendBinary(nil)
	if err != nil {
		return err
	}
	if err := fsfile.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("reunite: saving the exchange state: %w", err)
	}
	x.saved = true
	x.out.savedIn(path)
	return nil
}

// exchangeState is what SaveState writes (PROTOCOL.md §Offline exchange).
func (x *FileExchange) exchangeState() (*encoding.ExchangeState, error) {
	st := &encoding.ExchangeState{
		Role: uint8(x.role()), Status: statusActive, HaveID: x.haveID, Exchange: x.exchange, Next: x.next,
		OwnSigningKey: x.own.Sign, PeerSigningKey: x.peer.Sign,
		OwnEncryptionKey: x.own.Enc, PeerEncryptionKey: x.peer.Enc,
		Started:       x.setup.res.Audit.Time.UnixNano(),
		PeerSizeKnown: x.declared.seen, PeerSize: uint32(x.declared.n), Charged: uint32(x.declared.charged),
	}
	if x.failure != nil {
		st.Status, st.Failure = statusFailed, failureText(x.failure)
		return st, nil
	}
	var err error
	if st.Session, err = x.session.MarshalState(); err != nil {
		return nil, err
	}
	st.Pseudonyms = x.setup.party.Pseudonyms()
	return st, nil
}

// failureText is err's text as a state file keeps it: at most
// encoding.MaxFailureSize bytes, cut at a character boundary, since it is
// shown to operators.
func failureText(err error) string {
	s := err.Error()
	if len(s) > encoding.MaxFailureSize {
		s = strings.ToValidUTF8(s[:encoding.MaxFailureSize], "")
	}
	return s
}

// OpenFileExchange continues an exchange from the state file at path.
// records and cfg must be the ones the exchange was started with (cfg's
// Threshold, Peer, Admit, Budget, Progress and SeenExchanges may differ;
// Budget matters only in the turn that reads the peer's handshake): other
// records, rules, mode, cap, role or keys are refused with an error
// matching psi.ErrStateMismatch, and a damaged state file with one
// matching psi.ErrStateCorrupt.
func OpenFileExchange(path string, records []match.Record, cfg FileExchangeConfig) (*FileExchange, error) {
	if err := checkRecords(records); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reunite: reading the exchange state: %w", err)
	}
	x, err := newFileExchange(cfg)
	if err != nil {
		return nil, err
	}
	var st encoding.ExchangeState
	if err := st.UnmarshalBinary(data); err != nil {
		return nil, fmt.Errorf("%w: exchange state file: %w", psi.ErrStateCorrupt, err)
	}
	if err := checkExchangeState(&st); err != nil {
		return nil, err
	}
	switch {
	case psi.Role(st.Role) != cfg.Role:
		return nil, fmt.Errorf("%w: the state file is the %v's", psi.ErrStateMismatch, psi.Role(st.Role))
	case x.own.Sign != st.OwnSigningKey || x.own.Enc != st.OwnEncryptionKey:
		return nil, fmt.Errorf("%w: the state file was made with other keys of this agency", psi.ErrStateMismatch)
	case x.peer.Sign != st.PeerSigningKey || x.peer.Enc != st.PeerEncryptionKey:
		return nil, fmt.Errorf("%w: the state file was made for other peer keys", psi.ErrStateMismatch)
	case st.Status == statusActive && len(st.Pseudonyms) != len(records):
		return nil, fmt.Errorf("%w: the state file has %d records, %d given", psi.ErrStateMismatch, len(st.Pseudonyms), len(records))
	}
	x.exchange, x.haveID, x.next = st.Exchange, st.HaveID, st.Next
	x.declared = declaredSize{n: int(st.PeerSize), seen: st.PeerSizeKnown, charged: int(st.Charged)}
	var pseudonyms []uint32
	if st.Status == statusActive {
		pseudonyms = st.Pseudonyms
	}
	if x.setup, err = newMatchSetup(records, x.matchConfig(cfg), pseudonyms); err != nil {
		return nil, err
	}
	x.setup.res.Audit.Time = time.Unix(0, st.Started).UTC()
	if st.Status == statusFailed {
		x.failure = errors.New(st.Failure) // x.session stays nil: every method checks x.failure first
	} else if x.session, err = x.resume(st.Session); err != nil {
		return nil, fmt.Errorf("reunite: exchange state: %w", err)
	}
	if len(st.Outgoing) > 0 {
		// The saved message is this party's own, the one just before the
		// next expected. It is encrypted to the peer, so its layout is all
		// this party can check.
		_, err := encoding.ParseOfflineFile(st.Outgoing)
		if err != nil || x.next == 0 || senderRole(x.next-1) != cfg.Role || !x.haveID {
			return nil, fmt.Errorf("%w: saved message file", psi.ErrStateCorrupt)
		}
		x.out.set(x.next-1, st.Outgoing)
		x.out.savedIn(path)
	}
	x.saved = true
	return x, nil
}

// checkExchangeState checks what the fields of a decoded state file mean
// together.
func checkExchangeState(st *encoding.ExchangeState) error {
	bad := func(what string) error {
		return fmt.Errorf("%w: exchange state file: %s", psi.ErrStateCorrupt, what)
	}
	role := psi.Role(st.Role)
	switch {
	case role != psi.RoleInitiator && role != psi.RoleResponder:
		return bad("role")
	case !st.HaveID && (role == psi.RoleInitiator || st.Exchange != [ExchangeIDSize]byte{}):
		return bad("exchange ID")
	case st.Status == statusActive && (len(st.Session) == 0 || len(st.Failure) != 0):
		return bad("active exchange without a session")
	case st.Status == statusFailed && (len(st.Session) != 0 || len(st.Pseudonyms) != 0 || len(st.Failure) == 0):
		return bad("failed exchange with secrets or without its cause")
	case st.Status != statusActive && st.Status != statusFailed:
		return bad("status")
	case !st.PeerSizeKnown && st.PeerSize != 0:
		return bad("peer size")
	case int64(st.Charged) > int64(SessionCharge(MaxFileExchangeKeys)):
		// A peer declares at most MaxFileExchangeKeys, and the exchange
		// charges at most the charge of the largest size declared to it.
		return bad("budget charge")
	}
	return nil
}
