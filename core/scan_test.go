package core_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"image"
	gopng "image/png"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"lukechampine.com/blake3"

	"github.com/filedex/filedex/core"
)

// indexed lists every entry of a location as "relpath kind size [cas]" lines, read back
// through the public API (directory by directory).
func indexed(t *testing.T, lib *core.Library, locID int64) []string {
	t.Helper()
	loc, err := lib.Locations().Get(ctx, locID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var visit func(id int64, rel string)
	visit = func(id int64, rel string) {
		kids := pages(t, 500, func(p core.Page) ([]core.Entry, string, error) { return lib.Entries().Children(ctx, id, p) })
		for _, e := range kids {
			r := e.Name
			if rel != "" {
				r = rel + "/" + e.Name
			}
			if e.RelativePath != rel {
				t.Errorf("%s: relative_path %q, want %q", r, e.RelativePath, rel)
			}
			line := fmt.Sprintf("%q %s %d", r, e.Kind, e.Size)
			if e.Content != nil {
				line += " " + e.Content.CasID
			}
			out = append(out, line)
			if e.Kind == core.KindDirectory {
				visit(e.ID, r)
			}
		}
	}
	visit(loc.RootID, "")
	sort.Strings(out)
	return out
}

// onDisk lists a tree the same way, computed independently: filepath.WalkDir, Lstat, and a
// content id computed here from the algorithm's description (not the package under test).
func onDisk(t *testing.T, root string, content bool) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		st, err := os.Lstat(p)
		if err != nil {
			return nil
		}
		kind, size := "file", st.Size()
		switch {
		case st.IsDir():
			kind, size = "directory", 0
		case st.Mode()&fs.ModeSymlink != 0:
			kind = "symlink"
		case !st.Mode().IsRegular():
			return nil
		}
		line := fmt.Sprintf("%q %s %d", filepath.ToSlash(rel), kind, size)
		if content && kind == "file" && size > 0 {
			line += " " + refCasID(t, p)
		}
		out = append(out, line)
		return nil
	})
	sort.Strings(out)
	return out
}

