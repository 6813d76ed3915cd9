//go:build !(linux || darwin || freebsd)

package core

import (
	"errors"
	"os"
	"runtime"
	"syscall"
)

// freeSpace is unknown here (Windows, WASI, other BSDs): see probeFull. (Windows' VFS maps
// ERROR_DISK_FULL itself.)
func freeSpace(string) (int64, bool) { return 0, false }

// probeFull tells, where free space cannot be asked for (wasip1 has no statvfs), whether the
// library's file system is full now: it writes a 1 MiB probe file beside the database and
// removes it. Run only after a write failed with an I/O error, so its cost does not matter;
// a file system that takes 1 MiB more is not full, and the I/O error stays internal.
//
// Under wazero a guest never sees ENOSPC: its file system errors have no such number and
// a full disk reaches the guest as EIO. So an EIO writing the probe, right after the
// database's own write failed, counts as full too.
func probeFull(dir string) bool {
	f, err := os.CreateTemp(dir, ".filedex-space-probe-*")
	if err != nil {
		return probeNoSpace(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := make([]byte, 64<<10)
	for i := 0; i < 16; i++ {
		if _, err := f.Write(buf); err != nil {
			return probeNoSpace(err)
		}
	}
	if err := f.Sync(); err != nil {
		return probeNoSpace(err)
	}
	return false
}

func probeNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, errQuota) || (runtime.GOOS == "wasip1" && errors.Is(err, syscall.EIO))
}
