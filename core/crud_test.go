package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"github.com/filedex/filedex/core"
)

var ctx = context.Background()

// pages walks a keyset-paginated list to the end with a small page size and returns every
// item, failing on a page larger than asked or a cursor that repeats.
func pages[T any](t *testing.T, limit int, list func(p core.Page) ([]T, string, error)) []T {
	t.Helper()
	var all []T
	seen := map[string]bool{}
	p := core.Page{Limit: limit}
	for {
		items, next, err := list(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) > limit {
			t.Fatalf("page of %d items, limit %d", len(items), limit)
		}
		all = append(all, items...)
		if next == "" {
			return all
		}
		if seen[next] {
			t.Fatalf("cursor %q repeats", next)
		}
		seen[next] = true
		p.After = next
	}
}

func TestDevices_CRUD(t *testing.T) {
	lib := openTest(t)
	devs := lib.Devices()
	local, err := devs.Get(ctx, lib.DeviceID())
	if err != nil || local.Name != "test-host" {
		t.Fatalf("local device: %+v %v", local, err)
	}
	var made []core.Device
	for i := range 5 {
		d, err := devs.Create(ctx, core.DeviceInfo{Name: fmt.Sprintf("peer%d", i), OS: "macos", HardwareModel: "mac",
			NetworkAddresses: []string{"10.0.0.1"}, Capabilities: map[string]any{"p2p": true}})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, d)
	}
	if got, err := devs.GetByUUID(ctx, made[2].UUID); err != nil || got.ID != made[2].ID || got.NetworkAddresses[0] != "10.0.0.1" {
		t.Fatalf("by uuid: %+v %v", got, err)
	}
	all := pages(t, 2, func(p core.Page) ([]core.Device, string, error) { return devs.List(ctx, core.DeviceFilter{}, p) })
	if len(all) != 6 {
		t.Fatalf("listed %d devices", len(all))
	}
	online := true
	on := pages(t, 10, func(p core.Page) ([]core.Device, string, error) {
		return devs.List(ctx, core.DeviceFilter{Online: &online}, p)
	})
	if len(on) != 1 || on[0].ID != local.ID {
		t.Fatalf("online filter: %d", len(on))
	}
	name := "renamed"
	if d, err := devs.Update(ctx, made[0].ID, core.DeviceUpdate{Name: &name}); err != nil || d.Name != "renamed" {
		t.Fatalf("update: %+v %v", d, err)
	}
	if err := devs.Delete(ctx, made[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := devs.Get(ctx, made[0].ID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("deleted device: %v", err)
	}
	if err := devs.Delete(ctx, lib.DeviceID()); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("deleting the local device: %v", err)
	}
	if _, err := devs.Create(ctx, core.DeviceInfo{}); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("empty device: %v", err)
	}
}

