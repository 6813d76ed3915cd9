package core_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
		var kills, finished, compares int
		start = time.Now()
		for i := 0; i < rounds; i++ {
			k := 1 + r.IntN(max(1, entries/2500)) // the indexer commits every 2000 changes or 300 ms
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
			if done || i%10 == 9 || i == rounds-1 {
				// Resume to the end and compare with the tree, then change the tree so the
				// next rounds kill rescans that move, add and delete.
				res, err := lib.ScanPath(ctx, tree, core.ModeContent, nil, scanOpts())
				if err != nil {
					lib.Close()
					t.Fatalf("round %d: resume: %v", i, err)
				}
				if got := indexed(t, lib, res.Location.ID); !equalLines(t, got, want) {
					lib.Close()
					t.Fatalf("round %d: resumed index differs from the tree", i)
				}
				compares++
				mutateSoakTree(t, tree, r, i)
				want = onDisk(t, tree, true)
			}
			lib.Close()
		}
		t.Logf("scan: %d rounds on %d entries: %d killed mid-scan, %d finished first, %d Check passes, %d resumes equal to the tree, 0 findings, %v",
			rounds, len(want), kills, finished, rounds, compares, time.Since(start).Round(time.Second))
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

// mutateSoakTree moves a directory, deletes a few files and adds a few.
func mutateSoakTree(t *testing.T, root string, r *rand.Rand, round int) {
	t.Helper()
	tops, _ := os.ReadDir(root)
	if len(tops) == 0 {
		return
	}
	top := filepath.Join(root, tops[r.IntN(len(tops))].Name())
	subs, _ := os.ReadDir(top)
	if len(subs) > 1 {
		from := filepath.Join(top, subs[r.IntN(len(subs))].Name())
		os.Rename(from, filepath.Join(root, fmt.Sprintf("moved-%d", round)))
		files, _ := os.ReadDir(filepath.Join(top, subs[0].Name()))
		for i, f := range files {
			if i%7 == 0 && !strings.HasPrefix(f.Name(), ".") {
				os.Remove(filepath.Join(top, subs[0].Name(), f.Name()))
			}
		}
	}
	for i := 0; i < 20; i++ {
		write(t, filepath.Join(root, fmt.Sprintf("new-%d", round), fmt.Sprintf("n%02d", i)), []byte(fmt.Sprint(round, i)))
	}
}
