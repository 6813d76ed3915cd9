package core

// SetSyncApplyHook makes every SyncApply run fn after writing its rows and before storing
// its cursors (nil: no hook), for the crash tests.
func SetSyncApplyHook(fn func() error) { syncApplyHook = fn }
