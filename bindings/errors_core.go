package bindings

// sentinelCode maps the core's sentinel errors to wire codes. Until the core
// exports its sentinels every application error travels through [Coded].
func sentinelCode(err error) (int, bool) { return 0, false }
