package seedddl_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/filedex/filedex/benchmarks/dataset"
	"github.com/filedex/filedex/benchmarks/seedddl"
	"github.com/ncruces/go-sqlite3"
)

// TestFixesAreNeeded shows each documented fix is the minimum: the seed's
// lines as written fail with the error the fix removes.
func TestFixesAreNeeded(t *testing.T) {
	c, err := sqlite3.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { c.Close() }()
	asWritten := strings.Replace(seedddl.Schema, "    size INTEGER NOT NULL,\n    permissions",
		"    location_id INTEGER REFERENCES locations(id),\n    size INTEGER NOT NULL,\n    permissions", 1)
	if asWritten == seedddl.Schema {
		t.Fatal("could not restore the duplicated column")
	}
	if err := c.Exec(asWritten); err == nil || !strings.Contains(err.Error(), "duplicate column name") {
		t.Fatalf("seed DDL as written: %v, want duplicate column name", err)
	}
	// The failed script created the tables before entries: start afresh.
	c.Close()
	if c, err = sqlite3.Open(":memory:"); err != nil {
		t.Fatal(err)
	}
	if err := c.Exec(seedddl.Schema); err != nil {
		t.Fatal(err)
	}
	if err := c.Exec(`CREATE INDEX idx_entries_prefix_path ON entries(prefix_id, relative_path)`); err == nil || !strings.Contains(err.Error(), "no such column") {
		t.Fatalf("seed index as written: %v, want no such column", err)
	}
	if err := c.Exec(seedddl.Indexes); err != nil {
		t.Fatal(err)
	}
}

// TestQueries loads a small library and prepares every query, so a typo or
// a schema change fails here rather than in a long benchmark run.
func TestQueries(t *testing.T) {
	db, err := seedddl.Load(filepath.Join(t.TempDir(), "seed.db"), dataset.NewLibrary(dataset.LibrarySpec{Entries: 1000, Seed: 1}))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Entries != 1000 {
		t.Fatalf("loaded %d entries", db.Entries)
	}
	for _, q := range []string{seedddl.EntryByPath, seedddl.FullPath, seedddl.ListDir, seedddl.PaginateFiles, seedddl.SubtreeStats,
		seedddl.MoveDirChildren, seedddl.MoveDirSelf, seedddl.ExtAll, seedddl.ExtFirstPage, seedddl.GlobFirstPage, seedddl.WordPrefix,
		seedddl.TagEntries, seedddl.LabelEntries, seedddl.Favorites, seedddl.Duplicates, seedddl.LargeFilesByDir, seedddl.TagStats,
		seedddl.TopLargest, seedddl.DirSizes} {
		st, _, err := db.Conn.Prepare(q)
		if err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
		st.Close()
	}
}
