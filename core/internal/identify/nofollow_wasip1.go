package identify

import "syscall"

// noFollow makes opening a symlink fail (WASI has O_NOFOLLOW).
const noFollow = syscall.O_NOFOLLOW
