//go:build windows

package core

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// tryLockFile takes LockFileEx on the first byte of f without waiting. Windows locks belong
// to the handle, so two Library values in one process conflict like two processes do. There
// is no in-place conversion: the old lock is released before the new one is taken, so an
// upgrade can lose a race to another opener (it then fails with ErrBusy, which is correct).
func tryLockFile(f *os.File, exclusive bool) (bool, error) {
	h := windows.Handle(f.Fd())
	ol := new(windows.Overlapped)
	windows.UnlockFileEx(h, 0, 1, 0, ol) // no-op when not locked
	flags := uint32(windows.LOCKFILE_FAIL_IMMEDIATELY)
	if exclusive {
		flags |= windows.LOCKFILE_EXCLUSIVE_LOCK
	}
	err := windows.LockFileEx(h, flags, 0, 1, 0, ol)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, windows.ERROR_LOCK_VIOLATION), errors.Is(err, windows.ERROR_IO_PENDING):
		return false, nil
	}
	return false, err
}

func unlockFile(f *os.File) {
	windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, new(windows.Overlapped))
}

func isReadOnlyFS(err error) bool { return errors.Is(err, windows.ERROR_WRITE_PROTECT) }

// isLockUnsupported reports a file system without byte-range locks.
func isLockUnsupported(err error) bool {
	return errors.Is(err, windows.ERROR_NOT_SUPPORTED) || errors.Is(err, windows.ERROR_INVALID_FUNCTION)
}