// refCasID is the content id as docs/facts.md describes it, written plainly: BLAKE3 over the size
// (u64 LE) then the whole file up to 100 KiB, else 8 KiB head, four 10 KiB samples every
// (size-16KiB)/4 bytes from 8 KiB, and the last 8 KiB; the first 16 hex digits.
func refCasID(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	h := blake3.New(32, nil)
	var sz [8]byte
	for i := range 8 {
		sz[i] = byte(uint64(len(b)) >> (8 * i))
	}
	h.Write(sz[:])
	n := int64(len(b))
	if n <= 100<<10 {
		h.Write(b)
	} else {
		h.Write(b[:8<<10])
		jump := (n - 16<<10) / 4
		for i := int64(0); i < 4; i++ {
			off := 8<<10 + i*jump
			h.Write(b[off : off+10<<10])
		}
		h.Write(b[n-8<<10:])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func write(t *testing.T, p string, data []byte) {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func randBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// makeTree builds a tree with the cases the indexer must survive.
func makeTree(t *testing.T) string {
	root := filepath.Join(t.TempDir(), "tree")
	write(t, filepath.Join(root, "empty.txt"), nil)
	write(t, filepath.Join(root, "one.bin"), []byte{7})
	write(t, filepath.Join(root, "exact100k.bin"), randBytes(1, 100<<10))
	write(t, filepath.Join(root, "over100k.bin"), randBytes(2, 100<<10+1))
	write(t, filepath.Join(root, "big", "multi.mib"), randBytes(3, 3<<20+12345))
	write(t, filepath.Join(root, "big", "copy.mib"), randBytes(3, 3<<20+12345))
	write(t, filepath.Join(root, "docs", "report 2024.pdf"), []byte("%PDF-1.4 hello"))
	write(t, filepath.Join(root, "docs", "100%_done_*.md"), []byte("# done"))
	write(t, filepath.Join(root, "docs", "back\\slash"), []byte("b"))
	write(t, filepath.Join(root, "docs", "new\nline"), []byte("n"))
	write(t, filepath.Join(root, "unicode", "caf\u00e9.txt"), []byte("nfc"))
	write(t, filepath.Join(root, "unicode", "cafe\u0301.txt"), []byte("nfd"))
	if runtime.GOOS != "wasip1" { // WASI paths are UTF-8 strings: such a name cannot exist there
		write(t, filepath.Join(root, "unicode", "bad\xff\xfename"), []byte("raw"))
	}
	os.Symlink("../docs", filepath.Join(root, "unicode", "loop"))
	os.Symlink(".", filepath.Join(root, "self"))
	os.Link(filepath.Join(root, "one.bin"), filepath.Join(root, "hardlink.bin"))
	for i := range 300 {
		write(t, filepath.Join(root, "wide", fmt.Sprintf("f%04d.txt", i)), []byte(fmt.Sprint(i%50)))
	}
	os.MkdirAll(filepath.Join(root, "a", "b", "c", "d", "e"), 0o755)
	write(t, filepath.Join(root, "a", "b", "c", "d", "e", "deep.txt"), []byte("deep"))
	return root
}

func scanOpts() core.ScanOptions { return core.ScanOptions{Workers: 4} }

func TestScan_MatchesTree(t *testing.T) {
	lib := openTest(t)
	root := makeTree(t)
	res, err := lib.ScanPath(ctx, root, core.ModeContent, nil, scanOpts())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Done || res.Job.Status != core.JobCompleted || res.Location.ScanState != core.ScanComplete {
		t.Fatalf("scan not complete: %+v", res)
	}
	want := onDisk(t, root, true)
	if got := indexed(t, lib, res.Location.ID); !equalLines(t, got, want) {
		t.FailNow()
	}
	if res.Summary.Added != int64(len(want)) {
		t.Errorf("added %d, tree has %d entries", res.Summary.Added, len(want))
	}
	var files, bytes int64
	for _, l := range want {
		var name, kind string
		var size int64
		fmt.Sscanf(l[strings.LastIndex(l, `" `)+2:], "%s %d", &kind, &size)
		_ = name
		if kind == "file" {
			files++
			bytes += size
		}
	}
	if res.Location.TotalFileCount != files || res.Location.TotalByteSize != bytes {
		t.Errorf("totals %d files %d bytes, want %d %d", res.Location.TotalFileCount, res.Location.TotalByteSize, files, bytes)
	}
	// The two 3 MiB copies share one content identity; the symlink loop was not followed.
	a, _ := lib.Entries().GetByPath(ctx, filepath.Join(root, "big", "multi.mib"))
	b, _ := lib.Entries().GetByPath(ctx, filepath.Join(root, "big", "copy.mib"))
	if a.Content == nil || b.Content == nil || a.Content.CasID != b.Content.CasID {
		t.Errorf("copies: %+v %+v", a.Content, b.Content)
	}
	pdf, _ := lib.Entries().GetByPath(ctx, filepath.Join(root, "docs", "report 2024.pdf"))
	if pdf.Content == nil || pdf.Content.Kind != "document" || pdf.Extension != "pdf" {
		t.Errorf("pdf: %+v", pdf.Content)
	}

	// An unchanged rescan changes nothing.
	res2, err := lib.ScanPath(ctx, root, core.ModeContent, nil, scanOpts())
	if err != nil {
		t.Fatal(err)
	}
	if s := res2.Summary; s.Added+s.Updated+s.Moved+s.Removed != 0 {
		t.Errorf("unchanged rescan: %+v", s)
	}
	if got := indexed(t, lib, res.Location.ID); !equalLines(t, got, want) {
		t.FailNow()
	}
}

func equalLines(t *testing.T, got, want []string) bool {
	t.Helper()
	g, w := strings.Join(got, "\n"), strings.Join(want, "\n")
	if g == w {
		return true
	}
	gm, wm := map[string]bool{}, map[string]bool{}
	for _, l := range got {
		gm[l] = true
	}
	for _, l := range want {
		wm[l] = true
	}
	for _, l := range want {
		if !gm[l] {
			t.Errorf("missing from the index: %s", l)
		}
	}
	for _, l := range got {
		if !wm[l] {
			t.Errorf("in the index, not on disk: %s", l)
		}
	}
	return false
}

func TestScan_Rescan(t *testing.T) {
	lib := openTest(t)
	root := makeTree(t)
	res, err := lib.ScanPath(ctx, root, core.ModeContent, nil, scanOpts())
	if err != nil {
		t.Fatal(err)
	}
	locID := res.Location.ID
	get := func(rel string) core.Entry {
		t.Helper()
		e, err := lib.Entries().GetByPath(ctx, filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		return e
	}
	tag, _ := lib.Tags().Create(ctx, core.TagInput{Name: "keep"})
	renamed := get("docs/report 2024.pdf")
	movedDir := get("a/b")
	deepFile := get("a/b/c/d/e/deep.txt")
	swapA, swapB := get("wide/f0001.txt"), get("wide/f0002.txt")
	lib.Tags().Apply(ctx, tag.ID, renamed.ID, deepFile.ID, swapA.ID)

	later := time.Now().Add(time.Hour)
	write(t, filepath.Join(root, "added.txt"), []byte("new file"))                                   // add
	write(t, filepath.Join(root, "one.bin"), []byte{8})                                              // modify (same size)
	os.Chtimes(filepath.Join(root, "one.bin"), later, later)                                         //   …with a new mtime
	os.Remove(filepath.Join(root, "empty.txt"))                                                      // delete
	os.Rename(filepath.Join(root, "docs", "report 2024.pdf"), filepath.Join(root, "zz-renamed.pdf")) // move a file to a later dir
	os.Rename(filepath.Join(root, "a", "b"), filepath.Join(root, "wide", "moved-b"))                 // move a directory with contents
	os.Rename(filepath.Join(root, "wide", "f0001.txt"), filepath.Join(root, "wide", "tmp"))          // swap two files
	os.Rename(filepath.Join(root, "wide", "f0002.txt"), filepath.Join(root, "wide", "f0001.txt"))    //
	os.Rename(filepath.Join(root, "wide", "tmp"), filepath.Join(root, "wide", "f0002.txt"))          //
	os.Rename(filepath.Join(root, "unicode", "caf\u00e9.txt"), filepath.Join(root, "0-first.txt"))   // move a file to an earlier dir

	res, err = lib.ScanPath(ctx, root, core.ModeContent, nil, scanOpts())
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary
	// one.bin and hardlink.bin are one inode: modifying one modifies both.
	if s.Added != 1 || s.Updated != 2 || s.Removed != 1 || s.Moved != 5 {
		t.Errorf("summary: added %d updated %d removed %d moved %d, want 1 2 1 5 (warnings %v)", s.Added, s.Updated, s.Removed, s.Moved, s.Warnings)
	}
	if got, want := indexed(t, lib, locID), onDisk(t, root, true); !equalLines(t, got, want) {
		t.FailNow()
	}
	// Moves keep identity: same id, UUID and tags.
	for _, c := range []struct {
		before core.Entry
		now    string
	}{{renamed, "zz-renamed.pdf"}, {movedDir, "wide/moved-b"}, {deepFile, "wide/moved-b/c/d/e/deep.txt"}, {swapA, "wide/f0002.txt"}, {swapB, "wide/f0001.txt"}} {
		e := get(c.now)
		if e.ID != c.before.ID || e.UUID != c.before.UUID {
			t.Errorf("%s: id/uuid %d/%s, was %d/%s", c.now, e.ID, e.UUID, c.before.ID, c.before.UUID)
		}
		if c.before.ID != movedDir.ID && c.before.ID != swapB.ID && (e.Metadata == nil || len(e.Metadata.Tags) != 1) {
			t.Errorf("%s lost its tag: %+v", c.now, e.Metadata)
		}
	}
	if e := get("one.bin"); e.Content == nil || e.Content.CasID != refCasID(t, filepath.Join(root, "one.bin")) {
		t.Errorf("modified file content: %+v", e.Content)
	}
	// Deleting a tagged file reports it; a copy of the same content inherits the metadata.
	os.Remove(filepath.Join(root, "big", "multi.mib"))
	m, _ := lib.Entries().GetByPath(ctx, filepath.Join(root, "big", "copy.mib"))
	if m.Metadata != nil {
		t.Fatal("copy already has metadata")
	}
	gone := get("big/multi.mib")
	lib.Tags().Apply(ctx, tag.ID, gone.ID)
	res, err = lib.ScanPath(ctx, root, core.ModeContent, nil, scanOpts())
	if err != nil {
		t.Fatal(err)
	}
	if m := get("big/copy.mib"); m.Metadata == nil || len(m.Metadata.Tags) != 1 {
		t.Errorf("metadata of the deleted copy was not kept on the other copy: %+v", m.Metadata)
	}
	if !strings.Contains(strings.Join(res.Summary.Warnings, "\n"), "multi.mib was deleted") {
		t.Errorf("no warning about the deleted tagged file: %v", res.Summary.Warnings)
	}
}

// TestScan_Budget drives a scan in slices, as a single-threaded host would; the result is the
// same library as one uninterrupted scan.
func TestScan_Budget(t *testing.T) {
	// Content mode (a location's default) identifies directories ahead of the one it
	// writes on a first scan, and a slice must write what it took from the walk before it
	// pauses; metadata mode has no pipeline.
	for _, mode := range []core.IndexMode{core.ModeMetadata, core.ModeContent} {
		t.Run(string(mode), func(t *testing.T) { testScanBudget(t, mode) })
	}
}

func testScanBudget(t *testing.T, mode core.IndexMode) {
	lib := openTest(t)
	root := makeTree(t)
	for i := range 40 {
		write(t, filepath.Join(root, fmt.Sprintf("many/d%02d/x.txt", i)), []byte{byte(i)})
	}
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: root, Mode: mode})
	if err != nil {
		t.Fatal(err)
	}
	opts := scanOpts()
	opts.Budget = time.Nanosecond // one batch per call
	starts := core.CountScanStarts()
	calls := 0
	var res core.ScanResult
	for {
		calls++
		res, err = lib.Scan(ctx, loc.ID, opts)
		if err != nil {
			t.Fatal(err)
		}
		if res.Done {
			break
		}
		if res.Job.Status != core.JobPaused {
			t.Fatalf("slice left job %s", res.Job.Status)
		}
		if calls > 1000 {
			t.Fatal("scan does not progress")
		}
	}
	if calls < 10 {
		t.Errorf("only %d slices: the budget was not honoured", calls)
	}
	// One scanner for all the slices: each call continues it rather than walking again
	// from the checkpoint with a new writer.
	if n := starts(); n != 1 {
		t.Errorf("%d scanners started for %d slices, want 1", n, calls)
	}
	if got, want := indexed(t, lib, loc.ID), onDisk(t, root, mode == core.ModeContent); !equalLines(t, got, want) {
		t.FailNow()
	}
}

// TestScan_DeepMode: deep mode stores the full-content BLAKE3 and image dimensions.
func TestScan_DeepMode(t *testing.T) {
	lib := openTest(t)
	root := filepath.Join(t.TempDir(), "deep")
	data := randBytes(9, 200<<10)
	write(t, filepath.Join(root, "big.bin"), data)
	var png bytes.Buffer
	gopng.Encode(&png, image.NewRGBA(image.Rect(0, 0, 3, 2)))
	write(t, filepath.Join(root, "pic.png"), png.Bytes())
	var events []core.ScanProgress
	opts := scanOpts()
	opts.Progress = func(p core.ScanProgress) { events = append(events, p) }
	res, err := lib.ScanPath(ctx, root, core.ModeDeep, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) == 0 || events[len(events)-1].Files != 2 || events[len(events)-1].Hashed != 2 {
		t.Errorf("progress events: %+v", events)
	}
	e, _ := lib.Entries().GetByPath(ctx, filepath.Join(root, "big.bin"))
	c, err := lib.Contents().Get(ctx, e.Content.CasID)
	if err != nil {
		t.Fatal(err)
	}
	sum := blake3.Sum256(data)
	if c.IntegrityHash != hex.EncodeToString(sum[:]) {
		t.Errorf("integrity hash %s, want %x", c.IntegrityHash, sum)
	}
	p, _ := lib.Entries().GetByPath(ctx, filepath.Join(root, "pic.png"))
	pc, _ := lib.Contents().Get(ctx, p.Content.CasID)
	if pc.Kind != "image" || !strings.Contains(string(pc.MediaData), `"width":3`) || !strings.Contains(string(pc.MediaData), `"height":2`) {
		t.Errorf("png content: %+v %s", pc, pc.MediaData)
	}
	if res.Location.IndexMode != core.ModeDeep {
		t.Errorf("location mode %s", res.Location.IndexMode)
	}
}

// TestScan_ParkedScannerYieldsToOtherProcess: a budgeted scan's scanner waits in memory
// between calls, but the job's checkpoint stays the truth. When another process (here a
// second handle on the library) continues the job meanwhile, the parked scanner must not
// write on top of it: the next call resumes from the job as it now is.
func TestScan_ParkedScannerYieldsToOtherProcess(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lib")
	lib1, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer lib1.Close()
	root := makeTree(t)
	for i := range 40 {
		write(t, filepath.Join(root, fmt.Sprintf("many/d%02d/x.txt", i)), []byte{byte(i)})
	}
	loc, err := lib1.Locations().Create(ctx, core.LocationInput{Path: root, Mode: core.ModeMetadata})
	if err != nil {
		t.Fatal(err)
	}
	sliced := scanOpts()
	sliced.Budget = time.Nanosecond
	res, err := lib1.Scan(ctx, loc.ID, sliced)
	if err != nil || res.Done {
		t.Fatalf("first slice: %v, done %v", err, res.Done)
	}
	lib2, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	// The other process takes three slices and leaves the job paused further on.
	for range 3 {
		if res, err = lib2.RunScanJob(ctx, res.Job.ID, sliced); err != nil || res.Done {
			t.Fatalf("other process: %v, done %v", err, res.Done)
		}
	}
	lib2.Close()
	starts := core.CountScanStarts()
	for !res.Done {
		if res, err = lib1.RunScanJob(ctx, res.Job.ID, sliced); err != nil {
			t.Fatal(err)
		}
	}
	if n := starts(); n != 1 {
		t.Errorf("%d scanners started after the job moved on elsewhere, want 1 (resumed from its checkpoint)", n)
	}
	if got, want := indexed(t, lib1, loc.ID), onDisk(t, root, false); !equalLines(t, got, want) {
		t.FailNow()
	}
	if rep, err := lib1.Check(ctx); err != nil || !rep.OK {
		t.Errorf("check: %v %+v", err, rep)
	}
}

// TestScan_CancelPauses: cancelling a one-call scan's context (what Ctrl-C and SIGTERM do
// in the CLI) pauses it, wherever the cancellation strikes (between batches, or in a write
// it makes fail), with the job resumable, never failed; the resumed scan indexes the whole
// tree.
func TestScan_CancelPauses(t *testing.T) {
	for _, c := range []struct {
		mode    core.IndexMode
		commits int
	}{{core.ModeMetadata, 0}, {core.ModeMetadata, 1}, {core.ModeContent, 0}, {core.ModeContent, 1}, {core.ModeContent, 4}} {
		mode, commits := c.mode, c.commits
		t.Run(fmt.Sprint(mode, commits), func(t *testing.T) {
			lib := openTest(t)
			root := makeTree(t)
			for i := range 40 {
				write(t, filepath.Join(root, fmt.Sprintf("many/d%02d/x.txt", i)), []byte{byte(i)})
			}
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			opts := scanOpts()
			if commits == 0 {
				opts.Progress = func(core.ScanProgress) { cancel() } // the first event
			} else {
				// Transactions of 5 rows; the cancellation lands after a commit, so the
				// scan's next write finds its context done.
				n := 0
				core.SetTestHooks(func() {
					if n++; n == commits {
						cancel()
					}
				}, 5)
				defer core.SetTestHooks(nil, 20000)
			}
			loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: root, Mode: mode})
			if err != nil {
				t.Fatal(err)
			}
			res, err := lib.Scan(cctx, loc.ID, opts)
			if err != nil {
				t.Fatalf("cancelled scan: %v", err)
			}
			if res.Done || res.Job.Status != core.JobPaused || res.Location.ScanState != core.ScanPaused {
				t.Fatalf("after cancel: done %v, job %s, location %s", res.Done, res.Job.Status, res.Location.ScanState)
			}
			core.SetTestHooks(nil, 20000)
			if res, err = lib.RunScanJob(ctx, res.Job.ID, scanOpts()); err != nil || !res.Done {
				t.Fatalf("resume: %v, done %v", err, res.Done)
			}
			want := onDisk(t, root, mode == core.ModeContent)
			if got := indexed(t, lib, loc.ID); !equalLines(t, got, want) {
				t.FailNow()
			}
			// Each entry counted once, across the cancelled call and the resumed one.
			if p := res.Progress; p.Entries() != int64(len(want)) || p.Added != int64(len(want)) {
				t.Errorf("progress counts %d entries, %d added; the tree has %d", p.Entries(), p.Added, len(want))
			}
		})
	}
}

