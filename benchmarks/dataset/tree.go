package dataset

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// TreeRecipe describes an on-disk tree in the original system's terms
// (docs/facts.md): a number of files, a maximum depth and a fan-out per level
// ("depth × fan-out"), and a share of duplicate files.
//
// As in the original generator, each file draws its own depth in
// [0, Depth] and, at every level, one of Fanout directory names; the
// directory count therefore follows from the recipe rather than being fixed.
type TreeRecipe struct {
	Name     string
	Files    int
	Depth    int
	Fanout   int
	DupShare float64
	// NearDups is the number of near-duplicates: files with the same size and
	// the same sampled regions as another file but one different byte outside
	// them, so that a sampled cas_id matches while the content does not.
	// Zero means max(3, Files/1000).
	NearDups int
	// SizeScale multiplies every drawn size (0 means 1). The default size
	// model averages 40–55 KiB per file (duplicates included), so 100k files
	// take 4–5 GB.
	SizeScale float64
	Seed      uint64
}

// Recipes are the original system's benchmark recipes (docs/facts.md) plus "tiny"
// for tests.
var Recipes = []TreeRecipe{
	{Name: "tiny", Files: 300, Depth: 2, Fanout: 4, DupShare: 0.10, Seed: 1},
	{Name: "shape_small", Files: 5000, Depth: 2, Fanout: 8, DupShare: 0.10, Seed: 1},
	{Name: "shape_medium", Files: 20000, Depth: 3, Fanout: 12, DupShare: 0.10, Seed: 1},
	{Name: "shape_large", Files: 100000, Depth: 4, Fanout: 12, DupShare: 0.10, Seed: 1},
	{Name: "desktop_complex", Files: 50000, Depth: 8, Fanout: 25, DupShare: 0.15, Seed: 1},
	{Name: "desktop_extreme", Files: 100000, Depth: 12, Fanout: 30, DupShare: 0.20, Seed: 1},
}

// RecipeByName returns the named recipe.
func RecipeByName(name string) (TreeRecipe, bool) {
	for _, r := range Recipes {
		if r.Name == name {
			return r, true
		}
	}
	return TreeRecipe{}, false
}

// TreeFile is one planned file of a tree.
type TreeFile struct {
	Path    string // relative to the tree root, '/'-separated
	Ext     string
	Size    int64
	Content int64 // equal non-zero Content and no FlipAt: byte-identical files
	FlipAt  int64 // >= 0: near-duplicate of Content, differing in this byte; -1 otherwise
	Mtime   int64 // Unix nanoseconds
}

// Sampling constants of the cas_id algorithm (docs/facts.md): files up to
// 100 KiB are hashed whole; larger ones by an 8 KiB header, four 10 KiB
// samples spaced (size-16 KiB)/4 apart from 8 KiB, and the last 8 KiB.
const (
	CasWholeLimit = 100 << 10
	casHeader     = 8 << 10
	casSample     = 10 << 10
	casFooter     = 8 << 10
)

// UnsampledOffset returns an offset that the sampled cas_id does not read:
// the middle of the gap between the first and second inner sample.
// It panics for files the cas_id hashes whole.
func UnsampledOffset(size int64) int64 {
	if size <= CasWholeLimit {
		panic("dataset: file is hashed whole")
	}
	step := (size - casHeader - casFooter) / 4
	gapStart := int64(casHeader + casSample)
	gapEnd := casHeader + step
	return (gapStart + gapEnd) / 2
}

// diskSize draws a file size for on-disk trees: most files small, a thin
// tail of MiB-sized ones, about 40 KiB on average, so that 100k files stay
// within a few GB of a shared disk.
func diskSize(r *Rand, scale float64) int64 {
	var n int64
	switch r.Weighted([]float64{1, 60, 34.55, 4, 0.4, 0.05}) {
	case 0:
		return 0
	case 1:
		n = r.LogUniform(64, 8<<10)
	case 2:
		n = r.LogUniform(8<<10, 100<<10)
	case 3:
		n = r.LogUniform(100<<10, 512<<10)
	case 4:
		n = r.LogUniform(512<<10, 4<<20)
	default:
		n = r.LogUniform(4<<20, 16<<20)
	}
	if scale > 0 && scale != 1 {
		n = max(1, int64(float64(n)*scale))
	}
	return n
}

