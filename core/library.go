package core

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/driver"
	"github.com/ncruces/go-sqlite3/ext/fts5"

	"github.com/filedex/filedex/internal/wasivfs"
	"github.com/filedex/filedex/migrations"
)

// DatabaseFile is the name of the SQLite database inside a library directory.
const DatabaseFile = "database.db"

// BackupsDir is the directory inside a library that holds backups.
const BackupsDir = "backups"

// Library is an open filedex library: a directory holding database.db (SQLite, WAL) and
// backups/. It is safe for concurrent use by multiple goroutines: reads run on a pool of
// reader connections and never wait for writes; writes are serialized on one writer
// connection (SQLite allows one writer at a time anyway, and queuing in Go is cheaper than
// spinning on SQLITE_BUSY).
type Library struct {
	dir  string
	opts Options

	write *sql.DB // exactly one connection; nil when read-only
	read  *sql.DB

	// lock is the library lock (lock.go), held shared from Open to Close so that a restore
	// in another process cannot swap database.db underneath this one.
	lock *libraryLock

	// entryUUIDBase begins every entry UUID of this library (options.go, entryUUID).
	entryUUIDBase [10]byte
	// libEntryUUIDBase is 0007's base, the home device's (sync_ids.go); bases caches every
	// device's base for other devices' entries.
	libEntryUUIDBase [10]byte
	bases            deviceBases
	syncStmts        txStmts // sync.go
	info             LibraryInfo
	deviceID         int64

	stmtMu sync.Mutex
	stmts  map[stmtKey]*sql.Stmt
	// readConns holds the point queries' raw statements per reader connection (reader.go).
	readConns readConns

	closeOnce sync.Once
	closeErr  error

	// live holds budgeted scans parked between their calls (scan_live.go).
	live liveScans
}

type stmtKey struct {
	write bool
	query string
}

// LibraryInfo describes an open library.
type LibraryInfo struct {
	UUID          uuid.UUID `json:"uuid"`
	Name          string    `json:"name"`
	Path          string    `json:"path"`
	CreatedAt     time.Time `json:"created_at"`
	SchemaVersion int       `json:"schema_version"`
	ReadOnly      bool      `json:"read_only"`
	Device        Device    `json:"device"`
}

// DefaultDir returns the default library directory: $FILEDEX_LIBRARY, else
// $XDG_DATA_HOME/filedex/default, else ~/.local/share/filedex/default.
func DefaultDir() (string, error) {
	if d := os.Getenv("FILEDEX_LIBRARY"); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "filedex", "default"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("default library: %w (set FILEDEX_LIBRARY or pass a library directory)", err)
	}
	return filepath.Join(home, ".local", "share", "filedex", "default"), nil
}

