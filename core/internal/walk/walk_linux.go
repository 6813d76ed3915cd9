//go:build linux

package walk

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sysState is per-batch scratch space for the Linux reader. The statx
// buffer lives here, on the heap, because the kernel writes to it through a
// raw pointer.
type sysState struct {
	stx unix.Statx_t
}

// direntBufSize is the getdents64 buffer: about 2,000 typical entries per
// syscall, so most directories are listed with one or two calls.
const direntBufSize = 128 << 10

var direntPool = sync.Pool{New: func() any { b := make([]byte, direntBufSize); return &b }}

const (
	statxFlags = unix.AT_SYMLINK_NOFOLLOW | unix.AT_NO_AUTOMOUNT
	statxMask  = unix.STATX_BASIC_STATS | unix.STATX_BTIME
)

// noStatx is set once statx turns out to be missing (kernels before 4.11,
// or seccomp filters in old container runtimes that answer EPERM).
var noStatx atomic.Bool

// readDir lists the directory at abs into b: getdents64 into a large buffer,
// then one statx per entry relative to the open directory, so the kernel
// never re-resolves the directory's path and no per-entry string is built.
func readDir(b *Batch, abs string, root bool, ig *Ignore) {
	flags := unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC
	if !root {
		// The entry was a directory when its parent was listed; if it has
		// been swapped for a symlink since, refuse to follow it.
		flags |= unix.O_NOFOLLOW
	}
	fd, err := retry(func() (int, error) { return unix.Open(abs, flags, 0) })
	if err != nil {
		b.setErr("open", err)
		return
	}
	defer unix.Close(fd)

	bp := direntPool.Get().(*[]byte)
	defer direntPool.Put(bp)
	buf := *bp
	for {
		n, err := retry(func() (int, error) { return unix.Getdents(fd, buf) })
		if err != nil {
			b.setErr("readdir", err)
			break
		}
		if n <= 0 {
			break
		}
		parseDirents(b, buf[:n])
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
		switch nr.typ {
		case unix.DT_FIFO, unix.DT_SOCK, unix.DT_CHR, unix.DT_BLK:
			b.Special++
			continue
		}
		name := b.arena[nr.off : nr.off+nr.len : nr.off+nr.len]
		e := Entry{Name: name}
		// arena[off+len] is the NUL that terminates the name for the kernel.
		if err := statxAt(fd, &b.arena[nr.off], &b.sys.stx); err != nil {
			if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM) {
				if err = fstatAt(fd, name, &e); err == nil {
					noStatx.Store(true)
				}
			}
			if err != nil {
				b.addWarning(name, "lstat", err)
				if !errors.Is(err, unix.ENOENT) && b.Err == nil {
					// Listed but not stat-able (a directory with read but no
					// search permission): the listing is not complete.
					b.setErr("lstat", err)
				}
				continue
			}
		} else {
			fillStatx(&e, &b.sys.stx)
		}
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

// parseDirents appends the names of linux_dirent64 records to b.arena,
// each followed by a NUL, skipping "." and "..".
func parseDirents(b *Batch, buf []byte) {
	for off := 0; off+19 <= len(buf); {
		reclen := int(binary.NativeEndian.Uint16(buf[off+16:]))
		if reclen == 0 || off+reclen > len(buf) {
			return
		}
		typ := buf[off+18]
		rec := buf[off+19 : off+reclen]
		off += reclen
		nameLen := 0
		for nameLen < len(rec) && rec[nameLen] != 0 {
			nameLen++
		}
		name := rec[:nameLen]
		if nameLen == 0 || (nameLen == 1 && name[0] == '.') || (nameLen == 2 && name[0] == '.' && name[1] == '.') {
			continue
		}
		b.names = append(b.names, nameRef{off: uint32(len(b.arena)), len: uint32(nameLen), typ: typ})
		b.arena = append(b.arena, name...)
		b.arena = append(b.arena, 0)
	}
}

// statxAt stats the NUL-terminated name at p relative to dirfd. It calls the
// syscall directly because unix.Statx would copy the name into a new string.
func statxAt(dirfd int, p *byte, stx *unix.Statx_t) error {
	if noStatx.Load() {
		return unix.ENOSYS
	}
	for {
		_, _, errno := syscall.Syscall6(unix.SYS_STATX, uintptr(dirfd), uintptr(unsafe.Pointer(p)),
			statxFlags, statxMask, uintptr(unsafe.Pointer(stx)), 0)
		switch errno {
		case 0:
			return nil
		case unix.EINTR:
			continue
		}
		return errno
	}
}

// fstatAt is the fallback for kernels without statx: no birth time.
func fstatAt(dirfd int, name []byte, e *Entry) error {
	var st unix.Stat_t
	_, err := retry(func() (int, error) {
		return 0, unix.Fstatat(dirfd, string(name), &st, unix.AT_SYMLINK_NOFOLLOW)
	})
	if err != nil {
		return err
	}
	fillStat(e, &st)
	return nil
}

func fillStatx(e *Entry, s *unix.Statx_t) {
	e.Type = typeOfMode(uint32(s.Mode))
	e.Perm = uint32(s.Mode) & 0o7777
	e.Size = int64(s.Size)
	e.Ino = s.Ino
	e.Dev = unix.Mkdev(s.Dev_major, s.Dev_minor)
	e.Nlink = uint64(s.Nlink)
	e.UID, e.GID = s.Uid, s.Gid
	e.Mtime = s.Mtime.Sec*1e9 + int64(s.Mtime.Nsec)
	e.Atime = s.Atime.Sec*1e9 + int64(s.Atime.Nsec)
	e.Ctime = s.Ctime.Sec*1e9 + int64(s.Ctime.Nsec)
	if s.Mask&unix.STATX_BTIME != 0 {
		e.Btime = s.Btime.Sec*1e9 + int64(s.Btime.Nsec)
	}
}

func fillStat(e *Entry, s *unix.Stat_t) {
	e.Type = typeOfMode(s.Mode)
	e.Perm = s.Mode & 0o7777
	e.Size = s.Size
	e.Ino = s.Ino
	e.Dev = uint64(s.Dev)
	e.Nlink = uint64(s.Nlink)
	e.UID, e.GID = s.Uid, s.Gid
	e.Mtime = s.Mtim.Nano()
	e.Atime = s.Atim.Nano()
	e.Ctime = s.Ctim.Nano()
}

func typeOfMode(m uint32) Type {
	switch m & unix.S_IFMT {
	case unix.S_IFREG:
		return File
	case unix.S_IFDIR:
		return Dir
	case unix.S_IFLNK:
		return Symlink
	}
	return 0
}

func lstat(path string) (Entry, error) {
	var e Entry
	if !noStatx.Load() {
		var stx unix.Statx_t
		err := unix.Statx(unix.AT_FDCWD, path, statxFlags, statxMask, &stx)
		if err == nil {
			fillStatx(&e, &stx)
			return e, nil
		}
		if !errors.Is(err, unix.ENOSYS) && !errors.Is(err, unix.EPERM) {
			return e, &Warning{Path: path, Op: "lstat", Err: err}
		}
	}
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return e, &Warning{Path: path, Op: "lstat", Err: err}
	}
	fillStat(&e, &st)
	return e, nil
}

// retry repeats a system call interrupted by a signal.
func retry(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if err != unix.EINTR {
			return n, err
		}
	}
}

// devIno returns the device and inode of the root's FileInfo.
func devIno(fi fs.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), st.Ino
	}
	return 0, 0
}
