package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLI_WASIMoveBetweenSiblings: mv from one directory to a sibling under the WASI
// engine. It failed with "internal error: rename …: Not implemented on wasip1": each
// directory was its own mount, and WASI has no rename between two preopens.
func TestCLI_WASIMoveBetweenSiblings(t *testing.T) {
	env := wasiEnv(t)
	c := newCLI(t)
	c.env = append(c.env, env...)
	loc := filepath.Join(t.TempDir(), "loc")
	os.MkdirAll(filepath.Join(loc, "a"), 0o755)
	os.MkdirAll(filepath.Join(loc, "b"), 0o755)
	os.WriteFile(filepath.Join(loc, "a", "f.txt"), []byte("x"), 0o644)
	c.ok("-q", "scan", loc)
	c.ok("tag", "create", "keep")
	c.ok("tag", "add", "keep", filepath.Join(loc, "a", "f.txt"))
	src, dst := filepath.Join(loc, "a", "f.txt"), filepath.Join(loc, "b", "g.txt")
	if out := c.ok("--engine", "wasi", "mv", src, dst); !strings.Contains(out, "Moved") {
		t.Fatalf("mv: %q", out)
	}
	if _, err := os.Stat(dst); err != nil {
		t.Fatalf("not moved on disk: %v", err)
	}
	if out := c.ok("find", "--tag", "keep"); !strings.Contains(out, dst) {
		t.Fatalf("the tag did not follow the file: %q", out)
	}
	c.ok("check")
}
