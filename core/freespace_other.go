//go:build !(linux || darwin || freebsd)

package core

// freeSpace is unknown here (Windows, WASI, other BSDs): a full disk that SQLite reports as
// an I/O error stays an internal error. (Windows' VFS maps ERROR_DISK_FULL itself.)
func freeSpace(string) (int64, bool) { return 0, false }
