package core

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/driver"

	"github.com/filedex/filedex/migrations"
)

// BackupOptions configure [Library.Backup]. The zero value backs up into the library's
// backups/ directory and deletes nothing.
type BackupOptions struct {
	// Keep, when > 0, deletes the oldest backups beyond the newest Keep once the new backup
	// is verified. Only files named like backups (database_backup_YYYYmmdd_HHMMSS[_N].db) are
	// counted or deleted; anything else in the directory is left alone.
	Keep int
	// Dir is where the backup is written; "" means the library's backups/ directory.
	Dir string
	// Progress, if set, is called as the copy advances with pages copied and total pages.
	// It runs on the backing-up goroutine: keep it fast.
	Progress func(done, total int)
}

// BackupResult describes a finished, verified backup.
type BackupResult struct {
	Path          string    `json:"path"`
	Size          int64     `json:"size"`
	SchemaVersion int       `json:"schema_version"`
	CreatedAt     time.Time `json:"created_at"`
	// Removed lists the old backups that BackupOptions.Keep deleted.
	Removed []string `json:"removed,omitempty"`
}

// backupName is the seed's naming, database_backup_YYYYmmdd_HHMMSS.db, plus "_N" when two
// backups fall in the same second (the seed would have overwritten the first).
var backupNameRE = regexp.MustCompile(`^database_backup_(\d{8}_\d{6})(?:_(\d+))?\.db$`)

// backupPages is how many pages one backup step copies between progress reports and
// cancellation checks: 4 MiB at SQLite's default 4 KiB page.
const backupPages = 1024

// Backup writes a consistent copy of the library database to
// backups/database_backup_YYYYmmdd_HHMMSS.db (the time from [Options.Clock], UTC) and
// verifies it before returning: opened read-only, PRAGMA integrity_check, and a schema
// version this binary knows.
//
// The copy is SQLite's online backup API (https://sqlite.org/backup.html), never a file
// copy: a file copy of a WAL database misses committed transactions still in the WAL and can
// tear pages being checkpointed. The whole copy reads one snapshot (one read transaction),
// so a scan committing batches meanwhile is neither blocked nor half included.
//
// The copy is written to a temporary file, synced and renamed into place: a crash or a full
// disk never leaves a partial file under a backup's name. Backup works on read-only
// libraries too.
func (l *Library) Backup(ctx context.Context, o BackupOptions) (BackupResult, error) {
	const op = "db.backup"
	dir := o.Dir
	if dir == "" {
		dir = filepath.Join(l.dir, BackupsDir)
	} else if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if o.Keep < 0 {
		return BackupResult{}, errInvalid(op, "keep", "must be ≥ 0, got %d", o.Keep)
	}
	res, err := backupTo(ctx, l.read, dir, l.now(), l.opts, o.Progress)
	if err != nil {
		if isIOErrWrite(err) {
			if free, ok := freeSpace(dir); ok && free < lowSpace {
				return res, &Error{Op: op, Err: fmt.Errorf("%w: backup failed with %d KiB free in %s (%w); no backup was written", ErrFull, free>>10, dir, err)}
			}
		}
		return res, wrapBackup(op, err)
	}
	if o.Keep > 0 {
		res.Removed, err = pruneBackups(dir, o.Keep)
		if err != nil {
			return res, &Error{Op: op, Err: fmt.Errorf("%w: backup written to %s, but pruning old backups failed: %w", ErrInternal, res.Path, err)}
		}
	}
	return res, nil
}

func wrapBackup(op string, err error) error {
	var pe *fs.PathError
	switch {
	case errors.As(err, new(*Error)):
		return err
	case errors.As(err, &pe) && errors.Is(err, fs.ErrPermission):
		return &Error{Op: op, Field: "dir", Err: fmt.Errorf("%w: %w", ErrInvalid, err)}
	case isNoSpace(err):
		return &Error{Op: op, Err: fmt.Errorf("%w: %w (no backup was written)", ErrFull, err)}
	}
	return wrapDB(op, err)
}

