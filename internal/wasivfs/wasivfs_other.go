//go:build !wasip1

package wasivfs

// Name is empty natively: SQLite's default VFS, the OS.
const Name = ""
