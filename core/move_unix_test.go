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

// TestMove_SymlinkSwap is the attack on a move over a tree others can write: index a
// file, then replace a directory on its path with a symlink to a directory outside every
// location. A move by name would follow the link and move the outsider's file; the move
// must be refused, the outside file left where it was, the index unchanged.
func TestMove_SymlinkSwap(t *testing.T) {
	ctx := context.Background()
	lib := openTest(t)
	base := t.TempDir()
	loc, victim := filepath.Join(base, "loc"), filepath.Join(base, "victim")
	for _, d := range []string{filepath.Join(loc, "sub"), filepath.Join(loc, "d2"), victim} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(loc, "sub", "passwd"), []byte("idx\n"), 0o644)
	os.WriteFile(filepath.Join(victim, "passwd"), []byte("VICTIM\n"), 0o644)
	if _, err := lib.ScanPath(ctx, loc, core.ModeMetadata, nil, core.ScanOptions{}); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(loc, "sub"))
	if err := os.Symlink(victim, filepath.Join(loc, "sub")); err != nil {
		t.Fatal(err)
	}
	_, err := lib.Entries().Move(ctx, filepath.Join(loc, "sub", "passwd"), filepath.Join(loc, "d2", "x"))
	if !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("move through a swapped symlink: %v, want ErrInvalid", err)
	}
	if b, err := os.ReadFile(filepath.Join(victim, "passwd")); err != nil || string(b) != "VICTIM\n" {
		t.Fatalf("the file outside the location moved: %q %v", b, err)
	}
	if _, err := os.Lstat(filepath.Join(loc, "d2", "x")); err == nil {
		t.Fatal("the destination exists")
	}
	if _, err := lib.Entries().Resolve(ctx, filepath.Join(loc, "sub", "passwd")); err != nil {
		t.Fatalf("index changed: %v", err)
	}
}

// TestMove_ReplacedFile: a file replaced on disk since the scan (another inode under the
// indexed name, such as a hard link planted by someone who can write the directory) is not
// the file the index describes: moving it would carry the index's tags to another file.
func TestMove_ReplacedFile(t *testing.T) {
	ctx := context.Background()
	lib := openTest(t)
	loc := filepath.Join(t.TempDir(), "loc")
	os.MkdirAll(filepath.Join(loc, "d"), 0o755)
	f := filepath.Join(loc, "f.txt")
	os.WriteFile(f, []byte("a"), 0o644)
	if _, err := lib.ScanPath(ctx, loc, core.ModeMetadata, nil, core.ScanOptions{}); err != nil {
		t.Fatal(err)
	}
	// The new file exists before the old one goes, so it cannot get the old inode number.
	os.WriteFile(filepath.Join(loc, "other"), []byte("b"), 0o644)
	os.Rename(filepath.Join(loc, "other"), f)
	_, err := lib.Entries().Move(ctx, f, filepath.Join(loc, "d", "f.txt"))
	if !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("move of a replaced file: %v, want ErrInvalid", err)
	}
	if _, err := os.Stat(f); err != nil {
		t.Fatal(err)
	}
}
