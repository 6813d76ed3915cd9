package core_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/filedex/filedex/core"
)

// nullDigests counts the directories of a library without a stored listing digest.
func nullDigests(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM dir_stats WHERE digest IS NULL`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func dirDigestNull(t *testing.T, db *sql.DB, rel string) bool {
	t.Helper()
	var d sql.NullInt64
	if err := db.QueryRow(`SELECT s.digest FROM dir_stats s JOIN entries e ON e.id = s.dir_id WHERE e.path = ?`, rel).Scan(&d); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return !d.Valid
}

// TestScan_DigestSkipsUnchanged: a scan stores every directory's listing digest; an unchanged
// rescan then diffs no directory row by row, and one changed file makes only its directory
// read again.
func TestScan_DigestSkipsUnchanged(t *testing.T) {
	lib := openTest(t)
	root := makeTree(t)
	res, err := lib.ScanPath(ctx, root, core.ModeContent, nil, scanOpts())
	if err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, lib)
	if n := nullDigests(t, db); n != 0 {
		t.Errorf("%d directories without a digest after a first scan", n)
	}
	done := core.CountChildReads()
	res, err = lib.ScanPath(ctx, root, core.ModeContent, nil, scanOpts())
	if n := done(); err != nil || n != 0 {
		t.Errorf("unchanged rescan: %d children queries, err %v", n, err)
	}
	if s := res.Summary; s.Added+s.Updated+s.Moved+s.Removed != 0 {
		t.Errorf("unchanged rescan changed rows: %+v", s)
	}
	later := time.Now().Add(time.Hour)
	deep := filepath.Join(root, "a", "b", "c", "d", "e", "deep.txt")
	write(t, deep, []byte("DEEP")) // same size; a file's change leaves its directory's mtime alone
	os.Chtimes(deep, later, later)
	done = core.CountChildReads()
	res, err = lib.ScanPath(ctx, root, core.ModeContent, nil, scanOpts())
	if n := done(); err != nil || n != 1 {
		t.Errorf("rescan after one file changed: %d children queries, want 1 (err %v)", n, err)
	}
	if s := res.Summary; s.Updated != 1 || s.Added+s.Moved+s.Removed != 0 {
		t.Errorf("summary %+v, want one update", s)
	}
	if got, want := indexed(t, lib, res.Location.ID), onDisk(t, root, true); !equalLines(t, got, want) {
		t.FailNow()
	}
	if n := nullDigests(t, db); n != 0 {
		t.Errorf("%d directories without a digest after the rescan", n)
	}
}

// TestScan_DigestResetByOtherWriters: rows changed behind the indexer's back (SQL here; the
// API the same way) reset their directory's digest through 0005's triggers, so the next scan
// diffs that directory and puts the rows back as they are on disk.
func TestScan_DigestResetByOtherWriters(t *testing.T) {
	lib := openTest(t)
	root := makeTree(t)
	res, err := lib.ScanPath(ctx, root, core.ModeContent, nil, scanOpts())
	if err != nil {
		t.Fatal(err)
	}
	locID := res.Location.ID
	want := indexed(t, lib, locID)
	db := rawDB(t, lib)
	for _, c := range []struct{ dir, sql, also string }{
		{"docs", `UPDATE entries SET size = size + 1 WHERE name = 'report 2024.pdf'`, ""},
		{"wide", `DELETE FROM entries WHERE name = 'f0007.txt'`, ""},
		{"big", `UPDATE entries SET content_id = NULL WHERE name = 'copy.mib'`, ""},
		{"unicode", `UPDATE entries SET name = 'renamed' WHERE name = 'cafe` + "\u0301" + `.txt'`, ""},
		{"a/b/c/d/e", `UPDATE entries SET modified_at = modified_at - 1000 WHERE name = 'deep.txt'`, ""},
		{"a/b/c", `UPDATE entries SET permissions = 0 WHERE name = 'd'`, ""},
		{"a", `UPDATE entries SET inode = inode + 1 WHERE name = 'b'`, ""},
		{"", `UPDATE entries SET kind = 2, content_id = NULL WHERE name = 'one.bin'`, ""},
		{"docs", `UPDATE entries SET parent_id = (SELECT id FROM entries WHERE path = 'big') WHERE name = 'back\slash'`, "big"},
	} {
		if _, err := db.Exec(`UPDATE dir_stats SET digest = 1`); err != nil { // any non-NULL value
			t.Fatal(err)
		}
		if _, err := db.Exec(c.sql); err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		if !dirDigestNull(t, db, c.dir) {
			t.Errorf("%s: the digest of %q survived", c.sql, c.dir)
		}
		if c.also != "" && !dirDigestNull(t, db, c.also) {
			t.Errorf("%s: the digest of the new parent %q survived", c.sql, c.also)
		}
	}
	// Columns the indexer does not compare leave the digest alone.
	db.Exec(`UPDATE dir_stats SET digest = 1`)
	if _, err := db.Exec(`UPDATE entries SET accessed_at = 5, metadata_id = NULL WHERE name = 'exact100k.bin'`); err != nil {
		t.Fatal(err)
	}
	if dirDigestNull(t, db, "") {
		t.Error("an update of accessed_at reset the digest")
	}
	db.Exec(`UPDATE dir_stats SET digest = NULL`)

	// The same changes against the digests a scan stores, then a rescan repairs them.
	if _, err := lib.ScanPath(ctx, root, core.ModeContent, nil, scanOpts()); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE entries SET size = size + 1 WHERE name = 'report 2024.pdf'`,
		`DELETE FROM entries WHERE name = 'f0007.txt'`,
		`UPDATE entries SET content_id = NULL WHERE name = 'copy.mib'`,
		`UPDATE entries SET modified_at = modified_at - 1000 WHERE name = 'deep.txt'`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Exec(`DELETE FROM content_identity WHERE entry_count = 0`)
	if _, err := lib.ScanPath(ctx, root, core.ModeContent, nil, scanOpts()); err != nil {
		t.Fatal(err)
	}
	if got := indexed(t, lib, locID); !equalLines(t, got, want) {
		t.FailNow()
	}
	rep, err := lib.Check(ctx)
	if err != nil || !rep.OK {
		t.Errorf("check after the repairs: %+v %v", rep, err)
	}
}

// TestScan_DigestMetadataThenContent: digests stored by metadata scans do not let a content
// scan skip identifying files.
func TestScan_DigestMetadataThenContent(t *testing.T) {
	lib := openTest(t)
	root := makeTree(t)
	for range 2 {
		if _, err := lib.ScanPath(ctx, root, core.ModeMetadata, nil, scanOpts()); err != nil {
			t.Fatal(err)
		}
	}
	res, err := lib.ScanPath(ctx, root, core.ModeContent, nil, scanOpts())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := indexed(t, lib, res.Location.ID), onDisk(t, root, true); !equalLines(t, got, want) {
		t.FailNow()
	}
	// And a metadata scan after it skips what the content scan stored.
	done := core.CountChildReads()
	if _, err := lib.ScanPath(ctx, root, core.ModeMetadata, nil, scanOpts()); err != nil {
		t.Fatal(err)
	}
	if n := done(); n != 0 {
		t.Errorf("metadata rescan after a content scan: %d children queries", n)
	}
}
