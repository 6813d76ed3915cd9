package core

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

var (
	lstat  = os.Lstat
	rename = os.Rename
)

// renameNoReplace renames atomically without ever replacing dst (renameat2 with
// RENAME_NOREPLACE, Linux 3.15+), falling back to check-then-rename on filesystems or
// kernels without it.
func renameNoReplace(src, dst string) error {
	return renameatNoReplace(unix.AT_FDCWD, src, unix.AT_FDCWD, dst)
}

func renameatNoReplace(srcDir int, src string, dstDir int, dst string) error {
	err := unix.Renameat2(srcDir, src, dstDir, dst, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) {
		var st unix.Stat_t
		if err := unix.Fstatat(dstDir, dst, &st, unix.AT_SYMLINK_NOFOLLOW); err == nil {
			return &os.LinkError{Op: "rename", Old: src, New: dst, Err: os.ErrExist}
		} else if !errors.Is(err, unix.ENOENT) {
			return &os.LinkError{Op: "rename", Old: src, New: dst, Err: err}
		}
		err = unix.Renameat(srcDir, src, dstDir, dst)
	}
	if err != nil {
		return &os.LinkError{Op: "rename", Old: src, New: dst, Err: err}
	}
	return nil
}

// diskMove is a rename prepared without following any symlink below the location root.
//
// A path that was checked against the index and then renamed by name can be redirected in
// between: replace a directory on it with a symlink, and the rename moves whatever the link
// points to (a file outside every location, /etc/shadow when root runs the move over a tree
// other users can write). So each directory from the root down is opened relative to the
// one before without following symlinks (openat2 RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH, or
// O_NOFOLLOW one component at a time), the source's inode is checked against the index,
// and the rename is renameat2 on the two directory descriptors. The location root itself is
// opened as the user named it: it was their choice, and may well lie under a symlink.
type diskMove struct {
	srcDir, dstDir   int
	srcName, dstName string
	src, dst         string // for messages
	ino              uint64 // the inode the index holds; 0 when unknown
}

// prepareMove opens the directories of src and dst below root. wantIno is the source's
// indexed inode (0: not recorded).
func prepareMove(root, src, dst string, wantIno uint64) (*diskMove, error) {
	m := &diskMove{srcDir: -1, dstDir: -1, src: src, dst: dst, srcName: filepath.Base(src), dstName: filepath.Base(dst), ino: wantIno}
	rootFd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: root, Err: err}
	}
	defer unix.Close(rootFd)
	if m.srcDir, err = openBeneath(rootFd, root, filepath.Dir(src)); err != nil {
		return nil, err
	}
	if m.dstDir, err = openBeneath(rootFd, root, filepath.Dir(dst)); err != nil {
		m.close()
		return nil, err
	}
	return m, nil
}

// openBeneath opens dir (an absolute path at or below root) as a directory relative to
// rootFd, following no symlink.
func openBeneath(rootFd int, root, dir string) (int, error) {
	rel, err := filepath.Rel(root, dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return -1, fmt.Errorf("%s is not inside the location %s", dir, root)
	}
	how := unix.OpenHow{Flags: unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC, Resolve: unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_BENEATH}
	fd, err := unix.Openat2(rootFd, rel, &how)
	if err == nil {
		return fd, nil
	}
	if !errors.Is(err, unix.ENOSYS) && !errors.Is(err, unix.EPERM) {
		return -1, symlinkError(dir, err)
	}
	// Before Linux 5.6 (or under a seccomp filter that refuses openat2): one component at a
	// time, each with O_NOFOLLOW.
	fd, err = unix.Dup(rootFd)
	if err != nil {
		return -1, err
	}
	if rel == "." {
		return fd, nil
	}
	for _, c := range strings.Split(rel, "/") {
		next, err := unix.Openat(fd, c, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		unix.Close(fd)
		if err != nil {
			return -1, symlinkError(dir, err)
		}
		fd = next
	}
	return fd, nil
}

// symlinkError names what a no-follow open refused.
func symlinkError(dir string, err error) error {
	if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.EXDEV) {
		return fmt.Errorf("%w: a directory on the path %s is a symlink on disk (or is not a directory), which the index does not hold; filedex does not follow it: rescan the location", ErrInvalid, dir)
	}
	return &os.PathError{Op: "open", Path: dir, Err: err}
}

// rename checks the source against the index, then renames it.
func (m *diskMove) rename() error {
	var st unix.Stat_t
	if err := unix.Fstatat(m.srcDir, m.srcName, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "stat", Path: m.src, Err: err}
	}
	if m.ino != 0 && st.Ino != m.ino {
		return fmt.Errorf("%w: %s on disk is not the file the index holds (inode %d, indexed %d): it was replaced since the last scan; rescan the location", ErrInvalid, m.src, st.Ino, m.ino)
	}
	if err := renameatNoReplace(m.srcDir, m.srcName, m.dstDir, m.dstName); err != nil {
		return err
	}
	// The name was checked, then renamed: if it was swapped in between, put back what moved.
	if err := unix.Fstatat(m.dstDir, m.dstName, &st, unix.AT_SYMLINK_NOFOLLOW); err == nil && m.ino != 0 && st.Ino != m.ino {
		renameatNoReplace(m.dstDir, m.dstName, m.srcDir, m.srcName)
		return fmt.Errorf("%w: %s was replaced on disk while it was being moved; nothing moved", ErrInvalid, m.src)
	}
	return nil
}

// undo renames the file back (after a failed commit).
func (m *diskMove) undo() error {
	return renameatNoReplace(m.dstDir, m.dstName, m.srcDir, m.srcName)
}

func (m *diskMove) close() {
	if m == nil {
		return
	}
	if m.srcDir >= 0 {
		unix.Close(m.srcDir)
	}
	if m.dstDir >= 0 {
		unix.Close(m.dstDir)
	}
}
