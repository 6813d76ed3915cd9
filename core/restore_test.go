package core_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3/driver"
	"github.com/ncruces/go-sqlite3/ext/fts5"

	"github.com/filedex/filedex/core"
	"github.com/filedex/filedex/migrations"
)

// TestRestore_RoundTrip: restoring a backup brings back exactly the backed-up data, keeps
// the replaced database (with what only its WAL held) as a verified backup, and leaves no
// -wal/-shm of the old file for SQLite to replay into the new one.
func TestRestore_RoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lib")
	lib, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	mustTag(t, lib, "before")
	b, err := lib.Backup(ctx, core.BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lib.Close()
	// A process commits "after" and is killed: the commit lives only in the WAL.
	h := startHelper(t, "commit-then-wait", dir, "after")
	if l := h.next(t); l != "committed" {
		t.Fatalf("helper: %q", l)
	}
	h.kill()

	var phases []string
	res, err := core.Restore(ctx, dir, b.Path, testOptions(), core.RestoreOptions{Progress: func(p core.RestorePhase) { phases = append(phases, string(p)) }})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(phases) != "[validate lock keep swap]" {
		t.Fatalf("phases %v", phases)
	}
	if res.FromVersion != migrations.Latest() || res.SchemaVersion != migrations.Latest() || res.Previous == "" {
		t.Fatalf("result %+v", res)
	}
	for _, s := range []string{"-wal", "-shm"} {
		if st, err := os.Stat(filepath.Join(dir, core.DatabaseFile+s)); err == nil && st.Size() > 0 {
			t.Fatalf("stale %s of the replaced database left (%d bytes)", s, st.Size())
		}
	}
	if got := tagsInFile(t, res.Previous); fmt.Sprint(got) != "[after before]" {
		t.Fatalf("kept previous database holds %v: the WAL-only commit was lost", got)
	}
	lib, err = core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	if got := tagNames(t, lib); fmt.Sprint(got) != "[before]" {
		t.Fatalf("restored library has %v", got)
	}
	mustCheck(t, lib)
	// The backup file itself is untouched and still restorable.
	if got := tagsInFile(t, b.Path); fmt.Sprint(got) != "[before]" {
		t.Fatalf("backup file changed: %v", got)
	}
}

