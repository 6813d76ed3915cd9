// Command scanbench scans a tree into a fresh library and reports the wall time of each
// scan: the driver behind the indexer figures in RATIONALE.md ("The indexer").
//
//	go run ./internal/scanbench -tree /usr -mode metadata -rescan -cpuprofile /tmp/perf-cpu.out
//
// The library goes to a new directory under -dir (default /tmp/perf-lib-*), deleted at the
// end unless -keep. CPU profiles are less sensitive to a loaded machine than wall time.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime/pprof"
	"time"

	"github.com/filedex/filedex/core"
)

func main() {
	tree := flag.String("tree", "/usr", "tree to scan")
	mode := flag.String("mode", "metadata", "index mode: metadata, content or deep")
	dir := flag.String("dir", "/tmp", "parent directory of the fresh library")
	rescan := flag.Bool("rescan", false, "scan again (unchanged) after the first scan")
	only := flag.Bool("profile-rescan", false, "profile only the rescan")
	cpu := flag.String("cpuprofile", "", "write a CPU profile here")
	keep := flag.Bool("keep", false, "keep the library")
	flag.Parse()

	lib, err := os.MkdirTemp(*dir, "perf-lib-")
	if err != nil {
		log.Fatal(err)
	}
	if !*keep {
		defer os.RemoveAll(lib)
	}
	l, err := core.Open(lib, core.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	var stop func()
	startProf := func() {
		if *cpu == "" {
			return
		}
		f, err := os.Create(*cpu)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		stop = func() { pprof.StopCPUProfile(); f.Close() }
	}
	if !*only {
		startProf()
	}
	t := time.Now()
	res, err := l.ScanPath(ctx, *tree, core.IndexMode(*mode), nil, core.ScanOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("scan %s %s: %.2fs added=%d files=%d dirs=%d hashed=%d warnings=%d\n", *mode, *tree,
		time.Since(t).Seconds(), res.Summary.Added, res.Summary.Files, res.Summary.Dirs, res.Progress.Hashed, res.Summary.WarningCount)
	if *rescan {
		if *only {
			startProf()
		}
		t = time.Now()
		res, err = l.ScanPath(ctx, *tree, core.IndexMode(*mode), nil, core.ScanOptions{})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("rescan: %.2fs added=%d updated=%d\n", time.Since(t).Seconds(), res.Summary.Added, res.Summary.Updated)
	}
	if stop != nil {
		stop()
	}
}
