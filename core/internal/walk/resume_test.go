package walk_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/filedex/filedex/core/internal/walk"
)

// TestWalkAfter: resuming after any batch of a full walk delivers exactly the rest of the
// full walk, in order, for every possible resume point.
func TestWalkAfter(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"a/x/deep", "a/y", "a-b/c", "b", "b/a/z", "c", "a/x/deep2/e"} {
		os.MkdirAll(filepath.Join(root, filepath.FromSlash(d)), 0o755)
	}
	os.WriteFile(filepath.Join(root, "a", "f"), nil, 0o644)
	w, _ := walk.New(walk.Options{Workers: 3})
	var full []string
	if _, err := w.WalkAfter(context.Background(), root, nil, func(b *walk.Batch) error { full = append(full, b.Path); return nil }); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(full); i++ {
		if walk.CompareOrder(full[i-1], full[i]) >= 0 {
			t.Fatalf("walk order and CompareOrder disagree: %q then %q", full[i-1], full[i])
		}
	}
	for i, after := range full {
		var got []string
		if _, err := w.WalkAfter(context.Background(), root, &after, func(b *walk.Batch) error { got = append(got, b.Path); return nil }); err != nil {
			t.Fatal(err)
		}
		if want := full[i+1:]; !slices.Equal(got, want) {
			t.Errorf("after %q:\n got %q\nwant %q", after, got, want)
		}
	}
	// A resume point that no longer exists still resumes at the right place.
	var got []string
	vanished := "a/x/deep1"
	w.WalkAfter(context.Background(), root, &vanished, func(b *walk.Batch) error { got = append(got, b.Path); return nil })
	if !slices.Equal(got, []string{"a/x/deep2", "a/x/deep2/e", "a/y", "a-b", "a-b/c", "b", "b/a", "b/a/z", "c"}) {
		t.Errorf("after a vanished directory: %q", got)
	}
}

func TestCompareOrder(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "a", -1}, {"a", "a/b", -1}, {"a/z", "a-b", -1}, {"a-b", "a/z", 1}, {"b", "a/z", 1}, {"x/y", "x/y", 0},
	} {
		if got := walk.CompareOrder(c.a, c.b); got != c.want {
			t.Errorf("CompareOrder(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