// Open opens the library in dir, creating the directory and the database when they do not
// exist (unless opts.ReadOnly), and applying pending migrations. A library whose schema is
// newer than this binary, or whose applied migrations differ from the embedded ones, is
// refused with ErrIncompatible and left untouched.
func Open(dir string, opts Options) (*Library, error) {
	opts = opts.withDefaults()
	if dir == "" {
		return nil, &Error{Op: "open", Field: "library", Err: fmt.Errorf("%w: empty library directory", ErrInvalid)}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, &Error{Op: "open", Field: "library", Err: fmt.Errorf("%w: %w", ErrInvalid, err)}
	}
	l := &Library{dir: abs, opts: opts, stmts: map[stmtKey]*sql.Stmt{}}
	ctx, cancel := context.WithTimeout(context.Background(), opts.ConnectTimeout)
	defer cancel()
	if err := l.open(ctx); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

func (l *Library) open(ctx context.Context) error {
	dbPath := filepath.Join(l.dir, DatabaseFile)
	st, err := os.Stat(l.dir)
	switch {
	case err == nil && !st.IsDir():
		return &Error{Op: "open", Field: "library", Err: fmt.Errorf("%w: %s is a file, not a library directory", ErrInvalid, l.dir)}
	case errors.Is(err, fs.ErrNotExist) && (l.opts.ReadOnly || l.opts.MustExist):
		return &Error{Op: "open", Err: fmt.Errorf("%w: no library at %s", ErrNotFound, l.dir)}
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(l.dir, 0o755); err != nil {
			return &Error{Op: "open", Err: fmt.Errorf("%w: create library directory: %w", ErrInvalid, err)}
		}
	case err != nil:
		return &Error{Op: "open", Err: fmt.Errorf("%w: %w", ErrInvalid, err)}
	}
	if l.opts.MustExist && !l.opts.ReadOnly {
		// Before the lock, which would leave its file in a directory that holds no library.
		// (A restore swapping database.db in at this moment keeps a file at that path.)
		if _, err := os.Stat(dbPath); errors.Is(err, fs.ErrNotExist) {
			return &Error{Op: "open", Err: fmt.Errorf("%w: no library at %s (no %s there)", ErrNotFound, l.dir, DatabaseFile)}
		}
	}
	if l.lock == nil {
		// Before the first look at database.db: a restore holding the lock may be swapping it.
		if l.lock, err = acquireLibraryLock(ctx, l.dir, false, l.opts.ReadOnly); err != nil {
			return &Error{Op: "open", Err: err}
		}
	}
	// A WASI process killed with the library open left its lock marks (lock_wasi.go).
	if err := breakStaleWASIMarks(l.dir); err != nil {
		return &Error{Op: "open", Err: err}
	}
	if err := checkDatabaseFile(dbPath); err != nil {
		return err
	}
	_, statErr := os.Stat(dbPath)
	exists := statErr == nil
	if !exists && l.opts.ReadOnly {
		return &Error{Op: "open", Err: fmt.Errorf("%w: no library database at %s", ErrNotFound, dbPath)}
	}

	// An existing database is first inspected through a read-only connection, so a library
	// from a newer filedex is refused before anything could write to it.
	if exists {
		if err := l.checkCompatible(ctx, dbPath); err != nil {
			return err
		}
	}

	if !l.opts.ReadOnly {
		l.write, err = openPool(dbPath, l.opts, false)
		if err != nil {
			return wrapOpen(err, dbPath)
		}
		l.write.SetMaxOpenConns(1)
		l.write.SetMaxIdleConns(1)
		l.write.SetConnMaxIdleTime(0) // the writer stays open: reopening costs more than it saves
		if err := l.write.PingContext(ctx); err != nil {
			return wrapOpen(err, dbPath)
		}
		runner := migrations.NewRunner(l.write, l.opts.Clock.Now)
		cur, err := runner.Current(ctx)
		if err != nil {
			return wrapDB("open: migrate", err)
		}
		if !l.opts.SkipMigrations || cur == 0 {
			// ConnectTimeout bounds getting a connection and the locks, not the migrations:
			// one that rebuilds an index on a large library may take minutes, and cutting
			// it off would leave the library unopenable (each try rolls back and starts
			// over). A fresh library under WASI on a loaded machine took more than the
			// 10 s default (TestREADME_WASI, "open: cancelled: interrupted").
			if err := runner.Up(context.WithoutCancel(ctx), 0); err != nil {
				return wrapDB("open: migrate", err)
			}
			if cur < migrations.Latest() {
				// What follows (statistics, the reader pool, the identity rows) gets
				// ConnectTimeout of its own: the migrations may have used it all up, and a
				// library migrated, then refused for an expired deadline, is the same failure.
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), l.opts.ConnectTimeout)
				defer cancel()
			}
		}
		// Before any reader loads the statistics (optimize.go). Busy only delays it.
		if err := forgetFTSSamples(ctx, l.write); err != nil && CodeOf(err) != CodeBusy {
			return wrapDB("open", err)
		}
	}
	l.read, err = openPoolClosing(dbPath, l.opts, true, l.readConns.forget)
	if err != nil {
		return wrapOpen(err, dbPath)
	}
	readers := l.opts.MaxOpenConns - 1
	if l.opts.ReadOnly {
		readers = l.opts.MaxOpenConns
	}
	l.read.SetMaxOpenConns(readers)
	l.read.SetMaxIdleConns(max(l.opts.MinOpenConns, 2))
	l.read.SetConnMaxIdleTime(l.opts.IdleTimeout)
	if err := l.read.PingContext(ctx); err != nil {
		return wrapOpen(err, dbPath)
	}
	if l.opts.ReadOnly {
		// Without a writer nobody applies migrations: a read-only open of an older library
		// would run today's queries on yesterday's schema.
		if n, err := migrations.NewRunner(l.read, nil).Pending(ctx); err != nil {
			return wrapDB("open", err)
		} else if n > 0 {
			return &Error{Op: "open", Err: fmt.Errorf("%w: library needs %d schema migration(s); open it once read-write (filedex migrate up)", ErrIncompatible, n)}
		}
	}
	if err := l.initIdentity(ctx); err != nil {
		return err
	}
	return nil
}

