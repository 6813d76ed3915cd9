package core

import (
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

// Bulk inserts (migration 0004): in a location's first scan the writer's transactions insert
// entries without the per-row insert triggers, and catchUpBulk brings entries_fts, dir_stats
// and content_identity.entry_count up to date in a few set-based statements just before the
// commit. Measured on a first metadata scan of /usr (149,053 entries, 2 cores, side by side
// with the per-row triggers): RATIONALE.md, "The indexer".
//
// The contract, which the triggers of 0004 implement: while bulk_insert holds lo, every entry
// with id >= lo is this transaction's, and no trigger touches entries_fts or the aggregates on
// its behalf, whatever happens to it before the commit (insert, move, rename, resize, delete).
// Entries with id < lo are kept by the triggers as usual. So the statements below derive the
// share of entries >= lo from their final state, and they must stay the set-based twins of
// the triggers of 0002 and 0003 (TestBulkInsert_MatchesTriggers compares the two).
//
// Each reads the transaction's rows by rowid range (NOT INDEXED): left to itself the planner
// grouped by content_id or parent_id through their indexes (EXPLAIN QUERY PLAN), which reads
// every entry of the library at every commit, a cost that grows with the library rather than
// with the transaction. Not visible on a first scan of /usr into an empty library (its
// content scan's catch-up took 1.8 s of CPU in the profile either way); TestBulkCatchUp_Plans
// keeps the plans.
// fileCountExpr counts the distinct files among the names of e (joined with its location l):
// a file is its device and inode; a name without an inode is a file of its own (migration
// 0009).
const fileCountExpr = `count(DISTINCT iif(e.inode > 0, l.device_id || '/' || e.inode, -e.id))`

// The upper bound of every range keeps other devices' entries (ids from 1<<40, migration
// 0010) out: they were counted when sync applied them.
var bulkCatchUp = []string{
	// FTS5 in rowid order: one pending hash, written as one segment at the commit.
	`INSERT INTO entries_fts (rowid, name) SELECT id, name FROM entries NOT INDEXED WHERE id BETWEEN ?1 AND 1099511627775 ORDER BY id`,
	// The new directories' rows (the last statement of entries_insert, 0004)...
	`INSERT INTO dir_stats (dir_id) SELECT id FROM entries NOT INDEXED WHERE id BETWEEN ?1 AND 1099511627775 AND kind = 1`,
	// ...then every parent's counts from its new children (its first statement, which also
	// resets the parent's rescan digest, migration 0005)...
	`UPDATE dir_stats SET files = files + c.f, dirs = dirs + c.d, symlinks = symlinks + c.s, bytes = bytes + c.b, digest = NULL
FROM (SELECT parent_id AS p, sum(kind = 0) AS f, sum(kind = 1) AS d, sum(kind = 2) AS s, sum(iif(kind = 0, size, 0)) AS b
      FROM entries NOT INDEXED WHERE id BETWEEN ?1 AND 1099511627775 AND parent_id IS NOT NULL GROUP BY parent_id) AS c
WHERE dir_stats.dir_id = c.p`,
	// ...and the older entries that moved into a new directory in this transaction: their
	// move trigger found no dir_stats row to count them in yet. (Empty in a first scan, where
	// no older entry but the root exists; kept so that the contract above holds in general.)
	`UPDATE dir_stats SET files = files + c.f, dirs = dirs + c.d, symlinks = symlinks + c.s, bytes = bytes + c.b, digest = NULL
FROM (SELECT e.parent_id AS p, sum(e.kind = 0) AS f, sum(e.kind = 1) AS d, sum(e.kind = 2) AS s, sum(iif(e.kind = 0, e.size, 0)) AS b
      FROM entries AS d NOT INDEXED CROSS JOIN entries AS e ON e.parent_id = d.id AND e.id < ?1
      WHERE d.id BETWEEN ?1 AND 1099511627775 AND d.kind = 1 GROUP BY e.parent_id) AS c
WHERE dir_stats.dir_id = c.p`,
	// The duplicate counts (its second statement).
	`UPDATE content_identity SET entry_count = entry_count + c.n
FROM (SELECT content_id AS cid, count(*) AS n FROM entries NOT INDEXED WHERE id BETWEEN ?1 AND 1099511627775 AND content_id IS NOT NULL GROUP BY content_id) AS c
WHERE content_identity.id = c.cid`,
	// The file counts of the contents this transaction's entries carry (migration 0009),
	// recounted whole: the triggers counted the entries below lo exactly, so a content
	// without a new entry is already right, and one with new entries is counted here from
	// its final state (one entries_content range per content).
	`UPDATE content_identity SET file_count = (SELECT ` + fileCountExpr + ` FROM entries e JOIN locations l ON l.id = e.location_id WHERE e.content_id = content_identity.id)
WHERE id IN (SELECT content_id FROM entries NOT INDEXED WHERE id BETWEEN ?1 AND 1099511627775 AND content_id IS NOT NULL)`,
	`DELETE FROM bulk_insert`,
}

// beginBulk marks the open transaction's entries from id lo on as a bulk insert.
func (w *writer) beginBulk(c *sqlite3.Conn, lo int64) error {
	if w.bulkLo != 0 {
		return nil
	}
	if err := w.exec(c, `INSERT INTO bulk_insert (lo) VALUES (?)`, lo); err != nil {
		return fmt.Errorf("bulk insert: %w", err)
	}
	w.bulkLo = lo
	return nil
}

// catchUpBulk ends the open transaction's bulk insert, if any: the work the triggers left.
func (w *writer) catchUpBulk(c *sqlite3.Conn) error {
	if w.bulkLo == 0 {
		return nil
	}
	for _, q := range bulkCatchUp {
		st, err := w.stmt(c, q)
		if err != nil {
			return err
		}
		if st.BindCount() > 0 {
			if err := st.BindInt64(1, w.bulkLo); err != nil {
				return err
			}
		}
		if err := st.Exec(); err != nil {
			return fmt.Errorf("bulk insert catch-up: %w", err)
		}
	}
	w.bulkLo = 0
	return nil
}
