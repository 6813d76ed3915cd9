package core

import (
	"context"
	"fmt"

	"github.com/filedex/filedex/migrations"
)

// MigrationReport is the schema state of a library: every migration this binary knows or the
// library has applied, the version applied last and the newest this binary knows.
type MigrationReport struct {
	Migrations []migrations.Status `json:"migrations"`
	Current    int                 `json:"current"`
	Latest     int                 `json:"latest"`
	// Applied (MigrateUp, MigrateFresh) and RolledBack (MigrateDown, MigrateFresh) are the
	// migrations this call ran, in the order it ran them; empty when it changed nothing.
	Applied    []migrations.Status `json:"applied,omitempty"`
	RolledBack []migrations.Status `json:"rolled_back,omitempty"`
}

// Migrations reports the library's schema state. Open applies pending migrations, so a
// read-write library is normally current; after MigrateDown it shows what is pending.
func (l *Library) Migrations(ctx context.Context) (MigrationReport, error) {
	const op = "migrations.status"
	r := migrations.NewRunner(l.read, nil)
	st, err := r.Status(ctx)
	if err != nil {
		return MigrationReport{}, wrapDB(op, err)
	}
	cur, err := r.Current(ctx)
	if err != nil {
		return MigrationReport{}, wrapDB(op, err)
	}
	return MigrationReport{Migrations: st, Current: cur, Latest: migrations.Latest()}, nil
}

// MigrateUp applies pending migrations up to version to (0: all).
func (l *Library) MigrateUp(ctx context.Context, to int) (MigrationReport, error) {
	return l.migrate(ctx, "migrations.up", func(r *migrations.Runner) error { return r.Up(ctx, to) })
}

// MigrateDown reverses the newest steps migrations. The library stays open on the older
// schema; the operations that need a newer one fail until MigrateUp (or the next Open)
// brings it back. It is for downgrades: run the older filedex next.
func (l *Library) MigrateDown(ctx context.Context, steps int) (MigrationReport, error) {
	if steps < 1 {
		return MigrationReport{}, errInvalid("migrations.down", "steps", "must be at least 1")
	}
	return l.migrate(ctx, "migrations.down", func(r *migrations.Runner) error { return r.Down(ctx, steps) })
}

// MigrateFresh drops the whole schema, with everything indexed and every tag, and recreates
// it empty. It refuses unless force is true.
func (l *Library) MigrateFresh(ctx context.Context, force bool) (MigrationReport, error) {
	if !force {
		return MigrationReport{}, &Error{Op: "migrations.fresh", Field: "force", Err: fmt.Errorf("%w: %w", ErrInvalid, migrations.ErrNotForced)}
	}
	rep, err := l.migrate(ctx, "migrations.fresh", func(r *migrations.Runner) error { return r.Fresh(ctx, true) })
	if err != nil {
		return rep, err
	}
	// The library's and this device's rows went with the schema.
	if err := l.registerIdentity(ctx); err != nil {
		return rep, err
	}
	return rep, l.loadEntryUUIDBase(ctx)
}

func (l *Library) migrate(ctx context.Context, op string, fn func(*migrations.Runner) error) (MigrationReport, error) {
	if l.write == nil {
		return MigrationReport{}, &Error{Op: op, Err: ErrReadOnly}
	}
	// Statements prepared against the old schema would be re-prepared against tables that
	// may be gone: drop them all.
	l.stmtMu.Lock()
	for k, s := range l.stmts {
		s.Close()
		delete(l.stmts, k)
	}
	l.stmtMu.Unlock()
	before, err := l.Migrations(ctx)
	if err != nil {
		return MigrationReport{}, err
	}
	if err := fn(migrations.NewRunner(l.write, l.opts.Clock.Now)); err != nil {
		return MigrationReport{}, wrapDB(op, err)
	}
	rep, err := l.Migrations(ctx)
	if err == nil {
		l.info.SchemaVersion = rep.Current
		err = l.loadEntryUUIDBase(ctx)
	}
	if op == "migrations.fresh" {
		// Fresh goes down to 0 and back up: everything applied before was rolled back.
		for i := before.Current; i >= 1; i-- {
			rep.RolledBack = append(rep.RolledBack, statusOf(before, i))
		}
		before.Current = 0
	}
	for v := before.Current + 1; v <= rep.Current; v++ {
		rep.Applied = append(rep.Applied, statusOf(rep, v))
	}
	for v := before.Current; v > rep.Current; v-- {
		rep.RolledBack = append(rep.RolledBack, statusOf(before, v))
	}
	return rep, err
}

// statusOf is version v's row of a report.
func statusOf(r MigrationReport, v int) migrations.Status {
	for _, m := range r.Migrations {
		if m.Version == v {
			return m
		}
	}
	return migrations.Status{Version: v}
}
