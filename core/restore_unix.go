//go:build unix

package core

import "syscall"

// oNonBlock keeps an open of a FIFO from waiting for a writer (checkSQLiteFile).
const oNonBlock = syscall.O_NONBLOCK
