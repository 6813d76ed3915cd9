package core

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"

	"github.com/filedex/filedex/migrations"
	"github.com/ncruces/go-sqlite3/driver"
)

// schemaObjects reads the schema as the migrations write it: every table, index, trigger and
// view with its SQL text, keyed by type and name. SQLite's own tables (sqlite_stat1 and
// sqlite_stat4, which ANALYZE creates) and the runner's bookkeeping are not the migrations'.
func schemaObjects(ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) (map[string]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT type || ' ' || name, coalesce(sql, '') FROM sqlite_schema
WHERE name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'schema_migrations'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var k, q string
		if err := rows.Scan(&k, &q); err != nil {
			return nil, err
		}
		m[k] = q
	}
	return m, rows.Err()
}

// checkSchema compares the library's schema with the one its applied migrations make, built
// afresh in memory: a table, index, trigger or view of theirs that is missing or different
// (a damaged sqlite_schema that still parses, or an edit made outside filedex) is reported.
// PRAGMA integrity_check cannot see such a change, and filedex's own statements would fail on
// it later with "no such column".
func (l *Library) checkSchema(ctx context.Context, tx *sql.Tx, rep *CheckReport) error {
	// Through tx: the check's snapshot, and no second reader connection (with MaxOpenConns 2
	// there is one, and tx holds it).
	var version int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return err
	}
	if version == 0 {
		return nil // no migration applied: nothing to compare with (and Up(0) means "all")
	}
	diffs, err := schemaDiffs(ctx, tx, version)
	if err != nil {
		return err
	}
	if len(diffs) > 0 {
		rep.add(CheckSchema, "the schema is not the one the applied migrations make (damaged, or edited outside filedex); restore a backup", int64(len(diffs)), diffs)
	}
	return nil
}

// schemaDiffs lists how db's schema differs from the one migrations 1..version make, built
// afresh in memory: "table tags: missing", "index x: differs from migration 8's". Check
// reports them; a restore refuses a backup that has any.
func schemaDiffs(ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, version int) ([]string, error) {
	have, err := schemaObjects(ctx, db)
	if err != nil {
		return nil, err
	}
	want, err := expectedSchema(ctx, version)
	if err != nil {
		return nil, err
	}
	var diffs []string
	for k, q := range want {
		switch got, ok := have[k]; {
		case !ok:
			diffs = append(diffs, k+": missing")
		case got != q:
			diffs = append(diffs, k+": differs from migration "+fmt.Sprint(version)+"'s")
		}
	}
	// Objects the migrations did not make are left alone: filedex never reads them, and a
	// user's own table beside filedex's is not damage.
	slices.Sort(diffs)
	return diffs, nil
}

// expectedSchemas caches expectedSchema by version: the embedded migrations never change
// in a process, and running them all in memory costs more than the comparison (it was most
// of every Check of a small library, and of every FuzzDamagedDatabase execution).
var expectedSchemas sync.Map // int -> map[string]string

// expectedSchema is the schema migrations 1..version make, built in memory once.
func expectedSchema(ctx context.Context, version int) (map[string]string, error) {
	if m, ok := expectedSchemas.Load(version); ok {
		return m.(map[string]string), nil
	}
	// One connection, kept: every connection to ":memory:" is a database of its own.
	mem, err := driver.Open(":memory:", initConn)
	if err != nil {
		return nil, err
	}
	defer mem.Close()
	mem.SetMaxOpenConns(1)
	mem.SetMaxIdleConns(1)
	if err := migrations.NewRunner(mem, nil).Up(ctx, version); err != nil {
		return nil, fmt.Errorf("expected schema: %w", err)
	}
	want, err := schemaObjects(ctx, mem)
	if err != nil {
		return nil, err
	}
	expectedSchemas.Store(version, want)
	return want, nil
}
