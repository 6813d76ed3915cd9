package conformance_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/wasmhost"
)

// trivialCall does no library work: it measures the transport and the
// dispatch (envelope, strict params decoding, result encoding), not SQLite.
const trivialCall = `{"jsonrpc":"2.0","id":1,"method":"debug.echo","params":{"count":1}}`

// BenchmarkCall measures the round trip of a trivial call through each
// transport: request in, dispatch, response out, response freed. The goals
// (reported, not asserted) are ≤ 20 µs through the C ABI and ≤ 100 µs through
// wazero. Run with `make bench-bindings`.
func BenchmarkCall(b *testing.B) {
	lib := filepath.Join(b.TempDir(), "lib")
	if err := os.MkdirAll(lib, 0o755); err != nil {
		b.Fatal(err)
	}
	opts := bindings.OpenOptions{Library: lib}
	b.Run("native", func(b *testing.B) {
		n, err := bindings.OpenNative(opts)
		if err != nil {
			b.Fatal(err)
		}
		defer n.Close()
		benchEngine(b, n)
	})
	b.Run("capi", func(b *testing.B) {
		// A Go program cannot load a second Go runtime (libfiledex.so), so the
		// loop runs in the C client, which times it and prints ns per call.
		bin := artifact("filedex_rpc")
		if _, err := os.Stat(bin); err != nil {
			b.Skip("build/filedex_rpc missing: make capi")
		}
		out, err := exec.Command(bin, "--bench", strconv.Itoa(b.N), fmt.Sprintf(`{"library":%q}`, lib)).Output()
		if err != nil {
			b.Fatal(err)
		}
		ns, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(ns, "ns/call")
	})
	for _, v := range []struct {
		name          string
		uncancellable bool
	}{{"wazero", false}, {"wazero-uncancellable", true}} {
		b.Run(v.name, func(b *testing.B) { benchWazero(b, v.uncancellable) })
	}
}

// benchWazero is BenchmarkCall's wazero leg; uncancellable compiles the guest
// without wazero's termination checks (wasmhost.Config.Uncancellable).
func benchWazero(b *testing.B, uncancellable bool) {
	wasm := artifact("libfiledex.wasm")
	if _, err := os.Stat(wasm); err != nil {
		b.Skip("build/libfiledex.wasm missing: make wasm")
	}
	// A library of its own: the native run above locked its library with
	// shared memory, which the WASI build's dot-lock VFS does not see.
	wlib := filepath.Join(b.TempDir(), "lib")
	os.MkdirAll(wlib, 0o755)
	e, err := wasmhost.Open(context.Background(), wasmhost.Config{
		WasmPath: wasm, CacheDir: artifact("wazero-cache"),
		Mounts:        []wasmhost.Mount{{HostPath: wlib}},
		Uncancellable: uncancellable,
	}, bindings.OpenOptions{Library: wlib})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	benchEngine(b, e)
}

func benchEngine(b *testing.B, e bindings.Engine) {
	ctx := context.Background()
	req := []byte(trivialCall)
	if r := string(e.Call(ctx, req)); !strings.Contains(r, `"result"`) {
		b.Fatal(r)
	}
	b.ResetTimer()
	for range b.N {
		e.Call(ctx, req)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/call")
}

// BenchmarkWasmStart measures a warm start of the wazero engine (compiled
// code loaded from the compilation cache): "instantiate" is the module ready
// to serve (goal ≤ 200 ms); "open" adds opening an existing library in it.
func BenchmarkWasmStart(b *testing.B) {
	wasm := artifact("libfiledex.wasm")
	if _, err := os.Stat(wasm); err != nil {
		b.Skip("build/libfiledex.wasm missing: make wasm")
	}
	lib := filepath.Join(b.TempDir(), "lib")
	os.MkdirAll(lib, 0o755)
	ctx := context.Background()
	cfg := wasmhost.Config{WasmPath: wasm, CacheDir: artifact("wazero-cache"), Mounts: []wasmhost.Mount{{HostPath: lib}}}
	warm, err := wasmhost.Open(ctx, cfg, bindings.OpenOptions{Library: lib}) // fills the cache, creates the library
	if err != nil {
		b.Fatal(err)
	}
	warm.Close()
	b.Run("instantiate", func(b *testing.B) {
		for range b.N {
			r, err := wasmhost.New(ctx, cfg)
			if err != nil {
				b.Fatal(err)
			}
			r.Close(ctx)
		}
	})
	b.Run("open", func(b *testing.B) {
		for range b.N {
			e, err := wasmhost.Open(ctx, cfg, bindings.OpenOptions{Library: lib})
			if err != nil {
				b.Fatal(err)
			}
			e.Close()
		}
	})
}
