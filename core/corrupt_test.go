package core_test

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3/driver"

	"github.com/filedex/filedex/core"
	"github.com/filedex/filedex/migrations"
)

// corruptFixture builds a small library (a location with entries, tags, metadata, content),
// closes it so database.db is self-contained, and returns its bytes and the root pages of
// some of its b-trees.
func corruptFixture(t testing.TB) ([]byte, map[string]int) { return corruptFixtureN(t, 3000) }

// corruptFixtureN is corruptFixture with n entries.
func corruptFixtureN(t testing.TB, n int) ([]byte, map[string]int) {
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
	if err := lib.UpdateForTest(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?3)
INSERT INTO entries (id, location_id, parent_id, name, extension, kind, size, modified_at)
SELECT 1000 + i, ?1, ?2, 'file ' || i || '.txt', 'txt', 0, i, 0 FROM s`, loc.ID, loc.RootID, n)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b", "c"} {
		tg, _ := lib.Tags().Create(ctx, core.TagInput{Name: n})
		lib.Tags().Apply(ctx, tg.ID, 1001, 1002)
	}
	lib.Close()
	b, err := os.ReadFile(filepath.Join(dir, core.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	db, _ := driver.Open(fileURI(filepath.Join(dir, core.DatabaseFile), "mode=ro"))
	defer db.Close()
	roots := map[string]int{}
	rows, err := db.Query(`SELECT name, rootpage FROM sqlite_schema WHERE rootpage > 0`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		var p int
		rows.Scan(&n, &p)
		roots[n] = p
	}
	rows.Close()
	return b, roots
}

const pageSize = 4096

// openDamaged writes b as a library's database.db and opens it. It returns the library
// (nil when Open refused) and Open's error.
func openDamaged(t testing.TB, b []byte) (*core.Library, error) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "lib")
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, core.DatabaseFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	lib, err := core.Open(dir, testOptions())
	if err == nil {
		t.Cleanup(func() { lib.Close() })
	}
	return lib, err
}

// damageDetected requires that a damaged database is either refused by Open with
// ErrIncompatible and a message that says what to do, or opened and reported by Check.
func damageDetected(t testing.TB, b []byte) {
	t.Helper()
	lib, err := openDamaged(t, b)
	if err != nil {
		if !errors.Is(err, core.ErrIncompatible) || !strings.Contains(err.Error(), "restore") {
			t.Fatalf("open of a damaged database: %v (code %s), want incompatible with advice", err, core.CodeOf(err))
		}
		return
	}
	rep, err := lib.Check(ctx)
	if err != nil {
		t.Fatalf("check of a damaged database failed instead of reporting: %v", err)
	}
	if rep.OK {
		t.Fatal("check reports a damaged database as OK")
	}
}

// TestCorrupt_Database: damaged database files are refused or reported, never a panic.
func TestCorrupt_Database(t *testing.T) {
	good, roots := corruptFixture(t)
	garbage := func(b []byte, page int) []byte {
		out := bytes.Clone(b)
		r := rand.New(rand.NewPCG(uint64(page), 7))
		start := (page - 1) * pageSize
		if page == 1 {
			start = 100 // keep the file header: damage the schema b-tree itself
		}
		for i := start; i < page*pageSize && i < len(out); i++ {
			out[i] = byte(r.Uint32())
		}
		return out
	}
	t.Run("header magic", func(t *testing.T) {
		b := bytes.Clone(good)
		copy(b, "SQLite format 4\x00")
		damageDetected(t, b)
	})
	t.Run("file format versions", func(t *testing.T) {
		// SQLite opens an unknown write version read-only without complaint; Open must refuse
		// it rather than fail later on the first write (FuzzDamagedDatabase, offset 18).
		for _, off := range []int{18, 19} {
			b := bytes.Clone(good)
			b[off] = '0'
			damageDetected(t, b)
			if _, err := openDamaged(t, b); !errors.Is(err, core.ErrIncompatible) {
				t.Fatalf("header byte %d = 48: open %v, want incompatible", off, err)
			}
		}
	})
	t.Run("schema page", func(t *testing.T) { damageDetected(t, garbage(good, 1)) })
	t.Run("a column renamed in sqlite_schema", func(t *testing.T) {
		// The text stays well-formed SQL, so SQLite opens the file; filedex's own statements
		// then name a column that is not there. Open must call that incompatible, with advice.
		// Every copy: free space in the schema's pages may hold stale ones (the migrations
		// rewrote rows), and which copy is live depends on the layout.
		col := []byte("os                TEXT    NOT NULL")
		if !bytes.Contains(good, col) {
			t.Fatal("devices.os not found in the file")
		}
		damageDetected(t, bytes.ReplaceAll(good, col, []byte("oz                TEXT    NOT NULL")))
	})
	t.Run("an index definition changed in sqlite_schema", func(t *testing.T) {
		// Nothing fails on it: Open and every query work. Only Check's schema comparison sees
		// that entries_large no longer covers files of exactly 1 MiB.
		def := []byte("WHERE size >= 1048576")
		if !bytes.Contains(good, def) {
			t.Fatal("entries_large's definition not found in the file")
		}
		lib, err := openDamaged(t, bytes.ReplaceAll(good, def, []byte("WHERE size >= 1048577")))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := lib.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK || rep.Problems[0].Check != core.CheckSchema || !slices.Contains(rep.Problems[0].Examples, fmt.Sprintf("index entries_large: differs from migration %d's", migrations.Latest())) {
			t.Fatalf("check: %+v", rep)
		}
	})
	t.Run("entries table root", func(t *testing.T) { damageDetected(t, garbage(good, roots["entries"])) })
	t.Run("entries parent-name index root", func(t *testing.T) { damageDetected(t, garbage(good, roots["entries_parent_name"])) })
	t.Run("tags table root", func(t *testing.T) {
		b := garbage(good, roots["tags"])
		damageDetected(t, b)
		// Reading the damaged table fails with a clear, classified error.
		if lib, err := openDamaged(t, b); err == nil {
			if _, _, err := lib.Tags().List(ctx, core.Page{}); err != nil && core.CodeOf(err) != core.CodeIncompatible {
				t.Fatalf("reading a damaged table: %v (code %s)", err, core.CodeOf(err))
			}
		}
	})
	t.Run("truncated to half", func(t *testing.T) { damageDetected(t, good[:len(good)/2/pageSize*pageSize]) })
	t.Run("truncated mid-page", func(t *testing.T) {
		// SQLite reads past the end of a file as zeros: if the lost bytes were unused (free
		// space at the end of the last page) nothing is damaged, and nothing may be lost.
		b := good[:len(good)-1000]
		lib, err := openDamaged(t, b)
		if err == nil {
			if rep, err := lib.Check(ctx); err == nil && rep.OK {
				if tags := tagNames(t, lib); len(tags) != 3 {
					t.Fatalf("check OK but tags are %v", tags)
				}
				return
			}
		}
		damageDetected(t, b)
	})
	t.Run("empty file", func(t *testing.T) {
		// SQLite treats an empty file as a new database: Open creates the schema in it.
		lib, err := openDamaged(t, nil)
		if err != nil {
			t.Fatal(err)
		}
		mustCheck(t, lib)
	})
	t.Run("not a database", func(t *testing.T) { damageDetected(t, bytes.Repeat([]byte("filedex "), 2000)) })
	t.Run("random byte flips", func(t *testing.T) {
		// Flips anywhere, including unused space: the only rule is no panic and no
		// unclassified error from Open.
		r := rand.New(rand.NewPCG(42, 42))
		for i := 0; i < 25; i++ {
			b := bytes.Clone(good)
			for j := 0; j < 20; j++ {
				b[r.IntN(len(b))] ^= byte(1 + r.IntN(255))
			}
			lib, err := openDamaged(t, b)
			if err != nil {
				if c := core.CodeOf(err); c != core.CodeIncompatible && c != core.CodeInvalid {
					t.Fatalf("flip round %d: open: %v (code %s)", i, err, c)
				}
				continue
			}
			if _, err := lib.Check(ctx); err != nil && core.CodeOf(err) != core.CodeIncompatible {
				t.Fatalf("flip round %d: check: %v (code %s)", i, err, core.CodeOf(err))
			}
			lib.Close()
		}
	})
}

// TestDiskFull_VFS: a disk that fills up mid-write (a VFS failing writes with SQLITE_FULL
// after a byte budget) gives ErrFull with code disk_full; the failed transaction is rolled
// back whole; once space is back the library works and passes Check. A backup that hits a
// full disk leaves no file behind.
func TestDiskFull_VFS(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lib")
	lib, err := core.Open(dir, core.WithVFS(testOptions(), fullVFSName))
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	defer diskFull.budget.Store(-1)
	mustTag(t, lib, "before")

	for _, budget := range []int64{0, 1000, 20000} {
		diskFull.budget.Store(budget)
		err := lib.UpdateForTest(ctx, func(tx *sql.Tx) error {
			_, err := tx.Exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 2000)
INSERT INTO tags (uuid, name, icon, created_at, updated_at) SELECT randomblob(16), 'full ' || i, hex(randomblob(200)), 0, 0 FROM s`)
			return err
		})
		if !errors.Is(err, core.ErrFull) || core.CodeOf(err) != core.CodeDiskFull || !strings.Contains(err.Error(), "disk full") {
			t.Fatalf("budget %d: %v (code %s), want ErrFull", budget, err, core.CodeOf(err))
		}
		_, err = lib.Tags().Create(ctx, core.TagInput{Name: "small"})
		if err == nil {
			lib.Tags().Delete(ctx, mustTagID(t, lib, "small"))
		} else if core.CodeOf(err) != core.CodeDiskFull {
			t.Fatalf("budget %d, after the failure: %v", budget, err)
		}
		diskFull.budget.Store(-1)
		if got := tagNames(t, lib); strings.Join(got, ",") != "before" {
			t.Fatalf("budget %d: after the failed write the library holds %d tags", budget, len(got))
		}
		mustTag(t, lib, "after")
		mustCheck(t, lib)
		lib.Tags().Delete(ctx, mustTagID(t, lib, "after"))
	}

	// A backup onto a full disk.
	mustBulk(t, lib, 500)
	diskFull.budget.Store(100000)
	_, err = lib.Backup(ctx, core.BackupOptions{})
	diskFull.budget.Store(-1)
	if core.CodeOf(err) != core.CodeDiskFull {
		t.Fatalf("backup onto a full disk: %v (code %s)", err, core.CodeOf(err))
	}
	ents, _ := os.ReadDir(filepath.Join(dir, core.BackupsDir))
	for _, e := range ents {
		t.Errorf("failed backup left %s", e.Name())
	}
	if _, err := lib.Backup(ctx, core.BackupOptions{}); err != nil {
		t.Fatal(err)
	}
}

