package core_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/filedex/filedex/core"
)

// TestSoak is `make soak`: long kill-and-resume runs, skipped by `go test` and `make test`.
// Configured by the environment (the Makefile passes its variables through):
//
//	FILEDEX_SOAK_ROUNDS   kill rounds per part (0 = skip the test)
//	FILEDEX_SOAK_ENTRIES  files in the scanned tree (default 100000)
//	FILEDEX_SOAK_SEED     seeds every random choice, so a failing run can be replayed
//
// It prints its tallies with t.Log (run with -v) and fails on the first finding.
func TestSoak(t *testing.T) {
	rounds := envInt("FILEDEX_SOAK_ROUNDS", 0)
	if rounds == 0 {
		t.Skip("soak runs only from `make soak` (FILEDEX_SOAK_ROUNDS)")
	}
	entries := envInt("FILEDEX_SOAK_ENTRIES", 100000)
	seed := uint64(envInt("FILEDEX_SOAK_SEED", 1))

	t.Run("tag edits", func(t *testing.T) {
		r := rand.New(rand.NewPCG(seed, 1))
		dir, root := newCrashLibrary(t)
		start := time.Now()
		for i := 0; i < rounds; i++ {
			killDuringTagEdits(t, dir, root, r.IntN(30))
		}
		t.Logf("tag edits: %d kill rounds, %d Check passes, 0 findings, %v", rounds, rounds, time.Since(start).Round(time.Second))
	})

	t.Run("scan", func(t *testing.T) {
		r := rand.New(rand.NewPCG(seed, 2))
		tree := filepath.Join(t.TempDir(), "tree")
		start := time.Now()
		makeSoakTree(t, tree, entries, r)
		want := onDisk(t, tree, true)
		t.Logf("tree: %d entries on disk, made in %v", len(want), time.Since(start).Round(time.Millisecond))
		dir := filepath.Join(t.TempDir(), "lib")
		// Even rounds kill a first scan into a new library; odd rounds kill the rescan of a
		// tree changed by thousands of adds, deletes, edits and a move. The kill point is
		// drawn below the number of commits the last uninterrupted scan of the same kind
		// made, so rounds end mid-scan rather than after it (the first version drew it from
		// a fixed range and 97 of 100 rounds killed a scan that had already finished).
		span := map[bool]int{true: max(2, entries/2000), false: 2}
		var kills, finished int
		start = time.Now()
		for i := 0; i < rounds; i++ {
			first := i%2 == 0
			if first {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
			} else {
				churnSoakTree(t, tree, r, i)
				want = onDisk(t, tree, true)
			}
			k := 1 + r.IntN(max(1, span[first]-1))
			h := startHelper(t, "scan", dir, tree)
			commits, done := 0, false
			for commits < k && !done {
				switch l := h.next(t); l {
				case "commit":
					commits++
				case "done":
					done = true
				}
			}
			h.kill()
			if done {
				finished++
				span[first] = max(2, commits)
			} else {
				kills++
			}
			lib, err := core.Open(dir, core.Options{})
			if err != nil {
				t.Fatalf("round %d: open after SIGKILL at commit %d: %v", i, k, err)
			}
			rep, err := lib.Check(ctx)
			if err != nil || !rep.OK {
				lib.Close()
				t.Fatalf("round %d: check after SIGKILL at commit %d: %v %+v", i, k, err, rep.Problems)
			}
			// Resume to the end: the library must be exactly the tree.
			res, err := lib.ScanPath(ctx, tree, core.ModeContent, nil, scanOpts())
			if err != nil {
				lib.Close()
				t.Fatalf("round %d: resume: %v", i, err)
			}
			if got := indexed(t, lib, res.Location.ID); !equalLines(t, got, want) {
				lib.Close()
				t.Fatalf("round %d: resumed index differs from the tree", i)
			}
			lib.Close()
			if i%10 == 9 {
				t.Logf("scan: %d rounds, %d killed mid-scan, %v", i+1, kills, time.Since(start).Round(time.Second))
			}
		}
		t.Logf("scan: %d rounds on %d entries (%d first scans, %d rescans): %d killed mid-scan, %d finished first, %d Check passes, %d resumes equal to the tree, 0 findings, %v",
			rounds, len(want), (rounds+1)/2, rounds/2, kills, finished, rounds, rounds, time.Since(start).Round(time.Second))
		if kills < rounds*3/4 {
			t.Errorf("only %d of %d rounds were killed mid-scan: the soak proves too little", kills, rounds)
		}
	})
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// makeSoakTree writes n small files, 100 per directory, two directory levels.
func makeSoakTree(t *testing.T, root string, n int, r *rand.Rand) {
	t.Helper()
	for i := 0; i < n; i++ {
		d := filepath.Join(root, fmt.Sprintf("d%03d", i/5000), fmt.Sprintf("s%03d", i/100%50))
		if i%100 == 0 {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		b := make([]byte, r.IntN(64))
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("f%05d.dat", i)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// churnSoakTree changes the tree so a rescan has thousands of rows to write: one
// directory moved (a move, not delete + add), the files of 20 directories deleted, 2,000
// files added in a new directory, and 1,000 files rewritten with a different size.
func churnSoakTree(t *testing.T, root string, r *rand.Rand, round int) {
	t.Helper()
	var dirs, files []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == root {
			return nil
		}
		if d.IsDir() {
			dirs = append(dirs, p)
		} else {
			files = append(files, p)
		}
		return nil
	})
	for i := 0; i < 1000 && len(files) > 0; i++ {
		b := make([]byte, 64+r.IntN(64))
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		if err := os.WriteFile(files[r.IntN(len(files))], b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 20 && len(dirs) > 0; i++ {
		d := dirs[r.IntN(len(dirs))]
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			if !e.IsDir() {
				os.Remove(filepath.Join(d, e.Name()))
			}
		}
	}
	if len(dirs) > 0 {
		d := dirs[r.IntN(len(dirs))]
		os.Rename(d, filepath.Join(root, fmt.Sprintf("moved-%d", round)))
	}
	for i := 0; i < 2000; i++ {
		write(t, filepath.Join(root, fmt.Sprintf("new-%d", round), fmt.Sprintf("s%02d", i/100), fmt.Sprintf("n%04d", i)), []byte(fmt.Sprint(round, i)))
	}
}
