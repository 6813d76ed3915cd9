//go:build !wasip1

package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// wasiEnv returns the environment that makes --engine wasi find the module
// `make wasm` builds. Without it the test skips, unless
// FILEDEX_REQUIRE_ARTIFACTS is set (make test sets it): CI never passes by
// skipping.
func wasiEnv(t *testing.T) []string {
	t.Helper()
	wasm, _ := filepath.Abs("../../build/libfiledex.wasm")
	if _, err := os.Stat(wasm); err != nil {
		if os.Getenv("FILEDEX_REQUIRE_ARTIFACTS") != "" {
			t.Fatalf("%s missing: run make wasm", wasm)
		}
		t.Skipf("%s missing: run make wasm (or make test)", wasm)
	}
	cache, _ := filepath.Abs("../../build/wazero-cache")
	return []string{"FILEDEX_WASM=" + wasm, "FILEDEX_WAZERO_CACHE=" + cache}
}

// TestCLI_WASIEngineSameAsNative runs scan, find and dupes on one tree with
// each engine (each with its own library) and compares what they report.
func TestCLI_WASIEngineSameAsNative(t *testing.T) {
	env := wasiEnv(t)
	tree := makeTree(t)
	native, wasi := newCLI(t), newCLI(t)
	wasi.env = append(wasi.env, env...)

	var ns, ws scanJSON
	native.json(&ns, "scan", tree)
	wasi.json(&ws, "--engine", "wasi", "scan", tree)
	n, w := ns.Summary, ws.Summary
	if n.Files != w.Files || n.Dirs != w.Dirs || n.Bytes != w.Bytes || n.Added != w.Added || n.Updated != w.Updated || len(n.Warnings) != len(w.Warnings) {
		t.Errorf("scan summaries differ:\nnative %+v\nwasi   %+v", ns.Summary, ws.Summary)
	}
	if ws.Locations[0].Path != tree {
		t.Errorf("wasi location path = %s, want %s", ws.Locations[0].Path, tree)
	}

	for _, args := range [][]string{
		{"find", "--ext", "txt"},
		{"find", "--name", "big*", "--under", tree},
		{"find", "--min-size", "1k"},
	} {
		var nf, wf entriesJSON
		native.json(&nf, args...)
		wasi.json(&wf, append([]string{"--engine", "wasi"}, args...)...)
		if !slices.Equal(nf.paths(), wf.paths()) || len(nf.Entries) == 0 {
			t.Errorf("%v: native %v, wasi %v", args, nf.paths(), wf.paths())
		}
	}

	for _, args := range [][]string{{"dupes"}, {"dupes", "--verify"}, {"dupes", "--under", filepath.Join(tree, "dir0")}} {
		var nd, wd dupesJSON
		native.json(&nd, args...)
		wasi.json(&wd, append([]string{"--engine", "wasi"}, args...)...)
		if nd.TotalWastedBytes != wd.TotalWastedBytes || len(nd.Groups) != len(wd.Groups) {
			t.Fatalf("%v: native %+v, wasi %+v", args, nd, wd)
		}
		for i := range nd.Groups {
			n, w := nd.Groups[i], wd.Groups[i]
			if n.CasID != w.CasID || n.WastedBytes != w.WastedBytes || n.Verified != w.Verified || !slices.Equal(n.Paths, w.Paths) {
				t.Errorf("%v group %d: native %+v, wasi %+v", args, i, n, w)
			}
		}
	}
}

