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
