// Command wasiprof finds where a WASI scan spends its time: it scans a tree
// with the native core and with libfiledex.wasm under wazero (wasmhost),
// interleaved, and prints each run and the median ratio; -count tallies the
// WASI calls the guest makes per file; -cpuprofile writes a host-side Go
// profile of the wazero scans (wazero's compiled code and its WASI
// implementation run on the host's goroutine, so pprof sees both).
//
//	go run ./benchmarks/cmd/wasiprof -tree /usr/share/doc -reps 5
//	go run ./benchmarks/cmd/wasiprof -tree /usr/share/doc -count
//
// It measures; it asserts nothing. Run it from the repository (it reads
// build/libfiledex.wasm and caches compiled code in build/wazero-cache).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/core"
	"github.com/filedex/filedex/wasmhost"
)

func main() {
	tree := flag.String("tree", "/usr/share/doc", "directory to scan (never modified)")
	mode := flag.String("mode", "metadata", "scan mode: metadata, content or deep")
	reps := flag.Int("reps", 3, "interleaved repetitions of each engine")
	count := flag.Bool("count", false, "count the WASI calls of one wazero scan (no timing: listeners slow it)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the wazero scans here")
	wasm := flag.String("wasm", "build/libfiledex.wasm", "the reactor")
	cache := flag.String("cache", "build/wazero-cache", `wazero compilation cache ("-": none)`)
	flag.Parse()
	if err := run(*tree, core.IndexMode(*mode), *reps, *count, *cpuprofile, *wasm, *cache); err != nil {
		fmt.Fprintln(os.Stderr, "wasiprof:", err)
		os.Exit(1)
	}
}

func run(tree string, mode core.IndexMode, reps int, count bool, cpuprofile, wasm, cache string) error {
	tree, err := filepath.Abs(tree)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "wasiprof-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	ctx := context.Background()
	if count {
		return countCalls(ctx, tree, mode, work, wasm)
	}
	start := time.Now()
	rt, err := wasmhost.New(ctx, wasmhost.Config{WasmPath: wasm, CacheDir: cache, Stderr: os.Stderr,
		Mounts: []wasmhost.Mount{{HostPath: work}, {HostPath: tree, ReadOnly: true}}})
	if err != nil {
		return err
	}
	defer rt.Close(ctx)
	fmt.Printf("wazero start (compile or cache load, instantiate): %v\n", time.Since(start).Round(time.Millisecond))
	var prof *os.File
	if cpuprofile != "" {
		if prof, err = os.Create(cpuprofile); err != nil {
			return err
		}
		defer prof.Close()
	}
	var ratios []float64
	for k := range reps {
		// Alternate which engine goes first, so neither always meets the
		// other's cache effects.
		var nat, wz time.Duration
		for j := range 2 {
			lib := filepath.Join(work, fmt.Sprintf("lib-%d-%d", k, j))
			var d time.Duration
			var files int64
			if (j+k)%2 == 0 {
				d, files, err = scanNative(ctx, lib, tree, mode)
				nat = d
				fmt.Printf("rep %d native  %8.3f s  %d files\n", k, d.Seconds(), files)
			} else {
				if prof != nil {
					pprof.StartCPUProfile(prof)
				}
				d, files, err = scanWazero(ctx, rt, lib, tree, mode)
				if prof != nil {
					pprof.StopCPUProfile()
					prof = nil // one profile: the first wazero scan
				}
				wz = d
				fmt.Printf("rep %d wazero  %8.3f s  %d files\n", k, d.Seconds(), files)
			}
			if err != nil {
				return err
			}
			os.RemoveAll(lib)
		}
		ratios = append(ratios, wz.Seconds()/nat.Seconds())
	}
	slices.Sort(ratios)
	fmt.Printf("wazero/native: median %.2f× (min %.2f, max %.2f) over %d interleaved pairs\n",
		ratios[len(ratios)/2], ratios[0], ratios[len(ratios)-1], len(ratios))
	return nil
}

