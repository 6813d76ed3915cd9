package core_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/filedex/filedex/core"
)

// The indexer's own crash tests (scan_crash_test.go) check SQLite's integrity after each
// kill; these add filedex's invariants (Check), backup and restore in the middle of a scan,
// and a disk that fills up mid-scan. Each ends with a resumed scan equal to a clean one.
// They open libraries with the zero Options, like the scanning child process, so the device
// (and so the location) is the same in both processes.

func bigTree(t *testing.T) (string, []string) {
	t.Helper()
	root := makeTree(t)
	for i := range 30 {
		write(t, filepath.Join(root, fmt.Sprintf("more/d%02d/f.txt", i)), []byte(fmt.Sprint("x", i)))
	}
	return root, onDisk(t, root, true)
}

func openChecked(t *testing.T, dir string, opts core.Options) *core.Library {
	t.Helper()
	lib, err := core.Open(dir, opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { lib.Close() })
	mustCheck(t, lib)
	return lib
}

// resumeEqualsClean finishes the location's scan and requires the index to equal the tree
// and Check to pass.
func resumeEqualsClean(t *testing.T, lib *core.Library, root string, want []string) {
	t.Helper()
	res, err := lib.ScanPath(ctx, root, core.ModeContent, nil, scanOpts())
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if got := indexed(t, lib, res.Location.ID); !equalLines(t, got, want) {
		t.FailNow()
	}
	mustCheck(t, lib)
}

// TestCrash_ScanThenCheck: a scanning process SIGKILLed after its n-th commit, at five
// points, leaves a library that passes Check (every invariant, not only SQLite's), and the
// resumed scan equals a clean one.
func TestCrash_ScanThenCheck(t *testing.T) {
	root, want := bigTree(t)
	kills := 0
	for _, n := range []int{1, 3, 5, 8, 12} {
		dir := filepath.Join(t.TempDir(), "lib")
		if runAndKill(t, dir, root, n) {
			kills++
		}
		lib := openChecked(t, dir, core.Options{})
		resumeEqualsClean(t, lib, root, want)
		lib.Close()
	}
	if kills < 5 {
		t.Fatalf("only %d of 5 scans were killed mid-scan: the test proves too little", kills)
	}
}

// TestScan_BackupDuringScan: a backup taken while a scan commits (the scan is held after its
// third commit until the backup holds its snapshot, then runs on while the copy proceeds)
// restores to a library that passes Check and shows the location mid-scan; scanning the
// restored library finishes with exactly the clean index.
func TestScan_BackupDuringScan(t *testing.T) {
	skipWithoutThreads(t)
	root, want := bigTree(t)
	dir := filepath.Join(t.TempDir(), "lib")
	lib, err := core.Open(dir, core.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	held, release := make(chan struct{}), make(chan struct{})
	commits := 0
	core.SetTestHooks(func() {
		commits++
		if commits == 3 {
			close(held)
			<-release
		}
	}, 5)
	defer core.ResetTestHooks()
	scanned := make(chan error, 1)
	go func() {
		_, err := lib.ScanPath(ctx, root, core.ModeContent, nil, scanOpts())
		scanned <- err
	}()
	select {
	case <-held:
	case err := <-scanned:
		t.Fatalf("scan ended before its third commit: %v", err)
	}
	released := false
	b, err := lib.Backup(ctx, core.BackupOptions{Progress: func(done, total int) {
		if !released { // inside the snapshot: the scan commits while the copy goes on
			released = true
			close(release)
		}
	}})
	if !released {
		close(release)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := <-scanned; err != nil {
		t.Fatal(err)
	}
	core.ResetTestHooks()

	dir2 := filepath.Join(t.TempDir(), "restored")
	if _, err := core.Restore(ctx, dir2, b.Path, core.Options{}, core.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	lib2 := openChecked(t, dir2, core.Options{})
	locs, _, err := lib2.Locations().List(ctx, core.LocationFilter{}, core.Page{})
	if err != nil || len(locs) != 1 || locs[0].ScanState == core.ScanComplete {
		t.Fatalf("restored mid-scan backup: %+v %v", locs, err)
	}
	resumeEqualsClean(t, lib2, root, want)
}

// TestScan_DiskFull: the disk fills up after the scan's third commit: the scan fails with
// ErrFull (code disk_full), the library passes Check, and once there is space again the
// resumed scan equals a clean one.
func TestScan_DiskFull(t *testing.T) {
	skipWithoutThreads(t)
	root, want := bigTree(t)
	dir := filepath.Join(t.TempDir(), "lib")
	opts := core.WithVFS(core.Options{}, fullVFSName)
	lib, err := core.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	defer diskFull.budget.Store(-1)
	commits := 0
	core.SetTestHooks(func() {
		if commits++; commits == 3 {
			diskFull.budget.Store(0)
		}
	}, 5)
	defer core.ResetTestHooks()
	done := make(chan error, 1)
	go func() {
		_, err := lib.ScanPath(ctx, root, core.ModeContent, nil, scanOpts())
		done <- err
	}()
	select {
	case err = <-done:
	case <-time.After(60 * time.Second): // a hang guard, not a speed limit
		t.Fatal("scan on a full disk neither failed nor finished")
	}
	diskFull.budget.Store(-1)
	core.ResetTestHooks()
	if !errors.Is(err, core.ErrFull) || core.CodeOf(err) != core.CodeDiskFull {
		t.Fatalf("scan on a full disk: %v (code %s)", err, core.CodeOf(err))
	}
	mustCheck(t, lib)
	resumeEqualsClean(t, lib, root, want)
}
