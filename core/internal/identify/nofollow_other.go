//go:build !unix && !wasip1

package identify

// noFollow is 0 where the platform has no O_NOFOLLOW; the stat check after
// opening still refuses anything but a regular file.
const noFollow = 0
