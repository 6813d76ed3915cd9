package scenarios

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/filedex/filedex/benchmarks/harness"
	"github.com/filedex/filedex/benchmarks/peers"
	"github.com/filedex/filedex/core"
)

// MemoryScan is the peak resident memory of a CLI scan (issue 3: < 150 MB).
const MemoryScan = "memory/scan_peak_rss"

// treeGlob is the name search every engine runs on a tree (plocate's
// pattern in peers.go).
const treeGlob = "*.pdf"

// scannedLib returns the fixture's tree scanned once in content mode
// (untimed, shared by the query-after-scan scenarios).
func scannedLib(f *harness.Fixture) (*core.Library, error) {
	v, err := f.Shared("filedex-scanned", func() (any, func() error, error) {
		lib, err := core.Open(filepath.Join(f.Work, "filedex-scanned"), core.Options{})
		if err != nil {
			return nil, nil, err
		}
		res, err := lib.ScanPath(context.Background(), f.Tree.Root, core.ModeContent, nil, core.ScanOptions{})
		if err == nil && res.Summary.Files != int64(f.Tree.Files) {
			err = fmt.Errorf("scan saw %d files, the tree has %d", res.Summary.Files, f.Tree.Files)
		}
		if err != nil {
			lib.Close()
			return nil, nil, fmt.Errorf("content scan: %w", err)
		}
		return lib, lib.Close, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*core.Library), nil
}

// dupSets is a duplicate answer: sets of byte-identical files and the
// files beyond the first of each set (jdupes -m's two figures).
type dupSets struct{ files, sets int64 }

// manifestDups computes from a generated tree's manifest the duplicate
// sets by cas_id (files grouped by content; a near-duplicate shares its
// source's sampled cas_id) and by bytes (near-duplicates apart).
func manifestDups(manifest string) (byCas, byBytes dupSets, err error) {
	fh, err := os.Open(manifest)
	if err != nil {
		return byCas, byBytes, err
	}
	defer fh.Close()
	type key struct{ content, flip int64 }
	cas, exact := map[int64]int64{}, map[key]int64{}
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for first := true; sc.Scan(); first = false {
		f := strings.Split(sc.Text(), "\t")
		if first {
			continue // header
		}
		if len(f) != 4 {
			return byCas, byBytes, fmt.Errorf("manifest line %q", sc.Text())
		}
		size, err1 := strconv.ParseInt(f[1], 10, 64)
		content, err2 := strconv.ParseInt(f[2], 10, 64)
		flip, err3 := strconv.ParseInt(f[3], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return byCas, byBytes, fmt.Errorf("manifest line %q", sc.Text())
		}
		if size == 0 {
			continue // empty files have no content identity (and jdupes skips them)
		}
		cas[content]++
		exact[key{content, flip}]++
	}
	for _, n := range cas {
		if n > 1 {
			byCas.sets++
			byCas.files += n - 1
		}
	}
	for _, n := range exact {
		if n > 1 {
			byBytes.sets++
			byBytes.files += n - 1
		}
	}
	return byCas, byBytes, sc.Err()
}

// allGroups reads every page of duplicate groups and sums them.
func allGroups(ctx context.Context, lib *core.Library, q core.DupesQuery) (dupSets, error) {
	var got dupSets
	after := ""
	for {
		res, err := lib.Duplicates().Groups(ctx, q, core.Page{After: after, Limit: core.MaxLimit})
		if err != nil {
			return got, err
		}
		for _, g := range res.Groups {
			if g.Count > 1 {
				got.sets++
				got.files += g.Count - 1
			}
		}
		if res.Next == "" {
			return got, nil
		}
		after = res.Next
	}
}

func checkDups(what string, got, want dupSets) error {
	if got != want {
		return fmt.Errorf("%s: %d duplicate files in %d sets, the generator made %d in %d", what, got.files, got.sets, want.files, want.sets)
	}
	return nil
}

// TreeCore returns filedex's tree scenarios beyond the scans: the name
// search, duplicates end to end and after a scan, and the CLI's peak RSS.
func TreeCore() []harness.Scenario {
	return []harness.Scenario{
		{
			Name: TreeGlob, Engine: EngineFiledex, Data: harness.Tree,
			Doc: "Every path matching *.pdf, from a prebuilt index.",
			Setup: func(f *harness.Fixture) (*harness.Bench, error) {
				lib, err := scannedLib(f)
				if err != nil {
					return nil, err
				}
				// The truth is a walk of the tree, independent of any index.
				want := 0
				err = filepath.WalkDir(f.Tree.Root, func(p string, d fs.DirEntry, err error) error {
					if err != nil {
						return nil // unreadable parts of a user tree: the scan skips them too
					}
					if ok, _ := path.Match(treeGlob, d.Name()); ok && p != f.Tree.Root {
						want++
					}
					return nil
				})
				if err != nil {
					return nil, err
				}
				q := core.FindQuery{Name: treeGlob}
				op, _, err := allPages(context.Background(), lib, "name glob", q, want)
				if err != nil {
					return nil, err
				}
				return &harness.Bench{Op: op,
					Note: fmt.Sprintf("filedex: every page of Entries.Find{Name: %q} in Go, after a content scan (untimed); %d matches, as a walk counts", treeGlob, want)}, nil
			},
		},
		{
			Name: DupesEndToEnd, Engine: EngineFiledex, Data: harness.Tree,
			Doc: "From nothing to the list of byte-identical files.",
			Setup: func(f *harness.Fixture) (*harness.Bench, error) {
				dir, err := f.Dir("dupes-e2e")
				if err != nil {
					return nil, err
				}
				var want dupSets
				if ti := f.Tree.Info; ti != nil {
					want = dupSets{files: int64(ti.DupFiles), sets: int64(ti.DupGroups)}
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
				ctx := context.Background()
				return &harness.Bench{
					Items: int64(f.Tree.Files), ItemUnit: "files",
					Note: "filedex: content scan into an empty library, then every page of Duplicates.Groups{Verify: true} (members re-read whole and split by full BLAKE3, as jdupes byte-compares); answer checked against the generator's duplicates every run",
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
						res, err := lib.ScanPath(ctx, f.Tree.Root, core.ModeContent, nil, core.ScanOptions{})
						if err != nil {
							return err
						}
						if res.Summary.Files != int64(f.Tree.Files) {
							return fmt.Errorf("scan saw %d files, the tree has %d", res.Summary.Files, f.Tree.Files)
						}
						got, err := allGroups(ctx, lib, core.DupesQuery{Verify: true})
						if err != nil || f.Tree.Info == nil {
							return err
						}
						return checkDups("verified duplicates", got, want)
					},
					Close: func() error {
						err := closeLib()
						os.RemoveAll(dir)
						return err
					},
				}, nil
			},
		},
		{
			Name: DupesQuery, Engine: EngineFiledex, Data: harness.Tree,
			Doc: "The duplicates query alone, on a library a content scan made (jdupes has no index: its row is the whole job).",
			Setup: func(f *harness.Fixture) (*harness.Bench, error) {
				lib, err := scannedLib(f)
				if err != nil {
					return nil, err
				}
				ctx := context.Background()
				var want dupSets
				if ti := f.Tree.Info; ti != nil {
					if want, _, err = manifestDups(ti.Manifest); err != nil {
						return nil, err
					}
				}
				return &harness.Bench{
					Note: "filedex: every page of Duplicates.Groups (by cas_id, unverified: near-duplicates stay in their source's group); answer checked against the manifest's cas_id groups",
					Op: func(int) error {
						got, err := allGroups(ctx, lib, core.DupesQuery{})
						if err != nil || f.Tree.Info == nil {
							return err
						}
						return checkDups("duplicates by cas_id", got, want)
					},
				}, nil
			},
		},
		// jdupes again in the query-after-scan group, so the index's answer
		// has its interleaved ratio to the tool that must re-read the tree.
		toolScenario(DupesQuery, EngineJDupes, peers.JDupes, "",
			func(f *harness.Fixture) ([]string, error) { return peers.JDupesArgs(f.Tree.Root), nil }),
		scanPeakRSS(),
	}
}

// scanPeakRSS runs the built filedex CLI's scan as a child process, each
// repetition into an empty library, and reports the peak RSS the kernel
// recorded for it (getrusage ru_maxrss).
func scanPeakRSS() harness.Scenario {
	return harness.Scenario{
		Name: MemoryScan, Engine: EngineFiledex, Data: harness.Tree,
		Goal: harness.Goal{Metric: "peak_rss", Max: 150e6, Text: "< 150 MB peak RSS (issue 3)"},
		Doc:  "`filedex --json scan TREE` (content mode) as a child process into an empty library: wall time, and peak RSS (the child's own VmHWM from /proc).",
		Setup: func(f *harness.Fixture) (*harness.Bench, error) {
			bin, err := filedexCLI(f)
			if err != nil {
				return nil, err
			}
			dir, err := f.Dir("cli-scan")
			if err != nil {
				return nil, err
			}
			lib := filepath.Join(dir, "lib")
			b := &harness.Bench{Items: int64(f.Tree.Files), ItemUnit: "files"}
			var peaks []float64
			b.Prepare = func(int) error { return os.RemoveAll(lib) }
			b.Op = func(int) error {
				cmd := exec.Command(bin, "--library", lib, "--json", "scan", "--mode", "content", f.Tree.Root)
				var stderr, stdout strings.Builder
				cmd.Stderr, cmd.Stdout = &stderr, &stdout
				if err := cmd.Start(); err != nil {
					return err
				}
				hwm := watchHWM(cmd.Process.Pid)
				err := cmd.Wait()
				peak := hwm()
				out := []byte(stdout.String())
				if err != nil {
					return fmt.Errorf("%s: %v: %s", strings.Join(cmd.Args, " "), err, strings.TrimSpace(stderr.String()))
				}
				var res struct {
					Summary struct {
						Files        int64 `json:"files"`
						WarningCount int64 `json:"warning_count"`
					} `json:"summary"`
				}
				if err := json.Unmarshal(out, &res); err != nil {
					return fmt.Errorf("scan output: %w", err)
				}
				if res.Summary.Files != int64(f.Tree.Files) {
					return fmt.Errorf("CLI scan saw %d files, the tree has %d", res.Summary.Files, f.Tree.Files)
				}
				if res.Summary.WarningCount > 0 {
					return fmt.Errorf("CLI scan: %d warnings", res.Summary.WarningCount)
				}
				if peak == 0 {
					return fmt.Errorf("no VmHWM in /proc/%d/status (Linux only)", cmd.Process.Pid)
				}
				peaks = append(peaks, float64(peak))
				return nil
			}
			b.Close = func() error {
				// Reported after the repetitions: the highest peak of them all,
				// and the spread.
				if len(peaks) > 0 {
					lo, hi := peaks[0], peaks[0]
					for _, p := range peaks {
						lo, hi = min(lo, p), max(hi, p)
					}
					b.Metrics = append(b.Metrics,
						harness.Metric{Name: "peak_rss", Value: hi, Unit: "B"},
						harness.Metric{Name: "peak_rss_min", Value: lo, Unit: "B"},
						harness.Metric{Name: "runs", Value: float64(len(peaks)), Unit: "(warm-up included)"})
				}
				return os.RemoveAll(dir)
			}
			return b, nil
		},
	}
}

// filedexCLI builds cmd/filedex once per fixture (the go build cache makes
// every build after the first a link).
func filedexCLI(f *harness.Fixture) (string, error) {
	v, err := f.Shared("filedex-cli", func() (any, func() error, error) {
		bin := filepath.Join(f.Work, "filedex-cli")
		out, err := exec.Command("go", "build", "-o", bin, "github.com/filedex/filedex/cmd/filedex").CombinedOutput()
		if err != nil {
			return nil, nil, fmt.Errorf("go build cmd/filedex: %v: %s", err, out)
		}
		return bin, nil, nil
	})
	if err != nil {
		return "", err
	}
	return v.(string), nil
}

// watchHWM polls the child's /proc/<pid>/status for VmHWM, its own peak resident set,
// until the returned function is called (after Wait) and gives the last value read in
// bytes (0 if none). The child's rusage cannot be used: Go starts children with
// CLONE_VFORK|CLONE_VM, so at exec Linux records the parent's high-water mark as the
// child's ru_maxrss (the first version reported 903 MiB for a scan of 5,000 files, the size
// of the harness after hosting Node and wazero). VmHWM only rises, so the last read before
// the child exits is its peak up to the last poll.
func watchHWM(pid int) func() int64 {
	var peak atomic.Int64
	done := make(chan struct{})
	stopped := make(chan struct{})
	read := func() {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			return
		}
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				var kib int64
				if _, err := fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), &kib); err == nil && kib*1024 > peak.Load() {
					peak.Store(kib * 1024)
				}
			}
		}
	}
	go func() {
		defer close(stopped)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			read()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		<-stopped
		return peak.Load()
	}
}
