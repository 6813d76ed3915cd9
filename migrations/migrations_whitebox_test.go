package migrations

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ncruces/go-sqlite3/driver"
	"github.com/ncruces/go-sqlite3/ext/fts5"
)

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := driver.Open("file:"+filepath.Join(t.TempDir(), "m.db")+"?_pragma=foreign_keys(1)", fts5.Register) // 0002 creates an FTS5 table
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func schema(t *testing.T, db *sql.DB) string {
	t.Helper()
	rows, err := db.Query(`SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema WHERE name <> 'schema_migrations' ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var typ, name, tbl, q string
		rows.Scan(&typ, &name, &tbl, &q)
		b.WriteString(typ + " " + name + " " + tbl + "\n" + q + "\n")
	}
	return b.String()
}

func TestRunner_UpDownUpSameSchema(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	r := NewRunner(db, nil)
	if err := r.Up(ctx, 0); err != nil {
		t.Fatal(err)
	}
	first := schema(t, db)
	if !strings.Contains(first, "CREATE TABLE entries") {
		t.Fatalf("schema after up lacks entries:\n%s", first)
	}
	if err := r.Down(ctx, Latest()); err != nil {
		t.Fatal(err)
	}
	if s := schema(t, db); s != "" {
		t.Fatalf("schema after down to 0 is not empty:\n%s", s)
	}
	if err := r.Up(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if again := schema(t, db); again != first {
		t.Fatalf("up → down → up changed sqlite_schema:\n--- first\n%s\n--- again\n%s", first, again)
	}
	// Each down restores exactly the schema of the version below it (0003 alters
	// content_identity in place: its DROP COLUMN must give back 0002's text).
	for v := Latest(); v >= 2; v-- {
		if err := r.Down(ctx, Latest()); err != nil {
			t.Fatal(err)
		}
		if err := r.Up(ctx, v-1); err != nil {
			t.Fatal(err)
		}
		below := schema(t, db)
		if err := r.Up(ctx, v); err != nil {
			t.Fatal(err)
		}
		if err := r.Down(ctx, 1); err != nil {
			t.Fatal(err)
		}
		if s := schema(t, db); s != below {
			t.Fatalf("down from %d did not restore version %d's schema:\n--- want\n%s\n--- got\n%s", v, v-1, below, s)
		}
		if err := r.Up(ctx, 0); err != nil {
			t.Fatal(err)
		}
	}
	// Step by step, each version down and up again.
	for v := Latest(); v >= 1; v-- {
		if err := r.Down(ctx, 1); err != nil {
			t.Fatalf("down from %d: %v", v, err)
		}
		if cur, _ := r.Current(ctx); cur != v-1 {
			t.Fatalf("after down from %d: current %d", v, cur)
		}
	}
	if err := r.Up(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if again := schema(t, db); again != first {
		t.Fatal("stepwise down and up changed sqlite_schema")
	}
}

func TestRunner_Status(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	r := NewRunner(db, nil)
	st, err := r.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != Latest() || st[0].Applied {
		t.Fatalf("fresh status = %+v", st)
	}
	if n, _ := r.Pending(ctx); n != Latest() {
		t.Fatalf("pending = %d", n)
	}
	if err := r.Up(ctx, 1); err != nil {
		t.Fatal(err)
	}
	st, _ = r.Status(ctx)
	if !st[0].Applied || st[0].Checksum != all[0].Checksum || st[0].AppliedAt.IsZero() {
		t.Fatalf("status after up 1 = %+v", st[0])
	}
}

func TestRunner_RefusesTooNewAndChanged(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	r := NewRunner(db, nil)
	if err := r.Up(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations VALUES (9999, 'from_the_future', 'x', 0)`); err != nil {
		t.Fatal(err)
	}
	if err := r.Up(ctx, 0); !errors.Is(err, ErrTooNew) || !strings.Contains(err.Error(), "9999_from_the_future") {
		t.Fatalf("too new: %v", err)
	}
	if err := r.Down(ctx, 1); !errors.Is(err, ErrTooNew) {
		t.Fatalf("down on a too-new database: %v", err)
	}
	db.Exec(`DELETE FROM schema_migrations WHERE version = 9999`)
	db.Exec(`UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1`)
	err := r.Verify(ctx)
	if !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), "0001_init.up.sql") {
		t.Fatalf("changed migration: %v", err)
	}
}

