package wasivfs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// reachableRealPath resolves the symlinks of abs as far as the guest can see
// them, component by component like filepath.EvalSymlinks. A component the
// guest cannot stat because it lies above every preopen (EBADF, ENOTCAPABLE)
// is taken as the plain directory it is to the guest. A missing last
// component is kept as it is (a database about to be created); a missing
// directory above it is an error, as for the OS VFS. linked reports whether
// a symlink was followed.
func reachableRealPath(abs string, unreachable func(error) bool) (real string, linked bool, err error) {
	const maxHops = 40 // Linux's MAXSYMLINKS
	hops := 0
	cur := "/"
	rest := strings.Split(strings.TrimPrefix(filepath.Clean(abs), "/"), "/")
	for len(rest) > 0 {
		c := rest[0]
		rest = rest[1:]
		if c == "" || c == "." {
			continue
		}
		if c == ".." {
			cur = filepath.Dir(cur)
			continue
		}
		next := filepath.Join(cur, c)
		fi, err := lstat(next)
		switch {
		case err != nil && unreachable(err):
			cur = next
			continue
		case err != nil && errors.Is(err, os.ErrNotExist) && len(rest) == 0:
			return next, linked, nil
		case err != nil:
			return "", false, err
		case fi.Mode()&os.ModeSymlink == 0:
			cur = next
			continue
		}
		target, err := os.Readlink(next)
		if err != nil {
			return "", false, err
		}
		if hops++; hops > maxHops {
			return "", false, &os.PathError{Op: "resolve", Path: abs, Err: syscall.ELOOP}
		}
		linked = true
		if filepath.IsAbs(target) {
			cur = "/"
		}
		rest = append(strings.Split(filepath.Clean(target), "/"), rest...)
	}
	return cur, linked, nil
}

// lstat is os.Lstat; tests replace it to play a WASI guest's view.
var lstat = os.Lstat