// PlanTree returns the files of a recipe, deterministically.
func PlanTree(rc TreeRecipe) []TreeFile {
	r := NewRand(rc.Seed, 100)
	nearEvery := 0
	near := rc.NearDups
	if near == 0 {
		near = max(3, rc.Files/1000)
	}
	if near > 0 {
		nearEvery = max(1, rc.Files/near)
	}
	type src struct {
		content int64
		size    int64
		ext     string
		stem    string
	}
	var small, large []src // candidates for duplicates, by cas_id branch
	nearUsed := map[int64]bool{}
	seen := make(map[string]bool, rc.Files)
	files := make([]TreeFile, 0, rc.Files)
	var content int64
	for i := range rc.Files {
		d := r.IntN(rc.Depth + 1)
		ai := -1
		var parts []string
		for l := range d {
			idx := r.IntN(rc.Fanout)
			if l == 0 {
				ai = idx % len(areas)
			}
			parts = append(parts, treeDirName(rc.Seed, ai, l, idx))
		}
		if ai < 0 {
			ai = 6 // files at the root look like a Desktop
		}
		ar := &areas[ai]
		stem, ext, _ := ar.file(r)
		f := TreeFile{Ext: strings.ToLower(ext), FlipAt: -1}
		f.Mtime = epoch - r.LogUniform(60, 5*365*86400)*1e9
		switch {
		case nearEvery > 0 && i%nearEvery == nearEvery/2 && len(large) > len(nearUsed):
			// Each source gets at most one near-duplicate: two near-duplicates
			// of one source flip the same byte and would be exact duplicates
			// of each other, which the manifest would not count.
			s := large[r.IntN(len(large))]
			for nearUsed[s.content] {
				s = large[r.IntN(len(large))]
			}
			nearUsed[s.content] = true
			stem, ext, f.Ext, f.Size, f.Content = s.stem+" (edited)", s.ext, strings.ToLower(s.ext), s.size, s.content
			f.FlipAt = UnsampledOffset(s.size)
		case r.Chance(rc.DupShare) && len(small)+len(large) > 0:
			// Stratify so duplicates exist in both cas_id branches whatever
			// the size model: 75% whole-hashed, 25% sampled.
			pool := small
			if len(large) > 0 && (len(small) == 0 || r.Chance(0.25)) {
				pool = large
			}
			s := pool[r.IntN(len(pool))]
			stem, ext, f.Ext, f.Size, f.Content = s.stem, s.ext, strings.ToLower(s.ext), s.size, s.content
			if r.Chance(0.4) {
				stem += Pick(r, []string{" (1)", " - Copy", "_backup", " copy"})
			}
		default:
			f.Size = diskSize(r, rc.SizeScale)
			if f.Size > 0 {
				content++
				f.Content = content
				s := src{content, f.Size, ext, stem}
				if f.Size > CasWholeLimit {
					large = append(large, s)
				} else {
					small = append(small, s)
				}
			}
		}
		dir := strings.Join(parts, "/")
		name := joinName(stem, ext)
		p := filepath.ToSlash(filepath.Join(dir, name))
		for n := 2; seen[p]; n++ {
			p = filepath.ToSlash(filepath.Join(dir, joinName(fmt.Sprintf("%s (%d)", stem, n), ext)))
		}
		seen[p] = true
		f.Path = p
		files = append(files, f)
	}
	return files
}

// treeDirName names directory number idx at level l below area ai; the name
// depends only on (seed, area, level, idx), so files drawing the same path
// components share directories.
func treeDirName(seed uint64, ai, l, idx int) string {
	if l == 0 {
		if idx < len(areas) {
			return areas[idx].name
		}
		return fmt.Sprintf("%s %d", areas[ai].name, idx/len(areas)+1)
	}
	r := NewRand(seed, uint64(1<<40|ai<<24|l<<16|idx))
	name := strings.TrimSpace(areas[ai].dirName(r, l))
	if name == "" || name == "." {
		name = Pick(r, codeWords)
	}
	return name
}

