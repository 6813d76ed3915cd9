// Command go-embed shows filedex embedded in a Go program: it indexes a
// directory into a library and prints the duplicate groups.
//
//	go run ./examples/go LIBRARY_DIR DIR
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/filedex/filedex/core"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go-embed LIBRARY_DIR DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "go-embed:", err)
		os.Exit(1)
	}
}

func run(libraryDir, dir string, w io.Writer) error {
	lib, err := core.Open(libraryDir, core.Options{}) // created and migrated if needed
	if err != nil {
		return err
	}
	defer lib.Close()
	ctx := context.Background()

	// Add dir as a location (if it is not one) and index it to completion.
	res, err := lib.ScanPath(ctx, dir, core.ModeContent, nil, core.ScanOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "indexed %d files, %d bytes\n", res.Summary.Files, res.Summary.Bytes)

	// Duplicate groups, most wasted bytes first.
	dupes, err := lib.Duplicates().Groups(ctx, core.DupesQuery{}, core.Page{Limit: 10})
	if err != nil {
		return err
	}
	for _, g := range dupes.Groups {
		fmt.Fprintf(w, "%d copies of %d bytes: %v\n", g.Count, g.Size, g.Paths)
	}
	fmt.Fprintf(w, "%d bytes wasted in total\n", dupes.TotalWastedBytes)
	return nil
}
