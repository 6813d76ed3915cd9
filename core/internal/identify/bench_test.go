package identify_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/filedex/filedex/core/internal/identify"
	"github.com/filedex/filedex/core/internal/walk"
)

type job struct {
	path, name string
	want       identify.Expect
}

// BenchmarkTree walks $FILEDEX_BENCH_TREE (else /usr) and identifies every
// non-empty regular file with a pool of workers: the content phase of a
// scan without its database writes. The walk is included.
func BenchmarkTree(b *testing.B) {
	tree := os.Getenv("FILEDEX_BENCH_TREE")
	if tree == "" {
		tree = "/usr"
	}
	if _, err := os.Stat(tree); err != nil {
		b.Skipf("no tree: %v", err)
	}
	for _, deep := range []identify.Deep{false, true} {
		b.Run(fmt.Sprintf("deep=%v", deep), func(b *testing.B) {
			var files, bytes, failed atomic.Int64
			for b.Loop() {
				files.Store(0)
				bytes.Store(0)
				failed.Store(0)
				jobs := make(chan job, 256)
				var wg sync.WaitGroup
				for range 4 {
					wg.Go(func() {
						for j := range jobs {
							if _, err := identify.File(j.path, j.name, j.want, deep); err != nil {
								failed.Add(1)
								continue
							}
							files.Add(1)
							bytes.Add(j.want.Size)
						}
					})
				}
				w, _ := walk.New(walk.Options{})
				_, err := w.WalkAfter(context.Background(), tree, nil, func(bt *walk.Batch) error {
					dir := filepath.Join(tree, filepath.FromSlash(bt.Path))
					for _, e := range bt.Entries {
						if e.Type == walk.File && e.Size > 0 {
							name := string(e.Name)
							jobs <- job{filepath.Join(dir, name), name, identify.Expect{Size: e.Size, Mtime: e.Mtime}}
						}
					}
					return nil
				})
				close(jobs)
				wg.Wait()
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(files.Load()), "files")
			b.ReportMetric(float64(failed.Load()), "failed")
			b.ReportMetric(float64(files.Load())*float64(b.N)/b.Elapsed().Seconds(), "files/s")
			b.ReportMetric(float64(bytes.Load())/(1<<20), "MiB")
		})
	}
}
