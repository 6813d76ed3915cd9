package bindings

import (
	"io"
	"os"
)

// Version is the filedex version the bindings report (fdx_version, library.info).
const Version = "0.1.0-dev"

// debugOut receives the stacks of recovered panics: stderr when the
// environment sets FILEDEX_DEBUG, otherwise nowhere.
var debugOut io.Writer = func() io.Writer {
	if os.Getenv("FILEDEX_DEBUG") != "" {
		return os.Stderr
	}
	return nil
}()
