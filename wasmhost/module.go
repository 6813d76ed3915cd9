package wasmhost

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// embedded is libfiledex.wasm when built with -tags filedex_embed (see
// embed.go), else nil.
//
// Why a build tag: go:embed needs the file at compile time, and the module is
// a build product (`make wasm`), not a committed file — committing a 15 MB
// binary per change would bloat the repository, and a stale one would
// silently test old code. So a plain `go build ./...` or `go test ./...` on
// a fresh clone compiles without it and finds the module at run time, while
// `make build` (after `make wasm`) embeds it into a self-contained filedex.
var embedded []byte

// module returns the Wasm bytes according to Config's documented order.
func (c Config) module() ([]byte, error) {
	if c.Wasm != nil {
		return c.Wasm, nil
	}
	if c.WasmPath != "" {
		b, err := os.ReadFile(c.WasmPath)
		if err != nil {
			return nil, fmt.Errorf("wasmhost: %w", err)
		}
		return b, nil
	}
	if embedded != nil {
		return embedded, nil
	}
	if p := os.Getenv("FILEDEX_WASM"); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("wasmhost: $FILEDEX_WASM: %w", err)
		}
		return b, nil
	}
	if exe, err := os.Executable(); err == nil {
		if b, err := os.ReadFile(filepath.Join(filepath.Dir(exe), "libfiledex.wasm")); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("wasmhost: libfiledex.wasm not found: build it with `make wasm` and set $FILEDEX_WASM, Config.WasmPath, or build with -tags filedex_embed")
}
