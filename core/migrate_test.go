package core_test

import (
	"errors"
	"testing"

	"github.com/filedex/filedex/core"
	"github.com/filedex/filedex/migrations"
	"github.com/google/uuid"
)

func TestLibrary_Migrate(t *testing.T) {
	lib := openTest(t)
	rep, err := lib.Migrations(ctx)
	if err != nil || rep.Current != migrations.Latest() || rep.Latest != migrations.Latest() || len(rep.Migrations) != migrations.Latest() {
		t.Fatalf("status: %+v %v", rep, err)
	}
	if _, err := lib.Tags().Create(ctx, core.TagInput{Name: "keep"}); err != nil {
		t.Fatal(err)
	}
	rep, err = lib.MigrateDown(ctx, 1)
	if err != nil || rep.Current != migrations.Latest()-1 || rep.Migrations[len(rep.Migrations)-1].Applied {
		t.Fatalf("down: %+v %v", rep, err)
	}
	if _, err := lib.MigrateDown(ctx, 0); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("down 0: %v", err)
	}
	if rep, err = lib.MigrateUp(ctx, 0); err != nil || rep.Current != migrations.Latest() {
		t.Fatalf("up: %+v %v", rep, err)
	}
	if tags, _, err := lib.Tags().List(ctx, core.Page{}); err != nil || len(tags) != 1 {
		t.Fatalf("data lost by down+up of the last migration: %v %v", tags, err)
	}
	if _, err := lib.MigrateFresh(ctx, false); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("fresh without force: %v", err)
	}
	if tags, _, _ := lib.Tags().List(ctx, core.Page{}); len(tags) != 1 {
		t.Fatal("refused fresh dropped data")
	}
	if _, err := lib.MigrateFresh(ctx, true); err != nil {
		t.Fatal(err)
	}
	if tags, _, err := lib.Tags().List(ctx, core.Page{}); err != nil || len(tags) != 0 {
		t.Fatalf("fresh kept tags: %v %v", tags, err)
	}
	if info, err := lib.Info(ctx); err != nil || info.Device.ID == 0 {
		t.Fatalf("identity after fresh: %+v %v", info, err)
	}
	if _, err := lib.Tags().Create(ctx, core.TagInput{Name: "after"}); err != nil {
		t.Fatalf("write after fresh: %v", err)
	}
}

// TestMigrate_EntryUUIDsDownAndUp: migration 0007 stops storing entry UUIDs; its down stores
// them again, rebuilding the entries table. Down must keep every row, give each entry the UUID
// it had (so a client's references survive a downgrade), and cope with a directory whose
// parent was created after it (the rows go back in id order); up again must leave a library
// that passes Check with the same UUIDs.
func TestMigrate_EntryUUIDsDownAndUp(t *testing.T) {
	lib := openTest(t)
	g := generate(t, lib, 7, 500)
	es := lib.Entries()
	older, err := es.Create(ctx, core.EntryInput{ParentID: g.rootID, Name: "older", Kind: core.KindDirectory, ModifiedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	newer, err := es.Create(ctx, core.EntryInput{ParentID: g.rootID, Name: "newer", Kind: core.KindDirectory, ModifiedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	db := openRaw(t, lib)
	if err := moveDirSQL(db, older.ID, newer.ID); err != nil {
		t.Fatal(err)
	}
	read := func(q string) map[int64]string {
		t.Helper()
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		m := map[int64]string{}
		for rows.Next() {
			var id int64
			var v []byte
			if err := rows.Scan(&id, &v); err != nil {
				t.Fatal(err)
			}
			m[id] = string(v)
		}
		return m
	}
	before := read(`SELECT id, uuid FROM entries_seed`)
	if len(before) < 500 {
		t.Fatalf("%d entries", len(before))
	}
	if _, err := lib.MigrateDown(ctx, migrations.Latest()-6); err != nil { // to 6: below 0007
		t.Fatal(err)
	}
	stored := read(`SELECT id, uuid FROM entries`)
	if len(stored) != len(before) {
		t.Fatalf("down kept %d of %d entries", len(stored), len(before))
	}
	for id, u := range before {
		if stored[id] != u {
			t.Fatalf("entry %d: stored UUID %x after down, was %x", id, stored[id], u)
		}
	}
	if fk := read(`SELECT rowid, "table" FROM pragma_foreign_key_check`); len(fk) > 0 {
		t.Fatalf("foreign key violations after down: %v", fk)
	}
	if _, err := lib.MigrateUp(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if after := read(`SELECT id, uuid FROM entries_seed`); len(after) != len(before) {
		t.Fatalf("%d entries after up, %d before", len(after), len(before))
	} else {
		for id, u := range before {
			if after[id] != u {
				t.Fatalf("entry %d: UUID %x after down and up, was %x", id, after[id], u)
			}
		}
	}
	// The open library derives UUIDs again once 0007 is back.
	for id, u := range before {
		e, err := es.GetByUUID(ctx, uuid.UUID([]byte(u)))
		if err != nil || e.ID != id {
			t.Fatalf("GetByUUID(%x) after down and up: %+v %v", u, e, err)
		}
		break
	}
	mustCheck(t, lib)
}
