// Package migrations holds filedex's schema as numbered SQL files embedded in the binary, and the
// small runner that applies them.
//
// The SQL files are the only place the schema is written down: NNNN_name.up.sql creates,
// NNNN_name.down.sql reverses. Each migration runs in one transaction together with its row in
// schema_migrations, so a failing migration leaves the schema exactly as it was.
//
// # Safety rules
//
//   - A database whose newest applied migration is newer than this binary knows is refused with
//     [ErrTooNew] and never modified.
//   - An applied migration whose embedded file has changed since (checksum mismatch) is refused
//     with [ErrChanged] naming the file: the database may not match what this binary believes.
//   - [Runner.Fresh] drops everything and reapplies; it refuses unless forced.
package migrations

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed *.sql
var files embed.FS

// Migration is one numbered schema change.
type Migration struct {
	Version  int    // 1, 2, …: the NNNN prefix of its files
	Name     string // the file name between the version and ".up.sql"
	Up       string // SQL applying the change
	Down     string // SQL reversing it
	Checksum string // hex SHA-256 of Up: an applied migration must never change
}

// Status is one migration as seen in a database.
type Status struct {
	Version   int       `json:"version"`
	Name      string    `json:"name"`
	Checksum  string    `json:"checksum"`
	Applied   bool      `json:"applied"`
	AppliedAt time.Time `json:"applied_at,omitzero"`
	// Changed is true when the migration was applied with a different checksum than the
	// embedded file has now.
	Changed bool `json:"changed,omitempty"`
	// Unknown is true for a migration recorded in the database that this binary does not have
	// (the database is newer than the binary).
	Unknown bool `json:"unknown,omitempty"`
}

var (
	// ErrTooNew reports a database migrated by a newer filedex than this one.
	ErrTooNew = errors.New("database schema is newer than this filedex")
	// ErrChanged reports an applied migration whose file has changed since it was applied.
	ErrChanged = errors.New("applied migration has changed")
	// ErrNotForced reports a destructive operation called without force.
	ErrNotForced = errors.New("refusing to drop the schema without force")
	// ErrBadTarget reports a migration target that cannot be reached: a version that does
	// not exist, one behind the applied version for Up, more steps than applied for Down.
	ErrBadTarget = errors.New("bad migration target")
)

var fileRE = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.(up|down)\.sql$`)

var all = mustLoad()

func mustLoad() []Migration {
	ms, err := load(files)
	if err != nil {
		panic(err) // the embedded files are part of the binary: a bad name is a build mistake
	}
	return ms
}

func load(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	byVersion := map[int]*Migration{}
	for _, n := range names {
		m := fileRE.FindStringSubmatch(n)
		if m == nil {
			return nil, fmt.Errorf("migration file %q: name must be NNNN_name.up.sql or NNNN_name.down.sql", n)
		}
		v, _ := strconv.Atoi(m[1])
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		mig := byVersion[v]
		if mig == nil {
			mig = &Migration{Version: v, Name: m[2]}
			byVersion[v] = mig
		} else if mig.Name != m[2] {
			return nil, fmt.Errorf("migration %04d has two names: %q and %q", v, mig.Name, m[2])
		}
		if m[3] == "up" {
			mig.Up = string(b)
			sum := sha256.Sum256(b)
			mig.Checksum = hex.EncodeToString(sum[:])
		} else {
			mig.Down = string(b)
		}
	}
	out := make([]Migration, 0, len(byVersion))
	for _, m := range byVersion {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migrations must be numbered 1, 2, … without gaps: found %04d at position %d", m.Version, i+1)
		}
		if m.Up == "" || m.Down == "" {
			return nil, fmt.Errorf("migration %04d_%s needs both an up and a down file", m.Version, m.Name)
		}
	}
	return out, nil
}

// All returns the migrations embedded in this binary, oldest first.
func All() []Migration { return append([]Migration(nil), all...) }

// Latest is the newest schema version this binary knows.
func Latest() int { return len(all) }

// Runner applies migrations to one database. Its zero value is not usable: use [NewRunner].
type Runner struct {
	db         *sql.DB
	migrations []Migration
	now        func() time.Time
}

// NewRunner returns a runner over db for the embedded migrations. now stamps applied_at
// (nil means time.Now).
func NewRunner(db *sql.DB, now func() time.Time) *Runner {
	if now == nil {
		now = time.Now
	}
	return &Runner{db: db, migrations: all, now: now}
}

// The runner's own bookkeeping table. It is created by the runner, not by a migration, so
// that migration 1 can be rolled back like any other.
const createBookkeeping = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    checksum   TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
)`

type applied struct {
	version   int
	name      string
	checksum  string
	appliedAt int64
}

