package walk_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/filedex/filedex/core/internal/walk"
)

func ExampleWalker_WalkAfter() {
	root, _ := os.MkdirTemp("", "walk-example")
	defer os.RemoveAll(root)
	os.MkdirAll(filepath.Join(root, "docs", "old"), 0o755)
	os.WriteFile(filepath.Join(root, "docs", "a.txt"), []byte("hello"), 0o644)
	os.WriteFile(filepath.Join(root, "docs", "old", "b.tmp"), nil, 0o644)
	os.Symlink("docs", filepath.Join(root, "link"))

	w, err := walk.New(walk.Options{Ignore: []string{"*.tmp"}})
	if err != nil {
		panic(err)
	}
	stats, err := w.WalkAfter(context.Background(), root, nil, func(b *walk.Batch) error {
		// Parents arrive before their children; names are only valid here.
		for _, e := range b.Entries {
			fmt.Printf("%q %s\n", walk.Join(b.Path, string(e.Name)), e.Type)
		}
		return nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d dirs, %d files, %d symlinks, %d ignored\n", stats.Dirs, stats.Files, stats.Symlinks, stats.Ignored)
	// Output:
	// "docs" directory
	// "link" symlink
	// "docs/a.txt" file
	// "docs/old" directory
	// 2 dirs, 1 files, 1 symlinks, 1 ignored
}