func (l *Library) checkCompatible(ctx context.Context, dbPath string) error {
	if err := checkFileFormat(dbPath, l.opts.ReadOnly); err != nil {
		return err
	}
	probe, err := openPool(dbPath, l.opts, true)
	if err != nil {
		return wrapOpen(err, dbPath)
	}
	defer probe.Close()
	if err := probe.PingContext(ctx); err != nil {
		if l.opts.ReadOnly && !l.opts.immutable && readImmutable(dbPath, err) {
			// A clean library this process may read but not write beside (recover.go).
			probe.Close()
			l.opts.immutable = true
			return l.checkCompatible(ctx, dbPath)
		}
		if errors.Is(err, sqlite3.READONLY) {
			// A process killed mid-write left a hot journal (recover.go).
			probe.Close()
			return l.recoverThenCheck(ctx, dbPath, err)
		}
		return wrapOpen(err, dbPath)
	}
	return l.verifySchema(ctx, probe, dbPath)
}

// checkFileFormat reads the file format versions of the database header (offsets 18 and 19:
// 1 legacy, 2 WAL). SQLite opens a file whose write version it does not know read-only
// without an error, so a library damaged there (FuzzDamagedDatabase found offset 18) or
// written by a future SQLite would open and then fail on its first write as "read-only".
// It is refused here instead, before anything could try. Headers that are short or lack
// the magic string are left to SQLite, which reports them as not a database.
func checkFileFormat(dbPath string, readOnly bool) error {
	f, err := os.Open(dbPath)
	if err != nil {
		return nil // SQLite reports it with its own classification
	}
	defer f.Close()
	var h [100]byte
	if _, err := io.ReadFull(f, h[:]); err != nil || string(h[:16]) != "SQLite format 3\x00" {
		return nil
	}
	write, read := h[18], h[19]
	switch {
	case read != 1 && read != 2:
		return &Error{Op: "open", Err: fmt.Errorf("%w: %s has file format read version %d, which this SQLite does not understand; restore a backup with `filedex restore`", ErrIncompatible, dbPath, read)}
	case !readOnly && write != 1 && write != 2:
		return &Error{Op: "open", Err: fmt.Errorf("%w: %s has file format write version %d: SQLite can only read it; open it read-only or restore a backup with `filedex restore`", ErrIncompatible, dbPath, write)}
	case h[20] != 0 || h[21] != 64 || h[22] != 32 || h[23] != 32:
		// The page layout fields: bytes reserved at the end of every page (filedex reserves
		// none: no checksum or encryption VFS writes its databases) and the payload
		// fractions SQLite requires to be 64/32/32. A damaged value made SQLite misread
		// every page, which surfaced as "disk I/O error" from the first pragma, an internal
		// error where the truth is a damaged file (found by FuzzDamagedDatabase).
		return &Error{Op: "open", Err: fmt.Errorf("%w: %s has a damaged page layout in its header (reserved bytes %d, payload fractions %d/%d/%d); restore a backup with `filedex restore`", ErrIncompatible, dbPath, h[20], h[21], h[22], h[23])}
	}
	return nil
}

