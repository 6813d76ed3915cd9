//go:build !linux && !darwin && !freebsd && !netbsd && !wasip1

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
