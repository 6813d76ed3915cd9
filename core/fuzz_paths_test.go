package core

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
)

// fuzzLibrary is a library with one location holding names that break LIKE, globs and
// Unicode normalisation, and a label tree. It returns the library, the location's path and
// the path → id map of every entry.
func fuzzLibrary(f *testing.F) (*Library, string, map[string]int64) {
	ctx := context.Background()
	l, err := Open(filepath.Join(f.TempDir(), "lib"), Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { l.Close() })
	root := f.TempDir()
	loc, err := l.Locations().Create(ctx, LocationInput{Path: root})
	if err != nil {
		f.Fatal(err)
	}
	ids := map[string]int64{root: loc.RootID}
	mtime := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, e := range []struct {
		parent, name string
		kind         Kind
	}{
		{"", "a", KindDirectory}, {"a", "b c", KindDirectory}, {"a/b c", "d", KindDirectory},
		{"", "100%.txt", KindFile}, {"", "100_.txt", KindFile}, {"a", "under_score", KindFile},
		{"a/b c", "caf\u00e9", KindFile}, {"a/b c", "cafe\u0301", KindFile}, {"a/b c/d", "\xff\xfe.bin", KindFile},
		{"", "back\\slash", KindFile}, {"a", "a", KindFile}, {"", "a0", KindDirectory}, {"a0", "x", KindFile},
	} {
		parent := filepath.Join(root, e.parent)
		x, err := l.Entries().Create(ctx, EntryInput{ParentID: ids[parent], Name: e.name, Kind: e.kind, ModifiedAt: mtime})
		if err != nil {
			f.Fatal(err)
		}
		ids[filepath.Join(parent, e.name)] = x.ID
	}
	for _, in := range []LabelInput{{Name: "Work"}, {Name: "Clients", Parent: 1}, {Name: "Clients"}} {
		if _, err := l.Labels().Create(ctx, in); err != nil {
			f.Fatal(err)
		}
	}
	return l, root, ids
}

// FuzzResolvePath: the path lookup behind entry.get/metadata/tag.apply/entry.list by path,
// find's and dupes' "under" and entry.move resolves any string to the entry whose path is
// exactly that path (cleaned) or fails with not_found/invalid — never another entry (LIKE
// wildcards, a prefix, another normalisation form), never an internal error. Label names
// ("Work/Clients"), the other string the API resolves as a path, must behave the same way.
func FuzzResolvePath(f *testing.F) {
	l, root, ids := fuzzLibrary(f)
	for _, s := range []string{"", ".", "a", "a/", "a/b c/d/\xff\xfe.bin", "100%.txt", "100%", "10__txt", "a/b%", "a/b c/cafe\u0301",
		"a/b c/caf\u00e9", "../x", "a/../a0/x", "a0", "a/a", "back\\slash", "/", "//a", "a//b c", "\x00", "Work/Clients", "Clients", "Work/"} {
		f.Add(s)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, rel string) {
		p := rel
		if !filepath.IsAbs(rel) {
			p = root + "/" + rel
		}
		want, known := ids[filepath.Clean(p)]
		id, err := l.resolvePath(ctx, "fuzz", p)
		if err != nil {
			if c := CodeOf(err); c != CodeNotFound && c != CodeInvalid {
				t.Fatalf("%q: %v (code %s)", p, err, c)
			}
			if known {
				t.Fatalf("%q: the indexed %q was not found: %v", p, filepath.Clean(p), err)
			}
		} else {
			if !known || id != want {
				t.Fatalf("%q resolved to entry %d; want %d (indexed: %v)", p, id, want, known)
			}
			got, err := l.Entries().Path(ctx, id)
			if err != nil || got != filepath.Clean(p) {
				t.Fatalf("%q → %d → %q (%v)", p, id, got, err)
			}
		}
		if lb, err := l.Labels().GetByName(ctx, rel); err != nil {
			if c := CodeOf(err); c != CodeNotFound && c != CodeInvalid {
				t.Fatalf("label %q: %v (code %s)", rel, err, c)
			}
		} else if lb.Path != rel && lb.Name != rel {
			t.Fatalf("label %q resolved to %q", rel, lb.Path)
		}
	})
}

