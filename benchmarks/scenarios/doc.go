// Package scenarios is the list of filedex's benchmarks: every scenario of
// every engine, registered in one place ([All]) so the report's order is
// stable and a reader finds each scenario's code by its name.
//
// Adding a scenario: write a function returning []harness.Scenario in a file
// named after its area (queries_core.go, scan.go, wasi.go, …) and append it
// in All. Scenarios that do the same job share a Name across engines and are
// then compared (interleaved, with ratios). Read benchmarks/README.md first.
package scenarios

import "github.com/filedex/filedex/benchmarks/harness"

// All returns every scenario, in report order.
func All() *harness.Registry {
	r := &harness.Registry{}
	r.Add(Storage()...)
	r.Add(Queries()...)
	r.Add(CoreQueries()...)
	r.Add(WASIQueries()...)
	r.Add(Peers()...)
	r.Add(Scans()...)
	r.Add(TreeCore()...)
	r.Add(WASIScans()...)
	r.Add(CLIScans()...)
	r.Add(Backups()...)
	// Scenarios of pieces that have not landed: reported as not measured,
	// unless a real scenario of the same name and engine exists.
	have := map[string]bool{}
	for _, s := range r.Scenarios() {
		have[s.Name+"\x00"+s.Engine+"\x00"+string(s.Data)] = true
	}
	for _, s := range Pending() {
		if !have[s.Name+"\x00"+s.Engine+"\x00"+string(s.Data)] {
			r.Add(s)
		}
	}
	return r
}
