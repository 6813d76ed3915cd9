package bindings

import (
	"context"
	"os"
	"path/filepath"

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
	return s.lib.Restore(ctx, file, core.RestoreOptions{})
}

// DBStats is the result of db.stats: what the library holds and what it
// costs on disk. BytesPerEntry is database bytes (WAL included) per entry,
// the figure FACTS.md compares schemas by.
type DBStats struct {
	Path          string  `json:"path"`
	SchemaVersion int     `json:"schema_version"`
	Locations     int64   `json:"locations"`
	Entries       int64   `json:"entries"`
	Files         int64   `json:"files"`
	Dirs          int64   `json:"dirs"`
	Symlinks      int64   `json:"symlinks"`
	IndexedBytes  int64   `json:"indexed_bytes"`
	DatabaseBytes int64   `json:"database_bytes"`
	WALBytes      int64   `json:"wal_bytes"`
	BytesPerEntry float64 `json:"bytes_per_entry"`
	Tags          int64   `json:"tags"`
	Labels        int64   `json:"labels"`
}

// dbStats composes public core calls: each location root's tree stats (one
// index range per location), tag and label counts, and the sizes of the
// database files. No SQL here: when the core grows a Library.Stats with page
// counts per table, this method should call it instead.
func dbStats(ctx context.Context, s *Session, _ NoParams) (DBStats, error) {
	info, err := s.lib.Info(ctx)
	if err != nil {
		return DBStats{}, err
	}
	st := DBStats{Path: s.lib.Dir(), SchemaVersion: info.SchemaVersion}
	for after := ""; ; {
		locs, next, err := s.lib.Locations().List(ctx, core.LocationFilter{}, core.Page{After: after, Limit: core.MaxLimit})
		if err != nil {
			return DBStats{}, err
		}
		for _, l := range locs {
			ts, err := s.lib.Entries().Stats(ctx, l.RootID)
			if err != nil {
				return DBStats{}, err
			}
			st.Locations++
			st.Files += ts.Files
			st.Dirs += ts.Dirs
			st.Symlinks += ts.Symlinks
			st.IndexedBytes += ts.Bytes
		}
		if after = next; after == "" {
			break
		}
	}
	// Every location's root is an entry too.
	st.Entries = st.Locations + st.Files + st.Dirs + st.Symlinks
	for after := ""; ; {
		tags, next, err := s.lib.Tags().List(ctx, core.Page{After: after, Limit: core.MaxLimit})
		if err != nil {
			return DBStats{}, err
		}
		st.Tags += int64(len(tags))
		if after = next; after == "" {
			break
		}
	}
	labels, err := s.lib.Labels().List(ctx)
	if err != nil {
		return DBStats{}, err
	}
	st.Labels = int64(len(labels))
	db := filepath.Join(s.lib.Dir(), core.DatabaseFile)
	if fi, err := os.Stat(db); err == nil {
		st.DatabaseBytes = fi.Size()
	}
	if fi, err := os.Stat(db + "-wal"); err == nil {
		st.WALBytes = fi.Size()
	}
	if st.Entries > 0 {
		st.BytesPerEntry = float64(st.DatabaseBytes+st.WALBytes) / float64(st.Entries)
	}
	return st, nil
}
