//go:build solaris || aix

package fsfile

import (
	"errors"
	"os"
	"syscall"
)

// InterProcess reports whether LockFile excludes other processes on this
// system, not only other Lock values of this one.
const InterProcess = true

// tryLock takes a non-blocking exclusive fcntl(2) record lock on the whole
// of f (these systems have no flock(2)). Such a lock belongs to the
// process, not to the open file, and closing any descriptor of the file
// releases it: LockFile's in-process set of held lock files is what keeps
// two Lock values of one process apart and keeps a second descriptor of a
// held lock file from being opened.
func tryLock(f *os.File) (bool, error) {
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: 0, Len: 0}
	for {
		err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.EACCES):
			return false, nil
		}
		return false, &os.PathError{Op: "fcntl", Path: f.Name(), Err: err}
	}
}

func unlock(f *os.File) error {
	lk := syscall.Flock_t{Type: syscall.F_UNLCK, Whence: 0, Start: 0, Len: 0}
	return syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk)
}
