package bindings_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/filedex/filedex/bindings"
)

func openNative(t testing.TB) *bindings.Native {
	t.Helper()
	n, err := bindings.OpenNative(bindings.OpenOptions{Library: filepath.Join(t.TempDir(), "lib")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func TestNative_Call(t *testing.T) {
	n := openNative(t)
	cases := []struct{ name, req, want string }{
		{"echo", `{"jsonrpc":"2.0","id":1,"method":"debug.echo","params":{"value":{"b":[1, 2],"a":"<&>"},"text":"é\u0000","count":3}}`,
			`{"jsonrpc":"2.0","id":1,"result":{"value":{"b":[1,2],"a":"<&>"},"text":"é\u0000","count":3}}`},
		{"string id echoed compactly", `{"jsonrpc":"2.0","id":"x y","method":"debug.echo","params":{"value":null}}`,
			`{"jsonrpc":"2.0","id":"x y","result":{"value":null}}`},
		{"null id", `{"jsonrpc":"2.0","id":null,"method":"debug.echo","params":{"value":1}}`,
			`{"jsonrpc":"2.0","id":null,"result":{"value":1}}`},
		{"no params", `{"jsonrpc":"2.0","id":2,"method":"debug.echo"}`,
			`{"jsonrpc":"2.0","id":2,"result":{"value":null}}`},
		{"parse error", `{"jsonrpc":"2.0",`,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error at offset 17: unexpected end of JSON input"}}`},
		{"batch", `[{"jsonrpc":"2.0","id":1,"method":"library.info"}]`,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: batch requests are not supported"}}`},
		{"not object", `42`,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: not a JSON object"}}`},
		{"wrong version", `{"jsonrpc":"1.0","id":3,"method":"library.info"}`,
			`{"jsonrpc":"2.0","id":3,"error":{"code":-32600,"message":"invalid request: \"jsonrpc\" must be \"2.0\""}}`},
		{"unknown envelope member", `{"jsonrpc":"2.0","id":3,"method":"library.info","extra":1}`,
			`{"jsonrpc":"2.0","id":3,"error":{"code":-32600,"message":"invalid request: unknown member \"extra\""}}`},
		{"case-variant id is not the id", `{"jsonrpc":"2.0","ID":3,"method":"library.info"}`,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: unknown member \"ID\""}}`},
		{"case-variant envelope member", `{"jsonrpc":"2.0","id":3,"Method":"library.info"}`,
			`{"jsonrpc":"2.0","id":3,"error":{"code":-32600,"message":"invalid request: unknown member \"Method\""}}`},
		{"duplicate member", `{"jsonrpc":"2.0","id":3,"id":4,"method":"library.info"}`,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: duplicate member \"id\""}}`},
		{"bad id type", `{"jsonrpc":"2.0","id":[1],"method":"library.info"}`,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: id must be a string, a number or null"}}`},
		{"method type", `{"jsonrpc":"2.0","id":5,"method":7}`,
			`{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"invalid request: member \"method\": expected string, got number"}}`},
		{"unknown method", `{"jsonrpc":"2.0","id":6,"method":"nope"}`,
			`{"jsonrpc":"2.0","id":6,"error":{"code":-32601,"message":"method not found: \"nope\""}}`},
		{"unknown param", `{"jsonrpc":"2.0","id":7,"method":"debug.echo","params":{"valeu":1}}`,
			`{"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"invalid params: valeu: unknown field","data":{"field":"valeu"}}}`},
		{"case-variant param", `{"jsonrpc":"2.0","id":7,"method":"debug.echo","params":{"Text":"a"}}`,
			`{"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"invalid params: Text: unknown field","data":{"field":"Text"}}}`},
		{"wrong param type", `{"jsonrpc":"2.0","id":8,"method":"debug.echo","params":{"count":"3"}}`,
			`{"jsonrpc":"2.0","id":8,"error":{"code":-32602,"message":"invalid params: count: expected integer, got string","data":{"field":"count"}}}`},
		{"fraction for integer", `{"jsonrpc":"2.0","id":8,"method":"debug.echo","params":{"count":1.5}}`,
			`{"jsonrpc":"2.0","id":8,"error":{"code":-32602,"message":"invalid params: count: expected integer, got number 1.5","data":{"field":"count"}}}`},
		{"positional params", `{"jsonrpc":"2.0","id":9,"method":"debug.echo","params":[1]}`,
			`{"jsonrpc":"2.0","id":9,"error":{"code":-32602,"message":"invalid params: params must be an object (by-name parameters)"}}`},
		{"params on no-params method", `{"jsonrpc":"2.0","id":10,"method":"library.info","params":{"x":1}}`,
			`{"jsonrpc":"2.0","id":10,"error":{"code":-32602,"message":"invalid params: x: unknown field","data":{"field":"x"}}}`},
		{"panic", `{"jsonrpc":"2.0","id":11,"method":"debug.panic","params":{"message":"boom"}}`,
			`{"jsonrpc":"2.0","id":11,"error":{"code":-32000,"message":"internal error: panic in debug.panic: debug.panic: boom"}}`},
		{"notification", `{"jsonrpc":"2.0","method":"debug.echo","params":{"value":1}}`, ``},
		{"panicking notification", `{"jsonrpc":"2.0","method":"debug.panic","params":{"message":"x"}}`, ``},
	}
	bindings.SetDebugOutput(t, &bytes.Buffer{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := string(n.Call(context.Background(), []byte(c.req)))
			if got != c.want {
				t.Errorf("request %s\n got %s\nwant %s", c.req, got, c.want)
			}
		})
	}
}

func TestNative_TooLarge(t *testing.T) {
	n := openNative(t)
	big := `{"jsonrpc":"2.0","id":1,"method":"debug.echo","params":{"text":"` + strings.Repeat("a", bindings.MaxRequestBytes) + `"}}`
	got := string(n.Call(context.Background(), []byte(big)))
	if !strings.Contains(got, `"code":-32600`) || !strings.Contains(got, "too large") {
		t.Fatalf("got %s", got)
	}
}

func TestNative_CancelledContext(t *testing.T) {
	n := openNative(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got := string(n.Call(ctx, []byte(`{"jsonrpc":"2.0","id":1,"method":"library.info"}`)))
	want := `{"jsonrpc":"2.0","id":1,"error":{"code":-32007,"message":"context canceled"}}`
	if got != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
}

func TestNative_Close(t *testing.T) {
	n := openNative(t)
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	got := string(n.Call(context.Background(), []byte(`{"jsonrpc":"2.0","id":1,"method":"library.info"}`)))
	if !strings.Contains(got, `"id":1,"error":{"code":-32600,"message":"engine is closed"`) {
		t.Fatalf("got %s", got)
	}
	if err := n.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

func TestParseOpenOptions(t *testing.T) {
	cases := []struct{ in, wantErr string }{
		{`{"library":"/x","read_only":true,"fixed_clock":"2026-01-02T03:04:05Z","uuid_seed":7}`, ""},
		{`{}`, `invalid params: library: required (-32602)`},
		{`{"library":"/x","fixed_clock":"yesterday"}`, `invalid params: fixed_clock: not an RFC 3339 time: "yesterday" (-32602)`},
		{`{"library":"/x","uuid_seed":"1"}`, `invalid params: uuid_seed: expected integer, got string (-32602)`},
		{`{"library":"/x","readonly":true}`, `invalid params: readonly: unknown field (-32602)`},
		{`{"library":`, `parse error at offset 11: unexpected end of JSON input (-32700)`},
	}
	for _, c := range cases {
		_, err := bindings.ParseOpenOptions([]byte(c.in))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.wantErr {
			t.Errorf("%s: got %q, want %q", c.in, got, c.wantErr)
		}
	}
}

func TestToError_Coded(t *testing.T) {
	cases := map[string]int{"not_found": -32001, "conflict": -32002, "read_only": -32003, "busy": -32004,
		"sandbox": -32005, "invalid": -32006, "internal": -32000, "cancelled": -32007, "no such kind": -32000}
	for kind, code := range cases {
		resp := bindings.ErrorResponse([]byte(`{"jsonrpc":"2.0","id":"k","method":"m"}`), &bindings.KindError{Kind: kind, Err: errors.New("boom")})
		want := `{"jsonrpc":"2.0","id":"k","error":{"code":` + strconv.Itoa(code) + `,"message":"boom"}}`
		if string(resp) != want {
			t.Errorf("%s: got %s, want %s", kind, resp, want)
		}
	}
}

func TestNative_Roots(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	for _, d := range []string{in, out} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Relative: WASI hosts refuse absolute symlink targets (make test-wasi).
	if err := os.Symlink("../out", filepath.Join(in, "link")); err != nil {
		t.Fatal(err)
	}
	for _, lib := range []string{filepath.Join(out, "lib"), filepath.Join(in, "..", "out"), filepath.Join(in, "link", "lib"), "relative/lib"} {
		_, err := bindings.OpenNative(bindings.OpenOptions{Library: lib, Roots: []string{in}})
		var e *bindings.Error
		if !errors.As(err, &e) || e.Code != bindings.CodeSandbox {
			t.Errorf("%s: got %v, want sandbox error", lib, err)
		}
	}
	n, err := bindings.OpenNative(bindings.OpenOptions{Library: filepath.Join(in, "lib"), Roots: []string{in}})
	if err != nil {
		t.Fatal(err)
	}
	n.Close()
}
