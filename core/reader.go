package core

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"errors"
	"fmt"
	"sync"

	"github.com/google/uuid"
	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/driver"

	"github.com/filedex/filedex/internal/sqlbind"
)

// The point queries (an entry by id or path, a directory page, a full path) run on the raw
// SQLite handle of a pooled reader connection, with statements prepared once per
// connection: the writer's approach (scan_writer.go), for the same reason. Through
// database/sql a statement pays a pool checkout per statement, the driver's column type
// lookups (one call into SQLite per column, per query), per-value boxing and reflection in
// Scan; for an entry (19 columns) that was most of the 26 µs a lookup cost at 10k entries
// against ~5 µs for the same rowid search on a raw statement. Here one checkout serves all
// the statements of an API call and columns are read straight into their destinations.
//
// The pool stays database/sql's (limits, idle timeout, re-opening): a connection is
// borrowed with DB.Conn and used only inside Conn.Raw. Its statements live in readConns,
// keyed by the SQLite handle, and are finalized by the connection's close hook
// (forgetReadConn), which runs before SQLite closes it.

// readConn is one reader connection's raw statements. Only the goroutine that has borrowed
// the connection touches it.
type readConn struct {
	c     *sqlite3.Conn
	stmts map[string]*sqlite3.Stmt
}

// readConns maps a reader connection's SQLite handle to its statements.
type readConns struct {
	mu sync.Mutex
	m  map[*sqlite3.Conn]*readConn
}

func (rs *readConns) get(c *sqlite3.Conn) *readConn {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	r := rs.m[c]
	if r == nil {
		if rs.m == nil {
			rs.m = map[*sqlite3.Conn]*readConn{}
		}
		r = &readConn{c: c, stmts: map[string]*sqlite3.Stmt{}}
		rs.m[c] = r
	}
	return r
}

