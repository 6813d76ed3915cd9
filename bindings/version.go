package bindings

import (
	"io"
	"os"
)

// Version is the filedex version the bindings report (fdx_version, library.info).
const Version = "0.1.0-dev"

// debugOut receives panic stacks. Tests swap it to keep their output clean.
var debugOut io.Writer = os.Stderr
