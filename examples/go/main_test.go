package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRun runs the example (the Go snippet of the README) on a tree with one
// duplicate pair.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	os.MkdirAll(filepath.Join(tree, "sub"), 0o755)
	os.WriteFile(filepath.Join(tree, "a.txt"), []byte("same bytes\n"), 0o644)
	os.WriteFile(filepath.Join(tree, "sub", "b.txt"), []byte("same bytes\n"), 0o644)
	os.WriteFile(filepath.Join(tree, "c.txt"), []byte("other\n"), 0o644)
	var out strings.Builder
	if err := run(filepath.Join(dir, "lib"), tree, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"indexed 3 files, 28 bytes", "2 copies of 11 bytes", "11 bytes wasted in total"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
