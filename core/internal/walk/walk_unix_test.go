//go:build unix

package walk_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/filedex/filedex/core/internal/walk"
)

func TestWalker_Walk_metadata(t *testing.T) {
	root := t.TempDir()
	p := filepath.Join(root, "f")
	before := time.Now()
	mkfile(t, p, 10)
	after := time.Now()
	mtime := time.Unix(1_700_000_000, 123_456_789)
	atime := time.Unix(1_600_000_000, 987_654_321)
	if err := os.Chtimes(p, atime, mtime); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o640|fs.ModeSetgid); err != nil {
		t.Fatal(err)
	}
	r := run(t, root, walk.Options{}, nil)
	e := r.entries["f"].e
	if e.Mtime != mtime.UnixNano() || e.Atime != atime.UnixNano() {
		t.Errorf("times: mtime %d atime %d, want %d %d", e.Mtime, e.Atime, mtime.UnixNano(), atime.UnixNano())
	}
	if e.Perm != 0o2640 {
		t.Errorf("perm %o, want 2640", e.Perm)
	}
	// ctime moved when we changed the times; birth time, where reported,
	// is when mkfile ran.
	if e.Ctime < before.Add(-time.Second).UnixNano() {
		t.Errorf("ctime %d before the test started", e.Ctime)
	}
	if e.Btime != 0 && (e.Btime < before.Add(-time.Second).UnixNano() || e.Btime > after.Add(time.Second).UnixNano()) {
		t.Errorf("btime %v not when the file was made (%v..%v)", time.Unix(0, e.Btime), before, after)
	}
	t.Logf("birth time reported: %v", e.Btime != 0)
	if e.UID != uint32(os.Getuid()) {
		t.Errorf("uid %d, want %d", e.UID, os.Getuid())
	}

	got, err := walk.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Name) != "f" {
		t.Errorf("Lstat name %q", got.Name)
	}
	got.Name, e.Name = nil, nil
	if !reflect.DeepEqual(got, e) {
		t.Errorf("Lstat = %+v, walk saw %+v", got, e)
	}
}

func TestWalker_Walk_special(t *testing.T) {
	root := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	mkfile(t, filepath.Join(root, "file"), 1)
	r := run(t, root, walk.Options{}, nil)
	if _, ok := r.entries["fifo"]; ok {
		t.Error("FIFO listed")
	}
	if r.batches[""].Special != 1 || r.stats.Special != 1 {
		t.Errorf("special: batch %d, stats %d; want 1", r.batches[""].Special, r.stats.Special)
	}
	if _, ok := r.entries["file"]; !ok {
		t.Error("file missing")
	}
}

// permRootEnv hands the tree to a re-run of the permission test that has
// dropped root (see below).
const permRootEnv = "FILEDEX_TEST_PERM_ROOT"

func TestWalker_Walk_permissionDenied(t *testing.T) {
	if root := os.Getenv(permRootEnv); root != "" {
		checkPermissionDenied(t, root)
		return
	}
	root := t.TempDir()
	mkfile(t, filepath.Join(root, "closed", "secret"), 1)
	mkfile(t, filepath.Join(root, "noexec", "inside"), 1)
	mkfile(t, filepath.Join(root, "open", "file"), 1)
	for dir, mode := range map[string]os.FileMode{"closed": 0, "noexec": 0o644} {
		d := filepath.Join(root, dir)
		if err := os.Chmod(d, mode); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(d, 0o755) })
	}
	if os.Geteuid() != 0 {
		checkPermissionDenied(t, root)
		return
	}
	// Root bypasses permissions, so a chmod 000 directory stays readable to
	// it; CI runs as root. Re-run this test as an unprivileged user on the
	// same tree instead.
	runAsNobody(t, root)
}

func checkPermissionDenied(t *testing.T, root string) {
	r := run(t, root, walk.Options{}, nil)
	if b := r.batches["closed"]; b == nil || !errors.Is(b.Err, fs.ErrPermission) || len(r.lists["closed"]) != 0 {
		t.Errorf("closed: batch %+v", b)
	}
	// Listing works without search permission but lstat does not: the
	// batch must say it is incomplete.
	if b := r.batches["noexec"]; b == nil || !errors.Is(b.Err, fs.ErrPermission) {
		t.Errorf("noexec: batch %+v", b)
	}
	if _, ok := r.entries["open/file"]; !ok {
		t.Error("walk did not go on after the denied directory")
	}
	if r.stats.Warnings == 0 {
		t.Error("no warnings counted")
	}
}

// runAsNobody re-runs the current test in a copy of the test binary as uid
// and gid 65534, with the tree at root, and fails if that run fails.
func runAsNobody(t *testing.T, root string) {
	const nobody = 65534
	// The unprivileged run must reach the tree and the binary: open up the
	// test's own temporary directories (t.TempDir makes them 0700), and
	// nothing above them: never the shared temporary directory itself.
	tmp := filepath.Clean(os.TempDir())
	for d := root; strings.HasPrefix(d, tmp+string(filepath.Separator)); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	exe, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Skipf("cannot copy the test binary: %v", err)
	}
	bin := filepath.Join(filepath.Dir(root), "walk.test")
	if err := os.WriteFile(bin, exe, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^"+t.Name()+"$", "-test.v")
	cmd.Env = append(os.Environ(), permRootEnv+"="+root)
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := cmd.CombinedOutput()
	switch {
	case bytes.Contains(out, []byte("--- FAIL")):
		t.Fatalf("as uid %d:\n%s", nobody, out)
	case err != nil:
		t.Skipf("cannot run as uid %d: %v\n%s", nobody, err, out)
	case !bytes.Contains(out, []byte("--- PASS")):
		t.Fatalf("as uid %d: no verdict:\n%s", nobody, out)
	}
	t.Logf("ran as uid %d:\n%s", nobody, out)
}
