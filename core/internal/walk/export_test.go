package walk

// SetListedHook exposes testHookListed to the external tests.
func SetListedHook(f func(absDir string)) { testHookListed = f }

// SetReadHook exposes testHookRead to the external tests.
func SetReadHook(f func(rel string)) { testHookRead = f }

// SetReadAhead sets the window (jobs) and the cap on bytes read ahead, so tests can
// reach the limits with small trees.
func (w *Walker) SetReadAhead(window int, maxHeld int64) { w.window, w.maxHeld = window, maxHeld }
