package main

// End-to-end tests: the real binary, built once in TestMain, run against real
// temporary trees. They check exit codes, --json documents and the one-line
// error messages people see.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// binary is the filedex built for this test run.
var binary string

func TestMain(m *testing.M) {
	// A world-readable directory: one test runs the binary as user nobody.
	dir, err := os.MkdirTemp("", "filedex-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Chmod(dir, 0o755)
	binary = filepath.Join(dir, "filedex")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build filedex:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// cli runs filedex with a private library and HOME, in dir (if not "").
type cli struct {
	t   *testing.T
	lib string
	dir string
	env []string
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	home := t.TempDir()
	return &cli{t: t, lib: filepath.Join(home, "lib"), env: []string{"HOME=" + home, "XDG_DATA_HOME=", "FILEDEX_LIBRARY=", "NO_COLOR=1"}}
}

func (c *cli) run(args ...string) result {
	c.t.Helper()
	cmd := exec.Command(binary, append([]string{"--library", c.lib}, args...)...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), c.env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

// ok runs a command that must succeed and returns its stdout.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.t.Fatalf("filedex %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// json runs a command with --json and decodes its one document into v.
func (c *cli) json(v any, args ...string) {
	c.t.Helper()
	out := c.ok(append([]string{"--json"}, args...)...)
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(v); err != nil {
		c.t.Fatalf("filedex --json %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if dec.More() {
		c.t.Fatalf("filedex --json %s: more than one JSON document:\n%s", strings.Join(args, " "), out)
	}
}

// makeTree writes a small tree: 30 text files in three directories, two
// byte-identical 150 KiB files (sampled content ids) and two identical small
// ones. It returns the root.
func makeTree(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "tree")
	write := func(rel string, data []byte) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for d := range 3 {
		for i := range 10 {
			write(fmt.Sprintf("dir%d/note%02d.txt", d, i), fmt.Appendf(nil, "note %d in %d\n", i, d))
		}
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 150<<10/16)
	for i := range big {
		big[i] ^= byte(i * 7)
	}
	write("photos/big.bin", big)
	write("backup/big-copy.bin", big)
	write("dir0/same.txt", []byte("same content\n"))
	write("dir1/same-again.txt", []byte("same content\n"))
	return root
}

type scanJSON struct {
	Locations []struct {
		ID   int64  `json:"id"`
		Path string `json:"path"`
	} `json:"locations"`
	Summary struct {
		Added, Updated, Moved, Removed, Files, Dirs, Bytes int64
		Seconds                                            float64
		Warnings                                           []string
	} `json:"summary"`
}

type entriesJSON struct {
	Entries []struct {
		Path string `json:"path"`
		Name string `json:"name"`
		Size int64  `json:"size"`
		Kind string `json:"kind"`
	} `json:"entries"`
	Next *string `json:"next"`
}

func (e entriesJSON) paths() []string {
	var out []string
	for _, x := range e.Entries {
		out = append(out, x.Path)
	}
	slices.Sort(out)
	return out
}

type dupesJSON struct {
	Groups []struct {
		CasID       string   `json:"cas_id"`
		Size        int64    `json:"size"`
		Count       int64    `json:"count"`
		WastedBytes int64    `json:"wasted_bytes"`
		Verified    bool     `json:"verified"`
		Paths       []string `json:"paths"`
	} `json:"groups"`
	TotalWastedBytes int64 `json:"total_wasted_bytes"`
}

func TestCLI_ScanFindDupes(t *testing.T) {
	c := newCLI(t)
	tree := makeTree(t)

	var s scanJSON
	c.json(&s, "scan", tree)
	if len(s.Locations) != 1 || s.Locations[0].Path != tree {
		t.Fatalf("locations = %+v, want one at %s", s.Locations, tree)
	}
	if s.Summary.Files != 34 || s.Summary.Added == 0 || s.Summary.Warnings == nil {
		t.Errorf("first scan summary = %+v, want 34 files, added > 0, warnings []", s.Summary)
	}
	c.json(&s, "scan", tree)
	if s.Summary.Added != 0 || s.Summary.Updated != 0 || s.Summary.Files != 34 {
		t.Errorf("rescan summary = %+v, want nothing added or updated", s.Summary)
	}

	// The human summary of a rescan after a change.
	os.WriteFile(filepath.Join(tree, "dir2", "new.txt"), []byte("new"), 0o644)
	out := c.ok("scan", tree)
	for _, want := range []string{"Indexed", "35 files", "1 added"} {
		if !strings.Contains(out, want) {
			t.Errorf("scan output lacks %q:\n%s", want, out)
		}
	}

	var f entriesJSON
	c.json(&f, "find", "--ext", "bin")
	if got, want := f.paths(), []string{filepath.Join(tree, "backup/big-copy.bin"), filepath.Join(tree, "photos/big.bin")}; !slices.Equal(got, want) {
		t.Errorf("find --ext bin = %v, want %v", got, want)
	}
	c.json(&f, "find", "--name", "note0*.txt", "--under", filepath.Join(tree, "dir1"))
	if len(f.Entries) != 10 {
		t.Errorf("find --name note0*.txt --under dir1: %d entries, want 10", len(f.Entries))
	}
	c.json(&f, "find", "--min-size", "100k")
	if len(f.Entries) != 2 {
		t.Errorf("find --min-size 100k: %d entries, want 2", len(f.Entries))
	}
	// Plain find prints absolute paths, one per line, and nothing else.
	out = c.ok("find", "--min-size", "100k")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !filepath.IsAbs(lines[0]) {
		t.Errorf("find output = %q, want two absolute paths", out)
	}
	// Paging: --limit gives one page and a cursor that continues it.
	c.json(&f, "find", "--ext", "txt", "--limit", "20")
	if len(f.Entries) != 20 || f.Next == nil {
		t.Fatalf("find --limit 20: %d entries, next %v", len(f.Entries), f.Next)
	}
	var rest entriesJSON
	c.json(&rest, "find", "--ext", "txt", "--after", *f.Next)
	if len(rest.Entries) != 13 || rest.Next != nil {
		t.Errorf("find --after: %d entries (want 13), next %v", len(rest.Entries), rest.Next)
	}

	var ls entriesJSON
	c.json(&ls, "ls", tree)
	var names []string
	for _, e := range ls.Entries {
		names = append(names, e.Name)
	}
	if want := []string{"backup", "dir0", "dir1", "dir2", "photos"}; !slices.Equal(names, want) {
		t.Errorf("ls = %v, want %v", names, want)
	}

	var d dupesJSON
	c.json(&d, "dupes")
	if len(d.Groups) != 2 {
		t.Fatalf("dupes: %d groups, want 2: %+v", len(d.Groups), d)
	}
	if g := d.Groups[0]; g.Size != 150<<10 || g.Count != 2 || g.WastedBytes != 150<<10 || len(g.Paths) != 2 {
		t.Errorf("largest group = %+v", g)
	}
	if d.TotalWastedBytes != 150<<10+13 {
		t.Errorf("total_wasted_bytes = %d, want %d", d.TotalWastedBytes, 150<<10+13)
	}
	c.json(&d, "dupes", "--verify", "--min-size", "1k")
	if len(d.Groups) != 1 || !d.Groups[0].Verified {
		t.Errorf("dupes --verify --min-size 1k = %+v, want one verified group", d.Groups)
	}
	out = c.ok("dupes")
	if !strings.Contains(out, "2 duplicate groups, 150.0 KiB wasted in total") {
		t.Errorf("dupes output lacks the total:\n%s", out)
	}

	out = c.ok("du", tree, "--depth", "1")
	if !strings.Contains(out, "└── ") || !strings.Contains(out, "photos/") {
		t.Errorf("du output is not a tree:\n%s", out)
	}
	var st map[string]any
	c.json(&st, "stats")
	if st["files"].(float64) != 35 || st["bytes_per_entry"].(float64) <= 0 {
		t.Errorf("stats = %v", st)
	}
}

func TestCLI_TagsLabelsMeta(t *testing.T) {
	c := newCLI(t)
	tree := makeTree(t)
	c.ok("-q", "scan", tree)
	c.dir = tree

	c.ok("tag", "create", "important", "--color", "#ff0000")
	c.ok("tag", "add", "important", "dir0/note01.txt", "photos/big.bin")
	var tags struct {
		Tags []struct {
			Name  string `json:"name"`
			Usage int64  `json:"usage"`
		} `json:"tags"`
	}
	c.json(&tags, "tag", "list")
	if len(tags.Tags) != 1 || tags.Tags[0].Usage != 2 {
		t.Errorf("tag list = %+v, want important used twice", tags)
	}
	var f entriesJSON
	c.json(&f, "find", "--tag", "important")
	if len(f.Entries) != 2 {
		t.Errorf("find --tag: %d entries, want 2", len(f.Entries))
	}
	c.ok("tag", "remove", "important", "photos/big.bin")
	c.json(&f, "find", "--tag", "important")
	if len(f.Entries) != 1 {
		t.Errorf("after tag remove: %d entries, want 1", len(f.Entries))
	}

	c.ok("label", "create", "Work")
	c.ok("label", "create", "Acme", "--parent", "Work")
	c.ok("label", "add", "Work/Acme", "dir1/note05.txt")
	c.json(&f, "find", "--label", "Work")
	if got := f.paths(); len(got) != 1 || got[0] != filepath.Join(tree, "dir1/note05.txt") {
		t.Errorf("find --label Work = %v", got)
	}
	out := c.ok("label", "list")
	if !strings.Contains(out, "  Acme") {
		t.Errorf("label list does not indent the child:\n%s", out)
	}

	var m struct {
		Metadata struct {
			Favorite bool            `json:"favorite"`
			Notes    string          `json:"notes"`
			Data     json.RawMessage `json:"custom_data"`
		} `json:"metadata"`
	}
	c.json(&m, "meta", "dir2/note03.txt", "--favorite", "--note", "keep", "--data", `{"client":"acme"}`)
	if !m.Metadata.Favorite || m.Metadata.Notes != "keep" || compact(m.Metadata.Data) != `{"client":"acme"}` {
		t.Errorf("meta set = %+v", m.Metadata)
	}
	c.json(&f, "find", "--favorite")
	if len(f.Entries) != 1 {
		t.Errorf("find --favorite: %d entries, want 1", len(f.Entries))
	}

	// mv renames on disk and in the index; the tag follows the file. A
	// directory as DST means "into it".
	c.ok("mv", "dir0/note01.txt", "photos")
	if _, err := os.Stat(filepath.Join(tree, "photos/note01.txt")); err != nil {
		t.Fatal(err)
	}
	c.json(&f, "find", "--tag", "important")
	if got := f.paths(); len(got) != 1 || got[0] != filepath.Join(tree, "photos/note01.txt") {
		t.Errorf("after mv, find --tag = %v", got)
	}
}

// TestCLI_Errors: bad input gets one clear line on stderr and exit 1
// (failure) or 2 (usage), never a stack trace; with --json the error is the
// one document on stdout.
func TestCLI_Errors(t *testing.T) {
	c := newCLI(t)
	tree := makeTree(t)
	c.ok("-q", "scan", tree)
	file := filepath.Join(tree, "dir0", "note01.txt")
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"missing path", []string{"scan", filepath.Join(tree, "nope")}, 1, "nope: no such file or directory"},
		{"file for a directory", []string{"scan", file}, 1, "note01.txt is a file, not a directory"},
		{"ls of a file", []string{"ls", file}, 1, "is a file, not a directory"},
		{"unknown tag", []string{"tag", "add", "nosuch", file}, 1, `no tag named "nosuch" (create it with: filedex tag create nosuch)`},
		{"unknown tag in find", []string{"find", "--tag", "nosuch"}, 1, `no tag named "nosuch"`},
		{"unindexed path", []string{"tag", "create", "x"}, 0, ""},
		{"bad size", []string{"find", "--min-size", "12Q"}, 2, `invalid size "12Q"`},
		{"bad date", []string{"find", "--modified-after", "2024-13-45"}, 2, `invalid time "2024-13-45"`},
		{"bad dupes size", []string{"dupes", "--min-size", "lots"}, 2, `invalid size "lots"`},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"unknown flag", []string{"find", "--colour"}, 2, "unknown flag: --colour"},
		{"bad engine", []string{"--engine", "jvm", "stats"}, 2, `--engine must be native or wasi, not "jvm"`},
		{"missing argument", []string{"tag", "add", "x"}, 2, "missing a tag NAME and at least one PATH"},
		{"bad job id", []string{"jobs", "cancel", "seven"}, 2, `job ID must be a positive number, not "seven"`},
		{"unknown job", []string{"jobs", "cancel", "999"}, 1, "no such job"},
		{"bad mode", []string{"scan", "--mode", "fast", tree}, 2, `--mode must be metadata, content or deep, not "fast"`},
		{"library is a file", []string{"--library", file, "stats"}, 1, "is a file, not a directory"},
		{"library under a file", []string{"--library", filepath.Join(file, "lib"), "stats"}, 1, "not a directory"},
		{"bad color", []string{"tag", "create", "y", "--color", "red"}, 2, "--color must be #RRGGBB"},
		{"fresh without yes", []string{"migrate", "fresh"}, 2, "add --yes"},
		{"limit too large for a number", []string{"find", "--limit", "99999999999999999999"}, 2, "--limit 99999999999999999999: too large"},
		{"limit not a number", []string{"ls", "--limit", "ten"}, 2, "--limit ten: not a whole number"},
		{"unknown kind", []string{"find", "--kind", "folder"}, 2, "--kind folder: not a kind; use one of file, directory, symlink, unknown, image"},
		{"under outside every location", []string{"find", "--under", "/nonexistent-filedex-dir"}, 1, "/nonexistent-filedex-dir is not inside any location"},
		{"location added twice", []string{"location", "add", tree}, 1, tree + " is already a location"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.run(tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tc.code, r.stdout, r.stderr)
			}
			if tc.code == 0 {
				return
			}
			lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
			if !strings.HasPrefix(lines[0], "filedex: ") || !strings.Contains(lines[0], tc.msg) {
				t.Errorf("stderr = %q, want one line \"filedex: …%s…\"", r.stderr, tc.msg)
			}
			// The user's terms: no request member or error class before the message.
			if m := regexp.MustCompile(`(^filedex: |: )(\w+: )?(not found|conflict|invalid argument): |strconv\.`).FindString(lines[0]); m != "" {
				t.Errorf("stderr = %q: the message starts with the engine's %q", lines[0], m)
			}
			// Usage errors add one hint line; failures nothing.
			if want := map[int]int{1: 1, 2: 2}[tc.code]; len(lines) != want {
				t.Errorf("stderr has %d lines, want %d: %q", len(lines), want, r.stderr)
			}
			if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
				t.Errorf("stack trace on stderr: %s", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout not empty on error: %q", r.stdout)
			}
			// --json: the error object is the only output, with the same exit code.
			j := c.run(append([]string{"--json"}, tc.args...)...)
			var doc struct {
				Error *struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if j.code != tc.code || json.Unmarshal([]byte(j.stdout), &doc) != nil || doc.Error == nil || !strings.Contains(doc.Error.Message, tc.msg) || doc.Error.Code == 0 {
				t.Errorf("--json: exit %d, stdout %q, stderr %q", j.code, j.stdout, j.stderr)
			}
		})
	}
}

