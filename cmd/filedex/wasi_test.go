//go:build !wasip1

package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
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
