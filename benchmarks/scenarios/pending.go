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

// Names of the tree scenarios not shared with peers.go (dupes/query_after_scan
// has a jdupes row too: tree_core.go).
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

// Pending returns the filedex scenarios not implemented yet: none today. The
// mechanism stays for the next engine or query that lands in pieces.
func Pending() []harness.Scenario {
	return nil
}
