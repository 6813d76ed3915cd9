//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLI_ReadOnlyLibraryReads: a library in a directory the user cannot write (0555, as
// user nobody when run as root) can be read. Before, stats and find failed with
// "permission denied": the CLI insisted on a writable directory, and SQLite could not
// create its shared-memory file beside the database ("left mid-write" in read-only mode).
func TestCLI_ReadOnlyLibraryReads(t *testing.T) {
	base, err := os.MkdirTemp("", "filedex-ro-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(base)
	os.Chmod(base, 0o755)
	tree := filepath.Join(base, "tree")
	os.MkdirAll(tree, 0o755)
	os.WriteFile(filepath.Join(tree, "hello.txt"), []byte("hi"), 0o644)
	lib := filepath.Join(base, "lib")
	c := newCLI(t)
	c.lib = lib
	c.ok("-q", "scan", tree)
	if err := os.Chmod(lib, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(lib, 0o755)
	run := func(args ...string) (int, string, string) {
		cmd := exec.Command(binary, append([]string{"--library", lib}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+base, "NO_COLOR=1")
		if os.Geteuid() == 0 {
			asNobody(cmd)
		}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, out.String(), errb.String()
	}
	if code, out, errs := run("stats"); code != 0 || !strings.Contains(out, "entries") {
		t.Fatalf("stats on a read-only library: exit %d %q %q", code, out, errs)
	}
	if code, out, errs := run("find", "--name", "hello*"); code != 0 || !strings.Contains(out, "hello.txt") {
		t.Fatalf("find on a read-only library: exit %d %q %q", code, out, errs)
	}
	if code, _, errs := run("tag", "create", "x"); code != 1 || !strings.Contains(errs, "read-only") {
		t.Fatalf("a write on a read-only library: exit %d %q, want read-only", code, errs)
	}
}
