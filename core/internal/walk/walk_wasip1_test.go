//go:build wasip1

package walk

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestReadDir_OneCallPerDirectory: a directory is listed with a single
// fd_readdir call when it fits the first buffer, and a few more (the buffer
// growing fourfold) when it does not. Go's os.ReadDir asks 8 KiB a call, and
// hosts that answer each call by reading the directory up to the cookie
// (wasmtime) made listing quadratic in the directory's size. The entries are
// exactly what os.ReadDir and os.Lstat report.
func TestReadDir_OneCallPerDirectory(t *testing.T) {
	dir := t.TempDir()
	const n = 12000 // about 430 KB of dirents: more than the first buffer
	for i := range n {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("file-%05d-%s.txt", i, "abcdefgh"[:i%8])), []byte("x"[:i%2]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("file-00001-a.txt", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	// The reference first: listing sub/ in the walk changes its atime.
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var want []Entry
	for _, de := range des {
		fi, err := os.Lstat(filepath.Join(dir, de.Name()))
		if err != nil {
			t.Fatal(err)
		}
		e := Entry{Name: []byte(de.Name())}
		fillInfo(&e, fi)
		want = append(want, e)
	}
	slices.SortFunc(want, func(a, b Entry) int { return bytes.Compare(a.Name, b.Name) })
	calls := 0
	testHookReaddirCalls = func() { calls++ }
	t.Cleanup(func() { testHookReaddirCalls = nil })

	w, err := New(Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	var got []Entry
	var rootCalls int
	_, err = w.WalkAfter(context.Background(), dir, nil, func(b *Batch) error {
		if b.Path == "" {
			rootCalls = calls
			for _, e := range b.Entries {
				e.Name = bytes.Clone(e.Name)
				got = append(got, e)
			}
		}
		return b.Err
	})
	if err != nil {
		t.Fatal(err)
	}
	// 256 KiB then 1 MiB: two calls for the root (the empty sub/ takes one).
	if rootCalls < 1 || rootCalls > 2 {
		t.Errorf("root listed with %d fd_readdir calls, want 1 or 2", rootCalls)
	}

	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if !bytes.Equal(g.Name, w.Name) || g.Type != w.Type || g.Perm != w.Perm || g.Size != w.Size || g.Ino != w.Ino ||
			g.Dev != w.Dev || g.Nlink != w.Nlink || g.Mtime != w.Mtime || g.Atime != w.Atime || g.Ctime != w.Ctime {
			t.Fatalf("entry %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}
