//go:build !wasip1

package main

// The README's snippets are tests: each fenced block after a
// "<!-- readme-test: NAME -->" line is run here (or, for the Go one, compared
// with the example file whose own test runs it), in a sandbox whose $HOME
// holds a small ~/Documents. A README that drifts from the code fails
// `make test`.

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

type snippet struct {
	name, arg, lang, body string
}

func readmeSnippets(t *testing.T) map[string]snippet {
	t.Helper()
	f, err := os.Open("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]snippet{}
	sc := bufio.NewScanner(f)
	var cur *snippet
	var body strings.Builder
	expectFence := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "<!-- readme-test: "):
			fields := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(line, "<!-- readme-test: "), "-->"))
			cur = &snippet{name: fields[0]}
			if len(fields) > 1 {
				cur.arg = fields[1]
			}
			expectFence = true
		case cur != nil && expectFence:
			if !strings.HasPrefix(line, "```") {
				t.Fatalf("README: %q is not followed by a fenced block", cur.name)
			}
			cur.lang = strings.TrimPrefix(line, "```")
			expectFence = false
			body.Reset()
		case cur != nil && line == "```":
			cur.body = body.String()
			out[cur.name] = *cur
			cur = nil
		case cur != nil:
			body.WriteString(line + "\n")
		}
	}
	for _, n := range []string{"quickstart", "tour", "go", "c", "python", "wasi"} {
		if _, ok := out[n]; !ok {
			t.Fatalf("README has no %q snippet", n)
		}
	}
	return out
}

// sandboxHome makes a $HOME with a ~/Documents to scan: a few PDFs (one
// tagged in the tour), a 20 KiB "tax report", and duplicates.
func sandboxHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	docs := filepath.Join(home, "Documents")
	write := func(rel string, data string, mtime time.Time) {
		p := filepath.Join(docs, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, mtime, mtime)
	}
	recent := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	old := time.Date(2019, 6, 1, 12, 0, 0, 0, time.UTC)
	write("taxes/2024.pdf", "%PDF-1.4 tax 2024", recent)
	write("taxes/2019.pdf", "%PDF-1.4 tax 2019", old)
	write("taxes/tax report final.txt", strings.Repeat("numbers\n", 20<<10/8), recent)
	write("copies/tax report final (1).txt", strings.Repeat("numbers\n", 20<<10/8), recent)
	write("notes/todo.txt", "write README", recent)
	return home
}

// sandboxEnv is the environment without any filedex or XDG settings of the
// machine running the tests, with HOME replaced.
func sandboxEnv(home string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "HOME", strings.HasPrefix(k, "FILEDEX_"), strings.HasPrefix(k, "XDG_"), k == "NO_COLOR":
			continue
		}
		env = append(env, kv)
	}
	// A new HOME would move Go's build and module caches too: every go run
	// would rebuild SQLite and download modules. Keep the real ones.
	return append(env, append(append([]string{"HOME=" + home}, goCaches()...), extra...)...)
}

var goCacheEnv []string

func goCaches() []string {
	if goCacheEnv == nil {
		out, _ := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
		v := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(v) == 3 {
			goCacheEnv = []string{"GOCACHE=" + v[0], "GOMODCACHE=" + v[1], "GOPATH=" + v[2]}
		}
	}
	return goCacheEnv
}

func runShell(t *testing.T, dir string, env []string, script string) string {
	t.Helper()
	cmd := exec.Command("sh", "-ec", script)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s\nfailed: %v\n%s", script, err, out)
	}
	return string(out)
}

