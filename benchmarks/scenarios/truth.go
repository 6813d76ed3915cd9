package scenarios

import (
	"path"
	"slices"
	"strings"
	"unicode"

	"github.com/filedex/filedex/benchmarks/dataset"
	"github.com/filedex/filedex/benchmarks/harness"
	"github.com/filedex/filedex/core"
)

// Truth is the answer to every library query, computed in Go from the
// dataset stream itself — not from any engine — so a twin that returns a
// wrong or empty answer fails its setup instead of looking fast.
type Truth struct {
	Files, Dirs int
	Bytes       int64 // sum of file sizes
	MaxDepth    int   // deepest directory (0 = top level)
	// Answers for the keys of Keys (Ext, Glob, Word, Tag, Label).
	ExtFiles, GlobFiles, WordEntries, TagEntries, LabelEntries, Favorites int
	// Subtree: entries strictly below Keys.Subtree.
	SubFiles, SubDirs int
	SubBytes          int64
	// Duplicates: contents held by ≥ 2 entries.
	DupGroups int
	DupWasted int64
	// LargeDirs: directories holding files > LargeMin bytes (the seed's
	// "large files by directory"), and their total.
	LargeDirs  int
	LargeBytes int64
	// TagUsage: entries per tag name (every tag, unused ones at 0).
	TagUsage map[string]int64
	// TopSizes: the 100 largest file sizes, largest first.
	TopSizes []int64
}

// LargeMin is the seed's "large file" threshold (size > 100 MB).
const LargeMin = 104857600

// TopN is the number of largest files the top_largest query asks for.
const TopN = 100

// TruthFor returns the fixture's truth, computing it once.
func TruthFor(f *harness.Fixture) (*Truth, error) {
	k, err := KeysFor(f)
	if err != nil {
		return nil, err
	}
	v, err := f.Shared("truth", func() (any, func() error, error) {
		return computeTruth(f.Library, k), nil, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Truth), nil
}

func computeTruth(lib *dataset.Library, k *Keys) *Truth {
	t := &Truth{TagUsage: map[string]int64{}}
	tagIdx := slices.IndexFunc(lib.Tags, func(x dataset.Tag) bool { return x.Name == k.Tag })
	for _, x := range lib.Tags {
		t.TagUsage[x.Name] = 0
	}
	// The label and every label below it.
	inLabel := make([]bool, len(lib.Labels))
	for i, x := range lib.Labels {
		inLabel[i] = (x.Parent < 0 && x.Name == k.Label) || (x.Parent >= 0 && inLabel[x.Parent])
	}
	type dup struct {
		n    int64
		size int64
	}
	contents := map[int64]*dup{}
	large := map[string]bool{}
	var sizes []int64
	sub := k.Subtree.Path + "/"
	for e := range lib.Entries() {
		if e.IsDir {
			t.Dirs++
			t.MaxDepth = max(t.MaxDepth, e.Depth)
		} else {
			t.Files++
			t.Bytes += e.Size
			sizes = append(sizes, e.Size)
			if strings.EqualFold(core.ExtensionOf(e.Name), k.Ext) {
				t.ExtFiles++
			}
			if ok, _ := path.Match(k.Glob, e.Name); ok {
				t.GlobFiles++
			}
			if e.Size > LargeMin {
				large[e.Dir] = true
				t.LargeBytes += e.Size
			}
		}
		if hasWordPrefix(e.Name, k.Word) {
			t.WordEntries++
		}
		if strings.HasPrefix(e.Path()+"/", sub) && e.Path() != k.Subtree.Path {
			if e.IsDir {
				t.SubDirs++
			} else {
				t.SubFiles++
				t.SubBytes += e.Size
			}
		}
		for _, x := range e.Tags {
			t.TagUsage[lib.Tags[x].Name]++
			if x == tagIdx {
				t.TagEntries++
			}
		}
		if slices.ContainsFunc(e.Labels, func(x int) bool { return inLabel[x] }) {
			t.LabelEntries++
		}
		if e.Favorite {
			t.Favorites++
		}
		if e.Content != 0 {
			d := contents[e.Content]
			if d == nil {
				d = &dup{size: e.Size}
				contents[e.Content] = d
			}
			d.n++
		}
	}
	for _, d := range contents {
		if d.n > 1 {
			t.DupGroups++
			t.DupWasted += d.size * (d.n - 1)
		}
	}
	t.LargeDirs = len(large)
	slices.SortFunc(sizes, func(a, b int64) int { return int(min(max(b-a, -1), 1)) })
	t.TopSizes = sizes[:min(TopN, len(sizes))]
	return t
}

// hasWordPrefix reports whether name has a word starting with prefix, words
// as FTS5's unicode61 tokenizer splits them (every character that is not a
// letter or digit separates) and compared case-insensitively.
func hasWordPrefix(name, prefix string) bool {
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if strings.HasPrefix(strings.ToLower(w), prefix) {
			return true
		}
	}
	return false
}
