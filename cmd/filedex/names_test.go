package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// oddTree writes names a filesystem allows and JSON cannot carry as text: bytes that are not
// UTF-8 (in a file and in a directory) and a newline.
func oddTree(t *testing.T) (root string, bad, newline, dir, inner string) {
	t.Helper()
	root = filepath.Join(t.TempDir(), "odd")
	bad = filepath.Join(root, "bad\xffutf8.txt")
	newline = filepath.Join(root, "new\nline.txt")
	dir = filepath.Join(root, "dir\xfe")
	inner = filepath.Join(dir, "inner.txt")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Skipf("this filesystem refuses names that are not UTF-8: %v", err)
	}
	for _, p := range []string{bad, newline, inner} {
		if err := os.WriteFile(p, []byte(p), 0o644); err != nil {
			t.Skipf("this filesystem refuses the name %q: %v", p, err)
		}
	}
	return
}

// The exact bytes of a name survive every path: printed by find and ls, with -0 for names
// holding newlines, kept in path_b64/name_b64 under --json, and found again when given as
// an argument (meta, tag add, ls).
func TestCLI_NamesKeepTheirBytes(t *testing.T) {
	c := newCLI(t)
	root, bad, newline, dir, inner := oddTree(t)
	c.ok("-q", "scan", "--mode", "metadata", root)

	want := []string{root, bad, newline, dir, inner}
	slices.Sort(want)
	got := strings.Split(strings.TrimSuffix(c.ok("find", "-0"), "\x00"), "\x00")
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("find -0 = %q, want %q", got, want)
	}
	lines := strings.Split(c.ok("find", "--under", root), "\n")
	if !slices.Contains(lines, bad) || !slices.Contains(lines, inner) {
		t.Errorf("find prints %q; want the exact bytes of %q and %q", lines, bad, inner)
	}
	if out := c.ok("find", "--under", dir); out != inner+"\n" {
		t.Errorf("find --under a directory whose name is not UTF-8 = %q, want %q", out, inner+"\n")
	}
	if out := c.ok("ls", "-0", dir); out != inner+"\x00" {
		t.Errorf("ls -0 %q = %q", dir, out)
	}
	if out := c.ok("ls", root); !strings.Contains(out, "bad\xffutf8.txt\n") || !strings.Contains(out, "dir\xfe/\n") {
		t.Errorf("ls prints %q; want the names' exact bytes", out)
	}

	var doc struct {
		Entries []struct {
			Path    string `json:"path"`
			PathB64 string `json:"path_b64"`
			Name    string `json:"name"`
			NameB64 string `json:"name_b64"`
		} `json:"entries"`
	}
	c.json(&doc, "find", "--name", "bad*")
	if len(doc.Entries) != 1 {
		t.Fatalf("find --name 'bad*': %+v", doc)
	}
	e := doc.Entries[0]
	p, _ := base64.StdEncoding.DecodeString(e.PathB64)
	n, _ := base64.StdEncoding.DecodeString(e.NameB64)
	if string(p) != bad || string(n) != filepath.Base(bad) || e.Path != "" && !strings.Contains(e.Path, "\ufffd") {
		t.Errorf("--json entry %+v: path_b64 and name_b64 must hold the exact bytes", e)
	}

	if out := c.ok("du", dir); !strings.Contains(out, "1 file") {
		t.Errorf("du %q = %q", dir, out)
	}
	if r := c.run("dupes", "--under", dir); r.code != 0 {
		t.Errorf("dupes --under %q: exit %d, %s", dir, r.code, r.stderr)
	}

	// Arguments that are not UTF-8 name their entries.
	c.ok("meta", bad, "--favorite")
	if out := c.ok("meta", bad); !strings.Contains(out, "favorite: yes") {
		t.Errorf("meta %q: %s", bad, out)
	}
	c.ok("tag", "create", "odd")
	c.ok("tag", "add", "odd", bad, dir)
	got = strings.Split(strings.TrimSuffix(c.ok("find", "--tag", "odd", "-0"), "\x00"), "\x00")
	slices.Sort(got)
	if wantTagged := []string{bad, dir}; !slices.Equal(got, wantTagged) {
		t.Errorf("find --tag odd = %q, want %q", got, wantTagged)
	}
}

// Summaries and tables print absolute paths, whatever the working directory.
func TestCLI_PathsAreAbsolute(t *testing.T) {
	c := newCLI(t)
	tree := makeTree(t)
	c.dir = filepath.Dir(tree)
	out := c.ok("scan", "tree")
	if !strings.Contains(out, tree) {
		t.Errorf("scan summary run in the tree's parent = %q, want the absolute path %s", out, tree)
	}
	if out := c.ok("location", "list"); !strings.Contains(out, tree) {
		t.Errorf("location list = %q, want %s", out, tree)
	}
	if out := c.ok("dupes"); !strings.Contains(out, filepath.Join(tree, "photos", "big.bin")) {
		t.Errorf("dupes = %q, want absolute paths", out)
	}
}