// FuzzCursor: every list that takes a client's "after" cursor (entry.list, entry.find,
// duplicates.find, tag.list, job.list, location.list) answers any string with a page or an
// invalid-argument error naming "after" — never an internal error or a panic. A
// duplicates.find cursor carries the first page's totals and is bound to the filters and the
// library: whatever it accepts must answer the true totals and a run of the true groups.
func FuzzCursor(f *testing.F) {
	l, root, ids := fuzzLibrary(f)
	ctx := context.Background()
	// Five duplicate groups (sizes 10..50, two files each) for duplicates.find to page through.
	mtime := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for i := 1; i <= 5; i++ {
		for _, c := range "ab" {
			if _, err := l.Entries().Create(ctx, EntryInput{ParentID: ids[root], Name: fmt.Sprintf("dup%d%c", i, c), Size: int64(10 * i),
				CasID: fmt.Sprintf("%016x", i), ModifiedAt: mtime}); err != nil {
				f.Fatal(err)
			}
		}
	}
	dupQueries := []DupesQuery{{}, {MinSize: 20, Summary: true}}
	var dupAll []DupesResult // each query's groups and totals on one page
	seeds := []string{"", "garbage", encodeCursor(0, []byte("a")), encodeCursor(1, []byte{}), encodeCursor(2, []byte("x")),
		encodeCursor(-1, "x"), encodeCursor(int64(1) << 62), encodeCursor("a", 1), encodeCursor(1, 2, 3), "W10", "WyJ4Il0", "bnVsbA", "e30",
		encodeCursor(30, 3), // the duplicates cursor before format 1
	}
	for _, q := range dupQueries {
		all, err := l.Duplicates().Groups(ctx, q, Page{Limit: MaxLimit})
		if err != nil || all.Next != "" || len(all.Groups) < 4 {
			f.Fatalf("%+v: %+v %v", q, all, err)
		}
		dupAll = append(dupAll, all)
		// The genuine cursors of pages of two, and damaged ones: truncated, another version,
		// other totals with the old check.
		for after := ""; ; {
			res, err := l.Duplicates().Groups(ctx, q, Page{After: after, Limit: 2})
			if err != nil {
				f.Fatal(err)
			}
			if res.Next == "" {
				break
			}
			after = res.Next
			raw, _ := base64.RawURLEncoding.DecodeString(after)
			seeds = append(seeds, after, after[:len(after)-2])
			for _, i := range []int{0, 20, 32, 40} {
				b := bytes.Clone(raw)
				b[i]++
				seeds = append(seeds, base64.RawURLEncoding.EncodeToString(b))
			}
		}
	}
	// A well-formed cursor for another library.
	seeds = append(seeds, dupBinding{library: uuid.UUID{1}, kind: -1}.encode(dupCursor{wasted: 30, content: 3, totals: dupTotals{5, 150}}))
	for _, s := range seeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	page := func(after string) Page { return Page{After: after, Limit: 2} }
	f.Fuzz(func(t *testing.T, after string, dirsFirst bool) {
		check := func(what string, err error) {
			if err == nil {
				return
			}
			var ce *Error
			if CodeOf(err) != CodeInvalid || !errors.As(err, &ce) || ce.Field != "after" {
				t.Fatalf("%s after %q: %v (code %s)", what, after, err, CodeOf(err))
			}
		}
		_, _, err := l.Entries().List(ctx, ids[root], ListOptions{DirsFirst: dirsFirst}, page(after))
		check("entry.list", err)
		_, _, err = l.Entries().Find(ctx, FindQuery{Name: "*"}, page(after))
		check("entry.find", err)
		_, _, err = l.Entries().Find(ctx, FindQuery{Text: "cafe"}, page(after))
		check("entry.find text", err)
		for i, q := range dupQueries {
			res, err := l.Duplicates().Groups(ctx, q, page(after))
			check("duplicates.find", err)
			if err != nil {
				continue
			}
			all := dupAll[i]
			if res.TotalGroups != all.TotalGroups || res.TotalWastedBytes != all.TotalWastedBytes || len(res.Groups) == 0 {
				t.Fatalf("duplicates.find %+v after %q: %d groups / %d B totals, %d groups; want %d / %d", q, after,
					res.TotalGroups, res.TotalWastedBytes, len(res.Groups), all.TotalGroups, all.TotalWastedBytes)
			}
			start := slices.IndexFunc(all.Groups, func(g DupGroup) bool { return g.CasID == res.Groups[0].CasID })
			if start < 0 || start+len(res.Groups) > len(all.Groups) {
				t.Fatalf("duplicates.find %+v after %q: groups %+v not a run of %+v", q, after, res.Groups, all.Groups)
			}
			for j, g := range res.Groups {
				if w := all.Groups[start+j]; g.CasID != w.CasID || g.Count != w.Count || g.WastedBytes != w.WastedBytes {
					t.Fatalf("duplicates.find %+v after %q: groups %+v not a run of %+v", q, after, res.Groups, all.Groups)
				}
			}
		}
		_, _, err = l.Tags().List(ctx, page(after))
		check("tag.list", err)
		_, _, err = l.Jobs().List(ctx, JobFilter{}, page(after))
		check("job.list", err)
		_, _, err = l.Locations().List(ctx, LocationFilter{}, page(after))
		check("location.list", err)
	})
}
