package core

import (
	"context"

	"github.com/filedex/filedex/core/internal/walk"
)

// SetTestHooks lets external tests observe commits and make transactions small, so a crash
// test can kill a scanning process between any two commits.
func SetTestHooks(onCommit func(), maxChanges int) {
	testHookCommit = onCommit
	if maxChanges > 0 {
		txMaxChangesVar = maxChanges
	}
}

// SetLargestWalkFrom sets the subtree size from which Usage.Largest walks entries_large,
// and returns a function restoring it.
func SetLargestWalkFrom(n int64) func() {
	old := largestWalkFrom
	largestWalkFrom = n
	return func() { largestWalkFrom = old }
}

// BulkCatchUp returns the statements that end a bulk insert (migration 0004), each with ?1
// the bulk insert's first entry id.
func BulkCatchUp() []string { return bulkCatchUp }

// CountChildReads counts the scanner's children queries (a directory diffed row by row)
// until the returned function is called; it returns the count.
func CountChildReads() func() int {
	n := 0
	testHookChildren = func() { n++ }
	return func() int { testHookChildren = nil; return n }
}

// ClaimLocationScan takes the claim a scan of loc holds while it runs.
func ClaimLocationScan(l *Library, loc Location) (release func(), err error) {
	return l.claimLocationScan(context.Background(), "test", loc)
}

// CountScanStarts counts scanners started (walks begun from a checkpoint or from scratch)
// until the returned function is called; it returns the count.
func CountScanStarts() func() int {
	n := 0
	testHookScanStart = func() { n++ }
	return func() int { testHookScanStart = nil; return n }
}

// HideLinkCounts makes the scanner see entries as a walker that cannot observe link counts
// reports them (Nlink 0), until the returned function is called.
func HideLinkCounts() func() {
	testHookEntry = func(e *walk.Entry) { e.Nlink = 0 }
	return func() { testHookEntry = nil }
}
