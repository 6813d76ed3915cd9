//go:build wasip1

package walk

import (
	"io/fs"
	"syscall"
)

// PermKnown reports whether Entry.Perm holds the file's permission bits. WASI preview 1
// has none: Go's wasip1 port makes up a mode (0600 for a file of any mode), which must never
// reach an index as if it had been seen.
const PermKnown = false

// fillSys takes inode, device, link count and times from the WASI filestat.
// WASI has no birth time, owners or permission bits: Btime and Perm stay 0, unknown.
func fillSys(e *Entry, fi fs.FileInfo) {
	e.Perm = 0 // made up by the port (see PermKnown)
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
