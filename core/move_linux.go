package core

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

var (
	lstat  = os.Lstat
	rename = os.Rename
)

// renameNoReplace renames atomically without ever replacing dst (renameat2 with
// RENAME_NOREPLACE, Linux 3.15+), falling back to check-then-rename on filesystems or
// kernels without it.
func renameNoReplace(src, dst string) error {
	err := unix.Renameat2(unix.AT_FDCWD, src, unix.AT_FDCWD, dst, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) {
		return renameChecked(src, dst)
	}
	if err != nil {
		return &os.LinkError{Op: "rename", Old: src, New: dst, Err: err}
	}
	return nil
}