func (l *Library) verifySchema(ctx context.Context, probe *sql.DB, dbPath string) error {
	if err := refuseForeign(ctx, probe, dbPath); err != nil {
		return err
	}
	if err := migrations.NewRunner(probe, nil).Verify(ctx); err != nil {
		return wrapOpen(err, dbPath)
	}
	return nil
}

// refuseForeign refuses a database that belongs to another application, before anything
// writes to it: an empty database becomes a library, and filedex's own carries its
// schema_migrations table (version, name, checksum, applied_at). Anything else, whether
// another SQLite application's file in a folder the user pointed --library at, or a tool
// whose schema_migrations has other columns, or a database stamped with an application id
// (filedex sets none), would otherwise get filedex's tables added to it by the migrations.
func refuseForeign(ctx context.Context, probe *sql.DB, dbPath string) error {
	var appID int64
	if err := probe.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&appID); err != nil {
		return wrapOpen(err, dbPath)
	}
	var objects, ours int64
	var names string
	err := probe.QueryRowContext(ctx, `SELECT count(*), coalesce(group_concat(name, ', '), ''),
 (SELECT count(*) FROM pragma_table_info('schema_migrations') WHERE name IN ('version', 'name', 'checksum', 'applied_at'))
FROM (SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name LIMIT 5)`).Scan(&objects, &names, &ours)
	if err != nil {
		return wrapOpen(err, dbPath)
	}
	switch {
	case appID != 0:
		return &Error{Op: "open", Err: fmt.Errorf("%w: %s is not a filedex library: it belongs to another application (SQLite application id %#x); it was left untouched: choose another library directory", ErrIncompatible, dbPath, uint32(appID))}
	case objects > 0 && ours != 4:
		return &Error{Op: "open", Err: fmt.Errorf("%w: %s is not a filedex library: it holds another application's tables (%s); it was left untouched: choose another library directory", ErrIncompatible, dbPath, names)}
	}
	return nil
}

func wrapOpen(err error, dbPath string) error {
	switch {
	case errors.Is(err, sqlite3.NOTADB), errors.Is(err, sqlite3.CORRUPT),
		// A damaged header field (schema format number, found by FuzzDamagedDatabase) is a
		// plain SQLITE_ERROR with this message.
		strings.Contains(err.Error(), "unsupported file format"),
		// A damaged row of filedex's own bookkeeping read at open (a byte flip on page 2 made
		// schema_migrations.applied_at a string): database/sql's conversion error.
		strings.Contains(err.Error(), "sql: Scan error on column"):
		return &Error{Op: "open", Err: fmt.Errorf("%w: %s is not a valid filedex database (%w); restore a backup with `filedex restore`", ErrIncompatible, dbPath, err)}
	case errors.Is(err, sqlite3.PROTOCOL):
		// Under WASI: the dot-lock VFS found the native VFS's -shm file in use, so a native
		// process has the library open (a stale one is removed by the host's guard,
		// lock_wasi.go). The two VFSs cannot share a database.
		return &Error{Op: "open", Err: fmt.Errorf("%w: %s is open in another process through the native engine, which the WASI engine cannot share it with; close that process, or use --engine native", ErrBusy, dbPath)}
	case errors.Is(err, sqlite3.CANTOPEN), errors.Is(err, sqlite3.PERM), errors.Is(err, sqlite3.AUTH), errors.Is(err, fs.ErrPermission):
		return &Error{Op: "open", Err: fmt.Errorf("%w: cannot open %s: %w", ErrInvalid, dbPath, err)}
	}
	return wrapDB("open", err)
}

