//go:build unix

// (unix: re-running as another uid needs syscall.Credential, which wasip1 lacks; make test-wasi.)

package core_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/filedex/filedex/core"
)

// TestScan_PermissionDenied: an unreadable directory and an unreadable file become warnings on
// the job; everything else is indexed. Root ignores permissions, so when the tests run as
// root the scan runs in a child process as user nobody (65534).
func TestScan_PermissionDenied(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "wasip1" {
		t.Skip("POSIX permissions needed")
	}
	base := t.TempDir()
	os.Chmod(base, 0o755)
	os.Chmod(filepath.Dir(base), 0o755)
	root := filepath.Join(base, "tree")
	write(t, filepath.Join(root, "ok.txt"), []byte("readable"))
	write(t, filepath.Join(root, "secret", "hidden.txt"), []byte("x"))
	write(t, filepath.Join(root, "locked.txt"), []byte("cannot read me"))
	os.Chmod(root, 0o755)
	os.Chmod(filepath.Join(root, "secret"), 0o000)
	os.Chmod(filepath.Join(root, "locked.txt"), 0o000)
	t.Cleanup(func() { os.Chmod(filepath.Join(root, "secret"), 0o755) })
	libDir := filepath.Join(base, "lib")
	os.Mkdir(libDir, 0o777)
	os.Chmod(libDir, 0o777)

	if os.Geteuid() == 0 {
		// A copy of the test binary that user nobody may execute.
		bin := filepath.Join(base, "child.test")
		copyFile(t, os.Args[0], bin)
		cmd := exec.Command(bin, "-test.run=^$")
		cmd.Env = append(os.Environ(), "FILEDEX_TEST_SCAN_CHILD=1", "FILEDEX_TEST_LIB="+libDir, "FILEDEX_TEST_SCAN="+root, "HOME="+base)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "done") {
			t.Fatalf("scan as nobody: %v\n%s", err, out)
		}
	} else {
		lib, err := core.Open(libDir, core.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := lib.ScanPath(ctx, root, core.ModeContent, nil, scanOpts()); err != nil {
			t.Fatal(err)
		}
		lib.Close()
	}
	lib, err := core.Open(libDir, core.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	jobs, _, err := lib.Jobs().List(ctx, core.JobFilter{Kind: core.JobKindScan}, core.Page{})
	if err != nil || len(jobs) != 1 || jobs[0].Status != core.JobCompleted {
		t.Fatalf("job: %+v %v", jobs, err)
	}
	w := strings.Join(jobs[0].Warnings, "\n")
	if !strings.Contains(w, "secret") || !strings.Contains(w, "locked.txt") {
		t.Errorf("warnings do not name the unreadable directory and file:\n%s", w)
	}
	ok, err := lib.Entries().GetByPath(ctx, filepath.Join(root, "ok.txt"))
	if err != nil || ok.Content == nil {
		t.Errorf("readable file: %+v %v", ok, err)
	}
	locked, err := lib.Entries().GetByPath(ctx, filepath.Join(root, "locked.txt"))
	if err != nil || locked.Content != nil {
		t.Errorf("unreadable file is indexed without content: %+v %v", locked, err)
	}
	if _, err := lib.Entries().GetByPath(ctx, filepath.Join(root, "secret")); err != nil {
		t.Errorf("unreadable directory itself is indexed: %v", err)
	}
}
