package core_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/filedex/filedex/core"
)

// TestHardLinks_OneFile: hard links of one inode are one file everywhere the library sums
// bytes. The tree (real files, real links, scanned twice: bulk first scan, then a rescan that
// adds and removes links through the triggers):
//
//	lib/big      4 names of one 300 KiB file (lib/l1, lib/l2, sub/l3): no duplicate at all
//	lib/copy     a second file with big's bytes: one group of 2 files, 5 names, 300 KiB wasted
//	solo/a, b    3 names of one 2 MiB file: a group of links only, not reported
func TestHardLinks_OneFile(t *testing.T) {
	ctx := context.Background()
	lib := openTest(t)
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"lib/sub", "solo"} {
		must(os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	big := []byte(strings.Repeat("filedex hard link ", 300<<10/18))
	solo := []byte(strings.Repeat("one file, three names ", 2<<20/22))
	p := func(rel string) string { return filepath.Join(root, rel) }
	must(os.WriteFile(p("lib/big"), big, 0o644))
	for _, l := range []string{"lib/l1", "lib/l2", "lib/sub/l3"} {
		if err := os.Link(p("lib/big"), p(l)); err != nil {
			t.Skipf("no hard links here: %v", err)
		}
	}
	must(os.WriteFile(p("lib/copy"), big, 0o644))
	must(os.WriteFile(p("solo/a"), solo, 0o644))
	must(os.Link(p("solo/a"), p("solo/b")))
	must(os.Link(p("solo/a"), p("solo/c")))

	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: root, Mode: core.ModeContent})
	must(err)
	check := func(step string, bigNames int64) {
		t.Helper()
		bigSize, soloSize := int64(len(big)), int64(len(solo))
		res, err := lib.Duplicates().Groups(ctx, core.DupesQuery{}, core.Page{})
		must(err)
		if len(res.Groups) != 1 || res.TotalGroups != 1 || res.TotalWastedBytes != bigSize {
			t.Fatalf("%s: dupes: %d groups (total %d), %d B wasted; want 1 group of big wasting %d B: %+v",
				step, len(res.Groups), res.TotalGroups, res.TotalWastedBytes, bigSize, res.Groups)
		}
		g := res.Groups[0]
		if g.Count != bigNames+1 || g.Files != 2 || g.WastedBytes != bigSize || len(g.Inodes) != len(g.Paths) {
			t.Fatalf("%s: group %+v: want %d names, 2 files, %d B wasted, an inode per path", step, g, bigNames+1, bigSize)
		}
		// The links show as links: every name but copy shares one inode.
		var copyIno int64
		inodes := map[int64]int{}
		for i, path := range g.Paths {
			inodes[g.Inodes[i]]++
			if filepath.Base(path) == "copy" {
				copyIno = g.Inodes[i]
			}
		}
		if len(inodes) != 2 || inodes[copyIno] != 1 || copyIno == 0 {
			t.Errorf("%s: inodes %v (copy %d): want the links on one inode, copy on another", step, g.Inodes, copyIno)
		}
		// The same through a subtree, a summary, pages of one, and verify.
		for _, q := range []core.DupesQuery{{Under: root}, {Summary: true}, {Verify: true}, {Under: p("lib"), Verify: true}} {
			res, err := lib.Duplicates().Groups(ctx, q, core.Page{Limit: 1})
			must(err)
			if len(res.Groups) != 1 || res.TotalWastedBytes != bigSize || res.Next != "" || res.Groups[0].Files != 2 {
				t.Errorf("%s: %+v: %+v", step, q, res)
			}
			if q.Verify && !res.Groups[0].Verified {
				t.Errorf("%s: %+v: not verified: %+v", step, q, res.Groups[0])
			}
		}
		// du: each file once.
		rootID, err := lib.Entries().Resolve(ctx, root)
		must(err)
		st, err := lib.Entries().Stats(ctx, rootID)
		must(err)
		if want := 2*bigSize + soloSize; st.Bytes != want || st.HardLinks != bigNames-1+2 {
			t.Errorf("%s: Stats = %+v, want %d bytes and %d hard links", step, st, want, bigNames-1+2)
		}
		tree, err := lib.Usage().Tree(ctx, root, 2)
		must(err)
		want := map[string]int64{"": 2*bigSize + soloSize, "lib": 2 * bigSize, "lib/sub": bigSize, "solo": soloSize}
		for _, u := range tree {
			rel, _ := filepath.Rel(root, u.Path)
			rel = strings.TrimPrefix(rel, ".")
			if w, ok := want[rel]; !ok || u.Bytes != w {
				t.Errorf("%s: Tree %q = %d B, want %d", step, rel, u.Bytes, w)
			}
		}
		lf, err := lib.Usage().LargeFiles(ctx, 1<<20, 0)
		must(err)
		if len(lf) != 1 || lf[0].Bytes != soloSize || lf[0].Files != 3 {
			t.Errorf("%s: LargeFiles = %+v, want solo with %d B in 3 names", step, lf, soloSize)
		}
		// The largest files: each file once, by one of its names.
		for _, under := range []string{"", root, p("lib")} {
			top, err := lib.Usage().Largest(ctx, under, 10)
			must(err)
			var sizes []int64
			for _, e := range top {
				sizes = append(sizes, e.Size)
			}
			want := []int64{soloSize, bigSize, bigSize}
			if under == p("lib") {
				want = want[1:]
			}
			if !slices.Equal(sizes, want) {
				t.Errorf("%s: Largest(%q) sizes %v, want %v (each file once)", step, under, sizes, want)
			}
		}
		rep, err := lib.Check(ctx)
		must(err)
		if !rep.OK {
			t.Errorf("%s: check: %+v", step, rep)
		}
	}
	_, err = lib.Scan(ctx, loc.ID, core.ScanOptions{})
	must(err)
	check("first scan", 4)
	// A rescan meets one more link and one fewer: the triggers' side of the count.
	must(os.Link(p("lib/big"), p("lib/sub/l4")))
	must(os.Remove(p("lib/l1")))
	_, err = lib.Scan(ctx, loc.ID, core.ScanOptions{})
	must(err)
	check("rescan", 4)
	// A link that becomes a copy of its own: now 3 files of big's bytes.
	must(os.Remove(p("lib/l2")))
	must(os.WriteFile(p("lib/l2"), big, 0o644))
	_, err = lib.Scan(ctx, loc.ID, core.ScanOptions{})
	must(err)
	res, err := lib.Duplicates().Groups(ctx, core.DupesQuery{}, core.Page{})
	must(err)
	if len(res.Groups) != 1 || res.Groups[0].Files != 3 || res.TotalWastedBytes != 2*int64(len(big)) {
		t.Fatalf("after breaking a link: %+v", res)
	}
	if !slices.Contains(res.Groups[0].Paths, p("lib/l2")) {
		t.Fatalf("after breaking a link: %+v", res.Groups[0])
	}
}

