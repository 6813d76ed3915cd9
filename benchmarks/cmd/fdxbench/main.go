// Command fdxbench runs filedex's benchmarks and writes the report:
// RESULTS.md, results.json and charts/ (see benchmarks/README.md).
//
//	go run ./benchmarks/cmd/fdxbench              # full run (make bench)
//	go run ./benchmarks/cmd/fdxbench -quick       # make bench-quick, < 5 min
//	go run ./benchmarks/cmd/fdxbench -tree /usr   # add a real tree
//	go run ./benchmarks/cmd/fdxbench -gen-tree shape_small -dir /tmp/t
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/filedex/filedex/benchmarks/dataset"
	"github.com/filedex/filedex/benchmarks/harness"
	"github.com/filedex/filedex/benchmarks/peers"
	"github.com/filedex/filedex/benchmarks/scenarios"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "fdxbench:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		quick     = flag.Bool("quick", false, "small sizes, fewer repetitions: finishes in minutes")
		sizes     = flag.String("sizes", "", "library sizes, e.g. 10k,100k,1M, or none (default: 10k,100k,1M; quick: 10k,100k)")
		trees     = flag.String("trees", "", "generated tree recipes, comma-separated, or none (default: all; quick: shape_small)")
		userTrees = flag.String("tree", "", "existing directories to benchmark too, comma-separated (never modified)")
		scale     = flag.Float64("size-scale", 1, "multiply generated file sizes (disk budget)")
		runRE     = flag.String("run", "", "only scenarios whose \"name engine\" matches this regexp")
		reps      = flag.Int("reps", 0, "repetitions (default 7; quick 5)")
		wasiMax   = flag.Int("wasi-max-entries", -1, "largest dataset (entries or files) the WASI engines run on; 0 = all (default 20000; quick: 4000, so -quick stays under 5 minutes)")
		pointOps  = flag.Int("point-ops", 0, "measured operations per point scenario (default 2000; quick 1000)")
		work      = flag.String("work", "", "scratch directory (default benchmarks/work)")
		out       = flag.String("out", "benchmarks", "directory for RESULTS.md, results.json and charts/")
		keepTrees = flag.Bool("keep-trees", false, "keep generated trees for the next run")
		seed      = flag.Uint64("seed", 1, "dataset seed")
		profile   = flag.String("profile", "", "write a CPU profile of each timed scenario into this directory (an extra untimed pass)")
		profEng   = flag.String("profile-engines", "^filedex", "only profile engines matching this regexp")
		from      = flag.String("from", "", "only rewrite RESULTS.md, results.json and charts in -out from these results.json files, comma-separated (a later file's datasets replace an earlier one's)")
		genTree   = flag.String("gen-tree", "", "only generate this recipe's tree into -dir and exit")
		genDir    = flag.String("dir", "", "target of -gen-tree")
	)
	flag.Parse()

	if *from != "" {
		rp, err := mergeReports(strings.Split(*from, ","))
		if err != nil {
			return err
		}
		harness.CheckGoals(rp.Results, scenarios.All())
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		if err := rp.WriteJSON(filepath.Join(*out, "results.json")); err != nil {
			return err
		}
		return rp.WriteMarkdown(*out)
	}
	if *genTree != "" {
		rc, ok := dataset.RecipeByName(*genTree)
		if !ok || *genDir == "" {
			return fmt.Errorf("-gen-tree needs a recipe (%s) and -dir", recipeNames())
		}
		rc.SizeScale, rc.Seed = *scale, *seed
		info, err := dataset.GenerateTree(rc, *genDir)
		if err != nil {
			return err
		}
		fmt.Printf("%s: %d files, %d dirs, %d bytes, %d duplicate files in %d groups, %d near-duplicates\nmanifest: %s\n",
			info.Root, info.Files, info.Dirs, info.Bytes, info.DupFiles, info.DupGroups, info.NearDups, info.Manifest)
		return nil
	}

	opts := harness.DefaultOptions()
	if *quick {
		opts = harness.QuickOptions()
	}
	opts.Seed = *seed
	opts.Log = os.Stderr
	opts.KeepTrees = *keepTrees
	opts.WASIMaxEntries = *wasiMax
	if *wasiMax < 0 {
		// Under wazero a scan of shape_small's 5,000 files takes 8-15 s per repetition:
		// with it, -quick took 7.5 minutes.
		opts.WASIMaxEntries = 20000
		if *quick {
			opts.WASIMaxEntries = 4000
		}
	}
	if *work != "" {
		opts.Work = *work
	}
	if *reps > 0 {
		opts.Reps = *reps
	}
	if *pointOps > 0 {
		opts.PointOps = *pointOps
	}
	if *sizes == "none" {
		opts.LibrarySizes = nil
	} else if *sizes != "" {
		opts.LibrarySizes = nil
		for _, s := range strings.Split(*sizes, ",") {
			n, err := parseCount(s)
			if err != nil {
				return err
			}
			opts.LibrarySizes = append(opts.LibrarySizes, n)
		}
	}
	names := *trees
	if names == "" {
		names = "shape_small,shape_medium,shape_large,desktop_complex,desktop_extreme"
		if *quick {
			names = "shape_small"
		}
	}
	if names != "none" {
		for _, n := range strings.Split(names, ",") {
			rc, ok := dataset.RecipeByName(strings.TrimSpace(n))
			if !ok {
				return fmt.Errorf("unknown recipe %q (%s)", n, recipeNames())
			}
			rc.SizeScale, rc.Seed = *scale, *seed
			opts.Trees = append(opts.Trees, rc)
		}
	}
	if *userTrees != "" {
		opts.UserTrees = strings.Split(*userTrees, ",")
	}
	if *profile != "" {
		opts.ProfileDir = *profile
		re, err := regexp.Compile(*profEng)
		if err != nil {
			return err
		}
		opts.ProfileEngines = re
	}
	if *runRE != "" {
		re, err := regexp.Compile(*runRE)
		if err != nil {
			return err
		}
		opts.Filter = re
	}

	env := harness.CaptureEnv()
	env.Tools = peers.Versions()
	start := time.Now()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	partial := filepath.Join(opts.Work, "results.partial.json")
	opts.Checkpoint = func(rs []harness.Result) {
		rp := &harness.Report{Env: env, Options: describe(opts) + " (partial)", Seconds: time.Since(start).Seconds(), Results: rs}
		if err := rp.WriteJSON(partial); err != nil {
			fmt.Fprintln(os.Stderr, "fdxbench: checkpoint:", err)
		}
	}
	r := &harness.Runner{Opts: opts, Reg: scenarios.All()}
	results, runErr := r.Run()
	env.Finish()
	rp := &harness.Report{
		Env:     env,
		Options: describe(opts),
		Seconds: time.Since(start).Seconds(),
		Results: results,
		Notes: []string{
			fmt.Sprintf("Measured on a %d-core machine that other engineers share for builds and tests: absolute figures are noisy; ratios come from interleaved repetitions and are the steadier figures.", env.Cores),
		},
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	if err := rp.WriteJSON(filepath.Join(*out, "results.json")); err != nil {
		return err
	}
	if err := rp.WriteMarkdown(*out); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s in %.0f s\n", filepath.Join(*out, "RESULTS.md"), rp.Seconds)
	return runErr
}

