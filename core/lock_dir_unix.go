//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package core

import (
	"os"
)

const dirLocksSupported = true

// lockDir takes flock on the directory itself without waiting. Returns the descriptor that
// holds the lock (closing it releases the lock).
func lockDir(dir string, exclusive bool) (bool, *os.File, error) {
	f, err := os.Open(dir)
	if err != nil {
		return false, nil, err
	}
	ok, err := tryLockFile(f, exclusive)
	if err != nil || !ok {
		f.Close()
		return false, nil, err
	}
	return true, f, nil
}

// tryDirLock is lockDir with a release function.
func tryDirLock(dir string, exclusive bool) (bool, func(), error) {
	ok, f, err := lockDir(dir, exclusive)
	if !ok {
		return false, nil, err
	}
	return true, func() { f.Close() }, nil
}