// TestCLI_LibraryWithoutPermission runs filedex as user nobody on a library
// directory only root may write: as root, permissions would not bite.
func TestCLI_LibraryWithoutPermission(t *testing.T) {
	base, err := os.MkdirTemp("", "filedex-perm-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(base)
	os.Chmod(base, 0o755)
	lib := filepath.Join(base, "lib")
	if err := os.Mkdir(lib, 0o555); err != nil { // read-only, even for its owner
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "--library", lib, "tag", "list")
	cmd.Env = append(os.Environ(), "HOME="+base)
	if os.Geteuid() == 0 {
		asNobody(cmd)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("err = %v, want exit 1; stderr %q", err, errb.String())
	}
	want := "filedex: library " + lib + ": permission denied"
	if !strings.HasPrefix(errb.String(), want) || strings.Count(errb.String(), "\n") != 1 {
		t.Errorf("stderr = %q, want one line starting %q", errb.String(), want)
	}
}

func compact(b []byte) string {
	var buf bytes.Buffer
	json.Compact(&buf, b)
	return buf.String()
}

func TestCLI_Version(t *testing.T) {
	c := newCLI(t)
	var v struct {
		Filedex, SQLite string
		Schema          int
	}
	c.json(&v, "version")
	if v.Filedex == "" || !strings.HasPrefix(v.SQLite, "3.") || v.Schema < 1 {
		t.Errorf("version = %+v", v)
	}
	if _, err := os.Stat(c.lib); err == nil {
		t.Error("version created the library; it must not open one")
	}
}

func TestCLI_HelpHasExamples(t *testing.T) {
	c := newCLI(t)
	for _, cmd := range [][]string{{"scan"}, {"find"}, {"dupes"}, {"du"}, {"tag", "add"}, {"label", "create"}, {"meta"}, {"jobs", "resume"}, {"backup"}, {"migrate", "status"}, {"rpc"}, {"location", "add"}} {
		out := c.ok(append(cmd, "--help")...)
		if !strings.Contains(out, "Examples:") {
			t.Errorf("filedex %s --help has no examples", strings.Join(cmd, " "))
		}
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		if out := c.ok("completion", sh); len(out) < 100 {
			t.Errorf("completion %s: %d bytes", sh, len(out))
		}
	}
}

// TestCLI_RPC: `filedex rpc` answers one line per request.
func TestCLI_RPC(t *testing.T) {
	c := newCLI(t)
	cmd := exec.Command(binary, "--library", c.lib, "rpc")
	cmd.Stdin = strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tag.create","params":{"name":"a"}}` + "\n" +
		`{"jsonrpc":"2.0","id":2,"method":"tag.list"}` + "\n" + `{"jsonrpc":"2.0","id":3,"method":"nope"}` + "\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], `"name":"a"`) || !strings.Contains(lines[2], `-32601`) {
		t.Errorf("rpc output:\n%s", out)
	}
}

