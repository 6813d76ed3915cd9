package handles_test

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/internal/handles"
)

func TestTable(t *testing.T) {
	var tab handles.Table
	e, err := bindings.OpenNative(bindings.OpenOptions{Library: filepath.Join(t.TempDir(), "l")})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	seen := make([]uint64, 100)
	for i := range seen {
		wg.Go(func() { seen[i] = tab.Add(e) })
	}
	wg.Wait()
	uniq := map[uint64]bool{}
	for _, h := range seen {
		if h == 0 || uniq[h] {
			t.Fatalf("handle %d zero or reused", h)
		}
		uniq[h] = true
	}
	if tab.Get(seen[0]) != e || tab.Remove(seen[0]) != e || tab.Get(seen[0]) != nil || tab.Remove(seen[0]) != nil {
		t.Fatal("get/remove")
	}
	if h := tab.Add(e); uniq[h] {
		t.Fatalf("handle %d reused", h)
	}
}
