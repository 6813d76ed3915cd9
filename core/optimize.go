package core

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
)

// OptimizeReport is the outcome of [Library.Optimize]. Sizes are the database's pages
// (page_count × page_size), the file size once the WAL is checkpointed.
type OptimizeReport struct {
	SizeBefore int64 `json:"size_before"`
	SizeAfter  int64 `json:"size_after"`
	// Reclaimed is SizeBefore − SizeAfter (negative if the database grew, e.g. by
	// ANALYZE's statistics on a tiny library).
	Reclaimed int64 `json:"reclaimed"`
	// FreePagesBefore counts the pages VACUUM found unused.
	FreePagesBefore int64 `json:"free_pages_before"`
}

// Optimize refreshes the query planner's statistics (ANALYZE, then PRAGMA optimize), merges
// full-text index segments, and rebuilds the database file without free pages (VACUUM),
// reporting the space reclaimed. The seed ran PRAGMA optimize after VACUUM; here statistics
// come first so VACUUM writes them out compactly too.
//
// VACUUM rewrites the whole database: it holds the write lock for that time (writers in
// this process queue, in other processes they wait busy_timeout and fail with [ErrBusy]);
// readers keep reading the old snapshot. With temp_store=memory (required under WASI) it
// needs memory about the size of the database.
func (l *Library) Optimize(ctx context.Context) (OptimizeReport, error) {
	const op = "db.optimize"
	var rep OptimizeReport
	if l.write == nil {
		return rep, &Error{Op: op, Err: ErrReadOnly}
	}
	// VACUUM cannot run inside a transaction, so this holds the writer connection itself
	// rather than going through l.update: the pool's single connection is also what keeps
	// this process's other writers out meanwhile.
	conn, err := l.write.Conn(ctx)
	if err != nil {
		return rep, wrapDB(op, err)
	}
	defer conn.Close()
	if rep.SizeBefore, rep.FreePagesBefore, err = dbSize(ctx, conn); err != nil {
		return rep, wrapDB(op, err)
	}
	for _, q := range []string{`ANALYZE`, `PRAGMA optimize`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return rep, l.wrapWrite(op, fmt.Errorf("%s: %w", q, err))
		}
	}
	if err := forgetFTSSamples(ctx, conn); err != nil {
		return rep, l.wrapWrite(op, err)
	}
	if err := optimizeFTS(ctx, conn); err != nil {
		return rep, wrapDB(op, err)
	}
	// VACUUM builds the new database in temporary storage. In memory that is as large as
	// the library, and the SQLite connection's memory is capped (256 MiB by default in
	// ncruces' build, which panics on out-of-memory): a library of a million entries
	// (~220 MB) would not fit. Natively a temporary file is always available; under WASI
	// there is no temporary directory, so memory it is.
	if runtime.GOOS != "wasip1" {
		if _, err := conn.ExecContext(ctx, `PRAGMA temp_store = FILE`); err != nil {
			return rep, wrapDB(op, err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA temp_store = MEMORY`)
	}
	if _, err := conn.ExecContext(ctx, `VACUUM`); err != nil {
		return rep, l.wrapWrite(op, fmt.Errorf("VACUUM: %w", err))
	}
	// VACUUM in WAL mode writes the new database into the WAL: fold it back so the file
	// on disk shrinks now. Busy (a reader in another process) only delays the shrink.
	if _, err := conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil && CodeOf(err) != CodeBusy {
		return rep, wrapDB(op, err)
	}
	if rep.SizeAfter, _, err = dbSize(ctx, conn); err != nil {
		return rep, wrapDB(op, err)
	}
	rep.Reclaimed = rep.SizeBefore - rep.SizeAfter
	return rep, nil
}

func dbSize(ctx context.Context, conn *sql.Conn) (size, free int64, err error) {
	var pages, pageSize int64
	err = conn.QueryRowContext(ctx, `SELECT p.page_count, s.page_size, f.freelist_count
FROM pragma_page_count() p, pragma_page_size() s, pragma_freelist_count() f`).Scan(&pages, &pageSize, &free)
	return pages * pageSize, free, err
}

// forgetFTSSamples deletes ANALYZE's STAT4 samples of the FTS5 shadow tables, keeping their
// sqlite_stat1 rows. SQLite here is built with SQLITE_ENABLE_STAT4, and FTS5 looks up its
// segments with a statement ("… FROM entries_fts_idx WHERE segid=? AND term<=? …") whose
// plan, once samples exist for entries_fts_idx, depends on the bound term: SQLite then
// re-prepares it on every bind, once per segment per query. Measured on 10k entries (query
// benchmark library, 1,500 calls each): a prefix query ("rep*", first page of 50) took
// 2.61 ms with the samples and 2.03 ms without; the re-prepares were 16 % of its CPU. The
// segment lookup is a primary-key seek whatever the samples say, so nothing is lost.
// Run after every ANALYZE and PRAGMA optimize the library issues, and at Open for
// libraries analysed elsewhere (the sqlite3 shell, older versions).
func forgetFTSSamples(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) error {
	const samples = `FROM sqlite_stat4 WHERE EXISTS (
  SELECT 1 FROM sqlite_schema s WHERE s.type = 'table' AND s.sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'
   AND substr(sqlite_stat4.tbl, 1, length(s.name) + 1) = s.name || '_')`
	// sqlite_stat4 exists only once ANALYZE (or PRAGMA optimize) has run. Look before
	// deleting: a DELETE takes the write lock even when it matches nothing, and Open must not
	// wait for another process's long write transaction for that.
	var some bool
	err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_stat4')`).Scan(&some)
	if err == nil && some {
		err = db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 `+samples+`)`).Scan(&some)
	}
	if err == nil && some {
		_, err = db.ExecContext(ctx, `DELETE `+samples)
	}
	if err != nil {
		return fmt.Errorf("forget FTS samples: %w", err)
	}
	return nil
}

// optimizeFTS merges each FTS5 index's segments into one (the FTS5 'optimize' command).
func optimizeFTS(ctx context.Context, conn *sql.Conn) error {
	rows, err := conn.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range tables {
		q := quoteIdent(t)
		if _, err := conn.ExecContext(ctx, `INSERT INTO `+q+`(`+q+`) VALUES ('optimize')`); err != nil {
			return fmt.Errorf("fts optimize %s: %w", t, err)
		}
	}
	return nil
}