// TestHardLinks_MetadataMode: a location scanned without content ids counts a file once too,
// from the link counts the scan recorded. The tree:
//
//	a/big   3 names of one 1.5 MiB file (a/l1, a/b/l2)
//	c/one   1 KiB, one name
//	d/x     2 names of one 4 KiB file (d/y)
//
// A bulk first scan, a no-change rescan, then a rescan that adds a name (in a directory whose
// own listing is otherwise unchanged: only the link count of a/big moved) and removes one.
func TestHardLinks_MetadataMode(t *testing.T) {
	ctx := context.Background()
	lib := openTest(t)
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	p := func(rel string) string { return filepath.Join(root, rel) }
	for _, d := range []string{"a/b", "c", "d"} {
		must(os.MkdirAll(p(d), 0o755))
	}
	const bigSize, oneSize, xSize = 3 << 19, 1 << 10, 4 << 10
	must(os.WriteFile(p("a/big"), []byte(strings.Repeat("b", bigSize)), 0o644))
	must(os.WriteFile(p("c/one"), []byte(strings.Repeat("o", oneSize)), 0o644))
	must(os.WriteFile(p("d/x"), []byte(strings.Repeat("x", xSize)), 0o644))
	for old, link := range map[string]string{"a/big": "a/l1", "a/l1": "a/b/l2", "d/x": "d/y"} {
		if err := os.Link(p(old), p(link)); err != nil {
			t.Skipf("no hard links here: %v", err)
		}
	}
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: root, Mode: core.ModeMetadata})
	must(err)
	check := func(step string, bigNames int64) {
		t.Helper()
		id, err := lib.Entries().Resolve(ctx, root)
		must(err)
		st, err := lib.Entries().Stats(ctx, id)
		must(err)
		if want := int64(bigSize + oneSize + xSize); st.Bytes != want || st.HardLinks != bigNames-1+1 || st.Files != bigNames+3 {
			t.Errorf("%s: Stats = %+v, want %d B, %d files, %d further links", step, st, want, bigNames+3, bigNames)
		}
		tree, err := lib.Usage().Tree(ctx, root, 2)
		must(err)
		want := map[string]int64{"": bigSize + oneSize + xSize, "a": bigSize, "a/b": bigSize, "c": oneSize, "d": xSize}
		if len(tree) != len(want) {
			t.Errorf("%s: Tree has %d rows, want %d: %+v", step, len(tree), len(want), tree)
		}
		for _, u := range tree {
			rel, _ := filepath.Rel(root, u.Path)
			rel = strings.TrimPrefix(rel, ".")
			if w, ok := want[rel]; !ok || u.Bytes != w {
				t.Errorf("%s: Tree %q = %d B, want %d", step, rel, u.Bytes, w)
			}
		}
		for _, under := range []string{"", root, p("a")} {
			top, err := lib.Usage().Largest(ctx, under, 10)
			must(err)
			var sizes []int64
			for _, e := range top {
				sizes = append(sizes, e.Size)
			}
			want := []int64{bigSize, xSize, oneSize}
			if under == p("a") {
				want = want[:1]
			}
			if !slices.Equal(sizes, want) {
				t.Errorf("%s: Largest(%q) sizes %v, want %v (each file once)", step, under, sizes, want)
			}
		}
		lf, err := lib.Usage().LargeFiles(ctx, 1<<20, 0)
		must(err)
		var lfBytes int64
		for _, d := range lf {
			lfBytes += d.Bytes
		}
		if lfBytes != bigSize*2 { // a and a/b each hold a name of big: each directory counts it once
			t.Errorf("%s: LargeFiles = %+v, want big once in a and once in a/b", step, lf)
		}
		rep, err := lib.Check(ctx)
		must(err)
		if !rep.OK {
			t.Errorf("%s: check: %+v", step, rep)
		}
	}
	res, err := lib.Scan(ctx, loc.ID, core.ScanOptions{})
	must(err)
	if res.Summary.Added == 0 {
		t.Fatalf("first scan: %+v", res.Summary)
	}
	check("first scan", 3)
	res, err = lib.Scan(ctx, loc.ID, core.ScanOptions{})
	must(err)
	if s := res.Summary; s.Added != 0 || s.Updated != 0 || s.Removed != 0 || s.Moved != 0 {
		t.Errorf("rescan of an unchanged tree: %+v, want no change", s)
	}
	check("rescan", 3)
	// A rescan: a/b/l3 is a new name of big; d/y goes (d/x keeps one name); d/one is a new
	// name of c/one, whose directory c changes on disk only in c/one's link count (1 → 2):
	// c must be diffed, not skipped by its digest, or its name would go uncounted as a link.
	must(os.Link(p("a/big"), p("a/b/l3")))
	must(os.Remove(p("d/y")))
	must(os.Link(p("c/one"), p("d/one")))
	res, err = lib.Scan(ctx, loc.ID, core.ScanOptions{})
	must(err)
	id, err := lib.Entries().Resolve(ctx, root)
	must(err)
	st, err := lib.Entries().Stats(ctx, id)
	must(err)
	if want := int64(bigSize + oneSize + xSize); st.Bytes != want || st.HardLinks != 4 {
		t.Errorf("after new and removed links: Stats = %+v, want %d B and 4 further links", st, want)
	}
	tree, err := lib.Usage().Tree(ctx, root, 1)
	must(err)
	want := map[string]int64{"": bigSize + oneSize + xSize, "a": bigSize, "c": oneSize, "d": xSize + oneSize}
	for _, u := range tree {
		rel, _ := filepath.Rel(root, u.Path)
		rel = strings.TrimPrefix(rel, ".")
		if w, ok := want[rel]; !ok || u.Bytes != w {
			t.Errorf("after new and removed links: Tree %q = %d B, want %d", rel, u.Bytes, w)
		}
	}
	rep, err := lib.Check(ctx)
	must(err)
	if !rep.OK {
		t.Errorf("check: %+v", rep)
	}
}

