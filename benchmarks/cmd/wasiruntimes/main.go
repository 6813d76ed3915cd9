// Command wasiruntimes measures filedex's WASI builds under the three WASI
// runtimes it is tested on (wazero through wasmhost, Node's node:wasi through
// examples/node, wasmtime through build/wasmtimerun) against native, and the
// floor under them: a pure-SQLite probe (internal/wasifloor) built natively
// and for wasip1. Each suite runs -reps times, the engines alternating, and
// prints every run, the median, the spread (min–max) and the median's ratio
// to native measured in the same run.
//
//	make wasm wasmtime && go build -o build/wasifloor ./internal/wasifloor &&
//	GOOS=wasip1 GOARCH=wasm go build -tags sqlite3_dotlk -o build/wasifloor.wasm ./internal/wasifloor &&
//	go run ./benchmarks/cmd/wasiruntimes -tree $(go env GOROOT) -reps 3
//
// Suites:
//   - floor: wasifloor's in-guest time (inserts, point lookups, aggregates).
//   - scan-call: one location.scan (metadata) of -tree through the reactor
//     (wasmhost in process; wasmtimerun rpc and filedex.mjs rpc as children,
//     which time their calls themselves, start-up excluded).
//   - scan-cli: `filedex scan --mode metadata TREE` as a user runs it: the
//     native CLI, `--engine wasi` (wazero), and filedex.wasm as a WASI
//     command under wasmtime and Node. Wall time of the whole process.
//   - queries: a fixed script of queries on the scanned library, through the
//     reactor as in scan-call.
//
// It measures; it asserts nothing. Run it from the repository root.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/wasmhost"
)

var (
	tree   = flag.String("tree", "", "directory to scan (never modified); default GOROOT")
	reps   = flag.Int("reps", 3, "repetitions of each suite, engines alternating")
	suites = flag.String("suites", "floor,scan-call,scan-cli,queries", "comma-separated suites")
	only   = flag.String("engines", "native,wazero,node,wasmtime", "comma-separated engines")
	lib    = flag.String("libwasm", "build/libfiledex.wasm", "the reactor")
	cmd    = flag.String("cmdwasm", "build/filedex.wasm", "the CLI as a WASI command")
	floorW = flag.String("floorwasm", "build/wasifloor.wasm", "the probe for wasip1")
)

func main() {
	flag.Parse()
	if *tree == "" {
		out, err := exec.Command("go", "env", "GOROOT").Output()
		if err != nil {
			fail(err)
		}
		*tree = strings.TrimSpace(string(out))
	}
	abs, err := filepath.Abs(*tree)
	if err != nil {
		fail(err)
	}
	*tree = abs
	engines := strings.Split(*only, ",")
	fmt.Printf("# wasiruntimes %s, tree %s, %d reps\n", time.Now().UTC().Format(time.RFC3339), *tree, *reps)
	for _, s := range strings.Split(*suites, ",") {
		times := map[string][]time.Duration{}
		cpus := map[string][]time.Duration{}
		for r := 0; r < *reps; r++ {
			order := engines
			if r%2 == 1 { // alternate the order so drift does not favour one engine
				order = slices.Clone(engines)
				slices.Reverse(order)
			}
			for _, e := range order {
				d, err := runSuite(s, e)
				if err != nil {
					fail(fmt.Errorf("%s/%s: %w", s, e, err))
				}
				fmt.Printf("%-10s %-9s rep %d: %v (cpu %v)\n", s, e, r+1, d.wall.Round(time.Millisecond), d.cpu.Round(time.Millisecond))
				times[e] = append(times[e], d.wall)
				cpus[e] = append(cpus[e], d.cpu)
			}
		}
		for _, e := range engines {
			ts := times[e]
			m := median(ts)
			ratio := ""
			if n := times["native"]; len(n) > 0 {
				ratio = fmt.Sprintf("  ×native %.2f", float64(m)/float64(median(n)))
			}
			cs := cpus[e]
			mc := median(cs)
			if n := cpus["native"]; len(n) > 0 {
				ratio += fmt.Sprintf("  | cpu median %v spread %v–%v ×native %.2f", mc.Round(time.Millisecond),
					slices.Min(cs).Round(time.Millisecond), slices.Max(cs).Round(time.Millisecond), float64(mc)/float64(median(n)))
			}
			fmt.Printf("= %-10s %-9s median %8v  spread %v–%v%s\n", s, e, m.Round(time.Millisecond),
				slices.Min(ts).Round(time.Millisecond), slices.Max(ts).Round(time.Millisecond), ratio)
		}
	}
}