// TestCLI_WASIInventsNoMetadata: WASI preview 1 cannot see permission bits or birth times.
// A natively indexed tree rescanned with --engine wasi changes nothing (it once "updated"
// every file to the 0600 Go's wasip1 port makes up, and dropped created_at), and find --json
// reads the same entries through both engines. A library the WASI engine builds holds those
// values as unknown (null), never as invented ones. Access times that a content scan's own
// reads moved are no change either.
func TestCLI_WASIInventsNoMetadata(t *testing.T) {
	env := wasiEnv(t)
	tree := makeTree(t)
	if err := os.Chmod(filepath.Join(tree, "dir0", "note00.txt"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(tree, "dir1"), 0o750); err != nil {
		t.Fatal(err)
	}
	// Access times before the modification times: a read then moves them (relatime).
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	filepath.WalkDir(tree, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Chtimes(p, old, old.Add(time.Hour))
		}
		return nil
	})
	c := newCLI(t)
	wasi := append([]string{}, env...)
	var first, again, viaWASI scanJSON
	c.json(&first, "scan", tree)
	if first.Summary.Added == 0 {
		t.Fatalf("first scan: %+v", first.Summary)
	}
	c.json(&again, "scan", tree)
	if s := again.Summary; s.Updated != 0 || s.Added != 0 || s.Removed != 0 {
		t.Errorf("native rescan after a content scan read every file: %+v, want no change", s)
	}
	findNative := c.ok("--json", "find", "--under", tree, "--limit", "1000")
	if !strings.Contains(findNative, `"permissions": 493`) { // 0755
		t.Fatalf("native find shows no permissions:\n%.2000s", findNative)
	}
	cw := *c
	cw.env = append(slices.Clone(c.env), wasi...)
	cw.json(&viaWASI, "--engine", "wasi", "scan", tree)
	if s := viaWASI.Summary; s.Updated != 0 || s.Added != 0 || s.Removed != 0 || s.Moved != 0 {
		t.Errorf("--engine wasi rescan of a native library: %+v, want no change", s)
	}
	if got := cw.ok("--json", "--engine", "wasi", "find", "--under", tree, "--limit", "1000"); got != findNative {
		t.Errorf("find --json differs between engines after a WASI rescan:\nnative %.1500s\nwasi   %.1500s", findNative, got)
	}
	if got := c.ok("--json", "find", "--under", tree, "--limit", "1000"); got != findNative {
		t.Errorf("the WASI rescan changed what native find reads:\nbefore %.1500s\nafter  %.1500s", findNative, got)
	}
	c.json(&again, "scan", tree)
	if s := again.Summary; s.Updated != 0 {
		t.Errorf("native rescan after the WASI rescan: %+v, want no change", s)
	}

	// A library built by the WASI engine: permissions and birth times unknown, not made up.
	w := newCLI(t)
	w.env = append(w.env, wasi...)
	var built scanJSON
	w.json(&built, "--engine", "wasi", "scan", tree)
	var found struct {
		Entries []map[string]any `json:"entries"`
	}
	w.json(&found, "--engine", "wasi", "find", "--under", tree, "--limit", "1000")
	if len(found.Entries) == 0 {
		t.Fatal("wasi find found nothing")
	}
	for _, e := range found.Entries {
		if p, ok := e["permissions"]; ok && p != nil {
			t.Errorf("WASI-built library: %v has permissions %v (WASI cannot see them)", e["path"], p)
		}
		if b, ok := e["created_at"]; ok && b != nil {
			t.Errorf("WASI-built library: %v has created_at %v (WASI has no birth time)", e["path"], b)
		}
	}
	// Its own rescan changes nothing (the content scan's reads moved access times)...
	w.json(&again, "--engine", "wasi", "scan", tree)
	if s := again.Summary; s.Updated != 0 || s.Added != 0 || s.Removed != 0 {
		t.Errorf("--engine wasi rescan of a WASI-built library: %+v, want no change", s)
	}
	// ...and a native rescan fills in what it could not see; the next changes nothing.
	w.json(&again, "scan", tree)
	w.json(&again, "scan", tree)
	if s := again.Summary; s.Updated != 0 {
		t.Errorf("second native rescan of a WASI-built library: %+v", s)
	}
	if got := w.ok("--json", "find", "--under", tree, "--limit", "1000"); !strings.Contains(got, `"permissions": 493`) {
		t.Errorf("native rescan did not record the permissions WASI could not see:\n%.1500s", got)
	}
}

// TestCLI_WASIEngineRootPaths: a command naming "/", or a missing path whose
// nearest existing directory is "/", gets the native engine's answer. The
// mount of "/" refused every operation once, and the CLI reported that as
// "library …: permission denied".
func TestCLI_WASIEngineRootPaths(t *testing.T) {
	env := wasiEnv(t)
	native, wasi := newCLI(t), newCLI(t)
	wasi.env = append(wasi.env, env...)
	native.ok("tag", "create", "t")
	wasi.ok("--engine", "wasi", "tag", "create", "t")
	for _, args := range [][]string{{"ls", "/"}, {"ls", "/filedex-no-such-dir"}, {"tag", "add", "t", "/filedex-no-such-file"}} {
		n := native.run(args...)
		w := wasi.run(append([]string{"--engine", "wasi"}, args...)...)
		if w.code != n.code || w.stderr != n.stderr || w.stdout != n.stdout {
			t.Errorf("%v:\nnative exit %d %q %q\nwasi   exit %d %q %q", args, n.code, n.stdout, n.stderr, w.code, w.stdout, w.stderr)
		}
		if strings.Contains(w.stderr, "permission denied") {
			t.Errorf("%v: %s", args, w.stderr)
		}
	}
}

