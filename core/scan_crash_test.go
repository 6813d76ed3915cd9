package core_test

import (
	"bufio"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/filedex/filedex/core"
)

// scanChild is the body of the subprocess a crash test kills: it scans FILEDEX_TEST_SCAN
// into the library FILEDEX_TEST_LIB, committing every few rows and printing "commit" after
// each commit so the parent can kill it at a chosen one.
func scanChild() {
	core.SetTestHooks(func() { os.Stdout.WriteString("commit\n") }, 5)
	lib, err := core.Open(os.Getenv("FILEDEX_TEST_LIB"), core.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	if _, err := lib.ScanPath(ctx, os.Getenv("FILEDEX_TEST_SCAN"), core.ModeContent, nil, core.ScanOptions{Workers: 2}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(4)
	}
	lib.Close()
	os.Stdout.WriteString("done\n")
}

// TestScan_CrashResume: a scan SIGKILLed after its n-th commit leaves a database that passes
// SQLite's integrity check, and the next scan finishes with exactly the library a clean scan
// makes: no duplicates, nothing missing, content ids included.
func TestScan_CrashResume(t *testing.T) {
	skipWithoutSubprocesses(t)
	root := makeTree(t)
	for i := range 30 {
		write(t, filepath.Join(root, fmt.Sprintf("more/d%02d/f.txt", i)), []byte(fmt.Sprint("x", i)))
	}
	want := onDisk(t, root, true)
	kills := 0
	defer func() {
		if kills < 5 {
			t.Errorf("only %d of the scans were killed before finishing: the test proves too little", kills)
		}
	}()
	for _, n := range []int{1, 2, 4, 7, 11, 16} {
		t.Run(fmt.Sprintf("kill after commit %d", n), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "lib")
			killed := runAndKill(t, dir, root, n)
			if killed {
				kills++
			}
			lib, err := core.Open(dir, core.Options{})
			if err != nil {
				t.Fatalf("open after kill: %v", err)
			}
			defer lib.Close()
			db, _ := sql.Open("sqlite3", "file:"+filepath.Join(dir, core.DatabaseFile)+"?mode=ro")
			var ok string
			db.QueryRow(`PRAGMA integrity_check`).Scan(&ok)
			var fk, rows int
			db.QueryRow(`SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fk)
			db.QueryRow(`SELECT count(*) FROM entries`).Scan(&rows)
			db.Close()
			if ok != "ok" || fk != 0 {
				t.Fatalf("after kill: integrity %q, %d foreign key violations", ok, fk)
			}
			res, err := lib.ScanPath(ctx, root, core.ModeContent, nil, scanOpts())
			if err != nil {
				t.Fatal(err)
			}
			if killed && (rows <= 1 || rows > len(want)+1) {
				t.Errorf("killed after commit %d with %d rows committed: the kill point is not mid-scan", n, rows)
			}
			if got := indexed(t, lib, res.Location.ID); !equalLines(t, got, want) {
				t.FailNow()
			}
			if active, _, _ := lib.Jobs().List(ctx, core.JobFilter{Active: true}, core.Page{}); len(active) != 0 {
				t.Errorf("%d jobs still active after resume", len(active))
			}
		})
	}
}

// runAndKill starts the scanning child and SIGKILLs it after its n-th commit. It reports
// whether the kill happened before the child finished on its own.
func runAndKill(t *testing.T, lib, tree string, n int) bool {
	t.Helper()
	skipWithoutSubprocesses(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "FILEDEX_TEST_SCAN_CHILD=1", "FILEDEX_TEST_LIB="+lib, "FILEDEX_TEST_SCAN="+tree)
	out, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	commits, killed := 0, false
	for sc.Scan() {
		if sc.Text() == "commit" {
			commits++
			if commits == n {
				cmd.Process.Signal(syscall.SIGKILL)
				killed = true
				break
			}
		}
	}
	cmd.Wait()
	if !killed {
		t.Logf("child finished after %d commits before the kill point (stderr: %s)", commits, stderr.String())
	}
	return killed
}

// TestScan_CrashDuringRescan: the same for a rescan that moves, renames and deletes, so the
// kill can land while rows are displaced; moved entries keep their identity after resume.
func TestScan_CrashDuringRescan(t *testing.T) {
	skipWithoutSubprocesses(t)
	for _, n := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("kill after commit %d", n), func(t *testing.T) {
			root := makeTree(t)
			dir := filepath.Join(t.TempDir(), "lib")
			lib, err := core.Open(dir, core.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := lib.ScanPath(ctx, root, core.ModeContent, nil, scanOpts()); err != nil {
				t.Fatal(err)
			}
			before, _ := lib.Entries().GetByPath(ctx, filepath.Join(root, "a", "b", "c", "d", "e", "deep.txt"))
			lib.Close()
			os.Rename(filepath.Join(root, "a", "b"), filepath.Join(root, "wide", "b-moved"))
			os.Rename(filepath.Join(root, "docs"), filepath.Join(root, "zz-docs"))
			os.RemoveAll(filepath.Join(root, "unicode"))
			for i := range 40 {
				write(t, filepath.Join(root, "new", fmt.Sprintf("n%02d.txt", i)), []byte{byte(i)})
			}
			// Edits to new content: the old content identities lose their only entry.
			for _, name := range []string{"one.bin", "exact100k.bin", "over100k.bin"} {
				write(t, filepath.Join(root, name), []byte("edited "+name))
			}
			runAndKill(t, dir, root, n)
			lib, err = core.Open(dir, core.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer lib.Close()
			// What the kill left must pass Check as it is, before any resume.
			if rep, err := lib.Check(ctx); err != nil || !rep.OK {
				t.Fatalf("check after the kill: %v %+v", err, rep.Problems)
			}
			res, err := lib.ScanPath(ctx, root, core.ModeContent, nil, scanOpts())
			if err != nil {
				t.Fatal(err)
			}
			if got, want := indexed(t, lib, res.Location.ID), onDisk(t, root, true); !equalLines(t, got, want) {
				t.FailNow()
			}
			after, err := lib.Entries().GetByPath(ctx, filepath.Join(root, "wide", "b-moved", "c", "d", "e", "deep.txt"))
			if err != nil || after.UUID != before.UUID {
				t.Errorf("moved file lost its identity across the crash: %v %v/%v", err, after.UUID, before.UUID)
			}
		})
	}
}
