package core_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3/driver"
	"github.com/ncruces/go-sqlite3/ext/fts5"

	"github.com/filedex/filedex/core"
)

// checkFixture is a library with a location, a directory tree, a tagged file and content.
func checkFixture(t *testing.T) (*core.Library, string) {
	t.Helper()
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	os.Mkdir(data, 0o755)
	dir := filepath.Join(tmp, "lib")
	lib, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: data})
	if err != nil {
		t.Fatal(err)
	}
	a, err := lib.Entries().Create(ctx, core.EntryInput{ParentID: loc.RootID, Name: "a", Kind: core.KindDirectory})
	if err != nil {
		t.Fatal(err)
	}
	b, err := lib.Entries().Create(ctx, core.EntryInput{ParentID: a.ID, Name: "b", Kind: core.KindDirectory})
	if err != nil {
		t.Fatal(err)
	}
	f, err := lib.Entries().Create(ctx, core.EntryInput{ParentID: b.ID, Name: "f.txt", Size: 10, CasID: "00000000000000aa"})
	if err != nil {
		t.Fatal(err)
	}
	tg, _ := lib.Tags().Create(ctx, core.TagInput{Name: "x"})
	if _, err := lib.Tags().Apply(ctx, tg.ID, f.ID); err != nil {
		t.Fatal(err)
	}
	return lib, dir
}