// nodeFlag: Node 20.20 aborted (SIGABRT, in node::wasi's poll_oneoff fast
// API callback) in about one run of three of these suites; V8's fast API
// calls off, it did not.
const nodeFlag = "--no-turbo-fast-api-calls"

func fail(err error) {
	fmt.Fprintln(os.Stderr, "wasiruntimes:", err)
	os.Exit(1)
}

// sample is one run: wall time, and the CPU time (user+system) of the
// process doing the work: the child's, or this process's for engines that
// run in it. On a shared machine CPU time is the steadier of the two.
type sample struct{ wall, cpu time.Duration }

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func childCPU(c *exec.Cmd) time.Duration {
	return c.ProcessState.UserTime() + c.ProcessState.SystemTime()
}

func median(ts []time.Duration) time.Duration {
	s := slices.Clone(ts)
	slices.Sort(s)
	return s[len(s)/2]
}

func abs(p string) string { a, _ := filepath.Abs(p); return a }

// runSuite runs one suite once on engine.
func runSuite(suite, engine string) (sample, error) {
	dir, err := os.MkdirTemp("", "wasiruntimes-")
	if err != nil {
		return sample{}, err
	}
	defer os.RemoveAll(dir)
	libDir := filepath.Join(dir, "lib")
	if err := os.Mkdir(libDir, 0o755); err != nil {
		return sample{}, err
	}
	switch suite {
	case "floor":
		return floor(engine, dir)
	case "scan-call":
		return reactor(engine, libDir, []string{scanReq()})
	case "scan-cli":
		return cli(engine, libDir)
	case "queries":
		// The library is scanned natively first (untimed); then the queries.
		if _, err := reactor("native", libDir, []string{scanReq()}); err != nil {
			return sample{}, err
		}
		return reactor(engine, libDir, queryReqs())
	}
	return sample{}, fmt.Errorf("unknown suite %q", suite)
}

func scanReq() string {
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "location.scan", "params": map[string]any{"path": *tree, "mode": "metadata"}})
	return string(b)
}

// queryReqs: listings, lookups, finds and tree queries, each answered from
// the index alone.
func queryReqs() []string {
	var out []string
	add := func(method string, params map[string]any) {
		b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": len(out) + 1, "method": method, "params": params})
		out = append(out, string(b))
	}
	for _, sub := range []string{"src", "src/runtime", "src/cmd", "src/net/http", "pkg", "lib", "misc", "api", "test"} {
		p := filepath.Join(*tree, sub)
		for range 10 {
			add("entry.list", map[string]any{"path": p, "limit": 50})
			add("tree.stats", map[string]any{"path": p})
		}
	}
	for _, x := range []string{"go", "s", "txt", "md", "json", "h", "c"} {
		for range 10 {
			add("entry.find", map[string]any{"ext": []string{x}, "limit": 50})
		}
	}
	for range 20 {
		add("entry.find", map[string]any{"name": "*_test.go", "limit": 200})
		add("tree.large_files", map[string]any{"min_size": 1 << 20, "limit": 50})
		add("entry.get", map[string]any{"path": filepath.Join(*tree, "src", "runtime", "proc.go")})
	}
	return out
}

func options(libDir string) bindings.OpenOptions { return bindings.OpenOptions{Library: libDir} }

