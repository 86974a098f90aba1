//go:build windows

package fsfile

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// InterProcess reports whether LockFile excludes other processes on this
// system, not only other Lock values of this one.
const InterProcess = true

// lockOffset is where the locked byte lies: far past the PID LockFile
// writes at the start, since Windows locks are mandatory and would stop
// another process from reading it.
const lockOffsetHigh = 0x7fffffff

// tryLock takes a non-blocking exclusive LockFileEx lock on one byte of
// f. Windows locks belong to the file handle, so two Lock values in one
// process exclude each other as two processes do.
func tryLock(f *os.File) (bool, error) {
	ol := windows.Overlapped{OffsetHigh: lockOffsetHigh}
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ol)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, windows.ERROR_LOCK_VIOLATION), errors.Is(err, windows.ERROR_IO_PENDING):
		return false, nil
	}
	return false, &os.PathError{Op: "LockFileEx", Path: f.Name(), Err: err}
}

func unlock(f *os.File) error {
	ol := windows.Overlapped{OffsetHigh: lockOffsetHigh}
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, &ol)
}
