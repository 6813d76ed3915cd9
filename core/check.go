package core

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// CheckReport is the outcome of [Library.Check].
type CheckReport struct {
	// OK is true when no check found a problem.
	OK bool `json:"ok"`
	// Checks lists the checks that ran, in order.
	Checks []string `json:"checks"`
	// Problems lists what is wrong, one item per check that failed.
	Problems []CheckProblem `json:"problems"`
}

// CheckProblem is one failed check: how many rows are affected and a few of them.
type CheckProblem struct {
	Check    string   `json:"check"`
	Message  string   `json:"message"`
	Count    int64    `json:"count"`
	Examples []string `json:"examples,omitempty"`
}

// checkExamples caps the examples a problem lists: enough to find the rows, not a dump.
const checkExamples = 5

// The checks [Library.Check] runs, by name.
const (
	CheckIntegrity     = "integrity"      // PRAGMA integrity_check
	CheckSchema        = "schema"         // sqlite_schema is what the applied migrations make
	CheckForeignKeys   = "foreign_keys"   // PRAGMA foreign_key_check
	CheckLocationRoot  = "location_root"  // every location has exactly one root entry
	CheckDirectoryPath = "directory_path" // a directory's path is its parent's path + "/" + name
	CheckParent        = "parent"         // a non-root entry's parent is a directory of the same location
	CheckTotals        = "location_totals"
	CheckOrphanMeta    = "orphan_metadata"     // user_metadata rows no entry refers to
	CheckOrphanContent = "orphan_content"      // content_identity rows no entry refers to
	CheckFTS           = "fts"                 // every FTS5 index matches its content
	CheckDirStats      = "dir_stats"           // every directory's dir_stats row matches a recount of its children
	CheckEntryCount    = "content_entry_count" // content_identity.entry_count matches a recount of its entries
	CheckFileCount     = "content_file_count"  // content_identity.file_count matches a recount of its distinct files
)

// invariant is one of filedex's own rules as a query returning the offending rows, one text
// description per row.
type invariant struct {
	name, message, query string
}

