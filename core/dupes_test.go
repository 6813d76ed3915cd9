package core_test

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/filedex/filedex/core"
)

type modelGroup struct {
	content, size int64
	ids           []int64
}

func (g *genLib) dupGroups(q core.DupesQuery) []modelGroup {
	var under *genEntry
	for _, e := range g.all {
		if q.Under != "" && e.kind == core.KindDirectory && g.absPath(e) == q.Under {
			under = e
		}
	}
	by := map[int64]*modelGroup{}
	for _, e := range g.all {
		if e.content == 0 || (under != nil && !g.under(e, under)) || e.size < q.MinSize ||
			(q.ContentKind != "" && core.ContentKinds()[e.ckind] != q.ContentKind) {
			continue
		}
		m := by[e.content]
		if m == nil {
			m = &modelGroup{content: e.content, size: e.size}
			by[e.content] = m
		}
		m.ids = append(m.ids, e.id)
	}
	var out []modelGroup
	for _, m := range by {
		if len(m.ids) > 1 {
			out = append(out, *m)
		}
	}
	w := func(m modelGroup) int64 { return m.size * int64(len(m.ids)-1) }
	slices.SortFunc(out, func(a, b modelGroup) int { return cmp.Or(cmp.Compare(w(b), w(a)), cmp.Compare(a.content, b.content)) })
	return out
}

func TestDuplicates_MatchModel(t *testing.T) {
	lib := openTest(t)
	g := generate(t, lib, 8, 2000)
	ctx := context.Background()
	var sub string
	for _, e := range g.all {
		if e.kind == core.KindDirectory && e.id != g.rootID && sub == "" {
			sub = g.absPath(e)
		}
	}
	for i, q := range []core.DupesQuery{{}, {MinSize: 1 << 20}, {ContentKind: "image"}, {Under: sub}, {Under: g.locPath, MinSize: 5000},
		{Summary: true}, {Summary: true, Under: sub, MinSize: 5000}} {
		limit := 100
		if i == 0 {
			limit = 7 // one query pages through small pages: the cursor is exercised
		}
		want := g.dupGroups(q)
		var got []core.DupGroup
		var total int64
		after := ""
		for {
			res, err := lib.Duplicates().Groups(ctx, q, core.Page{Limit: limit, After: after})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, res.Groups...)
			total = res.TotalWastedBytes
			if res.Next == "" {
				break
			}
			after = res.Next
		}
		var wantTotal int64
		for _, m := range want {
			wantTotal += m.size * int64(len(m.ids)-1)
		}
		if len(got) != len(want) || total != wantTotal {
			t.Fatalf("%+v: %d groups / %d wasted, want %d / %d", q, len(got), total, len(want), wantTotal)
		}
		for i, m := range want {
			x := got[i]
			slices.Sort(m.ids)
			if q.Summary {
				// The same groups and counts, no members.
				if x.CasID != core.CasIDString(m.content) || x.Size != m.size || x.Count != int64(len(m.ids)) || len(x.IDs) != 0 || len(x.Paths) != 0 {
					t.Fatalf("%+v group %d: %+v, want %+v without members", q, i, x, m)
				}
				continue
			}
			if x.CasID != core.CasIDString(m.content) || x.Size != m.size || x.Count != int64(len(m.ids)) || !slices.Equal(x.IDs, m.ids) || x.Verified {
				t.Fatalf("%+v group %d: %+v, want %+v", q, i, x, m)
			}
			for j, id := range x.IDs {
				if x.Paths[j] != g.absPath(g.byID[id]) {
					t.Fatalf("path %q, want %q", x.Paths[j], g.absPath(g.byID[id]))
				}
			}
		}
	}
}

// TestDuplicates_SummaryRefusesVerify: verify needs the members a summary leaves out.
func TestDuplicates_SummaryRefusesVerify(t *testing.T) {
	lib := openTest(t)
	_, err := lib.Duplicates().Groups(context.Background(), core.DupesQuery{Summary: true, Verify: true}, core.Page{})
	if !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("summary with verify: %v, want invalid", err)
	}
}

