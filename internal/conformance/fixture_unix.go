//go:build unix

package conformance

import (
	"time"

	"golang.org/x/sys/unix"
)

// lchtimes sets a symlink's own access and modification times (os.Chtimes
// follows links, and the fixture's link points outside).
func lchtimes(p string, t time.Time) error {
	ts := []unix.Timespec{unix.NsecToTimespec(t.UnixNano()), unix.NsecToTimespec(t.UnixNano())}
	return unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW)
}
