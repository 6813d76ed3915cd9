package core

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/ncruces/go-sqlite3"
)

// lowSpace is the free space under which a failed write is taken for a full disk.
const lowSpace = 16 << 20

// wrapWrite classifies an error from a write like wrapDB, and recognises a full disk that
// SQLite reported as a plain I/O error.
//
// Why the guesswork: go-sqlite3 v0.37.0 maps ENOSPC to SQLITE_FULL only when the write error
// is a bare errno, but os.File.WriteAt wraps it in *fs.PathError; so a real full disk reaches
// us as SQLITE_IOERR_WRITE (or _FSYNC, _TRUNCATE, _SHMSIZE). When the I/O error still carries
// the system error, ENOSPC (or EDQUOT) says it; SQLite's own retries and later calls can
// clear it, so an I/O error on a filesystem with almost no space left is a full disk too,
// for every purpose the caller has (free space, retry). With space left it stays an
// internal error. TestDiskFull_Tmpfs and cmd/filedex's TestCLI_DiskFull show both.
//
// err may already be classified (the scan writer wraps as it goes): an internal *Error
// whose cause is such an I/O error is reclassified, with the SQLite error as its text.
func (l *Library) wrapWrite(op string, err error) error {
	if err == nil {
		return nil
	}
	if full := diskFullCause(l.dir, err); full != nil {
		return full(op)
	}
	return wrapDB(op, err)
}

// diskFullCause returns, when err is a full disk reported as an I/O error, a constructor of
// the disk_full error for an operation.
func diskFullCause(dir string, err error) func(op string) error {
	if CodeOf(err) != CodeInternal || !isIOErrWrite(err) {
		return nil
	}
	cause := error(nil)
	var se *sqlite3.Error
	if errors.As(err, &se) {
		cause = se
	}
	if cause == nil {
		cause = errors.New("disk I/O error")
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, errQuota) {
		return func(op string) error {
			return &Error{Op: op, Err: fmt.Errorf("%w: the library's file system is full (%v); nothing was written, free space and retry", ErrFull, cause)}
		}
	}
	free, ok := freeSpace(dir)
	if ok && free < lowSpace {
		return func(op string) error {
			return &Error{Op: op, Err: fmt.Errorf("%w: write failed with %d KiB free on the library's file system (%v); nothing was written, free space and retry",
				ErrFull, free>>10, cause)}
		}
	}
	if !ok && probeFull(dir) {
		return func(op string) error {
			return &Error{Op: op, Err: fmt.Errorf("%w: write failed and the library's file system has no room for 1 MiB more (%v); nothing was written, free space and retry", ErrFull, cause)}
		}
	}
	return nil
}

func isIOErrWrite(err error) bool {
	for _, c := range []sqlite3.ExtendedErrorCode{sqlite3.IOERR_WRITE, sqlite3.IOERR_FSYNC, sqlite3.IOERR_TRUNCATE, sqlite3.IOERR_SHMSIZE} {
		if errors.Is(err, c) {
			return true
		}
	}
	return false
}
