package core

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/driver"

	"github.com/filedex/filedex/migrations"
)

// RestorePhase names a step of a restore, for progress reports.
type RestorePhase string

// The phases of a restore, in order. Nothing in the library changes before PhaseSwap's
// "keep the replaced database" step; everything before it works on a private copy.
const (
	PhaseValidate RestorePhase = "validate" // header, copy, integrity_check, schema version
	PhaseMigrate  RestorePhase = "migrate"  // an older schema is migrated up (in the copy)
	PhaseLock     RestorePhase = "lock"     // the library lock is taken exclusively
	PhaseKeep     RestorePhase = "keep"     // the replaced database is kept in backups/
	PhaseSwap     RestorePhase = "swap"     // the copy is renamed over database.db
)

// RestoreOptions configure [Restore] and [Library.Restore].
type RestoreOptions struct {
	// Progress, if set, is told each phase as it starts.
	Progress func(RestorePhase)
}

// RestoreResult describes a finished restore.
type RestoreResult struct {
	// Restored is the file that was restored (it is not modified or moved).
	Restored string `json:"restored"`
	// FromVersion is the schema version of the file; SchemaVersion the library's now (higher
	// when the file was migrated up).
	FromVersion   int `json:"from_version"`
	SchemaVersion int `json:"schema_version"`
	// Previous is where the replaced database was kept ("" when the library had none).
	Previous string `json:"previous,omitempty"`
}

// sqliteMagic opens every SQLite 3 database file (https://sqlite.org/fileformat.html).
var sqliteMagic = []byte("SQLite format 3\x00")

// Restore replaces the database of the library in dir with the backup in file. No process
// may have the library open, this one included (see [Library.Restore] for an open library);
// otherwise it fails with [ErrBusy] and changes nothing.
//
// The file is validated before anything in the library changes: SQLite header, a private
// copy made with the online backup API (the file itself is never modified), PRAGMA
// integrity_check, and a schema this binary knows: an older one is migrated up in the copy,
// a newer one is refused with [ErrIncompatible]. A file that is not a filedex database is
// refused with [ErrInvalid].
//
// Then, holding the library lock exclusively: the current database (with whatever its WAL
// holds) is kept as a verified backup in backups/, its -wal and -shm files are removed (they
// belong to the old file: SQLite would replay them into the new one), and the copy is renamed
// over database.db. A crash at any point leaves either the old database or the new one,
// whole. opts supply the clock (for the kept backup's name) and timeouts; dir is created if
// missing.
func Restore(ctx context.Context, dir, file string, opts Options, ro RestoreOptions) (RestoreResult, error) {
	const op = "db.restore"
	opts = opts.withDefaults()
	dir, err := filepath.Abs(dir)
	if err != nil {
		return RestoreResult{}, &Error{Op: op, Field: "library", Err: fmt.Errorf("%w: %w", ErrInvalid, err)}
	}
	if opts.ReadOnly {
		return RestoreResult{}, &Error{Op: op, Err: ErrReadOnly}
	}
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return RestoreResult{}, &Error{Op: op, Field: "library", Err: fmt.Errorf("%w: %s is a file, not a library directory", ErrInvalid, dir)}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return RestoreResult{}, &Error{Op: op, Field: "library", Err: fmt.Errorf("%w: %w", ErrInvalid, err)}
	}
	tmp, res, err := prepareRestore(ctx, dir, file, opts, ro)
	if err != nil {
		return res, err
	}
	defer removeDBFiles(tmp) // a no-op once it has been renamed into place
	ro.phase(PhaseLock)
	lk, err := acquireLibraryLock(ctx, dir, true, false)
	if err != nil {
		return res, &Error{Op: op, Err: err}
	}
	defer lk.release()
	res.Previous, err = swapIn(ctx, dir, tmp, opts, ro)
	if err != nil {
		return res, wrapRestore(op, err)
	}
	return res, nil
}