// backupTo copies the database behind src into a new backup file in dir and verifies it.
func backupTo(ctx context.Context, src *sql.DB, dir string, now time.Time, o Options, progress func(done, total int)) (BackupResult, error) {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return BackupResult{}, &Error{Op: "db.backup", Field: "dir", Err: fmt.Errorf("%w: %s is a file, not a directory", ErrInvalid, dir)}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return BackupResult{}, &Error{Op: "db.backup", Field: "dir", Err: fmt.Errorf("%w: create %s: %w", ErrInvalid, dir, err)}
	}
	removeStaleTemps(dir, ".database_backup_*.tmp")

	// The temporary name starts with a dot and ends in .tmp: retention never counts it and a
	// user listing backups/ does not mistake it for a backup.
	f, err := os.CreateTemp(dir, ".database_backup_*.tmp")
	if err != nil {
		return BackupResult{}, err
	}
	tmp := f.Name()
	f.Close()
	done := false
	defer func() {
		if !done {
			removeDBFiles(tmp)
		}
	}()

	if err := copyDatabase(ctx, src, tmp, o, progress); err != nil {
		return BackupResult{}, err
	}
	version, err := verifyDatabaseFile(ctx, tmp, o)
	if err != nil {
		return BackupResult{}, err
	}
	if err := syncFile(tmp); err != nil {
		return BackupResult{}, err
	}
	final, err := placeBackup(tmp, dir, now)
	if err != nil {
		return BackupResult{}, err
	}
	done = true
	st, err := os.Stat(final)
	if err != nil {
		return BackupResult{}, err
	}
	return BackupResult{Path: final, Size: st.Size(), SchemaVersion: version, CreatedAt: now.UTC().Truncate(time.Second)}, nil
}

// copyDatabase copies the main database of src into the (empty) file dst with the online
// backup API, step by step inside one read transaction.
//
// Why one read transaction: the backup API restarts from page 1 whenever another connection
// changes the source between two steps, so an incremental backup of a library under a
// steady scan might never finish. Holding a read transaction on the source connection for
// the whole copy pins one WAL snapshot: every step reads the same committed state, the copy
// finishes in one pass, and writers are not blocked (in WAL mode a reader only stops the
// checkpointer from recycling frames it still needs; the WAL grows a little instead).
func copyDatabase(ctx context.Context, src *sql.DB, dst string, o Options, progress func(done, total int)) error {
	conn, err := src.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) (err error) {
		c := dc.(driver.Conn).Raw()
		// BEGIN alone takes no snapshot; the first read does.
		if err := c.Exec(`BEGIN DEFERRED; SELECT count(*) FROM sqlite_schema`); err != nil {
			return err
		}
		defer func() {
			if !c.GetAutocommit() {
				if rerr := c.Exec(`ROLLBACK`); rerr != nil && err == nil {
					err = rerr
				}
			}
		}()
		b, err := c.BackupInit("main", sqliteURI(dst, o, nil))
		if err != nil {
			return err
		}
		defer func() {
			if cerr := b.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}()
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			fin, err := b.Step(backupPages)
			if err != nil {
				return err
			}
			if progress != nil {
				total := b.PageCount()
				progress(total-b.Remaining(), total)
			}
			if fin {
				return nil
			}
		}
	})
}

// verifyDatabaseFile makes a freshly written database file self-contained and proves it
// usable: rollback-journal mode (a backup must be one file: no -wal beside it to lose), then,
// through a read-only connection, PRAGMA integrity_check and a schema this binary knows.
// It returns the schema version.
func verifyDatabaseFile(ctx context.Context, path string, o Options) (int, error) {
	c, err := sqlite3.OpenFlags(sqliteURI(path, o, nil), sqlite3.OPEN_READWRITE|sqlite3.OPEN_URI)
	if err != nil {
		return 0, err
	}
	// The backup copied page 1 from a WAL database; switching to DELETE checkpoints and
	// removes any WAL this connection created, and rewrites the header's mode bytes.
	err = c.Exec(`PRAGMA journal_mode=DELETE`)
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}

	q := url.Values{}
	q.Set("mode", "ro")
	db, err := driver.Open(sqliteURI(path, o, q), initConn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if problems, err := integrityCheck(ctx, db, 10); err != nil {
		return 0, err
	} else if len(problems) > 0 {
		return 0, fmt.Errorf("%w: integrity_check failed: %s", ErrInvalid, strings.Join(problems, "; "))
	}
	r := migrations.NewRunner(db, nil)
	if err := r.Verify(ctx); err != nil {
		return 0, err
	}
	v, err := r.Current(ctx)
	if err != nil {
		return 0, err
	}
	if v == 0 {
		return 0, fmt.Errorf("%w: not a filedex database (no applied schema migrations)", ErrInvalid)
	}
	// The schema itself, as Check compares it: a backup whose table was dropped or whose
	// sqlite_schema was edited passes integrity_check and the version check, and a restore
	// would swap it in for a healthy database (found by an adversarial run: "drop table
	// tags" was restored, and only the next check said "table tags: missing").
	if diffs, err := schemaDiffs(ctx, db, v); err != nil {
		return 0, err
	} else if len(diffs) > 0 {
		return 0, fmt.Errorf("%w: its schema is not the one its migrations make (%s)", ErrInvalid, strings.Join(diffs, "; "))
	}
	return v, nil
}

