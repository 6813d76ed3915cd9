package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// manyDirs writes n directories holding one small file each.
func manyDirs(t *testing.T, n int) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "many")
	for i := range n {
		d := filepath.Join(root, fmt.Sprintf("d%03d", i))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "f.txt"), []byte(strings.Repeat("x", i+1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// A limit is the user's count, any size; results are never cut silently.
func TestCLI_NoSilentTruncation(t *testing.T) {
	c := newCLI(t)
	root := manyDirs(t, 130)
	c.ok("-q", "scan", "--mode", "metadata", root)

	// du --large-files lists every directory (it stopped at 100), and a --limit says
	// when more exist.
	var lf struct {
		Dirs []struct{ Path string } `json:"dirs"`
		More bool                    `json:"more"`
	}
	c.json(&lf, "du", "--large-files", "1")
	if len(lf.Dirs) != 130 || lf.More {
		t.Errorf("du --large-files 1: %d directories (more %v), want 130", len(lf.Dirs), lf.More)
	}
	c.json(&lf, "du", "--large-files", "1", "--limit", "10")
	if len(lf.Dirs) != 10 || !lf.More {
		t.Errorf("du --large-files 1 --limit 10: %d directories, more %v; want 10 and more", len(lf.Dirs), lf.More)
	}
	if r := c.run("du", "--large-files", "1", "--limit", "10"); r.code != 0 || !strings.Contains(r.stderr, "raise --limit") {
		t.Errorf("du --limit 10: exit %d, stderr %q: want a line saying more exist", r.code, r.stderr)
	}

	// find and ls accept a limit above a page's size.
	out := c.ok("find", "--limit", "20000")
	if n := strings.Count(out, "\n"); n != 261 {
		t.Errorf("find --limit 20000 printed %d paths, want 261", n)
	}
	out = c.ok("ls", root, "--limit", "50000")
	if n := strings.Count(out, "\n"); n != 130 {
		t.Errorf("ls --limit 50000 printed %d lines, want 130", n)
	}
	// A limit below the count stops there and says how to go on.
	r := c.run("find", "--limit", "7", "--name", "f.txt")
	if strings.Count(r.stdout, "\n") != 7 || !strings.Contains(r.stderr, "--after ") {
		t.Errorf("find --limit 7: %q, stderr %q", r.stdout, r.stderr)
	}
	cursor := strings.TrimSpace(r.stderr[strings.Index(r.stderr, "--after ")+len("--after "):])
	rest := c.ok("find", "--name", "f.txt", "--after", cursor)
	all := strings.Split(strings.TrimSpace(r.stdout+rest), "\n")
	slices.Sort(all)
	if len(slices.Compact(all)) != 130 {
		t.Errorf("--limit 7 then --after: %d distinct paths, want 130", len(all))
	}
}

// dupes -0 prints the members' exact paths, NUL-ended, a second NUL after each group; JSON
// carries paths_b64 for a path that is not UTF-8.
func TestCLI_DupesPrint0(t *testing.T) {
	c := newCLI(t)
	root := filepath.Join(t.TempDir(), "d")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	a, b := filepath.Join(root, "copy\xff\none"), filepath.Join(root, "copy two")
	for _, p := range []string{a, b} {
		if err := os.WriteFile(p, []byte("same bytes in both"), 0o644); err != nil {
			t.Skipf("this filesystem refuses %q: %v", p, err)
		}
	}
	c.ok("-q", "scan", root)
	out := c.ok("dupes", "-0")
	if want1, want2 := a+"\x00"+b+"\x00\x00", b+"\x00"+a+"\x00\x00"; out != want1 && out != want2 {
		t.Errorf("dupes -0 = %q", out)
	}
	if out := c.ok("dupes"); !strings.Contains(out, "  "+a+"\n") {
		t.Errorf("dupes = %q, want the exact path %q", out, a)
	}
	var doc struct {
		Groups []struct {
			Paths    []string `json:"paths"`
			PathsB64 []string `json:"paths_b64"`
		} `json:"groups"`
	}
	c.json(&doc, "dupes")
	if len(doc.Groups) != 1 || len(doc.Groups[0].PathsB64) != 2 {
		t.Errorf("dupes --json = %+v, want paths_b64 beside paths", doc)
	}
}
