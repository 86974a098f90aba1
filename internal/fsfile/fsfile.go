// Package fsfile holds the two file primitives the agency layer's stores
// share: an atomic file writer (temporary file, fsync, rename, directory
// fsync) and an exclusive inter-process lock on a side file.
//
// The audit log and the budget store both use them, so that two processes
// of one agency (one serving, one querying) can share their files safely:
// each change takes the lock, re-reads the file, writes, and releases it.
package fsfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrLocked reports a lock that another process kept held for longer than
// the caller was willing to wait.
var ErrLocked = errors.New("fsfile: file is locked by another process")

// WriteFile atomically replaces the file at path with data: it writes a
// temporary file in the same directory with mode perm, syncs it, renames it
// over path and syncs the directory. A reader sees either the old or the
// new contents, never a mixture, even after a crash.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	tmp, err := writeTemp(path, data, perm)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// CreateFile atomically creates the file at path with data and mode perm,
// as WriteFile does, but fails with an error wrapping os.ErrExist, and
// changes nothing, if path already exists.
func CreateFile(path string, data []byte, perm os.FileMode) error {
	tmp, err := writeTemp(path, data, perm)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	// A hard link, unlike a rename, never replaces an existing file.
	if err := os.Link(tmp, path); err != nil {
		var le *os.LinkError
		if errors.As(err, &le) && errors.Is(le.Err, os.ErrExist) {
			return fmt.Errorf("%s: %w", path, os.ErrExist)
		}
		return err
	}
	return SyncDir(filepath.Dir(path))
}

func writeTemp(path string, data []byte, perm os.FileMode) (string, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return "", err
	}
	err = f.Chmod(perm)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// SyncDir makes a file's creation or renaming in dir durable. Windows
// cannot sync a directory and does not need to.
func SyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Lock is an exclusive lock held on a lock file.
type Lock struct {
	f   *os.File
	key string // the lock file's absolute path, in held
}

// held is the set of lock files that Lock values of this process hold, by
// absolute path. A LockFile call passes it before it opens the lock file,
// so Lock values of one process exclude each other on every system, and
// where the OS lock belongs to the process rather than to the open file
// (fcntl on Solaris and AIX) no second descriptor of a held lock file is
// ever opened or closed, which would release the lock.
var (
	heldMu sync.Mutex
	held   = map[string]bool{}
)

// LockFile takes an exclusive lock on the file at path, creating it with
// mode 0600 if needed, waiting up to wait for another holder to release
// it. The lock is between processes and between Lock values in one
// process: flock(2) on Linux, macOS and the BSDs, fcntl(2) record locks on
// Solaris and AIX, LockFileEx on Windows (see InterProcess for the rest).
// It is released by Unlock or when the process exits, so a crash never
// leaves it held. The holder's process ID is written into the file, so
// that a caller that gives up can name it: the error then wraps ErrLocked.
//
// Within a process, two paths naming one file through a link are two
// locks; use one path.
//
// The lock file is never removed: removing a lock file while another
// process waits on it would let two holders in.
func LockFile(path string, wait time.Duration) (*Lock, error) {
	key, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(wait)
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		l, holder, err := tryLockFile(path, key)
		if err != nil || l != nil {
			return l, err
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w: %s held by process %s for more than %v", ErrLocked, path, holder, wait)
		}
		time.Sleep(delay)
	}
}

// tryLockFile makes one attempt to take the lock. If another holder has
// it, it returns a nil Lock and that holder's process ID as far as it is
// known.
func tryLockFile(path, key string) (*Lock, string, error) {
	heldMu.Lock()
	if held[key] {
		heldMu.Unlock()
		return nil, strconv.Itoa(os.Getpid()), nil
	}
	held[key] = true
	heldMu.Unlock()
	release := func() {
		heldMu.Lock()
		delete(held, key)
		heldMu.Unlock()
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		release()
		return nil, "", err
	}
	ok, err := tryLock(f)
	if err != nil || !ok {
		// Read the holder through this descriptor: no other is opened
		// while another process may hold the lock.
		holder := "unknown"
		buf := make([]byte, 24)
		if n, _ := f.ReadAt(buf, 0); n > 0 {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n]))); err == nil {
				holder = strconv.Itoa(pid)
			}
		}
		f.Close()
		release()
		return nil, holder, err
	}
	// Best effort: the PID only helps an error message.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f, key: key}, "", nil
}

// Unlock releases the lock.
func (l *Lock) Unlock() error {
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	heldMu.Lock()
	delete(held, l.key)
	heldMu.Unlock()
	return err
}
