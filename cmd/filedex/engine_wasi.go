//go:build !wasip1

package main

import (
	"context"
	"os"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/wasmhost"
)

// openWASI runs the library inside the WASI build of filedex (wasmhost),
// with only mounts visible to it. Each mount appears at its host path, so
// paths in responses are the same as the native engine's.
func openWASI(ctx context.Context, mounts []string, opts bindings.OpenOptions) (bindings.Engine, error) {
	// FILEDEX_WAZERO_CACHE overrides where compiled code is cached (default:
	// the user cache directory); tests share the repository's build cache
	// with wasmhost's tests, so the module is compiled once per checkout.
	//
	// Uncancellable: the CLI never cancels a call's context (Ctrl-C sets a
	// flag the scan loop polls between slices; a second Ctrl-C ends the
	// process), so it need not pay for wazero's termination checks, which
	// halve the guest's speed (wasmhost.Config.Uncancellable).
	cfg := wasmhost.Config{CacheDir: os.Getenv("FILEDEX_WAZERO_CACHE"), Uncancellable: true}
	for _, m := range mounts {
		cfg.Mounts = append(cfg.Mounts, wasmhost.Mount{HostPath: m})
	}
	return wasmhost.Open(ctx, cfg, opts)
}