// TestHardLinks_UnknownLinkCounts: a walker that cannot see link counts (the portable one)
// invents none and overwrites none. Its rescan of a tree indexed where they were seen changes
// nothing, du still counts each file once; a library it builds counts every name (nothing
// known says otherwise) until a scan that sees the counts fills them in.
func TestHardLinks_UnknownLinkCounts(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	const size = 100 << 10
	must(os.MkdirAll(filepath.Join(root, "d"), 0o755))
	must(os.WriteFile(filepath.Join(root, "f"), []byte(strings.Repeat("f", size)), 0o644))
	if err := os.Link(filepath.Join(root, "f"), filepath.Join(root, "d", "g")); err != nil {
		t.Skipf("no hard links here: %v", err)
	}
	du := func(lib *core.Library) int64 {
		t.Helper()
		id, err := lib.Entries().Resolve(ctx, root)
		must(err)
		st, err := lib.Entries().Stats(ctx, id)
		must(err)
		return st.Bytes
	}
	scan := func(lib *core.Library, loc core.Location, step string, want int64) {
		t.Helper()
		res, err := lib.Scan(ctx, loc.ID, core.ScanOptions{})
		must(err)
		if s := res.Summary; s.Updated != want || s.Added != 0 || s.Removed != 0 || s.Moved != 0 {
			t.Errorf("%s: %+v, want %d updated and nothing else", step, s, want)
		}
	}

	lib := openTest(t)
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: root, Mode: core.ModeMetadata})
	must(err)
	_, err = lib.Scan(ctx, loc.ID, core.ScanOptions{})
	must(err)
	restore := core.HideLinkCounts()
	scan(lib, loc, "rescan without link counts", 0)
	restore()
	if got := du(lib); got != size {
		t.Errorf("du after a rescan that could not see link counts = %d, want %d", got, size)
	}
	scan(lib, loc, "rescan with link counts again", 0)

	built := openTest(t)
	loc2, err := built.Locations().Create(ctx, core.LocationInput{Path: root, Mode: core.ModeMetadata})
	must(err)
	restore = core.HideLinkCounts()
	_, err = built.Scan(ctx, loc2.ID, core.ScanOptions{})
	restore()
	must(err)
	if got := du(built); got != 2*size {
		t.Errorf("du of a library built without link counts = %d, want %d (each name: none known)", got, 2*size)
	}
	scan(built, loc2, "rescan that sees link counts", 2)
	if got := du(built); got != size {
		t.Errorf("du once link counts were seen = %d, want %d", got, size)
	}
	scan(built, loc2, "second rescan", 0)
}