// breakDB runs SQL on the library database with foreign keys off (SQLite's default), the
// way a bug or another tool could.
func breakDB(t *testing.T, dir, q string) {
	t.Helper()
	db, err := driver.Open(fileURI(filepath.Join(dir, core.DatabaseFile), "_pragma=busy_timeout(5000)&_pragma=foreign_keys(0)"), fts5.Register)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range strings.Split(q, ";\n") {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}

// TestLibrary_Check: a sound library passes every check; each way of breaking an invariant
// is reported by its check, with a count and an example, and nothing else is reported.
func TestLibrary_Check(t *testing.T) {
	lib, _ := checkFixture(t)
	rep := mustCheck(t, lib)
	for _, c := range []string{core.CheckIntegrity, core.CheckForeignKeys, core.CheckLocationRoot, core.CheckDirectoryPath,
		core.CheckParent, core.CheckTotals, core.CheckOrphanMeta, core.CheckOrphanContent, core.CheckDirStats, core.CheckEntryCount, core.CheckFileCount} {
		if !strings.Contains(strings.Join(rep.Checks, " "), c) {
			t.Errorf("check %s did not run: %v", c, rep.Checks)
		}
	}
	lib.Close()

	cases := []struct {
		check, sql, example string
	}{
		{core.CheckDirectoryPath, `UPDATE entries SET path = 'a/wrong' WHERE name = 'b'`, "'a/b'"},
		// A directory left displaced ('/<id>/<name>') with no scan to finish it.
		{core.CheckDirectoryPath, `UPDATE entries SET name = '/9/b', path = '/9/b' WHERE name = 'b'`, "'a//9/b'"},
		{core.CheckParent, `UPDATE entries SET kind = 0, path = NULL WHERE name = 'b'`, "is not a directory"},
		{core.CheckParent, `INSERT INTO locations (uuid, device_id, path, index_mode, created_at, updated_at) SELECT randomblob(16), device_id, '/elsewhere', 'metadata', 0, 0 FROM locations;
INSERT INTO entries (location_id, parent_id, name, kind, modified_at, path) SELECT (SELECT max(id) FROM locations), NULL, 'r', 1, 0, '' ;
UPDATE entries SET location_id = (SELECT max(id) FROM locations) WHERE name = 'f.txt'`, "is in location"},
		{core.CheckLocationRoot, `INSERT INTO locations (uuid, device_id, path, index_mode, created_at, updated_at) SELECT randomblob(16), device_id, '/rootless', 'metadata', 0, 0 FROM locations`, "0 root entries"},
		{core.CheckTotals, `UPDATE locations SET scan_state = 'complete', total_file_count = 5, total_byte_size = 10`, "entries have 1/10"},
		{core.CheckOrphanMeta, `INSERT INTO user_metadata (uuid, created_at, updated_at) VALUES (randomblob(16), 0, 0)`, "user_metadata"},
		{core.CheckOrphanContent, `INSERT INTO content_identity (id, size_bytes, created_at) VALUES (255, 1, 0)`, "00000000000000ff"},
		{core.CheckDirStats, `UPDATE dir_stats SET bytes = bytes + 1 WHERE dir_id = (SELECT id FROM entries WHERE name = 'b')`, "recorded 1/0/0/11, children have 1/0/0/10"},
		{core.CheckDirStats, `DELETE FROM dir_stats WHERE dir_id = (SELECT id FROM entries WHERE name = 'a')`, "no row"},
		{core.CheckDirStats, `INSERT INTO dir_stats (dir_id) SELECT id FROM entries WHERE name = 'f.txt'`, "not a directory"},
		{core.CheckEntryCount, `UPDATE content_identity SET entry_count = 3`, "entry_count 3, entries 1"},
		{core.CheckFileCount, `UPDATE content_identity SET file_count = 3`, "file_count 3, files 1"},
		{core.CheckForeignKeys, `INSERT INTO metadata_tag (metadata_id, tag_id) VALUES (999, 999)`, "metadata_tag"},
	}
	for _, c := range cases {
		t.Run(c.check, func(t *testing.T) {
			lib, dir := checkFixture(t)
			defer lib.Close()
			breakDB(t, dir, c.sql)
			rep, err := lib.Check(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK || len(rep.Problems) != 1 || rep.Problems[0].Check != c.check || rep.Problems[0].Count < 1 ||
				!strings.Contains(strings.Join(rep.Problems[0].Examples, "\n"), c.example) {
				t.Fatalf("report %+v, want one %s problem mentioning %q", rep, c.check, c.example)
			}
		})
	}
	t.Run("a directory displaced by an unfinished scan is not a problem", func(t *testing.T) {
		lib, dir := checkFixture(t)
		defer lib.Close()
		breakDB(t, dir, `UPDATE entries SET name = '/9/b', path = '/9/b' WHERE name = 'b';
INSERT INTO jobs (uuid, kind, status, location_id, created_at, updated_at) SELECT randomblob(16), 'location.scan', 'running', id, 0, 0 FROM locations`)
		mustCheck(t, lib)
	})
	t.Run("totals of a location still scanning are not checked", func(t *testing.T) {
		lib, dir := checkFixture(t)
		defer lib.Close()
		breakDB(t, dir, `UPDATE locations SET scan_state = 'scanning', total_file_count = 5`)
		mustCheck(t, lib)
	})
}

// TestLibrary_Check_ReadOnly: Check works on a read-only library.
func TestLibrary_Check_ReadOnly(t *testing.T) {
	lib, dir := checkFixture(t)
	lib.Close()
	opts := testOptions()
	opts.ReadOnly = true
	ro, err := core.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	mustCheck(t, ro)
}

// TestLibrary_Check_FTS: an FTS5 table that drifts from its content is reported; a synced
// one passes. The schema's own FTS table (when a migration adds one) is checked the same way.
func TestLibrary_Check_FTS(t *testing.T) {
	lib, dir := checkFixture(t)
	defer lib.Close()
	breakDB(t, dir, `CREATE TABLE test_docs (id INTEGER PRIMARY KEY, body TEXT);
INSERT INTO test_docs VALUES (1, 'hello world'), (2, 'more words');
CREATE VIRTUAL TABLE test_fts USING fts5(body, content='test_docs', content_rowid='id');
INSERT INTO test_fts(test_fts) VALUES ('rebuild')`)
	rep := mustCheck(t, lib)
	if !strings.Contains(strings.Join(rep.Checks, " "), core.CheckFTS) {
		t.Fatalf("fts check did not run: %v", rep.Checks)
	}
	// Change the content behind the index's back.
	breakDB(t, dir, `UPDATE test_docs SET body = 'changed entirely' WHERE id = 1`)
	rep, err := lib.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK || rep.Problems[0].Check != core.CheckFTS {
		t.Fatalf("drifted FTS index not reported: %+v", rep)
	}
}

// TestLibrary_Optimize: after deleting most of a library, Optimize reports the space VACUUM
// reclaimed and the database is still sound; a read-only library refuses.
func TestLibrary_Optimize(t *testing.T) {
	lib, dir := checkFixture(t)
	mustBulk(t, lib, 500)
	if err := lib.UpdateForTest(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`DELETE FROM tags WHERE name LIKE 'bulk %'`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	rep, err := lib.Optimize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.FreePagesBefore == 0 || rep.Reclaimed <= 0 || rep.SizeAfter != rep.SizeBefore-rep.Reclaimed {
		t.Fatalf("report %+v", rep)
	}
	mustCheck(t, lib)
	lib.Close()
	// The file on disk shrank too (the WAL was folded back).
	if st, err := os.Stat(filepath.Join(dir, core.DatabaseFile)); err != nil || st.Size() > rep.SizeAfter {
		t.Fatalf("database file %d bytes after optimize, report says %d", st.Size(), rep.SizeAfter)
	}
	opts := testOptions()
	opts.ReadOnly = true
	ro, err := core.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.Optimize(ctx); !errors.Is(err, core.ErrReadOnly) {
		t.Fatalf("optimize read-only: %v", err)
	}
}

// TestLibrary_Check_OneReader: Check runs in one read transaction; with MaxOpenConns 2 the
// pool has a single reader, so nothing inside Check may ask the pool for another (the schema
// check once did, and waited forever).
func TestLibrary_Check_OneReader(t *testing.T) {
	opts := testOptions()
	opts.MaxOpenConns = 2
	lib, err := core.Open(filepath.Join(t.TempDir(), "lib"), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	rep, err := lib.Check(c)
	if err != nil || !rep.OK {
		t.Fatalf("check with one reader: %+v %v", rep, err)
	}
}
