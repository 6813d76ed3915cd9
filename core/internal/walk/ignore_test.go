package walk_test

import (
	"errors"
	"path"
	"strings"
	"testing"

	"github.com/filedex/filedex/core/internal/walk"
)

func TestIgnore_Match(t *testing.T) {
	cases := []struct {
		pat   string
		rel   string
		isDir bool
		want  bool
	}{
		{"*.tmp", "a.tmp", false, true},
		{"*.tmp", "x/y/a.tmp", false, true},
		{"*.tmp", "a.tmp/b", false, false},
		{"node_modules", "a/node_modules", true, true},
		{"node_modules", "node_modules", true, true},
		{"build/out", "build/out", true, true},
		{"/build/out", "build/out", true, true},
		{"build/out", "x/build/out", true, false},
		{"**/build/out", "x/build/out", true, true},
		{"**/build/out", "build/out", true, true},
		{"src/**/*.o", "src/a.o", false, true},
		{"src/**/*.o", "src/a/b/c.o", false, true},
		{"src/**/*.o", "lib/a.o", false, false},
		{"src/**", "src", true, false},
		{"src/**", "src/x", false, true},
		{"a/**/**/b", "a/b", false, true},
		{"cache/", "cache", true, true},
		{"cache/", "cache", false, false},
		{"x/cache/", "x/cache", true, true},
		{"caf\u00e9", "cafe\u0301", false, false}, // no normalization
		{"CAFE", "cafe", false, false},            // no case folding
		{`\*`, "*", false, true},
		{`\*`, "a", false, false},
		{"?", "\xff", false, true}, // one invalid byte is one character
		{"100%", "100%", false, true},
		{"a_b", "axb", false, false}, // '_' is literal, unlike LIKE
	}
	for _, tc := range cases {
		ig, err := walk.NewIgnore(tc.pat)
		if err != nil {
			t.Fatalf("%q: %v", tc.pat, err)
		}
		if got := ig.Match(tc.rel, tc.isDir); got != tc.want {
			t.Errorf("pattern %q, path %q (dir %v): %v, want %v", tc.pat, tc.rel, tc.isDir, got, tc.want)
		}
	}
	for _, bad := range []string{"", "/", "a//b", "[", "a/[/b"} {
		if _, err := walk.NewIgnore(bad); !errors.Is(err, walk.ErrBadPattern) {
			t.Errorf("NewIgnore(%q): %v, want ErrBadPattern", bad, err)
		}
	}
	none, _ := walk.NewIgnore()
	if none.Match("anything", true) {
		t.Error("empty set matched")
	}
}

// FuzzIgnore checks the matcher never panics and agrees with path.Match
// where their semantics coincide: without "**", classes or escapes, matching
// element by element is path.Match on the whole path (its '*' stops at '/').
func FuzzIgnore(f *testing.F) {
	for _, s := range [][2]string{{"*.go", "a/b.go"}, {"a/*/c", "a/b/c"}, {"**/x", "x"}, {"a?c", "abc"}, {"[a-", "a"}, {"x/", "x"}} {
		f.Add(s[0], s[1], true)
	}
	f.Fuzz(func(t *testing.T, pat, rel string, isDir bool) {
		ig, err := walk.NewIgnore(pat)
		if err != nil {
			return
		}
		got := ig.Match(rel, isDir)
		if strings.ContainsAny(pat, `[\`) || strings.Contains(pat, "**") || strings.HasPrefix(pat, "/") || strings.HasSuffix(pat, "/") {
			return
		}
		if rel == "" || strings.HasPrefix(rel, "/") || strings.HasSuffix(rel, "/") || strings.Contains(rel, "//") {
			return
		}
		var want bool
		if strings.Contains(pat, "/") {
			want, _ = path.Match(pat, rel)
		} else {
			want, _ = path.Match(pat, path.Base(rel))
		}
		if got != want {
			t.Errorf("Match(%q, %q) = %v, path.Match says %v", pat, rel, got, want)
		}
	})
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{"", "a", "a/b", "a/b/c", "\xff/\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rel string) {
		dir, name := walk.Split(rel)
		if strings.Contains(name, "/") {
			t.Errorf("Split(%q) name %q contains '/'", rel, name)
		}
		if got := walk.Join(dir, name); got != rel && !(dir == "" && strings.HasPrefix(rel, "/")) {
			t.Errorf("Join(Split(%q)) = %q", rel, got)
		}
	})
}
