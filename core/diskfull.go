package core

import (
	"errors"
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

// lowSpace is the free space under which a failed write is taken for a full disk.
const lowSpace = 16 << 20

// wrapWrite classifies an error from a write like wrapDB, and recognises a full disk that
// SQLite reported as a plain I/O error.
//
// Why the guesswork: go-sqlite3 v0.37.0 maps ENOSPC to SQLITE_FULL only when the write error
// is a bare errno, but os.File.WriteAt wraps it in *fs.PathError; so a real full disk reaches
// us as SQLITE_IOERR_WRITE (or _FSYNC, _TRUNCATE, _SHMSIZE), without the system error.
// TestDiskFull_Tmpfs shows it. An I/O error on a filesystem with almost no space left is a
// full disk for every purpose the caller has (free space, retry); with space left it stays
// an internal error.
func (l *Library) wrapWrite(op string, err error) error {
	if err == nil {
		return nil
	}
	if isIOErrWrite(err) && CodeOf(err) == CodeInternal {
		if free, ok := freeSpace(l.dir); ok && free < lowSpace {
			return &Error{Op: op, Err: fmt.Errorf("%w: write failed with %d KiB free on the library's file system (%w); nothing was written, free space and retry",
				ErrFull, free>>10, errors.Unwrap(err))}
		}
	}
	return wrapDB(op, err)
}

func isIOErrWrite(err error) bool {
	for _, c := range []sqlite3.ExtendedErrorCode{sqlite3.IOERR_WRITE, sqlite3.IOERR_FSYNC, sqlite3.IOERR_TRUNCATE, sqlite3.IOERR_SHMSIZE} {
		if errors.Is(err, c) {
			return true
		}
	}
	return false
}