// reactor sends reqs to one library through engine's reactor and returns
// the time of the calls alone.
func reactor(engine, libDir string, reqs []string) (sample, error) {
	ctx := context.Background()
	check := func(resp []byte) error {
		if !bytes.Contains(resp, []byte(`"result"`)) {
			return fmt.Errorf("response %.300s", resp)
		}
		return nil
	}
	switch engine {
	case "native", "wazero":
		var e bindings.Engine
		var err error
		if engine == "native" {
			e, err = bindings.OpenNative(options(libDir))
		} else {
			e, err = wasmhost.Open(ctx, wasmhost.Config{WasmPath: abs(*lib), CacheDir: abs("build/wazero-cache"), Uncancellable: true,
				Mounts: []wasmhost.Mount{{HostPath: filepath.Dir(libDir)}, {HostPath: *tree, ReadOnly: true}}}, options(libDir))
		}
		if err != nil {
			return sample{}, err
		}
		defer e.Close()
		start, cpu := time.Now(), selfCPU()
		for _, r := range reqs {
			if err := check(e.Call(ctx, []byte(r))); err != nil {
				return sample{}, err
			}
		}
		return sample{time.Since(start), selfCPU() - cpu}, nil
	}
	// A child process (wasmtimerun rpc, filedex.mjs rpc) times its calls
	// itself with FILEDEX_RPC_TIMING, start-up (module load, Go runtime,
	// library open) excluded.
	o, _ := json.Marshal(options(libDir))
	dirs := []string{filepath.Dir(libDir), *tree}
	var c *exec.Cmd
	if engine == "wasmtime" {
		c = exec.Command(abs("build/wasmtimerun"), append([]string{"-cache", abs("build/wasmtime-cache"), "rpc", abs(*lib), string(o)}, dirs...)...)
	} else {
		c = exec.Command("node", append([]string{nodeFlag, "--no-warnings", abs("examples/node/filedex.mjs"), "rpc", abs(*lib), string(o)}, dirs...)...)
	}
	c.Env = append(os.Environ(), "FILEDEX_RPC_TIMING=1")
	c.Stdin = strings.NewReader(strings.Join(reqs, "\n") + "\n")
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		return sample{}, fmt.Errorf("%v: %s", err, errb.String())
	}
	for _, l := range bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n")) {
		if err := check(l); err != nil {
			return sample{}, err
		}
	}
	var wallMS, cpuMS float64
	i := strings.LastIndex(errb.String(), "rpc-timing ")
	if i < 0 {
		return sample{}, fmt.Errorf("no rpc-timing line: %s", errb.String())
	}
	if _, err := fmt.Sscanf(errb.String()[i:], "rpc-timing wall_ms=%g cpu_ms=%g", &wallMS, &cpuMS); err != nil {
		return sample{}, fmt.Errorf("rpc-timing: %v: %s", err, errb.String()[i:])
	}
	return sample{time.Duration(wallMS * float64(time.Millisecond)), time.Duration(cpuMS * float64(time.Millisecond))}, nil
}

// cli runs the CLI's metadata scan of the tree as a process, end to end.
func cli(engine, libDir string) (sample, error) {
	args := []string{"--library", libDir, "scan", "--mode", "metadata", *tree}
	dirs := []string{filepath.Dir(libDir), *tree}
	var c *exec.Cmd
	switch engine {
	case "native":
		c = exec.Command(abs("build/filedex"), args...)
	case "wazero":
		c = exec.Command(abs("build/filedex"), append([]string{"--engine", "wasi"}, args...)...)
		c.Env = append(os.Environ(), "FILEDEX_WASM="+abs(*lib), "FILEDEX_WAZERO_CACHE="+abs("build/wazero-cache"))
	case "wasmtime":
		c = exec.Command(abs("build/wasmtimerun"), append(append([]string{"-cache", abs("build/wasmtime-cache"), "command", abs(*cmd)}, dirs...), append([]string{"--"}, args...)...)...)
	case "node":
		c = exec.Command("node", append(append([]string{nodeFlag, "--no-warnings", abs("examples/node/filedex.mjs"), "command", abs(*cmd)}, dirs...), append([]string{"--"}, args...)...)...)
	}
	var errb bytes.Buffer
	c.Stderr = &errb
	start := time.Now()
	if err := c.Run(); err != nil {
		return sample{}, fmt.Errorf("%v: %s", err, errb.String())
	}
	return sample{time.Since(start), childCPU(c)}, nil
}

// floor runs the probe: its in-guest time, and the process's CPU time.
func floor(engine, dir string) (sample, error) {
	var c *exec.Cmd
	switch engine {
	case "native":
		c = exec.Command(abs("build/wasifloor"), dir)
	case "wazero":
		c = exec.Command(abs("build/wasirun"), "-cache", abs("build/wazero-cache"), "-dir", dir, abs(*floorW), dir)
	case "wasmtime":
		c = exec.Command(abs("build/wasmtimerun"), "-cache", abs("build/wasmtime-cache"), "command", abs(*floorW), dir, "--", dir)
	case "node":
		c = exec.Command("node", nodeFlag, "--no-warnings", abs("examples/node/filedex.mjs"), "command", abs(*floorW), dir, "--", dir)
	}
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		return sample{}, fmt.Errorf("%v: %s", err, errb.String())
	}
	var r struct {
		TotalMS float64 `json:"total_ms"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		return sample{}, fmt.Errorf("%v: %s", err, out.String())
	}
	return sample{time.Duration(r.TotalMS * float64(time.Millisecond)), childCPU(c)}, nil
}