func scanNative(ctx context.Context, libDir, tree string, mode core.IndexMode) (time.Duration, int64, error) {
	lib, err := core.Open(libDir, core.Options{})
	if err != nil {
		return 0, 0, err
	}
	defer lib.Close()
	start := time.Now()
	res, err := lib.ScanPath(ctx, tree, mode, nil, core.ScanOptions{})
	d := time.Since(start)
	return d, res.Summary.Files, err
}

func scanWazero(ctx context.Context, rt *wasmhost.Runtime, libDir, tree string, mode core.IndexMode) (time.Duration, int64, error) {
	start := time.Now()
	e, err := rt.Open(ctx, bindings.OpenOptions{Library: libDir})
	if err != nil {
		return 0, 0, err
	}
	defer e.Close()
	fmt.Printf("        wazero open of a new library (migrations in the guest): %.3f s\n", time.Since(start).Seconds())
	req := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"location.scan","params":{"path":%q,"mode":%q}}`, tree, mode)
	start = time.Now()
	resp := e.Call(ctx, []byte(req))
	d := time.Since(start)
	var r struct {
		Result *core.ScanResult `json:"result"`
	}
	if err := json.Unmarshal(resp, &r); err != nil || r.Result == nil || !r.Result.Done {
		return d, 0, fmt.Errorf("location.scan: %.300s", resp)
	}
	return d, r.Result.Summary.Files, nil
}

// countCalls scans once under wazero with a listener on every imported
// (WASI) function and prints the calls per function, per file scanned.
func countCalls(ctx context.Context, tree string, mode core.IndexMode, work, wasm string) error {
	c := &counter{n: map[string]int{}}
	// Listeners are compiled in: the context goes to CompileModule, and the
	// cache is off so the instrumented code is not cached for later runs.
	lctx := experimental.WithFunctionListenerFactory(ctx, c)
	rt, err := wasmhost.New(lctx, wasmhost.Config{WasmPath: wasm, CacheDir: "-", Stderr: os.Stderr,
		Mounts: []wasmhost.Mount{{HostPath: work}, {HostPath: tree, ReadOnly: true}}})
	if err != nil {
		return err
	}
	defer rt.Close(ctx)
	lib := filepath.Join(work, "lib")
	e, err := rt.Open(ctx, bindings.OpenOptions{Library: lib})
	if err != nil {
		return err
	}
	c.reset()
	req := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"location.scan","params":{"path":%q,"mode":%q}}`, tree, mode)
	resp := e.Call(ctx, []byte(req))
	calls := c.snapshot()
	e.Close()
	var r struct {
		Result *core.ScanResult `json:"result"`
	}
	if err := json.Unmarshal(resp, &r); err != nil || r.Result == nil {
		return fmt.Errorf("location.scan: %.300s", resp)
	}
	entries := r.Result.Summary.Files + r.Result.Summary.Dirs
	fmt.Printf("one %s scan: %d files, %d dirs\n", mode, r.Result.Summary.Files, r.Result.Summary.Dirs)
	names := make([]string, 0, len(calls))
	total := 0
	for n, v := range calls {
		names = append(names, n)
		total += v
	}
	sort.Slice(names, func(i, j int) bool { return calls[names[i]] > calls[names[j]] })
	for _, n := range names {
		fmt.Printf("%-28s %9d  %6.2f per entry\n", n, calls[n], float64(calls[n])/float64(entries))
	}
	fmt.Printf("%-28s %9d  %6.2f per entry\n", "total", total, float64(total)/float64(entries))
	return nil
}

type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) reset() { c.mu.Lock(); clear(c.n); c.mu.Unlock() }

func (c *counter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.n)
}

// NewFunctionListener implements experimental.FunctionListenerFactory: only
// host functions (the WASI imports) get a listener.
func (c *counter) NewFunctionListener(def api.FunctionDefinition) experimental.FunctionListener {
	if def.GoFunction() == nil {
		return nil
	}
	name := def.Name()
	if mod := def.ModuleName(); mod != "" && !strings.HasPrefix(mod, "wasi") {
		name = mod + "." + name
	}
	return experimental.FunctionListenerFunc(func(context.Context, api.Module, api.FunctionDefinition, []uint64, experimental.StackIterator) {
		c.mu.Lock()
		c.n[name]++
		c.mu.Unlock()
	})
}
