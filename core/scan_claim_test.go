package core_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/filedex/filedex/core"
)

// TestScan_OneScanPerLocation: while a scan of a location runs (here: inside its progress
// callback, so it is mid-scan whatever the machine's speed), a scan of the same location
// from another Library value on the same directory, as another process would open it, is
// refused with ErrConflict naming the running job, and so is resuming that job; the running
// scan finishes unharmed. Another location can still be claimed meanwhile. Two scans once
// both died with "UNIQUE constraint failed: entries.parent_id, entries.name".
func TestScan_OneScanPerLocation(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "lib")
	a, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	mk := func() string {
		root := t.TempDir()
		for i := range 40 {
			d := filepath.Join(root, fmt.Sprint("d", i%5))
			os.MkdirAll(d, 0o755)
			if err := os.WriteFile(filepath.Join(d, fmt.Sprint("f", i)), []byte(strings.Repeat("x", i+1)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return root
	}
	loc, err := a.Locations().Create(ctx, core.LocationInput{Path: mk()})
	if err != nil {
		t.Fatal(err)
	}
	other, err := a.Locations().Create(ctx, core.LocationInput{Path: mk()})
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	var second, resume, otherClaim error
	var jobID int64
	progress := func(p core.ScanProgress) {
		once.Do(func() {
			jobID = p.JobID
			_, second = b.Scan(ctx, loc.ID, core.ScanOptions{})
			_, resume = b.RunScanJob(ctx, p.JobID, core.ScanOptions{})
			var release func()
			if release, otherClaim = core.ClaimLocationScan(b, other); otherClaim == nil {
				release()
			}
		})
	}
	res, err := a.Scan(ctx, loc.ID, core.ScanOptions{Progress: progress})
	if err != nil {
		t.Fatalf("the running scan failed: %v", err)
	}
	if !res.Done || res.Progress.Added == 0 {
		t.Fatalf("the running scan added nothing: %+v", res)
	}
	want := fmt.Sprintf("a scan of %s is already running as job %d", loc.Path, jobID)
	for what, err := range map[string]error{"second scan": second, "resume": resume} {
		if !errors.Is(err, core.ErrConflict) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s of a location being scanned: %v; want ErrConflict with %q", what, err, want)
		}
	}
	if otherClaim != nil {
		t.Errorf("another location could not be claimed during the scan: %v", otherClaim)
	}
	// The claim went with the scan: the same location scans again, from either handle.
	if _, err := b.Scan(ctx, loc.ID, core.ScanOptions{}); err != nil {
		t.Fatalf("rescan after the first finished: %v", err)
	}
	if _, err := b.Scan(ctx, other.ID, core.ScanOptions{}); err != nil {
		t.Fatal(err)
	}
	rep, err := a.Check(ctx)
	if err != nil || !rep.OK {
		t.Fatalf("check: %+v %v", rep, err)
	}
}
