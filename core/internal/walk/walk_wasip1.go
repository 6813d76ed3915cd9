//go:build wasip1

package walk

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"slices"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// PermKnown reports whether Entry.Perm holds the file's permission bits. WASI preview 1
// has none: Go's wasip1 port makes up a mode (0600 for a file of any mode), which must never
// reach an index as if it had been seen.
const PermKnown = false

// fillSys takes inode, device, link count and times from the WASI filestat.
// WASI has no birth time, owners or permission bits: Btime and Perm stay 0, unknown.
func fillSys(e *Entry, fi fs.FileInfo) {
	e.Perm = 0 // made up by the port (see PermKnown)
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	e.Ino, e.Dev, e.Nlink = st.Ino, st.Dev, st.Nlink
	e.Mtime, e.Atime, e.Ctime = int64(st.Mtime), int64(st.Atime), int64(st.Ctime)
}

func devIno(fi fs.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Dev, st.Ino
	}
	return 0, 0
}

// sysState is per-batch scratch space; the WASI reader keeps its buffers in
// direntPool instead, since few batches list at once.
type sysState struct{}

// direntBufSize is the first fd_readdir buffer: about 5,000 typical entries,
// so nearly every directory is listed in one call. A fuller directory
// continues from its cookie with a buffer four times larger each time.
//
// One call, not many, because hosts answer each fd_readdir by reading the
// directory from its start up to the cookie: wasmtime also stats every entry
// it passes (its inode is a hash of the entry's metadata). Go's os.ReadDir
// asks 8 KiB at a time, about 200 entries, which made listing quadratic in a
// directory's size there (785 entries: 0.25 s; 2,049: 1.0 s).
const direntBufSize = 256 << 10

// maxPooledDirentBuf bounds what the pool keeps: a huge directory's buffer is
// left to the garbage collector rather than held for the rest of the walk.
const maxPooledDirentBuf = 1 << 20

var direntPool = sync.Pool{New: func() any { b := make([]byte, direntBufSize); return &b }}

// testHookReaddirCalls, when set by a test, counts fd_readdir calls.
var testHookReaddirCalls func()

//go:wasmimport wasi_snapshot_preview1 path_filestat_get
//go:noescape
func pathFilestatGet(fd int32, flags uint32, path unsafe.Pointer, pathLen uint32, st unsafe.Pointer) int32

// readDir lists the directory at abs into b: fd_readdir into one large
// buffer, then each entry's filestat relative to the open directory (the
// host resolves one name, not the whole path, and a parent swapped for a
// symlink meanwhile cannot redirect it). What it reports is what the
// portable reader's os.Lstat reports (statInfo converts as Go's os does).
func readDir(b *Batch, abs string, root bool, ig *Ignore) {
	f, err := os.Open(abs)
	if err != nil {
		b.setErr("open", unwrapPath(err))
		return
	}
	defer f.Close()
	if !root {
		// os.Open follows symlinks and WASI's path_open here does too: check
		// that what was opened is still the directory the parent listed.
		if err := sameDir(f, abs); err != nil {
			b.setErr("open", err)
			return
		}
	}
	fd := int(f.Fd())
	if err := readNames(b, fd); err != nil {
		b.setErr("readdir", err)
	}
	sortNames(b)
	if testHookListed != nil {
		testHookListed(abs)
	}
	b.Entries = slices.Grow(b.Entries, len(b.names))
	var dirSegs []string
	if !ig.empty() {
		dirSegs = splitSegs(b.Path)
	}
	var st syscall.Stat_t
	for _, nr := range b.names {
		name := b.arena[nr.off : nr.off+nr.len : nr.off+nr.len]
		// Flags 0: the entry itself, not what a symlink points to (lstat).
		if errno := pathFilestatGet(int32(fd), 0, unsafe.Pointer(unsafe.SliceData(name)), uint32(len(name)), unsafe.Pointer(&st)); errno != 0 {
			err := error(syscall.Errno(errno))
			b.addWarning(name, "lstat", err)
			if !errors.Is(err, fs.ErrNotExist) && b.Err == nil {
				b.setErr("lstat", err)
			}
			continue
		}
		e := Entry{Name: name}
		fillInfo(&e, statInfo{st: &st})
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

// readNames appends the directory's names (without "." and "..") to b.
func readNames(b *Batch, fd int) error {
	bp := direntPool.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxPooledDirentBuf {
			direntPool.Put(bp)
		}
	}()
	var cookie uint64
	for {
		if testHookReaddirCalls != nil {
			testHookReaddirCalls()
		}
		buf := *bp
		n, err := syscall.ReadDir(fd, buf, cookie)
		if err != nil {
			return err
		}
		// struct dirent { u64 d_next; u64 d_ino; u32 d_namlen; u8 d_type; }
		// (24 bytes) followed by the name; the last one may be cut short.
		const hdr = 24
		off := 0
		for off+hdr <= n {
			namlen := int(binary.LittleEndian.Uint32(buf[off+16:]))
			if off+hdr+namlen > n {
				break
			}
			name := buf[off+hdr : off+hdr+namlen]
			cookie = binary.LittleEndian.Uint64(buf[off:])
			off += hdr + namlen
			if string(name) == "." || string(name) == ".." {
				continue
			}
			b.names = append(b.names, nameRef{off: uint32(len(b.arena)), len: uint32(len(name))})
			b.arena = append(b.arena, name...)
		}
		if n < len(buf) {
			return nil // the host had no more to give: the end
		}
		// A full buffer: more may follow, from the cookie of the last whole
		// entry. A larger buffer keeps the calls (each O(directory) on some
		// hosts) logarithmic in the directory's size.
		*bp = make([]byte, 4*len(buf))
	}
}

// statInfo is a WASI filestat as an fs.FileInfo, converted exactly as Go's
// os package converts it for os.Lstat (os/stat_wasip1.go): WASI has no
// permission bits, so directories read 0700 and everything else 0600.
type statInfo struct{ st *syscall.Stat_t }

func (s statInfo) Name() string       { return "" }
func (s statInfo) Size() int64        { return int64(s.st.Size) }
func (s statInfo) ModTime() time.Time { return time.Unix(0, int64(s.st.Mtime)) }
func (s statInfo) IsDir() bool        { return s.st.Filetype == syscall.FILETYPE_DIRECTORY }
func (s statInfo) Sys() any           { return s.st }
func (s statInfo) Mode() fs.FileMode {
	var m fs.FileMode
	switch s.st.Filetype {
	case syscall.FILETYPE_BLOCK_DEVICE:
		m |= fs.ModeDevice
	case syscall.FILETYPE_CHARACTER_DEVICE:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case syscall.FILETYPE_DIRECTORY:
		m |= fs.ModeDir
	case syscall.FILETYPE_SOCKET_DGRAM, syscall.FILETYPE_SOCKET_STREAM:
		m |= fs.ModeSocket
	case syscall.FILETYPE_SYMBOLIC_LINK:
		m |= fs.ModeSymlink
	}
	if s.st.Filetype == syscall.FILETYPE_DIRECTORY {
		return m | 0o700
	}
	return m | 0o600
}