// Restore replaces this library's database with the backup in file, like [Restore], and
// reopens the library on the restored database. Validation and migration of the file
// happen while the library stays usable; then its connections are closed for the swap.
//
// No other process (nor another [Library] value on the same directory) may have the library
// open: Restore fails with [ErrBusy] and the library is left as it was. Restore must not run
// concurrently with other calls on l: they would fail while the connections are closed.
func (l *Library) Restore(ctx context.Context, file string, ro RestoreOptions) (RestoreResult, error) {
	const op = "db.restore"
	if l.opts.ReadOnly {
		return RestoreResult{}, &Error{Op: op, Err: ErrReadOnly}
	}
	tmp, res, err := prepareRestore(ctx, l.dir, file, l.opts, ro)
	if err != nil {
		return res, err
	}
	defer removeDBFiles(tmp)

	ro.phase(PhaseLock)
	// Upgrading before closing anything keeps the library usable when the answer is no:
	// the upgrade fails when anyone but us holds the lock shared.
	if err := l.lock.upgrade(); err != nil {
		return res, &Error{Op: op, Err: err}
	}
	l.closeConns()
	res.Previous, err = swapIn(ctx, l.dir, tmp, l.opts, ro)
	if derr := l.lock.downgrade(); derr != nil && err == nil {
		err = derr
	}
	// Reopen whatever happened: on failure the old database is still in place.
	octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.opts.ConnectTimeout)
	defer cancel()
	if oerr := l.open(octx); oerr != nil {
		return res, errors.Join(wrapRestore(op, err), oerr)
	}
	if err != nil {
		return res, wrapRestore(op, err)
	}
	return res, nil
}

// closeConns closes the library's statements and pools but keeps its lock, so that open can
// bring it back.
func (l *Library) closeConns() {
	l.stmtMu.Lock()
	for _, s := range l.stmts {
		s.Close()
	}
	l.stmts = map[stmtKey]*sql.Stmt{}
	l.stmtMu.Unlock()
	if l.write != nil {
		// A passive checkpoint keeps the WAL small; swapIn checkpoints fully anyway.
		l.write.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		l.write.Close()
		l.write = nil
	}
	if l.read != nil {
		l.read.Close()
		l.read = nil
	}
}

func (ro RestoreOptions) phase(p RestorePhase) {
	if ro.Progress != nil {
		ro.Progress(p)
	}
}

func wrapRestore(op string, err error) error {
	if err == nil {
		return nil
	}
	if isNoSpace(err) {
		return &Error{Op: op, Err: fmt.Errorf("%w: %w (the library was not changed)", ErrFull, err)}
	}
	return wrapDB(op, err)
}

// prepareRestore validates file and leaves a migrated, self-contained copy of it in the
// library directory (same filesystem, so the final rename is atomic). Nothing else in the
// library is touched.
func prepareRestore(ctx context.Context, dir, file string, opts Options, ro RestoreOptions) (string, RestoreResult, error) {
	const op = "db.restore"
	ro.phase(PhaseValidate)
	var res RestoreResult
	if file == "" {
		return "", res, errInvalid(op, "file", "no backup file given")
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return "", res, &Error{Op: op, Field: "file", Err: fmt.Errorf("%w: %w", ErrInvalid, err)}
	}
	res.Restored = abs
	if err := checkSQLiteFile(abs); err != nil {
		return "", res, &Error{Op: op, Field: "file", Err: err}
	}
	if same, _ := sameFile(abs, filepath.Join(dir, DatabaseFile)); same {
		return "", res, errInvalid(op, "file", "%s is the library's own database", abs)
	}

	removeStaleTemps(dir, ".restore-*.db")
	f, err := os.CreateTemp(dir, ".restore-*.db")
	if err != nil {
		return "", res, wrapRestore(op, err)
	}
	tmp := f.Name()
	f.Close()
	ok := false
	defer func() {
		if !ok {
			removeDBFiles(tmp)
		}
	}()

	// Copy through SQLite, not the file system: if file is a live WAL database its WAL is
	// included, and a damaged file fails here rather than in the library.
	if err := copyFromFile(ctx, abs, tmp, opts); err != nil {
		if errors.Is(err, sqlite3.NOTADB) || errors.Is(err, sqlite3.CORRUPT) {
			return "", res, &Error{Op: op, Field: "file", Err: fmt.Errorf("%w: %s is not a usable SQLite database: %w", ErrInvalid, abs, err)}
		}
		return "", res, wrapRestore(op, err)
	}
	res.FromVersion, err = verifyDatabaseFile(ctx, tmp, opts)
	if err != nil {
		return "", res, restoreValidationError(op, abs, err)
	}
	res.SchemaVersion = res.FromVersion
	if res.FromVersion < migrations.Latest() {
		ro.phase(PhaseMigrate)
		db, err := openPool(tmp, opts, false)
		if err != nil {
			return "", res, wrapRestore(op, err)
		}
		err = migrations.NewRunner(db, opts.Clock.Now).Up(ctx, 0)
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", res, &Error{Op: op, Err: fmt.Errorf("%w: migrating %s from schema %d: %w", ErrIncompatible, abs, res.FromVersion, err)}
		}
		if res.SchemaVersion, err = verifyDatabaseFile(ctx, tmp, opts); err != nil {
			return "", res, restoreValidationError(op, abs, err)
		}
	}
	if err := carryEntryIDFloor(ctx, dir, tmp, opts); err != nil {
		return "", res, wrapRestore(op, err)
	}
	if err := syncFile(tmp); err != nil {
		return "", res, wrapRestore(op, err)
	}
	ok = true
	return tmp, res, nil
}

