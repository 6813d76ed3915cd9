package corelib_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/filedex/filedex/benchmarks/corelib"
	"github.com/filedex/filedex/benchmarks/dataset"
	"github.com/filedex/filedex/core"
)

// TestLoad checks the bulk-loaded rows through the core API: every sampled
// entry resolves by path to the expected id, size and content, and a
// directory lists exactly its dataset children.
func TestLoad(t *testing.T) {
	lib := dataset.NewLibrary(dataset.LibrarySpec{Entries: 3000, Seed: 3})
	ld, err := corelib.Load(t.TempDir(), lib)
	if err != nil {
		t.Fatal(err)
	}
	defer ld.Close()
	if ld.Entries != 3000 {
		t.Fatalf("loaded %d entries", ld.Entries)
	}
	ctx := context.Background()
	children := map[int64]int{}
	var dir *dataset.Entry
	n := 0
	for e := range lib.Entries() {
		children[e.Parent]++
		if e.IsDir && dir == nil && e.Depth == 1 {
			dir = e
		}
		if n++; n%97 != 0 {
			continue
		}
		got, err := ld.Lib.Entries().GetByPath(ctx, ld.Abs(e.Path()))
		if err != nil {
			t.Fatalf("%s: %v", e.Path(), err)
		}
		if got.ID != ld.EntryID(e) || got.Size != e.Size || got.Name != e.Name || got.Path != filepath.Join(ld.Root, e.Path()) {
			t.Fatalf("%s: got %+v", e.Path(), got)
		}
		if (e.Content != 0) != (got.Content != nil) || (got.Content != nil && got.Content.CasID != e.CasID) {
			t.Fatalf("%s: content %+v, want %s", e.Path(), got.Content, e.CasID)
		}
		if wantMeta := len(e.Tags) > 0 || len(e.Labels) > 0 || e.Favorite || e.Note != "" || e.Hidden; wantMeta != (got.Metadata != nil) {
			t.Fatalf("%s: metadata %+v", e.Path(), got.Metadata)
		}
	}
	var listed int
	p := core.Page{Limit: 1000}
	for {
		page, next, err := ld.Lib.Entries().Children(ctx, ld.EntryID(dir), p)
		if err != nil {
			t.Fatal(err)
		}
		listed += len(page)
		if next == "" {
			break
		}
		p.After = next
	}
	if listed != children[dir.Ordinal] {
		t.Fatalf("%s lists %d children, dataset has %d", dir.Path(), listed, children[dir.Ordinal])
	}
}
