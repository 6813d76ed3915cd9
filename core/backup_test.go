package core_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ncruces/go-sqlite3/driver"

	"github.com/filedex/filedex/core"
	"github.com/filedex/filedex/migrations"
)

// tagNames lists the library's tag names through the public API.
func tagNames(t *testing.T, lib *core.Library) []string {
	t.Helper()
	tags, _, err := lib.Tags().List(ctx, core.Page{Limit: core.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tg := range tags {
		out = append(out, tg.Name)
	}
	return out
}

func mustTag(t *testing.T, lib *core.Library, name string) {
	t.Helper()
	if _, err := lib.Tags().Create(ctx, core.TagInput{Name: name}); err != nil {
		t.Fatal(err)
	}
}

// TestLibrary_Backup: a backup lands under the seed's name from the library clock, is a
// single self-contained file (no -wal beside it) that opens read-only, passes
// integrity_check and holds the committed data; a second backup in the same second gets a
// suffix instead of overwriting the first; Keep deletes only the oldest backups.
func TestLibrary_Backup(t *testing.T) {
	lib := openTest(t)
	mustTag(t, lib, "a")
	var calls, lastDone, lastTotal int
	res, err := lib.Backup(ctx, core.BackupOptions{Progress: func(done, total int) { calls++; lastDone, lastTotal = done, total }})
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(lib.Dir(), core.BackupsDir, "database_backup_20250301_120000.db")
	if res.Path != want || res.SchemaVersion != migrations.Latest() || res.Size == 0 {
		t.Fatalf("result %+v, want path %s", res, want)
	}
	if calls == 0 || lastDone != lastTotal || lastTotal == 0 {
		t.Fatalf("progress: %d calls, last %d/%d", calls, lastDone, lastTotal)
	}
	if _, err := os.Stat(res.Path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("backup has a -wal beside it (%v): it must be one self-contained file", err)
	}
	if got := tagsInFile(t, res.Path); fmt.Sprint(got) != "[a]" {
		t.Fatalf("backup holds tags %v", got)
	}

	mustTag(t, lib, "b")
	res2, err := lib.Backup(ctx, core.BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(res2.Path) != "database_backup_20250301_120000_1.db" {
		t.Fatalf("second backup in the same second: %s", res2.Path)
	}
	if got := tagsInFile(t, res.Path); fmt.Sprint(got) != "[a]" {
		t.Fatalf("first backup was overwritten: %v", got)
	}

	// Retention: a foreign file and a temp file in backups/ are never touched.
	bdir := filepath.Join(lib.Dir(), core.BackupsDir)
	os.WriteFile(filepath.Join(bdir, "notes.txt"), []byte("mine"), 0o644)
	os.WriteFile(filepath.Join(bdir, "database_backup_x.db"), []byte("mine"), 0o644)
	res3, err := lib.Backup(ctx, core.BackupOptions{Keep: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res3.Removed) != 1 || res3.Removed[0] != res.Path {
		t.Fatalf("Keep 2 removed %v, want the oldest %s", res3.Removed, res.Path)
	}
	list, _ := core.ListBackups(bdir)
	if len(list) != 2 || list[0].Path != res2.Path || list[1].Path != res3.Path {
		t.Fatalf("backups left: %+v", list)
	}
	for _, keep := range []string{"notes.txt", "database_backup_x.db"} {
		if _, err := os.Stat(filepath.Join(bdir, keep)); err != nil {
			t.Fatalf("retention touched %s: %v", keep, err)
		}
	}

	if _, err := lib.Backup(ctx, core.BackupOptions{Keep: -1}); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("Keep -1: %v", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	if _, err := lib.Backup(ctx, core.BackupOptions{Dir: file}); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("backup into a file: %v", err)
	}
	// Another directory, relative paths resolved.
	other := filepath.Join(t.TempDir(), "elsewhere")
	if res, err := lib.Backup(ctx, core.BackupOptions{Dir: other}); err != nil || filepath.Dir(res.Path) != other {
		t.Fatalf("backup to %s: %+v %v", other, res, err)
	}
}

// tagsInFile reads tag names straight from a database file, read-only.
func tagsInFile(t *testing.T, path string) []string {
	t.Helper()
	db, err := driver.Open(fileURI(path, "mode=ro"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM tags ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		out = append(out, n)
	}
	return out
}

// TestLibrary_Backup_DuringWrites: a backup taken while a writer commits batches of n rows
// holds a whole number of batches, never restarts (one snapshot for the whole copy), restores
// to a library that passes Check, and the writer is never stopped by it (it commits batches
// throughout the backup: the progress callback waits for a fresh commit between steps, which
// would deadlock if the backup blocked the writer).
func TestLibrary_Backup_DuringWrites(t *testing.T) {
	skipWithoutThreads(t)
	lib := openTest(t)
	const n = 7
	// Enough rows for the backup to take several steps.
	if err := lib.UpdateForTest(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 6000)
INSERT INTO tags (uuid, name, icon, created_at, updated_at) SELECT randomblob(16), 'bulk ' || i, hex(randomblob(400)), 0, 0 FROM s`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	batches := make(chan int) // unbuffered: a receiver only gets a batch committed after it asked
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	var writeErr error
	go func() {
		defer wg.Done()
		for b := 0; ; b++ {
			select {
			case <-stop:
				return
			default:
			}
			err := lib.UpdateForTest(ctx, func(tx *sql.Tx) error {
				for i := range n {
					if _, err := tx.Exec(`INSERT INTO tags (uuid, name, created_at, updated_at) VALUES (randomblob(16), ?, 0, 0)`, fmt.Sprintf("batch %d row %d", b, i)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				writeErr = err
				return
			}
			select {
			case batches <- b:
			default:
			}
		}
	}()
	steps, prev, restarted := 0, 0, false
	res, err := lib.Backup(ctx, core.BackupOptions{Progress: func(done, total int) {
		steps++
		restarted = restarted || (prev > 0 && done <= prev) // no progress: it started over
		prev = done
		if done < total {
			<-batches // a batch committed while the backup holds its snapshot
		}
	}})
	close(stop)
	wg.Wait()
	if err != nil || writeErr != nil {
		t.Fatalf("backup: %v; writer: %v", err, writeErr)
	}
	if steps < 2 {
		t.Fatalf("backup took %d step(s): the test needs a concurrent commit between steps", steps)
	}
	if restarted {
		// The backup API starts over when another connection commits between steps, unless
		// the source holds one snapshot: under a steady scan it might never finish.
		t.Fatal("backup restarted from page 1 after a concurrent commit: it did not hold one snapshot")
	}
	db, err := driver.Open(fileURI(res.Path, "mode=ro"))
	if err != nil {
		t.Fatal(err)
	}
	var batchRows int
	db.QueryRow(`SELECT count(*) FROM tags WHERE name LIKE 'batch %'`).Scan(&batchRows)
	db.Close()
	if batchRows%n != 0 {
		t.Fatalf("backup holds %d batch rows: not a multiple of %d, a batch was torn", batchRows, n)
	}

	// Restore it into a fresh library: consistent, passes Check.
	dir := filepath.Join(t.TempDir(), "restored")
	if _, err := core.Restore(ctx, dir, res.Path, testOptions(), core.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	lib2, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer lib2.Close()
	mustCheck(t, lib2)
}

func mustCheck(t *testing.T, lib *core.Library) core.CheckReport {
	t.Helper()
	rep, err := lib.Check(ctx)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	if !rep.OK {
		t.Fatalf("check found problems: %+v", rep.Problems)
	}
	return rep
}

// TestLibrary_Backup_ReadOnlyAndOtherWriter: a read-only library backs up, while another
// process holds the write lock with an uncommitted row: the backup waits for nobody and does
// not contain the uncommitted row.
func TestLibrary_Backup_ReadOnlyAndOtherWriter(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lib")
	lib, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	mustTag(t, lib, "committed")
	lib.Close()
	release := holdWriteLockProcess(t, dir)
	defer release()

	opts := testOptions()
	opts.ReadOnly = true
	ro, err := core.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	res, err := ro.Backup(ctx, core.BackupOptions{})
	if err != nil {
		t.Fatalf("backup while another process writes: %v", err)
	}
	if got := tagsInFile(t, res.Path); fmt.Sprint(got) != "[committed]" {
		t.Fatalf("backup holds %v", got)
	}
}

// TestLibrary_Backup_Cancelled: a cancelled backup leaves no file behind, under the final
// name or a temporary one.
func TestLibrary_Backup_Cancelled(t *testing.T) {
	lib := openTest(t)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := lib.Backup(cctx, core.BackupOptions{}); core.CodeOf(err) != core.CodeCancelled {
		t.Fatalf("cancelled backup: %v", err)
	}
	ents, _ := os.ReadDir(filepath.Join(lib.Dir(), core.BackupsDir))
	for _, e := range ents {
		t.Errorf("left behind: %s", e.Name())
	}
}

func TestListBackups_Order(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"database_backup_20250102_000000_2.db", "database_backup_20250101_000000.db",
		"database_backup_20250102_000000.db", "database_backup_20250102_000000_10.db", "x.db"} {
		os.WriteFile(filepath.Join(dir, n), nil, 0o644)
	}
	list, err := core.ListBackups(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range list {
		got = append(got, strings.TrimPrefix(filepath.Base(b.Path), "database_backup_"))
	}
	if fmt.Sprint(got) != "[20250101_000000.db 20250102_000000.db 20250102_000000_2.db 20250102_000000_10.db]" {
		t.Fatalf("order %v", got)
	}
}
