//go:build unix && !solaris && !aix

package fsfile

import (
	"errors"
	"os"
	"syscall"
)

// InterProcess reports whether LockFile excludes other processes on this
// system, not only other Lock values of this one.
const InterProcess = true

// tryLock takes a non-blocking exclusive flock(2) on f. flock locks belong
// to the open file description, so two Lock values in one process exclude
// each other as two processes do.
func tryLock(f *os.File) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		}
		return false, &os.PathError{Op: "flock", Path: f.Name(), Err: err}
	}
}

func unlock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}
