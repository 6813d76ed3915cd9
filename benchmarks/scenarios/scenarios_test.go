package scenarios_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/filedex/filedex/benchmarks/dataset"
	"github.com/filedex/filedex/benchmarks/harness"
	"github.com/filedex/filedex/benchmarks/scenarios"
)

// TestAll_Smoke runs every registered scenario once at the smallest size and
// writes a report, so the harness cannot rot. It measures nothing: no
// timing is asserted, ever.
func TestAll_Smoke(t *testing.T) {
	work := t.TempDir()
	opts := harness.SmokeOptions(work)
	rc, _ := dataset.RecipeByName("tiny")
	opts.Trees = []dataset.TreeRecipe{rc}
	if testing.Verbose() {
		opts.Log = os.Stderr
	}
	r := &harness.Runner{Opts: opts, Reg: scenarios.All()}
	results, err := r.Run()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, res := range results {
		seen[res.Name+" "+res.Engine] = true
		switch {
		case res.Error != "":
			t.Errorf("%s %s on %s: %s", res.Name, res.Engine, res.Fixture, res.Error)
		case res.Skipped != "":
			t.Logf("%s %s: %s", res.Name, res.Engine, res.Skipped) // peers may be missing; tests never need them
		}
	}
	for _, s := range scenarios.All().Scenarios() {
		if !seen[s.Name+" "+s.Engine] {
			t.Errorf("scenario %s %s produced no result", s.Name, s.Engine)
		}
	}
	rp := &harness.Report{Env: harness.CaptureEnv(), Options: "smoke", Results: results}
	out := t.TempDir()
	if err := rp.WriteJSON(filepath.Join(out, "results.json")); err != nil {
		t.Fatal(err)
	}
	if err := rp.WriteMarkdown(out); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(out, "RESULTS.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Storage", "query/list_dir", "charts/bytes_per_entry.svg"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("RESULTS.md lacks %q", want)
		}
	}
}
