package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// What users of fd, du and locate reach for works: --version, a bare --json, a positional
// pattern, location rm by name, label paths like mkdir -p, and completion of tag and label
// names.
func TestCLI_Conveniences(t *testing.T) {
	c := newCLI(t)
	tree := makeTree(t)

	if out := c.ok("--version"); !strings.HasPrefix(out, "filedex ") || !strings.Contains(out, "SQLite") {
		t.Errorf("--version = %q", out)
	}
	var cmds struct {
		Name     string `json:"name"`
		Commands []struct {
			Name string `json:"name"`
		} `json:"commands"`
	}
	c.json(&cmds)
	if cmds.Name != "filedex" || len(cmds.Commands) < 10 {
		t.Errorf("filedex --json = %+v, want the commands as JSON", cmds)
	}

	if r := c.run("scan"); r.code != 2 || !strings.Contains(r.stderr, "no locations yet") {
		t.Errorf("scan with no location: exit %d, %q", r.code, r.stderr)
	}
	c.ok("-q", "location", "add", tree, "--name", "mytree")
	// scan without a PATH rescans every location.
	if out := c.ok("scan"); !strings.Contains(out, "Indexed "+tree+": 34 files") {
		t.Errorf("scan without a PATH = %q, want the location %s indexed", out, tree)
	}
	// A PATH inside a location rescans that location.
	if err := os.WriteFile(filepath.Join(tree, "dir2", "new.txt"), []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := c.run("scan", filepath.Join(tree, "dir2"))
	if r.code != 0 || !strings.Contains(r.stdout, "Indexed "+tree+": 35 files") || !strings.Contains(r.stdout, "1 added") {
		t.Errorf("scan of a directory inside a location: exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}

	// find PATTERN is --name '*PATTERN*'.
	out := c.ok("find", "note0")
	if n := strings.Count(out, "\n"); n != 30 {
		t.Errorf("find note0 printed %d paths, want 30 (note00…note09 in three directories)", n)
	}
	for _, args := range [][]string{{"find", "same-again"}, {"find", "SAME-Again"}, {"find", "-i", "--name", "SAME-*.TXT"}} {
		if out := c.ok(args...); out != filepath.Join(tree, "dir1", "same-again.txt")+"\n" {
			t.Errorf("%q = %q", args, out)
		}
	}
	if out := c.ok("find", "--name", "SAME-*.TXT"); out != "" {
		t.Errorf("--name without -i is case-sensitive; got %q", out)
	}

	// label create A/B/C creates the path; a second one reuses what exists.
	c.ok("-q", "label", "create", "projects/go/stdlib")
	c.ok("-q", "label", "create", "projects/go/tools")
	var labels struct {
		Labels []struct {
			Path string `json:"path"`
		} `json:"labels"`
	}
	c.json(&labels, "label", "list")
	var paths []string
	for _, l := range labels.Labels {
		paths = append(paths, l.Path)
	}
	if strings.Join(paths, " ") != "projects projects/go projects/go/stdlib projects/go/tools" {
		t.Errorf("labels after creating two paths: %q", paths)
	}
	c.ok("-q", "label", "add", "projects/go/stdlib", filepath.Join(tree, "dir0", "same.txt"))

	// Completion offers tag and label names.
	c.ok("-q", "tag", "create", "important")
	c.ok("-q", "tag", "create", "impish")
	if out := c.ok("__complete", "tag", "add", "imp"); !strings.Contains(out, "important\n") || !strings.Contains(out, "impish\n") {
		t.Errorf("completion of tag add imp = %q", out)
	}
	if out := c.ok("__complete", "find", "--tag", "impo"); !strings.HasPrefix(out, "important\n") {
		t.Errorf("completion of find --tag impo = %q", out)
	}
	if out := c.ok("__complete", "find", "--label", "projects/go/s"); !strings.HasPrefix(out, "projects/go/stdlib\n") {
		t.Errorf("completion of find --label = %q", out)
	}

	// location rm takes the location's name.
	c.ok("-q", "location", "rm", "mytree")
	var locs struct {
		Locations []json.RawMessage `json:"locations"`
	}
	c.json(&locs, "location", "list")
	if len(locs.Locations) != 0 {
		t.Errorf("location rm mytree left %d locations", len(locs.Locations))
	}
}
