package walk

import (
	"io/fs"
	"os"
)

// statRoot stats the walk root, following a symlink: the root is where the
// user pointed, and only what lies below it is walked without following.
func statRoot(root string) (fs.FileInfo, error) {
	return os.Stat(root)
}
