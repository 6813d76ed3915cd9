package bindings_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/filedex/filedex/bindings"
)

func ExampleOpenNative() {
	dir, _ := os.MkdirTemp("", "filedex-example")
	defer os.RemoveAll(dir)
	e, err := bindings.OpenNative(bindings.OpenOptions{Library: filepath.Join(dir, "lib")})
	if err != nil {
		panic(err)
	}
	defer e.Close()
	resp := e.Call(context.Background(), []byte(`{"jsonrpc":"2.0","id":1,"method":"debug.echo","params":{"text":"hi"}}`))
	fmt.Println(string(resp))
	resp = e.Call(context.Background(), []byte(`{"jsonrpc":"2.0","id":2,"method":"debug.echo","params":{"txt":"hi"}}`))
	fmt.Println(string(resp))
	// Output:
	// {"jsonrpc":"2.0","id":1,"result":{"value":null,"text":"hi"}}
	// {"jsonrpc":"2.0","id":2,"error":{"code":-32602,"message":"invalid params: txt: unknown field","data":{"field":"txt"}}}
}

func ExampleServe() {
	dir, _ := os.MkdirTemp("", "filedex-example")
	defer os.RemoveAll(dir)
	e, err := bindings.OpenNative(bindings.OpenOptions{Library: filepath.Join(dir, "lib")})
	if err != nil {
		panic(err)
	}
	defer e.Close()
	in := strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"debug.echo","params":{"count":1}}
{"jsonrpc":"2.0","id":2,"method":"no.such"}
`)
	if err := bindings.Serve(context.Background(), e, in, os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// {"jsonrpc":"2.0","id":1,"result":{"value":null,"count":1}}
	// {"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"method not found: \"no.such\""}}
}
