//go:build !wasip1

package bindings

// sandboxRoots returns nil: a native engine reaches whatever the process may.
// Confinement there is the operating system's job (permissions, containers).
func sandboxRoots() []string { return nil }
