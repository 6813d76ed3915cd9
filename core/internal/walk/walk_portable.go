//go:build !linux && !darwin && !freebsd && !netbsd

package walk

import (
	"errors"
	"io/fs"
	"os"
	"slices"
)

// sysState is per-batch scratch space; the portable reader needs none.
type sysState struct{}

// readDir lists the directory at abs with os.ReadDir and lstats each entry
// by path: the portable way, used by GOOS=wasip1 (where the WASI host does
// the work) and by systems without a dedicated reader.
func readDir(b *Batch, abs string, root bool, ig *Ignore) {
	f, err := os.Open(abs)
	if err != nil {
		b.setErr("open", unwrapPath(err))
		return
	}
	defer f.Close()
	if !root {
		// os.Open follows symlinks and there is no O_NOFOLLOW here: check
		// that what was opened is still the directory the parent listed,
		// not a symlink swapped in since. A narrower race than the Unix
		// readers' (none), but never a walk through a symlink we saw.
		if err := sameDir(f, abs); err != nil {
			b.setErr("open", err)
			return
		}
	}
	names, err := f.Readdirnames(-1)
	if err != nil {
		b.setErr("readdir", unwrapPath(err))
	}
	for _, n := range names {
		b.names = append(b.names, nameRef{off: uint32(len(b.arena)), len: uint32(len(n))})
		b.arena = append(b.arena, n...)
	}
	sortNames(b)
	if testHookListed != nil {
		testHookListed(abs)
	}
	// One allocation sized to the listing, not a doubling series: a
	// directory of 100k entries would otherwise peak at twice its size.
	b.Entries = slices.Grow(b.Entries, len(b.names))
	var dirSegs []string
	if !ig.empty() {
		dirSegs = splitSegs(b.Path)
	}
	for _, nr := range b.names {
		name := b.arena[nr.off : nr.off+nr.len : nr.off+nr.len]
		fi, err := os.Lstat(abs + string(os.PathSeparator) + string(name))
		if err != nil {
			err = unwrapPath(err)
			b.addWarning(name, "lstat", err)
			if !errors.Is(err, fs.ErrNotExist) && b.Err == nil {
				b.setErr("lstat", err)
			}
			continue
		}
		e := Entry{Name: name}
		fillInfo(&e, fi)
		if e.Type == 0 {
			b.Special++
			continue
		}
		if ig.matchBytes(dirSegs, name, e.Type == Dir) {
			b.Ignored++
			continue
		}
		b.Entries = append(b.Entries, e)
	}
}

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
