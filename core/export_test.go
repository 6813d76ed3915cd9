package core

// SetTestHooks lets external tests observe commits and make transactions small, so a crash
// test can kill a scanning process between any two commits.
func SetTestHooks(onCommit func(), maxChanges int) {
	testHookCommit = onCommit
	if maxChanges > 0 {
		txMaxChangesVar = maxChanges
	}
}
