package core

import (
	"context"
	"database/sql"
)

// WithVFS returns o with every SQLite file opened through the named VFS: tests inject faults
// (a disk that fills up) without touching the real file system.
func WithVFS(o Options, name string) Options {
	o.vfs = name
	return o
}

// UpdateForTest runs fn in one write transaction of the library, for tests that write in
// batches the public API does not offer.
func (l *Library) UpdateForTest(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return l.update(ctx, "test", fn)
}

// ResetTestHooks undoes SetTestHooks, so a test that shrinks the indexer's transactions does
// not slow down the tests after it.
func ResetTestHooks() {
	testHookCommit = nil
	txMaxChangesVar = txMaxChanges
}
