package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/filedex/filedex/benchmarks/dataset"
)

// DataKind is the kind of dataset a scenario consumes.
type DataKind string

// Dataset kinds.
const (
	// Library datasets exist only as rows: dataset.Library streams them.
	Library DataKind = "library"
	// Tree datasets are directories on disk: generated recipes or TREE=/path.
	Tree DataKind = "tree"
)

// Scenario is one benchmark: what to set up on a fixture and what one
// operation is. Scenarios with equal Name on the same fixture are compared
// (interleaved repetitions, ratios to the reference engine).
type Scenario struct {
	// Name is what is measured, shared by every engine that does the same
	// job: "query/list_dir", "storage/bytes_per_entry", "scan/metadata".
	Name string
	// Engine is who does it: "filedex", "seed-ddl", "find", "jdupes", ….
	Engine string
	// Data is the dataset kind the scenario runs on.
	Data DataKind
	// Point marks a scenario whose operation is a single short lookup: it is
	// run many times and reported per operation with p50 and p99.
	Point bool
	// Goal is the target from the issues, reported beside the figure and
	// never asserted.
	Goal Goal
	// Doc says in one line what the operation does (the report prints it).
	Doc string
	// Setup prepares the scenario on a fixture. Returning an error wrapping
	// ErrSkip reports the scenario as skipped with the error's text (e.g. a
	// peer that is not installed); any other error is reported as a failure.
	Setup func(f *Fixture) (*Bench, error)
}

// ErrSkip marks a scenario that cannot run here; its reason is reported.
var ErrSkip = fmt.Errorf("skipped")

// Skipf returns an error that reports a scenario as skipped.
func Skipf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrSkip, fmt.Sprintf(format, args...))
}

// Goal is a target figure from an issue.
type Goal struct {
	P50 time.Duration // upper bound for the median; 0 if none
	P99 time.Duration // upper bound for p99 (point) or max (whole runs); 0 if none
	// Metric, if set, names a Bench metric that must stay below Max (peak
	// RSS < 150 MB), instead of a time bound.
	Metric string
	Max    float64
	Text   string // as written in the issue, e.g. "≤ 1 ms p99"
}

// Bench is a prepared scenario.
type Bench struct {
	// Op performs one operation; i counts operations from 0 so point
	// scenarios can cycle through prepared keys. Nil for scenarios that only
	// measure (bytes per entry).
	Op func(i int) error
	// Prepare, if set, runs before each Op of a whole (non-point) scenario,
	// untimed: e.g. removing the library the previous scan made, so every
	// timed scan is a first scan.
	Prepare func(i int) error
	// Items is how many items one Op processes (files for a scan), for a
	// throughput figure; 0 if not meaningful.
	Items int64
	// ItemUnit names the items ("files", "entries").
	ItemUnit string
	// Metrics and Tables are measured values reported as they are. Metrics
	// are read again after Close, so Op and Close may add figures measured
	// during the repetitions (a child process's peak RSS).
	Metrics []Metric
	Tables  []Table
	// Note is printed beside the result (how a figure was obtained).
	Note string
	// Close releases what Setup acquired; may be nil.
	Close func() error
}

// Metric is a measured value.
type Metric struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
}

// Table is a measured table, e.g. bytes per table and index.
type Table struct {
	Title   string     `json:"title"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

// Fixture is one dataset that scenarios run on, with a scratch directory
// and a place for state that several scenarios share (one loaded database
// serves every query scenario of an engine).
type Fixture struct {
	Data DataKind
	// Name identifies the dataset in the report: "library-10k",
	// "shape_small", "tree:/usr".
	Name string
	// Size is the number of entries (library) or files (tree).
	Size int
	// Library is set for library fixtures.
	Library *dataset.Library
	// Tree is set for tree fixtures.
	Tree *TreeFixture
	// Work is a scratch directory owned by this fixture, removed after it.
	Work string
	// Opts are the run's options (scenarios read Quick, Reps, …).
	Opts *Options

	mu     sync.Mutex
	shared map[string]*shared
	order  []string
}

// TreeFixture describes a directory tree on disk.
type TreeFixture struct {
	Root  string
	Files int   // regular files (counted by a walk for user trees)
	Dirs  int   // directories below Root
	Bytes int64 // sum of regular file sizes
	// Info is the generator's summary (manifest, duplicates); nil for a
	// user-given tree.
	Info *dataset.TreeInfo
}

type shared struct {
	v     any
	err   error
	close func() error
}

// Shared returns the value that make builds for key, building it at most
// once per fixture; close (if make returns one) runs when the fixture is
// done. Use it for expensive state that several scenarios read, such as a
// loaded database.
func (f *Fixture) Shared(key string, make func() (v any, close func() error, err error)) (any, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.shared == nil {
		f.shared = map[string]*shared{}
	}
	if s, ok := f.shared[key]; ok {
		return s.v, s.err
	}
	v, c, err := make()
	f.shared[key] = &shared{v: v, err: err, close: c}
	f.order = append(f.order, key)
	return v, err
}

// Dir returns a fresh, empty scratch directory named name inside Work.
func (f *Fixture) Dir(name string) (string, error) {
	d := filepath.Join(f.Work, name)
	if err := os.RemoveAll(d); err != nil {
		return "", err
	}
	return d, os.MkdirAll(d, 0o755)
}

func (f *Fixture) closeShared() error {
	var first error
	for i := len(f.order) - 1; i >= 0; i-- {
		if s := f.shared[f.order[i]]; s.close != nil {
			if err := s.close(); err != nil && first == nil {
				first = err
			}
		}
	}
	f.shared, f.order = nil, nil
	return first
}

// Registry holds scenarios in registration order (the report's order).
type Registry struct{ list []Scenario }

// Add registers scenarios. It panics on an incomplete scenario or a
// duplicate (name, engine): both are programmer mistakes.
func (r *Registry) Add(ss ...Scenario) {
	for _, s := range ss {
		if s.Name == "" || s.Engine == "" || s.Setup == nil || (s.Data != Library && s.Data != Tree) {
			panic(fmt.Sprintf("harness: incomplete scenario %+v", s))
		}
		for _, o := range r.list {
			if o.Name == s.Name && o.Engine == s.Engine && o.Data == s.Data {
				panic("harness: duplicate scenario " + s.Name + " " + s.Engine)
			}
		}
		r.list = append(r.list, s)
	}
}

// Scenarios returns the registered scenarios.
func (r *Registry) Scenarios() []Scenario { return r.list }
