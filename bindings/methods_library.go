package bindings

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/filedex/filedex/core"
)

func init() {
	register("library.info", libraryInfo)
	register("debug.echo", debugEcho)
	register("debug.panic", debugPanic)
}

// LibraryInfo is the result of library.info: the core's description of the
// library plus the versions serving it.
type LibraryInfo struct {
	core.LibraryInfo
	// Version is the filedex version serving the call.
	Version string `json:"version"`
	// SQLiteVersion is the SQLite library's version.
	SQLiteVersion string `json:"sqlite_version"`
}

func libraryInfo(ctx context.Context, s *Session, _ NoParams) (LibraryInfo, error) {
	info, err := s.lib.Info(ctx)
	if err != nil {
		return LibraryInfo{}, err
	}
	return LibraryInfo{LibraryInfo: info, Version: Version, SQLiteVersion: core.SQLiteVersion()}, nil
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
