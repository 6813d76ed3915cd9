package core_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/filedex/filedex/core"
)

func Example() {
	ctx := context.Background()
	tmp, _ := os.MkdirTemp("", "filedex-example")
	defer os.RemoveAll(tmp)
	photos := filepath.Join(tmp, "Photos")
	os.Mkdir(photos, 0o755)

	lib, err := core.Open(filepath.Join(tmp, "library"), core.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer lib.Close()

	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: photos})
	if err != nil {
		log.Fatal(err)
	}
	root, _ := lib.Entries().Get(ctx, loc.RootID)
	fmt.Println(root.Name, root.Kind)
	// Output: Photos directory
}

func ExampleTags_Apply() {
	ctx := context.Background()
	tmp, _ := os.MkdirTemp("", "filedex-example")
	defer os.RemoveAll(tmp)
	lib, err := core.Open(filepath.Join(tmp, "library"), core.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer lib.Close()
	loc, _ := lib.Locations().Create(ctx, core.LocationInput{Path: tmp})
	f, _ := lib.Entries().Create(ctx, core.EntryInput{ParentID: loc.RootID, Name: "report.pdf", Size: 1})

	tag, _ := lib.Tags().Create(ctx, core.TagInput{Name: "Important", Color: "#FF0000"})
	lib.Tags().Apply(ctx, tag.ID, f.ID)

	f, _ = lib.Entries().Get(ctx, f.ID)
	fmt.Println(f.Name, f.Metadata.Tags)
	// Output: report.pdf [Important]
}

func ExampleOpen_reproducible() {
	tmp, _ := os.MkdirTemp("", "filedex-example")
	defer os.RemoveAll(tmp)
	opts := core.Options{Clock: core.FixedClock(t0), UUIDs: core.SeededUUIDs(42)}
	lib, err := core.Open(filepath.Join(tmp, "library"), opts)
	if err != nil {
		log.Fatal(err)
	}
	defer lib.Close()
	info, _ := lib.Info(context.Background())
	fmt.Println(info.UUID, info.CreatedAt)
	// Output: 01955193-de00-70b8-a951-456a3a7440d6 2025-03-01 12:00:00 +0000 UTC
}
