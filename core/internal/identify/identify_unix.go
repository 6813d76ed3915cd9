//go:build unix

package identify

import (
	"io"
	"io/fs"

	"golang.org/x/sys/unix"
)

// fdFile reads a file through its raw descriptor. An *os.File costs five
// more system calls per file on Linux (fcntl flag juggling and a failing
// epoll registration for the poller), which strace showed to be the largest
// share of syscalls in the content phase of a scan of /usr.
type fdFile int

// open opens path read-only without following a symlink: a file swapped
// for a symlink after the walk must not have its target hashed under the
// file's name.
func open(path string) (openFile, error) {
	for {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_NOCTTY, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return fdFile(fd), nil
	}
}

// ReadAt implements io.ReaderAt with pread, looping over short reads.
func (f fdFile) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		m, err := unix.Pread(int(f), p[n:], off+int64(n))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return n, err
		}
		if m == 0 {
			return n, io.EOF
		}
		n += m
	}
	return n, nil
}

func (f fdFile) Close() error { return unix.Close(int(f)) }

func (f fdFile) stat() (bool, int64, int64, error) {
	var st unix.Stat_t
	for {
		err := unix.Fstat(int(f), &st)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return false, 0, 0, err
		}
		return uint32(st.Mode)&unix.S_IFMT == unix.S_IFREG, st.Size, st.Mtim.Nano(), nil
	}
}
