package bindings

import (
	"context"
	"encoding/json"
	"fmt"
)

func init() {
	register("library.info", libraryInfo)
	register("debug.echo", debugEcho)
	register("debug.panic", debugPanic)
}

// LibraryInfo is the result of library.info.
type LibraryInfo struct {
	// Path is the library directory, absolute.
	Path string `json:"path"`
	// ReadOnly tells whether writes are refused.
	ReadOnly bool `json:"read_only"`
	// Version is the filedex version serving the call.
	Version string `json:"version"`
}

func libraryInfo(ctx context.Context, s *Session, _ NoParams) (LibraryInfo, error) {
	return LibraryInfo{Path: s.opts.Library, ReadOnly: s.opts.ReadOnly, Version: Version}, nil
}

// EchoParams are the params of debug.echo.
type EchoParams struct {
	// Value is returned as it was sent (re-encoded compactly).
	Value json.RawMessage `json:"value"`
	// Text is returned as it was sent; it exercises string escaping.
	Text string `json:"text,omitempty"`
	// Count exercises integer decoding.
	Count int64 `json:"count,omitempty"`
}

// debugEcho returns its params: binding authors use it to test a transport's
// framing and encoding without touching a library.
func debugEcho(ctx context.Context, s *Session, p EchoParams) (EchoParams, error) {
	return p, nil
}

// PanicParams are the params of debug.panic.
type PanicParams struct {
	Message string `json:"message"`
}

// debugPanic panics on purpose: the conformance suite proves that a panic in a
// handler becomes a CodeInternal response on every transport instead of
// killing the host (the C ABI's and the WASI guest's callers in particular).
func debugPanic(ctx context.Context, s *Session, p PanicParams) (struct{}, error) {
	panic(fmt.Sprintf("debug.panic: %s", p.Message))
}
