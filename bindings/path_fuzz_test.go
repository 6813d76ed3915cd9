package bindings_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/filedex/filedex/bindings"
)

// FuzzSandboxPath: whatever string a request names, Session.Path returns an
// absolute, clean path inside the roots once symlinks are resolved, or a
// sandbox/invalid error — never a path that leads outside. The fixture has a
// symlink to outside and one to itself (a loop).
func FuzzSandboxPath(f *testing.F) {
	dir := f.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	os.MkdirAll(filepath.Join(in, "sub"), 0o755)
	os.MkdirAll(out, 0o755)
	os.Symlink("../out", filepath.Join(in, "escape"))
	os.Symlink("loop", filepath.Join(in, "loop"))
	os.Symlink("sub", filepath.Join(in, "inside"))
	for _, s := range []string{"", ".", "..", "/", "sub", "escape/x", "inside/../escape", "loop/x", "sub/../../out",
		"a//b", "\x00", "sub/./x", strings.Repeat("../", 40) + "etc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rel string) {
		p := rel
		if !filepath.IsAbs(rel) {
			p = filepath.Join(in, rel)
		}
		got, err := bindings.SandboxPath([]string{in}, p)
		if !checkSandboxed(t, rel, in, got, err) {
			return
		}
		if real, err := filepath.EvalSymlinks(got); err == nil && real != in && !strings.HasPrefix(real, in+"/") {
			t.Fatalf("%q: %q resolves to %q, outside %s", rel, got, real, in)
		}
	})
}

// FuzzSandboxEntryPath: Session.EntryPath, which names an indexed entry and so does
// not follow the last component, returns a clean path lexically inside the roots whose
// parent directory resolves inside them, or a sandbox/invalid error. Whatever Path
// accepts it accepts unchanged.
func FuzzSandboxEntryPath(f *testing.F) {
	dir := f.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	os.MkdirAll(filepath.Join(in, "sub"), 0o755)
	os.MkdirAll(out, 0o755)
	os.Symlink("../out", filepath.Join(in, "escape"))
	os.Symlink("loop", filepath.Join(in, "loop"))
	os.Symlink("sub", filepath.Join(in, "inside"))
	for _, s := range []string{"", ".", "..", "/", "sub", "escape", "escape/x", "inside/../escape", "loop", "loop/x", "sub/../../out",
		"escape/..", "inside/escape", "a//b", "\x00", strings.Repeat("../", 40) + "etc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rel string) {
		p := rel
		if !filepath.IsAbs(rel) {
			p = filepath.Join(in, rel)
		}
		got, err := bindings.SandboxEntryPath([]string{in}, p)
		strict, serr := bindings.SandboxPath([]string{in}, p)
		if serr == nil && (err != nil || got != strict) {
			t.Fatalf("%q: Path gave %q, EntryPath %q (%v)", rel, strict, got, err)
		}
		if !checkSandboxed(t, rel, in, got, err) {
			return
		}
		if got == in {
			return
		}
		if real, err := filepath.EvalSymlinks(filepath.Dir(got)); err == nil && real != in && !strings.HasPrefix(real, in+"/") {
			t.Fatalf("%q: the directory of %q resolves to %q, outside %s", rel, got, real, in)
		}
	})
}

// checkSandboxed fails the test unless err is a sandbox or invalid error, or got is an
// absolute, clean path inside the mount in. It reports whether there is a path to check on.
func checkSandboxed(t *testing.T, rel, in, got string, err error) bool {
	t.Helper()
	if err != nil {
		var c bindings.Coded
		if !errors.As(err, &c) || (c.Code() != "sandbox" && c.Code() != "invalid") {
			t.Fatalf("%q: unexpected error %v", rel, err)
		}
		return false
	}
	if !filepath.IsAbs(got) || filepath.Clean(got) != got {
		t.Fatalf("%q: %q is not absolute and clean", rel, got)
	}
	if got != in && !strings.HasPrefix(got, in+"/") {
		t.Fatalf("%q: %q is outside %s", rel, got, in)
	}
	return true
}