// openPool opens a database/sql pool on the library database. Every connection gets the
// same settings through the DSN, so a connection the pool reopens later is configured too.
func openPool(dbPath string, o Options, readOnly bool) (*sql.DB, error) {
	return openPoolClosing(dbPath, o, readOnly, nil)
}

// openPoolClosing is openPool with onClose, if not nil, run before each connection closes
// (the reader pool's statement cache, reader.go).
func openPoolClosing(dbPath string, o Options, readOnly bool, onClose func(*sqlite3.Conn) error) (*sql.DB, error) {
	q := url.Values{}
	// Order matters: busy_timeout first, so the other pragmas already wait for locks.
	pragmas := []string{
		"busy_timeout(" + strconv.FormatInt(o.BusyTimeout.Milliseconds(), 10) + ")",
		"foreign_keys(1)",
		// Required under WASI (no temp directory); natively it keeps sorts off the disk.
		"temp_store(memory)",
	}
	cache := o.CacheSizeKiB
	if readOnly {
		cache = max(cache/4, 2048)
		q.Set("mode", "ro")
		q.Set("_txlock", "deferred")
		if o.immutable {
			q.Set("immutable", "1")
		}
	} else {
		pragmas = append(pragmas, "journal_mode(wal)", "synchronous(normal)")
		q.Set("_txlock", "immediate") // take the write lock at BEGIN: no deadlock on upgrade
	}
	pragmas = append(pragmas, "cache_size(-"+strconv.Itoa(cache)+")")
	q["_pragma"] = pragmas
	return driver.Open(sqliteURI(dbPath, o, q), initConn, onClose)
}

// initConn prepares every connection to a library database: the FTS5 module (migration 0002's
// entries_fts; the triggers on entries write it, so even a plain write needs it) and
// filedex's SQL functions. driver.Open's second callback runs at close, not open: one init
// does both.
func initConn(c *sqlite3.Conn) error {
	if err := fts5.Register(c); err != nil {
		return err
	}
	return registerFunctions(c)
}

// sqliteURI is the URI filename SQLite opens path with: query parameters plus the VFS the
// options name.
func sqliteURI(path string, o Options, q url.Values) string {
	if q == nil {
		q = url.Values{}
	}
	if o.vfs != "" {
		q.Set("vfs", o.vfs)
	}
	// wasivfs.URI adds the platform's VFS when the options name none.
	return wasivfs.URI(path, q)
}

func (l *Library) initIdentity(ctx context.Context) error {
	if !l.opts.ReadOnly {
		if err := l.registerIdentity(ctx); err != nil {
			return err
		}
	}
	var created int64
	err := l.read.QueryRowContext(ctx, `SELECT uuid, name, created_at FROM library WHERE id = 1`).Scan(&l.info.UUID, &l.info.Name, &created)
	if err != nil {
		return wrapDB("open", err)
	}
	l.info.CreatedAt = fromMS(created)
	l.info.Path = l.dir
	l.info.ReadOnly = l.opts.ReadOnly
	l.info.SchemaVersion, err = migrations.NewRunner(l.read, nil).Current(ctx)
	if err != nil {
		return wrapDB("open", err)
	}
	if err := l.loadEntryUUIDBase(ctx); err != nil {
		return err
	}
	if l.opts.ReadOnly {
		// A read-only process cannot register itself; it reports the device it would be.
		di := deviceInfo(l.opts.Device)
		d, err := l.Devices().GetByUUID(ctx, di.UUID)
		if err == nil {
			l.deviceID = d.ID
		}
	}
	return nil
}

