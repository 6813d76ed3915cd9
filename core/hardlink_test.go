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
