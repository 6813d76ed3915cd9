package scenarios

import (
	"context"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/filedex/filedex/benchmarks/corelib"
	"github.com/filedex/filedex/benchmarks/harness"
	"github.com/filedex/filedex/core"
)

// The filedex twins of the seed-DDL queries (seedddl.go): the same logical
// query on the same keys, through the core's public Go API. Each checks its
// answer against the dataset's truth (truth.go) in setup and, where cheap,
// on every operation, so a wrong or empty answer is an error, never a fast
// figure.

// coreTwin is coreScenario with the dataset's truth at hand; note is
// printed beside the figure (how filedex answers).
func coreTwin(name, note string, point bool, goal harness.Goal,
	prepare func(ctx context.Context, ld *corelib.Loaded, k *Keys, t *Truth) (op func(i int) error, items int64, err error)) harness.Scenario {
	return harness.Scenario{
		Name: name, Engine: EngineFiledex, Data: harness.Library, Point: point, Goal: goal, Doc: note,
		Setup: func(f *harness.Fixture) (*harness.Bench, error) {
			ld, k, err := libAndKeys(f)
			if err != nil {
				return nil, err
			}
			t, err := TruthFor(f)
			if err != nil {
				return nil, err
			}
			op, items, err := prepare(context.Background(), ld, k, t)
			if err != nil {
				return nil, err
			}
			b := &harness.Bench{Op: op, Note: note}
			if items > 0 {
				b.Items, b.ItemUnit = items, "entries"
			}
			return b, nil
		},
	}
}

// pageSize is the first page every "first page" query asks for, as the
// seed's LIMIT 50.
const pageSize = 50

var fileKind = core.KindFile

// findAll walks every page of a search (the largest page the API allows)
// and calls each on every entry; it returns how many there were.
func findAll(ctx context.Context, lib *core.Library, q core.FindQuery, each func(core.Entry) error) (int, error) {
	n, after := 0, ""
	for {
		es, next, err := lib.Entries().Find(ctx, q, core.Page{After: after, Limit: core.MaxLimit})
		if err != nil {
			return n, err
		}
		for _, e := range es {
			if each != nil {
				if err := each(e); err != nil {
					return n, err
				}
			}
		}
		n += len(es)
		if next == "" {
			return n, nil
		}
		after = next
	}
}

// firstPage returns an op that reads the first page of q and checks that
// it holds min(pageSize, want) entries, each satisfying ok; setup first
// walks every page and checks the total against want.
func firstPage(ctx context.Context, lib *core.Library, what string, q core.FindQuery, want int, ok func(core.Entry) bool) (func(int) error, error) {
	check := func(e core.Entry) error {
		if !ok(e) {
			return fmt.Errorf("%s: %s does not match", what, e.Path)
		}
		return nil
	}
	if want == 0 {
		return nil, fmt.Errorf("%s: the dataset has no match: the benchmark would time an empty answer", what)
	}
	n, err := findAll(ctx, lib, q, check)
	if err != nil {
		return nil, err
	}
	if n != want {
		return nil, fmt.Errorf("%s: %d entries in all pages, the dataset has %d", what, n, want)
	}
	return func(int) error {
		es, _, err := lib.Entries().Find(ctx, q, core.Page{Limit: pageSize})
		if err != nil {
			return err
		}
		if len(es) != min(pageSize, want) {
			return fmt.Errorf("%s: first page has %d entries, want %d", what, len(es), min(pageSize, want))
		}
		return check(es[0])
	}, nil
}

// allPages returns an op that reads every page of q and checks the total.
func allPages(ctx context.Context, lib *core.Library, what string, q core.FindQuery, want int) (func(int) error, int64, error) {
	if want == 0 {
		return nil, 0, fmt.Errorf("%s: the dataset has no match: the benchmark would time an empty answer", what)
	}
	return func(int) error {
		n, err := findAll(ctx, lib, q, nil)
		if err == nil && n != want {
			err = fmt.Errorf("%s: %d entries, the dataset has %d", what, n, want)
		}
		return err
	}, int64(want), nil
}

