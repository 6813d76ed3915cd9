package core_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3/driver"

	"github.com/filedex/filedex/core"
)

// TestOpen_RefusesForeignDatabase: a database.db of another application is refused as
// incompatible, naming the file, and is left byte for byte as it was; read-write and
// read-only alike. An empty database (0 bytes, or SQLite without tables) still becomes a
// library.
func TestOpen_RefusesForeignDatabase(t *testing.T) {
	for _, tc := range []struct {
		name string
		sql  []string
	}{
		{"tables", []string{`CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)`, `INSERT INTO users VALUES (1, 'a@example.com')`, `CREATE INDEX users_email ON users(email)`}},
		// golang-migrate and Rails keep a schema_migrations table too, with other columns.
		{"other schema_migrations", []string{`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, dirty INTEGER)`, `INSERT INTO schema_migrations VALUES (3, 0)`, `CREATE TABLE posts (id INTEGER)`}},
		{"application id", []string{`PRAGMA application_id = 1196444487`}}, // GPKG; no table at all
		{"wal", []string{`PRAGMA journal_mode = WAL`, `CREATE TABLE t (x)`, `INSERT INTO t VALUES (1)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "lib")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, core.DatabaseFile)
			db, err := driver.Open("file:" + path)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range tc.sql {
				if _, err := db.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
				t.Fatal(err)
			}
			db.Close()
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, ro := range []bool{false, true} {
				opts := testOptions()
				opts.ReadOnly = ro
				lib, err := core.Open(dir, opts)
				if err == nil {
					lib.Close()
					t.Fatalf("read-only %v: opened another application's database", ro)
				}
				if core.CodeOf(err) != core.CodeIncompatible || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "not a filedex library") {
					t.Errorf("read-only %v: %v (code %s), want incompatible naming %s", ro, err, core.CodeOf(err), path)
				}
				after, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(before, after) {
					t.Fatalf("read-only %v: the database changed (%d bytes before, %d after)", ro, len(before), len(after))
				}
			}
		})
	}
	t.Run("empty", func(t *testing.T) {
		for _, sqlite := range []bool{false, true} {
			dir := filepath.Join(t.TempDir(), "lib")
			os.Mkdir(dir, 0o755)
			path := filepath.Join(dir, core.DatabaseFile)
			if sqlite {
				db, err := driver.Open("file:" + path)
				if err != nil {
					t.Fatal(err)
				}
				db.Exec(`PRAGMA user_version = 0`)
				db.Exec(`VACUUM`)
				db.Close()
			} else if err := os.WriteFile(path, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			lib, err := core.Open(dir, testOptions())
			if err != nil {
				t.Fatalf("sqlite %v: empty database refused: %v", sqlite, err)
			}
			lib.Close()
		}
	})
}