// TestScan_CancelMidPipelineCountsOnce: a first content scan identifies directories ahead
// and writes several of them in a row when a large one arrives. A cancellation that lands
// between two of those writes (here: right after a commit) makes the next one fail on
// its done context; that directory must not be counted by the paused scan, since the
// resumed scan writes and counts it again.
func TestScan_CancelMidPipelineCountsOnce(t *testing.T) {
	lib := openTest(t)
	root := filepath.Join(t.TempDir(), "tree")
	for i := range 7 {
		write(t, filepath.Join(root, "d", fmt.Sprintf("a%d", i), "f.txt"), []byte{byte(i)})
	}
	for i := range 1100 {
		write(t, filepath.Join(root, "d", "z", fmt.Sprintf("f%04d", i)), []byte{1})
	}
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: root, Mode: core.ModeContent})
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	core.SetTestHooks(cancel, 5) // cancel at the first commit
	defer core.SetTestHooks(nil, 20000)
	res, err := lib.Scan(cctx, loc.ID, scanOpts())
	if err != nil || res.Done {
		t.Fatalf("cancelled scan: %v, done %v", err, res.Done)
	}
	core.SetTestHooks(nil, 20000)
	if res, err = lib.RunScanJob(ctx, res.Job.ID, scanOpts()); err != nil || !res.Done {
		t.Fatalf("resume: %v, done %v", err, res.Done)
	}
	if res.Summary.Files != 1107 || res.Summary.Dirs != 9 {
		t.Errorf("summary: %d files, %d dirs; want 1107 and 9", res.Summary.Files, res.Summary.Dirs)
	}
}

