//go:build !linux

package core

import "os"

var (
	lstat  = os.Lstat
	rename = os.Rename
)

// renameNoReplace renames without replacing dst: check, then rename (see renameChecked).
func renameNoReplace(src, dst string) error { return renameChecked(src, dst) }
