//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package core

import (
	"os"
	"sync"
)

// Without flock (wasip1, js, plan9, …) the library lock is kept in this process only.
//
// Under WASI that is the whole truth: a WASI module cannot see other processes, and the host
// (wasmhost/, node:wasi) gives one instance one library; SQLite itself runs with the dot-lock
// VFS there for the same reason. Two Library values inside one module still exclude each
// other, so Restore behaves the same as natively within the module. Running two WASI
// instances on one library directory at once is unsupported (documented in docs/reliability.md).
var inProcessLocks = struct {
	sync.Mutex
	m map[string]*fileLockState // by lock file path
}{m: map[string]*fileLockState{}}

type fileLockState struct {
	shared    map[*os.File]bool
	exclusive *os.File
}

func tryLockFile(f *os.File, exclusive bool) (bool, error) {
	inProcessLocks.Lock()
	defer inProcessLocks.Unlock()
	st := inProcessLocks.m[f.Name()]
	if st == nil {
		st = &fileLockState{shared: map[*os.File]bool{}}
		inProcessLocks.m[f.Name()] = st
	}
	if st.exclusive != nil && st.exclusive != f {
		return false, nil
	}
	if exclusive {
		for g := range st.shared {
			if g != f {
				return false, nil
			}
		}
		delete(st.shared, f)
		st.exclusive = f
		return true, nil
	}
	if st.exclusive == f {
		st.exclusive = nil
	}
	st.shared[f] = true
	return true, nil
}

func unlockFile(f *os.File) {
	inProcessLocks.Lock()
	defer inProcessLocks.Unlock()
	if st := inProcessLocks.m[f.Name()]; st != nil {
		delete(st.shared, f)
		if st.exclusive == f {
			st.exclusive = nil
		}
		if st.exclusive == nil && len(st.shared) == 0 {
			delete(inProcessLocks.m, f.Name())
		}
	}
}

func isReadOnlyFS(error) bool { return false }

func isLockUnsupported(error) bool { return false }
