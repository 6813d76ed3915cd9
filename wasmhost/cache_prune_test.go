package wasmhost

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// pruneCache keeps the newest entries of this wazero version's directory, deletes older
// versions' directories, and leaves what is not wazero's alone.
func TestPruneCache(t *testing.T) {
	current := currentCacheDir()
	if current == "" {
		t.Skip("no wazero version in the build info (a test binary built without module information)")
	}
	dir := t.TempDir()
	cur := filepath.Join(dir, current)
	old := filepath.Join(dir, "wazero-v0.0.1-"+current[len("wazero-"):])
	mine := filepath.Join(dir, "notes")
	for _, d := range []string{cur, old, mine} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	base := time.Now().Add(-time.Hour)
	var names []string
	for i := range 7 {
		name := filepath.Join(cur, string(rune('a'+i)))
		if err := os.WriteFile(name, []byte("compiled"), 0o600); err != nil {
			t.Fatal(err)
		}
		mt := base.Add(time.Duration(i) * time.Minute) // 'g' is the newest
		os.Chtimes(name, mt, mt)
		names = append(names, filepath.Base(name))
	}
	os.WriteFile(filepath.Join(old, "x"), []byte("old"), 0o600)
	os.WriteFile(filepath.Join(mine, "keep"), []byte("not wazero's"), 0o600)

	pruneCache(dir)

	es, _ := os.ReadDir(cur)
	var left []string
	for _, e := range es {
		left = append(left, e.Name())
	}
	slices.Sort(left)
	if want := names[len(names)-keepCompiled:]; !slices.Equal(left, want) {
		t.Errorf("left %v, want the %d newest %v", left, keepCompiled, want)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("another wazero version's directory survived: %v", err)
	}
	if _, err := os.Stat(filepath.Join(mine, "keep")); err != nil {
		t.Errorf("a directory that is not wazero's was touched: %v", err)
	}
}