func TestDuplicates_Verify(t *testing.T) {
	ctx := context.Background()
	lib := openTest(t)
	dir := t.TempDir()
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	same := strings.Repeat("A", 5000)
	files := []struct{ name, content, cas string }{
		// Group 1: three identical, one impostor with the same (sampled) cas_id and size,
		// one deleted since indexing, one whose size changed.
		{"a1", same, "0000000000000001"}, {"a2", same, "0000000000000001"}, {"a3", same, "0000000000000001"},
		{"impostor", strings.Repeat("A", 4999) + "B", "0000000000000001"},
		{"gone", same, "0000000000000001"}, {"grown", same, "0000000000000001"},
		// Group 2: two pairs that differ from each other.
		{"p1", strings.Repeat("P", 3000), "0000000000000002"}, {"p2", strings.Repeat("P", 3000), "0000000000000002"},
		{"q1", strings.Repeat("Q", 3000), "0000000000000002"}, {"q2", strings.Repeat("Q", 3000), "0000000000000002"},
		// Group 3: a plain true duplicate.
		{"r1", "R", "0000000000000003"}, {"r2", "R", "0000000000000003"},
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(loc.Path, f.name), []byte(f.content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := lib.Entries().Create(ctx, core.EntryInput{ParentID: loc.RootID, Name: f.name, Size: int64(len(f.content)), CasID: f.cas, ModifiedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(filepath.Join(loc.Path, "gone"))
	os.WriteFile(filepath.Join(loc.Path, "grown"), []byte(same+"!"), 0o644)

	// Unverified: the index's view, never marked verified.
	res, err := lib.Duplicates().Groups(ctx, core.DupesQuery{}, core.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Groups) != 3 || res.Groups[0].Count != 6 || res.Groups[0].Verified || res.TotalWastedBytes != 5*5000+3*3000+1 {
		t.Fatalf("unverified: %+v", res)
	}
	res, err = lib.Duplicates().Groups(ctx, core.DupesQuery{Verify: true}, core.Page{})
	if err != nil {
		t.Fatal(err)
	}
	names := func(g core.DupGroup) []string {
		var out []string
		for _, p := range g.Paths {
			out = append(out, filepath.Base(p))
		}
		return out
	}
	if len(res.Groups) != 4 {
		t.Fatalf("verified groups: %+v", res.Groups)
	}
	g1 := res.Groups[0]
	if !g1.Verified || !slices.Equal(names(g1), []string{"a1", "a2", "a3"}) || g1.WastedBytes != 2*5000 || len(g1.Unverified) != 2 {
		t.Fatalf("group 1: %+v", g1)
	}
	for _, g := range res.Groups[1:3] {
		if !g.Verified || g.Count != 2 || g.Size != 3000 {
			t.Fatalf("group 2 split: %+v", g)
		}
	}
	if n := [][]string{names(res.Groups[1]), names(res.Groups[2])}; !slices.Equal(n[0], []string{"p1", "p2"}) || !slices.Equal(n[1], []string{"q1", "q2"}) {
		t.Fatalf("split classes: %v", n)
	}
	if res.TotalWastedBytes != 2*5000+3000+3000+1 {
		t.Fatalf("total after verification: %d", res.TotalWastedBytes)
	}
	// A group whose readable members all agree caches its proven hash on the content identity;
	// a content id covering two contents (impostor, split) caches nothing: no single hash is
	// the content's.
	c1, _ := lib.Contents().Get(ctx, "0000000000000001")
	c2, _ := lib.Contents().Get(ctx, "0000000000000002")
	c3, _ := lib.Contents().Get(ctx, "0000000000000003")
	g3 := res.Groups[3]
	if !g3.Verified || c3.IntegrityHash != g3.IntegrityHash || c3.IntegrityHash == "" || c1.IntegrityHash != "" || c2.IntegrityHash != "" {
		t.Fatalf("cache: %q %q %q (group 3 %q)", c1.IntegrityHash, c2.IntegrityHash, c3.IntegrityHash, g3.IntegrityHash)
	}
}

// TestDuplicates_PagedTotals pages through every group three at a time, for each plan and
// filter, and checks every page's totals and the concatenated groups against the model.
func TestDuplicates_PagedTotals(t *testing.T) {
	lib := openTest(t)
	g := generate(t, lib, 8, 2000)
	ctx := context.Background()
	sub, most := "", 0 // the subdirectory with the most groups
	for _, e := range g.all {
		if e.kind == core.KindDirectory && e.parent == g.rootID {
			if n := len(g.dupGroups(core.DupesQuery{Under: g.absPath(e)})); n > most {
				sub, most = g.absPath(e), n
			}
		}
	}
	for _, q := range []core.DupesQuery{{}, {Summary: true}, {MinSize: 5000, Summary: true}, {ContentKind: "image"},
		{Under: sub}, {Under: g.locPath, MinSize: 5000, Summary: true}} {
		want := g.dupGroups(q)
		var wantWasted int64
		for _, m := range want {
			wantWasted += m.size * int64(len(m.ids)-1)
		}
		if len(want) < 7 {
			t.Fatalf("%+v: only %d groups, the test needs several pages", q, len(want))
		}
		var got []core.DupGroup
		pages := 0
		for after := ""; ; pages++ {
			res, err := lib.Duplicates().Groups(ctx, q, core.Page{Limit: 3, After: after})
			if err != nil {
				t.Fatal(err)
			}
			if res.TotalGroups != int64(len(want)) || res.TotalWastedBytes != wantWasted {
				t.Fatalf("%+v page %d: totals %d groups / %d B, want %d / %d", q, pages, res.TotalGroups, res.TotalWastedBytes, len(want), wantWasted)
			}
			got = append(got, res.Groups...)
			if res.Next == "" {
				break
			}
			after = res.Next
		}
		if len(got) != len(want) || pages != (len(want)-1)/3 {
			t.Fatalf("%+v: %d groups in %d pages, want %d", q, len(got), pages+1, len(want))
		}
		for i, m := range want {
			x := got[i]
			if x.CasID != core.CasIDString(m.content) || x.Size != m.size || x.Count != int64(len(m.ids)) || x.WastedBytes != m.size*int64(len(m.ids)-1) {
				t.Fatalf("%+v group %d: %+v, want %+v", q, i, x, m)
			}
		}
	}
}

// TestDuplicates_TotalsAsOfFirstPage: later pages repeat the first page's totals (the cursor
// carries them) even after the library changed; a new listing sees the change.
func TestDuplicates_TotalsAsOfFirstPage(t *testing.T) {
	ctx := context.Background()
	lib := openTest(t)
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	add := func(name, cas string, size int64) {
		t.Helper()
		if _, err := lib.Entries().Create(ctx, core.EntryInput{ParentID: loc.RootID, Name: name, Size: size, CasID: cas, ModifiedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	for i, size := range []int64{100, 200, 300} {
		cas := fmt.Sprintf("%016x", i+1)
		add(cas+"a", cas, size)
		add(cas+"b", cas, size)
	}
	q := core.DupesQuery{Summary: true}
	first, err := lib.Duplicates().Groups(ctx, q, core.Page{Limit: 2})
	if err != nil || first.TotalGroups != 3 || first.TotalWastedBytes != 600 || first.Next == "" {
		t.Fatalf("first page: %+v %v", first, err)
	}
	add("late", "0000000000000009", 50)
	add("late2", "0000000000000009", 50)
	second, err := lib.Duplicates().Groups(ctx, q, core.Page{Limit: 2, After: first.Next})
	if err != nil || second.TotalGroups != 3 || second.TotalWastedBytes != 600 || second.Next != "" {
		t.Fatalf("second page: %+v %v (want the first page's totals)", second, err)
	}
	// The new group sorts last: the second page has it, its totals do not.
	if len(second.Groups) != 2 || second.Groups[1].CasID != "0000000000000009" {
		t.Fatalf("second page groups: %+v", second.Groups)
	}
	fresh, err := lib.Duplicates().Groups(ctx, q, core.Page{Limit: 2})
	if err != nil || fresh.TotalGroups != 4 || fresh.TotalWastedBytes != 650 {
		t.Fatalf("fresh listing: %+v %v", fresh, err)
	}
}

// TestDuplicates_CursorBound: a cursor is refused as invalid ("after") when replayed with
// other filters, on another library, damaged anywhere (totals included) or in the old
// format; switching between summary and members keeps it valid.
func TestDuplicates_CursorBound(t *testing.T) {
	ctx := context.Background()
	lib := openTest(t)
	g := generate(t, lib, 8, 2000)
	var sub string
	for _, e := range g.all {
		if e.kind == core.KindDirectory && e.id != g.rootID && sub == "" {
			sub = g.absPath(e)
		}
	}
	q := core.DupesQuery{MinSize: 10, Summary: true}
	res, err := lib.Duplicates().Groups(ctx, q, core.Page{Limit: 3})
	if err != nil || res.Next == "" {
		t.Fatalf("first page: %+v %v", res, err)
	}
	cursor := res.Next
	refused := func(what string, q core.DupesQuery, lib *core.Library, after string) {
		t.Helper()
		_, err := lib.Duplicates().Groups(ctx, q, core.Page{Limit: 3, After: after})
		var ce *core.Error
		if !errors.Is(err, core.ErrInvalid) || !errors.As(err, &ce) || ce.Field != "after" {
			t.Errorf("%s: %v, want invalid after", what, err)
		}
	}
	refused("other min_size", core.DupesQuery{MinSize: 11, Summary: true}, lib, cursor)
	refused("no min_size", core.DupesQuery{Summary: true}, lib, cursor)
	refused("kind", core.DupesQuery{MinSize: 10, ContentKind: "image", Summary: true}, lib, cursor)
	refused("under", core.DupesQuery{MinSize: 10, Under: g.locPath, Summary: true}, lib, cursor)
	refused("under another directory", core.DupesQuery{MinSize: 10, Under: sub, Summary: true}, lib, cursor)

	other, err := core.Open(filepath.Join(t.TempDir(), "lib"), func() core.Options { o := testOptions(); o.UUIDs = core.SeededUUIDs(2); return o }())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	generate(t, other, 8, 2000)
	refused("another library", q, other, cursor)

	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		t.Fatal(err)
	}
	for i := range raw {
		for _, bit := range []byte{0x01, 0x80} {
			b := slices.Clone(raw)
			b[i] ^= bit // the position, the totals, the version or the check
			refused(fmt.Sprintf("byte %d ^ %#x", i, bit), q, lib, base64.RawURLEncoding.EncodeToString(b))
		}
	}
	refused("truncated", q, lib, base64.RawURLEncoding.EncodeToString(raw[:len(raw)-1]))
	refused("extended", q, lib, base64.RawURLEncoding.EncodeToString(append(slices.Clone(raw), 0)))
	// The format before the totals moved into the cursor: [wasted, cas id] as JSON.
	refused("old format", q, lib, base64.RawURLEncoding.EncodeToString([]byte(`[5000,-1]`)))

	// Same filters: summary, members and verify all accept it, at the same position.
	members, err := lib.Duplicates().Groups(ctx, core.DupesQuery{MinSize: 10}, core.Page{Limit: 3, After: cursor})
	if err != nil {
		t.Fatal(err)
	}
	summary, err := lib.Duplicates().Groups(ctx, q, core.Page{Limit: 3, After: cursor})
	if err != nil {
		t.Fatal(err)
	}
	if len(members.Groups) != 3 || len(summary.Groups) != 3 || members.Next != summary.Next || members.TotalWastedBytes != summary.TotalWastedBytes {
		t.Fatalf("members %+v, summary %+v", members, summary)
	}
	for i := range members.Groups {
		if members.Groups[i].CasID != summary.Groups[i].CasID || len(members.Groups[i].IDs) < 2 {
			t.Fatalf("group %d: members %+v, summary %+v", i, members.Groups[i], summary.Groups[i])
		}
	}
}
