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
