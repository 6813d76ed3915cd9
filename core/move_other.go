//go:build !linux

package core

import "os"

var (
	lstat  = os.Lstat
	rename = os.Rename
)

// renameNoReplace renames without replacing dst: check, then rename (see renameChecked).
func renameNoReplace(src, dst string) error { return renameChecked(src, dst) }

// diskMove renames by path where there is no openat2 (see move_linux.go for why Linux
// does it relative to directory descriptors).
type diskMove struct{ src, dst string }

func prepareMove(_, src, dst string, _ uint64) (*diskMove, error) {
	return &diskMove{src: src, dst: dst}, nil
}

func (m *diskMove) rename() error { return renameNoReplace(m.src, m.dst) }
func (m *diskMove) undo() error   { return renameNoReplace(m.dst, m.src) }
func (m *diskMove) close()        {}