func TestRunner_FreshNeedsForce(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	r := NewRunner(db, nil)
	r.Up(ctx, 0)
	db.Exec(`INSERT INTO tags (uuid, name, created_at, updated_at) VALUES (randomblob(16), 'keep', 0, 0)`)
	if err := r.Fresh(ctx, false); !errors.Is(err, ErrNotForced) {
		t.Fatalf("fresh without force: %v", err)
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM tags`).Scan(&n)
	if n != 1 {
		t.Fatal("refused fresh still dropped data")
	}
	if err := r.Fresh(ctx, true); err != nil {
		t.Fatal(err)
	}
	db.QueryRow(`SELECT count(*) FROM tags`).Scan(&n)
	if n != 0 {
		t.Fatal("fresh kept data")
	}
}

// A migration that fails half-way must leave the schema exactly as it was: the runner runs
// each migration and its bookkeeping row in one transaction.
func TestRunner_FailingMigrationRollsBack(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{
		"0001_a.up.sql":   {Data: []byte(`CREATE TABLE a (x);`)},
		"0001_a.down.sql": {Data: []byte(`DROP TABLE a;`)},
		"0002_b.up.sql":   {Data: []byte(`CREATE TABLE b (x); INSERT INTO nowhere VALUES (1);`)},
		"0002_b.down.sql": {Data: []byte(`DROP TABLE b;`)},
	}
	ms, err := load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	r := &Runner{db: db, migrations: ms, now: NewRunner(db, nil).now}
	err = r.Up(ctx, 2)
	if err == nil || !strings.Contains(err.Error(), "0002_b up") {
		t.Fatalf("failing migration: %v", err)
	}
	if cur, _ := r.Current(ctx); cur != 1 {
		t.Fatalf("current = %d, want 1", cur)
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'b'`).Scan(&n)
	if n != 0 {
		t.Fatal("table b of the failed migration survived")
	}
}

func TestLoad_RejectsBadFiles(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"bad name":  {"1_x.up.sql": {}, "1_x.down.sql": {}},
		"gap":       {"0001_a.up.sql": {Data: []byte("x")}, "0001_a.down.sql": {Data: []byte("x")}, "0003_c.up.sql": {Data: []byte("x")}, "0003_c.down.sql": {Data: []byte("x")}},
		"no down":   {"0001_a.up.sql": {Data: []byte("x")}},
		"two names": {"0001_a.up.sql": {Data: []byte("x")}, "0001_b.down.sql": {Data: []byte("x")}},
	} {
		if _, err := load(fsys); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestAggregates_Backfill: 0003 counts the rows that exist when it is applied (a library
// created by an older binary), in the same transaction as the schema change.
func TestAggregates_Backfill(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	r := NewRunner(db, nil)
	if err := r.Up(ctx, 2); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO devices (id, uuid, name, os, hardware_model, is_online, last_seen_at, created_at, updated_at) VALUES (1, randomblob(16), 'd', 'linux', 'x', 1, 0, 0, 0)`,
		`INSERT INTO locations (id, uuid, device_id, path, index_mode, created_at, updated_at) VALUES (1, randomblob(16), 1, '/l', 'content', 0, 0)`,
		`INSERT INTO content_identity (id, size_bytes, created_at) VALUES (7, 10, 0), (8, 99, 0)`,
		`INSERT INTO entries (id, uuid, location_id, parent_id, name, kind, modified_at, path) VALUES (1, randomblob(16), 1, NULL, 'l', 1, 0, ''), (2, randomblob(16), 1, 1, 'a', 1, 0, 'a'), (3, randomblob(16), 1, 2, 'b', 1, 0, 'a/b')`,
		`INSERT INTO entries (id, uuid, location_id, parent_id, name, kind, size, modified_at, content_id) VALUES
		 (4, randomblob(16), 1, 1, 'f', 0, 10, 0, 7), (5, randomblob(16), 1, 2, 'g', 0, 10, 0, 7), (6, randomblob(16), 1, 2, 'h', 0, 99, 0, 8),
		 (7, randomblob(16), 1, 2, 'ln', 2, 3, 0, NULL), (8, randomblob(16), 1, 3, 'e', 0, 0, 0, NULL)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := r.Up(ctx, 3); err != nil {
		t.Fatal(err)
	}
	var got []string
	rows, err := db.Query(`SELECT dir_id || ':' || files || '/' || dirs || '/' || symlinks || '/' || bytes FROM dir_stats ORDER BY dir_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		got = append(got, s)
	}
	rows.Close()
	if want := "1:1/1/0/10 2:2/1/1/109 3:1/0/0/0"; strings.Join(got, " ") != want {
		t.Errorf("dir_stats = %v, want %s", got, want)
	}
	var counts string
	db.QueryRow(`SELECT group_concat(id || ':' || entry_count, ' ') FROM (SELECT * FROM content_identity ORDER BY id)`).Scan(&counts)
	if counts != "7:2 8:1" {
		t.Errorf("entry_count = %s", counts)
	}
}

// TestRunner_UpBehindIsBadTarget: Up to a version behind the applied one is ErrBadTarget
// (it panicked slicing the migrations backwards), and changes nothing.
func TestRunner_UpBehindIsBadTarget(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	r := NewRunner(db, nil)
	if err := r.Up(ctx, 0); err != nil {
		t.Fatal(err)
	}
	before := schema(t, db)
	for _, to := range []int{1, Latest() - 1, -1, Latest() + 1} {
		if err := r.Up(ctx, to); !errors.Is(err, ErrBadTarget) {
			t.Errorf("Up(%d) at version %d: %v, want ErrBadTarget", to, Latest(), err)
		}
	}
	if err := r.Up(ctx, Latest()); err != nil {
		t.Errorf("Up(latest) at latest: %v", err)
	}
	if schema(t, db) != before {
		t.Error("a refused Up changed the schema")
	}
}
