package harness

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/filedex/filedex/benchmarks/dataset"
)

// Options controls a run. The zero value is not useful; start from
// DefaultOptions, QuickOptions or SmokeOptions.
type Options struct {
	// Warmup operations before measuring (whole runs; point scenarios warm
	// up with a tenth of their operations, at least this many).
	Warmup int
	// Reps is the number of measured repetitions (≥ 5 for reported figures).
	Reps int
	// PointOps is the number of measured operations of a point scenario,
	// spread over Reps; p99 needs ≥ 1000.
	PointOps int
	// PointBudget bounds the measured time of one point scenario; a slow
	// operation (a full scan on the seed's DDL) then runs fewer operations
	// and the result says how many.
	PointBudget time.Duration
	// LibrarySizes are the library-only dataset sizes, in entries.
	LibrarySizes []int
	// WASIMaxEntries bounds the datasets (entries or files) the WASI engines
	// run on; larger ones report them as skipped with the reason. 0: no bound.
	WASIMaxEntries int
	// Seed seeds every generated dataset.
	Seed uint64
	// Trees are the generated tree recipes to run tree scenarios on.
	Trees []dataset.TreeRecipe
	// UserTrees are existing directories (TREE=/usr); never modified.
	UserTrees []string
	// KeepTrees keeps generated trees for the next run instead of deleting
	// them when their scenarios are done.
	KeepTrees bool
	// Work is the scratch directory (generated trees, databases).
	Work string
	// Filter, when set, selects scenarios by "name engine" match.
	Filter *regexp.Regexp
	// Quick and Smoke tell scenarios how much to do (e.g. a smoke run does
	// one interleaved pair only).
	Quick, Smoke bool
	// Log receives progress lines; nil discards them.
	Log io.Writer
	// ProfileDir, when set, gets a CPU profile of every timed scenario whose
	// engine matches ProfileEngines (all when empty), taken in an extra,
	// untimed pass after the measurement so profiling never skews a figure.
	ProfileDir     string
	ProfileEngines *regexp.Regexp
	// Checkpoint, if set, receives all results so far after each dataset,
	// so a long run that is stopped keeps what it measured.
	Checkpoint func([]Result)
}

// DefaultOptions is the full benchmark (make bench).
func DefaultOptions() Options {
	return Options{Warmup: 1, Reps: 7, PointOps: 2000, PointBudget: 20 * time.Second,
		LibrarySizes: []int{10_000, 100_000, 1_000_000}, Seed: 1, Work: "benchmarks/work"}
}

// QuickOptions is make bench-quick: every scenario, small sizes, ≤ 5 min.
func QuickOptions() Options {
	o := DefaultOptions()
	o.Reps, o.PointOps, o.PointBudget = 5, 1000, 5*time.Second
	o.LibrarySizes = []int{10_000, 100_000}
	o.Quick = true
	return o
}

// SmokeOptions runs each scenario once at the smallest size: it proves the
// harness works (make test), it measures nothing worth reporting.
func SmokeOptions(work string) Options {
	return Options{Warmup: 0, Reps: 1, PointOps: 2, PointBudget: time.Second,
		LibrarySizes: []int{2_000}, Seed: 1, Work: work, Smoke: true}
}

// Result is one scenario on one fixture.
type Result struct {
	Name    string   `json:"name"`
	Engine  string   `json:"engine"`
	Data    DataKind `json:"data"`
	Fixture string   `json:"fixture"`
	Size    int      `json:"size"`
	Point   bool     `json:"point"`
	Doc     string   `json:"doc,omitempty"`
	Goal    string   `json:"goal,omitempty"`
	GoalMet *bool    `json:"goal_met,omitempty"`
	// GoalNs is the bound the goal check compared (median or p99) and
	// GoalGotNs the measured value it compared with it.
	GoalNs    float64 `json:"goal_ns,omitempty"`
	GoalGotNs float64 `json:"goal_got_ns,omitempty"`
	// GoalMetric and GoalMax: a goal on a metric (Goal.Metric) instead.
	GoalMetric string   `json:"goal_metric,omitempty"`
	GoalMax    float64  `json:"goal_max,omitempty"`
	Reps       int      `json:"reps,omitempty"`
	Ops        int      `json:"ops,omitempty"`
	Summary    Summary  `json:"summary"`
	RepNs      []int64  `json:"rep_ns,omitempty"`        // per repetition: the op (whole) or the batch (point)
	RepMedNs   []int64  `json:"rep_median_ns,omitempty"` // point: per-repetition median op
	OpNs       []int64  `json:"op_ns,omitempty"`         // point: every measured op
	Items      int64    `json:"items,omitempty"`
	ItemUnit   string   `json:"item_unit,omitempty"`
	PerSec     float64  `json:"items_per_second,omitempty"` // Items / median
	Ratio      *Ratio   `json:"ratio,omitempty"`
	Metrics    []Metric `json:"metrics,omitempty"`
	Tables     []Table  `json:"tables,omitempty"`
	Note       string   `json:"note,omitempty"`
	Skipped    string   `json:"skipped,omitempty"`
	Error      string   `json:"error,omitempty"`
}