// coreTwins returns the filedex twins of every seed query beyond the three
// point lookups of CoreQueries.
func coreTwins() []harness.Scenario {
	return []harness.Scenario{
		coreTwin("query/paginate_files", "filedex: Entries.Find{Kind: file, Name: \"*\"} in id order (a table scan), keyset pages of 50; the cursor of every page is collected once in setup by walking all pages (a UI reaches page n the same way), then each op reads the seed's page.", true, harness.Goal{},
			func(ctx context.Context, ld *corelib.Loaded, k *Keys, t *Truth) (func(int) error, int64, error) {
				q := core.FindQuery{Kind: &fileKind, Name: "*"}
				var cursors []string
				after, n, prev := "", 0, int64(0)
				for {
					es, next, err := ld.Lib.Entries().Find(ctx, q, core.Page{After: after, Limit: pageSize})
					if err != nil {
						return nil, 0, err
					}
					cursors = append(cursors, after)
					for _, e := range es {
						if e.ID <= prev {
							return nil, 0, fmt.Errorf("paginate: entry %d after %d: not in id order", e.ID, prev)
						}
						prev = e.ID
					}
					n += len(es)
					if next == "" {
						break
					}
					after = next
				}
				if n != t.Files {
					return nil, 0, fmt.Errorf("paginate: %d files in all pages, the dataset has %d", n, t.Files)
				}
				pages := max(1, k.TotalFiles/pageSize) // the seed's page range (seedddl.go)
				return func(i int) error {
					p := (i * 7919) % pages
					es, _, err := ld.Lib.Entries().Find(ctx, q, core.Page{After: cursors[p], Limit: pageSize})
					if err == nil && len(es) != min(pageSize, t.Files) {
						err = fmt.Errorf("page %d has %d entries", p, len(es))
					}
					return err
				}, 0, nil
			}),
		coreTwin("query/subtree_stats", "filedex: Entries.Stats of the directory (dir_stats rows of the subtree's directories).", false, goalSubtree,
			func(ctx context.Context, ld *corelib.Loaded, k *Keys, t *Truth) (func(int) error, int64, error) {
				id, err := ld.Lib.Entries().Resolve(ctx, ld.Abs(k.Subtree.Path))
				if err != nil {
					return nil, 0, err
				}
				return func(int) error {
					st, err := ld.Lib.Entries().Stats(ctx, id)
					if err == nil && (st.Files != int64(t.SubFiles) || st.Dirs != int64(t.SubDirs) || st.Bytes != t.SubBytes) {
						err = fmt.Errorf("stats %+v, the dataset has %d files, %d dirs, %d bytes", st, t.SubFiles, t.SubDirs, t.SubBytes)
					}
					return err
				}, int64(k.Subtree.Subtree + 1), nil
			}),
		coreMove(),
		coreTwin("query/ext_first_page", "filedex: Entries.Find{Extensions: [pdf], Kind: file}, first page of 50 (entries_fts phrase of the extension, id order).", false, goalSearch,
			func(ctx context.Context, ld *corelib.Loaded, k *Keys, t *Truth) (func(int) error, int64, error) {
				op, err := firstPage(ctx, ld.Lib, "ext", core.FindQuery{Extensions: []string{k.Ext}, Kind: &fileKind}, t.ExtFiles,
					func(e core.Entry) bool { return e.Kind == core.KindFile && strings.EqualFold(e.Extension, k.Ext) })
				return op, 0, err
			}),
		coreTwin("query/ext_all", "filedex: every page (10,000 each) of Entries.Find{Extensions: [pdf], Kind: file}.", false, harness.Goal{},
			func(ctx context.Context, ld *corelib.Loaded, k *Keys, t *Truth) (func(int) error, int64, error) {
				return allPages(ctx, ld.Lib, "ext", core.FindQuery{Extensions: []string{k.Ext}, Kind: &fileKind}, t.ExtFiles)
			}),
		coreTwin("query/glob_first_page", "filedex: Entries.Find{Name: \"IMG_20??????_*\", Kind: file}, first page of 50 (entries_fts: the literal prefix's tokens at the start of the name).", false, goalSearch,
			func(ctx context.Context, ld *corelib.Loaded, k *Keys, t *Truth) (func(int) error, int64, error) {
				op, err := firstPage(ctx, ld.Lib, "glob", core.FindQuery{Name: k.Glob, Kind: &fileKind}, t.GlobFiles,
					func(e core.Entry) bool { ok, _ := path.Match(k.Glob, e.Name); return ok && e.Kind == core.KindFile })
				return op, 0, err
			}),
		coreTwin("query/word_prefix", "filedex: Entries.Find{Text: \"rep*\"}, first page of 50 (FTS5 prefix query, BM25 order).", false, goalFTS,
			func(ctx context.Context, ld *corelib.Loaded, k *Keys, t *Truth) (func(int) error, int64, error) {
				op, err := firstPage(ctx, ld.Lib, "word prefix", core.FindQuery{Text: k.Word + "*"}, t.WordEntries,
					func(e core.Entry) bool { return hasWordPrefix(e.Name, k.Word) })
				return op, 0, err
			}),
		coreTwin("query/tag_entries", "filedex: every page of Entries.Find{Tags: [Important]}.", false, harness.Goal{},
			func(ctx context.Context, ld *corelib.Loaded, k *Keys, t *Truth) (func(int) error, int64, error) {
				return allPages(ctx, ld.Lib, "tag", core.FindQuery{Tags: []string{k.Tag}}, t.TagEntries)
			}),
		coreTwin("query/label_entries", "filedex: every page of Entries.Find{Label: Work} (the label and its descendants).", false, harness.Goal{},
			func(ctx context.Context, ld *corelib.Loaded, k *Keys, t *Truth) (func(int) error, int64, error) {
				return allPages(ctx, ld.Lib, "label", core.FindQuery{Label: k.Label}, t.LabelEntries)
			}),
		coreTwin("query/favorites", "filedex: Entries.Find{Favorite: true}, first page of 50.", false, harness.Goal{},
			func(ctx context.Context, ld *corelib.Loaded, k *Keys, t *Truth) (func(int) error, int64, error) {
				yes := true
				op, err := firstPage(ctx, ld.Lib, "favorites", core.FindQuery{Favorite: &yes}, t.Favorites,
					func(e core.Entry) bool { return e.Metadata != nil && e.Metadata.Favorite })
				return op, 0, err
			}),
		dupesTwin("query/duplicates", "filedex: every page (10,000 groups each) of Duplicates.Groups{Summary} — groups, counts and wasted bytes from content_dupes, like the seed's query.", goalDupes, true),
		dupesTwin("query/duplicates_members", "filedex: every page (10,000 groups each) of Duplicates.Groups with every member's id and path (the seed has no such query).", harness.Goal{}, false),
		coreTwin("query/large_files_by_dir", "filedex: Usage.LargeFiles(> 100 MB) (partial index entries_large).", false, harness.Goal{},
			func(ctx context.Context, ld *corelib.Loaded, k *Keys, t *Truth) (func(int) error, int64, error) {
				if t.LargeDirs >= core.MaxLimit {
					return nil, 0, fmt.Errorf("large files: %d directories, more than one call returns", t.LargeDirs)
				}
				return func(int) error {
					ds, err := ld.Lib.Usage().LargeFiles(ctx, LargeMin+1, core.MaxLimit) // the seed's "size > 100 MB"
					if err != nil {
						return err
					}
					var bytes int64
					for _, d := range ds {
						bytes += d.Bytes
					}
					if len(ds) != t.LargeDirs || bytes != t.LargeBytes {
						return fmt.Errorf("large files: %d directories, %d bytes; the dataset has %d, %d", len(ds), bytes, t.LargeDirs, t.LargeBytes)
					}
					return nil
				}, 0, nil
			}),
		coreTwin("query/tag_stats", "filedex: Tags.List with usage counts (unused tags included), name order.", false, harness.Goal{},
			func(ctx context.Context, ld *corelib.Loaded, k *Keys, t *Truth) (func(int) error, int64, error) {
				return func(int) error {
					tags, _, err := ld.Lib.Tags().List(ctx, core.Page{Limit: core.MaxLimit})
					if err != nil {
						return err
					}
					if len(tags) != len(t.TagUsage) {
						return fmt.Errorf("tag stats: %d tags, the dataset has %d", len(tags), len(t.TagUsage))
					}
					for _, x := range tags {
						if want, ok := t.TagUsage[x.Name]; !ok || x.Usage != want {
							return fmt.Errorf("tag stats: %s used %d times, the dataset says %d", x.Name, x.Usage, want)
						}
					}
					return nil
				}, 0, nil
			}),
		coreTwin("query/top_largest", "filedex: Usage.Largest(100) (entries_large from its largest end).", false, harness.Goal{},
			func(ctx context.Context, ld *corelib.Loaded, k *Keys, t *Truth) (func(int) error, int64, error) {
				return func(int) error {
					es, err := ld.Lib.Usage().Largest(ctx, "", TopN)
					if err != nil {
						return err
					}
					got := make([]int64, len(es))
					for i, e := range es {
						got[i] = e.Size
					}
					if !slices.Equal(got, t.TopSizes) {
						return fmt.Errorf("top largest: sizes %v, the dataset's are %v", got, t.TopSizes)
					}
					return nil
				}, 0, nil
			}),
		coreTwin("query/dir_sizes", "filedex: Usage.Tree of the location root to the deepest level: every directory's subtree size (dir_stats rows, rolled up in Go); the seed's query sums direct children only.", false, harness.Goal{},
			func(ctx context.Context, ld *corelib.Loaded, k *Keys, t *Truth) (func(int) error, int64, error) {
				return func(int) error {
					ds, err := ld.Lib.Usage().Tree(ctx, ld.Root, t.MaxDepth+1)
					if err != nil {
						return err
					}
					if len(ds) != t.Dirs+1 {
						return fmt.Errorf("dir sizes: %d directories, the dataset has %d (and the root)", len(ds), t.Dirs)
					}
					for _, d := range ds {
						if d.Depth == 0 && (d.Bytes != t.Bytes || d.Files != int64(t.Files)) {
							return fmt.Errorf("dir sizes: root holds %d files, %d bytes; the dataset has %d, %d", d.Files, d.Bytes, t.Files, t.Bytes)
						}
					}
					return nil
				}, int64(t.Dirs), nil
			}),
	}
}

