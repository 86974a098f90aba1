//go:build !unix

package fsfile

import (
	"os"
	"sync"
)

// Without flock(2), the lock is only between Lock values of one process:
// a second process sharing the files is not excluded. Windows builds are
// for development only; run agencies on a unix system.
var (
	heldMu sync.Mutex
	held   = map[string]bool{}
)

func tryLock(f *os.File) (bool, error) {
	heldMu.Lock()
	defer heldMu.Unlock()
	if held[f.Name()] {
		return false, nil
	}
	held[f.Name()] = true
	return true, nil
}

func unlock(f *os.File) error {
	heldMu.Lock()
	defer heldMu.Unlock()
	delete(held, f.Name())
	return nil
}
