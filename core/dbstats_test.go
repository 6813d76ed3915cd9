package core_test

import (
	"context"
	"testing"

	"github.com/filedex/filedex/core"
)

func TestDBStats(t *testing.T) {
	lib := openTest(t)
	g := generate(t, lib, 10, 800)
	st, err := lib.DBStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Entries != int64(len(g.all)) || st.FileBytes != st.PageSize*st.PageCount || st.FileBytes == 0 || st.FTSBytes == 0 {
		t.Fatalf("stats: %+v", st)
	}
	var files, dirs, links, bytes int64
	for _, e := range g.all {
		switch e.kind {
		case core.KindFile:
			files++
			bytes += e.size
		case core.KindDirectory:
			dirs++
		default:
			links++
		}
	}
	if len(st.Locations) != 1 {
		t.Fatalf("locations: %+v", st.Locations)
	}
	if u := st.Locations[0]; u.ID != g.locID || u.Files != files || u.Dirs != dirs || u.Symlinks != links || u.Bytes != bytes {
		t.Fatalf("location totals %+v, want %d files %d dirs %d links %d bytes", u, files, dirs, links, bytes)
	}
	found := false
	for _, tb := range st.Tables {
		if tb.Name == "entries" && tb.Rows == int64(len(g.all)) {
			found = true
		}
		if tb.Name == "entries_fts" {
			t.Fatal("virtual table counted")
		}
	}
	if !found {
		t.Fatalf("tables: %+v", st.Tables)
	}
	// Per-object sizes: every table and index, adding up to the file with the free pages.
	if st.ObjectsNote != "" || len(st.Objects) == 0 {
		t.Fatalf("no object sizes: %q", st.ObjectsNote)
	}
	var pages int64
	seen := map[string]core.ObjectStats{}
	for _, o := range st.Objects {
		pages += o.Pages
		seen[o.Name] = o
	}
	if pages+st.FreePages > st.PageCount || pages < st.PageCount/2 {
		t.Errorf("objects hold %d pages, free %d, file %d", pages, st.FreePages, st.PageCount)
	}
	if e, n := seen["entries"], seen["entries_parent_name"]; e.Cells != int64(len(g.all)) || n.Cells != int64(len(g.all)) || e.Bytes == 0 || n.Type != "index" {
		t.Errorf("entries %+v, entries_parent_name %+v", e, n)
	}
}
