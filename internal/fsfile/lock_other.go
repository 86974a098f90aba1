//go:build !unix && !windows

package fsfile

import "os"

// InterProcess reports whether LockFile excludes other processes on this
// system, not only other Lock values of this one. On systems with neither
// flock(2), fcntl(2) record locks nor LockFileEx (Plan 9, WebAssembly) it
// does not: run an agency that serves and queries at once from one key
// directory on Linux, macOS, a BSD, Solaris, AIX or Windows.
const InterProcess = false

func tryLock(*os.File) (bool, error) { return true, nil }

func unlock(*os.File) error { return nil }