// Ratio compares a result to the reference engine of its comparison group,
// from interleaved repetitions: Median is the median of per-repetition
// ratios (this / reference), Min and Max their spread.
type Ratio struct {
	Ref    string  `json:"ref"`
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

// Metric returns the named metric and whether it exists.
func (r *Result) Metric(name string) (float64, bool) {
	for _, m := range r.Metrics {
		if m.Name == name {
			return m.Value, true
		}
	}
	return 0, false
}

// Runner executes scenarios on fixtures.
type Runner struct {
	Opts Options
	Reg  *Registry
	done []Result // results of finished datasets, for Options.Checkpoint
}

func (r *Runner) logf(format string, args ...any) {
	if r.Opts.Log != nil {
		fmt.Fprintf(r.Opts.Log, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
}

func (r *Runner) selected(data DataKind) []Scenario {
	var out []Scenario
	for _, s := range r.Reg.Scenarios() {
		if s.Data != data {
			continue
		}
		if r.Opts.Filter != nil && !r.Opts.Filter.MatchString(s.Name+" "+s.Engine) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// Run runs every selected scenario on every fixture and returns the results.
func (r *Runner) Run() ([]Result, error) {
	if err := os.MkdirAll(r.Opts.Work, 0o755); err != nil {
		return nil, err
	}
	// Generated trees hold .go files; inside the module they would join
	// `go build ./...`, `go vet ./...` and `go test ./...`. A go.mod makes
	// the scratch directory a module of its own, which ./... skips.
	sentinel := filepath.Join(r.Opts.Work, "go.mod")
	if err := os.WriteFile(sentinel, []byte("module scratch\n\n// Benchmark scratch data: this file keeps it out of ./... patterns.\n"), 0o644); err != nil {
		return nil, err
	}
	var results []Result
	if ls := r.selected(Library); len(ls) > 0 {
		for _, n := range r.Opts.LibrarySizes {
			f := &Fixture{Data: Library, Name: "library-" + SizeLabel(n), Size: n, Opts: &r.Opts,
				Library: dataset.NewLibrary(dataset.LibrarySpec{Entries: n, Seed: r.Opts.Seed})}
			results = append(results, r.runFixture(f, ls)...)
		}
	}
	if ts := r.selected(Tree); len(ts) > 0 {
		for _, rc := range r.Opts.Trees {
			root := filepath.Join(r.Opts.Work, "trees", rc.Name)
			r.logf("generate tree %s (%d files) in %s", rc.Name, rc.Files, root)
			start := time.Now()
			info, err := dataset.GenerateTree(rc, root)
			if err != nil {
				return results, fmt.Errorf("generate %s: %w", rc.Name, err)
			}
			r.logf("tree %s: %d files, %d dirs, %.1f MiB in %v", rc.Name, info.Files, info.Dirs, float64(info.Bytes)/(1<<20), time.Since(start).Round(time.Millisecond))
			f := &Fixture{Data: Tree, Name: rc.Name, Size: info.Files, Opts: &r.Opts,
				Tree: &TreeFixture{Root: info.Root, Files: info.Files, Dirs: info.Dirs, Bytes: info.Bytes, Info: info}}
			results = append(results, r.runFixture(f, ts)...)
			if !r.Opts.KeepTrees {
				if err := dataset.RemoveTree(root); err != nil {
					r.logf("remove tree %s: %v", root, err)
				}
			}
		}
		for _, root := range r.Opts.UserTrees {
			abs, err := filepath.Abs(root)
			if err != nil {
				return results, err
			}
			tf, err := countTree(abs)
			if err != nil {
				return results, fmt.Errorf("tree %s: %w", root, err)
			}
			f := &Fixture{Data: Tree, Name: "tree:" + abs, Size: tf.Files, Opts: &r.Opts, Tree: tf}
			results = append(results, r.runFixture(f, ts)...)
		}
	}
	return results, nil
}

// countTree walks a user tree once (lstat, no symlink following) for its
// counts; it doubles as a warm-up of the page cache for every engine.
func countTree(root string) (*TreeFixture, error) {
	tf := &TreeFixture{Root: root}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable parts are skipped here as by every peer
		}
		switch {
		case d.IsDir():
			if p != root {
				tf.Dirs++
			}
		case d.Type().IsRegular():
			tf.Files++
			if fi, err := d.Info(); err == nil {
				tf.Bytes += fi.Size()
			}
		}
		return nil
	})
	return tf, err
}

type prepared struct {
	s   Scenario
	b   *Bench
	res *Result
	ops int // point: measured ops per repetition
}

func (r *Runner) runFixture(f *Fixture, scenarios []Scenario) (out []Result) {
	defer func() {
		if r.Opts.Checkpoint != nil {
			r.done = append(r.done, out...)
			r.Opts.Checkpoint(r.done)
		}
	}()
	var err error
	f.Work, err = os.MkdirTemp(r.Opts.Work, "fixture-"+sanitize(f.Name)+"-")
	if err != nil {
		return []Result{{Fixture: f.Name, Error: err.Error()}}
	}
	defer os.RemoveAll(f.Work)
	defer func() {
		if err := f.closeShared(); err != nil {
			r.logf("%s: close shared state: %v", f.Name, err)
		}
	}()
	// Group by Name, keeping registration order.
	var names []string
	groups := map[string][]Scenario{}
	for _, s := range scenarios {
		if _, ok := groups[s.Name]; !ok {
			names = append(names, s.Name)
		}
		groups[s.Name] = append(groups[s.Name], s)
	}
	for _, name := range names {
		out = append(out, r.runGroup(f, groups[name])...)
	}
	return out
}

func (r *Runner) runGroup(f *Fixture, group []Scenario) []Result {
	var ps []*prepared
	var out []*Result
	for _, s := range group {
		res := &Result{Name: s.Name, Engine: s.Engine, Data: s.Data, Fixture: f.Name, Size: f.Size, Point: s.Point, Doc: s.Doc, Goal: s.Goal.Text}
		out = append(out, res)
		r.logf("%s | %s | %s: setup", f.Name, s.Name, s.Engine)
		start := time.Now()
		var b *Bench
		err := safe(func() (err error) { b, err = s.Setup(f); return err })
		switch {
		case errors.Is(err, ErrSkip):
			res.Skipped = strings.TrimPrefix(err.Error(), ErrSkip.Error()+": ")
			r.logf("  skipped: %v", err)
			continue
		case err != nil:
			res.Error = err.Error()
			r.logf("  error: %v", err)
			continue
		}
		r.logf("  setup took %v", time.Since(start).Round(time.Millisecond))
		res.Metrics, res.Tables, res.Note, res.Items, res.ItemUnit = b.Metrics, b.Tables, b.Note, b.Items, b.ItemUnit
		if b.Op == nil {
			closeBench(b, res)
			continue
		}
		ps = append(ps, &prepared{s: s, b: b, res: res})
	}
	r.measure(ps)
	if r.Opts.ProfileDir != "" {
		for _, p := range ps {
			if p.res.Error == "" && (r.Opts.ProfileEngines == nil || r.Opts.ProfileEngines.MatchString(p.s.Engine)) {
				r.profile(f, p)
			}
		}
	}
	for _, p := range ps {
		closeBench(p.b, p.res)
		p.res.Metrics = p.b.Metrics // with what the repetitions measured
	}
	results := make([]Result, 0, len(out))
	for _, res := range out {
		results = append(results, *res)
	}
	ratios(results)
	for i := range results {
		goalCheck(&results[i], group)
	}
	return results
}

func closeBench(b *Bench, res *Result) {
	if b.Close != nil {
		if err := safe(b.Close); err != nil && res.Error == "" {
			res.Error = "close: " + err.Error()
		}
	}
}

// measure warms up and then runs the repetitions of every prepared scenario
// interleaved: in repetition k the order starts at scenario k mod n, so no
// engine always runs right after another one's cache effects.
func (r *Runner) measure(ps []*prepared) {
	o := r.Opts
	reps := max(o.Reps, 1)
	var live []*prepared
	for _, p := range ps {
		// Warm-up; for point scenarios it also estimates the op cost.
		n := o.Warmup
		if p.s.Point {
			n = max(o.Warmup, o.PointOps/10)
		}
		start := time.Now()
		var err error
		done := 0
		for i := 0; i < n; i++ {
			if !p.s.Point && p.b.Prepare != nil {
				if err = safe(func() error { return p.b.Prepare(-1 - i) }); err != nil {
					break
				}
			}
			if err = safe(func() error { return p.b.Op(i) }); err != nil {
				break
			}
			done++
			if p.s.Point && time.Since(start) > o.PointBudget/4 {
				break // a slow op: the estimate below is enough
			}
		}
		if err != nil {
			p.res.Error = "warm-up: " + err.Error()
			continue
		}
		if p.s.Point {
			per := o.PointOps / reps
			if per < 1 {
				per = 1
			}
			if done > 0 {
				est := time.Since(start) / time.Duration(done)
				if est > 0 && est*time.Duration(per*reps) > o.PointBudget {
					per = max(1, int(o.PointBudget/(est*time.Duration(reps))))
				}
			}
			p.ops = per
		}
		live = append(live, p)
	}
	for k := 0; k < reps; k++ {
		for j := range live {
			p := live[(j+k)%len(live)]
			if p.res.Error != "" {
				continue
			}
			if err := r.rep(p, k); err != nil {
				p.res.Error = fmt.Sprintf("rep %d: %v", k, err)
			}
		}
	}
	for _, p := range live {
		res := p.res
		res.Reps = len(res.RepNs)
		if p.s.Point {
			res.Ops = len(res.OpNs)
			res.Summary = Summarize(res.OpNs)
			if res.Ops < 1000 && !o.Smoke {
				res.Note = join(res.Note, "p99 from "+strconv.Itoa(res.Ops)+" ops (op too slow for 1000 within the time budget)")
			}
		} else {
			res.Ops = res.Reps
			res.Summary = Summarize(res.RepNs)
		}
		if res.Items > 0 && res.Summary.Median > 0 {
			res.PerSec = float64(res.Items) / (res.Summary.Median / 1e9)
		}
		r.logf("%s | %s | %s: median %s (n=%d)", res.Fixture, res.Name, res.Engine, Dur(res.Summary.Median), res.Summary.N)
	}
}

func (r *Runner) rep(p *prepared, k int) error {
	// Collect the garbage of whatever ran before (dataset generation, the other engines'
	// repetitions) outside the timing, as testing.B does before each benchmark: a
	// repetition then pays for the collections its own allocations cause. (Measured on
	// library-100k: it did not change list_dir's p99, 1.2–1.5 ms for both filedex and the
	// seed's DDL at load 2–3; with GOGC=off filedex's was 705 µs, so the tail is the
	// collections the scenario's own allocations cause, plus the machine.)
	runtime.GC()
	if !p.s.Point {
		if p.b.Prepare != nil {
			if err := safe(func() error { return p.b.Prepare(k) }); err != nil {
				return fmt.Errorf("prepare: %w", err)
			}
		}
		start := time.Now()
		if err := safe(func() error { return p.b.Op(k) }); err != nil {
			return err
		}
		p.res.RepNs = append(p.res.RepNs, int64(time.Since(start)))
		return nil
	}
	ops := make([]int64, 0, p.ops)
	batch := time.Now()
	for i := 0; i < p.ops; i++ {
		start := time.Now()
		if err := safe(func() error { return p.b.Op(k*p.ops + i) }); err != nil {
			return err
		}
		ops = append(ops, int64(time.Since(start)))
	}
	p.res.RepNs = append(p.res.RepNs, int64(time.Since(batch)))
	p.res.RepMedNs = append(p.res.RepMedNs, int64(Summarize(ops).Median))
	p.res.OpNs = append(p.res.OpNs, ops...)
	return nil
}

// RefEngine is the engine other engines are compared to when present in a
// comparison group; otherwise the group's first engine is the reference.
const RefEngine = "filedex"

func ratios(rs []Result) {
	ref := -1
	for i := range rs {
		if rs[i].Engine == RefEngine && len(rs[i].RepNs) > 0 {
			ref = i
		}
	}
	if ref < 0 {
		for i := range rs {
			if len(rs[i].RepNs) > 0 {
				ref = i
				break
			}
		}
	}
	if ref < 0 {
		return
	}
	base := rs[ref].RepNs
	if rs[ref].Point {
		base = rs[ref].RepMedNs
	}
	for i := range rs {
		cur := rs[i].RepNs
		if rs[i].Point {
			cur = rs[i].RepMedNs
		}
		if i == ref || len(cur) == 0 {
			continue
		}
		var xs []float64
		for k := 0; k < len(cur) && k < len(base); k++ {
			if base[k] > 0 {
				xs = append(xs, float64(cur[k])/float64(base[k]))
			}
		}
		if len(xs) == 0 {
			continue
		}
		lo, hi := xs[0], xs[0]
		for _, x := range xs {
			lo, hi = min(lo, x), max(hi, x)
		}
		rs[i].Ratio = &Ratio{Ref: rs[ref].Engine, Median: medianFloat(xs), Min: lo, Max: hi}
	}
}

// CheckGoals (re)computes every result's goal fields from the registered
// scenarios' goals: used when a report is rebuilt from results.json.
func CheckGoals(rs []Result, reg *Registry) {
	for i := range rs {
		for _, s := range reg.Scenarios() {
			if s.Name == rs[i].Name && s.Engine == rs[i].Engine && s.Data == rs[i].Data {
				rs[i].Goal = s.Goal.Text
				goalCheck(&rs[i], []Scenario{s})
			}
		}
	}
}

func goalCheck(res *Result, group []Scenario) {
	for _, s := range group {
		if s.Engine == res.Engine && s.Goal.Metric != "" {
			if v, ok := res.Metric(s.Goal.Metric); ok {
				met := v < s.Goal.Max
				res.GoalMet, res.GoalMetric, res.GoalMax = &met, s.Goal.Metric, s.Goal.Max
			}
			continue
		}
		if s.Engine != res.Engine || (s.Goal.P50 == 0 && s.Goal.P99 == 0) || res.Summary.N == 0 {
			continue
		}
		met := true
		if s.Goal.P50 > 0 {
			res.GoalNs, res.GoalGotNs = float64(s.Goal.P50), res.Summary.Median
			met = res.Summary.Median <= float64(s.Goal.P50)
		}
		if s.Goal.P99 > 0 {
			bound := res.Summary.Max // whole runs: every repetition must meet it
			if res.Point {
				bound = res.Summary.P99
			}
			if bound > float64(s.Goal.P99) || res.GoalNs == 0 {
				res.GoalNs, res.GoalGotNs = float64(s.Goal.P99), bound
			}
			met = met && bound <= float64(s.Goal.P99)
		}
		res.GoalMet = &met
	}
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	if b == "" {
		return a
	}
	return a + "; " + b
}

func sanitize(s string) string {
	out := []byte(s)
	for i, c := range out {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			out[i] = '_'
		}
	}
	return string(out)
}

// SizeLabel formats an entry count as 10k, 1M.
func SizeLabel(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return strconv.Itoa(n/1_000_000) + "M"
	case n >= 1000 && n%1000 == 0:
		return strconv.Itoa(n/1000) + "k"
	default:
		return strconv.Itoa(n)
	}
}

