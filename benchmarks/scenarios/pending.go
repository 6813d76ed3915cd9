package scenarios

import "github.com/filedex/filedex/benchmarks/harness"

// EngineFiledex is filedex's native Go engine, the reference of every
// comparison group it joins. EngineWazero and EngineNode are the same core
// compiled to wasip1 and hosted by wazero (wasmhost/) or Node's node:wasi.
const (
	EngineFiledex = harness.RefEngine
	EngineWazero  = "filedex-wasi-wazero"
	EngineNode    = "filedex-wasi-node"
)

// Names of the tree scenarios only filedex runs (so far).
const (
	ScanContent   = "scan/content"
	ScanDeep      = "scan/deep"
	RescanNoop    = "scan/rescan_unchanged"
	DupesQuery    = "dupes/query_after_scan"
	BackupLibrary = "backup/library"
)

// pending is a scenario whose engine has not landed yet: it is listed in
// the report's "Not measured" table with what it waits for, so a missing
// figure is visible instead of silently absent. Replace each with the real
// scenario as the piece it needs lands on main.
func pending(name, engine string, data harness.DataKind, goal harness.Goal, waitsFor string) harness.Scenario {
	return harness.Scenario{Name: name, Engine: engine, Data: data, Goal: goal,
		Setup: func(*harness.Fixture) (*harness.Bench, error) { return nil, harness.Skipf("waiting for %s", waitsFor) }}
}

// Pending returns the filedex scenarios not implemented yet.
func Pending() []harness.Scenario {
	const core = "the library core on main (core.Open, the schema in migrations/)"
	var s []harness.Scenario
	s = append(s, pending("storage/bytes_per_entry", EngineFiledex, harness.Library, harness.Goal{}, core))
	for _, q := range []struct {
		name string
		goal harness.Goal
	}{
		{"query/entry_by_path", goalEntryByPath}, {"query/full_path", goalFullPath}, {"query/list_dir", goalListDir},
		{"query/paginate_files", harness.Goal{}}, {"query/subtree_stats", goalSubtree}, {"query/move_dir", goalMove},
		{"query/ext_first_page", goalSearch}, {"query/ext_all", harness.Goal{}}, {"query/glob_first_page", goalSearch},
		{"query/word_prefix", goalFTS}, {"query/tag_entries", harness.Goal{}}, {"query/label_entries", harness.Goal{}},
		{"query/favorites", harness.Goal{}}, {"query/duplicates", goalDupes}, {"query/large_files_by_dir", harness.Goal{}},
		{"query/tag_stats", harness.Goal{}}, {"query/top_largest", harness.Goal{}}, {"query/dir_sizes", harness.Goal{}},
	} {
		s = append(s, pending(q.name, EngineFiledex, harness.Library, q.goal, "the query API of issue 4 in core/"))
	}
	for _, name := range []string{DupesEndToEnd, DupesQuery} {
		s = append(s, pending(name, EngineFiledex, harness.Tree, harness.Goal{}, "the duplicates query of issue 4 in core/"))
	}
	s = append(s, pending(TreeGlob, EngineFiledex, harness.Tree, harness.Goal{}, "the search API of issue 4 in core/"))
	s = append(s, pending("memory/scan_peak_rss", EngineFiledex, harness.Tree, harness.Goal{Text: "< 150 MB (issue 3)"}, "the filedex CLI (cmd/filedex scan), run as a child process for its peak RSS"))
	return s
}
