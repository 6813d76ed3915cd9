package scenarios

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/filedex/filedex/benchmarks/harness"
	"github.com/filedex/filedex/benchmarks/peers"
)

// Engine names of the peers, as the report prints them.
const (
	EngineFind     = "find -printf"
	EngineFd       = "fdfind"
	EngineUpdateDB = "updatedb"
	EnginePLocate  = "plocate"
	EngineJDupes   = "jdupes"
)

// Names of the tree scenarios, shared with filedex's scan scenarios so they
// are compared in the same table.
const (
	// ScanMetadata: walk + lstat of every entry. find -printf is its floor.
	ScanMetadata = "scan/metadata"
	// TreeGlob: a name glob over the whole tree, answered from an index.
	TreeGlob = "search/name_glob"
	// DupesEndToEnd: from nothing to the list of duplicate files.
	DupesEndToEnd = "dupes/end_to_end"
)

func toolScenario(name, engine string, t peers.Tool, doc string, args func(f *harness.Fixture) ([]string, error)) harness.Scenario {
	return harness.Scenario{
		Name: name, Engine: engine, Data: harness.Tree, Doc: doc,
		Setup: func(f *harness.Fixture) (*harness.Bench, error) {
			if _, err := t.Path(); err != nil {
				return nil, harness.Skipf("%v", err)
			}
			a, err := args(f)
			if err != nil {
				return nil, err
			}
			return &harness.Bench{Items: int64(f.Tree.Files), ItemUnit: "files", Op: func(int) error { return t.Run(a...) }}, nil
		},
	}
}

// plocateDB builds the fixture's plocate database once (untimed) for the
// search scenario.
func plocateDB(f *harness.Fixture) (string, error) {
	v, err := f.Shared("plocate.db", func() (any, func() error, error) {
		db := filepath.Join(f.Work, "plocate.db")
		return db, nil, peers.UpdateDB.Run(peers.UpdateDBArgs(f.Tree.Root, db)...)
	})
	if err != nil {
		return "", err
	}
	return v.(string), nil
}

// Peers returns the external tools' scenarios on trees.
func Peers() []harness.Scenario {
	return []harness.Scenario{
		toolScenario(ScanMetadata, EngineFind, peers.Find, "Walk and lstat every entry (`find TREE -printf '%p %s %T@ %i\\n'`): the floor of a metadata scan.",
			func(f *harness.Fixture) ([]string, error) { return peers.WalkArgs(f.Tree.Root), nil }),
		toolScenario(ScanMetadata, EngineFd, peers.FdFind, "",
			func(f *harness.Fixture) ([]string, error) { return peers.FdArgs(f.Tree.Root), nil }),
		// jdupes in the content-scan group: issue 3 wants a content scan
		// within 2× of jdupes -r on the same tree, from interleaved runs.
		toolScenario(ScanContent, EngineJDupes, peers.JDupes, "",
			func(f *harness.Fixture) ([]string, error) { return peers.JDupesArgs(f.Tree.Root), nil }),
		// The walk floor again, in the rescan group: issue 3 compares an
		// unchanged rescan with the walk itself.
		toolScenario(RescanNoop, EngineFind, peers.Find, "",
			func(f *harness.Fixture) ([]string, error) { return peers.WalkArgs(f.Tree.Root), nil }),
		toolScenario(ScanMetadata, EngineUpdateDB, peers.UpdateDB, "",
			func(f *harness.Fixture) ([]string, error) {
				return peers.UpdateDBArgs(f.Tree.Root, filepath.Join(f.Work, "plocate-timed.db")), nil
			}),
		{
			Name: TreeGlob, Engine: EnginePLocate, Data: harness.Tree, Point: false,
			Doc: "Every path matching *.pdf, from a prebuilt index (whole process).",
			Setup: func(f *harness.Fixture) (*harness.Bench, error) {
				if _, err := peers.PLocate.Path(); err != nil {
					return nil, harness.Skipf("%v", err)
				}
				if _, err := peers.UpdateDB.Path(); err != nil {
					return nil, harness.Skipf("%v", err)
				}
				db, err := plocateDB(f)
				if err != nil {
					return nil, err
				}
				// Check once that the index answers, so a silently empty
				// search is not timed as a fast one.
				out, err := peers.PLocate.Output(peers.PLocateArgs(db, "*.pdf")...)
				if err != nil {
					return nil, err
				}
				n := bytes.Count(out, []byte("\n"))
				if n == 0 && f.Tree.Info != nil {
					return nil, fmt.Errorf("plocate found no *.pdf in %s", f.Tree.Root)
				}
				return &harness.Bench{Note: fmt.Sprintf("%d matches", n), Op: func(int) error { return peers.PLocate.Run(peers.PLocateArgs(db, "*.pdf")...) }}, nil
			},
		},
		{
			Name: DupesEndToEnd, Engine: EngineJDupes, Data: harness.Tree,
			Doc: "Find byte-identical files (`jdupes -r -q TREE`): size grouping, partial and full hashing, byte compare.",
			Setup: func(f *harness.Fixture) (*harness.Bench, error) {
				if _, err := peers.JDupes.Path(); err != nil {
					return nil, harness.Skipf("%v", err)
				}
				// One untimed run with -m checks that jdupes sees the
				// generator's duplicates (and not its near-duplicates), so the
				// timed runs are known to do the full job.
				out, err := peers.JDupes.Output("-r", "-m", f.Tree.Root)
				if err != nil {
					return nil, err
				}
				summary := strings.TrimSpace(string(out))
				if ti := f.Tree.Info; ti != nil {
					want := fmt.Sprintf("%d duplicate files (in %d sets)", ti.DupFiles, ti.DupGroups)
					if !strings.HasPrefix(summary, want) {
						return nil, fmt.Errorf("jdupes says %q, the generator made %s", summary, want)
					}
				}
				args := peers.JDupesArgs(f.Tree.Root)
				return &harness.Bench{Items: int64(f.Tree.Files), ItemUnit: "files", Note: "jdupes -m: " + summary,
					Op: func(int) error { return peers.JDupes.Run(args...) }}, nil
			},
		},
	}
}