// invariants are the rules the schema's constraints cannot express. Each query reads what it
// needs through the indexes the schema has (entries_dir_path for roots and directory paths,
// entries_metadata and entries_content for the orphan checks); the parent check reads every
// entry once, which is what a maintenance command may do.
var invariants = []invariant{
	{CheckLocationRoot, "locations without exactly one root entry",
		`SELECT 'location ' || l.id || ' (' || l.path || '): ' || n || ' root entries'
FROM (SELECT l.id, l.path, (SELECT count(*) FROM entries r WHERE r.location_id = l.id AND r.path = '') +
  (SELECT count(*) FROM entries r WHERE r.location_id = l.id AND r.parent_id IS NULL AND r.path IS NOT '') AS n FROM locations l) l
WHERE n <> 1`},
	{CheckDirectoryPath, "directories whose path is not their parent's path + '/' + name",
		`SELECT 'entry ' || d.id || ': path ' || quote(d.path) || ', expected ' || quote(CASE WHEN p.path = '' THEN d.name ELSE p.path || '/' || d.name END)
FROM entries d JOIN entries p ON p.id = d.parent_id
WHERE d.path IS NOT NULL AND d.path IS NOT (CASE WHEN p.path = '' THEN d.name ELSE p.path || '/' || d.name END)
  -- A rescan displaces a directory gone from its place to name = path = '/<id>/<name>'
  -- (scan_batch.go displacedName) until its finalize: legitimate while that scan is
  -- unfinished (a SIGKILLed one resumes), a problem once no scan of the location will.
  AND NOT (d.path = d.name AND substr(d.name, 1, 1) = '/' AND EXISTS
    (SELECT 1 FROM jobs j WHERE j.location_id = d.location_id AND j.status IN ('queued', 'running', 'paused')))`},
	{CheckParent, "entries whose parent is not a directory of the same location",
		`SELECT 'entry ' || c.id || ' (' || quote(c.name) || '): parent ' || c.parent_id ||
  CASE WHEN p.id IS NULL THEN ' does not exist' WHEN p.kind <> 1 THEN ' is not a directory' ELSE ' is in location ' || p.location_id END
FROM entries c LEFT JOIN entries p ON p.id = c.parent_id
WHERE c.parent_id IS NOT NULL AND (p.id IS NULL OR p.kind <> 1 OR p.location_id <> c.location_id)`},
	// Totals are only promised once a scan completed: during a scan they lag on purpose.
	// total_file_count counts files (kind 0), total_byte_size sums their sizes.
	{CheckTotals, "completely scanned locations whose totals do not match their entries",
		`SELECT 'location ' || l.id || ': recorded ' || l.total_file_count || ' files/' || l.total_byte_size ||
  ' bytes, entries have ' || coalesce(t.files, 0) || '/' || coalesce(t.bytes, 0)
FROM locations l LEFT JOIN (SELECT location_id, count(*) AS files, sum(size) AS bytes FROM entries WHERE kind = 0 GROUP BY location_id) t
  ON t.location_id = l.id
WHERE l.scan_state = 'complete' AND (coalesce(t.files, 0) <> l.total_file_count OR coalesce(t.bytes, 0) <> l.total_byte_size)`},
	// The aggregates of migration 0003 against a recount. Each directory is recounted with
	// one entries_parent_name range; the left joins from both sides catch directories
	// without a row and rows without a directory (or of an entry that is not one).
	{CheckDirStats, "directories whose dir_stats row does not match their children (the aggregate triggers missed a change)",
		`SELECT 'directory ' || d.id || ': recorded ' || coalesce(s.files || '/' || s.dirs || '/' || s.symlinks || '/' || s.bytes, 'no row') ||
  ', children have ' || c.files || '/' || c.dirs || '/' || c.symlinks || '/' || c.bytes || ' (files/dirs/symlinks/bytes)'
FROM entries d
JOIN (SELECT p.id,
   (SELECT count(*) FROM entries x WHERE x.parent_id = p.id AND x.kind = 0) AS files,
   (SELECT count(*) FROM entries x WHERE x.parent_id = p.id AND x.kind = 1) AS dirs,
   (SELECT count(*) FROM entries x WHERE x.parent_id = p.id AND x.kind = 2) AS symlinks,
   (SELECT coalesce(sum(x.size), 0) FROM entries x WHERE x.parent_id = p.id AND x.kind = 0) AS bytes
  FROM entries p WHERE p.path IS NOT NULL) c ON c.id = d.id
LEFT JOIN dir_stats s ON s.dir_id = d.id
WHERE s.dir_id IS NULL OR s.files <> c.files OR s.dirs <> c.dirs OR s.symlinks <> c.symlinks OR s.bytes <> c.bytes
UNION ALL
SELECT 'dir_stats ' || s.dir_id || ': ' || CASE WHEN e.id IS NULL THEN 'no such entry' ELSE 'entry is not a directory' END
FROM dir_stats s LEFT JOIN entries e ON e.id = s.dir_id WHERE e.id IS NULL OR e.kind <> 1`},
	{CheckEntryCount, "contents whose entry_count does not match the entries carrying them (the aggregate triggers missed a change)",
		`SELECT 'content ' || printf('%016x', c.id) || ': entry_count ' || c.entry_count || ', entries ' || n
FROM (SELECT c.id, c.entry_count, (SELECT count(*) FROM entries e WHERE e.content_id = c.id) AS n FROM content_identity c) c
WHERE c.entry_count <> n`},
	{CheckFileCount, "contents whose file_count does not match the distinct files (device, inode) carrying them (the hard-link triggers missed a change)",
		`SELECT 'content ' || printf('%016x', c.id) || ': file_count ' || c.file_count || ', files ' || n
FROM (SELECT c.id, c.file_count, (SELECT ` + fileCountExpr + ` FROM entries e JOIN locations l ON l.id = e.location_id WHERE e.content_id = c.id) AS n FROM content_identity c) c
WHERE c.file_count <> n`},
	{CheckOrphanMeta, "user_metadata rows no entry refers to",
		`SELECT 'user_metadata ' || m.id FROM user_metadata m WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.metadata_id = m.id)`},
	{CheckOrphanContent, "content_identity rows no entry refers to",
		`SELECT 'content ' || printf('%016x', c.id) FROM content_identity c WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.content_id = c.id)`},
}

