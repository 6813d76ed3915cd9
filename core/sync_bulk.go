package core

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Applying other devices' listings in bulk (migration 0004's contract, as the first scan does
// in core/scan_bulk.go). Profiled on BenchmarkSync_Ship (a first scan of /usr/share/doc shipped
// from A to B): most of the apply's CPU went into the per-row triggers (FTS5 inserts, one
// dir_stats and one content_identity update per entry), as in a first scan before 0004.
//
// While a device's listings are applied, bulk_insert holds lo = one more than the largest id
// of that device's entries present at that point (the device's range is [dev<<40, (dev+1)<<40),
// migration 0010), so every entry of the range from lo on is new in this transaction: the
// contract of 0004. A first sync of a device, or the new files of a rescan (their ids grow
// on their device), go in without triggers; the entries below lo, which were there before,
// keep their triggers. The triggers also skip every entry at or above lo of devices after
// this one, so the bulk insert ends (syncEndBulk) before a message of another device is
// applied: a device's listing touches only its own entries (its locations, its id range).
type syncBulk struct {
	dev, lo, hi int64 // lo == 0: no bulk insert open
}

// syncBulkCatchUp is the first scan's catch-up with its upper bound moved from the end of the
// local range to the end of the device's range (?2).
var syncBulkCatchUp = func() []string {
	out := make([]string, len(bulkCatchUp))
	for i, q := range bulkCatchUp {
		out[i] = strings.ReplaceAll(q, "AND 1099511627775", "AND ?2")
	}
	return out
}()

// syncBulkOff turns the bulk path off (tests compare it with the triggers).
var syncBulkOff bool

// syncBeginBulk opens a bulk insert for device dev's entries, ending any open for another.
func (l *Library) syncBeginBulk(ctx context.Context, tx *sql.Tx, b *syncBulk, dev int64) error {
	if syncBulkOff || (b.lo != 0 && b.dev == dev) {
		return nil
	}
	if err := l.syncEndBulk(ctx, tx, b); err != nil {
		return err
	}
	lo, hi := remoteEntryID(dev, 0), remoteEntryID(dev+1, 0)-1
	if err := l.txQueryRow(ctx, tx, `SELECT coalesce(max(id) + 1, ?1) FROM entries WHERE id BETWEEN ?1 AND ?2`, lo, hi).Scan(&lo); err != nil {
		return err
	}
	if _, err := l.txExec(ctx, tx, `INSERT INTO bulk_insert (lo) VALUES (?)`, lo); err != nil {
		return fmt.Errorf("bulk insert: %w", err)
	}
	*b = syncBulk{dev: dev, lo: lo, hi: hi}
	return nil
}

// syncEndBulk does the triggers' work for the open bulk insert's entries, if any.
func (l *Library) syncEndBulk(ctx context.Context, tx *sql.Tx, b *syncBulk) error {
	if b.lo == 0 {
		return nil
	}
	for _, q := range syncBulkCatchUp {
		var args []any
		if strings.Contains(q, "?1") {
			args = []any{b.lo, b.hi}
		}
		if _, err := l.txExec(ctx, tx, q, args...); err != nil {
			return fmt.Errorf("bulk insert catch-up: %w", err)
		}
	}
	*b = syncBulk{}
	return nil
}