func mustTagID(t *testing.T, lib *core.Library, name string) int64 {
	t.Helper()
	tg, err := lib.Tags().GetByName(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return tg.ID
}

// TestDiskFull_Tmpfs: the same on a real full file system, a 2 MiB tmpfs (Linux, root only:
// skipped elsewhere). The OS's ENOSPC must reach the caller as ErrFull too: go-sqlite3
// reports it as SQLITE_IOERR_WRITE without the errno (diskfull.go), which this test found.
func TestDiskFull_Tmpfs(t *testing.T) {
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("needs Linux and root to mount a tmpfs")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); TestDiskFull_VFS covers the same path", err, out)
	}
	defer exec.Command("umount", "-l", mnt).Run()
	dir := filepath.Join(mnt, "lib")
	lib, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	mustTag(t, lib, "before")
	var full error
	for i := 0; i < 100 && full == nil; i++ {
		full = lib.UpdateForTest(ctx, func(tx *sql.Tx) error {
			_, err := tx.Exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 100)
INSERT INTO tags (uuid, name, icon, created_at, updated_at) SELECT randomblob(16), hex(randomblob(8)), hex(randomblob(200)), 0, 0 FROM s`)
			return err
		})
	}
	if !errors.Is(full, core.ErrFull) {
		t.Fatalf("filling a 2 MiB tmpfs: %v (code %s), want ErrFull", full, core.CodeOf(full))
	}
	// Free space: delete what was added (SQLite reuses its pages) and checkpoint.
	if err := lib.UpdateForTest(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`DELETE FROM tags WHERE name <> 'before'`)
		return err
	}); err != nil && !errors.Is(err, core.ErrFull) {
		t.Fatal(err)
	}
	lib.Close()
	lib2, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatalf("reopen after a full disk: %v", err)
	}
	defer lib2.Close()
	mustCheck(t, lib2)
	if !strings.Contains(strings.Join(tagNames(t, lib2), ","), "before") {
		t.Fatal("a tag committed before the disk filled up was lost")
	}
}
