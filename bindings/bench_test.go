package bindings_test

import (
	"context"
	"testing"
)

// BenchmarkNative_Call is the dispatch cost alone (no transport). Under
// `make test-wasi`-style runs it also shows the guest's own speed.
func BenchmarkNative_Call(b *testing.B) {
	n := openNative(b)
	ctx := context.Background()
	for _, c := range []struct{ name, req string }{
		{"echo", `{"jsonrpc":"2.0","id":1,"method":"debug.echo","params":{"count":1}}`},
		{"library.info", `{"jsonrpc":"2.0","id":1,"method":"library.info"}`},
		{"parse_error", `x`},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := []byte(c.req)
			for b.Loop() {
				n.Call(ctx, req)
			}
		})
	}
}
