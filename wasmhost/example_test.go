package wasmhost_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/wasmhost"
)

// Example opens a library inside the WASI build. It needs build/libfiledex.wasm
// (make wasm), so it has no Output line and is compiled, not run, by go test.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "filedex-example")
	defer os.RemoveAll(dir)
	e, err := wasmhost.Open(ctx, wasmhost.Config{
		WasmPath: "build/libfiledex.wasm",
		Mounts:   []wasmhost.Mount{{HostPath: dir}},
	}, bindings.OpenOptions{Library: filepath.Join(dir, "lib")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()
	fmt.Println(string(e.Call(ctx, []byte(`{"jsonrpc":"2.0","id":1,"method":"library.info"}`))))
}
