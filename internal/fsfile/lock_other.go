//go:build !unix || solaris || aix

package fsfile

import (
	"os"
	"sync"
)

// Without flock(2) (Windows, Solaris, AIX), the lock is only between Lock
// values of one process: a second process sharing the files is not
// excluded. Run an agency that serves and queries at once from one key
// directory on Linux, macOS or a BSD.
// InterProcess reports whether LockFile excludes other processes on this
// system, not only other Lock values of this one.
const InterProcess = false

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