// Check verifies the library database: SQLite's PRAGMA integrity_check and
// PRAGMA foreign_key_check, then filedex's own invariants (the Check* constants), all in one
// read snapshot, so a scan committing meanwhile neither blocks nor confuses it. FTS5 indexes
// are checked with FTS5's own integrity-check, which needs the writer (it is skipped on a
// read-only library and listed as not run).
//
// A problem is reported, not returned as an error: the error is for a check that could not
// run at all. Check reads the whole database; it is a maintenance command.
func (l *Library) Check(ctx context.Context) (CheckReport, error) {
	const op = "db.check"
	rep := CheckReport{Checks: []string{}, Problems: []CheckProblem{}}
	err := l.view(ctx, op, func(tx *sql.Tx) error {
		rep.Checks = append(rep.Checks, CheckIntegrity)
		msgs, err := l.integrityCheckFresh(ctx, 100)
		if CodeOf(err) == CodeIncompatible || ftsFormatDamaged(err) {
			// Damage bad enough that SQLite's own check stops with SQLITE_CORRUPT: that is
			// the finding, not a failure to check.
			msgs, err = []string{err.Error()}, nil
		}
		if err != nil {
			return err
		}
		if len(msgs) > 0 {
			rep.add(CheckIntegrity, "PRAGMA integrity_check found damage; restore a backup (filedex restore)", int64(len(msgs)), msgs)
			// The invariants below may read garbage or fail on a damaged b-tree: a clear
			// report of the damage is worth more than their noise.
			return nil
		}
		rep.Checks = append(rep.Checks, CheckSchema)
		if err := l.checkSchema(ctx, tx, &rep); err != nil {
			return fmt.Errorf("check %s: %w", CheckSchema, err)
		}
		rep.Checks = append(rep.Checks, CheckForeignKeys)
		if err := checkForeignKeys(ctx, tx, &rep); err != nil {
			return err
		}
		for _, inv := range invariants {
			rep.Checks = append(rep.Checks, inv.name)
			n, ex, err := countRows(ctx, tx, inv.query)
			if err != nil {
				return fmt.Errorf("check %s: %w", inv.name, err)
			}
			if n > 0 {
				rep.add(inv.name, inv.message, n, ex)
			}
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	if len(rep.Problems) == 0 || rep.Problems[0].Check != CheckIntegrity {
		if err := l.checkFTS(ctx, &rep); err != nil {
			return rep, wrapDB(op, err)
		}
	}
	rep.OK = len(rep.Problems) == 0
	return rep, nil
}

func (r *CheckReport) add(check, msg string, n int64, examples []string) {
	if len(examples) > checkExamples {
		examples = examples[:checkExamples]
	}
	r.Problems = append(r.Problems, CheckProblem{Check: check, Message: msg, Count: n, Examples: examples})
}

// countRows runs q and returns how many rows it gave and the first few as examples.
func countRows(ctx context.Context, tx *sql.Tx, q string) (int64, []string, error) {
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	var n int64
	var ex []string
	for rows.Next() {
		n++
		if len(ex) < checkExamples {
			var s sql.NullString
			if err := rows.Scan(&s); err != nil {
				return 0, nil, err
			}
			ex = append(ex, s.String)
		}
	}
	return n, ex, rows.Err()
}

func checkForeignKeys(ctx context.Context, tx *sql.Tx, rep *CheckReport) error {
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var n int64
	var ex []string
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return err
		}
		n++
		if len(ex) < checkExamples {
			ex = append(ex, fmt.Sprintf("%s row %d references a missing %s row", table, rowid.Int64, parent))
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if n > 0 {
		rep.add(CheckForeignKeys, "rows referring to rows that do not exist", n, ex)
	}
	return nil
}

// checkFTS runs FTS5's integrity-check on every FTS5 table (https://sqlite.org/fts5.html,
// "The 'integrity-check' Command"). With rank = 1 it also compares the index with an
// external-content table. The command is an INSERT, so it runs on the writer, inside a
// transaction that is rolled back: it never changes anything.
func (l *Library) checkFTS(ctx context.Context, rep *CheckReport) error {
	var tables []string
	rows, err := l.read.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%' ORDER BY name`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(tables) == 0 {
		return err
	}
	if l.write == nil {
		return nil // read-only: FTS5's check is a write statement; not listed in Checks
	}
	var bad []string
	tx, err := l.write.BeginTx(ctx, nil)
	if CodeOf(err) == CodeBusy {
		// Another process is writing (a scan): the FTS check waits for nobody; it is left
		// out of Checks, so the report says it did not run.
		return nil
	}
	if err != nil {
		return err
	}
	rep.Checks = append(rep.Checks, CheckFTS)
	defer tx.Rollback()
	for _, t := range tables {
		q := quoteIdent(t)
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+q+`(`+q+`, rank) VALUES ('integrity-check', 1)`); err != nil {
			if msg := err.Error(); CodeOf(err) == CodeIncompatible || strings.Contains(msg, "malformed") || strings.Contains(msg, "corrupt") ||
				ftsFormatDamaged(err) {
				bad = append(bad, t+": "+err.Error())
				continue
			}
			return err
		}
	}
	if len(bad) > 0 {
		rep.add(CheckFTS, "full-text indexes out of sync with their content (INSERT INTO t(t) VALUES('rebuild') repairs one)", int64(len(bad)), bad)
	}
	return nil
}

// ftsFormatDamaged reports the errors FTS5 gives for damage it reports as SQLITE_ERROR, not
// SQLITE_CORRUPT: "invalid fts5 file format" (a damaged entries_fts_config row, found by
// TestCorrupt_Database's byte flips once migration 0003 moved the file's layout) and the
// errors of its argument parser, which reads the CREATE VIRTUAL TABLE text stored in
// sqlite_schema (`parse error in "tokenize …"`, found once migration 0007 moved it).
// They are damage to report, not a failure of the check.
func ftsFormatDamaged(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	// The messages of FTS5's argument parser, as in the FTS5 build go-sqlite3 ships:
	// "malformed prefix=... directive", "multiple tokenize=... directives", "parse error in
	// tokenize directive", `parse error in "…"`, `unrecognized option: "…"`, "unrecognized
	// column option: …", "no such tokenizer: …".
	for _, s := range []string{"invalid fts5 file format", "parse error in ", "... directive", "unrecognized option",
		"unrecognized column option", "no such tokenizer"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
