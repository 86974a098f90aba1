package fsfile

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.json")
	for _, data := range []string{"first", "second, longer", ""} {
		require.NoError(t, WriteFile(path, []byte(data), 0o600))
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, data, string(got))
	}
	if runtime.GOOS != "windows" {
		info, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
}

func TestCreateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	require.NoError(t, CreateFile(path, []byte("one"), 0o600))
	err := CreateFile(path, []byte("two"), 0o600)
	require.ErrorIs(t, err, os.ErrExist)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "one", string(got), "an existing file is left alone")
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
}

func TestWriteFileMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "f")
	require.ErrorIs(t, WriteFile(path, nil, 0o600), os.ErrNotExist)
	require.ErrorIs(t, CreateFile(path, nil, 0o600), os.ErrNotExist)
}

func TestLockExcludes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	l, err := LockFile(path, time.Second)
	require.NoError(t, err)

	_, err = LockFile(path, 20*time.Millisecond)
	require.ErrorIs(t, err, ErrLocked)
	assert.Contains(t, err.Error(), "process "+strconv.Itoa(os.Getpid()), "the error names the holder")

	require.NoError(t, l.Unlock())
	l2, err := LockFile(path, 20*time.Millisecond)
	require.NoError(t, err, "free again after Unlock")
	require.NoError(t, l2.Unlock())
}

func TestLockSerializes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	var inside, maxInside, mu = 0, 0, sync.Mutex{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				l, err := LockFile(path, 10*time.Second)
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				inside++
				maxInside = max(maxInside, inside)
				mu.Unlock()
				time.Sleep(100 * time.Microsecond)
				mu.Lock()
				inside--
				mu.Unlock()
				assert.NoError(t, l.Unlock())
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, maxInside, "never two holders at once")
}

// TestLockAcrossProcesses holds the lock in a child process and checks
// that this one cannot take it and names the child.
func TestLockAcrossProcesses(t *testing.T) {
	if path := os.Getenv("FSFILE_HOLD_LOCK"); path != "" {
		l, err := LockFile(path, time.Second)
		if err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("held\n")
		time.Sleep(10 * time.Second) // killed by the parent
		_ = l.Unlock()
		os.Exit(0)
	}
	if !InterProcess {
		t.Skip("no inter-process lock on this system")
	}
	path := filepath.Join(t.TempDir(), "x.lock")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockAcrossProcesses$")
	cmd.Env = append(os.Environ(), "FSFILE_HOLD_LOCK="+path)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	buf := make([]byte, 5)
	_, err = out.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "held\n", string(buf))

	_, err = LockFile(path, 50*time.Millisecond)
	require.ErrorIs(t, err, ErrLocked)
	assert.Contains(t, err.Error(), "process "+strconv.Itoa(cmd.Process.Pid))

	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	l, err := LockFile(path, 5*time.Second)
	require.NoError(t, err, "a dead holder's lock is released")
	require.NoError(t, l.Unlock())
}

// TestFailedLockKeepsHolder has a second Lock of this process give up on
// a held lock (under another path to the same file too) and checks that
// the first still excludes another process: giving up must not release it
// (as closing a descriptor releases an fcntl lock on Solaris and AIX).
func TestFailedLockKeepsHolder(t *testing.T) {
	if path := os.Getenv("FSFILE_TRY_LOCK"); path != "" {
		l, err := LockFile(path, 50*time.Millisecond)
		if err != nil {
			os.Exit(3)
		}
		_ = l.Unlock()
		os.Exit(0)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "x.lock")
	l, err := LockFile(path, time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Unlock() })
	for _, p := range []string{path, filepath.Join(dir, ".", "x.lock")} {
		_, err = LockFile(p, 20*time.Millisecond)
		require.ErrorIs(t, err, ErrLocked, p)
		assert.Contains(t, err.Error(), "process "+strconv.Itoa(os.Getpid()), "the holder is this process")
	}
	if !InterProcess {
		t.Skip("no inter-process lock on this system")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFailedLockKeepsHolder$")
	cmd.Env = append(os.Environ(), "FSFILE_TRY_LOCK="+path)
	err = cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "another process must not get the lock")
	assert.Equal(t, 3, exit.ExitCode())
}
