package core

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/driver"
)

// recoverThenCheck handles a database that a read-only connection cannot open because a
// process was killed in the middle of a write in rollback-journal mode: the hot journal must
// be rolled back first, which takes a read-write connection. It happens to a library
// SIGKILLed while Open was creating it, before the database switched to WAL
// (TestCrash_Migrations found it: reopening failed with "attempt to write a readonly
// database").
//
// Rolling back a hot journal restores the state before the interrupted transaction; any
// SQLite would do the same on first access, so it does not modify a library in a way a newer
// filedex could object to. The recovery connection runs no pragma but busy_timeout, and the
// compatibility check then runs again as usual.
// readImmutable reports whether a read-only open that failed with err may open dbPath as
// immutable instead: the failure is SQLite's shared memory (the -shm file cannot be created,
// or exists but cannot be written to initialise: a library in a directory of another user,
// on read-only media, or a 0555 directory), no hot journal waits to be rolled back, and the
// WAL holds nothing. A live connection would hold the -shm's dead man's switch, so SQLite
// would not have said "cannot init"; and with an empty WAL every committed page is in the
// file. Opened immutable, SQLite takes no locks: a writer that starts later (the owner) is
// not seen, which is what a read-only reader of a library it cannot write can have.
func readImmutable(dbPath string, err error) bool {
	if !errors.Is(err, sqlite3.READONLY_CANTINIT) && !errors.Is(err, sqlite3.CANTOPEN) && !errors.Is(err, sqlite3.READONLY) {
		return false
	}
	if st, err := os.Stat(dbPath + "-journal"); err == nil && st.Size() > 0 {
		return false // hot journal: recoverThenCheck says what to do
	}
	if st, err := os.Stat(dbPath + "-wal"); err == nil && st.Size() > 0 {
		return false
	}
	if _, err := os.Stat(dbPath); err != nil {
		return false
	}
	return true
}

func (l *Library) recoverThenCheck(ctx context.Context, dbPath string, cause error) error {
	if l.opts.ReadOnly {
		return &Error{Op: "open", Err: fmt.Errorf("%w: %s was left mid-write by a process that stopped (%w); open the library once read-write to recover it",
			ErrIncompatible, dbPath, cause)}
	}
	q := url.Values{}
	q.Set("_pragma", "busy_timeout("+strconv.FormatInt(l.opts.BusyTimeout.Milliseconds(), 10)+")")
	db, err := driver.Open(sqliteURI(dbPath, l.opts, q), initConn)
	if err != nil {
		return wrapOpen(err, dbPath)
	}
	db.SetMaxOpenConns(1)
	var n int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&n)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return wrapOpen(err, dbPath)
	}
	probe, err := openPool(dbPath, l.opts, true)
	if err != nil {
		return wrapOpen(err, dbPath)
	}
	defer probe.Close()
	if err := probe.PingContext(ctx); err != nil {
		if errors.Is(err, sqlite3.READONLY) {
			return &Error{Op: "open", Err: fmt.Errorf("%w: %s: %w", ErrReadOnly, dbPath, err)}
		}
		return wrapOpen(err, dbPath)
	}
	return l.verifySchema(ctx, probe, dbPath)
}
