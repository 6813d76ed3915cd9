//go:build !linux && !darwin && !freebsd && !netbsd

package walk

import (
	"errors"
	"io/fs"
	"os"
)

// fillInfo fills what every platform's FileInfo has, then the rest from
// the platform's Sys() where there is one.
func fillInfo(e *Entry, fi fs.FileInfo) {
	e.Type = typeOf(fi.Mode())
	e.Perm = uint32(fi.Mode().Perm())
	m := fi.Mode()
	if m&fs.ModeSetuid != 0 {
		e.Perm |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		e.Perm |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		e.Perm |= 0o1000
	}
	e.Size = fi.Size()
	e.Mtime = fi.ModTime().UnixNano()
	fillSys(e, fi)
}

func lstat(path string) (Entry, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return Entry{}, &Warning{Path: path, Op: "lstat", Err: unwrapPath(err)}
	}
	var e Entry
	fillInfo(&e, fi)
	return e, nil
}

// unwrapPath drops the *fs.PathError around err: a Warning already names
// the path, relative to the walk root.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// errSwapped reports a directory replaced (by a symlink or another file)
// between being listed and being opened.
var errSwapped = errors.New("directory replaced while walking")

// sameDir checks that abs, not following symlinks, is the directory f has open.
func sameDir(f *os.File, abs string) error {
	li, err := os.Lstat(abs)
	if err != nil {
		return unwrapPath(err)
	}
	fi, err := f.Stat()
	if err != nil {
		return unwrapPath(err)
	}
	if !li.IsDir() || !os.SameFile(li, fi) {
		return errSwapped
	}
	return nil
}
