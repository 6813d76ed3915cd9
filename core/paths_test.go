package core_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/filedex/filedex/core"
)

func (g *genLib) children(dir int64) []*genEntry {
	var out []*genEntry
	for _, e := range g.all {
		if e.parent == dir && e.id != g.rootID {
			out = append(out, e)
		}
	}
	return out
}

func listAll(t *testing.T, lib *core.Library, dir int64, o core.ListOptions, limit int) []core.Entry {
	t.Helper()
	var out []core.Entry
	after := ""
	for {
		es, next, err := lib.Entries().List(context.Background(), dir, o, core.Page{Limit: limit, After: after})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, es...)
		if next == "" {
			return out
		}
		after = next
	}
}

func TestPaths_MatchModel(t *testing.T) {
	lib := openTest(t)
	g := generate(t, lib, 4, 1200)
	ctx := context.Background()
	for _, d := range g.all {
		if d.kind != core.KindDirectory {
			continue
		}
		kids := g.children(d.id)
		byName := slices.Clone(kids)
		slices.SortFunc(byName, func(a, b *genEntry) int { return strings.Compare(a.name, b.name) })
		dirsFirst := slices.Clone(byName)
		slices.SortStableFunc(dirsFirst, func(a, b *genEntry) int {
			return bytes.Compare([]byte{boolByte(a.kind != core.KindDirectory)}, []byte{boolByte(b.kind != core.KindDirectory)})
		})
		for _, tc := range []struct {
			o    core.ListOptions
			want []*genEntry
		}{{core.ListOptions{}, byName}, {core.ListOptions{DirsFirst: true}, dirsFirst}} {
			for _, limit := range []int{2, 100} {
				got := listAll(t, lib, d.id, tc.o, limit)
				if len(got) != len(tc.want) {
					t.Fatalf("dir %d %+v limit %d: %d entries, want %d", d.id, tc.o, limit, len(got), len(tc.want))
				}
				for i := range got {
					if got[i].ID != tc.want[i].id || got[i].Name != tc.want[i].name {
						t.Fatalf("dir %d %+v limit %d: [%d] = %d %q, want %d %q", d.id, tc.o, limit, i, got[i].ID, got[i].Name, tc.want[i].id, tc.want[i].name)
					}
				}
			}
		}
		// Subtree statistics against a walk of the model.
		var want core.TreeStats
		for _, e := range g.all {
			if g.under(e, d) {
				switch e.kind {
				case core.KindFile:
					want.Files++
					want.Bytes += e.size
				case core.KindDirectory:
					want.Dirs++
				case core.KindSymlink:
					want.Symlinks++
				}
			}
		}
		got, err := lib.Entries().Stats(ctx, d.id)
		if err != nil || got != want {
			t.Fatalf("stats of %q: %+v, %v; want %+v", d.dirPath, got, err, want)
		}
	}
	for _, e := range g.all {
		p, err := lib.Entries().Path(ctx, e.id)
		if err != nil || p != g.absPath(e) {
			t.Fatalf("path of %d: %q, %v; want %q", e.id, p, err, g.absPath(e))
		}
		id, err := lib.Entries().Resolve(ctx, p)
		if err != nil || id != e.id {
			t.Fatalf("resolve %q: %d, %v; want %d", p, id, err, e.id)
		}
	}
	if _, err := lib.Entries().Path(ctx, 1<<40); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("path of a missing entry: %v", err)
	}
	if _, _, err := lib.Entries().List(ctx, g.all[len(g.all)-1].id, core.ListOptions{}, core.Page{}); err == nil && g.all[len(g.all)-1].kind != core.KindDirectory {
		t.Errorf("listing a non-directory succeeded")
	}
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func TestList_CursorSurvivesInserts(t *testing.T) {
	lib := openTest(t)
	g := generate(t, lib, 5, 400)
	ctx := context.Background()
	before := g.children(g.rootID)
	seen := map[int64]bool{}
	after := ""
	for n := 0; ; n++ {
		es, next, err := lib.Entries().List(ctx, g.rootID, core.ListOptions{DirsFirst: true}, core.Page{Limit: 4, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if seen[e.ID] {
				t.Fatalf("%d listed twice", e.ID)
			}
			seen[e.ID] = true
		}
		// New entries before and after the cursor, files and directories.
		for _, in := range []core.EntryInput{{Name: "\x01new" + string(rune('a'+n%26)) + strings.Repeat("x", n), Kind: core.KindFile},
			{Name: "\x01dir" + strings.Repeat("y", n), Kind: core.KindDirectory}, {Name: "~zz" + strings.Repeat("z", n), Kind: core.KindFile}} {
			in.ParentID, in.ModifiedAt = g.rootID, t0
			if _, err := lib.Entries().Create(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		if next == "" {
			break
		}
		after = next
	}
	for _, e := range before {
		if !seen[e.id] {
			t.Fatalf("entry %d %q skipped", e.id, e.name)
		}
	}
}

func TestDeleteSubtree(t *testing.T) {
	lib := openTest(t)
	g := generate(t, lib, 6, 1500)
	ctx := context.Background()
	// The directory with the largest subtree that is not the root.
	var victim *genEntry
	best := 0
	for _, d := range g.all {
		if d.kind == core.KindDirectory && d.id != g.rootID {
			n := 0
			for _, e := range g.all {
				if g.under(e, d) {
					n++
				}
			}
			if n > best {
				victim, best = d, n
			}
		}
	}
	if err := lib.Entries().Delete(ctx, victim.id); err != nil {
		t.Fatal(err)
	}
	for _, e := range g.all {
		_, err := lib.Entries().Get(ctx, e.id)
		gone := e == victim || g.under(e, victim)
		if gone != errors.Is(err, core.ErrNotFound) {
			t.Fatalf("entry %d (gone=%v): %v", e.id, gone, err)
		}
	}
	// The FTS index forgot them too (triggers): a search finds only survivors.
	es, _, err := lib.Entries().Find(ctx, core.FindQuery{Text: "report"}, core.Page{Limit: core.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if x := g.byID[e.ID]; x == victim || g.under(x, victim) {
			t.Fatalf("deleted entry %d still found by FTS", e.ID)
		}
	}
	if err := lib.Entries().Delete(ctx, g.rootID); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("deleting a location root: %v", err)
	}
}