// registerIdentity makes sure the library row and this device's row exist and are current.
// Opening must not depend on the write lock when there is nothing to write: another process
// may be in the middle of a long scan. So the rows are read first, and an update that only
// refreshes last_seen_at is skipped when the lock is busy.
func (l *Library) registerIdentity(ctx context.Context) error {
	di := deviceInfo(l.opts.Device)
	var haveLibrary bool
	if err := l.write.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM library WHERE id = 1)`).Scan(&haveLibrary); err != nil {
		return wrapDB("open", err)
	}
	d, err := l.devicesOn(l.write).GetByUUID(ctx, di.UUID)
	switch {
	case err == nil && haveLibrary && d.matches(di):
		l.deviceID = d.ID
		if l.now().Sub(d.LastSeenAt) < time.Minute {
			return nil
		}
	case err != nil && !errors.Is(err, ErrNotFound):
		return err
	}
	err = l.update(ctx, "open", func(tx *sql.Tx) error {
		now := l.now()
		_, err := tx.ExecContext(ctx, `INSERT INTO library (id, uuid, name, created_at) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			l.newUUID(now), filepath.Base(l.dir), ms(now))
		if err != nil {
			return err
		}
		l.deviceID, err = registerDevice(ctx, tx, l, di)
		return err
	})
	if errors.Is(err, ErrBusy) && l.deviceID != 0 {
		l.opts.Logger.Debug("device last_seen_at not refreshed: library busy")
		return nil
	}
	return err
}

// Close closes the library. It is safe to call more than once.
func (l *Library) Close() error {
	l.closeOnce.Do(func() {
		l.live.stopAll()
		l.stmtMu.Lock()
		for _, s := range l.stmts {
			s.Close()
		}
		l.stmts = nil
		l.stmtMu.Unlock()
		var errs []error
		// The read pool closes first, so that the last connection to close is a
		// read-write one. SQLite's WAL close cleanup — take an EXCLUSIVE lock on
		// the database (granted only when no connection of any process has it
		// open), checkpoint, then delete database.db-wal and database.db-shm —
		// runs only on a connection that can write; a read-only (mode=ro) last
		// connection leaves both files behind. A left -shm is harmless to another
		// native process but makes the WASI build (dot-lock VFS, which claims
		// the -shm path as a directory and cannot tell a stale file from a live
		// native process) refuse the library with "locking protocol".
		if l.read != nil {
			errs = append(errs, l.read.Close())
		}
		if l.write != nil {
			ctx, cancel := context.WithTimeout(context.Background(), l.opts.BusyTimeout)
			// Fold the WAL back into the database so the directory holds one self-contained file.
			_, err := l.write.ExecContext(ctx, `PRAGMA optimize`)
			if err == nil {
				err = forgetFTSSamples(ctx, l.write)
			}
			if err == nil {
				_, err = l.write.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
			}
			cancel()
			if err != nil && CodeOf(err) != CodeBusy {
				errs = append(errs, err)
			}
			errs = append(errs, l.write.Close())
		}
		// Only after every connection is closed: the lock promises a restorer that nobody
		// has the file open.
		errs = append(errs, l.lock.release())
		l.closeErr = errors.Join(errs...)
	})
	return l.closeErr
}

// Dir is the library directory.
func (l *Library) Dir() string { return l.dir }

// Info describes the library.
func (l *Library) Info(ctx context.Context) (LibraryInfo, error) {
	info := l.info
	if l.deviceID != 0 {
		d, err := l.Devices().Get(ctx, l.deviceID)
		if err != nil {
			return info, err
		}
		info.Device = d
	}
	return info, nil
}

// ReadOnly reports whether the library was opened read-only.
func (l *Library) ReadOnly() bool { return l.opts.ReadOnly }

// DeviceID is the row id of the device this process runs on (0 when read-only and never registered).
func (l *Library) DeviceID() int64 { return l.deviceID }

// SQLiteVersion is the version of the SQLite library filedex is built with.
func SQLiteVersion() string {
	sqliteVersionOnce.Do(func() {
		c, err := sqlite3.Open(":memory:")
		if err != nil {
			return
		}
		defer c.Close()
		st, _, err := c.Prepare(`SELECT sqlite_version()`)
		if err != nil {
			return
		}
		defer st.Close()
		if st.Step() {
			sqliteVersion = st.ColumnText(0)
		}
	})
	return sqliteVersion
}