func (r *Runner) applied(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]applied, error) {
	rows, err := q.QueryContext(ctx, `SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		if isNoSuchTable(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	var out []applied
	for rows.Next() {
		var a applied
		if err := rows.Scan(&a.version, &a.name, &a.checksum, &a.appliedAt); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func isNoSuchTable(err error) bool {
	return err != nil && strings.Contains(err.Error(), "no such table: schema_migrations")
}

// Status lists every migration known to the binary or recorded in the database.
func (r *Runner) Status(ctx context.Context) ([]Status, error) {
	app, err := r.applied(ctx, r.db)
	if err != nil {
		return nil, err
	}
	byV := map[int]applied{}
	for _, a := range app {
		byV[a.version] = a
	}
	var out []Status
	for _, m := range r.migrations {
		s := Status{Version: m.Version, Name: m.Name, Checksum: m.Checksum}
		if a, ok := byV[m.Version]; ok {
			s.Applied = true
			s.AppliedAt = time.UnixMilli(a.appliedAt).UTC()
			s.Changed = a.checksum != m.Checksum
			delete(byV, m.Version)
		}
		out = append(out, s)
	}
	for _, a := range app {
		if _, ok := byV[a.version]; ok {
			out = append(out, Status{Version: a.version, Name: a.name, Checksum: a.checksum,
				Applied: true, AppliedAt: time.UnixMilli(a.appliedAt).UTC(), Unknown: true})
		}
	}
	return out, nil
}

// Current returns the newest applied version (0 for an empty database).
func (r *Runner) Current(ctx context.Context) (int, error) {
	app, err := r.applied(ctx, r.db)
	if err != nil || len(app) == 0 {
		return 0, err
	}
	return app[len(app)-1].version, nil
}

// Verify checks that the database can be used by this binary without modifying it: not newer
// than the binary, and no applied migration changed. Pending migrations are not an error.
func (r *Runner) Verify(ctx context.Context) error {
	st, err := r.Status(ctx)
	if err != nil {
		return err
	}
	return verify(st)
}

func verify(st []Status) error {
	for _, s := range st {
		if s.Unknown {
			return fmt.Errorf("%w: it has migration %04d_%s, this binary knows up to %04d (upgrade filedex)",
				ErrTooNew, s.Version, s.Name, Latest())
		}
	}
	for _, s := range st {
		if s.Changed {
			return fmt.Errorf("%w: %04d_%s.up.sql differs from the version applied to this database", ErrChanged, s.Version, s.Name)
		}
	}
	return nil
}

// Pending reports how many embedded migrations are not applied yet.
func (r *Runner) Pending(ctx context.Context) (int, error) {
	cur, err := r.Current(ctx)
	if err != nil {
		return 0, err
	}
	return len(r.migrations) - cur, nil
}

// Up applies pending migrations up to and including version to (0 means all). Each migration
// runs in its own transaction; on error the failing one is rolled back and earlier ones stay.
func (r *Runner) Up(ctx context.Context, to int) error {
	if to == 0 {
		to = len(r.migrations)
	}
	if to < 0 || to > len(r.migrations) {
		return fmt.Errorf("%w: no version %d (this binary has 1 to %d)", ErrBadTarget, to, len(r.migrations))
	}
	if err := r.Verify(ctx); err != nil {
		return err
	}
	cur, err := r.Current(ctx)
	if err != nil {
		return err
	}
	if to < cur {
		// Up never removes a migration: going back is Down's, which says so.
		return fmt.Errorf("%w: %d is older than the applied version %d (up only applies; roll back with down)", ErrBadTarget, to, cur)
	}
	for _, m := range r.migrations[cur:to] {
		if err := r.apply(ctx, m, true); err != nil {
			return err
		}
	}
	return nil
}

// Down reverses the newest steps applied migrations.
func (r *Runner) Down(ctx context.Context, steps int) error {
	if steps < 0 {
		return fmt.Errorf("%w: steps must be ≥ 0", ErrBadTarget)
	}
	if err := r.Verify(ctx); err != nil {
		return err
	}
	cur, err := r.Current(ctx)
	if err != nil {
		return err
	}
	if steps > cur {
		return fmt.Errorf("%w: cannot go down %d steps from version %d", ErrBadTarget, steps, cur)
	}
	for v := cur; v > cur-steps; v-- {
		if err := r.apply(ctx, r.migrations[v-1], false); err != nil {
			return err
		}
	}
	return nil
}

// Fresh drops every migration (newest first) and applies them all again: all data is lost.
// It refuses unless force is true.
func (r *Runner) Fresh(ctx context.Context, force bool) error {
	if !force {
		return ErrNotForced
	}
	cur, err := r.Current(ctx)
	if err != nil {
		return err
	}
	if err := r.Down(ctx, cur); err != nil {
		return err
	}
	return r.Up(ctx, 0)
}

// apply runs one migration up or down in a single transaction on a dedicated connection.
// Foreign keys are switched off for the duration (SQLite only allows that outside a
// transaction) so a migration may rebuild tables, and are checked before commit instead.
func (r *Runner) apply(ctx context.Context, m Migration, up bool) (err error) {
	conn, err := r.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return err
	}
	defer func() {
		if _, ferr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`); ferr != nil && err == nil {
			err = ferr
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	dir, script := "up", m.Up
	if !up {
		dir, script = "down", m.Down
	}
	if _, err = tx.ExecContext(ctx, createBookkeeping); err != nil {
		return err
	}
	if _, err = tx.ExecContext(ctx, script); err != nil {
		return fmt.Errorf("migration %04d_%s %s: %w", m.Version, m.Name, dir, err)
	}
	if up {
		_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)`,
			m.Version, m.Name, m.Checksum, r.now().UnixMilli())
	} else {
		_, err = tx.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = ?`, m.Version)
	}
	if err != nil {
		return err
	}
	if err = foreignKeyCheck(ctx, tx); err != nil {
		return fmt.Errorf("migration %04d_%s %s: %w", m.Version, m.Name, dir, err)
	}
	return tx.Commit()
}

func foreignKeyCheck(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return err
		}
		return fmt.Errorf("foreign key violation left in %s (row %d references %s)", table, rowid.Int64, parent)
	}
	return rows.Err()
}
