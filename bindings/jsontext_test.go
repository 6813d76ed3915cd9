package bindings_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/filedex/filedex/bindings"
)

// TestRPC_InputNotSilentlyChanged: requests whose text encoding/json would change on the
// way in (invalid UTF-8, lone surrogates, duplicate members) or accept as what they are
// not (1e999, a negative limit, a blank name) are refused, naming the member. Before, each
// was accepted: the id came back raw (the response was not UTF-8), "\udc00x" was stored as
// "\ufffdx", {"a":1,"a":2} as {"a":2}.
func TestRPC_InputNotSilentlyChanged(t *testing.T) {
	eng, err := bindings.OpenNative(bindings.OpenOptions{Library: filepath.Join(t.TempDir(), "lib")})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	call := func(t *testing.T, req string) map[string]any {
		t.Helper()
		resp := eng.Call(context.Background(), []byte(req))
		if !utf8.Valid(resp) {
			t.Fatalf("%s: response is not UTF-8: %q", req, resp)
		}
		var m map[string]any
		if err := json.Unmarshal(resp, &m); err != nil {
			t.Fatalf("%s: %v: %s", req, err, resp)
		}
		return m
	}
	// A tag and an entry to set custom_data on.
	call(t, `{"jsonrpc":"2.0","id":1,"method":"tag.create","params":{"name":"ok"}}`)
	cases := []struct {
		name, req string
		code      float64
		field     string
	}{
		{"id not UTF-8", "{\"jsonrpc\":\"2.0\",\"id\":\"\xff\",\"method\":\"tag.list\"}", -32600, "id"},
		{"lone surrogate in a name", `{"jsonrpc":"2.0","id":2,"method":"tag.create","params":{"name":"\udc00x"}}`, -32602, "name"},
		{"name not UTF-8", "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tag.create\",\"params\":{\"name\":\"a\xffb\"}}", -32602, "name"},
		{"duplicate member deep inside", `{"jsonrpc":"2.0","id":4,"method":"metadata.set","params":{"id":1,"custom_data":{"a":1,"a":2}}}`, -32602, "custom_data.a"},
		{"number out of range", `{"jsonrpc":"2.0","id":5,"method":"metadata.set","params":{"id":1,"custom_data":{"n":1e999}}}`, -32602, "custom_data.n"},
		{"negative limit", `{"jsonrpc":"2.0","id":6,"method":"tree.large_files","params":{"limit":-5}}`, -32602, "limit"},
		{"blank tag name", `{"jsonrpc":"2.0","id":7,"method":"tag.create","params":{"name":"   "}}`, -32602, "name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := call(t, c.req)
			e, _ := m["error"].(map[string]any)
			if e == nil {
				t.Fatalf("accepted: %v", m)
			}
			data, _ := e["data"].(map[string]any)
			if e["code"] != c.code || data == nil || data["field"] != c.field {
				t.Fatalf("error %v, want code %v naming %q", e, c.code, c.field)
			}
		})
	}
	// Nothing of the refused ones was stored.
	m := call(t, `{"jsonrpc":"2.0","id":8,"method":"tag.list"}`)
	b, _ := json.Marshal(m["result"])
	if strings.Contains(string(b), "\ufffd") || strings.Contains(string(b), `"d"`) {
		t.Fatalf("a refused tag was stored: %s", b)
	}
}