// TestCLI_Migrate: status, down, up and fresh through the command.
func TestCLI_Migrate(t *testing.T) {
	c := newCLI(t)
	c.ok("tag", "create", "kept")
	var st struct {
		Current, Latest int
		Migrations      []struct {
			Version int  `json:"version"`
			Applied bool `json:"applied"`
		} `json:"migrations"`
	}
	c.json(&st, "migrate", "status")
	if st.Current != st.Latest || st.Latest < 2 || len(st.Migrations) != st.Latest {
		t.Fatalf("status: %+v", st)
	}
	c.ok("migrate", "down", "--steps", "1")
	if out := c.ok("migrate", "status"); !strings.Contains(out, "pending") {
		t.Errorf("status after down shows nothing pending:\n%s", out)
	}
	c.ok("migrate", "up")
	if out := c.ok("tag", "list"); !strings.Contains(out, "kept") {
		t.Errorf("tag lost across down and up:\n%s", out)
	}
	c.ok("migrate", "fresh", "--yes")
	if out := c.ok("tag", "list"); strings.Contains(out, "kept") {
		t.Errorf("fresh kept the tag:\n%s", out)
	}
}

// TestCLI_MigrateTargets: a target the schema cannot reach is a usage error (exit 2), never
// a panic, and up and down say which migrations they ran.
func TestCLI_MigrateTargets(t *testing.T) {
	c := newCLI(t)
	c.ok("tag", "create", "kept")
	var st struct{ Current, Latest int }
	c.json(&st, "migrate", "status")
	for _, args := range [][]string{
		{"migrate", "up", "--to", "3"}, // behind the applied version
		{"migrate", "up", "--to", "0"},
		{"migrate", "up", "--to", "-1"},
		{"migrate", "up", "--to", fmt.Sprint(st.Latest + 1)},
		{"migrate", "down", "--steps", "0"},
		{"migrate", "down", "--steps", "-2"},
		{"migrate", "down", "--steps", fmt.Sprint(st.Latest + 1)},
	} {
		r := c.run(args...)
		if r.code != 2 || strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "internal error") {
			t.Errorf("filedex %s: exit %d, want 2 (usage)\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
	out := c.ok("migrate", "down", "--steps", "2")
	if !strings.Contains(out, fmt.Sprintf("Rolled back %04d_", st.Latest)) || !strings.Contains(out, fmt.Sprintf("Rolled back %04d_", st.Latest-1)) {
		t.Errorf("down --steps 2 does not name what it rolled back:\n%s", out)
	}
	out = c.ok("migrate", "up", "--to", fmt.Sprint(st.Latest-1))
	if !strings.Contains(out, fmt.Sprintf("Applied %04d_", st.Latest-1)) || strings.Contains(out, fmt.Sprintf("Applied %04d_", st.Latest)) {
		t.Errorf("up --to %d:\n%s", st.Latest-1, out)
	}
	out = c.ok("migrate", "up")
	if !strings.Contains(out, fmt.Sprintf("Applied %04d_", st.Latest)) || strings.Contains(out, "up to date") {
		t.Errorf("up after down does not say what it applied:\n%s", out)
	}
	if out := c.ok("migrate", "up"); !strings.Contains(out, "Nothing to apply") {
		t.Errorf("up on a current schema:\n%s", out)
	}
	var rep struct {
		Applied []struct{ Version int } `json:"applied"`
	}
	c.ok("migrate", "down", "--steps", "1")
	c.json(&rep, "migrate", "up")
	if len(rep.Applied) != 1 || rep.Applied[0].Version != st.Latest {
		t.Errorf("--json migrate up: applied %+v, want [%d]", rep.Applied, st.Latest)
	}
}

// TestCLI_ReadsDoNotCreateLibraries: a read command on a library that does not exist says
// so and exits 1 without creating it (a mistyped --library once left an empty library
// behind); an empty --library is a usage error; a command that writes creates the library.
// Both engines.
func TestCLI_ReadsDoNotCreateLibraries(t *testing.T) {
	engines := [][]string{nil}
	if _, err := os.Stat("../../build/libfiledex.wasm"); err == nil || os.Getenv("FILEDEX_REQUIRE_ARTIFACTS") != "" {
		engines = append(engines, []string{"--engine", "wasi"})
	}
	for _, eng := range engines {
		c := newCLI(t)
		if eng != nil {
			c.env = append(c.env, wasiEnv(t)...)
		}
		c.lib = filepath.Join(t.TempDir(), "typo")
		reads := [][]string{{"stats"}, {"find", "--name", "x"}, {"ls"}, {"dupes"}, {"du"}, {"location", "list"}, {"tag", "list"}, {"check"}, {"migrate", "status"}}
		if eng != nil {
			// The CLI decides before the engine starts (each WASI run costs seconds): two
			// reads show the engine's side.
			reads = reads[:2]
		}
		for _, args := range reads {
			r := c.run(append(slices.Clone(eng), args...)...)
			if r.code != 1 || !strings.Contains(r.stderr, "no library at "+c.lib) {
				t.Errorf("%v %v on a missing library: exit %d, stderr %q; want 1 and \"no library at %s\"", eng, args, r.code, r.stderr, c.lib)
			}
			if _, err := os.Stat(c.lib); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("%v %v created the library directory (%v)", eng, args, err)
			}
		}
		// An existing empty directory is no library either, and stays empty.
		if err := os.Mkdir(c.lib, 0o755); err != nil {
			t.Fatal(err)
		}
		if r := c.run(append(slices.Clone(eng), "stats")...); r.code != 1 {
			t.Errorf("%v stats in an empty directory: exit %d (%s)", eng, r.code, r.stderr)
		}
		if des, _ := os.ReadDir(c.lib); len(des) != 0 {
			t.Errorf("%v stats left %s in an empty directory", eng, des[0].Name())
		}
		c.ok(append(slices.Clone(eng), "tag", "create", "first")...)
		if out := c.ok(append(slices.Clone(eng), "tag", "list")...); !strings.Contains(out, "first") {
			t.Errorf("%v tag list after tag create: %s", eng, out)
		}
	}
	c := newCLI(t)
	c.lib = ""
	r := c.run("stats")
	if r.code != 2 || !strings.Contains(r.stderr, "--library") {
		t.Errorf("--library \"\": exit %d, stderr %q; want a usage error", r.code, r.stderr)
	}
}

// TestCLI_HardLinksAreOneFile: dupes shows a hard link as a link of its file, never as
// waste, and lists no group made only of links; du counts a linked file once.
func TestCLI_HardLinksAreOneFile(t *testing.T) {
	root := filepath.Join(t.TempDir(), "tree")
	if err := os.MkdirAll(filepath.Join(root, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("hard link "), 20000) // 200,000 bytes
	lonely := bytes.Repeat([]byte("only links "), 10000)
	for name, b := range map[string][]byte{"a/orig": data, "copy": data, "solo": lonely} {
		if err := os.WriteFile(filepath.Join(root, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for old, link := range map[string]string{"a/orig": "a/link", "solo": "solo-link"} {
		if err := os.Link(filepath.Join(root, old), filepath.Join(root, link)); err != nil {
			t.Skipf("no hard links here: %v", err)
		}
	}
	c := newCLI(t)
	c.ok("scan", root)
	var d struct {
		Groups []struct {
			Count       int64    `json:"count"`
			Files       int64    `json:"files"`
			WastedBytes int64    `json:"wasted_bytes"`
			Paths       []string `json:"paths"`
			Inodes      []int64  `json:"inodes"`
		} `json:"groups"`
		TotalWastedBytes int64 `json:"total_wasted_bytes"`
		TotalGroups      int64 `json:"total_groups"`
	}
	c.json(&d, "dupes")
	if d.TotalGroups != 1 || d.TotalWastedBytes != int64(len(data)) || len(d.Groups) != 1 {
		t.Fatalf("dupes --json: %+v", d)
	}
	g := d.Groups[0]
	if g.Count != 3 || g.Files != 2 || g.WastedBytes != int64(len(data)) || len(g.Inodes) != 3 {
		t.Fatalf("group: %+v", g)
	}
	text := c.ok("dupes")
	if !strings.Contains(text, "= "+filepath.Join(root, "a", "link")+"  (hard link)") && !strings.Contains(text, "= "+filepath.Join(root, "a", "orig")+"  (hard link)") {
		t.Errorf("dupes does not mark the hard link:\n%s", text)
	}
	if strings.Contains(text, "solo") {
		t.Errorf("dupes lists a file whose names are all links of one inode:\n%s", text)
	}
	var du struct {
		Dirs []struct{ Bytes int64 } `json:"dirs"`
	}
	c.json(&du, "du", root)
	if want := int64(2*len(data) + len(lonely)); len(du.Dirs) == 0 || du.Dirs[0].Bytes != want {
		t.Errorf("du %s: %+v, want %d bytes (each file once)", root, du.Dirs, want)
	}
}
