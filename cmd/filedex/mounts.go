package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// mountDirs turns the library directory and the paths a command names into
// the directories the WASI engine mounts: a directory itself, a file's
// directory, a path that does not exist yet its nearest existing ancestor.
// Duplicates and directories already inside another mount are dropped.
//
// A named path is followed only as far as it names real directories: the
// walk down its components stops at the first symlink, and the mount is the
// directory holding it. The index records a symlink as a symlink and never
// follows it, so nothing past one can be an indexed entry; following it would
// mount whatever it points to, read-write. (`tag add t tree/slash/etc/shadow`,
// with tree/slash a link to /, mounted /etc.) The guest then judges the link
// itself, inside its sandbox. Two kinds of symlink are followed: the library
// directory's own path, which is the user's configuration; and a link that is
// a direct child of "/" (/home → /data/home, /tmp → /private/tmp), where only
// the administrator can make one: without it every path under such a link
// would mount "/" itself.
func mountDirs(library string, paths []string) ([]string, error) {
	lib, err := filepath.Abs(library)
	if err != nil {
		return nil, err
	}
	dirs := []string{nearestDir(lib)}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		dirs = append(dirs, namedDir(abs))
	}
	slices.Sort(dirs)
	dirs = slices.Compact(dirs)
	out := dirs[:0]
	for _, d := range dirs {
		if len(out) > 0 {
			last := out[len(out)-1]
			if last == "/" || strings.HasPrefix(d, last+"/") {
				continue
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// nearestDir is abs itself if it is a directory (symlinks followed), else its
// nearest ancestor that is.
func nearestDir(abs string) string {
	d := abs
	for {
		fi, err := os.Stat(d)
		if err == nil && fi.IsDir() {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return d
		}
		d = parent
	}
}

// namedDir is the deepest directory on abs's way down that is reached
// without following a symlink (other than one directly under "/"): abs itself
// when it is such a directory, else the directory where the walk stopped at
// a file, a symlink or a missing name.
func namedDir(abs string) string {
	d := "/"
	for _, c := range strings.Split(strings.TrimPrefix(filepath.Clean(abs), "/"), "/") {
		if c == "" {
			continue
		}
		next := filepath.Join(d, c)
		fi, err := os.Lstat(next)
		if err != nil {
			return d
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			if d != "/" {
				return d
			}
			// Followed, but the mount keeps the name the user gave:
			// that is what the guest is asked about (the host side of a
			// mount resolves it).
			if fi, err = os.Stat(next); err != nil {
				return d
			}
		}
		if !fi.IsDir() {
			return d
		}
		d = next
	}
	return d
}