// forget finalizes a closing connection's statements (SQLite's sqlite3_close refuses to
// close a connection that still has some) and drops it from the map, so a later connection
// allocated at the same address starts empty.
func (rs *readConns) forget(c *sqlite3.Conn) error {
	rs.mu.Lock()
	r := rs.m[c]
	delete(rs.m, c)
	rs.mu.Unlock()
	if r == nil {
		return nil
	}
	var errs []error
	for _, s := range r.stmts {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

// withReader runs fn on a borrowed reader connection. Statements fn runs see the database as of
// their own start (autocommit), as through database/sql; ctx interrupts them.
func (l *Library) withReader(ctx context.Context, op string, fn func(r *readConn) error) error {
	conn, err := l.read.Conn(ctx)
	if err != nil {
		return wrapDB(op, err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		c := dc.(driver.Conn).Raw()
		old := c.SetInterrupt(ctx)
		defer c.SetInterrupt(old)
		return fn(l.readConns.get(c))
	})
	return wrapDB(op, err)
}

// withSnapshot is withReader with fn's statements in one read transaction: they see one
// snapshot (a path resolved by one statement still names the entry the next one reads), and
// the connection takes WAL's read lock once instead of once per statement (two fcntl calls
// and a look at the WAL index each: a visible share of a lookup by path).
func (l *Library) withSnapshot(ctx context.Context, op string, fn func(r *readConn) error) error {
	return l.withReader(ctx, op, func(r *readConn) (err error) {
		if err := r.exec(`BEGIN DEFERRED`); err != nil {
			return err
		}
		defer func() {
			// End the transaction whatever happened, even with ctx done (a statement stepped
			// under a done context fails): a pooled connection must not stay in one.
			old := r.c.SetInterrupt(context.Background())
			defer r.c.SetInterrupt(old)
			if r.c.GetAutocommit() {
				return // an error already rolled it back
			}
			if cerr := r.exec(`COMMIT`); cerr != nil {
				// Let database/sql discard the connection rather than pool it mid-transaction.
				err = errors.Join(err, cerr, sqldriver.ErrBadConn)
			}
		}()
		return fn(r)
	})
}

// exec runs a cached statement without arguments to its end.
func (r *readConn) exec(q string) error {
	rows, err := r.query(q)
	if err != nil {
		return err
	}
	return rows.st.Exec()
}

// query runs a cached statement with args; the rows must be closed before the statement is
// used again. Parameters follow sqlbind.Args.
func (r *readConn) query(q string, args ...any) (*readRows, error) {
	st, ok := r.stmts[q]
	if !ok {
		var err error
		if st, _, err = r.c.PrepareFlags(q, sqlite3.PREPARE_PERSISTENT); err != nil {
			return nil, fmt.Errorf("prepare %q: %w", q, err)
		}
		r.stmts[q] = st
	}
	if err := sqlbind.Args(st, args...); err != nil {
		st.ClearBindings()
		return nil, err
	}
	return &readRows{st: st}, nil
}

// queryRow runs a cached statement for its first row, like sql.DB.QueryRow: Scan reports
// sql.ErrNoRows when there is none.
func (r *readConn) queryRow(q string, args ...any) readRow {
	rows, err := r.query(q, args...)
	return readRow{rows, err}
}

// readRows iterates a statement's rows with database/sql's Next/Scan/Err/Close shape, so
// row scanners (scanEntry…) serve both paths.
type readRows struct {
	st  *sqlite3.Stmt
	err error
	// The previous row's directory and location paths: a directory page's rows all share
	// them, and reusing the string saves two allocations per row.
	lastDir, lastLoc string
}

// sameText returns column i as a string, reusing *last when the bytes are equal.
func (rs *readRows) sameText(i int, last *string) string {
	if b := rs.st.ColumnRawText(i); string(b) != *last {
		*last = string(b)
	}
	return *last
}

func (rs *readRows) Next() bool {
	if rs.err != nil {
		return false
	}
	if rs.st.Step() {
		return true
	}
	rs.err = rs.st.Err()
	return false
}

func (rs *readRows) Err() error { return rs.err }

func (rs *readRows) Close() error {
	err := rs.st.Reset()
	if rs.err == nil {
		rs.err = err
	}
	return rs.err
}

// Scan reads the current row's columns into dest with database/sql's conversions for the
// destination types the core's scanners use: a NULL into a non-Null type is an error, a
// bool is 0 or 1, sql.Scanner gets the column's own value (text as string, a blob copied).
func (rs *readRows) Scan(dest ...any) error {
	st := rs.st
	if n := st.ColumnCount(); len(dest) != n {
		return fmt.Errorf("scan: %d destinations for %d columns", len(dest), n)
	}
	for i, d := range dest {
		typ := st.ColumnType(i)
		if typ == sqlite3.NULL {
			switch d := d.(type) {
			case *sql.NullInt64:
				*d = sql.NullInt64{}
			case *sql.NullString:
				*d = sql.NullString{}
			case *sql.NullBool:
				*d = sql.NullBool{}
			case sql.Scanner:
				if err := d.Scan(nil); err != nil {
					return fmt.Errorf("scan column %d: %w", i, err)
				}
			default:
				return fmt.Errorf("scan column %d: converting NULL to %T is unsupported", i, d)
			}
			continue
		}
		switch d := d.(type) {
		case *int64:
			*d = st.ColumnInt64(i)
		case *Kind:
			*d = Kind(st.ColumnInt64(i))
		case *string:
			*d = st.ColumnText(i)
		case *bool:
			v, err := scanBool(st, i)
			if err != nil {
				return err
			}
			*d = v
		case *sql.NullInt64:
			*d = sql.NullInt64{Int64: st.ColumnInt64(i), Valid: true}
		case *sql.NullString:
			*d = sql.NullString{String: st.ColumnText(i), Valid: true}
		case *sql.NullBool:
			v, err := scanBool(st, i)
			if err != nil {
				return err
			}
			*d = sql.NullBool{Bool: v, Valid: true}
		case *uuid.UUID:
			// The common case without a copy: 16 bytes, as the schema stores UUIDs.
			if b := st.ColumnRawBlob(i); typ == sqlite3.BLOB && len(b) == 16 {
				*d = uuid.UUID(b)
			} else if err := d.Scan(columnValue(st, i, typ)); err != nil {
				return fmt.Errorf("scan column %d: %w", i, err)
			}
		case sql.Scanner:
			if err := d.Scan(columnValue(st, i, typ)); err != nil {
				return fmt.Errorf("scan column %d: %w", i, err)
			}
		default:
			return fmt.Errorf("scan column %d: unsupported destination %T", i, d)
		}
	}
	return nil
}

func scanBool(st *sqlite3.Stmt, i int) (bool, error) {
	switch v := st.ColumnInt64(i); {
	case st.ColumnType(i) == sqlite3.INTEGER && v == 0:
		return false, nil
	case st.ColumnType(i) == sqlite3.INTEGER && v == 1:
		return true, nil
	}
	return false, fmt.Errorf("scan column %d: %q is not a bool", i, st.ColumnText(i))
}

// columnValue is a column as database/sql hands it to a Scanner.
func columnValue(st *sqlite3.Stmt, i int, typ sqlite3.Datatype) any {
	switch typ {
	case sqlite3.INTEGER:
		return st.ColumnInt64(i)
	case sqlite3.FLOAT:
		return st.ColumnFloat(i)
	case sqlite3.TEXT:
		return st.ColumnText(i)
	case sqlite3.BLOB:
		return st.ColumnBlob(i, nil)
	}
	return nil
}

// readRow is the first row of a query (see readConn.queryRow).
type readRow struct {
	rows *readRows
	err  error
}

func (r readRow) Scan(dest ...any) error {
	return r.first(func(rs *readRows) error { return rs.Scan(dest...) })
}

// first reads the first row with read, then closes the rows; sql.ErrNoRows if none.
func (r readRow) first(read func(*readRows) error) error {
	if r.err != nil {
		return r.err
	}
	if !r.rows.Next() {
		if err := r.rows.Close(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	err := read(r.rows)
	return errors.Join(err, r.rows.Close())
}

// entryColumns is the number of columns of entrySelect.
const entryColumns = 18

// entryRow reads scanEntry's columns straight from the statement: what Scan would do with
// the same destinations (TestReader_SameAsDatabaseSQL compares them), without boxing each
// destination in an interface, which made every one of them a heap allocation.
func (rs *readRows) entryRow(r *entryRow) error {
	st := rs.st
	// A find statement selects its order keys after the entry's columns (selectKeys).
	if n := st.ColumnCount(); n < entryColumns {
		return fmt.Errorf("scan: %d entry columns expected, statement has %d", entryColumns, n)
	}
	notNull := func(cols ...int) error {
		for _, i := range cols {
			if st.ColumnType(i) == sqlite3.NULL {
				return fmt.Errorf("scan column %d: converting NULL is unsupported", i)
			}
		}
		return nil
	}
	if err := notNull(0, 1, 3, 5, 6, 10, 16); err != nil {
		return err
	}
	nullInt := func(i int) sql.NullInt64 {
		if st.ColumnType(i) == sqlite3.NULL {
			return sql.NullInt64{}
		}
		return sql.NullInt64{Int64: st.ColumnInt64(i), Valid: true}
	}
	nullText := func(i int) sql.NullString {
		if st.ColumnType(i) == sqlite3.NULL {
			return sql.NullString{}
		}
		return sql.NullString{String: st.ColumnText(i), Valid: true}
	}
	r.e.ID = st.ColumnInt64(0)
	r.e.LocationID = st.ColumnInt64(1)
	r.parent = nullInt(2)
	r.e.Name = st.ColumnText(3)
	r.ext = nullText(4)
	r.e.Kind = Kind(st.ColumnInt64(5))
	r.e.Size = st.ColumnInt64(6)
	r.inode, r.perms, r.created = nullInt(7), nullInt(8), nullInt(9)
	r.modified = st.ColumnInt64(10)
	r.accessed, r.contentID, r.metaID = nullInt(11), nullInt(12), nullInt(13)
	r.dirPath = nullText(14)
	if st.ColumnType(15) != sqlite3.NULL {
		r.parentPath = sql.NullString{String: rs.sameText(15, &rs.lastDir), Valid: true}
	}
	r.locPath = rs.sameText(16, &rs.lastLoc)
	r.contentKind = nullText(17)
	return nil
}

// entryRow is readRows.entryRow for the first row, like Scan.
func (r readRow) entryRow(e *entryRow) error {
	return r.first(func(rs *readRows) error { return rs.entryRow(e) })
}

// entryBatch hands entries read from one snapshot to a callback EachBatch at a time, with
// their user metadata attached: the streaming reads (findRows, listRows) share it.
type entryBatch struct {
	r       *readConn
	fn      func([]Entry) error
	entries []Entry
	// fnErr is the callback's own error, which the caller returns as it is rather than
	// wrapped as a database error.
	fnErr error
}

// add appends e, handing the batch over when it is full.
func (b *entryBatch) add(e Entry) error {
	if b.entries == nil {
		b.entries = make([]Entry, 0, EachBatch)
	}
	b.entries = append(b.entries, e)
	if len(b.entries) == EachBatch {
		return b.flush()
	}
	return nil
}

// flush hands over what is held, if anything.
func (b *entryBatch) flush() error {
	if len(b.entries) == 0 {
		return nil
	}
	if err := b.r.attachMetadata(b.entries); err != nil {
		return err
	}
	if err := b.fn(b.entries); err != nil {
		b.fnErr = err
		return err
	}
	b.entries = b.entries[:0]
	return nil
}
