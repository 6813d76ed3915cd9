//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package core

import (
	"errors"
	"os"
	"syscall"
)

// tryLockFile takes flock(2) on f without waiting. flock locks belong to the open file
// description, not the process: two Library values in one process conflict like two
// processes do, which is what Restore needs. Converting shared <-> exclusive on the same
// descriptor is done in place by the kernel. Locks vanish with the descriptor, so a SIGKILLed
// process never leaves its library locked.
func tryLockFile(f *os.File, exclusive bool) (bool, error) {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		}
		return false, err
	}
}

func unlockFile(f *os.File) { syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }

func isReadOnlyFS(err error) bool { return errors.Is(err, syscall.EROFS) }

// isLockUnsupported reports a file system without flock (some NFS and FUSE mounts).
func isLockUnsupported(err error) bool {
	return errors.Is(err, syscall.ENOLCK) || errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOTSUP)
}
