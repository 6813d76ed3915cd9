package bindings

import (
	"io"
	"testing"
)

// SetDebugOutput redirects panic stacks for the duration of a test.
func SetDebugOutput(t *testing.T, w io.Writer) {
	old := debugOut
	debugOut = w
	t.Cleanup(func() { debugOut = old })
}

// SandboxPath runs Session.Path for a session confined to roots, without
// opening a library.
func SandboxPath(roots []string, p string) (string, error) {
	return sandboxSession(roots).Path(p)
}

// SandboxEntryPath is SandboxPath for Session.EntryPath.
func SandboxEntryPath(roots []string, p string) (string, error) {
	return sandboxSession(roots).EntryPath(p)
}

func sandboxSession(roots []string) *Session {
	s := &Session{roots: sandboxRoots()}
	for _, r := range roots {
		s.allowed = append(s.allowed, resolve(r, s.roots))
	}
	return s
}
