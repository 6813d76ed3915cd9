package core_test

import (
	"context"
	"os"
	"testing"

	"github.com/filedex/filedex/core"
)

// BenchmarkSync_Ship: A's first scan of $FILEDEX_SYNC_TREE (default /usr/share/doc) exported
// and applied to B, without a network (the core's share of propagation).
func BenchmarkSync_Ship(b *testing.B) {
	tree := os.Getenv("FILEDEX_SYNC_TREE")
	if tree == "" {
		tree = "/usr/share/doc"
	}
	if _, err := os.Stat(tree); err != nil {
		b.Skipf("no %s", tree)
	}
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		t := &testing.T{}
		_ = t
		libs := joinedB(b, "A", "B")
		if _, err := libs[0].ScanPath(ctx, tree, core.ModeMetadata, nil, core.ScanOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		since := int64(0)
		for {
			ex, err := libs[0].SyncExport(ctx, since, 500)
			if err != nil {
				b.Fatal(err)
			}
			if len(ex.Messages) == 0 {
				break
			}
			if _, err := libs[1].SyncApply(ctx, ex.Messages); err != nil {
				b.Fatal(err)
			}
			since = ex.Messages[len(ex.Messages)-1].Seq
		}
	}
}

func joinedB(b *testing.B, names ...string) []*core.Library {
	ctx := context.Background()
	var libs []*core.Library
	for i, n := range names {
		d := core.NamedDevice(n)
		l, err := core.Open(b.TempDir()+"/"+n, core.Options{Device: &d})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { l.Close() })
		if i > 0 {
			ex, _ := libs[0].SyncExport(ctx, 0, 1)
			if err := l.SyncJoin(ctx, ex.Library, ex.Home); err != nil {
				b.Fatal(err)
			}
		}
		libs = append(libs, l)
	}
	return libs
}
