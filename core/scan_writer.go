package core

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/driver"

	"github.com/filedex/filedex/core/internal/walk"
	"github.com/filedex/filedex/internal/sqlbind"
)

// writer is the indexer's single writer: it batches many rows into few transactions on the
// library's write connection, with statements prepared once on the raw SQLite connection
// (database/sql costs a few µs per call, as much as the insert itself).
//
// A transaction spans several directory batches and commits together with the scan's
// checkpoint (after txMaxChanges rows or txMaxAge). Between transactions the connection
// goes back to the pool, so other writers of this process (tag edits during a long scan)
// wait at most one transaction.
type writer struct {
	l       *Library
	conn    *sql.Conn // held while a transaction is open
	stmts   map[string]*sqlite3.Stmt
	owner   *sqlite3.Conn // the connection stmts belong to
	inTx    bool
	txSeq   int // transactions begun: what was read in an earlier one may be stale
	txStart time.Time
	changes int
	nextID  int64
	// tuned: the scan's connection settings (scanPragmas) are applied; close restores them.
	tuned bool
	// onRollback is called when an open transaction is rolled back.
	onRollback func()
	// beforeCommit runs in the transaction just before its checkpoint is written.
	beforeCommit func(c *sqlite3.Conn) error
	// bulkLo is the first entry id of the open transaction's bulk insert (scan_bulk.go),
	// 0 if it has none.
	bulkLo int64
}

func newWriter(l *Library) *writer { return &writer{l: l, stmts: map[string]*sqlite3.Stmt{}} }

// do runs fn on the raw connection inside the open transaction, beginning one if needed.
func (w *writer) do(ctx context.Context, fn func(c *sqlite3.Conn) error) error {
	if w.l.write == nil {
		return &Error{Op: "location.scan", Err: ErrReadOnly}
	}
	if w.conn == nil {
		c, err := w.l.write.Conn(ctx)
		if err != nil {
			return wrapDB("location.scan", err)
		}
		w.conn = c
	}
	err := w.conn.Raw(func(dc any) error {
		c := dc.(driver.Conn).Raw()
		if w.owner != c {
			// The write pool has one connection that is never closed while the library is
			// open, so this only happens on first use.
			w.stmts = map[string]*sqlite3.Stmt{}
			w.owner = c
		}
		if !w.inTx {
			if !w.tuned {
				if err := c.Exec(scanPragmas(w.l.opts.CacheSizeKiB)); err != nil {
					return err
				}
				w.tuned = true
			}
			if err := c.Exec(`BEGIN IMMEDIATE`); err != nil {
				return err
			}
			w.inTx, w.txStart, w.changes = true, time.Now(), 0
			w.txSeq++
			// Ids are allocated here, not by SQLite: an id is never given to a second entry,
			// because an entry's UUID is derived from it (nextEntryID). Re-read per
			// transaction: another process may have written in between.
			st, err := w.stmt(c, nextEntryID)
			if err != nil {
				return err
			}
			if st.Step() {
				w.nextID = st.ColumnInt64(0)
			}
			if err := st.Reset(); err != nil {
				return err
			}
		}
		return fn(c)
	})
	if err != nil {
		w.rollback(context.WithoutCancel(ctx))
		return w.l.wrapWrite("location.scan", err) // a full disk is disk_full, not internal
	}
	return nil
}

func (w *writer) stmt(c *sqlite3.Conn, q string) (*sqlite3.Stmt, error) {
	if s, ok := w.stmts[q]; ok {
		return s, nil
	}
	s, _, err := c.Prepare(q)
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", q, err)
	}
	w.stmts[q] = s
	return s, nil
}

// exec runs a cached statement with arguments and counts the rows it changed.
func (w *writer) exec(c *sqlite3.Conn, q string, args ...any) error {
	s, err := w.stmt(c, q)
	if err != nil {
		return err
	}
	if err := sqlbind.Args(s, args...); err != nil {
		return err
	}
	if err := s.Exec(); err != nil {
		return err
	}
	w.changes += int(c.Changes())
	return nil
}

// query runs a cached statement and calls row for each result row.
func (w *writer) query(c *sqlite3.Conn, q string, args []any, row func(s *sqlite3.Stmt) error) error {
	s, err := w.stmt(c, q)
	if err != nil {
		return err
	}
	if err := sqlbind.Args(s, args...); err != nil {
		return err
	}
	for s.Step() {
		if err := row(s); err != nil {
			s.Reset()
			return err
		}
	}
	return s.Reset()
}

// due reports whether the open transaction should be committed now, with queued more rows
// still to be written in it.
func (w *writer) due(queued int) bool {
	return w.inTx && (w.changes+queued >= txMaxChangesVar || time.Since(w.txStart) >= txMaxAge)
}

