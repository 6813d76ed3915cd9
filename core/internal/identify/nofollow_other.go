//go:build !unix && !wasip1

package identify

// oNoFollow is 0 where the platform has no O_NOFOLLOW; the Stat check after
// opening still refuses anything but a regular file.
const oNoFollow = 0
