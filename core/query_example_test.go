package core_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/filedex/filedex/core"
)

// exampleLibrary opens a library over a small tree that exists on disk and in the index:
//
//	docs/            holiday report 2024.pdf (5 B), notes.txt
//	docs/old/        report.pdf (same content as the first: a duplicate)
//	photos/          IMG_2024_001.jpg (2 MiB)
func exampleLibrary() (lib *core.Library, root string, cleanup func()) {
	ctx := context.Background()
	tmp, _ := os.MkdirTemp("", "filedex-example")
	root = filepath.Join(tmp, "files")
	lib, err := core.Open(filepath.Join(tmp, "library"), core.Options{})
	if err != nil {
		log.Fatal(err)
	}
	cleanup = func() { lib.Close(); os.RemoveAll(tmp) }
	for _, d := range []string{"docs/old", "photos"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: root})
	if err != nil {
		log.Fatal(err)
	}
	root = loc.Path
	ids := map[string]int64{"": loc.RootID}
	for _, f := range []struct {
		rel  string
		size int64
		cas  string
	}{{"docs/", 0, ""}, {"docs/old/", 0, ""}, {"photos/", 0, ""}, {"docs/holiday report 2024.pdf", 5, "00000000000000aa"},
		{"docs/notes.txt", 3, ""}, {"docs/old/report.pdf", 5, "00000000000000aa"}, {"photos/IMG_2024_001.jpg", 2 << 20, ""}} {
		rel := strings.TrimSuffix(f.rel, "/")
		in := core.EntryInput{ParentID: ids[parentRel(rel)], Name: filepath.Base(rel), Size: f.size, CasID: f.cas}
		if strings.HasSuffix(f.rel, "/") {
			in.Kind = core.KindDirectory
		} else {
			os.WriteFile(filepath.Join(root, rel), make([]byte, f.size), 0o644)
		}
		e, err := lib.Entries().Create(ctx, in)
		if err != nil {
			log.Fatal(err)
		}
		ids[rel] = e.ID
	}
	return lib, root, cleanup
}

func ExampleEntries_Find() {
	lib, _, cleanup := exampleLibrary()
	defer cleanup()
	ctx := context.Background()
	for _, q := range []core.FindQuery{
		{Name: "*.pdf"},                  // glob: the extension index drives it
		{Text: "rep*"},                   // full-text prefix, ranked by BM25
		{Text: "holiday 2024"},           // every word, any order
		{MinSize: ptrTo[int64](1 << 20)}, // the partial index of files ≥ 1 MiB
	} {
		es, next, err := lib.Entries().Find(ctx, q, core.Page{Limit: 10})
		if err != nil {
			log.Fatal(err)
		}
		for _, e := range es {
			fmt.Print(e.Name, "; ")
		}
		fmt.Println(next == "")
	}
	// Output:
	// holiday report 2024.pdf; report.pdf; true
	// report.pdf; holiday report 2024.pdf; true
	// holiday report 2024.pdf; true
	// IMG_2024_001.jpg; true
}

func ExampleEntries_List() {
	lib, root, cleanup := exampleLibrary()
	defer cleanup()
	ctx := context.Background()
	dir, _ := lib.Entries().Resolve(ctx, filepath.Join(root, "docs"))
	es, _, _ := lib.Entries().List(ctx, dir, core.ListOptions{DirsFirst: true}, core.Page{})
	for _, e := range es {
		fmt.Println(e.Kind, e.Name)
	}
	// Output:
	// directory old
	// file holiday report 2024.pdf
	// file notes.txt
}

func ExampleEntries_Stats() {
	lib, root, cleanup := exampleLibrary()
	defer cleanup()
	ctx := context.Background()
	dir, _ := lib.Entries().Resolve(ctx, filepath.Join(root, "docs"))
	st, _ := lib.Entries().Stats(ctx, dir)
	fmt.Printf("%+v\n", st)
	// Output: {Files:3 Dirs:1 Symlinks:0 Bytes:13 HardLinks:0}
}

func ExampleEntries_Move() {
	lib, root, cleanup := exampleLibrary()
	defer cleanup()
	ctx := context.Background()
	e, err := lib.Entries().Move(ctx, filepath.Join(root, "docs"), filepath.Join(root, "photos", "papers"))
	if err != nil {
		log.Fatal(err)
	}
	p, _ := lib.Entries().Resolve(ctx, filepath.Join(root, "photos", "papers", "old", "report.pdf"))
	path, _ := lib.Entries().Path(ctx, p)
	fmt.Println(e.DirPath, strings.TrimPrefix(path, root))
	_, err = lib.Entries().Move(ctx, filepath.Join(root, "photos"), filepath.Join(root, "photos", "papers", "loop"))
	fmt.Println(err)
	// Output:
	// photos/papers /photos/papers/old/report.pdf
	// entry.move: dst: invalid argument: cannot move a directory into itself
}

func ExampleDuplicates_Groups() {
	lib, root, cleanup := exampleLibrary()
	defer cleanup()
	res, err := lib.Duplicates().Groups(context.Background(), core.DupesQuery{Verify: true}, core.Page{})
	if err != nil {
		log.Fatal(err)
	}
	for _, g := range res.Groups {
		fmt.Println(g.CasID, g.Count, g.WastedBytes, g.Verified)
		for _, p := range g.Paths {
			fmt.Println(" ", strings.TrimPrefix(p, root))
		}
	}
	fmt.Println(res.TotalWastedBytes)
	// Output:
	// 00000000000000aa 2 5 true
	//   /docs/holiday report 2024.pdf
	//   /docs/old/report.pdf
	// 5
}

func ExampleUsage_Tree() {
	lib, root, cleanup := exampleLibrary()
	defer cleanup()
	tree, _ := lib.Usage().Tree(context.Background(), root, 1)
	for _, d := range tree {
		fmt.Println(d.Depth, strings.TrimPrefix(d.Path, root), d.Files, d.Bytes)
	}
	large, _ := lib.Usage().LargeFiles(context.Background(), 1<<20, 10)
	fmt.Println(strings.TrimPrefix(large[0].Path, root), large[0].Files, large[0].Bytes)
	// Output:
	// 0  4 2097165
	// 1 /docs 3 13
	// 1 /photos 1 2097152
	// /photos 1 2097152
}
