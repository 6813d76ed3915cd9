package wasmhost

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// pruneCache keeps the newest entries across wazero's version directories and any entry
// written within the grace period, removes version directories it emptied, and leaves .tmp
// files and what is not wazero's alone.
func TestPruneCache(t *testing.T) {
	dir := t.TempDir()
	cur := filepath.Join(dir, "wazero-v1.12.0-amd64-linux")
	old := filepath.Join(dir, "wazero-v1.11.0-amd64-linux")
	mine := filepath.Join(dir, "notes")
	for _, d := range []string{cur, old, mine} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	write := func(d, name string, age time.Duration) string {
		p := filepath.Join(d, name)
		if err := os.WriteFile(p, []byte("compiled"), 0o600); err != nil {
			t.Fatal(err)
		}
		mt := time.Now().Add(-age)
		os.Chtimes(p, mt, mt)
		return p
	}
	key := func(c byte) string { return strings.Repeat(string(c), 64) }
	// Seven entries an hour or more old ('g' the newest), one of the old version older still,
	// one written a minute ago, a .tmp being written, and a file that is no entry.
	var aged []string
	for i := range 7 {
		aged = append(aged, write(cur, key(byte('a'+i)), time.Duration(70-i)*time.Minute))
	}
	oldEntry := write(old, key('z'), 48*time.Hour)
	fresh := write(cur, key('0'), time.Minute)
	tmp := write(cur, key('1')+".123.tmp", 48*time.Hour)
	other := write(mine, "keep", 48*time.Hour)

	pruneCache(dir)

	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	var left []string
	for _, p := range aged {
		if exists(p) {
			left = append(left, filepath.Base(p))
		}
	}
	// The four newest entries are the fresh one and 'g', 'f', 'e'.
	if want := []string{key('e'), key('f'), key('g')}; !slices.Equal(left, want) {
		t.Errorf("aged entries left: %d, want e, f, g", len(left))
	}
	for _, p := range []string{fresh, tmp, other} {
		if !exists(p) {
			t.Errorf("%s was deleted", p)
		}
	}
	if exists(oldEntry) || exists(old) {
		t.Errorf("the older version's entry or its emptied directory survived")
	}
}