// TestScan_CancelSlicedPauses: a budgeted (sliced) scan whose call is cancelled while the
// slice ends (here: at the slice's commit) is paused, never failed, and resumes to the
// whole tree.
func TestScan_CancelSlicedPauses(t *testing.T) {
	for _, mode := range []core.IndexMode{core.ModeMetadata, core.ModeContent} {
		t.Run(string(mode), func(t *testing.T) {
			lib := openTest(t)
			root := makeTree(t)
			for i := range 40 {
				write(t, filepath.Join(root, fmt.Sprintf("many/d%02d/x.txt", i)), []byte{byte(i)})
			}
			loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: root, Mode: mode})
			if err != nil {
				t.Fatal(err)
			}
			opts := scanOpts()
			opts.Budget = time.Nanosecond
			res, err := lib.Scan(ctx, loc.ID, opts)
			if err != nil || res.Done {
				t.Fatalf("first slice: %v, done %v", err, res.Done)
			}
			cctx, cancel := context.WithCancel(ctx)
			core.SetTestHooks(cancel, 0)
			res, err = lib.RunScanJob(cctx, res.Job.ID, opts)
			core.SetTestHooks(nil, 0)
			if err != nil || res.Done || res.Job.Status != core.JobPaused {
				t.Fatalf("cancelled slice: %v, done %v, job %s", err, res.Done, res.Job.Status)
			}
			for !res.Done {
				if res, err = lib.RunScanJob(ctx, res.Job.ID, opts); err != nil {
					t.Fatal(err)
				}
			}
			if got, want := indexed(t, lib, loc.ID), onDisk(t, root, mode == core.ModeContent); !equalLines(t, got, want) {
				t.FailNow()
			}
		})
	}
}

