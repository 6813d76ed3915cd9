package scenarios

import (
	"github.com/filedex/filedex/benchmarks/dataset"
	"github.com/filedex/filedex/benchmarks/harness"
)

// Keys are the lookup keys every engine's point queries cycle through, drawn
// once per fixture from the dataset itself (not from any engine's database),
// so every engine answers the same questions.
type Keys struct {
	// Files are sampled file entries.
	Files []*dataset.Entry
	// Dirs are sampled directory paths, weighted by entries like a user
	// browsing: a directory is drawn in proportion to its child count.
	Dirs []string
	// Subtree is the directory whose subtree is closest to 10% of the
	// library (100k entries at 1M: the subtree of issue 4's goals).
	Subtree dataset.DirInfo
	// TotalFiles counts the files of the library.
	TotalFiles int
	// Ext and Glob are the search patterns used by every engine.
	Ext, Glob, Word, Tag, Label string
}

const sampleSize = 2048

// KeysFor returns the fixture's keys, computing them once.
func KeysFor(f *harness.Fixture) (*Keys, error) {
	v, err := f.Shared("keys", func() (any, func() error, error) {
		lib := f.Library
		r := dataset.NewRand(lib.Spec.Seed, 500)
		// Glob is issue 4's example shape (a literal prefix, then '?' and
		// '*') fitted to the generator's camera names, IMG_YYYYMMDD_hhmmss:
		// issue 4's own "IMG_20??_*" matches none of them, so both engines
		// timed an empty search until the truth check (truth.go) caught it.
		k := &Keys{Ext: "pdf", Glob: "IMG_20??????_*", Word: "rep", Tag: "Important", Label: "Work"}
		// Sample files by ordinal: pick target ordinals first, stream once.
		want := map[int64]bool{}
		n := lib.Spec.Entries
		for len(want) < min(sampleSize*2, n) {
			want[int64(1+r.IntN(n))] = true
		}
		for e := range lib.Entries() {
			if !e.IsDir {
				k.TotalFiles++
			}
			if want[e.Ordinal] && !e.IsDir && len(k.Files) < sampleSize {
				k.Files = append(k.Files, e)
			}
		}
		// Shuffle so consecutive ops do not walk the file in order.
		for i := len(k.Files) - 1; i > 0; i-- {
			j := r.IntN(i + 1)
			k.Files[i], k.Files[j] = k.Files[j], k.Files[i]
		}
		dirs := lib.Dirs()
		w := make([]float64, len(dirs))
		for i, d := range dirs {
			w[i] = float64(d.Files + d.Subdirs + 1)
		}
		cum := make([]float64, len(w))
		acc := 0.0
		for i, x := range w {
			acc += x
			cum[i] = acc
		}
		for range sampleSize {
			x := r.Float64() * acc
			lo, hi := 0, len(cum)-1
			for lo < hi {
				mid := (lo + hi) / 2
				if cum[mid] > x {
					hi = mid
				} else {
					lo = mid + 1
				}
			}
			k.Dirs = append(k.Dirs, dirs[lo].Path)
		}
		k.Subtree = lib.SubtreeNear(n / 10)
		return k, nil, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Keys), nil
}