func repoRoot(t *testing.T) string {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestREADME_Quickstart: the first command of the README, as a new user runs
// it from a fresh clone, indexes ~/Documents into the default library and
// prints a summary and the duplicates.
func TestREADME_Quickstart(t *testing.T) {
	s := readmeSnippets(t)["quickstart"]
	lines := strings.Split(strings.TrimSpace(s.body), "\n")
	if len(lines) != 2 || lines[1] != "make test" {
		t.Fatalf("quickstart block changed: %q", s.body)
	}
	home := sandboxHome(t)
	out := runShell(t, repoRoot(t), sandboxEnv(home), lines[0]) // line 2 is what runs this test
	for _, want := range []string{"Indexed", "5 files", "1 duplicate group", "20.0 KiB wasted in total"} {
		if !strings.Contains(out, want) {
			t.Errorf("quickstart output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(home, ".local/share/filedex/default/database.db")); err != nil {
		t.Errorf("no library in the default place: %v", err)
	}
}

// TestREADME_Tour runs the tour with the built filedex on PATH.
func TestREADME_Tour(t *testing.T) {
	s := readmeSnippets(t)["tour"]
	home := sandboxHome(t)
	env := sandboxEnv(home, "PATH="+filepath.Dir(binary)+":"+os.Getenv("PATH"))
	out := runShell(t, home, env, "set -x\n"+s.body)
	// Each line of the tour shows something (run one by one in a second sandbox): a line
	// that printed nothing would teach a new user nothing.
	home2 := sandboxHome(t)
	env2 := sandboxEnv(home2, "PATH="+filepath.Dir(binary)+":"+os.Getenv("PATH"))
	for _, line := range strings.Split(strings.TrimSpace(s.body), "\n") {
		if lineOut := runShell(t, home2, env2, line); strings.TrimSpace(lineOut) == "" {
			t.Errorf("tour line %q printed nothing", line)
		}
	}
	for _, want := range []string{
		"Indexed " + filepath.Join(home, "Documents") + ": 5 files",
		filepath.Join(home, "Documents/taxes/2024.pdf"),
		"tax report final.txt",
		filepath.Join(home, "Documents/copies/tax report final (1).txt"),
		"1 duplicate group",
		"bytes per entry",
		"verified",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("tour output lacks %q:\n%s", want, out)
		}
	}
	// The output of "find --ext pdf --modified-after 2024-01-01" runs from its
	// "+ filedex find --ext pdf" trace line to the next traced command.
	_, afterFind, _ := strings.Cut(out, "+ filedex find --ext pdf")
	pdfs, _, _ := strings.Cut(afterFind, "\n+ ")
	if !strings.Contains(pdfs, "2024.pdf") || strings.Contains(pdfs, "2019.pdf") {
		t.Errorf("--modified-after 2024-01-01 found the 2019 file:\n%s", out)
	}
}

// TestREADME_GoSnippetIsTheExample: the Go snippet is examples/go/main.go,
// whose test (examples/go/main_test.go) runs it.
func TestREADME_GoSnippetIsTheExample(t *testing.T) {
	s := readmeSnippets(t)["go"]
	b, err := os.ReadFile(filepath.Join(repoRoot(t), s.arg))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != s.body {
		t.Errorf("README's Go snippet differs from %s: keep them identical", s.arg)
	}
}

// artifact returns the path of a `make capi` / `make wasm` product, skipping
// the test when it is missing unless FILEDEX_REQUIRE_ARTIFACTS is set.
func artifact(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join(repoRoot(t), rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("FILEDEX_REQUIRE_ARTIFACTS") != "" {
			t.Fatalf("%s missing: run make capi wasm (make test does)", p)
		}
		t.Skipf("%s missing: run make capi wasm (or make test)", p)
	}
	return p
}

func TestREADME_C(t *testing.T) {
	s := readmeSnippets(t)["c"]
	artifact(t, "build/libfiledex.so")
	root := repoRoot(t)
	home := sandboxHome(t)
	src := filepath.Join(t.TempDir(), "demo.c")
	os.WriteFile(src, []byte(s.body), 0o644)
	exe := filepath.Join(filepath.Dir(src), "demo")
	// The snippet's own build line, with absolute paths.
	cc := exec.Command("cc", src, "-I", filepath.Join(root, "bindings/capi"), "-L", filepath.Join(root, "build"),
		"-lfiledex", "-Wl,-rpath,"+filepath.Join(root, "build"), "-o", exe)
	if out, err := cc.CombinedOutput(); err != nil {
		t.Fatalf("cc: %v\n%s", err, out)
	}
	out := runShell(t, root, sandboxEnv(home), exe+" "+filepath.Join(home, "lib")+" "+filepath.Join(home, "Documents"))
	if !strings.Contains(out, `"result":{"job"`) || !strings.Contains(out, `"total_wasted_bytes":20480`) {
		t.Errorf("C snippet output:\n%s", out)
	}
}

func TestREADME_Python(t *testing.T) {
	s := readmeSnippets(t)["python"]
	artifact(t, "build/libfiledex.so")
	home := sandboxHome(t)
	src := filepath.Join(t.TempDir(), "demo.py")
	os.WriteFile(src, []byte(s.body), 0o644)
	out := runShell(t, repoRoot(t), sandboxEnv(home), "python3 "+src+" "+filepath.Join(home, "lib")+" "+filepath.Join(home, "Documents"))
	if !strings.Contains(out, "indexed 5 files") || !strings.Contains(out, "2 copies:") {
		t.Errorf("Python snippet output:\n%s", out)
	}
}

func TestREADME_WASI(t *testing.T) {
	s := readmeSnippets(t)["wasi"]
	artifact(t, "build/libfiledex.wasm")
	artifact(t, "build/filedex.wasm")
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node not found: the WASI snippet needs Node >= 20")
	}
	root := repoRoot(t)
	body := strings.Replace(s.body, "make wasm\n", "", 1) // built already (make test builds it first)
	home := sandboxHome(t)
	// Share the repository's compilation cache: the first compile takes a minute.
	env := sandboxEnv(home, "FILEDEX_WAZERO_CACHE="+filepath.Join(root, "build/wazero-cache"))
	out := runShell(t, root, env, body)
	if strings.Count(out, "Indexed") != 2 || strings.Count(out, "5 files") != 2 {
		t.Errorf("WASI snippet output:\n%s", out)
	}
}

// TestREADME_Sync runs the sync snippet: a desktop library served on 127.0.0.1 and a laptop
// library joining it, on a free port instead of 4222; the laptop then finds the desktop's files.
func TestREADME_Sync(t *testing.T) {
	s := readmeSnippets(t)["sync"]
	home := sandboxHome(t)
	env := sandboxEnv(home, "PATH="+filepath.Dir(binary)+":"+os.Getenv("PATH"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	body := strings.ReplaceAll(s.body, "4222", port)
	// The snippet leaves the hub running; the test stops it (and waits for it).
	out := runShell(t, home, env, "set -x\n"+body+"kill $! && wait $! || true\n")
	for _, want := range []string{"joined library", "desktop:" + filepath.Join(home, "Documents/taxes/2024.pdf"), "desktop:" + filepath.Join(home, "Documents/taxes/2019.pdf")} {
		if !strings.Contains(out, want) {
			t.Errorf("sync snippet output lacks %q:\n%s", want, out)
		}
	}
}