// magic gives files a real signature for their extension, so that content
// kind detection by magic bytes has something to find.
var magic = map[string][]byte{
	"jpg":  {0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0},
	"png":  {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'},
	"gif":  []byte("GIF89a"),
	"pdf":  []byte("%PDF-1.7\n"),
	"zip":  {'P', 'K', 3, 4},
	"docx": {'P', 'K', 3, 4},
	"xlsx": {'P', 'K', 3, 4},
	"pptx": {'P', 'K', 3, 4},
	"odt":  {'P', 'K', 3, 4},
	"gz":   {0x1F, 0x8B, 8},
	"7z":   {'7', 'z', 0xBC, 0xAF, 0x27, 0x1C},
	"mp3":  []byte("ID3\x04\x00\x00"),
	"flac": []byte("fLaC"),
	"mp4":  {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'},
	"mov":  {0, 0, 0, 0x14, 'f', 't', 'y', 'p', 'q', 't', ' ', ' '},
	"m4a":  {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'M', '4', 'A', ' '},
	"mkv":  {0x1A, 0x45, 0xDF, 0xA3},
	"heic": {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c'},
	"deb":  []byte("!<arch>\n"),
}

// WriteContent writes the bytes of a planned file: a magic signature, then
// words for text kinds or pseudo-random bytes for the rest. The bytes depend
// only on (seed, Content, Size, Ext), so duplicates are byte-identical; a
// near-duplicate flips the byte at FlipAt.
func WriteContent(w io.Writer, seed uint64, f TreeFile) error {
	if f.Size == 0 {
		return nil
	}
	r := NewRand(seed, 1<<48|uint64(f.Content))
	buf := make([]byte, 0, 64<<10)
	text := KindOf(f.Ext) == KindText || KindOf(f.Ext) == KindCode
	buf = append(buf, magic[f.Ext]...)
	var off int64
	for off < f.Size {
		if text {
			for len(buf) < cap(buf)-64 {
				buf = append(buf, Pick(r, words)...)
				if r.IntN(10) == 0 {
					buf = append(buf, '\n')
				} else {
					buf = append(buf, ' ')
				}
			}
		} else {
			n := len(buf)
			buf = buf[:cap(buf)]
			r.Fill(buf[n:])
		}
		if rem := f.Size - off; int64(len(buf)) > rem {
			buf = buf[:rem]
		}
		if f.FlipAt >= off && f.FlipAt < off+int64(len(buf)) {
			buf[f.FlipAt-off] ^= 0xFF
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
		off += int64(len(buf))
		buf = buf[:0]
	}
	return nil
}

// TreeInfo summarizes a generated tree. It is also the stamp that lets a
// later run reuse the tree instead of writing it again.
type TreeInfo struct {
	Recipe    TreeRecipe
	Root      string
	Manifest  string // TSV: path, size, content, flip_at (-1 unless near-duplicate)
	Files     int
	Dirs      int
	Bytes     int64
	DupFiles  int // files whose exact content appeared earlier
	DupGroups int // contents held by more than one file
	NearDups  int
	Version   int
}

// treeVersion changes whenever the generator's output changes, so stale
// trees are regenerated instead of silently reused.
const treeVersion = 2

// GenerateTree writes the recipe's tree under root (which must not exist or
// must be a tree stamped by the same recipe and generator version, which is
// then reused) and returns its summary. The manifest and stamp are written
// beside root, not inside it, so a scan of root sees only the tree.
func GenerateTree(rc TreeRecipe, root string) (*TreeInfo, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	stamp := root + ".stamp.json"
	if b, err := os.ReadFile(stamp); err == nil {
		var ti TreeInfo
		if json.Unmarshal(b, &ti) == nil && ti.Version == treeVersion && ti.Recipe == rc && ti.Root == root {
			if _, err := os.Stat(root); err == nil {
				return &ti, nil
			}
		}
	}
	if err := os.RemoveAll(root); err != nil {
		return nil, err
	}
	os.Remove(stamp)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	files := PlanTree(rc)
	ti := &TreeInfo{Recipe: rc, Root: root, Manifest: root + ".manifest.tsv", Files: len(files), Version: treeVersion}
	dirs := map[string]bool{}
	counts := map[int64]int{}
	mf, err := os.Create(ti.Manifest)
	if err != nil {
		return nil, err
	}
	defer mf.Close()
	mw := bufio.NewWriter(mf)
	fmt.Fprintln(mw, "path\tsize\tcontent\tflip_at")
	bw := bufio.NewWriterSize(nil, 256<<10)
	for _, f := range files {
		full := filepath.Join(root, filepath.FromSlash(f.Path))
		dir := filepath.Dir(full)
		if !dirs[dir] {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, err
			}
			for d := dir; d != root && !dirs[d]; d = filepath.Dir(d) {
				dirs[d] = true
			}
		}
		out, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return nil, err
		}
		bw.Reset(out)
		err = WriteContent(bw, rc.Seed, f)
		if err == nil {
			err = bw.Flush()
		}
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", f.Path, err)
		}
		mt := time.Unix(0, f.Mtime)
		if err := os.Chtimes(full, mt, mt); err != nil {
			return nil, err
		}
		ti.Bytes += f.Size
		if f.FlipAt >= 0 {
			ti.NearDups++
		} else if f.Content != 0 {
			counts[f.Content]++
			if counts[f.Content] == 2 {
				ti.DupGroups++
			}
			if counts[f.Content] > 1 {
				ti.DupFiles++
			}
		}
		fmt.Fprintf(mw, "%s\t%d\t%d\t%d\n", f.Path, f.Size, f.Content, f.FlipAt)
	}
	ti.Dirs = len(dirs)
	// Directory times last (writing files changes them), deepest first so a
	// parent's time is not disturbed by its children afterwards.
	ds := make([]string, 0, len(dirs)+1)
	ds = append(ds, root)
	for d := range dirs {
		ds = append(ds, d)
	}
	sort.Slice(ds, func(i, j int) bool { return len(ds[i]) > len(ds[j]) })
	dt := time.Unix(0, epoch)
	for _, d := range ds {
		if err := os.Chtimes(d, dt, dt); err != nil {
			return nil, err
		}
	}
	if err := mw.Flush(); err != nil {
		return nil, err
	}
	b, _ := json.MarshalIndent(ti, "", "  ")
	if err := os.WriteFile(stamp, b, 0o644); err != nil {
		return nil, err
	}
	return ti, nil
}

// RemoveTree deletes a generated tree with its manifest and stamp.
func RemoveTree(root string) error {
	return errors.Join(os.RemoveAll(root), os.Remove(root+".stamp.json"), os.Remove(root+".manifest.tsv"))
}
