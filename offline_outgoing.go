package reunite

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/psi"
)

// outgoingMessage is the message file a party owes its peer. It is held
// in memory from when the party produces it until SaveState has written
// it into the state file; from then on it is read back from that file,
// in blocks, whenever it is written, so that a party does not hold a
// whole message file (many MiB for large sets) between turns.
type outgoingMessage struct {
	owed   bool
	number uint32
	sum    [sha256.Size]byte // SHA-256 of the file, to check the state file still holds it
	data   []byte            // the file while no state file holds it; nil after
	path   string            // the state file that holds it, once data is nil
}

// set makes file, message number, the message owed.
func (o *outgoingMessage) set(number uint32, file []byte) {
	*o = outgoingMessage{owed: true, number: number, sum: sha256.Sum256(file), data: file}
}

// savedIn records that the state file at path now holds the message, and
// lets go of the copy in memory.
func (o *outgoingMessage) savedIn(path string) {
	if o.owed {
		o.data, o.path = nil, path
	}
}

// bytes returns the whole file, from memory or from the state file.
func (o *outgoingMessage) bytes() ([]byte, error) {
	if !o.owed || o.data != nil {
		return o.data, nil
	}
	var b bytes.Buffer
	if err := o.writeTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeTo writes the file to w. From the state file, it checks the file's
// SHA-256 in a first pass and copies it in a second, both through one
// open descriptor, so memory holds a block at a time and w gets nothing
// unless the state file still holds the very message.
func (o *outgoingMessage) writeTo(w io.Writer) error {
	if o.data != nil {
		_, err := w.Write(o.data)
		return err
	}
	f, err := os.Open(o.path)
	if err != nil {
		return fmt.Errorf("%w: reading message %d back from the state file: %w", errOutgoingGone, o.number, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	sec, err := encoding.ExchangeStateOutgoing(f, fi.Size())
	if err != nil {
		return fmt.Errorf("%w: reading message %d back from the state file: %w", errOutgoingGone, o.number, err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, sec); err != nil {
		return err
	}
	if !bytes.Equal(h.Sum(nil), o.sum[:]) {
		return fmt.Errorf("%w: the state file no longer holds message %d", errOutgoingGone, o.number)
	}
	if _, err := sec.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err = io.Copy(w, sec)
	return err
}

// errOutgoingGone reports a state file that no longer holds the message
// it was saved with: replaced, changed or removed since.
var errOutgoingGone = fmt.Errorf("%w: the state file saved last was replaced or removed", psi.ErrStateMismatch)
