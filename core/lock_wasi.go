package core

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// The WASI build of SQLite (go-sqlite3's sqlite3_dotlk VFS) cannot lock files, so it marks a
// database in use with two things on disk: database.db.lock (a file created with O_EXCL for
// as long as any connection holds a lock; its creator's pid is not written under wasip1) and
// database.db-shm as a directory (a "dead man's switch" standing where the native VFS would
// put its shared-memory file, for as long as a connection is open). A guest that is killed
// removes neither, and then nobody can open the library again: the native VFS fails with
// "open database.db-shm: is a directory", the WASI one waits busy_timeout and reports
// "database is locked", forever.
//
// A guest cannot tell a live holder from a dead one (it sees no processes), so the native
// host that runs it does: for as long as a guest may use the library, the host holds a
// shared flock on the library directory itself ([GuardWASILibrary]). Whoever finds the
// marks and can take that flock exclusively knows that no running guest made them (the
// kernel drops a killed host's flock with its descriptors), so they are stale and removed
// under the exclusive lock; a guest cannot start in between, because its host needs the
// shared lock first. A live holder's marks are never touched: its host's shared lock makes
// the exclusive try fail. The one gap is a guest run by a host that does not take the
// guard (wasmtime, node:wasi): such marks look stale to a native process.

// wasiMarks are the dot-lock VFS's marks for dbPath: the lock file and the -shm directory.
func wasiMarks(dbPath string) (lock, shm string) { return dbPath + ".lock", dbPath + "-shm" }

// hasWASIMarks reports whether a WASI guest's marks are on disk next to dbPath.
func hasWASIMarks(dbPath string) bool {
	lock, shm := wasiMarks(dbPath)
	if _, err := os.Lstat(lock); err == nil {
		return true
	}
	st, err := os.Lstat(shm)
	return err == nil && st.IsDir()
}