// coreMove renames the subtree closest to 10% of the library to a sibling
// name and back (as the seed's twin does) with Entries.Move, which renames
// on disk too: the library-only dataset has no files, so setup creates the
// directory (empty) under the location root for rename(2) to move. The
// index update is the cost being measured; a rename of an empty directory
// costs what a full one does.
func coreMove() harness.Scenario {
	return harness.Scenario{
		Name: "query/move_dir", Engine: EngineFiledex, Data: harness.Library, Goal: goalMove,
		Setup: func(f *harness.Fixture) (*harness.Bench, error) {
			ld, k, err := libAndKeys(f)
			if err != nil {
				return nil, err
			}
			ctx := context.Background()
			from := ld.Abs(k.Subtree.Path)
			to := from + " (moved)"
			if err := os.MkdirAll(from, 0o755); err != nil {
				return nil, err
			}
			id, err := ld.Lib.Entries().Resolve(ctx, from)
			if err != nil {
				return nil, err
			}
			before, err := ld.Lib.Entries().Stats(ctx, id)
			if err != nil {
				return nil, err
			}
			move := func(src, dst string) error {
				e, err := ld.Lib.Entries().Move(ctx, src, dst)
				if err == nil && (e.ID != id || e.Path != dst) {
					err = fmt.Errorf("move %s: entry %d at %s, want %d at %s", src, e.ID, e.Path, id, dst)
				}
				return err
			}
			// Check once that a move keeps the subtree whole: same id, the
			// same statistics below the new path, the old path gone.
			if err := move(from, to); err != nil {
				return nil, err
			}
			if got, err := ld.Lib.Entries().Resolve(ctx, to); err != nil || got != id {
				return nil, fmt.Errorf("after move: %s resolves to %d (%v), want %d", to, got, err, id)
			}
			if after, err := ld.Lib.Entries().Stats(ctx, id); err != nil || after != before {
				return nil, fmt.Errorf("after move: stats %+v (%v), before %+v", after, err, before)
			}
			if _, err := ld.Lib.Entries().Resolve(ctx, from); core.CodeOf(err) != core.CodeNotFound {
				return nil, fmt.Errorf("after move: %s still resolves (%v)", from, err)
			}
			if err := move(to, from); err != nil {
				return nil, err
			}
			moved := false
			return &harness.Bench{
				Items: int64(k.Subtree.Subtree + 1), ItemUnit: "entries",
				Note: "filedex: Entries.Move, index and disk (rename(2) of the directory, created empty under the location root: the dataset has no files), one transaction per op.",
				Op: func(int) error {
					src, dst := from, to
					if moved {
						src, dst = to, from
					}
					if err := move(src, dst); err != nil {
						return err
					}
					moved = !moved
					return nil
				},
				Close: func() error {
					// Leave the library as loaded for the scenarios after this one.
					if moved {
						return move(to, from)
					}
					return nil
				},
			}, nil
		},
	}
}

// dupesTwin lists every duplicate group, with or without the members.
func dupesTwin(name, doc string, goal harness.Goal, summary bool) harness.Scenario {
	return coreTwin(name, doc, false, goal,
		func(ctx context.Context, ld *corelib.Loaded, k *Keys, t *Truth) (func(int) error, int64, error) {
			return func(int) error {
				groups, after := 0, ""
				for {
					res, err := ld.Lib.Duplicates().Groups(ctx, core.DupesQuery{Summary: summary}, core.Page{After: after, Limit: core.MaxLimit})
					if err != nil {
						return err
					}
					if res.TotalGroups != int64(t.DupGroups) || res.TotalWastedBytes != t.DupWasted {
						return fmt.Errorf("duplicates: %d groups wasting %d bytes, the dataset has %d wasting %d",
							res.TotalGroups, res.TotalWastedBytes, t.DupGroups, t.DupWasted)
					}
					groups += len(res.Groups)
					if res.Next == "" {
						break
					}
					after = res.Next
				}
				if groups != t.DupGroups {
					return fmt.Errorf("duplicates: %d groups in all pages, the dataset has %d", groups, t.DupGroups)
				}
				return nil
			}, int64(t.DupGroups), nil
		})
}
