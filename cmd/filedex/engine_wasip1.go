//go:build wasip1

package main

import (
	"context"
	"errors"

	"github.com/filedex/filedex/bindings"
)

// openWASI is unavailable when filedex itself runs as a WASI command: the
// native engine already is the WASI build there, and hosting a second Wasm
// runtime inside the first would only be slower.
func openWASI(ctx context.Context, mounts []string, opts bindings.OpenOptions) (bindings.Engine, error) {
	return nil, errors.New("--engine wasi is not available in filedex.wasm (it already runs under WASI): use the default engine")
}
