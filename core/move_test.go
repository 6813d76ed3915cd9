package core_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/filedex/filedex/core"
)

// diskTree creates files and directories on disk below a new location and indexes them
// through the API. Paths ending in "/" are directories.
func diskTree(t *testing.T, lib *core.Library, root string, paths ...string) (core.Location, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: root})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{"": loc.RootID}
	for _, p := range paths {
		dir := len(p) > 0 && p[len(p)-1] == '/'
		rel := filepath.Clean(p)
		abs := filepath.Join(loc.Path, rel)
		in := core.EntryInput{ParentID: ids[parentRel(rel)], Name: filepath.Base(rel), ModifiedAt: t0}
		if dir {
			in.Kind = core.KindDirectory
			if err := os.Mkdir(abs, 0o755); err != nil {
				t.Fatal(err)
			}
		} else {
			if err := os.WriteFile(abs, []byte("content of "+rel), 0o644); err != nil {
				t.Fatal(err)
			}
			in.Size = int64(len("content of " + rel))
		}
		e, err := lib.Entries().Create(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		ids[rel] = e.ID
	}
	return loc, ids
}

func parentRel(rel string) string {
	d := filepath.Dir(rel)
	if d == "." {
		return ""
	}
	return d
}

func TestMove(t *testing.T) {
	ctx := context.Background()
	lib := openTest(t)
	loc, ids := diskTree(t, lib, t.TempDir(), "a/", "a/b/", "a/b/c/", "a/b/c/deep.txt", "a/b/f.txt", "a/g.pdf", "z/", "z/taken/", "top.txt")
	at := func(rel string) string { return filepath.Join(loc.Path, rel) }
	red, err := lib.Tags().Create(ctx, core.TagInput{Name: "red"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Tags().Apply(ctx, red.ID, ids["a/b/f.txt"], ids["a/b"]); err != nil {
		t.Fatal(err)
	}
	before, _ := lib.Entries().Get(ctx, ids["a/b/f.txt"])

	t.Run("rename file", func(t *testing.T) {
		e, err := lib.Entries().Move(ctx, at("a/g.pdf"), at("a/holiday report.pdf"))
		if err != nil {
			t.Fatal(err)
		}
		if e.ID != ids["a/g.pdf"] || e.Name != "holiday report.pdf" || e.Extension != "pdf" || e.Path != at("a/holiday report.pdf") {
			t.Fatalf("moved entry: %+v", e)
		}
		if _, err := os.Stat(at("a/holiday report.pdf")); err != nil {
			t.Fatal(err)
		}
		// FTS follows the rename (trigger): the new words are found, the old name is not.
		found, _, err := lib.Entries().Find(ctx, core.FindQuery{Text: "holiday"}, core.Page{})
		if err != nil || len(found) != 1 || found[0].ID != e.ID {
			t.Fatalf("fts after rename: %v %v", found, err)
		}
		if found, _, _ := lib.Entries().Find(ctx, core.FindQuery{Text: "g"}, core.Page{}); len(found) != 0 {
			t.Fatalf("old name still in FTS: %v", found)
		}
	})

	t.Run("directory with contents", func(t *testing.T) {
		e, err := lib.Entries().Move(ctx, at("a/b"), at("z/moved"))
		if err != nil {
			t.Fatal(err)
		}
		if e.ID != ids["a/b"] || e.DirPath != "z/moved" {
			t.Fatalf("moved dir: %+v", e)
		}
		for old, now := range map[string]string{"a/b/c": "z/moved/c", "a/b/c/deep.txt": "z/moved/c/deep.txt", "a/b/f.txt": "z/moved/f.txt"} {
			id, err := lib.Entries().Resolve(ctx, at(now))
			if err != nil || id != ids[old] {
				t.Fatalf("resolve %s: %d %v, want %d", now, id, err, ids[old])
			}
			if _, err := lib.Entries().Resolve(ctx, at(old)); !errors.Is(err, core.ErrNotFound) {
				t.Fatalf("old path %s still resolves: %v", old, err)
			}
			if _, err := os.Lstat(at(now)); err != nil {
				t.Fatal(err)
			}
		}
		after, err := lib.Entries().Get(ctx, ids["a/b/f.txt"])
		if err != nil {
			t.Fatal(err)
		}
		if after.UUID != before.UUID || after.Metadata == nil || !slices.Contains(after.Metadata.Tags, "red") {
			t.Fatalf("identity or metadata lost: %+v / %+v", before, after)
		}
		st, err := lib.Entries().Stats(ctx, ids["z"])
		if err != nil || st.Files != 2 || st.Dirs != 3 {
			t.Fatalf("stats after move: %+v %v", st, err)
		}
		c, _ := lib.Entries().Get(ctx, ids["a/b/c"])
		if c.DirPath != "z/moved/c" {
			t.Fatalf("descendant directory path: %q", c.DirPath)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		if err := os.WriteFile(at("disk-only.txt"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, src, dst string
			want           error
		}{
			{"onto an indexed entry", at("top.txt"), at("z/taken"), core.ErrConflict},
			{"onto a file only on disk", at("top.txt"), at("disk-only.txt"), core.ErrConflict},
			{"into itself", at("z"), at("z/moved/c/z"), core.ErrInvalid},
			{"location root", loc.Path, at("a/root"), core.ErrInvalid},
			{"missing source", at("nope"), at("a/nope"), core.ErrNotFound},
			{"missing destination directory", at("top.txt"), at("nope/top.txt"), core.ErrNotFound},
			{"destination parent is a file", at("a/holiday report.pdf"), at("top.txt/x"), core.ErrInvalid},
			{"relative", "top.txt", at("x"), core.ErrInvalid},
		} {
			if _, err := lib.Entries().Move(ctx, tc.src, tc.dst); !errors.Is(err, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
			}
		}
		// Nothing moved.
		if _, err := os.Stat(at("top.txt")); err != nil {
			t.Fatal(err)
		}
		if id, err := lib.Entries().Resolve(ctx, at("top.txt")); err != nil || id != ids["top.txt"] {
			t.Fatalf("top.txt: %d %v", id, err)
		}
	})
}
