package core

// SetSyncApplyHook makes every SyncApply run fn after writing its rows and before storing
// its cursors (nil: no hook), for the crash tests.
func SetSyncApplyHook(fn func() error) { syncApplyHook = fn }

// SetSyncBulk turns SyncApply's bulk path on (the default) or off (every entry through the
// triggers), so tests can compare the two.
func SetSyncBulk(on bool) { syncBulkOff = !on }
