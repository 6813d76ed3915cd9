package wasmhost

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/experimental/sysfs"
	"github.com/tetratelabs/wazero/sys"
)

// confinedFS is wazero's DirFS with the one guarantee DirFS lacks: no path,
// through ".." or through a symlink, reaches outside the mounted directory.
// DirFS joins the guest's path to its root and hands it to the OS, which
// follows symlinks wherever they point; a symlink inside a mount to /etc
// would otherwise expose /etc to the guest.
//
// Each operation resolves the symlinks of the host path (of its parent, for
// operations that act on a link itself, like Lstat and Unlink) and refuses
// with EACCES anything that resolves outside the root. The check and the use
// are two steps, so a concurrent rename on the host between them could still
// race (TOCTOU); closing that needs openat2(RESOLVE_BENEATH), which wazero's
// FS interface does not expose. The guest's own check (bindings.Session.Path)
// turns honest escape attempts into the sandbox error code before they get
// here; this layer is the backstop for anything that slips past.
type confinedFS struct {
	experimentalsys.FS
	root string // host directory, absolute, symlinks resolved
}

func newConfinedFS(hostDir string) (*confinedFS, error) {
	abs, err := filepath.Abs(hostDir)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, err
	}
	return &confinedFS{FS: sysfs.DirFS(real), root: real}, nil
}

// inside reports whether the guest path p (relative to the mount) stays in
// the root. follow says whether the operation follows a final symlink.
func (c *confinedFS) inside(p string, follow bool) bool {
	host := filepath.Join(c.root, filepath.FromSlash(p)) // Join cleans ".."
	if !c.contains(host) {
		return false
	}
	dir, leaf := host, ""
	if !follow {
		dir, leaf = filepath.Dir(host), filepath.Base(host)
	}
	real, err := resolveExisting(dir)
	if err != nil {
		return false
	}
	return c.contains(filepath.Join(real, leaf))
}

func (c *confinedFS) contains(p string) bool {
	// A mount of "/" contains everything: root+"/" would be "//", which no
	// clean path starts with, and every operation was refused (EACCES), which
	// the CLI reported as "library …: permission denied" for any command
	// naming "/".
	return p == c.root || c.root == string(filepath.Separator) || strings.HasPrefix(p, c.root+string(filepath.Separator))
}

// resolveExisting resolves the symlinks of the longest existing prefix of p,
// so paths being created are checked through their existing parent.
func resolveExisting(p string) (string, error) {
	rest := ""
	for {
		real, err := filepath.EvalSymlinks(p)
		if err == nil {
			return filepath.Join(real, rest), nil
		}
		if !os.IsNotExist(err) {
			return "", err
		}
		parent := filepath.Dir(p)
		if parent == p {
			return "", err
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}

const denied = experimentalsys.EACCES

func (c *confinedFS) OpenFile(p string, flag experimentalsys.Oflag, perm fs.FileMode) (experimentalsys.File, experimentalsys.Errno) {
	// O_NOFOLLOW opens the link itself; everything else follows it.
	if !c.inside(p, flag&experimentalsys.O_NOFOLLOW == 0) {
		return nil, denied
	}
	return c.FS.OpenFile(p, flag, perm)
}

func (c *confinedFS) Lstat(p string) (sys.Stat_t, experimentalsys.Errno) {
	if !c.inside(p, false) {
		return sys.Stat_t{}, denied
	}
	return c.FS.Lstat(p)
}

func (c *confinedFS) Stat(p string) (sys.Stat_t, experimentalsys.Errno) {
	if !c.inside(p, true) {
		return sys.Stat_t{}, denied
	}
	return c.FS.Stat(p)
}

func (c *confinedFS) Mkdir(p string, perm fs.FileMode) experimentalsys.Errno {
	if !c.inside(p, false) {
		return denied
	}
	return c.FS.Mkdir(p, perm)
}

func (c *confinedFS) Chmod(p string, perm fs.FileMode) experimentalsys.Errno {
	if !c.inside(p, true) {
		return denied
	}
	return c.FS.Chmod(p, perm)
}

func (c *confinedFS) Rename(from, to string) experimentalsys.Errno {
	if !c.inside(from, false) || !c.inside(to, false) {
		return denied
	}
	return c.FS.Rename(from, to)
}

func (c *confinedFS) Rmdir(p string) experimentalsys.Errno {
	if !c.inside(p, false) {
		return denied
	}
	return c.FS.Rmdir(p)
}

func (c *confinedFS) Unlink(p string) experimentalsys.Errno {
	if !c.inside(p, false) {
		return denied
	}
	return c.FS.Unlink(p)
}

func (c *confinedFS) Link(oldPath, newPath string) experimentalsys.Errno {
	// A hard link to an outside file would smuggle it in: check both ends.
	if !c.inside(oldPath, false) || !c.inside(newPath, false) {
		return denied
	}
	return c.FS.Link(oldPath, newPath)
}

func (c *confinedFS) Symlink(target, link string) experimentalsys.Errno {
	// Creating a link is harmless whatever it points to: following it is
	// what every other method checks.
	if !c.inside(link, false) {
		return denied
	}
	return c.FS.Symlink(target, link)
}

func (c *confinedFS) Readlink(p string) (string, experimentalsys.Errno) {
	if !c.inside(p, false) {
		return "", denied
	}
	return c.FS.Readlink(p)
}

func (c *confinedFS) Utimens(p string, atim, mtim int64) experimentalsys.Errno {
	if !c.inside(p, true) {
		return denied
	}
	return c.FS.Utimens(p, atim, mtim)
}