// removeWASIMarks removes the marks. The caller holds the directory flock exclusively.
// The -shm directory is removed only while empty (os.Remove), so nothing but the mark can
// go; a regular -shm file (the native VFS's) is not this function's business.
func removeWASIMarks(dbPath string) error {
	lock, shm := wasiMarks(dbPath)
	if st, err := os.Lstat(lock); err == nil && st.Mode().IsRegular() {
		if err := os.Remove(lock); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if st, err := os.Lstat(shm); err == nil && st.IsDir() {
		if err := os.Remove(shm); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// breakStaleWASIMarks is run by a native open that finds a guest's marks: it removes them
// when no host guards the library, and otherwise reports that a WASI process has it open.
func breakStaleWASIMarks(dir string) error {
	dbPath := filepath.Join(dir, DatabaseFile)
	if !dirLocksSupported || !hasWASIMarks(dbPath) {
		// Without directory locks (wasip1 itself, Windows) live marks cannot be told from
		// dead ones: they are left to SQLite, which reports them.
		return nil
	}
	ok, release, err := tryDirLock(dir, true)
	if err != nil {
		if isLockUnsupported(err) {
			return fmt.Errorf("%w: %s holds the lock marks of a WASI process (database.db.lock, database.db-shm/) and this file system has no locks to tell whether it still runs; if no filedex --engine wasi is running, remove them", ErrBusy, dir)
		}
		return fmt.Errorf("%w: lock %s: %w", ErrInternal, dir, err)
	}
	if !ok {
		return fmt.Errorf("%w: the library is open through the WASI engine in another process; wait for it to finish", ErrBusy)
	}
	defer release()
	if err := removeWASIMarks(dbPath); err != nil {
		return fmt.Errorf("%w: remove the stale lock marks of a killed WASI process: %w (remove database.db.lock and the database.db-shm directory by hand)", ErrReadOnly, err)
	}
	return nil
}

// WASIGuard is a native host's hold on a library that a WASI guest uses. See
// [GuardWASILibrary].
type WASIGuard struct {
	dir  *os.File
	lock *libraryLock
	path string
}

// GuardWASILibrary is called by a native host before it lets a WASI guest open the library
// in dir, and released (Release) after the guest has closed it or has been stopped. It
// holds the directory's flock shared, which tells every other process that the guest's lock
// marks are live, and the library lock shared, as every native Library does, so a native
// restore cannot swap the database under the guest.
//
// When no other guarded guest is running, it first removes the marks a killed guest left,
// and, when no native process has the library open either, a native -shm file a killed
// native process left (the WASI VFS cannot open a database whose -shm is a file: "locking
// protocol"; the file holds only the WAL index, which SQLite rebuilds from the WAL).
//
// A directory (or database) that does not exist yet gives a guard that holds nothing: call
// Attach once the guest has created the library. Where the platform has no flock (Windows, wasip1) the
// guard holds nothing either.
func GuardWASILibrary(dir string, readOnly bool) (*WASIGuard, error) {
	return guardWASI(dir, readOnly, true)
}

// Attach takes the guard's locks for a library the guest created after GuardWASILibrary
// found no directory (Held false). It removes nothing: the marks now there are the guest's.
func (g *WASIGuard) Attach(readOnly bool) error {
	if g == nil || g.Held() {
		return nil
	}
	h, err := guardWASI(g.path, readOnly, false)
	if err != nil {
		return err
	}
	g.dir, g.lock = h.dir, h.lock
	return nil
}

func guardWASI(dir string, readOnly, clean bool) (*WASIGuard, error) {
	g := &WASIGuard{path: dir}
	if !dirLocksSupported {
		return g, nil
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return g, nil // nothing to guard yet; the guest reports what is wrong with it
	}
	dbPath := filepath.Join(dir, DatabaseFile)
	if _, err := os.Lstat(dbPath); err != nil {
		// No library yet: nothing to clean, and nothing is created here (a read command
		// must leave an empty directory as it was). Attach takes the locks once the guest
		// has created the library.
		return g, nil
	}
	ok, release, err := false, func() {}, error(nil)
	if clean {
		ok, release, err = tryDirLock(dir, true)
	}
	if err != nil {
		if isLockUnsupported(err) {
			return g, nil
		}
		return nil, fmt.Errorf("%w: lock %s: %w", ErrInternal, dir, err)
	}
	if ok {
		// No guarded guest runs: any marks are a dead guest's.
		if err := removeWASIMarks(dbPath); err != nil && !readOnly {
			release()
			return nil, fmt.Errorf("%w: remove the stale lock marks of a killed WASI process: %w", ErrReadOnly, err)
		}
		native, err := nativeHolder(dir, dbPath, readOnly)
		release()
		if err != nil {
			return nil, err
		}
		if native {
			// The two VFSs lock differently (OFD locks and shared memory natively, dot
			// files and private memory under WASI): on one database at once, each would
			// write as if alone.
			return nil, fmt.Errorf("%w: the library is open in another process through the native engine, which the WASI engine cannot share it with; close that process, or use --engine native", ErrBusy)
		}
	}
	// Shared from here on (another guest's shared lock is compatible). A breaker holding it
	// exclusively for a moment is waited for.
	for i := 0; ; i++ {
		ok, f, err := lockDir(dir, false)
		if err != nil {
			if isLockUnsupported(err) {
				return g, nil
			}
			return nil, fmt.Errorf("%w: lock %s: %w", ErrInternal, dir, err)
		}
		if ok {
			g.dir = f
			break
		}
		if i >= int(5*time.Second/lockPoll) {
			return nil, fmt.Errorf("%w: another process holds the lock of %s", ErrBusy, dir)
		}
		time.Sleep(lockPoll)
	}
	lk, err := acquireLibraryLockNoWait(dir, readOnly)
	if err != nil {
		g.Release()
		return nil, err
	}
	g.lock = lk
	return g, nil
}

// Held reports whether the guard holds the library (false for a directory that did not
// exist yet, or a platform without locks).
func (g *WASIGuard) Held() bool { return g != nil && g.dir != nil }

// Release lets go of the guard. After it, the guest's marks (if the guest did not remove
// them) count as stale.
func (g *WASIGuard) Release() error {
	if g == nil {
		return nil
	}
	var err error
	if g.lock != nil {
		err = g.lock.release()
		g.lock = nil
	}
	if g.dir != nil {
		if cerr := g.dir.Close(); err == nil {
			err = cerr
		}
		g.dir = nil
	}
	return err
}

// nativeHolder reports whether a native Library has the library open: every one holds the
// library lock shared for its whole life, so taking it exclusively (without waiting) proves
// there is none. When there is none, a regular database.db-shm is a killed native process's
// and is removed (unless readOnly): the WASI VFS cannot open a database whose -shm is a file
// ("locking protocol"), and the file holds only the WAL index, which SQLite rebuilds from
// the WAL. The caller holds the directory lock exclusively, so no guest runs meanwhile.
func nativeHolder(dir, dbPath string, readOnly bool) (bool, error) {
	f, err := os.OpenFile(filepath.Join(dir, LockFile), os.O_RDWR, 0)
	if err != nil {
		if f, err = os.Open(filepath.Join(dir, LockFile)); err != nil {
			return false, nil // no lock file: no native Library ever opened it, or it cannot be read
		}
	}
	defer f.Close()
	ok, err := tryLockFile(f, true)
	if err != nil {
		return false, nil // a file system without locks: nothing to tell
	}
	if !ok {
		return true, nil
	}
	defer unlockFile(f)
	_, shm := wasiMarks(dbPath)
	if st, err := os.Lstat(shm); err == nil && st.Mode().IsRegular() && !readOnly {
		os.Remove(shm)
	}
	return false, nil
}

// acquireLibraryLockNoWait takes the library lock shared, failing with ErrBusy at once when
// a restore holds it.
func acquireLibraryLockNoWait(dir string, readOnly bool) (*libraryLock, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return acquireLibraryLock(ctx, dir, false, readOnly)
}

// checkDatabaseFile refuses, as incompatible, a database.db that is not a regular file: a
// directory (SQLite said "disk I/O error", reported as internal), or a symlink to a device
// such as /dev/zero (read without end). Nothing is opened.
func checkDatabaseFile(dbPath string) error {
	st, err := os.Stat(dbPath)
	if err != nil {
		if _, lerr := os.Lstat(dbPath); lerr == nil && errors.Is(err, fs.ErrNotExist) {
			return &Error{Op: "open", Err: fmt.Errorf("%w: %s is a symlink to nothing; restore a backup with `filedex restore`, or remove it", ErrIncompatible, dbPath)}
		}
		return nil // missing: created; unreadable: SQLite says so
	}
	if st.Mode().IsRegular() {
		return nil
	}
	what := "not a regular file"
	switch t := st.Mode().Type(); {
	case st.IsDir():
		what = "a directory"
	case t&fs.ModeDevice != 0:
		what = "a device"
	case t&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case t&fs.ModeSocket != 0:
		what = "a socket"
	}
	return &Error{Op: "open", Err: fmt.Errorf("%w: %s is %s, not a database; move it away and restore a backup with `filedex restore`", ErrIncompatible, dbPath, what)}
}
