//go:build unix

package core_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/filedex/filedex/core"
)

// TestMove_CrossDevice simulates a mount point inside a location: the index holds a
// directory "other" while on disk it leads (through a symlink) to a directory on another
// filesystem, so rename(2) fails with EXDEV. The move must be refused and change nothing.
func TestMove_CrossDevice(t *testing.T) {
	const shm = "/dev/shm"
	var a, b syscall.Stat_t
	tmp := t.TempDir()
	if syscall.Stat(shm, &a) != nil || syscall.Stat(tmp, &b) != nil || a.Dev == b.Dev {
		t.Skipf("need %s on a different filesystem than %s to provoke EXDEV", shm, tmp)
	}
	other, err := os.MkdirTemp(shm, "filedex-test-")
	if err != nil {
		t.Skipf("cannot write %s: %v", shm, err)
	}
	t.Cleanup(func() { os.RemoveAll(other) })
	ctx := context.Background()
	lib := openTest(t)
	loc, ids := diskTree(t, lib, tmp, "f.txt")
	if err := os.Symlink(other, filepath.Join(loc.Path, "other")); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Entries().Create(ctx, core.EntryInput{ParentID: loc.RootID, Name: "other", Kind: core.KindDirectory, ModifiedAt: t0}); err != nil {
		t.Fatal(err)
	}
	_, err = lib.Entries().Move(ctx, filepath.Join(loc.Path, "f.txt"), filepath.Join(loc.Path, "other", "f.txt"))
	if !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("cross-device move: %v", err)
	}
	if id, err := lib.Entries().Resolve(ctx, filepath.Join(loc.Path, "f.txt")); err != nil || id != ids["f.txt"] {
		t.Fatalf("index changed: %d %v", id, err)
	}
	if _, err := os.Stat(filepath.Join(loc.Path, "f.txt")); err != nil {
		t.Fatal(err)
	}
}