// TestScan_ContentBatchedUpserts: content identities are written many per statement; files
// of one directory sharing content (within one statement and across statements), and
// content already known from another directory, still make one identity each, with the
// right entry counts, in content and deep mode.
func TestScan_ContentBatchedUpserts(t *testing.T) {
	for _, mode := range []core.IndexMode{core.ModeContent, core.ModeDeep} {
		t.Run(string(mode), func(t *testing.T) {
			lib := openTest(t)
			root := filepath.Join(t.TempDir(), "tree")
			for i := range 150 {
				write(t, filepath.Join(root, "a", fmt.Sprintf("f%03d", i)), []byte{byte(i % 3), 1})
			}
			write(t, filepath.Join(root, "b", "same"), []byte{0, 1})
			res, err := lib.ScanPath(ctx, root, mode, nil, scanOpts())
			if err != nil || !res.Done {
				t.Fatalf("scan: %v", err)
			}
			cs, _, err := lib.Contents().List(ctx, core.ContentFilter{}, core.Page{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			counts := map[int64]int{}
			for _, c := range cs {
				counts[c.EntryCount]++
				if mode == core.ModeDeep && c.IntegrityHash == "" {
					t.Errorf("content %s has no integrity hash", c.CasID)
				}
			}
			if len(cs) != 3 || counts[51] != 1 || counts[50] != 2 {
				t.Errorf("contents: %+v", cs)
			}
			if rep, err := lib.Check(ctx); err != nil || !rep.OK {
				t.Errorf("check: %v %+v", err, rep.Problems)
			}
		})
	}
}