func describe(o harness.Options) string {
	var sizes, trees []string
	for _, n := range o.LibrarySizes {
		sizes = append(sizes, harness.SizeLabel(n))
	}
	for _, t := range o.Trees {
		trees = append(trees, t.Name)
	}
	trees = append(trees, o.UserTrees...)
	return fmt.Sprintf("reps %d, warm-up %d, point ops %d (budget %v), library sizes %s, trees %s, seed %d",
		o.Reps, o.Warmup, o.PointOps, o.PointBudget, strings.Join(sizes, "/"), strings.Join(trees, ", "), o.Seed)
}

func recipeNames() string {
	var ns []string
	for _, r := range dataset.Recipes {
		ns = append(ns, r.Name)
	}
	return strings.Join(ns, ", ")
}

// parseCount parses 10k, 1M or a plain number.
func parseCount(s string) (int, error) {
	s = strings.TrimSpace(s)
	mul := 1
	switch {
	case strings.HasSuffix(s, "k"), strings.HasSuffix(s, "K"):
		mul, s = 1000, s[:len(s)-1]
	case strings.HasSuffix(s, "M"), strings.HasSuffix(s, "m"):
		mul, s = 1_000_000, s[:len(s)-1]
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mul, nil
}

// mergeReports combines runs: the results of a later report replace the
// earlier ones' results of the same (dataset, scenario name), so every
// comparison group comes whole from one run (ratios need interleaved
// repetitions). The environment of the first report is kept and every
// later run is noted with what it contributed.
func mergeReports(paths []string) (*harness.Report, error) {
	var out *harness.Report
	for _, p := range paths {
		rp, err := harness.ReadJSON(strings.TrimSpace(p))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if out == nil {
			out = rp
			continue
		}
		type key struct{ fixture, name string }
		replaced := map[key]bool{}
		fixtures := map[string]bool{}
		for _, r := range rp.Results {
			replaced[key{r.Fixture, r.Name}] = true
			fixtures[r.Fixture] = true
		}
		// Replace in place where possible, keeping the first run's order.
		var merged []harness.Result
		added := map[key]bool{}
		for _, r := range out.Results {
			k := key{r.Fixture, r.Name}
			if !replaced[k] {
				merged = append(merged, r)
				continue
			}
			if !added[k] {
				added[k] = true
				for _, n := range rp.Results {
					if n.Fixture == k.fixture && n.Name == k.name {
						merged = append(merged, n)
					}
				}
			}
		}
		for _, n := range rp.Results {
			if k := (key{n.Fixture, n.Name}); !added[k] {
				merged = append(merged, n)
			}
		}
		out.Results = merged
		var fs []string
		for f := range fixtures {
			fs = append(fs, f)
		}
		slices.Sort(fs)
		out.Notes = append(out.Notes, fmt.Sprintf("The scenarios of `%s` on %s come from a later run on %s at commit %s (load average %s → %s; %s).",
			rp.Env.Command, strings.Join(fs, ", "), rp.Env.Date, rp.Env.Commit, rp.Env.LoadStart, rp.Env.LoadEnd, rp.Options))
		out.Seconds += rp.Seconds
		for k, v := range rp.Env.Tools {
			out.Env.Tools[k] = v
		}
	}
	if out == nil {
		return nil, fmt.Errorf("no reports")
	}
	return out, nil
}
