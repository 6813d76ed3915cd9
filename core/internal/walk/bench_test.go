package walk_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"testing"

	"github.com/filedex/filedex/core/internal/walk"
)

// benchTree is the tree the benchmarks walk: $FILEDEX_BENCH_TREE, else /usr.
func benchTree(b *testing.B) string {
	tree := os.Getenv("FILEDEX_BENCH_TREE")
	if tree == "" {
		tree = "/usr"
	}
	if _, err := os.Stat(tree); err != nil {
		b.Skipf("no tree to walk: %v", err)
	}
	return tree
}

// BenchmarkWalk walks the tree with full metadata per entry, the indexer's
// discovery phase. Compare with BenchmarkFind, the floor a metadata scan is
// measured against.
func BenchmarkWalk(b *testing.B) {
	tree := benchTree(b)
	for _, workers := range []int{1, 2, 4, 8} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			w, err := walk.New(walk.Options{Workers: workers})
			if err != nil {
				b.Fatal(err)
			}
			var st walk.Stats
			for b.Loop() {
				st, err = w.WalkAfter(context.Background(), tree, nil, func(*walk.Batch) error { return nil })
				if err != nil {
					b.Fatal(err)
				}
			}
			n := st.Files + st.Dirs + st.Symlinks
			b.ReportMetric(float64(n), "entries")
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// BenchmarkFind runs find TREE -printf '%p %s %T@ %i\n' to /dev/null.
func BenchmarkFind(b *testing.B) {
	tree := benchTree(b)
	if _, err := exec.LookPath("find"); err != nil {
		b.Skip("find not installed")
	}
	for b.Loop() {
		cmd := exec.Command("find", tree, "-printf", `%p %s %T@ %i\n`)
		cmd.Stdout = io.Discard
		if err := cmd.Run(); err != nil {
			b.Logf("find: %v (permission errors are expected)", err)
		}
	}
}
