package walk_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/filedex/filedex/core/internal/walk"
)

// bushyTree makes a tree of many small directories, so that workers read several of them
// per job (chained) and jobs end at every kind of place: inside a subtree, at a leaf, at a
// large directory (chainEntries) and after chainDirs directories. It returns the
// directories in walk order, from filepath.WalkDir (sequential, sorted by name).
func bushyTree(t *testing.T) (string, []string) {
	t.Helper()
	root := t.TempDir()
	var mk func(dir string, depth, fan int)
	mk = func(dir string, depth, fan int) {
		if depth == 0 {
			return
		}
		for i := range fan {
			sub := filepath.Join(dir, fmt.Sprintf("d%d", i))
			if err := os.Mkdir(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			if i%3 == 0 {
				mkfile(t, filepath.Join(sub, "f"), i)
			}
			mk(sub, depth-1, fan-1+i%2)
		}
	}
	mk(root, 4, 6)
	// A directory larger than a job's entry budget, in the middle of the walk.
	big := filepath.Join(root, "d2", "big")
	if err := os.Mkdir(big, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 1500 {
		mkfile(t, filepath.Join(big, fmt.Sprintf("f%04d", i)), 0)
	}
	os.Mkdir(filepath.Join(big, "zsub"), 0o755)
	var want []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			if rel == "." {
				rel = ""
			}
			want = append(want, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return root, want
}

// TestWalker_Walk_chains: with workers reading chains of directories, the order is still
// depth-first by name bytes for any number of workers, every directory comes once, and
// resuming after any batch delivers exactly the rest.
func TestWalker_Walk_chains(t *testing.T) {
	root, want := bushyTree(t)
	if len(want) < 500 {
		t.Fatalf("tree too small: %d directories", len(want))
	}
	for _, c := range []struct {
		workers, window int
		held            int64
	}{{1, 0, 0}, {2, 0, 0}, {3, 0, 0}, {8, 0, 0}, {2, 1, 1}, {3, 4, 40}, {3, 100, 200}} {
		workers := c.workers
		w, err := walk.New(walk.Options{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if c.window > 0 {
			w.SetReadAhead(c.window, c.held)
		}
		var got []string
		st, err := w.WalkAfter(context.Background(), root, nil, func(b *walk.Batch) error {
			got = append(got, b.Path)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("workers=%d: %d batches, want %d; first difference at %d", workers, len(got), len(want), firstDiff(got, want))
		}
		if st.Dirs != int64(len(want)-1) {
			t.Errorf("workers=%d: stats count %d directories, want %d", workers, st.Dirs, len(want)-1)
		}
		for i := 0; i < len(want); i += 1 + i%29 {
			after := want[i]
			var rest []string
			if _, err := w.WalkAfter(context.Background(), root, &after, func(b *walk.Batch) error {
				rest = append(rest, b.Path)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rest, want[i+1:]) {
				t.Fatalf("workers=%d, after %q: %d batches, want %d; first difference at %d", workers, after, len(rest), len(want)-i-1, firstDiff(rest, want[i+1:]))
			}
		}
	}
}

// TestWalker_Walk_chainsStop: a callback error or a cancellation in the middle of a job's
// chained directories stops the walk there, and the walk returns only once its workers
// are done (no batch is touched after Walk returns; the race detector would see it).
func TestWalker_Walk_chainsStop(t *testing.T) {
	root, want := bushyTree(t)
	w, err := walk.New(walk.Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	for _, at := range []int{1, 2, 7, 33, 100, len(want) / 2, len(want) - 1} {
		n := 0
		_, err := w.WalkAfter(context.Background(), root, nil, func(b *walk.Batch) error {
			if b.Path != want[n] {
				t.Fatalf("batch %d is %q, want %q", n, b.Path, want[n])
			}
			n++
			if n == at {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != at {
			t.Errorf("error at %d: %v after %d batches", at, err, n)
		}
		ctx, cancel := context.WithCancel(context.Background())
		n = 0
		_, err = w.WalkAfter(ctx, root, nil, func(b *walk.Batch) error {
			n++
			if n == at {
				cancel()
			}
			return nil
		})
		cancel()
		if !errors.Is(err, context.Canceled) || n != at {
			t.Errorf("cancel at %d: %v after %d batches", at, err, n)
		}
	}
}

// TestWalker_Walk_chainsErrors: a directory that cannot be read, met inside a job's chain,
// is delivered in its place with Err set, and the walk goes on after it.
func TestWalker_Walk_chainsErrors(t *testing.T) {
	root, want := bushyTree(t)
	gone := map[string]bool{"d0/d1": true, "d1/d0/d0": true, "d4": true}
	walk.SetReadHook(func(rel string) {
		for g := range gone {
			if dir, _ := walk.Split(g); dir == rel {
				os.RemoveAll(filepath.Join(root, filepath.FromSlash(g)))
			}
		}
	})
	defer walk.SetReadHook(nil)
	w, err := walk.New(walk.Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	_, err = w.WalkAfter(context.Background(), root, nil, func(b *walk.Batch) error {
		got = append(got, b.Path)
		if gone[b.Path] != (b.Err != nil) || (b.Err != nil && !errors.Is(b.Err, fs.ErrNotExist)) {
			t.Errorf("%q: Err %v", b.Path, b.Err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var wantNow []string
	for _, p := range want {
		under := false
		for g := range gone {
			under = under || (p != g && len(p) > len(g) && p[:len(g)+1] == g+"/")
		}
		if !under {
			wantNow = append(wantNow, p)
		}
	}
	if !slices.Equal(got, wantNow) {
		t.Errorf("%d batches, want %d; first difference at %d", len(got), len(wantNow), firstDiff(got, wantNow))
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestWalker_ReadAheadBounded: with the cap on bytes read ahead reached, no worker reads
// further than the job it holds, even on a tree of empty directories (which a cap on
// entries did not bound: desktop_extreme's first scan peaked at 241 MiB RSS with it).
func TestWalker_ReadAheadBounded(t *testing.T) {
	root := t.TempDir()
	for i := range 40 {
		for j := range 40 {
			if err := os.MkdirAll(filepath.Join(root, fmt.Sprintf("a%02d", i), fmt.Sprintf("b%02d", j)), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	const window, workers = 4, 2
	w, err := walk.New(walk.Options{Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	w.SetReadAhead(window, 1) // any batch read exceeds it
	var mu sync.Mutex
	read, delivered, most := 0, 0, 0
	walk.SetReadHook(func(string) {
		mu.Lock()
		defer mu.Unlock()
		read++
		most = max(most, read-delivered)
	})
	defer walk.SetReadHook(nil)
	if _, err := w.WalkAfter(context.Background(), root, nil, func(*walk.Batch) error {
		mu.Lock()
		delivered++
		mu.Unlock()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if delivered != 1+40+40*40 {
		t.Fatalf("delivered %d directories", delivered)
	}
	// The jobs of the window and the one the walk waits for, each read alone, plus one
	// chained directory per worker that passed the check before the cap was reached.
	if limit := window + 1 + workers; most > limit {
		t.Errorf("%d directories read and not delivered at once; the cap allows %d", most, limit)
	}
}
