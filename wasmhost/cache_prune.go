package wasmhost

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"
)

// keepCompiled is how many compiled modules the cache keeps: each build of libfiledex.wasm
// compiles to its own entry of about 112 MB (two with Config.Uncancellable set and unset), and
// wazero never deletes one. Four keep both variants of the running build and of the one
// before it, so switching between two builds never recompiles.
const keepCompiled = 4

// pruneCache deletes what a compilation cache directory holds for older builds: the
// directories of other wazero versions (wazero keys its entries by its own version, so those
// are dead), and in this version's directory all but the keepCompiled most recently written
// entries. It runs after a module compiled (or loaded), so the running build's entry is among
// the newest. Errors are ignored: a cache that cannot be pruned still works.
func pruneCache(dir string) {
	current := currentCacheDir()
	subdirs, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, d := range subdirs {
		if !d.IsDir() || !strings.HasPrefix(d.Name(), "wazero-") {
			continue // not wazero's: leave it
		}
		if current != "" && d.Name() != current {
			os.RemoveAll(filepath.Join(dir, d.Name()))
			continue
		}
		pruneEntries(filepath.Join(dir, d.Name()), keepCompiled)
	}
}

// pruneEntries keeps the keep most recently modified files of dir.
func pruneEntries(dir string, keep int) {
	es, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type file struct {
		name string
		mod  time.Time
	}
	var files []file
	for _, e := range es {
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() {
			files = append(files, file{e.Name(), fi.ModTime()})
		}
	}
	slices.SortFunc(files, func(a, b file) int { return b.mod.Compare(a.mod) })
	for _, f := range files[min(keep, len(files)):] {
		os.Remove(filepath.Join(dir, f.name))
	}
}

// currentCacheDir is the subdirectory wazero's file cache uses in this binary,
// "wazero-VERSION-GOARCH-GOOS", or "" when the wazero version is unknown (then no other
// version's directory is deleted).
func currentCacheDir() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, m := range bi.Deps {
		if m.Path == "github.com/tetratelabs/wazero" {
			v := m.Version
			if m.Replace != nil {
				v = m.Replace.Version
			}
			if v == "" || v == "(devel)" {
				return ""
			}
			return "wazero-" + v + "-" + runtime.GOARCH + "-" + runtime.GOOS
		}
	}
	return ""
}
