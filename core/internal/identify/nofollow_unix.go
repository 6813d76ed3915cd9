//go:build unix || wasip1

package identify

import "syscall"

// oNoFollow makes opening a symlink fail: a file swapped for a symlink after
// the walk must not have its target hashed under the file's name.
const oNoFollow = syscall.O_NOFOLLOW
