package dataset_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/filedex/filedex/benchmarks/dataset"
)

func libraryDigest(t *testing.T, spec dataset.LibrarySpec) ([32]byte, int, int, int) {
	t.Helper()
	h := sha256.New()
	var n, dups, tagged int
	seen := map[int64]bool{}
	ords := map[int64]bool{}
	for e := range dataset.NewLibrary(spec).Entries() {
		n++
		if e.Parent != 0 && !ords[e.Parent] {
			t.Fatalf("entry %d (%s) emitted before its parent %d", e.Ordinal, e.Path(), e.Parent)
		}
		ords[e.Ordinal] = true
		if e.Content != 0 {
			if seen[e.Content] {
				dups++
			}
			seen[e.Content] = true
		}
		if len(e.Tags) > 0 {
			tagged++
		}
		fmt.Fprintf(h, "%+v\n", *e)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum, n, dups, tagged
}

func TestLibrary_Deterministic(t *testing.T) {
	spec := dataset.LibrarySpec{Entries: 10000, Seed: 7}
	a, n, dups, tagged := libraryDigest(t, spec)
	b, _, _, _ := libraryDigest(t, spec)
	if a != b {
		t.Fatal("same seed gave different entries")
	}
	if n != spec.Entries {
		t.Fatalf("got %d entries, want %d", n, spec.Entries)
	}
	// Shares are drawn, not forced: check they are in the right region.
	if dups < n*5/100 || dups > n*15/100 {
		t.Errorf("duplicates: %d of %d", dups, n)
	}
	if tagged < n*3/100 || tagged > n*7/100 {
		t.Errorf("tagged: %d of %d", tagged, n)
	}
	if c, _, _, _ := libraryDigest(t, dataset.LibrarySpec{Entries: 10000, Seed: 8}); c == a {
		t.Error("different seeds gave the same entries")
	}
}

func dirDigest(t *testing.T, root string) [32]byte {
	t.Helper()
	h := sha256.New()
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fmt.Fprintf(h, "%s %v %d %d\n", rel, fi.IsDir(), fi.Size(), fi.ModTime().UnixNano())
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h.Write(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

func TestGenerateTree(t *testing.T) {
	rc, _ := dataset.RecipeByName("tiny")
	dir := t.TempDir()
	a, err := dataset.GenerateTree(rc, filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := dataset.GenerateTree(rc, filepath.Join(dir, "b"))
	if err != nil {
		t.Fatal(err)
	}
	if dirDigest(t, a.Root) != dirDigest(t, b.Root) {
		t.Fatal("same recipe gave different trees")
	}
	if a.Files != rc.Files || a.DupFiles == 0 || a.NearDups < 3 {
		t.Fatalf("summary: %+v", a)
	}

	// Duplicates are byte-identical in both cas_id branches; near-duplicates
	// share size and sampled regions but differ.
	files := dataset.PlanTree(rc)
	// Two near-duplicates of one source would be exact duplicates of each
	// other, which the manifest does not count.
	nearOf := map[int64]bool{}
	for _, f := range files {
		if f.FlipAt >= 0 {
			if nearOf[f.Content] {
				t.Fatalf("two near-duplicates of content %d", f.Content)
			}
			nearOf[f.Content] = true
		}
	}
	byContent := map[int64]string{}
	var small, large, near int
	for _, f := range files {
		if f.Content == 0 {
			continue
		}
		got, err := os.ReadFile(filepath.Join(a.Root, f.Path))
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(got)) != f.Size {
			t.Fatalf("%s: size %d, want %d", f.Path, len(got), f.Size)
		}
		first, ok := byContent[f.Content]
		if !ok {
			if f.FlipAt >= 0 {
				t.Fatalf("near-duplicate %s before its source", f.Path)
			}
			byContent[f.Content] = f.Path
			continue
		}
		want, _ := os.ReadFile(filepath.Join(a.Root, first))
		if f.FlipAt < 0 {
			if !bytes.Equal(got, want) {
				t.Fatalf("%s and %s should be identical", f.Path, first)
			}
			if f.Size > dataset.CasWholeLimit {
				large++
			} else {
				small++
			}
			continue
		}
		near++
		if bytes.Equal(got, want) || len(got) != len(want) {
			t.Fatalf("near-duplicate %s equals %s", f.Path, first)
		}
		if f.FlipAt < 18<<10 || f.FlipAt >= int64(len(got))-8<<10 {
			t.Fatalf("flip at %d is in a sampled region", f.FlipAt)
		}
		for i := range got {
			if got[i] != want[i] && int64(i) != f.FlipAt {
				t.Fatalf("near-duplicate differs at %d, not only %d", i, f.FlipAt)
			}
		}
	}
	if small == 0 || large == 0 || near == 0 {
		t.Errorf("duplicates: %d whole-hashed, %d sampled, %d near", small, large, near)
	}

	// A second call with the same recipe reuses the tree.
	again, err := dataset.GenerateTree(rc, a.Root)
	if err != nil || again.Bytes != a.Bytes {
		t.Fatalf("reuse: %v %+v", err, again)
	}
}
