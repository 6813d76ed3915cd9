package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/internal/conformance"
	"github.com/filedex/filedex/wasmhost"
)

var (
	update = flag.Bool("update", false, "rewrite testdata/conformance/*.golden.jsonl from the native engine")
	// only narrows a run while writing scripts (-only native -update); `make test`
	// never sets it, and a narrowed run says which engines it left out.
	only = flag.String("only", "", "comma-separated engines to run (default: all); native always runs")
	// script narrows the scripts the same way, by name without .jsonl.
	script = flag.String("script", "", "comma-separated script names to run (default: all)")
	// dump keeps every engine's raw transcripts (DIR/ENGINE/NAME.jsonl) for review.
	dump = flag.String("dump", "", "directory to write every engine's transcripts to")
)

// selected reports whether name is in the comma-separated list (an empty list selects all).
func selected(list, name string) bool {
	if list == "" {
		return true
	}
	for _, n := range strings.Split(list, ",") {
		if n == name {
			return true
		}
	}
	return false
}

// defaultOptions open every script's library unless NAME.options.json
// overrides them. "roots" confines the native engines exactly as the WASI
// mounts confine the guest, so both refuse the same paths the same way.
const defaultOptions = `{"library":"$ROOT/lib","fixed_clock":"2026-01-02T03:04:05Z","uuid_seed":1,"roots":["$ROOT/lib","$ROOT/data"]}`

// repo is the repository root; artifacts are where the Makefile puts them.
var repo, _ = filepath.Abs("../..")

func artifact(name string) string { return filepath.Join(repo, "build", name) }

// requireArtifacts is set by `make test`: a missing .so or .wasm then fails
// instead of skipping, so CI cannot pass by testing fewer engines.
var requireArtifacts = os.Getenv("FILEDEX_REQUIRE_ARTIFACTS") != ""

// job is one script prepared for running: its fixture root, its open
// options and its requests (one per line), $ROOT already substituted.
type job struct {
	name, root, options, input string
}

// engine runs jobs and returns one transcript per job: one response per line,
// notifications omitted; or, when the library does not open, the error object
// as the only line. Each job's fixture is fresh when run is called.
type engine struct {
	name  string
	needs []string // build artifacts
	run   func(t *testing.T, jobs []job) []string
	// wasi: a WASI guest, which sees no permission bits (WASI preview 1 has none) and so
	// reports none: its transcripts are compared with native's without them, and must
	// hold no permissions member at all (an invented mode would be a lie).
	wasi bool
}

// each adapts a one-job runner to an engine's run.
func each(fn func(t *testing.T, j job) string) func(*testing.T, []job) []string {
	return func(t *testing.T, jobs []job) []string {
		out := make([]string, len(jobs))
		for i, j := range jobs {
			out[i] = fn(t, j)
		}
		return out
	}
}

var engines = []engine{
	{name: "native", run: each(runNative)},
	{name: "stdio", run: each(runStdio)},
	{name: "capi", needs: []string{"libfiledex.so", "filedex_rpc"}, run: each(runCAPI)},
	{name: "python", needs: []string{"libfiledex.so"}, run: each(runPython)},
	{name: "wazero", needs: []string{"libfiledex.wasm"}, run: runWazero, wasi: true},
	// One Node process and one instance for all scripts (node_scripts.mjs):
	// several instances of the module in one Node 20 process crashed it
	// (examples/node/filedex.mjs, Reactor.load); one instance holding
	// several libraries in turn does not.
	{name: "node", needs: []string{"libfiledex.wasm"}, run: runNode, wasi: true},
	// wasmtime (build/wasmtimerun, a module of its own: internal/wasmtimerun)
	// with plain preopens: the reactor in one instance for all scripts, and
	// the CLI (filedex.wasm) as a command, `filedex rpc` once per script.
	{name: "wasmtime", needs: []string{"libfiledex.wasm", "wasmtimerun"}, run: runWasmtime("scripts", "libfiledex.wasm"), wasi: true},
	{name: "wasmtime-command", needs: []string{"filedex.wasm", "wasmtimerun"}, run: runWasmtime("command-scripts", "filedex.wasm"), wasi: true},
}

