package bindings_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/filedex/filedex/bindings"
)

func TestServe(t *testing.T) {
	n := openNative(t)
	in := strings.Join([]string{
		`{"jsonrpc":"2.0","id":1,"method":"debug.echo","params":{"value":"a"}}`,
		``,
		`{"jsonrpc":"2.0","method":"debug.echo"}`, // notification: no line
		`{"jsonrpc":"2.0","id":2,"method":"debug.echo","params":{"text":"` + strings.Repeat("x", bindings.MaxRequestBytes) + `"}}`,
		`{bad`,
		`{"jsonrpc":"2.0","id":3,"method":"debug.echo","params":{"value":"last, no newline"}}`,
	}, "\n")
	var out bytes.Buffer
	if err := bindings.Serve(context.Background(), n, strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	want := `{"jsonrpc":"2.0","id":1,"result":{"value":"a"}}
{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"request too large (limit 1048576 bytes)"}}
{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error at offset 2: invalid character 'b' looking for beginning of object key string"}}
{"jsonrpc":"2.0","id":3,"result":{"value":"last, no newline"}}
`
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}
}
