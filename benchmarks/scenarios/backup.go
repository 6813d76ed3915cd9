package scenarios

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/filedex/filedex/benchmarks/harness"
	"github.com/filedex/filedex/core"
)

// Backups returns the backup scenarios: filedex's Library.Backup (online
// backup API, then verified) beside the seed's fs::copy of database.db.
func Backups() []harness.Scenario {
	return []harness.Scenario{
		{
			Name: BackupLibrary, Engine: EngineSeed, Data: harness.Library,
			Doc: "Back up the library. seed-ddl: the seed's `fs::copy` of database.db (unsafe in WAL mode: it can miss the WAL or tear pages; measured as written). filedex: `Library.Backup` (SQLite online backup of one snapshot, fsync, rename, integrity_check of the copy).",
			Setup: func(f *harness.Fixture) (*harness.Bench, error) {
				db, err := seedDB(f)
				if err != nil {
					return nil, err
				}
				dir, err := f.Dir("seed-backups")
				if err != nil {
					return nil, err
				}
				return &harness.Bench{
					Items: int64(db.Entries), ItemUnit: "entries",
					Op: func(i int) error {
						return copyFile(db.Path, filepath.Join(dir, "database_backup.db"))
					},
				}, nil
			},
		},
		{
			Name: BackupLibrary, Engine: EngineFiledex, Data: harness.Library,
			Setup: func(f *harness.Fixture) (*harness.Bench, error) {
				ld, err := coreLib(f)
				if err != nil {
					return nil, err
				}
				dir, err := f.Dir("filedex-backups")
				if err != nil {
					return nil, err
				}
				return &harness.Bench{
					Items: int64(ld.Entries), ItemUnit: "entries",
					Op: func(i int) error {
						// Keep 1: each backup replaces the previous one, so the disk
						// holds one copy whatever the repetitions.
						res, err := ld.Lib.Backup(context.Background(), core.BackupOptions{Dir: dir, Keep: 1})
						if err == nil && res.Size == 0 {
							err = fmt.Errorf("empty backup %s", res.Path)
						}
						return err
					},
				}, nil
			},
		},
	}
}

// copyFile is the seed's fs::copy.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
