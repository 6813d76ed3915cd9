//go:build linux

package walk_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/filedex/filedex/core/internal/walk"
)

// TestWalker_Walk_bindMountLoop makes a tree contain itself with a bind mount
// and checks the walker lists the mount point but does not descend into it.
// The mount is made by a re-run of this test inside a private mount
// namespace (unshare -m), so it vanishes with that process even if the test
// dies and never shows to anything else on the machine.
func TestWalker_Walk_bindMountLoop(t *testing.T) {
	const env = "FILEDEX_TEST_BINDLOOP_ROOT"
	if root := os.Getenv(env); root != "" {
		loop := filepath.Join(root, "a", "loop")
		if out, err := exec.Command("mount", "--bind", root, loop).CombinedOutput(); err != nil {
			t.Skipf("mount --bind: %v: %s", err, out)
		}
		r := run(t, root, walk.Options{}, nil)
		if _, ok := r.batches["a/loop"]; ok {
			t.Error("descended into a directory that is its own ancestor")
		}
		b := r.batches["a"]
		if b == nil || len(b.Warnings) != 1 || b.Warnings[0].Op != "loop" || b.Warnings[0].Path != "a/loop" {
			t.Errorf("batch a: %+v", b)
		}
		if e, ok := r.entries["a/loop"]; !ok || e.typ != walk.Dir {
			t.Error("the mount point itself should still be listed")
		}
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to bind-mount")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("unshare not installed")
	}
	root := t.TempDir()
	mkfile(t, filepath.Join(root, "a", "loop", ".keep"), 0)
	os.Remove(filepath.Join(root, "a", "loop", ".keep"))
	mkfile(t, filepath.Join(root, "a", "file"), 1)
	cmd := exec.Command(unshare, "-m", "--propagation", "private", os.Args[0], "-test.run=^TestWalker_Walk_bindMountLoop$", "-test.v")
	cmd.Env = append(os.Environ(), env+"="+root)
	out, err := cmd.CombinedOutput()
	switch {
	case bytes.Contains(out, []byte("--- FAIL")):
		t.Fatalf("in the mount namespace:\n%s", out)
	case err != nil:
		t.Skipf("cannot make a private mount namespace: %v\n%s", err, out)
	case bytes.Contains(out, []byte("--- SKIP")):
		t.Skipf("bind mount not permitted in the namespace:\n%s", out)
	}
}