func TestLocations_CRUD(t *testing.T) {
	lib := openTest(t)
	locs := lib.Locations()
	base := t.TempDir()
	var made []core.Location
	for i := range 4 {
		dir := filepath.Join(base, fmt.Sprintf("loc%d", i))
		os.Mkdir(dir, 0o755)
		l, err := locs.Create(ctx, core.LocationInput{Path: dir, Name: fmt.Sprint("L", i), IgnoreGlobs: []string{"*.tmp"}})
		if err != nil {
			t.Fatal(err)
		}
		if l.IndexMode != core.ModeContent || l.ScanState != core.ScanPending || l.RootID == 0 || l.IgnoreGlobs[0] != "*.tmp" {
			t.Fatalf("new location: %+v", l)
		}
		made = append(made, l)
	}
	// A bad ignore pattern is refused before anything is written, on create and on update
	// (the update used to store it, replacing the good ones, and report an error after).
	os.Mkdir(filepath.Join(base, "other"), 0o755)
	if _, err := locs.Create(ctx, core.LocationInput{Path: filepath.Join(base, "other"), IgnoreGlobs: []string{"[a-"}}); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("create with ignore [a-: %v", err)
	}
	bad := []string{"[a-"}
	if _, err := locs.Update(ctx, made[0].ID, core.LocationUpdate{IgnoreGlobs: &bad}); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("update with ignore [a-: %v", err)
	}
	if l, err := locs.Get(ctx, made[0].ID); err != nil || len(l.IgnoreGlobs) != 1 || l.IgnoreGlobs[0] != "*.tmp" {
		t.Fatalf("after a refused update the globs are %q (%v), want [*.tmp]", l.IgnoreGlobs, err)
	}
	root, err := lib.Entries().Get(ctx, made[0].RootID)
	if err != nil || root.Kind != core.KindDirectory || root.Path != made[0].Path || root.Name != "loc0" {
		t.Fatalf("root entry: %+v %v", root, err)
	}
	for _, c := range []struct {
		path string
		want error
	}{
		{made[1].Path, core.ErrConflict},                       // same
		{filepath.Join(made[1].Path, "sub"), core.ErrNotFound}, // does not exist
		{base, core.ErrConflict},                               // contains locations
		{filepath.Join(base, "nope"), core.ErrNotFound},
	} {
		if _, err := locs.Create(ctx, core.LocationInput{Path: c.path}); !errors.Is(err, c.want) {
			t.Errorf("create %s: %v, want %v", c.path, err, c.want)
		}
	}
	inner := filepath.Join(made[1].Path, "inner")
	os.Mkdir(inner, 0o755)
	if _, err := locs.Create(ctx, core.LocationInput{Path: inner}); !errors.Is(err, core.ErrConflict) {
		t.Errorf("location inside a location: %v", err)
	}
	sibling := made[1].Path + "x" // shares a string prefix, not a path prefix
	os.Mkdir(sibling, 0o755)
	if _, err := locs.Create(ctx, core.LocationInput{Path: sibling, Mode: core.ModeMetadata}); err != nil {
		t.Errorf("sibling with a common string prefix refused: %v", err)
	}
	f := filepath.Join(base, "file")
	os.WriteFile(f, nil, 0o644)
	if _, err := locs.Create(ctx, core.LocationInput{Path: f}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("file as location: %v", err)
	}
	if _, err := locs.Create(ctx, core.LocationInput{Path: t.TempDir(), Mode: "turbo"}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("bad mode: %v", err)
	}
	all := pages(t, 2, func(p core.Page) ([]core.Location, string, error) { return locs.List(ctx, core.LocationFilter{}, p) })
	if len(all) != 5 {
		t.Fatalf("listed %d", len(all))
	}
	if got, err := locs.GetByPath(ctx, made[2].Path); err != nil || got.ID != made[2].ID {
		t.Fatalf("by path: %v", err)
	}
	if got, err := locs.GetByUUID(ctx, made[3].UUID); err != nil || got.ID != made[3].ID {
		t.Fatalf("by uuid: %v", err)
	}
	mode, name := core.ModeDeep, "renamed"
	u, err := locs.Update(ctx, made[0].ID, core.LocationUpdate{Mode: &mode, Name: &name, IgnoreGlobs: &[]string{}})
	if err != nil || u.IndexMode != core.ModeDeep || u.Name != "renamed" || len(u.IgnoreGlobs) != 0 {
		t.Fatalf("update: %+v %v", u, err)
	}
	if err := locs.Delete(ctx, made[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Entries().Get(ctx, made[0].RootID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("root entry survived its location: %v", err)
	}
	if _, err := os.Stat(made[0].Path); err != nil {
		t.Fatal("removing a location touched the directory")
	}
}

func TestEntries_CRUD(t *testing.T) {
	lib := openTest(t)
	dir := t.TempDir()
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	es := lib.Entries()
	sub, err := es.Create(ctx, core.EntryInput{ParentID: loc.RootID, Name: "Sub Dir", Kind: core.KindDirectory, ModifiedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Path != filepath.Join(dir, "Sub Dir") || sub.RelativePath != "" {
		t.Fatalf("dir: %+v", sub)
	}
	names := []string{"b.TXT", "a.pdf", "100%_done.md", "\xff\xfe raw", "ünïcode.jpg", ".hidden", "c"}
	for _, n := range names {
		if _, err := es.Create(ctx, core.EntryInput{ParentID: sub.ID, Name: n, Size: 10, ModifiedAt: t0, CasID: "00000000000000ab"}); err != nil {
			t.Fatalf("%q: %v", n, err)
		}
	}
	e, err := es.GetByPath(ctx, filepath.Join(dir, "Sub Dir", "b.TXT"))
	if err != nil {
		t.Fatal(err)
	}
	if e.Extension != "txt" || e.RelativePath != "Sub Dir" || e.Content == nil || e.Content.CasID != "00000000000000ab" || e.Kind != core.KindFile {
		t.Fatalf("entry: %+v", e)
	}
	byUUID, err := es.GetByUUID(ctx, e.UUID)
	if err != nil || byUUID.ID != e.ID {
		t.Fatalf("by uuid: %v", err)
	}
	forged := e.UUID
	forged[0] ^= 0xff // same embedded id, different UUID: must not match
	if _, err := es.GetByUUID(ctx, forged); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("forged uuid: %v", err)
	}
	if _, err := es.GetByUUID(ctx, uuid.New()); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("random uuid: %v", err)
	}
	raw, err := es.GetByPath(ctx, filepath.Join(dir, "Sub Dir", "\xff\xfe raw"))
	if err != nil || raw.NameB64 != "//4gcmF3" {
		t.Fatalf("non-UTF-8 name: %+v %v", raw, err)
	}
	b, _ := json.Marshal(raw)
	var back struct {
		NameB64 string `json:"name_b64"`
	}
	json.Unmarshal(b, &back)
	if back.NameB64 != "//4gcmF3" {
		t.Fatalf("name_b64 lost in JSON: %s", b)
	}
	if h, _ := es.GetByPath(ctx, filepath.Join(dir, "Sub Dir", ".hidden")); h.Extension != "" {
		t.Fatalf(".hidden has extension %q", h.Extension)
	}
	children := pages(t, 3, func(p core.Page) ([]core.Entry, string, error) { return es.Children(ctx, sub.ID, p) })
	if len(children) != len(names) {
		t.Fatalf("children: %d", len(children))
	}
	for i := 1; i < len(children); i++ {
		if children[i-1].Name >= children[i].Name {
			t.Fatalf("not in name order: %q before %q", children[i-1].Name, children[i].Name)
		}
	}
	if _, err := es.Create(ctx, core.EntryInput{ParentID: sub.ID, Name: "a.pdf", ModifiedAt: t0}); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("duplicate name: %v", err)
	}
	for _, bad := range []string{"", ".", "..", "a/b", "nul\x00"} {
		if _, err := es.Create(ctx, core.EntryInput{ParentID: sub.ID, Name: bad, ModifiedAt: t0}); !errors.Is(err, core.ErrInvalid) {
			t.Errorf("name %q: %v", bad, err)
		}
	}
	if _, err := es.Create(ctx, core.EntryInput{ParentID: e.ID, Name: "x", ModifiedAt: t0}); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("child of a file: %v", err)
	}
	if _, err := es.GetByPath(ctx, "relative/path"); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("relative path: %v", err)
	}
	if _, err := es.GetByPath(ctx, "/definitely/not/indexed"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("outside: %v", err)
	}
	if _, err := lib.Metadata().Set(ctx, e.ID, core.MetadataUpdate{Notes: ptr("keep")}); err != nil {
		t.Fatal(err)
	}
	if err := es.Delete(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := es.Get(ctx, e.ID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("child survived subtree delete: %v", err)
	}
	if err := es.Delete(ctx, loc.RootID); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("deleting a root: %v", err)
	}
	if n, err := lib.Contents().DeleteUnused(ctx); err != nil || n != 1 {
		t.Fatalf("unused content: %d %v", n, err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestTagsLabelsMetadata(t *testing.T) {
	lib := openTest(t)
	loc, _ := lib.Locations().Create(ctx, core.LocationInput{Path: t.TempDir()})
	f, err := lib.Entries().Create(ctx, core.EntryInput{ParentID: loc.RootID, Name: "f.txt", ModifiedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata != nil {
		t.Fatal("a new entry has a metadata row")
	}
	tags := lib.Tags()
	var tagIDs []int64
	for i, name := range []string{"zeta", "alpha", "mid", "unused"} {
		tg, err := tags.Create(ctx, core.TagInput{Name: name, Color: fmt.Sprintf("#00000%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		tagIDs = append(tagIDs, tg.ID)
	}
	if _, err := tags.Create(ctx, core.TagInput{Name: "alpha"}); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("dup tag: %v", err)
	}
	if _, err := tags.Create(ctx, core.TagInput{Name: "c", Color: "red"}); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("bad colour: %v", err)
	}
	if n, err := tags.Apply(ctx, tagIDs[0], f.ID); err != nil || n != 1 {
		t.Fatalf("apply: %d %v", n, err)
	}
	if n, _ := tags.Apply(ctx, tagIDs[0], f.ID); n != 0 {
		t.Fatal("re-applying counted")
	}
	tags.Apply(ctx, tagIDs[1], f.ID)
	list := pages(t, 1, func(p core.Page) ([]core.Tag, string, error) { return tags.List(ctx, p) })
	if len(list) != 4 || list[0].Name != "alpha" || list[0].Usage != 1 || list[3].Name != "zeta" {
		t.Fatalf("tag list: %+v", list)
	}
	got, _ := lib.Entries().Get(ctx, f.ID)
	if got.Metadata == nil || len(got.Metadata.Tags) != 2 || got.Metadata.Tags[0] != "alpha" {
		t.Fatalf("metadata after tagging: %+v", got.Metadata)
	}
	if n, _ := tags.Remove(ctx, tagIDs[0], f.ID); n != 1 {
		t.Fatal("remove")
	}
	if _, err := tags.Apply(ctx, 9999, f.ID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("unknown tag: %v", err)
	}
	if err := tags.Delete(ctx, tagIDs[1]); err != nil {
		t.Fatal(err)
	}
	if got, _ := lib.Entries().Get(ctx, f.ID); len(got.Metadata.Tags) != 0 {
		t.Fatalf("deleted tag still on entry: %v", got.Metadata.Tags)
	}
	if _, err := lib.Entries().Get(ctx, f.ID); err != nil {
		t.Fatal("deleting a tag deleted the entry")
	}

	labels := lib.Labels()
	work, _ := labels.Create(ctx, core.LabelInput{Name: "Work"})
	client, _ := labels.Create(ctx, core.LabelInput{Name: "Clients", Parent: work.ID})
	acme, err := labels.Create(ctx, core.LabelInput{Name: "Acme", Parent: client.ID})
	if err != nil || acme.Path != "Work/Clients/Acme" || acme.Depth != 2 {
		t.Fatalf("label: %+v %v", acme, err)
	}
	home, _ := labels.Create(ctx, core.LabelInput{Name: "Home"})
	labels.Create(ctx, core.LabelInput{Name: "Acme", Parent: home.ID})
	if _, err := labels.GetByName(ctx, "Acme"); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("ambiguous label name: %v", err)
	}
	if l, err := labels.GetByName(ctx, "Work/Clients/Acme"); err != nil || l.ID != acme.ID {
		t.Fatalf("label by path: %v", err)
	}
	if _, err := labels.Update(ctx, work.ID, core.LabelUpdate{Parent: &acme.ID}); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("cycle: %v", err)
	}
	tree, _ := labels.List(ctx)
	var paths []string
	for _, l := range tree {
		paths = append(paths, l.Path)
	}
	if fmt.Sprint(paths) != "[Home Home/Acme Work Work/Clients Work/Clients/Acme]" {
		t.Fatalf("tree: %v", paths)
	}
	if _, err := labels.Apply(ctx, acme.ID, f.ID); err != nil {
		t.Fatal(err)
	}
	if err := labels.Delete(ctx, work.ID); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("delete with children: %v", err)
	}
	zero := int64(0)
	if moved, err := labels.Update(ctx, acme.ID, core.LabelUpdate{Parent: &zero}); err != nil || moved.Path != "Acme" {
		t.Fatalf("move to top: %+v %v", moved, err)
	}

	m, err := lib.Metadata().Set(ctx, f.ID, core.MetadataUpdate{Notes: ptr("hello"), Favorite: ptr(true), CustomData: json.RawMessage(`{"b":1,"a":[2]}`)})
	if err != nil || !m.Favorite || m.Notes != "hello" || string(m.CustomData) != `{"a":[2],"b":1}` || len(m.Labels) != 1 {
		t.Fatalf("metadata: %+v %v", m, err)
	}
	for _, bad := range []string{`[1]`, `"s"`, `{bad`, `3`} {
		if _, err := lib.Metadata().Set(ctx, f.ID, core.MetadataUpdate{CustomData: json.RawMessage(bad)}); !errors.Is(err, core.ErrInvalid) {
			t.Errorf("custom_data %s: %v", bad, err)
		}
	}
	m, _ = lib.Metadata().Set(ctx, f.ID, core.MetadataUpdate{CustomData: json.RawMessage(`null`), Notes: ptr("")})
	if m.CustomData != nil || m.Notes != "" || !m.Favorite {
		t.Fatalf("clearing: %+v", m)
	}
}

func TestJobs_CRUD(t *testing.T) {
	lib := openTest(t)
	jobs := lib.Jobs()
	var ids []int64
	for i := range 5 {
		j, err := jobs.Create(ctx, core.JobInput{Kind: "scan", Params: map[string]int{"n": i}})
		if err != nil || j.Status != core.JobQueued {
			t.Fatalf("%+v %v", j, err)
		}
		ids = append(ids, j.ID)
	}
	running := core.JobRunning
	j, err := jobs.Update(ctx, ids[0], core.JobUpdate{Status: &running, Progress: map[string]int{"done": 3}, Checkpoint: []byte{1, 2}, Warnings: []string{"w"}})
	if err != nil || j.StartedAt == nil || string(j.Progress) != `{"done":3}` || string(j.Checkpoint) != "\x01\x02" || j.Warnings[0] != "w" {
		t.Fatalf("update: %+v %v", j, err)
	}
	if err := jobs.Delete(ctx, ids[0]); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("deleting a running job: %v", err)
	}
	done := core.JobCompleted
	j, _ = jobs.Update(ctx, ids[0], core.JobUpdate{Status: &done})
	if j.FinishedAt == nil {
		t.Fatal("finished_at not set")
	}
	all := pages(t, 2, func(p core.Page) ([]core.Job, string, error) { return jobs.List(ctx, core.JobFilter{}, p) })
	if len(all) != 5 || all[0].ID != ids[4] {
		t.Fatalf("jobs newest first: %d", len(all))
	}
	active := pages(t, 10, func(p core.Page) ([]core.Job, string, error) { return jobs.List(ctx, core.JobFilter{Active: true}, p) })
	if len(active) != 4 {
		t.Fatalf("active: %d", len(active))
	}
	if got, err := jobs.GetByUUID(ctx, j.UUID); err != nil || got.ID != j.ID {
		t.Fatal("by uuid")
	}
	if err := jobs.Delete(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	bogus := core.JobStatus("sleeping")
	if _, err := jobs.Update(ctx, ids[1], core.JobUpdate{Status: &bogus}); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("bad status: %v", err)
	}
	if _, err := jobs.Create(ctx, core.JobInput{Kind: "scan", LocationID: 999}); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("job for a missing location: %v", err)
	}
}

func TestPage_BadCursor(t *testing.T) {
	lib := openTest(t)
	for _, c := range []string{"!!!", "bm90IGpzb24", "WzEsMl0"} {
		if _, _, err := lib.Tags().List(ctx, core.Page{After: c}); !errors.Is(err, core.ErrInvalid) {
			t.Errorf("cursor %q: %v", c, err)
		}
	}
	if _, _, err := lib.Tags().List(ctx, core.Page{Limit: -1}); !errors.Is(err, core.ErrInvalid) {
		t.Error("negative limit accepted")
	}
}
