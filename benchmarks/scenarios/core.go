package scenarios

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/filedex/filedex/benchmarks/corelib"
	"github.com/filedex/filedex/benchmarks/harness"
	"github.com/filedex/filedex/core"
)

// coreLib loads the fixture's library into a filedex library once per
// fixture (benchmarks/corelib).
func coreLib(f *harness.Fixture) (*corelib.Loaded, error) {
	v, err := f.Shared(EngineFiledex, func() (any, func() error, error) {
		ld, err := corelib.Load(filepath.Join(f.Work, "filedex"), f.Library)
		if err != nil {
			return nil, nil, err
		}
		return ld, ld.Close, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*corelib.Loaded), nil
}

// libAndKeys opens the fixture's core library and its query keys: the start of
// every library scenario of the native and JSON-RPC engines.
func libAndKeys(f *harness.Fixture) (*corelib.Loaded, *Keys, error) {
	ld, err := coreLib(f)
	if err != nil {
		return nil, nil, err
	}
	k, err := KeysFor(f)
	if err != nil {
		return nil, nil, err
	}
	return ld, k, nil
}

func coreStorage() harness.Scenario {
	return harness.Scenario{
		Name: "storage/bytes_per_entry", Engine: EngineFiledex, Data: harness.Library,
		Goal: harness.Goal{Text: "≤ 150 B/entry at 1M (issue 7)"},
		Doc:  "Database file size after VACUUM ÷ entries; per table and index by a b-tree page walk (sqlitestat, dbstat's equivalent).",
		Setup: func(f *harness.Fixture) (*harness.Bench, error) {
			ld, err := coreLib(f)
			if err != nil {
				return nil, err
			}
			b := storageBench(ld.FileBytes, ld.Stats, ld.Entries, ld.LoadTime)
			b.Note += "; schema from migrations/ (core.Open), rows by one bulk SQL transaction (benchmarks/corelib); FTS (entries_fts*) reported separately"
			return b, nil
		},
	}
}

// coreScenario builds a filedex query scenario through the core's Go API:
// prepare runs once (resolving keys to ids is setup, not the query), op is
// one query.
func coreScenario(name, doc string, point bool, goal harness.Goal,
	prepare func(ctx context.Context, ld *corelib.Loaded, k *Keys) (func(i int) error, error)) harness.Scenario {
	return harness.Scenario{
		Name: name, Engine: EngineFiledex, Data: harness.Library, Point: point, Goal: goal, Doc: doc,
		Setup: func(f *harness.Fixture) (*harness.Bench, error) {
			ld, k, err := libAndKeys(f)
			if err != nil {
				return nil, err
			}
			op, err := prepare(context.Background(), ld, k)
			if err != nil {
				return nil, err
			}
			return &harness.Bench{Op: op}, nil
		},
	}
}

// CoreQueries returns the filedex twin of every seed-DDL query (Queries):
// the three point lookups here, the rest in core_queries.go.
func CoreQueries() []harness.Scenario {
	return append([]harness.Scenario{
		coreScenario("query/entry_by_path", "", true, goalEntryByPath,
			func(ctx context.Context, ld *corelib.Loaded, k *Keys) (func(int) error, error) {
				paths := make([]string, len(k.Files))
				for i, e := range k.Files {
					paths[i] = ld.Abs(e.Path())
				}
				return func(i int) error {
					e := k.Files[i%len(k.Files)]
					got, err := ld.Lib.Entries().GetByPath(ctx, paths[i%len(paths)])
					if err == nil && got.ID != ld.EntryID(e) {
						err = fmt.Errorf("%s: id %d, want %d", e.Path(), got.ID, ld.EntryID(e))
					}
					return err
				}, nil
			}),
		coreScenario("query/full_path", "", true, goalFullPath,
			func(ctx context.Context, ld *corelib.Loaded, k *Keys) (func(int) error, error) {
				return func(i int) error {
					e := k.Files[i%len(k.Files)]
					// Entries.Path, the API for it (JSON-RPC entry.path, the other engines' twin);
					// until 2026-11-26 this measured Entries.Get, a whole entry with metadata.
					got, err := ld.Lib.Entries().Path(ctx, ld.EntryID(e))
					if err == nil && got != ld.Abs(e.Path()) {
						err = fmt.Errorf("full path %q, want %q", got, ld.Abs(e.Path()))
					}
					return err
				}, nil
			}),
		coreScenario("query/list_dir", "", true, goalListDir,
			func(ctx context.Context, ld *corelib.Loaded, k *Keys) (func(int) error, error) {
				ids := make([]int64, len(k.Dirs))
				for i, d := range k.Dirs {
					e, err := ld.Lib.Entries().GetByPath(ctx, ld.Abs(d))
					if err != nil {
						return nil, fmt.Errorf("resolve %s: %w", d, err)
					}
					ids[i] = e.ID
				}
				return func(i int) error {
					_, _, err := ld.Lib.Entries().Children(ctx, ids[i%len(ids)], core.Page{Limit: 50})
					return err
				}, nil
			}),
	}, coreTwins()...)
}
