package wasmhost

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// keepCompiled is how many compiled modules the default cache keeps: each build of
// libfiledex.wasm compiles to its own entry of about 112 MB (two with Config.Uncancellable set
// and unset), and wazero never deletes one. Four keep both variants of the running build and
// of the one before it, so switching between two builds never recompiles.
const keepCompiled = 4

// pruneGrace protects entries written recently: another process may be using (or, through
// its .tmp file, writing) them right now.
const pruneGrace = 10 * time.Minute

// pruneCache deletes the compiled modules of older builds from the default compilation
// cache: across wazero's version directories (wazero-VERSION-ARCH-OS, one per wazero version),
// every entry but the keepCompiled most recently written and those younger than pruneGrace;
// then the version directories left empty. It runs after a module compiled (or loaded), so the
// running build's entry is among the newest unless it was loaded from the cache while newer
// builds' entries exist (then it is compiled again on a later start, never lost mid-run:
// wazero reads an entry whole). Files that are not wazero's cache entries are left alone, and
// errors are ignored: a cache that cannot be pruned still works.
func pruneCache(dir string) {
	subdirs, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type entry struct {
		path string
		mod  time.Time
	}
	var entries []entry
	var versions []string
	for _, d := range subdirs {
		if !d.IsDir() || !strings.HasPrefix(d.Name(), "wazero-") {
			continue // not wazero's: leave it
		}
		vdir := filepath.Join(dir, d.Name())
		versions = append(versions, vdir)
		es, err := os.ReadDir(vdir)
		if err != nil {
			continue
		}
		for _, e := range es {
			fi, err := e.Info()
			if err != nil || !fi.Mode().IsRegular() || strings.HasSuffix(e.Name(), ".tmp") || len(e.Name()) != 64 {
				continue // wazero names an entry by its key, 64 hex digits; a .tmp is being written
			}
			entries = append(entries, entry{filepath.Join(vdir, e.Name()), fi.ModTime()})
		}
	}
	slices.SortFunc(entries, func(a, b entry) int { return b.mod.Compare(a.mod) })
	cutoff := time.Now().Add(-pruneGrace)
	for _, e := range entries[min(keepCompiled, len(entries)):] {
		if e.mod.Before(cutoff) {
			os.Remove(e.path)
		}
	}
	for _, v := range versions {
		os.Remove(v) // only succeeds when empty
	}
}
