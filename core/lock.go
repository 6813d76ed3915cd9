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

// LockFile is the name of the advisory lock file inside a library directory.
//
// Every open [Library] holds it shared for its whole life; [Restore] holds it exclusively
// while it swaps database.db. So a restore never replaces the file under a process that has
// it open (SQLite would keep using the old inode, or worse, replay the old WAL into the new
// file), and a process never opens a library halfway through a swap.
//
// The lock is advisory and separate from SQLite's own locks: SQLite's locks protect
// transactions on one file; this one protects the identity of the file itself.
const LockFile = "lock"

// lockPoll is how often a shared lock is retried while a restore holds the lock exclusively.
// A restore holds it for the few file operations of the swap (validation and migration
// happen before), so a short poll loop bounded by the connect timeout is enough.
const lockPoll = 20 * time.Millisecond

// libraryLock is one handle on a library's lock file.
type libraryLock struct {
	f         *os.File
	path      string
	exclusive bool
}

// acquireLibraryLock takes the library lock, shared or exclusive. A shared request waits
// (until ctx ends) for an exclusive holder to finish; an exclusive request fails at once
// with ErrBusy when anyone else holds the lock, because the holders are open libraries that
// will not go away by themselves.
//
// readOnly tolerates a lock file that cannot be created (a library on read-only media): such
// a process cannot be protected from a restore, but nobody can restore there either.
func acquireLibraryLock(ctx context.Context, dir string, exclusive, readOnly bool) (*libraryLock, error) {
	path := filepath.Join(dir, LockFile)
	flag := os.O_RDWR | os.O_CREATE
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil && readOnly {
		if f, err = os.Open(path); err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || isReadOnlyFS(err) {
				return &libraryLock{path: path}, nil // nothing to lock: see above
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: open lock file: %w", ErrInvalid, err)
	}
	lk := &libraryLock{f: f, path: path, exclusive: exclusive}
	for {
		ok, err := tryLockFile(f, exclusive)
		if err != nil && isLockUnsupported(err) {
			// Some network file systems have no locks. Opening goes on unprotected (as it
			// always did); a restore refuses, since it could not tell who has the library open.
			f.Close()
			if !exclusive {
				return &libraryLock{path: path}, nil
			}
			return nil, fmt.Errorf("%w: the file system of %s has no file locks, so a restore cannot make sure no process has the library open; restore on a local disk, then move the library", ErrInvalid, dir)
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%w: lock %s: %w", ErrInternal, path, err)
		}
		if ok {
			return lk, nil
		}
		if exclusive {
			f.Close()
			return nil, fmt.Errorf("%w: the library is open in another process (or another Library value); close it first", ErrBusy)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("%w: the library is being restored by another process: %w", ErrBusy, ctx.Err())
		case <-time.After(lockPoll):
		}
	}
}

// upgrade turns a shared lock into an exclusive one without letting go of it first where the
// platform allows (flock converts in place; elsewhere the conversion may briefly release).
// On failure the lock is shared again.
func (lk *libraryLock) upgrade() error {
	if lk.f == nil {
		return fmt.Errorf("%w: the library has no lock (read-only media, or a file system without locks): a restore cannot make sure no other process has it open", ErrReadOnly)
	}
	ok, err := tryLockFile(lk.f, true)
	if err != nil {
		return fmt.Errorf("%w: lock %s: %w", ErrInternal, lk.path, err)
	}
	if !ok {
		if _, err := tryLockFile(lk.f, false); err != nil {
			return fmt.Errorf("%w: relock %s: %w", ErrInternal, lk.path, err)
		}
		return fmt.Errorf("%w: the library is open in another process (or another Library value); close it first", ErrBusy)
	}
	lk.exclusive = true
	return nil
}

// downgrade turns an exclusive lock back into a shared one.
func (lk *libraryLock) downgrade() error {
	if lk.f == nil || !lk.exclusive {
		return nil
	}
	if _, err := tryLockFile(lk.f, false); err != nil {
		return fmt.Errorf("%w: lock %s: %w", ErrInternal, lk.path, err)
	}
	lk.exclusive = false
	return nil
}

// release drops the lock. Closing the file releases it too (and a killed process's locks go
// with its file descriptors), so a crash never leaves a library locked.
func (lk *libraryLock) release() error {
	if lk == nil || lk.f == nil {
		return nil
	}
	unlockFile(lk.f)
	err := lk.f.Close()
	lk.f = nil
	return err
}

// claimLocationScan makes sure one scan at a time writes a location: two scans of one tree
// insert the same (parent, name) rows and both die of a UNIQUE conflict. The claim is an
// exclusive lock on locks/scan-<location id> in the library directory (flock: held per open
// file, so two Library values in one process exclude each other like two processes, and a
// killed scan's claim goes with its process; its job then resumes normally). It does not
// wait: a second scan is refused with ErrConflict naming the running job, and the running
// one is never disturbed. Scans of different locations take different files.
func (l *Library) claimLocationScan(ctx context.Context, op string, loc Location) (release func(), err error) {
	if l.write == nil {
		return nil, &Error{Op: op, Err: ErrReadOnly} // no scan writes a read-only library
	}
	dir := filepath.Join(l.dir, "locks")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, &Error{Op: op, Err: fmt.Errorf("%w: scan lock: %w", ErrInvalid, err)}
	}
	path := filepath.Join(dir, fmt.Sprintf("scan-%d", loc.ID))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, &Error{Op: op, Err: fmt.Errorf("%w: scan lock: %w", ErrInvalid, err)}
	}
	ok, err := tryLockFile(f, true)
	if err != nil && isLockUnsupported(err) {
		// No locks on this file system: scans go on unprotected, as before.
		f.Close()
		return func() {}, nil
	}
	if err != nil {
		f.Close()
		return nil, &Error{Op: op, Err: fmt.Errorf("%w: scan lock %s: %w", ErrInternal, path, err)}
	}
	if !ok {
		f.Close()
		what := fmt.Sprintf("a scan of %s is already running", loc.Path)
		if jobs, _, err := l.Jobs().List(ctx, JobFilter{Kind: JobKindScan, LocationID: loc.ID, Active: true}, Page{Limit: 1}); err == nil && len(jobs) > 0 {
			what += fmt.Sprintf(" as job %d", jobs[0].ID)
		}
		return nil, errConflict(op, what+" in another process (or another open library handle); wait for it to finish, or pause it there")
	}
	return func() {
		unlockFile(f)
		f.Close()
	}, nil
}