// TestMountDirs_NoSymlinkOutside: the directories mounted for a command are
// the ones its paths name, not where a symlink inside them points.
// `tag add t tree/slash/etc/shadow`, with tree/slash a link to /, mounted
// /etc read-write into the guest.
func TestMountDirs_NoSymlinkOutside(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(dir, "lib")
	tree := filepath.Join(dir, "tree")
	for _, d := range []string{lib, filepath.Join(tree, "sub"), filepath.Join(dir, "real")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/", filepath.Join(tree, "slash")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../real", filepath.Join(tree, "rel")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tree, "sub", "f"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		want []string
	}{
		{filepath.Join(tree, "slash", "etc", "shadow"), []string{lib, tree}},
		{filepath.Join(tree, "slash", "etc"), []string{lib, tree}},
		{filepath.Join(tree, "rel", "x"), []string{lib, tree}},
		{filepath.Join(tree, "slash"), []string{lib, tree}}, // the link itself: judged by the guest
		{filepath.Join(tree, "sub", "f"), []string{lib, filepath.Join(tree, "sub")}},
		{filepath.Join(tree, "sub", "new", "deeper"), []string{lib, filepath.Join(tree, "sub")}},
		{tree, []string{lib, tree}},
		{"/", []string{"/"}},
	} {
		got, err := mountDirs(lib, []string{c.path})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: mounts %v, want %v", c.path, got, c.want)
		}
	}
}

// TestCLI_WASIHardLinksMetadataMode: in a metadata-mode location (no content ids) du counts
// a file with several names once, from the link counts the scan records, under both engines:
// WASI preview 1's filestat has nlink. A WASI rescan of a natively indexed tree changes
// nothing, and a library the WASI engine builds gives the same du.
func TestCLI_WASIHardLinksMetadataMode(t *testing.T) {
	env := wasiEnv(t)
	root := filepath.Join(t.TempDir(), "tree")
	if err := os.MkdirAll(filepath.Join(root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	data := []byte(strings.Repeat("one file, four names ", 10000)) // 210,000 bytes
	if err := os.WriteFile(filepath.Join(root, "orig"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "alone"), data[:1000], 0o644); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"l1", "sub/l2", "sub/l3"} {
		if err := os.Link(filepath.Join(root, "orig"), filepath.Join(root, l)); err != nil {
			t.Skipf("no hard links here: %v", err)
		}
	}
	want := map[string]int64{root: int64(len(data) + 1000), filepath.Join(root, "sub"): int64(len(data))}
	du := func(c *cli, step string, engine ...string) {
		t.Helper()
		var out struct {
			Dirs []struct {
				Path  string `json:"path"`
				Bytes int64  `json:"bytes"`
			} `json:"dirs"`
		}
		c.json(&out, append(engine, "du", "--depth", "1", root)...)
		if len(out.Dirs) != len(want) {
			t.Errorf("%s: du: %+v, want %v", step, out.Dirs, want)
		}
		for _, d := range out.Dirs {
			if want[d.Path] != d.Bytes {
				t.Errorf("%s: du %s = %d B, want %d (each file once)", step, d.Path, d.Bytes, want[d.Path])
			}
		}
	}
	wasi := []string{"--engine", "wasi"}
	c := newCLI(t)
	c.env = append(c.env, env...)
	var s scanJSON
	c.json(&s, "scan", "--mode", "metadata", root)
	du(c, "native scan")
	c.json(&s, append(wasi, "scan", root)...)
	if x := s.Summary; x.Updated != 0 || x.Added != 0 || x.Removed != 0 || x.Moved != 0 {
		t.Errorf("--engine wasi rescan of a native library: %+v, want no change", x)
	}
	du(c, "after a WASI rescan")
	du(c, "read through the WASI engine", wasi...)

	w := newCLI(t)
	w.env = append(w.env, env...)
	w.json(&s, append(wasi, "scan", "--mode", "metadata", root)...)
	du(w, "WASI-built library", wasi...)
	w.json(&s, append(wasi, "scan", root)...)
	if x := s.Summary; x.Updated != 0 || x.Added != 0 || x.Removed != 0 {
		t.Errorf("WASI rescan of a WASI-built library: %+v, want no change", x)
	}
	// A native rescan fills in what WASI cannot see (permissions, birth times); the next one
	// finds nothing to change, link counts included.
	w.json(&s, "scan", root)
	w.json(&s, "scan", root)
	if x := s.Summary; x.Updated != 0 {
		t.Errorf("second native rescan of a WASI-built library: %+v, want no change", x)
	}
	du(w, "WASI-built library rescanned natively")
}
