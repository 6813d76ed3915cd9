//go:build wasip1

package walk

import (
	"io/fs"
	"syscall"
)

// fillSys takes inode, device, link count and times from the WASI filestat.
// WASI has no birth time, owners or permission bits (Go reports 0 for them).
func fillSys(e *Entry, fi fs.FileInfo) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	e.Ino, e.Dev, e.Nlink = st.Ino, st.Dev, st.Nlink
	e.Mtime, e.Atime, e.Ctime = int64(st.Mtime), int64(st.Atime), int64(st.Ctime)
}

func devIno(fi fs.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Dev, st.Ino
	}
	return 0, 0
}
