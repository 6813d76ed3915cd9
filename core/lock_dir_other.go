//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package core

import (
	"errors"
	"os"
)

// Without flock the guard holds nothing, and a native open cannot tell a live guest's marks
// from a dead one's: they are left alone (breakStaleWASIMarks).
const dirLocksSupported = false

var errNoDirLocks = errors.New("no directory locks on this platform")

func lockDir(string, bool) (bool, *os.File, error) { return false, nil, errNoDirLocks }

func tryDirLock(string, bool) (bool, func(), error) { return false, nil, errNoDirLocks }
