package core

import (
	"errors"
	"os"
	"runtime"
	"syscall"

	"github.com/ncruces/go-sqlite3"
)

// syncDir makes a rename or a new directory entry in dir durable. POSIX only promises a
// rename survives a power cut once the directory itself is fsynced; without it a crash could
// bring back the old name (a restore that "happened" but did not). Windows cannot open a
// directory for syncing and journals metadata itself; some filesystems (and WASI hosts)
// refuse fsync on directories: both are treated as done, there is nothing more to ask for.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) &&
		!errors.Is(err, syscall.EBADF) && !errors.Is(err, syscall.ENOSYS) {
		return err
	}
	return nil
}

// isNoSpace reports a full disk, whether SQLite saw it (SQLITE_FULL) or Go's file API did.
func isNoSpace(err error) bool {
	return errors.Is(err, sqlite3.FULL) || errors.Is(err, syscall.ENOSPC)
}