var (
	sqliteVersionOnce sync.Once
	sqliteVersion     string
)

func (l *Library) now() time.Time { return l.opts.Clock.Now().UTC() }

// newUUID makes a UUIDv7 for a new row, as the 16 bytes the schema stores (uuid.UUID's own
// driver.Valuer would bind text).
func (l *Library) newUUID(t time.Time) []byte {
	u := newV7(t, l.opts.UUIDs)
	return u[:]
}

// update runs fn in one write transaction (BEGIN IMMEDIATE) and commits it, or rolls back on
// error. Errors are classified with wrapDB.
func (l *Library) update(ctx context.Context, op string, fn func(tx *sql.Tx) error) (err error) {
	if l.write == nil {
		return &Error{Op: op, Err: ErrReadOnly}
	}
	tx, err := l.write.BeginTx(ctx, nil)
	if err != nil {
		return l.wrapWrite(op, err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
			err = l.wrapWrite(op, err) // wrapDB, plus a full disk SQLite calls an I/O error
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// view runs fn in one read transaction, so multi-query reads see one consistent snapshot
// even while a scan commits batches.
func (l *Library) view(ctx context.Context, op string, fn func(tx *sql.Tx) error) (err error) {
	tx, err := l.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return wrapDB(op, err)
	}
	defer tx.Rollback()
	if err = fn(tx); err != nil {
		return wrapDB(op, err)
	}
	return nil
}

// stmt returns a prepared statement cached for the life of the library: preparing is a large
// part of a point query's cost (several µs natively, far more under WASI).
func (l *Library) stmt(ctx context.Context, write bool, query string) (*sql.Stmt, error) {
	k := stmtKey{write, query}
	l.stmtMu.Lock()
	defer l.stmtMu.Unlock()
	if s, ok := l.stmts[k]; ok {
		return s, nil
	}
	if l.stmts == nil {
		return nil, &Error{Op: "query", Err: fmt.Errorf("%w: library is closed", ErrInvalid)}
	}
	db := l.read
	if write {
		db = l.write
	}
	s, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	l.stmts[k] = s
	return s, nil
}

// queryRow runs a cached read statement returning one row.
func (l *Library) queryRow(ctx context.Context, query string, args ...any) (*sql.Row, error) {
	s, err := l.stmt(ctx, false, query)
	if err != nil {
		return nil, err
	}
	return s.QueryRowContext(ctx, args...), nil
}

// query runs a cached read statement.
func (l *Library) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := l.stmt(ctx, false, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func msPtr(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func fromNullMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

// ownsEntryUUID reports whether u can be one of this library's entry UUIDs.
func (l *Library) ownsEntryUUID(u uuid.UUID) bool { _, ok := l.entryIDOfUUID(u); return ok }

// loadEntryUUIDBase reads library.entry_uuid_base, which migration 0007 adds. A library left
// below 0007 (Options.SkipMigrations, a migrate down) has none: it keeps the zero base until
// a migration brings the column (Library.migrate reloads it).
func (l *Library) loadEntryUUIDBase(ctx context.Context) error {
	l.entryUUIDBase = [10]byte{}
	if l.info.SchemaVersion < 7 {
		return nil
	}
	var base []byte
	err := l.read.QueryRowContext(ctx, `SELECT entry_uuid_base FROM library WHERE id = 1`).Scan(&base)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // MigrateFresh: the row comes back with registerIdentity, which reloads
	}
	if err != nil {
		return wrapDB("open", err)
	}
	if len(base) != len(l.entryUUIDBase) {
		return &Error{Op: "open", Err: fmt.Errorf("%w: library.entry_uuid_base is %d bytes, want %d", ErrIncompatible, len(base), len(l.entryUUIDBase))}
	}
	copy(l.entryUUIDBase[:], base)
	l.libEntryUUIDBase = l.entryUUIDBase
	return l.loadDeviceBases(ctx, l.read)
}
