package core_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/filedex/filedex/core"
)

// derivedState is everything the triggers derive from entries, read raw: the directories'
// aggregates, the contents' entry and file counts, the locations' totals, and the full-text
// index's answers for every name (each name's words as a phrase query).
func derivedState(t *testing.T, lib *core.Library) map[string]string {
	t.Helper()
	db := openRaw(t, lib)
	out := map[string]string{}
	dump := func(key, q string) {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var b strings.Builder
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		out[key] = b.String()
	}
	dump("dir_stats", `SELECT dir_id, files, dirs, symlinks, bytes, digest FROM dir_stats ORDER BY dir_id`)
	dump("contents", `SELECT id, entry_count, file_count FROM content_identity ORDER BY id`)
	dump("locations", `SELECT uuid, total_file_count, total_byte_size FROM locations ORDER BY uuid`)
	dump("fts", `SELECT e.id, (SELECT group_concat(f.rowid) FROM entries_fts f WHERE entries_fts MATCH '"' || replace(e.name, '"', '""') || '"')
FROM entries e ORDER BY e.id`)
	dump("fts_rows", `SELECT count(*) FROM entries_fts`)
	res, err := lib.Duplicates().Groups(context.Background(), core.DupesQuery{}, core.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(res)
	out["dupes"] = string(js)
	return out
}

// TestSyncApply_BulkMatchesTriggers ships the same scans of device A to B, which applies new
// entries in bulk, and to C, which applies every entry through the triggers: a first sync,
// then a rescan that adds, removes, renames, resizes and re-contents entries. After each, B's
// derived state equals C's and both libraries pass Check (FTS integrity, aggregates, file
// counts).
func TestSyncApply_BulkMatchesTriggers(t *testing.T) {
	ctx := context.Background()
	libs := joined(t, "A", "B", "C")
	a, b, c := libs[0], libs[1], libs[2]
	tree := filepath.Join(t.TempDir(), "t")
	files := map[string]string{}
	for i := range 40 {
		files[fmt.Sprintf("d%d/sub %d/f%d.txt", i%5, i%3, i)] = strings.Repeat("x", 1+i%7) // duplicates
		files[fmt.Sprintf("d%d/u%d.bin", i%4, i)] = fmt.Sprint("unique ", i)
	}
	writeTree(t, tree, files)
	if err := os.Link(filepath.Join(tree, "d0/u0.bin"), filepath.Join(tree, "d1/hard link.bin")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("d0", filepath.Join(tree, "link")); err != nil {
		t.Fatal(err)
	}
	compare := func(round string) {
		t.Helper()
		core.SetSyncBulk(true)
		ship(t, a, b)
		core.SetSyncBulk(false)
		ship(t, a, c)
		core.SetSyncBulk(true)
		mustCheck(t, b)
		mustCheck(t, c)
		sb, sc := derivedState(t, b), derivedState(t, c)
		for k := range sc {
			if sb[k] != sc[k] {
				t.Errorf("%s: %s differs\nbulk:\n%s\ntriggers:\n%s", round, k, sb[k], sc[k])
			}
		}
		if sb["dir_stats"] == "" || sb["contents"] == "" {
			t.Fatalf("%s: nothing applied", round)
		}
	}
	t.Cleanup(func() { core.SetSyncBulk(true) })

	if _, err := a.ScanPath(ctx, tree, core.ModeContent, nil, core.ScanOptions{}); err != nil {
		t.Fatal(err)
	}
	compare("first sync")

	// A rescan: new files in old and new directories (ids above every id B holds of A), a
	// removed directory, a renamed file, changed contents, a new hard link, a content passed from an old entry to a
	// new one, old entries moved
	// into a new directory.
	more := map[string]string{"d0/new.txt": "x", "new dir/deep/n.txt": "xx", "new dir/m.bin": "unique 3"}
	writeTree(t, tree, more)
	for _, err := range []error{
		os.RemoveAll(filepath.Join(tree, "d4")),
		os.Rename(filepath.Join(tree, "d1/u1.bin"), filepath.Join(tree, "d1/renamed.bin")),
		os.WriteFile(filepath.Join(tree, "d2/u2.bin"), []byte("changed and longer"), 0o644),
		os.Link(filepath.Join(tree, "d0/new.txt"), filepath.Join(tree, "new dir/hard.txt")),
		// A content that only a new entry carries afterwards.
		os.Remove(filepath.Join(tree, "d3/u7.bin")),
		os.WriteFile(filepath.Join(tree, "d3/again7.bin"), []byte("unique 7"), 0o644),
		// An old entry into a new directory (the indexer keeps a moved file's id).
		os.Rename(filepath.Join(tree, "d3/u3.bin"), filepath.Join(tree, "new dir/deep/moved.bin")),
		os.Rename(filepath.Join(tree, "d0/sub 0"), filepath.Join(tree, "new dir/sub moved")),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.ScanPath(ctx, tree, core.ModeContent, nil, core.ScanOptions{}); err != nil {
		t.Fatal(err)
	}
	compare("rescan")
}
