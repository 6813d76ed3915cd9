package core_test

import (
	"sync/atomic"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/vfs"
)

// fullVFS wraps the OS VFS and fails writes with SQLITE_FULL once budget bytes have been
// written: a disk that fills up at an exact point, on any platform, without root.
// A negative budget means unlimited.
type fullVFS struct {
	vfs.VFS
	budget atomic.Int64
}

const fullVFSName = "filedex-test-full"

var diskFull = func() *fullVFS {
	v := &fullVFS{VFS: vfs.Find("")}
	v.budget.Store(-1)
	vfs.Register(fullVFSName, v)
	return v
}()

func (v *fullVFS) Open(name string, flags vfs.OpenFlag) (vfs.File, vfs.OpenFlag, error) {
	f, fl, err := v.VFS.Open(name, flags)
	if err != nil {
		return nil, fl, err
	}
	return &fullFile{File: f, v: v}, fl, nil
}

// OpenFilename is what SQLite calls on a VFS that has it (the OS VFS does; its Open only
// handles temporary files).
func (v *fullVFS) OpenFilename(name *vfs.Filename, flags vfs.OpenFlag) (vfs.File, vfs.OpenFlag, error) {
	f, fl, err := v.VFS.(vfs.VFSFilename).OpenFilename(name, flags)
	if err != nil {
		return nil, fl, err
	}
	return &fullFile{File: f, v: v}, fl, nil
}

type fullFile struct {
	vfs.File
	v *fullVFS
}

func (f *fullFile) WriteAt(p []byte, off int64) (int, error) {
	for {
		b := f.v.budget.Load()
		if b < 0 {
			break
		}
		if b < int64(len(p)) {
			f.v.budget.Store(0)
			return 0, sqlite3.FULL
		}
		if f.v.budget.CompareAndSwap(b, b-int64(len(p))) {
			break
		}
	}
	return f.File.WriteAt(p, off)
}

// WAL needs the wrapped file's shared memory; without it SQLite would refuse WAL mode.
func (f *fullFile) SharedMemory() vfs.SharedMemory {
	if s, ok := f.File.(vfs.FileSharedMemory); ok {
		return s.SharedMemory()
	}
	return nil
}

func (f *fullFile) LockState() vfs.LockLevel {
	if s, ok := f.File.(vfs.FileLockState); ok {
		return s.LockState()
	}
	return vfs.LOCK_EXCLUSIVE + 1 // unknown
}

func (f *fullFile) Unwrap() vfs.File { return f.File }