// carryEntryIDFloor raises the restored database's entry_id_floor to the highest entry id
// the replaced database has given out. An entry UUID names its id for good (migration 0007):
// without this, entries created after the backup and lost by the restore would see their ids,
// and so their UUIDs, handed to new entries (found by review: back up, create x, restore,
// create y: y had x's UUID). Best effort: a replaced database that cannot be read, the usual
// reason to restore, leaves the backup's own floor, and the log says so.
func carryEntryIDFloor(ctx context.Context, dir, tmp string, opts Options) error {
	cur := filepath.Join(dir, DatabaseFile)
	if _, err := os.Stat(cur); err != nil {
		return nil // nothing replaced
	}
	top, err := func() (int64, error) {
		old, err := openPool(cur, opts, true)
		if err != nil {
			return 0, err
		}
		defer old.Close()
		var top int64
		if err := old.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM entries`).Scan(&top); err != nil {
			return 0, err
		}
		var floor int64 // absent below migration 0007
		if old.QueryRowContext(ctx, `SELECT entry_id_floor FROM library`).Scan(&floor) == nil && floor > top {
			top = floor
		}
		return top, nil
	}()
	if err != nil {
		opts.Logger.Warn("restore: the replaced database's highest entry id is unreadable; ids it gave out after the backup may be given out again", "err", err)
		return nil
	}
	db, err := openPool(tmp, opts, false)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `UPDATE library SET entry_id_floor = ?1 WHERE entry_id_floor < ?1`, top)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

func restoreValidationError(op, file string, err error) error {
	switch {
	case errors.Is(err, migrations.ErrTooNew), errors.Is(err, migrations.ErrChanged):
		return &Error{Op: op, Field: "file", Err: fmt.Errorf("%w: %s: %w", ErrIncompatible, file, err)}
	case errors.Is(err, ErrInvalid), errors.Is(err, sqlite3.CORRUPT), errors.Is(err, sqlite3.NOTADB),
		errors.Is(err, sqlite3.ERROR): // e.g. "no such table": some other application's database
		// The cause's own "invalid argument: " is not said twice.
		why := strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")
		return &Error{Op: op, Field: "file", Err: fmt.Errorf("%w: %s is not a usable filedex backup: %w", ErrInvalid, file, textError{why, err})}
	}
	return wrapRestore(op, err)
}

// checkSQLiteFile refuses, with a clear message, what is obviously not a database before
// SQLite is asked to open it (SQLite would happily create a new database at a missing path).
//
// Only a regular file is a backup, and that is checked before it is opened: opening a FIFO
// for reading blocks until a writer comes, which for `filedex restore FIFO` was forever, and
// a device such as /dev/zero reads without end. The open itself does not block either
// (O_NONBLOCK where there is one), in case the name is swapped in between; the descriptor is
// checked again.
func checkSQLiteFile(path string) error {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s does not exist", ErrNotFound, path)
	} else if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if st.IsDir() {
		return fmt.Errorf("%w: %s is a directory, not a backup file", ErrInvalid, path)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a regular file (%s), so it is no backup", ErrInvalid, path, st.Mode().Type())
	}
	f, err := os.OpenFile(path, os.O_RDONLY|oNonBlock, 0)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	} else if !st.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a regular file (%s), so it is no backup", ErrInvalid, path, st.Mode().Type())
	}
	head := make([]byte, 100)
	if _, err := io.ReadFull(f, head); err != nil || !bytes.HasPrefix(head, sqliteMagic) {
		return fmt.Errorf("%w: %s is not a SQLite database (bad header)", ErrInvalid, path)
	}
	return nil
}

func sameFile(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(sa, sb), nil
}

// copyFromFile copies the database in src (opened read-only) into the empty file dst.
func copyFromFile(ctx context.Context, src, dst string, opts Options) error {
	q := url.Values{}
	q.Set("mode", "ro")
	db, err := driver.Open(sqliteURI(src, opts, q), initConn)
	if err != nil {
		return err
	}
	defer db.Close()
	return copyDatabase(ctx, db, dst, opts, nil)
}

// swapIn replaces dir's database.db with tmp. The caller holds the library lock
// exclusively: no connection to database.db exists anywhere. It returns where the replaced
// database was kept.
//
// Order, and what a crash after each step leaves:
//  1. the old database is opened (SQLite recovers its WAL), fully checkpointed, and backed
//     up to backups/ with the online backup API, verified. Crash: old library, maybe a
//     stray temp file.
//  2. the old -wal/-shm/-journal are removed. After a full checkpoint they hold nothing the
//     database lacks; left in place they would be replayed into the new file. Crash: old
//     library, whole.
//  3. tmp is renamed over database.db and the directory synced. rename(2) is atomic: the
//     name points at the old file or the new one, never at neither.
func swapIn(ctx context.Context, dir, tmp string, opts Options, ro RestoreOptions) (string, error) {
	dbPath := filepath.Join(dir, DatabaseFile)
	var kept string
	if _, err := os.Stat(dbPath); err == nil {
		ro.phase(PhaseKeep)
		kept, err = keepReplaced(ctx, dir, dbPath, opts)
		if err != nil {
			return "", err
		}
	}
	ro.phase(PhaseSwap)
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(dbPath + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return kept, fmt.Errorf("remove stale %s%s: %w", DatabaseFile, suffix, err)
		}
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		return kept, err
	}
	return kept, syncDir(dir)
}

// keepReplaced saves the database about to be replaced in backups/. Normally as a verified
// backup through SQLite; when SQLite cannot read it (a damaged database is the usual reason to
// restore), as a byte copy of the file and its WAL, which is consistent because nobody has the
// library open (exclusive lock) and is kept under a name retention never touches.
func keepReplaced(ctx context.Context, dir, dbPath string, opts Options) (string, error) {
	backups := filepath.Join(dir, BackupsDir)
	db, err := openPool(dbPath, opts, false)
	if err == nil {
		db.SetMaxOpenConns(1)
		_, err = db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
		if err == nil {
			var res BackupResult
			res, err = backupTo(ctx, db, backups, opts.Clock.Now(), opts, nil)
			if err == nil {
				db.Close()
				return res.Path, nil
			}
		}
		db.Close()
	}
	if isNoSpace(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "", err
	}
	opts.Logger.Warn("replaced database is unreadable; keeping a byte copy", "err", err)
	if err := os.MkdirAll(backups, 0o755); err != nil {
		return "", err
	}
	name := filepath.Join(backups, "database_replaced_"+opts.Clock.Now().UTC().Format("20060102_150405")+".db")
	for n := 1; ; n++ {
		if _, err := os.Lstat(name); errors.Is(err, fs.ErrNotExist) {
			break
		}
		name = filepath.Join(backups, fmt.Sprintf("database_replaced_%s_%d.db", opts.Clock.Now().UTC().Format("20060102_150405"), n))
	}
	for _, suffix := range []string{"", "-wal"} {
		if err := copyFile(dbPath+suffix, name+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
	}
	return name, syncDir(backups)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
