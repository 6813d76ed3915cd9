package walk

// SetListedHook exposes testHookListed to the external tests.
func SetListedHook(f func(absDir string)) { testHookListed = f }
