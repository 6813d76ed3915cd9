package scenarios

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/filedex/filedex/benchmarks/harness"
	"github.com/filedex/filedex/core"
)

// scanFresh is a filedex scan of the fixture's tree into an empty library:
// Prepare (untimed) removes the previous library and opens a new one, Op is
// the scan alone.
func scanFresh(name string, mode core.IndexMode, doc string) harness.Scenario {
	return harness.Scenario{
		Name: name, Engine: EngineFiledex, Data: harness.Tree, Doc: doc,
		Setup: func(f *harness.Fixture) (*harness.Bench, error) {
			dir, err := f.Dir("scan-" + string(mode))
			if err != nil {
				return nil, err
			}
			var lib *core.Library
			closeLib := func() error {
				if lib == nil {
					return nil
				}
				err := lib.Close()
				lib = nil
				return err
			}
			var last core.ScanSummary
			return &harness.Bench{
				Items: int64(f.Tree.Files), ItemUnit: "files",
				Prepare: func(int) error {
					if err := closeLib(); err != nil {
						return err
					}
					if err := os.RemoveAll(dir); err != nil {
						return err
					}
					lib, err = core.Open(dir, core.Options{})
					return err
				},
				Op: func(int) error {
					res, err := lib.ScanPath(context.Background(), f.Tree.Root, mode, nil, core.ScanOptions{})
					if err != nil {
						return err
					}
					if !res.Done {
						return fmt.Errorf("scan not done: %+v", res.Progress)
					}
					if res.Summary.Files != int64(f.Tree.Files) {
						return fmt.Errorf("scan saw %d files, the tree has %d", res.Summary.Files, f.Tree.Files)
					}
					last = res.Summary
					return nil
				},
				Close: func() error {
					err := closeLib()
					if last.WarningCount > 0 {
						err = fmt.Errorf("%d scan warnings, first: %v", last.WarningCount, last.Warnings)
					}
					os.RemoveAll(dir)
					return err
				},
			}, nil
		},
	}
}

// rescanUnchanged scans the tree once in content mode (setup), then times
// rescans of the unchanged tree.
func rescanUnchanged() harness.Scenario {
	return harness.Scenario{
		Name: RescanNoop, Engine: EngineFiledex, Data: harness.Tree,
		Doc: "Rescan of an unchanged tree (content mode): nothing written, nothing re-read. Goal (issue 3): within 1.5× of the walk.",
		Setup: func(f *harness.Fixture) (*harness.Bench, error) {
			dir, err := f.Dir("rescan")
			if err != nil {
				return nil, err
			}
			lib, err := core.Open(filepath.Join(dir, "lib"), core.Options{})
			if err != nil {
				return nil, err
			}
			ctx := context.Background()
			if _, err := lib.ScanPath(ctx, f.Tree.Root, core.ModeContent, nil, core.ScanOptions{}); err != nil {
				lib.Close()
				return nil, fmt.Errorf("first scan: %w", err)
			}
			return &harness.Bench{
				Items: int64(f.Tree.Files), ItemUnit: "files",
				Op: func(int) error {
					res, err := lib.ScanPath(ctx, f.Tree.Root, core.ModeContent, nil, core.ScanOptions{})
					if err != nil {
						return err
					}
					if s := res.Summary; s.Added+s.Updated+s.Moved+s.Removed != 0 {
						return fmt.Errorf("unchanged tree, yet the rescan changed rows: %+v", s)
					}
					return nil
				},
				Close: lib.Close,
			}, nil
		},
	}
}

// Scans returns filedex's scan scenarios on trees.
func Scans() []harness.Scenario {
	return []harness.Scenario{
		scanFresh(ScanMetadata, core.ModeMetadata, "First scan, metadata mode (walk + lstat, rows written). Goal (issue 3): within 3× of find -printf."),
		scanFresh(ScanContent, core.ModeContent, "First scan, content mode (+ cas_id of every non-empty file, content kinds). Goal (issue 3): within 2× of jdupes -r."),
		scanFresh(ScanDeep, core.ModeDeep, "First scan, deep mode (+ full BLAKE3 integrity hash, image dimensions)."),
		rescanUnchanged(),
	}
}
