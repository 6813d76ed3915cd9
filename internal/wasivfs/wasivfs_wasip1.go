//go:build wasip1

package wasivfs

import (
	"errors"
	"path/filepath"
	"syscall"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/vfs"
)

// okSymlink is SQLITE_OK_SYMLINK, "success, through a symlink", which the OS
// VFS returns from FullPathname and go-sqlite3 does not export: SQLite then
// refuses the path only when it was opened with SQLITE_OPEN_NOFOLLOW.
const okSymlink = sqlite3.ExtendedErrorCode(2 << 8)

// Name is the SQLite VFS every filedex database is opened with under WASI:
// the OS VFS with a full-pathname step a WASI guest can run.
//
// SQLite asks its VFS for the full path of every database it opens, and
// go-sqlite3's OS VFS answers with filepath.EvalSymlinks, which lstats each
// ancestor from "/" down. A WASI guest can reach only its preopened
// directories: "/tmp" above a preopen "/tmp/x/lib" answers EBADF ("lstat /tmp:
// Bad file number", as wasmtime run --dir /tmp/x/lib gives it), so no library
// could be opened with the preopens a runtime gives. The ancestors of a
// preopen are plain directories to the guest, whatever they are on the host
// (the host resolved them when it opened the preopen), so resolution skips
// them and follows symlinks only where the guest can see them.
const Name = "filedex-wasi"

func init() {
	base := vfs.Find("")
	vfs.Register(Name, wasiVFS{VFSFilename: base.(vfs.VFSFilename)})
}

type wasiVFS struct{ vfs.VFSFilename }

// FullPathname is the OS VFS's: the path made absolute with its symlinks
// resolved (the journal, WAL and lock files then sit beside the real file),
// answering SQLite's "ok, but a symlink" when there was one.
func (v wasiVFS) FullPathname(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	full, linked, err := reachableRealPath(abs, unreachable)
	if err != nil {
		return "", err
	}
	if linked {
		return full, okSymlink
	}
	return full, nil
}

// unreachable reports an error that means "outside every preopen": Go's
// wasip1 runtime sends such a path to descriptor -1, which wazero and
// wasmtime answer with EBADF and Node's node:wasi with EINVAL when V8's fast
// API calls are off (it validates the descriptor as an unsigned argument);
// some runtimes answer ENOTCAPABLE for a path they refuse to resolve. A
// reachable directory answers none of these to an lstat.
func unreachable(err error) bool {
	return errors.Is(err, syscall.EBADF) || errors.Is(err, syscall.ENOTCAPABLE) || errors.Is(err, syscall.EINVAL)
}
