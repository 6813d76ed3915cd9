//go:build !linux && !darwin && !freebsd && !netbsd && !wasip1

package walk

import "io/fs"

// fillSys adds nothing: on these systems the walker reports only what
// fs.FileInfo carries (type, permissions, size, modification time). Inode
// and device stay 0, so move detection by inode is unavailable there.
func fillSys(e *Entry, fi fs.FileInfo) {}

func devIno(fi fs.FileInfo) (dev, ino uint64) { return 0, 0 }
