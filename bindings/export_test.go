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
