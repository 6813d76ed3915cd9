package core_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/filedex/filedex/core"
)

// syncDevice opens a library as the named device of this machine.
func syncDevice(t *testing.T, name string) *core.Library {
	t.Helper()
	d := core.NamedDevice(name)
	l, err := core.Open(filepath.Join(t.TempDir(), name), core.Options{Device: &d})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// joined opens devices; every one after the first joins the first's library.
func joined(t *testing.T, names ...string) []*core.Library {
	t.Helper()
	ctx := context.Background()
	var libs []*core.Library
	for i, n := range names {
		l := syncDevice(t, n)
		if i > 0 {
			ex, err := libs[0].SyncExport(ctx, 0, 1)
			if err != nil {
				t.Fatal(err)
			}
			if err := l.SyncJoin(ctx, ex.Library, ex.Home); err != nil {
				t.Fatal(err)
			}
		}
		libs = append(libs, l)
	}
	return libs
}

// ship moves every message of from's log after its cursor in to into to, as a transport would.
func ship(t *testing.T, from, to *core.Library) core.SyncApplied {
	t.Helper()
	ctx := context.Background()
	var total core.SyncApplied
	since := int64(0)
	for {
		ex, err := from.SyncExport(ctx, since, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(ex.Messages) == 0 {
			return total
		}
		r, err := to.SyncApply(ctx, ex.Messages)
		if err != nil {
			t.Fatal(err)
		}
		total.Applied += r.Applied
		total.Skipped += r.Skipped
		total.Entries += r.Entries
		since = ex.Messages[len(ex.Messages)-1].Seq
	}
}

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, body := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func findNames(t *testing.T, l *core.Library, q core.FindQuery) []string {
	t.Helper()
	es, _, err := l.Entries().Find(context.Background(), q, core.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		dev := "local"
		if e.Device != nil {
			dev = e.Device.Name
		}
		out = append(out, dev+":"+e.Path)
	}
	return out
}

func TestSync_EntriesAcrossDevices(t *testing.T) {
	ctx := context.Background()
	libs := joined(t, "A", "B")
	a, b := libs[0], libs[1]
	tree := filepath.Join(t.TempDir(), "photos")
	writeTree(t, tree, map[string]string{"x/one.jpg": "111", "x/y/two.jpg": "2222", "three.txt": "3"})
	if _, err := a.ScanPath(ctx, tree, core.ModeContent, nil, core.ScanOptions{}); err != nil {
		t.Fatal(err)
	}
	ship(t, a, b)
	got := findNames(t, b, core.FindQuery{Name: "*.jpg"})
	want := []string{"A:" + filepath.Join(tree, "x/one.jpg"), "A:" + filepath.Join(tree, "x/y/two.jpg")}
	if strings.Join(sortStrings(got), "\n") != strings.Join(want, "\n") {
		t.Fatalf("B finds %q, want %q", got, want)
	}
	// The same entry has the same UUID on both devices.
	ea, _, _ := a.Entries().Find(ctx, core.FindQuery{Name: "two.jpg"}, core.Page{})
	eb, _, _ := b.Entries().Find(ctx, core.FindQuery{Name: "two.jpg"}, core.Page{})
	if len(ea) != 1 || len(eb) != 1 || ea[0].UUID != eb[0].UUID {
		t.Fatalf("UUIDs differ: %v %v", ea, eb)
	}
	if got, err := b.Entries().GetByUUID(ctx, ea[0].UUID); err != nil || got.ID != eb[0].ID {
		t.Fatalf("B GetByUUID(A's uuid) = %v, %v", got.ID, err)
	}

	t.Run("offline device catches up", func(t *testing.T) {
		os.Remove(filepath.Join(tree, "x/y/two.jpg"))
		os.RemoveAll(filepath.Join(tree, "x/y"))
		writeTree(t, tree, map[string]string{"x/new.jpg": "new!", "z/deep/four.jpg": "4444"})
		if _, err := a.ScanPath(ctx, tree, core.ModeContent, nil, core.ScanOptions{}); err != nil {
			t.Fatal(err)
		}
		ship(t, a, b)
		got := sortStrings(findNames(t, b, core.FindQuery{Name: "*.jpg"}))
		want := sortStrings([]string{"A:" + filepath.Join(tree, "x/one.jpg"), "A:" + filepath.Join(tree, "x/new.jpg"), "A:" + filepath.Join(tree, "z/deep/four.jpg")})
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("after catch-up B finds %q, want %q", got, want)
		}
		if _, err := b.Check(ctx); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("unchanged rescan logs nothing", func(t *testing.T) {
		ship(t, a, b)
		if _, err := a.ScanPath(ctx, tree, core.ModeContent, nil, core.ScanOptions{}); err != nil {
			t.Fatal(err)
		}
		n, err := a.SyncStage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("an unchanged rescan staged %d messages", n)
		}
	})

	t.Run("duplicates span devices", func(t *testing.T) {
		tree2 := filepath.Join(t.TempDir(), "docs")
		writeTree(t, tree2, map[string]string{"copy.jpg": "4444"})
		if _, err := b.ScanPath(ctx, tree2, core.ModeContent, nil, core.ScanOptions{}); err != nil {
			t.Fatal(err)
		}
		res, err := b.Duplicates().Groups(ctx, core.DupesQuery{}, core.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Groups) != 1 || res.Groups[0].Count != 2 || res.Groups[0].WastedBytes != 4 {
			t.Fatalf("groups %+v", res.Groups)
		}
	})

	t.Run("a message claiming this device is refused", func(t *testing.T) {
		ex, _ := b.SyncExport(ctx, 0, 10)
		_, err := b.SyncApply(ctx, ex.Messages)
		if !errors.Is(err, core.ErrConflict) {
			t.Fatalf("applying own messages: %v", err)
		}
	})
}

func sortStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestSync_SharedConverges edits tags, labels and metadata concurrently on three devices,
// shipping between some pairs only (partitions), then heals the network: every device ends
// with the same shared tables.
func TestSync_SharedConverges(t *testing.T) {
	ctx := context.Background()
	libs := joined(t, "A", "B", "C")
	a, b, c := libs[0], libs[1], libs[2]
	tree := filepath.Join(t.TempDir(), "t")
	writeTree(t, tree, map[string]string{"p/1.jpg": "1", "p/2.jpg": "22", "q/3.txt": "333"})
	if _, err := a.ScanPath(ctx, tree, core.ModeMetadata, nil, core.ScanOptions{}); err != nil {
		t.Fatal(err)
	}
	all := func() {
		for i := 0; i < 2; i++ {
			for _, x := range libs {
				for _, y := range libs {
					if x != y {
						ship(t, x, y)
					}
				}
			}
		}
	}
	all()
	entry := func(l *core.Library, name string) int64 {
		es, _, err := l.Entries().Find(ctx, core.FindQuery{Name: name}, core.Page{})
		if err != nil || len(es) != 1 {
			t.Fatalf("find %s: %v %v", name, es, err)
		}
		return es[0].ID
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Partition: {A, B} | {C}. Both sides create tag "x" and tag the same file; A and C
	// write the same note field; B and C create labels and move them into each other.
	ta, err := a.Tags().Create(ctx, core.TagInput{Name: "x", Color: "#ff0000"})
	must(err)
	_, err = a.Tags().Apply(ctx, ta.ID, entry(a, "1.jpg"))
	must(err)
	tc, err := c.Tags().Create(ctx, core.TagInput{Name: "x", Color: "#00ff00"})
	must(err)
	_, err = c.Tags().Apply(ctx, tc.ID, entry(c, "1.jpg"), entry(c, "2.jpg"))
	must(err)
	note1, note2 := "from A", "from C"
	_, err = a.Metadata().Set(ctx, entry(a, "3.txt"), core.MetadataUpdate{Notes: &note1})
	must(err)
	fav := true
	_, err = c.Metadata().Set(ctx, entry(c, "3.txt"), core.MetadataUpdate{Notes: &note2, Favorite: &fav})
	must(err)
	lb1, err := b.Labels().Create(ctx, core.LabelInput{Name: "L1"})
	must(err)
	lb2, err := b.Labels().Create(ctx, core.LabelInput{Name: "L2"})
	must(err)
	ship(t, a, b)
	ship(t, b, a)
	ship(t, b, c) // C learns L1 and L2 ...
	l1c, err := c.Labels().GetByName(ctx, "L1")
	must(err)
	l2c, err := c.Labels().GetByName(ctx, "L2")
	must(err)
	// ... and, partitioned again, moves L1 under L2 while B moves L2 under L1: a cycle on merge.
	_, err = c.Labels().Update(ctx, l1c.ID, core.LabelUpdate{Parent: &l2c.ID})
	must(err)
	_, err = b.Labels().Update(ctx, lb2.ID, core.LabelUpdate{Parent: &lb1.ID})
	must(err)
	_, err = b.Labels().Apply(ctx, lb1.ID, entry(b, "2.jpg"))
	must(err)
	all()
	da, err := a.SyncSharedDump(ctx)
	must(err)
	for i, l := range libs[1:] {
		d, err := l.SyncSharedDump(ctx)
		must(err)
		if d != da {
			t.Fatalf("device %d differs from A:\nA:\n%s\nother:\n%s", i+1, da, d)
		}
	}
	// One tag "x", carrying both devices' members; the cycle is broken, not kept.
	tags, _, err := b.Tags().List(ctx, core.Page{})
	must(err)
	if len(tags) != 1 || tags[0].Name != "x" || tags[0].Usage != 2 {
		t.Fatalf("tags after merge: %+v", tags)
	}
	labels, err := a.Labels().List(ctx)
	must(err)
	roots := 0
	for _, l := range labels {
		if l.ParentID == 0 {
			roots++
		}
	}
	if len(labels) != 2 || roots != 1 {
		t.Fatalf("labels after merge: %+v", labels)
	}
	if !strings.Contains(da, "from C") && !strings.Contains(da, "from A") {
		t.Fatalf("note lost:\n%s", da)
	}
	t.Logf("converged:\n%s", da)
}

// TestSync_CrashBeforeCursor fails an apply after its rows are written and before its cursor
// is: nothing of it stays, and applying again applies each message exactly once.
func TestSync_CrashBeforeCursor(t *testing.T) {
	ctx := context.Background()
	libs := joined(t, "A", "B")
	a, b := libs[0], libs[1]
	tree := filepath.Join(t.TempDir(), "t")
	writeTree(t, tree, map[string]string{"p/1.jpg": "1", "p/2.jpg": "22", "q/3.txt": "333"})
	if _, err := a.ScanPath(ctx, tree, core.ModeMetadata, nil, core.ScanOptions{}); err != nil {
		t.Fatal(err)
	}
	tg, _ := a.Tags().Create(ctx, core.TagInput{Name: "t"})
	es, _, _ := a.Entries().Find(ctx, core.FindQuery{Name: "1.jpg"}, core.Page{})
	a.Tags().Apply(ctx, tg.ID, es[0].ID)
	ex, err := a.SyncExport(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	crash := errors.New("crash")
	core.SetSyncApplyHook(func() error { return crash })
	_, err = b.SyncApply(ctx, ex.Messages)
	core.SetSyncApplyHook(nil)
	if !errors.Is(err, crash) {
		t.Fatalf("apply with the crash hook: %v", err)
	}
	if got := findNames(t, b, core.FindQuery{Name: "*"}); len(got) != 0 {
		t.Fatalf("rows of the crashed apply stayed: %q", got)
	}
	st, err := b.SyncStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Cursors) != 0 {
		t.Fatalf("cursor of the crashed apply stayed: %+v", st.Cursors)
	}
	// The transport redelivers, twice over (a duplicate delivery of the same batch).
	r1, err := b.SyncApply(ctx, ex.Messages)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := b.SyncApply(ctx, ex.Messages)
	if err != nil {
		t.Fatal(err)
	}
	if r1.Applied != len(ex.Messages) || r2.Applied != 0 || r2.Skipped != len(ex.Messages) {
		t.Fatalf("first redelivery %+v, second %+v, %d messages", r1, r2, len(ex.Messages))
	}
	st, _ = b.SyncStatus(ctx)
	if len(st.Cursors) != 1 || st.Cursors[0].Applied != int64(len(ex.Messages)) || st.Cursors[0].Seq != ex.Messages[len(ex.Messages)-1].Seq {
		t.Fatalf("cursor %+v after %d messages", st.Cursors, len(ex.Messages))
	}
	if n := len(findNames(t, b, core.FindQuery{Name: "*"})); n != 6 {
		t.Fatalf("B has %d entries, want 6 (root, p, q and 3 files)", n)
	}
	tags, _, _ := b.Tags().List(ctx, core.Page{})
	if len(tags) != 1 || tags[0].Usage != 1 {
		t.Fatalf("tags %+v", tags)
	}
}
