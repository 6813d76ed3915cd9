// Command storexp builds a benchmark library of -n entries into -dir (scratch tool).
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/filedex/filedex/benchmarks/corelib"
	"github.com/filedex/filedex/benchmarks/dataset"
)

func main() {
	n := flag.Int("n", 100000, "entries")
	dir := flag.String("dir", "", "target")
	flag.Parse()
	ld, err := corelib.Load(*dir, dataset.NewLibrary(dataset.LibrarySpec{Entries: *n, Seed: 1}))
	if err != nil {
		log.Fatal(err)
	}
	defer ld.Close()
	fmt.Printf("entries %d file %d B/entry %.1f load %s\n", ld.Entries, ld.FileBytes, float64(ld.FileBytes)/float64(ld.Entries), ld.LoadTime)
	for _, o := range ld.Stats.Objects {
		b := ld.Stats.Bytes(o)
		if float64(b)/float64(ld.Entries) >= 0.5 {
			fmt.Printf("%-32s %8.1f\n", o.Name, float64(b)/float64(ld.Entries))
		}
	}
}
