//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package core

import "syscall"

// errQuota is a user's disk quota exhausted: full, for this user.
var errQuota error = syscall.ENOSPC
