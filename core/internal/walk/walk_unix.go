//go:build darwin || freebsd || netbsd

package walk

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"syscall"

	"golang.org/x/sys/unix"
)

// sysState is per-batch scratch space; these systems need none.
type sysState struct{}

// readDir lists the directory at abs into b and stats each entry with
// fstatat relative to the open directory, which also yields the birth time
// (st_birthtime) these systems record.
func readDir(b *Batch, abs string, root bool, ig *Ignore) {
	flags := unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC
	if !root {
		flags |= unix.O_NOFOLLOW
	}
	fd, err := retry(func() (int, error) { return unix.Open(abs, flags, 0) })
	if err != nil {
		b.setErr("open", err)
		return
	}
	f := os.NewFile(uintptr(fd), abs)
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		b.setErr("readdir", err)
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
		var st unix.Stat_t
		_, err := retry(func() (int, error) {
			return 0, unix.Fstatat(fd, string(name), &st, unix.AT_SYMLINK_NOFOLLOW)
		})
		if err != nil {
			b.addWarning(name, "lstat", err)
			if !errors.Is(err, unix.ENOENT) && b.Err == nil {
				b.setErr("lstat", err)
			}
			continue
		}
		e := Entry{Name: name}
		fillStat(&e, &st)
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

func fillStat(e *Entry, s *unix.Stat_t) {
	mode := uint32(s.Mode)
	switch mode & unix.S_IFMT {
	case unix.S_IFREG:
		e.Type = File
	case unix.S_IFDIR:
		e.Type = Dir
	case unix.S_IFLNK:
		e.Type = Symlink
	}
	e.Perm = mode & 0o7777
	e.Size = s.Size
	e.Ino = uint64(s.Ino)
	e.Dev = uint64(s.Dev)
	e.Nlink = uint64(s.Nlink)
	e.UID, e.GID = s.Uid, s.Gid
	e.Mtime = s.Mtim.Nano()
	e.Atime = s.Atim.Nano()
	e.Ctime = s.Ctim.Nano()
	e.Btime = s.Btim.Nano()
}

func lstat(path string) (Entry, error) {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return Entry{}, &Warning{Path: path, Op: "lstat", Err: err}
	}
	var e Entry
	fillStat(&e, &st)
	return e, nil
}

func devIno(fi fs.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), uint64(st.Ino)
	}
	return 0, 0
}

func retry(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if err != unix.EINTR {
			return n, err
		}
	}
}
