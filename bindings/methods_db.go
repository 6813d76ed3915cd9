package bindings

import (
	"context"

	"github.com/filedex/filedex/core"
)

func init() {
	register("db.stats", dbStats)
	register("db.check", dbCheck)
	register("db.optimize", dbOptimize)
	register("db.backup", dbBackup)
	register("db.restore", dbRestore)
}

func dbCheck(ctx context.Context, s *Session, _ NoParams) (core.CheckReport, error) {
	return s.lib.Check(ctx)
}

func dbOptimize(ctx context.Context, s *Session, _ NoParams) (core.OptimizeReport, error) {
	return s.lib.Optimize(ctx)
}

// DBBackupParams are the params of db.backup: Keep > 0 deletes all but the
// newest Keep backups once the new one is verified. Backups go to the
// library's backups/ directory; choosing another directory is left to Go
// callers, so a request cannot write outside the library.
type DBBackupParams struct {
	Keep int `json:"keep,omitempty"`
}

// Validate implements the params check of [register].
func (p *DBBackupParams) Validate() error {
	if p.Keep < 0 {
		return InvalidParams("keep", "must be ≥ 0")
	}
	return nil
}

func dbBackup(ctx context.Context, s *Session, p DBBackupParams) (core.BackupResult, error) {
	return s.lib.Backup(ctx, core.BackupOptions{Keep: p.Keep})
}

// DBRestoreParams are the params of db.restore: the backup file to restore.
type DBRestoreParams struct {
	File string `json:"file"`
}

// Validate implements the params check of [register].
func (p *DBRestoreParams) Validate() error {
	if p.File == "" {
		return InvalidParams("file", "required")
	}
	return nil
}

func dbRestore(ctx context.Context, s *Session, p DBRestoreParams) (core.RestoreResult, error) {
	file, err := s.Path(p.File)
	if err != nil {
		return core.RestoreResult{}, err
	}
	if s.lib == nil {
		// The database could not be opened (OpenOptions.ForRestore): restore the
		// directory, keeping the unreadable file in backups/, then open the result.
		res, err := core.Restore(ctx, s.opts.Library, file, s.coreOptions(), core.RestoreOptions{})
		if err != nil {
			return res, err
		}
		if s.lib, err = core.Open(s.opts.Library, s.coreOptions()); err != nil {
			return res, err
		}
		s.unopened = nil
		return res, nil
	}
	return s.lib.Restore(ctx, file, core.RestoreOptions{})
}

// DBStats is the result of db.stats: what the library holds and what it costs on disk, from
// core's Library.DBStats (page counts, rows per table, FTS payload, totals per location) plus
// the tag and label counts the CLI shows. BytesPerEntry counts the database's pages only: a
// write-ahead log not yet checkpointed is reported apart (wal_bytes), so the figure does not
// jump with checkpoint timing.
type DBStats struct {
	core.DBStats
	Path          string `json:"path"`
	SchemaVersion int    `json:"schema_version"`
	Files         int64  `json:"files"`
	Dirs          int64  `json:"dirs"`
	Symlinks      int64  `json:"symlinks"`
	IndexedBytes  int64  `json:"indexed_bytes"`
	DatabaseBytes int64  `json:"database_bytes"`
	Tags          int64  `json:"tags"`
	Labels        int64  `json:"labels"`
}

func dbStats(ctx context.Context, s *Session, _ NoParams) (DBStats, error) {
	info, err := s.lib.Info(ctx)
	if err != nil {
		return DBStats{}, err
	}
	cs, err := s.lib.DBStats(ctx)
	if err != nil {
		return DBStats{}, err
	}
	st := DBStats{DBStats: cs, Path: s.lib.Dir(), SchemaVersion: info.SchemaVersion, DatabaseBytes: cs.FileBytes}
	for _, l := range cs.Locations {
		st.Files += l.Files
		st.Dirs += l.Dirs
		st.Symlinks += l.Symlinks
		st.IndexedBytes += l.Bytes
	}
	for _, t := range cs.Tables {
		switch t.Name {
		case "tags":
			st.Tags = t.Rows
		case "labels":
			st.Labels = t.Rows
		}
	}
	return st, nil
}
