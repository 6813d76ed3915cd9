package wasivfs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func never(error) bool { return false }

// Natively every directory can be stat'ed, so the resolution must agree
// with filepath.EvalSymlinks wherever that succeeds.
func TestReachableRealPath_AsEvalSymlinks(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"a/b/c", "x"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "a/b/c/db"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"rel":     "a/b",          // relative, to a directory
		"abs":     dir + "/a/b/c", // absolute
		"chain":   "rel/c",        // through another link
		"a/up":    "../x",         // climbs
		"filelnk": "a/b/c/db",     // to a file
	}
	for l, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, l)); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"a/b/c/db", "rel/c/db", "abs/db", "chain/db", "a/up", "filelnk", "a/b/../b/c"} {
		want, err := filepath.EvalSymlinks(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		got, linked, err := reachableRealPath(filepath.Join(dir, p), never)
		if err != nil || got != want {
			t.Errorf("%s: got %q, %v; want %q", p, got, err, want)
		}
		if wantLinked := want != filepath.Join(dir, p); linked != wantLinked {
			t.Errorf("%s: linked %v, want %v", p, linked, wantLinked)
		}
	}
	// A missing last component is a database about to be created: kept.
	if got, _, err := reachableRealPath(filepath.Join(dir, "rel", "new.db"), never); err != nil || got != filepath.Join(dir, "a/b/new.db") {
		t.Errorf("missing file: %q, %v", got, err)
	}
	// A missing directory above it is an error, as for the OS VFS.
	if _, _, err := reachableRealPath(filepath.Join(dir, "nodir", "new.db"), never); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing directory: %v", err)
	}
	// A loop ends in ELOOP.
	if err := os.Symlink("loop", filepath.Join(dir, "loop")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := reachableRealPath(filepath.Join(dir, "loop", "db"), never); !errors.Is(err, syscall.ELOOP) {
		t.Errorf("loop: %v", err)
	}
}

// Under WASI the ancestors of a preopen answer EBADF: they are taken as the
// plain directories they are to the guest, and resolution goes on below.
func TestReachableRealPath_UnreachableAncestors(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "lib", "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real", filepath.Join(dir, "lib", "link")); err != nil {
		t.Fatal(err)
	}
	// Everything above dir/lib is "outside the preopens": refuse to stat it.
	mount := filepath.Join(dir, "lib")
	blocked := func(err error) bool { return errors.Is(err, syscall.EBADF) }
	stat := lstat
	t.Cleanup(func() { lstat = stat })
	lstat = func(p string) (os.FileInfo, error) {
		if p != mount && !strings.HasPrefix(p, mount+"/") {
			return nil, &os.PathError{Op: "lstat", Path: p, Err: syscall.EBADF}
		}
		return os.Lstat(p)
	}
	got, linked, err := reachableRealPath(filepath.Join(mount, "link", "database.db"), blocked)
	if err != nil || got != filepath.Join(mount, "real", "database.db") || !linked {
		t.Errorf("got %q, %v, %v", got, linked, err)
	}
	// Without the tolerance it is the error every WASI open once failed with.
	if _, _, err := reachableRealPath(filepath.Join(mount, "link", "database.db"), never); !errors.Is(err, syscall.EBADF) {
		t.Errorf("strict: %v", err)
	}
}