// commit stores the job's checkpoint and progress in the open transaction, commits it and
// gives the connection back to the pool. Without an open transaction it writes the
// checkpoint in one of its own.
func (w *writer) commit(ctx context.Context, ck func() JobUpdate) error {
	if w.l.write == nil {
		return nil
	}
	err := w.do(ctx, func(c *sqlite3.Conn) error {
		// First: beforeCommit deletes content rows whose entry_count is 0, and a bulk
		// insert's counts are not in entry_count until its catch-up.
		if err := w.catchUpBulk(c); err != nil {
			return err
		}
		if w.beforeCommit != nil {
			if err := w.beforeCommit(c); err != nil {
				return err
			}
		}
		if ck != nil {
			u := ck()
			prog, _ := json.Marshal(u.Progress)
			if err := w.exec(c, `UPDATE jobs SET checkpoint = ?, progress = ?, updated_at = ? WHERE id = ?`,
				u.Checkpoint, string(prog), ms(w.l.now()), w.jobID(u)); err != nil {
				return err
			}
		}
		if err := c.Exec(`COMMIT`); err != nil {
			return err
		}
		w.inTx = false
		return nil
	})
	w.release()
	if err == nil && testHookCommit != nil {
		testHookCommit()
	}
	return err
}

// Test hooks, set only by tests in this package's export_test.go.
var (
	testHookCommit   func()
	testHookChildren func()            // each children query of the scanner
	testHookEntry    func(*walk.Entry) // each walked entry, before the scanner reads it
	txMaxChangesVar  = txMaxChanges
)

// jobID reads the job id from the progress the checkpoint function returns.
func (w *writer) jobID(u JobUpdate) int64 {
	if p, ok := u.Progress.(ScanProgress); ok {
		return p.JobID
	}
	return 0
}

func (w *writer) rollback(ctx context.Context) {
	if w.conn != nil && w.inTx {
		w.conn.Raw(func(dc any) error { return dc.(driver.Conn).Raw().Exec(`ROLLBACK`) })
		w.inTx, w.bulkLo = false, 0
		if w.onRollback != nil {
			w.onRollback()
		}
	}
	w.release()
}

func (w *writer) release() {
	if w.conn != nil && !w.inTx {
		w.conn.Close()
		w.conn = nil
	}
}

// close rolls back anything uncommitted and finalizes the prepared statements (a connection
// with live statements cannot be closed).
func (w *writer) close(ctx context.Context) {
	w.rollback(ctx)
	if len(w.stmts) == 0 || w.l.write == nil {
		return
	}
	c, err := w.l.write.Conn(ctx)
	if err != nil {
		return
	}
	defer c.Close()
	c.Raw(func(dc any) error {
		if dc.(driver.Conn).Raw() == w.owner {
			for _, s := range w.stmts {
				s.Close()
			}
			if w.tuned {
				w.owner.Exec(restorePragmas(w.l.opts.CacheSizeKiB))
				w.tuned = false
			}
		}
		return nil
	})
	w.stmts = map[string]*sqlite3.Stmt{}
}

// Connection settings for the length of a scan (RATIONALE.md, "The indexer", measured on a
// /usr first scan: together with txMaxChanges/txMaxAge about −9 % CPU and −35 % wall time
// on a loaded machine):
//   - a page cache of at least scanCacheKiB: the name and extension indexes take rows in
//     random order, so with the default 16 MiB their pages are evicted and reread (and
//     rewritten to the WAL) again and again once the library outgrows the cache;
//   - wal_autocheckpoint of scanWALPages instead of 1000: fewer checkpoints (each one
//     copies pages back and fsyncs), and a page rewritten by many transactions is copied
//     back once. The WAL grows to about 40 MiB during a scan (restorePragmas shrinks it after).
const (
	scanCacheKiB = 64 << 10
	scanWALPages = 10000
)

func scanPragmas(cacheKiB int) string {
	return "PRAGMA cache_size=-" + strconv.Itoa(max(cacheKiB, scanCacheKiB)) + "; PRAGMA wal_autocheckpoint=" + strconv.Itoa(scanWALPages) +
		"; PRAGMA journal_size_limit=-1"
}

// restorePragmas puts back the settings openPool gave the write connection, and copies the
// scan's WAL into the database without waiting for readers. journal_size_limit makes the
// next write that restarts the WAL cut the file back to 4 MiB (about what the default
// wal_autocheckpoint lets it reach) instead of leaving the scan's tens of MiB on disk.
func restorePragmas(cacheKiB int) string {
	return "PRAGMA cache_size=-" + strconv.Itoa(cacheKiB) + "; PRAGMA wal_autocheckpoint=1000; PRAGMA journal_size_limit=4194304; PRAGMA wal_checkpoint(PASSIVE)"
}

// allocID returns the next entry id of the open transaction.
func (w *writer) allocID() int64 {
	id := w.nextID
	w.nextID++
	return id
}
