package core_test

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/filedex/filedex/core"
)

func TestUsage_MatchesModel(t *testing.T) {
	lib := openTest(t)
	g := generate(t, lib, 9, 2500)
	ctx := context.Background()

	// Large files by directory, both plans (index for ≥ 1 MiB, table below).
	for _, min := range []int64{2 << 20, 20 << 20, 50000} {
		type agg struct{ bytes, files int64 }
		want := map[int64]*agg{}
		for _, e := range g.all {
			if e.kind == core.KindFile && e.size >= min {
				if want[e.parent] == nil {
					want[e.parent] = &agg{}
				}
				want[e.parent].bytes += e.size
				want[e.parent].files++
			}
		}
		got, err := lib.Usage().LargeFiles(ctx, min, core.MaxLimit)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("large files ≥ %d: %d dirs, want %d", min, len(got), len(want))
		}
		for i, d := range got {
			w := want[d.ID]
			if w == nil || w.bytes != d.Bytes || w.files != d.Files || d.Path != g.absPath(g.byID[d.ID]) {
				t.Fatalf("large files ≥ %d: %+v, want %+v", min, d, w)
			}
			if i > 0 && got[i-1].Bytes < d.Bytes {
				t.Fatal("not largest first")
			}
		}
	}

	// du tree to depth 2 from the root and from a subdirectory.
	for _, start := range []*genEntry{g.byID[g.rootID], g.all[len(g.all)/3]} {
		if start.kind != core.KindDirectory {
			for _, e := range g.all {
				if e.kind == core.KindDirectory && e.id != g.rootID {
					start = e
					break
				}
			}
		}
		tree, err := lib.Usage().Tree(ctx, g.absPath(start), 2)
		if err != nil {
			t.Fatal(err)
		}
		var want []core.DirUsage
		for _, d := range g.all {
			depth := 0
			if d != start {
				if !g.under(d, start) {
					continue
				}
				for x := d; x != start; x = g.byID[x.parent] {
					depth++
				}
			}
			if d.kind != core.KindDirectory || depth > 2 {
				continue
			}
			u := core.DirUsage{Path: g.absPath(d), ID: d.id, Depth: depth}
			for _, e := range g.all {
				if g.under(e, d) {
					switch e.kind {
					case core.KindFile:
						u.Files++
						u.Bytes += e.size
					case core.KindDirectory:
						u.Dirs++
					}
				}
			}
			want = append(want, u)
		}
		slices.SortFunc(want, func(a, b core.DirUsage) int { return strings.Compare(a.Path, b.Path) })
		if !slices.Equal(tree, want) {
			t.Fatalf("du %s: got %d rows, want %d\n%+v\n%+v", g.absPath(start), len(tree), len(want), tree[:min(3, len(tree))], want[:min(3, len(want))])
		}
	}

	// Top-N largest files, with and without a subtree; n larger than the ≥ 1 MiB set too;
	// subtrees both ways (read and sort their files, or walk entries_large).
	var sub *genEntry
	for _, e := range g.all {
		if e.kind == core.KindDirectory && e.id != g.rootID && sub == nil {
			sub = e
		}
	}
	for _, walkFrom := range []int64{1 << 40, 0} {
		restore := core.SetLargestWalkFrom(walkFrom)
		defer restore()
		for _, n := range []int{5, 2000} {
			for _, under := range []*genEntry{nil, g.byID[g.rootID], sub} {
				var files []*genEntry
				for _, e := range g.all {
					if e.kind == core.KindFile && (under == nil || g.under(e, under)) {
						files = append(files, e)
					}
				}
				slices.SortFunc(files, func(a, b *genEntry) int { return cmp.Or(cmp.Compare(b.size, a.size), cmp.Compare(a.id, b.id)) })
				files = files[:min(n, len(files))]
				path := ""
				if under != nil {
					path = g.absPath(under)
				}
				got, err := lib.Usage().Largest(ctx, path, n)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(files) {
					t.Fatalf("top %d under %q: %d, want %d", n, path, len(got), len(files))
				}
				for i := range got {
					if got[i].ID != files[i].id {
						t.Fatalf("walk from %d: top %d [%d] = %d (%d B), want %d (%d B)", walkFrom, n, i, got[i].ID, got[i].Size, files[i].id, files[i].size)
					}
				}
			}
		}
	}
}
