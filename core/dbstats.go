package core

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
)

// DBStats describes the library database: sizes, rows per table, bytes per entry, totals per
// location (db.stats).
//
// # What is missing
//
// Bytes per table and per index need SQLite's dbstat virtual table, which the ncruces build
// does not include. The benchmark harness has a page walker that computes the same figures
// from the file (benchmarks/sqlitestat on branch bench); until it moves to a shared internal
// package, ObjectBytes is absent here and only whole-file figures and the FTS index's own
// payload (the sum of its stored blocks) are reported.
type DBStats struct {
	PageSize      int64   `json:"page_size"`
	PageCount     int64   `json:"page_count"`
	FreePages     int64   `json:"free_pages"`
	FileBytes     int64   `json:"file_bytes"` // page_count × page_size
	WALBytes      int64   `json:"wal_bytes"`  // not yet checkpointed into the file
	Entries       int64   `json:"entries"`
	BytesPerEntry float64 `json:"bytes_per_entry"` // FileBytes / Entries
	// FTSBytes is the payload of the full-text index (its segment blocks, doc sizes and
	// structure record), without page overhead; FTSBytesPerEntry divides it by Entries.
	FTSBytes         int64         `json:"fts_bytes"`
	FTSBytesPerEntry float64       `json:"fts_bytes_per_entry"`
	Tables           []TableStats  `json:"tables"`
	Locations        []LocationUse `json:"locations"`
}

// TableStats is the row count of one table.
type TableStats struct {
	Name string `json:"name"`
	Rows int64  `json:"rows"`
}

// LocationUse is what one location holds in the index.
type LocationUse struct {
	ID       int64  `json:"id"`
	Path     string `json:"path"`
	Files    int64  `json:"files"`
	Dirs     int64  `json:"dirs"`
	Symlinks int64  `json:"symlinks"`
	Bytes    int64  `json:"bytes"`
}

// DBStats measures the library database. It counts every table's rows and groups entries by
// location, so it reads the whole database once: a maintenance query (≈ 0.1–0.3 s at a
// million entries), not one for every screen.
func (l *Library) DBStats(ctx context.Context) (DBStats, error) {
	const op = "db.stats"
	var st DBStats
	err := l.view(ctx, op, func(tx *sql.Tx) error {
		for _, p := range []struct {
			pragma string
			into   *int64
		}{{"page_size", &st.PageSize}, {"page_count", &st.PageCount}, {"freelist_count", &st.FreePages}} {
			if err := tx.QueryRowContext(ctx, `PRAGMA `+p.pragma).Scan(p.into); err != nil {
				return err
			}
		}
		st.FileBytes = st.PageSize * st.PageCount
		rows, err := tx.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
		if err != nil {
			return err
		}
		var names []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			names = append(names, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, n := range names {
			if n == "entries_fts" {
				continue // a virtual table: its rows are its shadow tables' business
			}
			t := TableStats{Name: n}
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM "`+strings.ReplaceAll(n, `"`, `""`)+`"`).Scan(&t.Rows); err != nil {
				return err
			}
			if n == "entries" {
				st.Entries = t.Rows
			}
			st.Tables = append(st.Tables, t)
		}
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT coalesce(sum(length(block)), 0) FROM entries_fts_data)
 + (SELECT coalesce(sum(length(sz)), 0) FROM entries_fts_docsize) + (SELECT coalesce(sum(length(term)) + 8 * count(*), 0) FROM entries_fts_idx)`).Scan(&st.FTSBytes); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT l.id, l.path, coalesce(u.files, 0), coalesce(u.dirs, 0), coalesce(u.links, 0), coalesce(u.bytes, 0)
FROM locations l LEFT JOIN (
  SELECT location_id, count(*) FILTER (WHERE kind = 0) AS files, count(*) FILTER (WHERE kind = 1) AS dirs,
   count(*) FILTER (WHERE kind = 2) AS links, sum(size) FILTER (WHERE kind = 0) AS bytes
  FROM entries GROUP BY location_id
) u ON u.location_id = l.id ORDER BY l.id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var u LocationUse
			if err := rows.Scan(&u.ID, &u.Path, &u.Files, &u.Dirs, &u.Symlinks, &u.Bytes); err != nil {
				return err
			}
			st.Locations = append(st.Locations, u)
		}
		return rows.Err()
	})
	if err != nil {
		return st, err
	}
	if fi, err := os.Stat(filepath.Join(l.dir, DatabaseFile+"-wal")); err == nil {
		st.WALBytes = fi.Size()
	}
	if st.Entries > 0 {
		st.BytesPerEntry = float64(st.FileBytes) / float64(st.Entries)
		st.FTSBytesPerEntry = float64(st.FTSBytes) / float64(st.Entries)
	}
	return st, nil
}