// safe runs fn, turning a panic into an error: one scenario's failure (the
// SQLite driver panics when out of memory) is reported as that scenario's
// error instead of ending the whole run.
func safe(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return fn()
}

// profile runs a scenario's op for about two seconds (at least once) under
// the CPU profiler and records the file in the result's note.
func (r *Runner) profile(f *Fixture, p *prepared) {
	if err := os.MkdirAll(r.Opts.ProfileDir, 0o755); err != nil {
		r.logf("profile: %v", err)
		return
	}
	name := filepath.Join(r.Opts.ProfileDir, sanitize(f.Name+"_"+p.s.Name+"_"+p.s.Engine)+".pprof")
	out, err := os.Create(name)
	if err != nil {
		r.logf("profile: %v", err)
		return
	}
	defer out.Close()
	// A scenario with Prepare (a fresh scan into an empty library) must be
	// profiled from the state its timed runs start in: Prepare runs first,
	// outside the profile, and the op runs once. Without it the profile
	// showed a rescan of the library the last timed run left behind.
	once := p.b.Prepare != nil && !p.s.Point
	if once {
		if err := safe(func() error { return p.b.Prepare(1_000_000) }); err != nil {
			r.logf("profile: prepare: %v", err)
			return
		}
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		r.logf("profile: %v", err)
		return
	}
	start := time.Now()
	for i := 0; i == 0 || !once && time.Since(start) < 2*time.Second; i++ {
		if err := safe(func() error { return p.b.Op(1_000_000 + i) }); err != nil {
			r.logf("profile: %v", err)
			break
		}
	}
	pprof.StopCPUProfile()
	p.res.Note = join(p.res.Note, "CPU profile: "+name)
}
