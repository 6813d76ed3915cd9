package core_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/filedex/filedex/core"
	"github.com/google/uuid"
)

// TestEntries_DerivedUUIDs: an entry's UUID is not stored (migration 0007) but derived from
// the library and the entry id. It must be a valid RFC 9562 UUIDv8, the same through the API
// and through plain SQL (the view entries_seed), differ between libraries, find its entry,
// and never name a second entry: an id freed at the top of the table is not handed out again.
func TestEntries_DerivedUUIDs(t *testing.T) {
	mk := func(t *testing.T, seed uint64) (*core.Library, core.Location) {
		opts := testOptions()
		opts.UUIDs = core.SeededUUIDs(seed)
		lib, err := core.Open(filepath.Join(t.TempDir(), "lib"), opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { lib.Close() })
		data := filepath.Join(t.TempDir(), "data")
		os.Mkdir(data, 0o755)
		loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: data})
		if err != nil {
			t.Fatal(err)
		}
		return lib, loc
	}
	lib, loc := mk(t, 1)
	other, otherLoc := mk(t, 2)
	es := lib.Entries()
	var made []core.Entry
	for _, n := range []string{"a", "b", "c"} {
		e, err := es.Create(ctx, core.EntryInput{ParentID: loc.RootID, Name: n, ModifiedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, e)
	}
	db := openRaw(t, lib)
	for _, e := range made {
		if e.UUID.Version() != 8 || e.UUID.Variant() != uuid.RFC4122 {
			t.Fatalf("%s: version %d variant %v, want 8 and RFC 9562", e.UUID, e.UUID.Version(), e.UUID.Variant())
		}
		got, err := es.GetByUUID(ctx, e.UUID)
		if err != nil || got.ID != e.ID || got.UUID != e.UUID {
			t.Fatalf("by uuid %s: %+v %v", e.UUID, got, err)
		}
		var viewUUID []byte
		if err := db.QueryRow(`SELECT uuid FROM entries_seed WHERE id = ?`, e.ID).Scan(&viewUUID); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(viewUUID, e.UUID[:]) {
			t.Fatalf("entries_seed renders %x, the API %x", viewUUID, e.UUID[:])
		}
	}
	// Another library: the same entry id, another UUID, not found here.
	oe, err := other.Entries().Create(ctx, core.EntryInput{ParentID: otherLoc.RootID, Name: "a", ModifiedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if oe.ID != made[0].ID || oe.UUID == made[0].UUID {
		t.Fatalf("ids %d/%d, uuids %s/%s: same id must give different UUIDs across libraries", oe.ID, made[0].ID, oe.UUID, made[0].UUID)
	}
	if _, err := es.GetByUUID(ctx, oe.UUID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("another library's entry UUID: %v", err)
	}
	// Delete the two newest entries (the top of the table): their ids must not come back,
	// neither through the API nor through a scan.
	top := made[2]
	for _, e := range made[1:] {
		if err := es.Delete(ctx, e.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := es.GetByUUID(ctx, top.UUID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("deleted entry's UUID: %v", err)
	}
	next, err := es.Create(ctx, core.EntryInput{ParentID: loc.RootID, Name: "d", ModifiedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if next.ID <= top.ID {
		t.Fatalf("new entry got id %d after id %d was deleted: the deleted entry's UUID would name it", next.ID, top.ID)
	}
	if _, err := es.GetByUUID(ctx, top.UUID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("deleted entry's UUID after a new entry: %v", err)
	}
	if err := es.Delete(ctx, next.ID); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(loc.Path, "scanned"), []byte("x"), 0o644)
	if _, err := lib.Scan(ctx, loc.ID, core.ScanOptions{}); err != nil {
		t.Fatal(err)
	}
	scanned, err := es.GetByPath(ctx, filepath.Join(loc.Path, "scanned"))
	if err != nil {
		t.Fatal(err)
	}
	if scanned.ID <= next.ID {
		t.Fatalf("scan gave id %d after id %d was deleted", scanned.ID, next.ID)
	}
}
