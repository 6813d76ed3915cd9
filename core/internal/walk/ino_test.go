//go:build unix || wasip1

package walk_test

import (
	"io/fs"
	"syscall"
)

// sysIno is the inode number the reference listing expects.
func sysIno(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
