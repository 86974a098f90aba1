package reunite

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/internal/fsfile"
)

// ErrSeenExchanges reports a seen-exchanges file that is missing, damaged
// or full. A missing file is not taken for an empty one: that would let a
// deleted file reopen every exchange to replay.
var ErrSeenExchanges = errors.New("reunite: seen-exchanges file is missing or damaged")

// seenLockWait bounds how long a responder waits for another process
// reading a first message; one takes milliseconds.
const seenLockWait = 10 * time.Second

// CreateSeenExchanges creates an empty seen-exchanges file at path, with
// mode 0600, for FileExchangeConfig.SeenExchanges. It fails, changing
// nothing, if path exists.
func CreateSeenExchanges(path string) error {
	data, err := new(encoding.SeenExchanges).AppendBinary(nil)
	if err != nil {
		return err
	}
	if err := fsfile.CreateFile(path, data, 0o600); err != nil {
		return fmt.Errorf("reunite: creating the seen-exchanges file: %w", err)
	}
	return nil
}

// seenExchanges is a seen-exchanges file read under its lock, which it
// holds until unlock.
type seenExchanges struct {
	path string
	lock *fsfile.Lock
	set  encoding.SeenExchanges
}

// lockSeenExchanges takes the lock of the seen-exchanges file at path and
// reads it.
func lockSeenExchanges(path string) (*seenExchanges, error) {
	lock, err := fsfile.LockFile(path+".lock", seenLockWait)
	if err != nil {
		return nil, fmt.Errorf("reunite: locking the seen-exchanges file: %w", err)
	}
	s := &seenExchanges{path: path, lock: lock}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		err = fmt.Errorf("%w: %w (create it once with CreateSeenExchanges)", ErrSeenExchanges, err)
	} else if err == nil {
		if perr := s.set.UnmarshalBinary(data); perr != nil {
			err = fmt.Errorf("%w: %w", ErrSeenExchanges, perr)
		}
	}
	if err != nil {
		s.unlock()
		return nil, err
	}
	return s, nil
}

// add records id, whose first message was written at sent (Unix
// seconds), drops the entries whose first messages have expired, and
// writes the file.
func (s *seenExchanges) add(id [ExchangeIDSize]byte, sent uint64) error {
	s.set.DropBefore(uint64(max(0, timeNow().Add(-FirstMessageValidity).Unix())))
	if err := s.set.Add(id, sent); err != nil {
		return fmt.Errorf("%w: %w", ErrSeenExchanges, err)
	}
	data, err := s.set.AppendBinary(nil)
	if err == nil {
		err = fsfile.WriteFile(s.path, data, 0o600)
	}
	if err != nil {
		return fmt.Errorf("reunite: recording the exchange as seen: %w", err)
	}
	return nil
}

func (s *seenExchanges) unlock() { _ = s.lock.Unlock() }
