package core

import (
	"context"
	"errors"
	"fmt"
	"net/url"
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