// TestRestore_Refusals: what restore must refuse, and that each refusal leaves the library
// byte for byte as it was: a file that is not SQLite, a SQLite file that is not filedex, a
// newer schema, a missing file, a directory, the library's own database, and any restore
// while the library is open (in this process or another).
func TestRestore_Refusals(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "lib")
	lib, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	mustTag(t, lib, "keep me")
	good, err := lib.Backup(ctx, core.BackupOptions{Dir: filepath.Join(tmp, "b")})
	if err != nil {
		t.Fatal(err)
	}
	lib.Close()

	garbage := filepath.Join(tmp, "garbage.db")
	os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 500)), 0o644)
	short := filepath.Join(tmp, "short.db")
	os.WriteFile(short, []byte("SQLite format 3\x00"), 0o644)
	// Right header, garbage after it.
	headerOnly := filepath.Join(tmp, "header.db")
	os.WriteFile(headerOnly, append([]byte("SQLite format 3\x00"), make([]byte, 8192)...), 0o644)
	foreign := filepath.Join(tmp, "foreign.db")
	fdb, _ := driver.Open(fileURI(foreign, ""))
	fdb.Exec(`CREATE TABLE notes (x); INSERT INTO notes VALUES (1)`)
	fdb.Close()
	newer := filepath.Join(tmp, "newer.db")
	copyFile(t, good.Path, newer)
	ndb, _ := driver.Open(fileURI(newer, ""))
	if _, err := ndb.Exec(`INSERT INTO schema_migrations VALUES (9999, 'future', 'x', 0)`); err != nil {
		t.Fatal(err)
	}
	ndb.Close()
	// A schema broken in a way integrity_check and the version check cannot see.
	dropped := filepath.Join(tmp, "dropped.db")
	copyFile(t, good.Path, dropped)
	ddb, _ := driver.Open(fileURI(dropped, ""))
	if _, err := ddb.Exec(`DROP TABLE tags`); err != nil {
		t.Fatal(err)
	}
	ddb.Close()
	renamedCol := filepath.Join(tmp, "index.db")
	copyFile(t, good.Path, renamedCol)
	rdb, _ := driver.Open(fileURI(renamedCol, ""))
	if _, err := rdb.Exec(`DROP INDEX user_metadata_hidden; CREATE INDEX user_metadata_hidden ON user_metadata(id)`); err != nil {
		t.Fatal(err)
	}
	rdb.Close()
	fifo := filepath.Join(tmp, "fifo.db")
	if err := mkfifo(fifo); err != nil {
		fifo = ""
	}
	// Damage integrity_check finds: a flipped byte in the middle of the file's b-tree pages.
	damaged := filepath.Join(tmp, "damaged.db")
	{
		b, _ := os.ReadFile(good.Path)
		for i := 2 * 4096; i < len(b); i += 4096 {
			b[i+8] ^= 0xff // the first cell pointer of every page after the second
		}
		os.WriteFile(damaged, b, 0o644)
	}
	truncated := filepath.Join(tmp, "truncated.db")
	data, _ := os.ReadFile(good.Path)
	os.WriteFile(truncated, data[:len(data)/2], 0o644)

	before := snapshot(t, dir)
	cases := []struct {
		name, file string
		want       error
		msg        string
	}{
		{"not sqlite", garbage, core.ErrInvalid, "not a SQLite database"},
		{"shorter than a header", short, core.ErrInvalid, "not a SQLite database"},
		{"header then zeros", headerOnly, core.ErrInvalid, ""},
		{"another application's database", foreign, core.ErrInvalid, "filedex"},
		{"newer schema", newer, core.ErrIncompatible, "newer"},
		{"truncated backup", truncated, core.ErrInvalid, ""},
		{"missing file", filepath.Join(tmp, "nope.db"), core.ErrNotFound, "does not exist"},
		{"a directory", tmp, core.ErrInvalid, "directory"},
		{"the library's own database", filepath.Join(dir, core.DatabaseFile), core.ErrInvalid, "own database"},
		{"empty name", "", core.ErrInvalid, ""},
		{"a dropped table", dropped, core.ErrInvalid, "table tags: missing"},
		{"damaged pages", damaged, core.ErrInvalid, ""},
		{"a changed index", renamedCol, core.ErrInvalid, "schema"},
		// Before: opening it to read the header blocked forever (no writer ever comes).
		{"a FIFO", fifo, core.ErrInvalid, "not a regular file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.file == "" && c.name == "a FIFO" {
				t.Skip("no mkfifo on this platform")
			}
			_, err := core.Restore(ctx, dir, c.file, testOptions(), core.RestoreOptions{})
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("got %v (code %s), want %v containing %q", err, core.CodeOf(err), c.want, c.msg)
			}
			// Said once, in words: not "invalid argument: invalid argument: integrity_check
			// failed: *** in database main ***".
			if m := err.Error(); strings.Count(m, core.ErrInvalid.Error()) > 1 || strings.Contains(m, "*** in database") {
				t.Fatalf("message repeats itself or quotes SQLite's report header: %v", m)
			}
			if after := snapshot(t, dir); after != before {
				t.Fatalf("refused restore changed the library")
			}
			leftovers(t, dir)
		})
	}

	t.Run("library open in this process", func(t *testing.T) {
		lib, err := core.Open(dir, testOptions())
		if err != nil {
			t.Fatal(err)
		}
		defer lib.Close()
		before := tagNames(t, lib)
		if _, err := core.Restore(ctx, dir, good.Path, testOptions(), core.RestoreOptions{}); !errors.Is(err, core.ErrBusy) {
			t.Fatalf("restore under an open library: %v", err)
		}
		if fmt.Sprint(tagNames(t, lib)) != fmt.Sprint(before) {
			t.Fatal("library changed")
		}
	})
	t.Run("library open in another process", func(t *testing.T) {
		release := holdWriteLockProcess(t, dir)
		defer release()
		if _, err := core.Restore(ctx, dir, good.Path, testOptions(), core.RestoreOptions{}); !errors.Is(err, core.ErrBusy) {
			t.Fatalf("restore while another process has the library: %v", err)
		}
		release()
		if _, err := core.Restore(ctx, dir, good.Path, testOptions(), core.RestoreOptions{}); err != nil {
			t.Fatalf("restore once the other process closed: %v", err)
		}
	})
}

