//go:build !unix && !wasip1

package walk_test

import "io/fs"

// sysIno is 0 where the walker reports no inode.
func sysIno(fs.FileInfo) uint64 { return 0 }
