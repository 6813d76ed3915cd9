package bindings_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/filedex/filedex/bindings"
)

// FuzzDispatch feeds arbitrary bytes to the engine. Whatever comes in, the
// response must be one valid JSON-RPC 2.0 response object (or nothing, for a
// notification), carry exactly one of result and error, and be the same
// bytes when the request is repeated: determinism is what makes engines
// comparable. Seeds: testdata/fuzz/FuzzDispatch plus every conformance script.
func FuzzDispatch(f *testing.F) {
	scripts, _ := filepath.Glob("../testdata/conformance/*.jsonl")
	for _, s := range scripts {
		if strings.HasSuffix(s, ".golden.jsonl") {
			continue
		}
		for _, l := range readLines(f, s) {
			f.Add(l)
		}
	}
	n, err := bindings.OpenNative(bindings.OpenOptions{Library: filepath.Join(f.TempDir(), "lib")})
	if err != nil {
		f.Fatal(err)
	}
	defer n.Close()
	f.Fuzz(func(t *testing.T, req []byte) {
		resp := n.Call(context.Background(), req)
		if resp == nil {
			return // a notification; the next check ensures it was one
		}
		var r map[string]json.RawMessage
		if err := json.Unmarshal(resp, &r); err != nil {
			t.Fatalf("response is not JSON: %v\n%s", err, resp)
		}
		_, hasID := r["id"]
		_, hasResult := r["result"]
		errObj, hasError := r["error"]
		if string(r["jsonrpc"]) != `"2.0"` || !hasID || hasResult == hasError || len(r) != 3 {
			t.Fatalf("malformed response %s", resp)
		}
		if hasError {
			var e struct {
				Code    *int    `json:"code"`
				Message *string `json:"message"`
				Data    *struct {
					Field *string `json:"field"`
				} `json:"data"`
			}
			dec := json.NewDecoder(bytes.NewReader(errObj))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&e); err != nil || e.Code == nil || e.Message == nil || *e.Code > -32000 || *e.Code < -32768 {
				t.Fatalf("malformed error (%v) %s", err, resp)
			}
		}
		if again := n.Call(context.Background(), req); !bytes.Equal(again, resp) {
			t.Fatalf("not deterministic:\n%s\n%s", resp, again)
		}
	})
}

func readLines(f *testing.F, path string) [][]byte {
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	var out [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(l)) > 0 && !bytes.HasPrefix(l, []byte("//")) {
			out = append(out, l)
		}
	}
	return out
}