// leftovers fails on temporary files a refused restore left in the library directory.
func leftovers(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".restore-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// TestLibrary_Restore: restoring through an open library swaps the database and leaves the
// same Library value usable on the restored data; while another process has the library
// open, it refuses with ErrBusy and the library keeps working on its own data.
func TestLibrary_Restore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lib")
	lib, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { lib.Close() }()
	mustTag(t, lib, "old")
	b, err := lib.Backup(ctx, core.BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustTag(t, lib, "new")

	other, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Restore(ctx, b.Path, core.RestoreOptions{}); !errors.Is(err, core.ErrBusy) {
		t.Fatalf("restore while another Library has it open: %v", err)
	}
	if got := tagNames(t, lib); fmt.Sprint(got) != "[new old]" {
		t.Fatalf("after a refused restore the library reads %v", got)
	}
	other.Close()

	res, err := lib.Restore(ctx, b.Path, core.RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := tagNames(t, lib); fmt.Sprint(got) != "[old]" {
		t.Fatalf("restored library reads %v", got)
	}
	mustTag(t, lib, "written after restore")
	mustCheck(t, lib)
	if got := tagsInFile(t, res.Previous); fmt.Sprint(got) != "[new old]" {
		t.Fatalf("previous database kept as %v", got)
	}

	opts := testOptions()
	opts.ReadOnly = true
	lib.Close()
	ro, err := core.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.Restore(ctx, b.Path, core.RestoreOptions{}); !errors.Is(err, core.ErrReadOnly) {
		t.Fatalf("restore on a read-only library: %v", err)
	}
}

// TestRestore_OlderSchema: a backup from an older filedex is migrated up in the private copy
// before the swap.
func TestRestore_OlderSchema(t *testing.T) {
	if migrations.Latest() < 2 {
		t.Skip("only one schema version exists: no older backup to restore")
	}
	tmp := t.TempDir()
	lib, err := core.Open(filepath.Join(tmp, "lib"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	b, err := lib.Backup(ctx, core.BackupOptions{})
	lib.Close()
	if err != nil {
		t.Fatal(err)
	}
	db, _ := driver.Open(fileURI(b.Path, ""), fts5.Register) // 0002's down drops an FTS5 table
	if err := migrations.NewRunner(db, nil).Down(ctx, migrations.Latest()-1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var phases []string
	res, err := core.Restore(ctx, filepath.Join(tmp, "lib2"), b.Path, testOptions(), core.RestoreOptions{Progress: func(p core.RestorePhase) { phases = append(phases, string(p)) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.FromVersion != 1 || res.SchemaVersion != migrations.Latest() || !strings.Contains(fmt.Sprint(phases), "migrate") {
		t.Fatalf("result %+v, phases %v", res, phases)
	}
}

// TestRestore_OpenWaitsForSwap: a library opened while a restore holds the lock waits for
// the swap and then sees the restored database, never the one being replaced. (The sleep
// only gives a non-waiting Open time to finish early; the test fails on the order of events,
// not on a duration.)
func TestRestore_OpenWaitsForSwap(t *testing.T) {
	skipWithoutThreads(t)
	dir := filepath.Join(t.TempDir(), "lib")
	lib, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	mustTag(t, lib, "restored")
	b, err := lib.Backup(ctx, core.BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustTag(t, lib, "replaced")
	lib.Close()

	var opened atomic.Bool
	var openedEarly bool
	type result struct {
		lib *core.Library
		err error
	}
	done := make(chan result, 1)
	_, err = core.Restore(ctx, dir, b.Path, testOptions(), core.RestoreOptions{Progress: func(p core.RestorePhase) {
		if p != core.PhaseKeep { // the exclusive lock is held from here to the end
			return
		}
		go func() {
			l, err := core.Open(dir, testOptions())
			opened.Store(true)
			done <- result{l, err}
		}()
		time.Sleep(100 * time.Millisecond)
		openedEarly = opened.Load()
	}})
	if err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("open during a restore: %v", r.err)
	}
	defer r.lib.Close()
	if openedEarly {
		t.Fatal("Open finished while the restore held the lock")
	}
	if got := tagNames(t, r.lib); fmt.Sprint(got) != "[restored]" {
		t.Fatalf("library opened during the restore reads %v", got)
	}
}

// TestRestore_NoEntryIDReuse: an entry created after a backup is lost by restoring it, but
// its UUID must not come back naming another entry (UUIDs derive from ids since migration
// 0007): the restored library continues numbering above the replaced one.
func TestRestore_NoEntryIDReuse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lib")
	lib, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { lib.Close() }()
	data := filepath.Join(t.TempDir(), "data")
	os.Mkdir(data, 0o755)
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: data})
	if err != nil {
		t.Fatal(err)
	}
	b, err := lib.Backup(ctx, core.BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lost, err := lib.Entries().Create(ctx, core.EntryInput{ParentID: loc.RootID, Name: "lost", ModifiedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Restore(ctx, b.Path, core.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	next, err := lib.Entries().Create(ctx, core.EntryInput{ParentID: loc.RootID, Name: "next", ModifiedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if next.ID <= lost.ID {
		t.Fatalf("after the restore a new entry got id %d; the lost entry had %d", next.ID, lost.ID)
	}
	if _, err := lib.Entries().GetByUUID(ctx, lost.UUID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("the lost entry's UUID resolves after the restore: %v", err)
	}
	mustCheck(t, lib)
}
