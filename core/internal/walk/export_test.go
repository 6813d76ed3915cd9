package walk

// SetListedHook exposes testHookListed to the external tests.
func SetListedHook(f func(absDir string)) { testHookListed = f }

// SetReadHook exposes testHookRead to the external tests.
func SetReadHook(f func(rel string)) { testHookRead = f }
