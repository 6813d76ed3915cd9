package walk_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/filedex/filedex/core/internal/walk"
)

// seen is one entry as the tests keep it: names copied out of the batch.
type seen struct {
	rel  string
	typ  walk.Type
	size int64
	ino  uint64
	e    walk.Entry
}

type result struct {
	order   []string // batch paths in delivery order
	batches map[string]*walk.Batch
	entries map[string]seen
	lists   map[string][]string // batch path -> entry names in order
	stats   walk.Stats
}

// run walks root and copies everything out of the batches.
func run(t *testing.T, root string, opts walk.Options, hook func(*walk.Batch)) result {
	t.Helper()
	w, err := walk.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	r := result{batches: map[string]*walk.Batch{}, entries: map[string]seen{}, lists: map[string][]string{}}
	r.stats, err = w.WalkAfter(context.Background(), root, nil, func(b *walk.Batch) error {
		if _, dup := r.batches[b.Path]; dup {
			t.Errorf("directory %q delivered twice", b.Path)
		}
		if b.Path != "" {
			if _, ok := r.entries[b.Path]; !ok {
				t.Errorf("batch %q arrived before the batch listing it", b.Path)
			}
		}
		cp := *b
		cp.Entries = nil
		r.batches[b.Path] = &cp
		r.order = append(r.order, b.Path)
		var names []string
		for _, e := range b.Entries {
			name := string(e.Name)
			names = append(names, name)
			rel := walk.Join(b.Path, name)
			e.Name = []byte(name)
			r.entries[rel] = seen{rel: rel, typ: e.Type, size: e.Size, ino: e.Ino, e: e}
		}
		if !slices.IsSorted(names) {
			t.Errorf("batch %q not sorted: %q", b.Path, names)
		}
		r.lists[b.Path] = names
		if hook != nil {
			hook(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// reference lists root with filepath.WalkDir, which is sequential, never
// follows symlinks and shares no code with the walker.
func reference(t *testing.T, root string) map[string]seen {
	t.Helper()
	m := map[string]seen{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		var typ walk.Type
		switch {
		case fi.Mode().IsRegular():
			typ = walk.File
		case fi.IsDir():
			typ = walk.Dir
		case fi.Mode()&fs.ModeSymlink != 0:
			typ = walk.Symlink
		default:
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		m[rel] = seen{rel: rel, typ: typ, size: fi.Size(), ino: sysIno(fi)}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mkfile(t *testing.T, p string, size int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(strings.Repeat("x", size)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, p string) {
	t.Helper()
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

// buildTree makes every awkward case the indexer must survive.
func buildTree(t *testing.T) string {
	root := t.TempDir()
	j := func(parts ...string) string { return filepath.Join(append([]string{root}, parts...)...) }
	// Unicode: the same visible name in NFC and NFD are two entries.
	mkfile(t, j("unicode", "caf\u00e9"), 1)
	mkfile(t, j("unicode", "cafe\u0301"), 2)
	mkfile(t, j("unicode", "日本語.txt"), 3)
	// Not UTF-8 at all. WASI passes paths as UTF-8 strings, so under
	// GOOS=wasip1 such a name cannot be made (or seen) at all.
	if runtime.GOOS != "wasip1" {
		mkfile(t, j("bytes", "bad\xff\xfename"), 4)
		mkfile(t, j("bytes", "\x80"), 5)
	} else {
		mkfile(t, j("bytes", "ok"), 4)
	}
	// Characters that mean something to LIKE, globs, shells and line parsers.
	for _, n := range []string{"100%", "a_b", "star*", `back\slash`, "new\nline", " lead space", "trail space ", "-dash", "?q", "[x]"} {
		mkfile(t, j("special", n), 6)
	}
	// Symlinks: a loop to ".", one to the parent, a dangling one, one to a dir.
	if err := os.MkdirAll(j("links", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	symlink(t, ".", j("links", "self"))
	symlink(t, "..", j("links", "sub", "up"))
	symlink(t, "nowhere", j("links", "dangling"))
	symlink(t, "../unicode", j("links", "todir"))
	// Hard links.
	mkfile(t, j("hard", "one"), 7)
	if err := os.Link(j("hard", "one"), j("hard", "two")); err != nil {
		t.Fatal(err)
	}
	// Empty file and empty directory.
	mkfile(t, j("empty", "file"), 0)
	if err := os.MkdirAll(j("empty", "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Depth.
	mkfile(t, j("d1", "d2", "d3", "d4", "d5", "deep"), 8)
	// Many children.
	if err := os.MkdirAll(j("wide"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 3000 {
		if err := os.WriteFile(j("wide", fmt.Sprintf("f%05d", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestWalker_Walk(t *testing.T) {
	root := buildTree(t)
	want := reference(t, root)
	r := run(t, root, walk.Options{}, nil)

	for rel, w := range want {
		g, ok := r.entries[rel]
		if !ok {
			t.Errorf("missing %q", rel)
			continue
		}
		if g.typ != w.typ || (g.typ == walk.File && g.size != w.size) || g.ino != w.ino {
			t.Errorf("%q: got type %v size %d ino %d, want %v %d %d", rel, g.typ, g.size, g.ino, w.typ, w.size, w.ino)
		}
	}
	for rel := range r.entries {
		if _, ok := want[rel]; !ok {
			t.Errorf("unexpected %q", rel)
		}
	}
	// Every directory has exactly one batch; nothing else does.
	for rel, w := range want {
		_, has := r.batches[rel]
		if has != (w.typ == walk.Dir) {
			t.Errorf("%q (%v): batch present = %v", rel, w.typ, has)
		}
	}
	for p, b := range r.batches {
		if b.Err != nil || len(b.Warnings) != 0 {
			t.Errorf("batch %q: err %v, warnings %v", p, b.Err, b.Warnings)
		}
	}

	t.Run("names are raw bytes", func(t *testing.T) {
		rels := []string{"unicode/caf\u00e9", "unicode/cafe\u0301", "special/new\nline", `special/back\slash`}
		if runtime.GOOS != "wasip1" {
			rels = append(rels, "bytes/bad\xff\xfename", "bytes/\x80")
		}
		for _, rel := range rels {
			if _, ok := r.entries[rel]; !ok {
				t.Errorf("%q not found byte-for-byte", rel)
			}
		}
	})
	t.Run("symlinks are not followed", func(t *testing.T) {
		for _, rel := range []string{"links/self", "links/sub/up", "links/dangling", "links/todir"} {
			if g := r.entries[rel]; g.typ != walk.Symlink {
				t.Errorf("%q: type %v, want symlink", rel, g.typ)
			}
			if _, ok := r.batches[rel]; ok {
				t.Errorf("descended into symlink %q", rel)
			}
		}
		if g := r.entries["links/dangling"]; g.size != int64(len("nowhere")) {
			t.Errorf("symlink size %d, want length of its target", g.size)
		}
	})
	t.Run("hard links", func(t *testing.T) {
		one, two := r.entries["hard/one"].e, r.entries["hard/two"].e
		if one.Ino != two.Ino || one.Dev != two.Dev || one.Nlink != 2 || two.Nlink != 2 {
			t.Errorf("hard links: %+v %+v", one, two)
		}
	})
	t.Run("stats", func(t *testing.T) {
		var files, dirs, links, bytes int64
		for _, w := range want {
			switch w.typ {
			case walk.File:
				files++
				bytes += w.size
			case walk.Dir:
				dirs++
			case walk.Symlink:
				links++
			}
		}
		s := r.stats
		if s.Files != files || s.Dirs != dirs || s.Symlinks != links || s.Bytes != bytes || s.Warnings != 0 {
			t.Errorf("stats %+v, want files %d dirs %d symlinks %d bytes %d", s, files, dirs, links, bytes)
		}
	})
	t.Run("order is the same with any number of workers", func(t *testing.T) {
		one := run(t, root, walk.Options{Workers: 1}, nil)
		many := run(t, root, walk.Options{Workers: 7}, nil)
		if !slices.Equal(one.order, many.order) || !slices.Equal(one.order, r.order) {
			t.Errorf("batch order differs:\n%q\n%q", one.order, many.order)
		}
		for p, names := range one.lists {
			if !slices.Equal(names, many.lists[p]) {
				t.Errorf("%q lists differ", p)
			}
		}
		// Depth-first pre-order by name: a path sorts after the previous
		// batch's path when compared element by element.
		for i := 1; i < len(one.order); i++ {
			a, b := strings.Split(one.order[i-1], "/"), strings.Split(one.order[i], "/")
			if one.order[i-1] != "" && slices.Compare(a, b) >= 0 {
				t.Errorf("not pre-order: %q then %q", one.order[i-1], one.order[i])
			}
		}
	})
}

func TestWalker_Walk_vanishing(t *testing.T) {
	root := t.TempDir()
	mkfile(t, filepath.Join(root, "gone", "file"), 1)
	mkfile(t, filepath.Join(root, "stay", "file"), 1)
	mkfile(t, filepath.Join(root, "v", "flees"), 1)
	mkfile(t, filepath.Join(root, "v", "keeps"), 1)
	mkfile(t, filepath.Join(root, "swapped", "file"), 1)

	// A directory removed after its parent was read: its batch comes with Err saying it
	// does not exist. The read hook runs after a directory is read and before any of its
	// subdirectories is (a worker may read them before the parent's batch is delivered).
	// A file removed between listing and lstat: the listed hook runs exactly there.
	walk.SetListedHook(func(abs string) {
		if filepath.Base(abs) == "v" {
			os.Remove(filepath.Join(abs, "flees"))
		}
	})
	defer walk.SetListedHook(nil)
	walk.SetReadHook(func(rel string) {
		if rel == "" {
			if err := os.RemoveAll(filepath.Join(root, "gone")); err != nil {
				t.Error(err)
			}
			// A directory swapped for a symlink after being listed must
			// not be followed.
			if err := os.RemoveAll(filepath.Join(root, "swapped")); err != nil {
				t.Error(err)
			}
			if err := os.Symlink("stay", filepath.Join(root, "swapped")); err != nil {
				t.Error(err)
			}
		}
	})
	defer walk.SetReadHook(nil)
	r := run(t, root, walk.Options{}, nil)
	if b := r.batches["gone"]; b == nil || !errors.Is(b.Err, fs.ErrNotExist) {
		t.Errorf("gone: batch %+v, want Err not exist", b)
	}
	if _, ok := r.entries["stay/file"]; !ok {
		t.Error("stay/file missing")
	}
	if b := r.batches["swapped"]; b == nil || b.Err == nil || len(r.lists["swapped"]) != 0 {
		t.Errorf("swapped: batch %+v lists %q; want an error and no entries", b, r.lists["swapped"])
	}
	b := r.batches["v"]
	if b == nil || b.Err != nil || len(b.Warnings) != 1 || !errors.Is(&b.Warnings[0], fs.ErrNotExist) || b.Warnings[0].Path != "v/flees" {
		t.Fatalf("v: batch %+v", b)
	}
	if !slices.Equal(r.lists["v"], []string{"keeps"}) {
		t.Errorf("v lists %q", r.lists["v"])
	}
}

func TestWalker_Walk_ignore(t *testing.T) {
	root := t.TempDir()
	for _, p := range []string{"a.tmp", "keep.txt", "node_modules/x/y.js", "src/node_modules/z.js", "src/main.go", "src/main.o", "build/out/bin", "build/keep", "cache/c"} {
		mkfile(t, filepath.Join(root, filepath.FromSlash(p)), 1)
	}
	mkfile(t, filepath.Join(root, "x", "cache"), 1) // a file named cache: "cache/" is for directories only
	r := run(t, root, walk.Options{Ignore: []string{"*.tmp", "node_modules", "src/**/*.o", "/build/out", "cache/"}}, nil)
	var got []string
	for rel, s := range r.entries {
		if s.typ == walk.File {
			got = append(got, rel)
		}
	}
	slices.Sort(got)
	want := []string{"build/keep", "keep.txt", "src/main.go", "x/cache"}
	if !slices.Equal(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
	for _, p := range []string{"node_modules", "src/node_modules", "build/out", "cache"} {
		if _, ok := r.batches[p]; ok {
			t.Errorf("descended into ignored %q", p)
		}
	}
	if r.stats.Ignored != 6 {
		t.Errorf("ignored %d, want 6", r.stats.Ignored)
	}
	if _, err := walk.New(walk.Options{Ignore: []string{"[unclosed"}}); !errors.Is(err, walk.ErrBadPattern) {
		t.Errorf("bad pattern: %v", err)
	}
}

func TestWalker_Walk_stops(t *testing.T) {
	root := buildTree(t)
	w, err := walk.New(walk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	n := 0
	_, err = w.WalkAfter(context.Background(), root, nil, func(*walk.Batch) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("callback error: %v after %d batches", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	_, err = w.WalkAfter(ctx, root, nil, func(*walk.Batch) error {
		n++
		if n == 2 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n != 2 {
		t.Errorf("cancel: %v after %d batches", err, n)
	}
	if _, err := w.WalkAfter(context.Background(), filepath.Join(root, "missing"), nil, func(*walk.Batch) error { return nil }); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing root: %v", err)
	}
	if _, err := w.WalkAfter(context.Background(), filepath.Join(root, "hard", "one"), nil, func(*walk.Batch) error { return nil }); err == nil {
		t.Error("file as root: no error")
	}
	// A symlink as the root is followed.
	// A relative target: WASI runtimes refuse absolute ones.
	linkDir := t.TempDir()
	target, err := filepath.Rel(linkDir, filepath.Join(root, "unicode"))
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(linkDir, "root")
	symlink(t, target, link)
	r := run(t, link, walk.Options{}, nil)
	if len(r.lists[""]) != 3 {
		t.Errorf("symlinked root lists %q", r.lists[""])
	}
}
