package core_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/filedex/filedex/core"
)

// TestMetadata_PageBatch: a page with more entries carrying metadata than the batching
// threshold gets, for every entry, exactly what Metadata.Get (one entry at a time) returns:
// notes, flags, custom data, tags and labels in name order, and nil where there is none.
func TestMetadata_PageBatch(t *testing.T) {
	lib := openTest(t)
	root := t.TempDir()
	for i := range 30 {
		write(t, filepath.Join(root, fmt.Sprintf("f%02d.txt", i)), []byte(fmt.Sprint(i)))
	}
	res, err := lib.ScanPath(ctx, root, core.ModeMetadata, nil, core.ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	kids, _, err := lib.Entries().Children(ctx, res.Location.RootID, core.Page{Limit: 100})
	if err != nil || len(kids) != 30 {
		t.Fatalf("children: %d, %v", len(kids), err)
	}
	var tags []core.Tag
	for _, n := range []string{"zeta", "alpha", "mid"} {
		tg, err := lib.Tags().Create(ctx, core.TagInput{Name: n})
		if err != nil {
			t.Fatal(err)
		}
		tags = append(tags, tg)
	}
	lb, err := lib.Labels().Create(ctx, core.LabelInput{Name: "work"})
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range kids {
		if i%5 == 4 {
			continue // no metadata at all
		}
		for j, tg := range tags {
			if (i+j)%2 == 0 {
				if _, err := lib.Tags().Apply(ctx, tg.ID, e.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		if i%3 == 0 {
			if _, err := lib.Labels().Apply(ctx, lb.ID, e.ID); err != nil {
				t.Fatal(err)
			}
		}
		notes, fav := fmt.Sprint("note ", i), i%2 == 0
		if _, err := lib.Metadata().Set(ctx, e.ID, core.MetadataUpdate{Notes: &notes, Favorite: &fav, CustomData: []byte(fmt.Sprintf(`{"i":%d}`, i))}); err != nil {
			t.Fatal(err)
		}
	}
	kids, _, err = lib.Entries().Children(ctx, res.Location.RootID, core.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	with := 0
	for i, e := range kids {
		if i%5 == 4 {
			if e.Metadata != nil {
				t.Fatalf("%s: metadata %+v, want none", e.Name, e.Metadata)
			}
			continue
		}
		with++
		if e.Metadata == nil {
			t.Fatalf("%s: no metadata in the page", e.Name)
		}
		one, err := lib.Metadata().Get(ctx, e.MetadataID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*e.Metadata, one) {
			t.Fatalf("%s: page has %+v, Metadata.Get %+v", e.Name, *e.Metadata, one)
		}
	}
	if with <= 8 {
		t.Fatalf("only %d entries with metadata: the batched path is not exercised", with)
	}
}