func TestConformance(t *testing.T) {
	dir := filepath.Join(repo, "testdata", "conformance")
	scripts, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	base := t.TempDir()
	var jobs []job
	for _, s := range scripts {
		if strings.HasSuffix(s, ".golden.jsonl") {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(s), ".jsonl")
		if !selected(*script, name) {
			continue
		}
		jobs = append(jobs, loadJob(t, dir, name, filepath.Join(base, name, "root")))
	}
	if len(jobs) == 0 {
		t.Fatal("no scripts in testdata/conformance")
	}
	results := map[string][]string{}
	for _, e := range engines {
		ok := t.Run(e.name, func(t *testing.T) {
			if e.name != "native" && !selected(*only, e.name) {
				t.Skipf("not in -only %s", *only)
			}
			for _, a := range e.needs {
				if _, err := os.Stat(artifact(a)); err != nil {
					if requireArtifacts {
						t.Fatalf("build/%s missing (make capi wasm)", a)
					}
					t.Skipf("build/%s missing: run make test (or make capi wasm)", a)
				}
			}
			// Every engine gets identical fixtures at the same roots, so
			// absolute paths in responses are the same bytes everywhere.
			for _, j := range jobs {
				if err := os.RemoveAll(j.root); err != nil {
					t.Fatal(err)
				}
				if err := conformance.Build(j.root); err != nil {
					t.Fatal(err)
				}
			}
			results[e.name] = e.run(t, jobs)
			for i := range results[e.name] {
				results[e.name][i] = maskMachineFacts(results[e.name][i])
			}
			if *dump != "" {
				d := filepath.Join(*dump, e.name)
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
				for i, j := range jobs {
					if err := os.WriteFile(filepath.Join(d, j.name+".jsonl"), []byte(results[e.name][i]), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
		if !ok && e.name == "native" {
			t.FailNow()
		}
	}
	for i, j := range jobs {
		t.Run(j.name, func(t *testing.T) {
			native := results["native"][i]
			golden := filepath.Join(dir, j.name+".golden.jsonl")
			norm := strings.ReplaceAll(native, j.root, "$ROOT")
			if *update {
				if err := os.WriteFile(golden, []byte(norm), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			g, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update and review the diff)", err)
			}
			if norm != string(g) {
				t.Errorf("native transcript differs from %s:\n%s", filepath.Base(golden), lineDiff(string(g), norm))
			}
			for _, e := range engines[1:] {
				got, ran := results[e.name]
				if !ran {
					continue // skipped or failed above, with its reason
				}
				want := native
				if e.wasi {
					// A value, not the member's name in rpc.discover's Entry schema.
					if permissions.MatchString(got[i]) {
						t.Errorf("%s transcript reports permissions, which a WASI guest cannot see:\n%s", e.name, got[i])
					}
					want = permissions.ReplaceAllString(native, "")
				}
				if got[i] != want {
					t.Errorf("%s transcript differs from native:\n%s", e.name, lineDiff(want, got[i]))
				}
			}
		})
	}
}

// machineFacts matches the two members of an entry that no fixture can make
// equal across engines and machines: created_at is the file's birth time
// (set by the kernel when the fixture is built, never settable; WASI reports
// none, so it is null there) and inode is assigned by the file system
// (wasmtime's WASI reports a hash of device and inode instead, which the
// index stores as a negative number half the time). The
// pattern is anchored on the members around them, which only entries have
// in this order, so no other created_at (of jobs, tags …: the fixed clock)
// is touched. A null inode is left as it is: an engine that lost inodes
// would still differ.
var machineFacts = regexp.MustCompile(`"created_at":(?:null|"[^"]*"),("modified_at":"[^"]*","accessed_at":(?:null|"[^"]*"),"inode":)(?:-?[0-9]+)`)

// linkMode matches a symlink entry's permissions: 0777 on Linux, which no
// chmod changes. (A WASI guest sees no mode bits at all and reports none.)
var linkMode = regexp.MustCompile(`("kind":"symlink",[^{}]*"permissions":)[0-9]+`)

// groupInodes matches a duplicate group's inodes (beside its paths, to show
// hard links): assigned by the file system, like an entry's inode (and
// hashed, so negative half the time, under wasmtime).
var groupInodes = regexp.MustCompile(`"inodes":\[[-0-9,]*\]`)

// permissions matches an entry's permissions member, which a WASI engine
// cannot report: removed from native's transcript before comparing a WASI
// engine's with it.
var permissions = regexp.MustCompile(`,"permissions":(?:[0-9]+|"<link mode>")`)

// maskMachineFacts replaces the entries' birth times, inode numbers and
// symlink modes by placeholders; every other byte of a transcript is compared
// as it is.
func maskMachineFacts(transcript string) string {
	t := machineFacts.ReplaceAllString(transcript, `"created_at":"<birth time>",${1}"<inode>"`)
	t = groupInodes.ReplaceAllString(t, `"inodes":"<inodes>"`)
	return linkMode.ReplaceAllString(t, `${1}"<link mode>"`)
}

// loadJob reads script name (and its optional name.options.json) for root.
func loadJob(t *testing.T, dir, name, root string) job {
	script, err := os.ReadFile(filepath.Join(dir, name+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	options := defaultOptions
	if b, err := os.ReadFile(filepath.Join(dir, name+".options.json")); err == nil {
		options = string(bytes.TrimSpace(b))
	}
	subst := func(s string) string { return strings.ReplaceAll(s, "$ROOT", root) }
	var lines []string
	for _, l := range strings.Split(string(script), "\n") {
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "//") {
			continue // comments document the script; they are never sent
		}
		lines = append(lines, subst(l))
	}
	return job{name: name, root: root, options: subst(options), input: strings.Join(lines, "\n") + "\n"}
}

// lineDiff shows the first differing line of two transcripts.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d\nwant %s\n got %s", i+1, a, b)
		}
	}
	return "(equal)"
}

func openOptions(t *testing.T, options string) (bindings.OpenOptions, string) {
	o, err := bindings.ParseOpenOptions([]byte(options))
	if err != nil {
		return o, string(bindings.ErrorJSON(err)) + "\n"
	}
	return o, ""
}

func transcript(e bindings.Engine, input string) string {
	var out strings.Builder
	for _, l := range strings.Split(strings.TrimSuffix(input, "\n"), "\n") {
		if r := e.Call(context.Background(), []byte(l)); r != nil {
			out.Write(r)
			out.WriteByte('\n')
		}
	}
	return out.String()
}

func runNative(t *testing.T, j job) string {
	o, failed := openOptions(t, j.options)
	if failed != "" {
		return failed
	}
	n, err := bindings.OpenNative(o)
	if err != nil {
		return string(bindings.ErrorJSON(err)) + "\n"
	}
	defer n.Close()
	return transcript(n, j.input)
}

// runStdio is `filedex rpc`'s server loop, fed the whole script at once.
func runStdio(t *testing.T, j job) string {
	o, failed := openOptions(t, j.options)
	if failed != "" {
		return failed
	}
	n, err := bindings.OpenNative(o)
	if err != nil {
		return string(bindings.ErrorJSON(err)) + "\n"
	}
	defer n.Close()
	var out bytes.Buffer
	if err := bindings.Serve(context.Background(), n, strings.NewReader(j.input), &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func runCAPI(t *testing.T, j job) string {
	return runProgram(t, j.input, artifact("filedex_rpc"), j.options)
}

func runPython(t *testing.T, j job) string {
	return runProgram(t, j.input, "python3", filepath.Join(repo, "examples", "python", "filedex.py"), artifact("libfiledex.so"), j.options)
}

// mounts are what the WASI engines may reach: the same directories as the
// "roots" option, each at its host path.
func mounts(root string) []string {
	return []string{filepath.Join(root, "lib"), filepath.Join(root, "data")}
}

// runWazero runs every script in one instance of the reactor, one library
// handle per script, as an embedder serving several libraries would: the
// instance's start-up (Go runtime, SQLite) is paid once instead of per script.
// The instance mounts every script's lib and data; each library's "roots"
// option confines it to its own, exactly as natively, so sandbox refusals
// are the same bytes.
func runWazero(t *testing.T, jobs []job) []string {
	cfg := wasmhost.Config{WasmPath: artifact("libfiledex.wasm"), CacheDir: artifact("wazero-cache")}
	for _, j := range jobs {
		for _, m := range mounts(j.root) {
			cfg.Mounts = append(cfg.Mounts, wasmhost.Mount{HostPath: m})
		}
	}
	rt, err := wasmhost.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(context.Background())
	out := make([]string, len(jobs))
	for i, j := range jobs {
		o, failed := openOptions(t, j.options)
		if failed != "" {
			out[i] = failed
			continue
		}
		e, err := rt.Open(context.Background(), o)
		if err != nil {
			if be, ok := err.(*bindings.Error); ok {
				out[i] = string(bindings.ErrorJSON(be)) + "\n"
				continue
			}
			t.Fatal(err)
		}
		out[i] = transcript(e, j.input)
		if err := e.Close(); err != nil {
			t.Fatalf("%s: close: %v", j.name, err)
		}
	}
	return out
}

// writeJobs writes jobs as the JSON file node_scripts.mjs and wasmtimerun
// read: [{"name","options","dirs","input"}].
func writeJobs(t *testing.T, jobs []job) string {
	type scriptJob struct {
		Name    string   `json:"name"`
		Options string   `json:"options"`
		Dirs    []string `json:"dirs"`
		Input   string   `json:"input"`
	}
	in := make([]scriptJob, len(jobs))
	for i, j := range jobs {
		in[i] = scriptJob{Name: j.name, Options: j.options, Dirs: mounts(j.root), Input: j.input}
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "jobs.json")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// transcripts decodes a script runner's JSON array of transcripts.
func transcripts(t *testing.T, runner, out string, jobs []job) []string {
	var ts []string
	if err := json.Unmarshal([]byte(out), &ts); err != nil || len(ts) != len(jobs) {
		t.Fatalf("%s: %d transcripts for %d scripts (%v)", runner, len(ts), len(jobs), err)
	}
	return ts
}

func runNode(t *testing.T, jobs []job) []string {
	if _, err := exec.LookPath("node"); err != nil {
		// Never a skip: a missing runtime must not turn into a green run.
		t.Fatal("node not found on PATH: the Node leg of the conformance suite needs Node >= 20 (apt-get install nodejs)")
	}
	file := writeJobs(t, jobs)
	// --liftoff-only: V8 runs the module with its baseline compiler and never
	// starts the optimizing tier. The 23 MB module's background TurboFan
	// compilation cost 30–35 s of CPU per process on this 2-core machine (3–4 s
	// with the flag, measured with one library.info), and starved the guest
	// enough that opening a library hit core's 10 s ConnectTimeout
	// ("open: cancelled: sqlite3: interrupted"). Semantics are the same: the
	// suite tests node:wasi and V8's WebAssembly, not its optimizer.
	// --no-turbo-fast-api-calls: Node 20.20 aborted (SIGABRT in node::wasi's
	// poll_oneoff fast API callback) in about one run in three of the
	// benchmarks here; without fast calls node:wasi validates each argument
	// itself, and answers EINVAL where it answered EBADF, which the guest must
	// (and does) take as "outside every preopen".
	out := runProgram(t, "", "node", "--no-warnings", "--liftoff-only", "--no-turbo-fast-api-calls", filepath.Join(repo, "internal", "conformance", "node_scripts.mjs"), artifact("libfiledex.wasm"), file)
	return transcripts(t, "node_scripts.mjs", out, jobs)
}

// runWasmtime runs every script through build/wasmtimerun in mode on module.
// Its compiled-module cache lives in build/wasmtime-cache: the first run of
// a build compiles each module (about 17 s of CPU here), later ones load it.
func runWasmtime(mode, module string) func(*testing.T, []job) []string {
	return func(t *testing.T, jobs []job) []string {
		file := writeJobs(t, jobs)
		out := runProgram(t, "", artifact("wasmtimerun"), "-cache", artifact("wasmtime-cache"), mode, artifact(module), file)
		return transcripts(t, "wasmtimerun "+mode, out, jobs)
	}
}

// runProgram runs a client that speaks the transcript protocol on stdio.
// Exit status 3 means "the library did not open" and is a valid transcript.
func runProgram(t *testing.T, input, name string, args ...string) string {
	cmd := exec.Command(name, args...)
	cmd.Stdin = strings.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
			t.Fatalf("%s: %v\nstderr:\n%s", name, err, stderr.String())
		}
	}
	return stdout.String()
}

// TestEveryMethodScripted fails when a method of the table is called by no
// script: a method added to bindings must come with its conformance lines.
func TestEveryMethodScripted(t *testing.T) {
	scripts, _ := filepath.Glob(filepath.Join(repo, "testdata", "conformance", "*.jsonl"))
	called := map[string]bool{}
	for _, s := range scripts {
		if strings.HasSuffix(s, ".golden.jsonl") {
			continue
		}
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			var r struct {
				Method string `json:"method"`
			}
			if json.Unmarshal([]byte(l), &r) == nil && r.Method != "" {
				called[r.Method] = true
			}
		}
	}
	for _, m := range bindings.Methods() {
		if !called[m] {
			t.Errorf("no script in testdata/conformance calls %s", m)
		}
	}
}