// integrityCheck runs PRAGMA integrity_check and returns its messages ("ok" means none).
func integrityCheck(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, max int) ([]string, error) {
	rows, err := q.QueryContext(ctx, `PRAGMA integrity_check(`+strconv.Itoa(max)+`)`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		// "*** in database main ***" heads SQLite's report of each schema: a title, not
		// a problem (it read as one in messages).
		if s != "ok" && !strings.HasPrefix(s, "*** in database ") {
			out = append(out, s)
		}
	}
	return out, rows.Err()
}

// placeBackup renames the verified temporary file to its final name. The name is claimed
// with a hard link where the filesystem has them, which fails instead of overwriting when
// another process took the same name in the same second; otherwise a plain rename after an
// existence check (backups in one library in the same second from two processes are rare).
func placeBackup(tmp, dir string, now time.Time) (string, error) {
	stamp := now.UTC().Format("20060102_150405")
	for n := 0; n < 10000; n++ {
		name := "database_backup_" + stamp + ".db"
		if n > 0 {
			name = fmt.Sprintf("database_backup_%s_%d.db", stamp, n)
		}
		final := filepath.Join(dir, name)
		if _, err := os.Lstat(final); err == nil {
			continue
		}
		if err := os.Link(tmp, final); err == nil {
			os.Remove(tmp)
		} else if errors.Is(err, fs.ErrExist) {
			continue
		} else if err := os.Rename(tmp, final); err != nil {
			return "", err
		}
		// The rename is durable only once the directory entry is.
		if err := syncDir(dir); err != nil {
			return "", err
		}
		return final, nil
	}
	return "", fmt.Errorf("%w: no free backup name for %s", ErrConflict, stamp)
}

// BackupFile is one backup found in a backups directory.
type BackupFile struct {
	Path string    `json:"path"`
	Size int64     `json:"size"`
	Time time.Time `json:"time"` // from the name, UTC
	seq  int
}

// ListBackups returns the backups in dir (named database_backup_YYYYmmdd_HHMMSS[_N].db),
// oldest first. Other files are ignored.
func ListBackups(dir string) ([]BackupFile, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []BackupFile
	for _, e := range ents {
		m := backupNameRE.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() {
			continue
		}
		t, err := time.Parse("20060102_150405", m[1])
		if err != nil {
			continue
		}
		seq, _ := strconv.Atoi(m[2])
		var size int64
		if info, err := e.Info(); err == nil {
			size = info.Size()
		}
		out = append(out, BackupFile{Path: filepath.Join(dir, e.Name()), Size: size, Time: t, seq: seq})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.Before(out[j].Time)
		}
		return out[i].seq < out[j].seq
	})
	return out, nil
}

// pruneBackups deletes the oldest backups in dir beyond the newest keep.
func pruneBackups(dir string, keep int) ([]string, error) {
	list, err := ListBackups(dir)
	if err != nil {
		return nil, err
	}
	var removed []string
	for len(list) > keep {
		if err := os.Remove(list[0].Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, err
		}
		removed = append(removed, list[0].Path)
		list = list[1:]
	}
	return removed, nil
}

// removeStaleTemps deletes temporary files matching pattern left by a crashed backup or
// restore. Only files older than an hour: a backup running right now in another process
// owns its temporary file.
func removeStaleTemps(dir, pattern string) {
	matches, _ := filepath.Glob(filepath.Join(dir, pattern))
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil && time.Since(st.ModTime()) > time.Hour {
			removeDBFiles(m)
		}
	}
}

// removeDBFiles removes a database file and the journal files SQLite may have left beside it.
func removeDBFiles(path string) {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + suffix)
	}
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
