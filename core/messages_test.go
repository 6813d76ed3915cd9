package core_test

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/filedex/filedex/core"
)

// TestMessages_NoRawSQLite: a conflict that reaches the database (two writers racing past
// the checks, as two scans of one location did) says what exists in the user's terms, not
// SQLite's "UNIQUE constraint failed: entries.parent_id, entries.name", and stays
// ErrConflict.
func TestMessages_NoRawSQLite(t *testing.T) {
	lib := openTest(t)
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	in := core.EntryInput{ParentID: loc.RootID, Name: "same.txt", ModifiedAt: t0}
	if _, err := lib.Entries().Create(ctx, in); err != nil {
		t.Fatal(err)
	}
	// The other writer's insert, past Create's own check.
	err = lib.UpdateForTest(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO entries (id, location_id, parent_id, name, kind, size, modified_at) VALUES (99999, ?, ?, 'same.txt', 0, 0, 0)`, loc.ID, loc.RootID)
		return err
	})
	if !errors.Is(err, core.ErrConflict) || strings.Contains(err.Error(), "constraint") || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("duplicate entry: %v", err)
	}
}

// TestOpen_NotARegularFile: a database.db that is a directory, or a symlink to a device,
// is incompatible with advice; it was "internal error: disk I/O error" (and /dev/zero
// would read without end).
func TestOpen_NotARegularFile(t *testing.T) {
	for name, make := range map[string]func(db string) error{
		"directory":         func(db string) error { return os.Mkdir(db, 0o755) },
		"symlink to device": func(db string) error { return os.Symlink("/dev/zero", db) },
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := os.Stat("/dev/zero"); err != nil && name != "directory" {
				t.Skip("no /dev/zero")
			}
			dir := filepath.Join(t.TempDir(), "lib")
			os.MkdirAll(dir, 0o755)
			if err := make(filepath.Join(dir, core.DatabaseFile)); err != nil {
				t.Fatal(err)
			}
			_, err := core.Open(dir, testOptions())
			if !errors.Is(err, core.ErrIncompatible) || !strings.Contains(err.Error(), "restore") {
				t.Fatalf("open: %v (code %s), want incompatible with advice", err, core.CodeOf(err))
			}
		})
	}
}
